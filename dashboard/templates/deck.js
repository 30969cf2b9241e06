// The teaching deck: one slide at a time, its chart drawn when it is shown.
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var figures = JSON.parse(document.getElementById("deck-figures").textContent);
  var config = JSON.parse(document.getElementById("deck-config").textContent);
  var counter = document.querySelector(".counter");
  var notesButton = document.querySelector(".toggle-notes");
  var deck = document.getElementById("deck");
  var current = -1;
  var drawn = null;

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
    var figure = figures[Number(slide.getAttribute("data-figure"))];
    Plotly.newPlot(chart, figure.data, figure.layout, config);
    drawn = chart;
  }

  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    if (index === current) return;
    slides.forEach(function (slide, i) { slide.hidden = i !== index; });
    current = index;
    counter.textContent = (index + 1) + " / " + slides.length;
    draw(slides[index]);
    history.replaceState(null, "", "#" + (index + 1));
  }

  function toggleAnswer() {
    var slide = slides[current];
    var answer = slide.querySelector(".answer");
    var button = slide.querySelector(".reveal-answer");
    if (!answer) return;
    answer.hidden = !answer.hidden;
    button.setAttribute("aria-expanded", String(!answer.hidden));
  }

  function toggleNotes() {
    var on = document.body.classList.toggle("show-notes");
    notesButton.setAttribute("aria-pressed", String(on));
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
    s: toggleNotes,
    a: toggleAnswer,
    f: toggleFullScreen
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var action = event.key === " " ? function () { show(current + (event.shiftKey ? -1 : 1)); }
      : keys[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
  document.querySelector(".previous").addEventListener("click", function () { show(current - 1); });
  document.querySelector(".next").addEventListener("click", function () { show(current + 1); });
  notesButton.addEventListener("click", toggleNotes);
  document.querySelectorAll(".reveal-answer").forEach(function (button) {
    button.addEventListener("click", toggleAnswer);
  });

  window.addEventListener("resize", fit);
  fit();
  var start = parseInt(location.hash.slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
})();
