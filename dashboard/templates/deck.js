// The teaching deck: one slide at a time, its chart drawn when it is shown.
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var figures = JSON.parse(document.getElementById("deck-figures").textContent);
  var config = JSON.parse(document.getElementById("deck-config").textContent);
  var words = JSON.parse(document.getElementById("deck-words").textContent);
  var counter = document.querySelector(".counter");
  var notesButton = document.querySelector(".toggle-notes");
  var deck = document.getElementById("deck");
  var current = -1;
  var drawn = null;
  var presenter = null;
  var PROMPT_MOST = 430;  // px of the 1080 canvas the question and answer may take
  var SMALLEST_TEXT = 24;  // px: read from the back of a hall

  // The 1920x1080 canvas, scaled to fit the window and centred (letterboxed).
  function fit() {
    var zoom = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    var left = (window.innerWidth - 1920 * zoom) / 2;
    var top = (window.innerHeight - 1080 * zoom) / 2;
    deck.style.transform = "translate(" + left + "px, " + top + "px) scale(" + zoom + ")";
  }

  function draw(slide) {
    if (drawn) {
      Plotly.purge(drawn);
      drawn = null;
    }
    var chart = slide.querySelector(".chart");
    if (!chart || typeof Plotly === "undefined") return;
    // A question's view holds back what its answer shows, until the answer is shown.
    var answer = slide.querySelector(".answer");
    var asked = slide.hasAttribute("data-question-figure") && answer && answer.hidden;
    var figure = figures[Number(slide.getAttribute(asked ? "data-question-figure" : "data-figure"))];
    var layout = Object.assign({}, figure.layout, {height: chart.clientHeight});
    Plotly.newPlot(chart, figure.data, layout, config);
    drawn = chart;
  }

  // Question and answer shrink (to the smallest readable size) before they could be cut.
  function fitPrompt(slide) {
    var prompt = slide.querySelector(".prompt");
    if (!prompt) return;
    prompt.querySelectorAll(".question, .answer").forEach(function (p) { p.style.fontSize = ""; });
    var texts = Array.prototype.slice.call(prompt.querySelectorAll(".question, .answer"));
    var guard = 40;
    while (prompt.scrollHeight > PROMPT_MOST && guard-- > 0) {
      var shrunk = false;
      texts.forEach(function (p) {
        var size = parseFloat(getComputedStyle(p).fontSize);
        if (size > SMALLEST_TEXT) { p.style.fontSize = Math.max(SMALLEST_TEXT, size - 2) + "px"; shrunk = true; }
      });
      if (!shrunk) break;
    }
  }

  function resizeChart(slide) {
    var chart = slide.querySelector(".chart");
    if (chart && chart === drawn) Plotly.relayout(chart, {height: chart.clientHeight});
  }

  function text(slide, selector) {
    var node = slide.querySelector(selector);
    return node ? node.textContent : "";
  }

  // The presenter view: a window of its own (as slide tools have) with this slide's notes
  // and answer and the next slide's title; the audience sees only the slide.
  function updatePresenter() {
    if (!presenter || presenter.closed) return;
    var slide = slides[current];
    var next = slides[current + 1];
    var doc = presenter.document;
    doc.title = words.presenter + " – " + document.title;
    doc.body.innerHTML = "";
    var parts = [
      ["p", "counter", (current + 1) + " / " + slides.length],
      ["h1", "title", text(slide, "h2") || text(slide, "h1")],
      ["h2", "", words.notes],
      ["p", "notes", text(slide, ".notes p") || words.noNotes],
      ["h2", "", words.answer],
      ["p", "answer", text(slide, ".answer") || words.noAnswer],
      ["h2", "", words.next],
      ["p", "next", next ? (text(next, "h2") || text(next, "h1")) : words.end]
    ];
    parts.forEach(function (part) {
      var node = doc.createElement(part[0]);
      if (part[1]) node.className = part[1];
      node.textContent = part[2];
      doc.body.appendChild(node);
    });
    doc.body.style.font = "24px/1.4 Arial, 'Liberation Sans', sans-serif";
    doc.body.style.margin = "24px 40px";
  }

  function openPresenter() {
    if (presenter && !presenter.closed) { presenter.focus(); return; }
    presenter = window.open("", "clinical-course-presenter", "width=900,height=700");
    if (!presenter) return;  // blocked: the slide stays as it is
    presenter.document.write("<!doctype html><meta charset='utf-8'><title></title><body></body>");
    presenter.document.close();
    presenter.addEventListener("keydown", onKey);
    notesButton.setAttribute("aria-pressed", "true");
    updatePresenter();
  }

  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    if (index === current) return;
    slides.forEach(function (slide, i) { slide.hidden = i !== index; });
    current = index;
    counter.textContent = (index + 1) + " / " + slides.length;
    fitPrompt(slides[index]);
    draw(slides[index]);
    history.replaceState(null, "", "#" + (index + 1));
    updatePresenter();
  }

  function toggleAnswer() {
    var slide = slides[current];
    var answer = slide.querySelector(".answer");
    var button = slide.querySelector(".reveal-answer");
    if (!answer) return;
    answer.hidden = !answer.hidden;
    button.setAttribute("aria-expanded", String(!answer.hidden));
    fitPrompt(slide);
    if (slide.hasAttribute("data-question-figure")) draw(slide);
    else resizeChart(slide);
  }

  function toggleFullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }

  var keys = {
    ArrowRight: function () { show(current + 1); },
    ArrowDown: function () { show(current + 1); },
    PageDown: function () { show(current + 1); },
    ArrowLeft: function () { show(current - 1); },
    ArrowUp: function () { show(current - 1); },
    PageUp: function () { show(current - 1); },
    Home: function () { show(0); },
    End: function () { show(slides.length - 1); },
    s: openPresenter,
    a: toggleAnswer,
    f: toggleFullScreen
  };

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var action = event.key === " " ? function () { show(current + (event.shiftKey ? -1 : 1)); }
      : keys[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }
  document.addEventListener("keydown", onKey);
  document.querySelector(".previous").addEventListener("click", function () { show(current - 1); });
  document.querySelector(".next").addEventListener("click", function () { show(current + 1); });
  notesButton.addEventListener("click", openPresenter);
  document.querySelectorAll(".reveal-answer").forEach(function (button) {
    button.addEventListener("click", toggleAnswer);
  });

  window.addEventListener("resize", fit);
  fit();
  var start = parseInt(location.hash.slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
})();
