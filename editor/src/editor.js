// The case file editor: the file's text beside its live figure, problems at their lines.
// The page gives its settings in <script type="application/json" id="editor-settings">.
import { EditorView, keymap, lineNumbers, highlightActiveLine, hoverTooltip } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput } from "@codemirror/language";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { searchKeymap } from "@codemirror/search";
import { yaml, yamlLanguage } from "@codemirror/lang-yaml";
import { yamlCompletion, yamlSchemaHover } from "codemirror-json-schema/yaml";
import { stateExtensions } from "codemirror-json-schema";
import { startRows, startTabs } from "./rows.js";

const PAUSE_MS = 250; // the figure redraws this long after the last keystroke

function start() {
  const settings = JSON.parse(document.getElementById("editor-settings").textContent);
  const host = document.getElementById("case-file");
  const figure = document.getElementById("edit-figure");
  const figureBox = document.getElementById("figure-box");
  const list = document.getElementById("problem-list");
  const status = document.getElementById("edit-status");
  const saveButton = document.getElementById("save");
  let loadedHash = settings.hash;
  let savedText = settings.text;
  let problems = [];
  let timer = null;
  let asked = 0; // the number of the latest check sent; older answers are dropped

  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: settings.text,
      extensions: [
        lineNumbers(),
        history(),
        highlightActiveLine(),
        indentOnInput(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        yaml(),
        yamlLanguage.data.of({ autocomplete: yamlCompletion() }),
        autocompletion(),
        hoverTooltip(yamlSchemaHover()),
        stateExtensions(settings.schema),
        lintGutter(),
        keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...searchKeymap]),
        // (tabindex: the scrolling region holds something focusable, as axe-core checks)
        EditorView.contentAttributes.of({ "aria-label": "Case file", tabindex: "0" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            clearTimeout(timer);
            timer = setTimeout(check, PAUSE_MS);
            showDirty();
          }
        }),
      ],
    }),
  });
  window.caseEditor = {
    view,
    text: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    checked: 0, // how many answers have been shown, for tests and the benchmark
  };

  // A new text from the Rows view, dispatched as the one span that differs, so the cursor,
  // the undo history and every other line stay as they were.
  function replaceText(text) {
    const old = view.state.doc.toString();
    if (old === text) return;
    let from = 0;
    while (from < old.length && from < text.length && old[from] === text[from]) from++;
    let end = 0;
    while (end < old.length - from && end < text.length - from && old[old.length - 1 - end] === text[text.length - 1 - end]) end++;
    view.dispatch({ changes: { from, to: old.length - end, insert: text.slice(from, text.length - end) } });
  }

  function showDirty() {
    const dirty = view.state.doc.toString() !== savedText;
    status.textContent = dirty ? "Unsaved changes" : "Saved";
    document.body.dataset.dirty = dirty ? "yes" : "no";
  }

  function position(problem) {
    const doc = view.state.doc;
    const line = doc.line(Math.min(Math.max(problem.line || 1, 1), doc.lines));
    const from = Math.min(line.from + Math.max((problem.column || 1) - 1, 0), line.to);
    let to = from;
    while (to < line.to && !/[\s:,\]}]/.test(doc.sliceString(to, to + 1))) to++;
    return { from, to: to > from ? to : line.to };
  }

  function jumpTo(problem) {
    const { from } = position(problem);
    view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    view.focus();
  }

  function showProblems() {
    view.dispatch(
      setDiagnostics(
        view.state,
        problems.map((problem) => ({ ...position(problem), severity: "error", message: problem.text })),
      ),
    );
    list.replaceChildren(
      ...problems.map((problem) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "problem";
        button.textContent = `Line ${problem.line || 1}: ${problem.text}`;
        button.addEventListener("click", () => jumpTo(problem));
        item.append(button);
        return item;
      }),
    );
    document.getElementById("problem-count").textContent = problems.length
      ? `${problems.length} problem${problems.length === 1 ? "" : "s"}`
      : "No problems";
  }

  async function check() {
    const started = performance.now();
    const number = ++asked;
    // (the rows are asked for only while they are shown: the Rows tab asks again when opened)
    const response = await post(settings.check, { text: view.state.doc.toString(), rows: rows.shown() });
    const answered = performance.now();
    if (number !== asked || response === null) return;
    problems = response.problems;
    showProblems();
    rows.update(response.rows);
    if (response.figure) {
      await Plotly.react(figure, response.figure.data, response.figure.layout, { displaylogo: false, responsive: true });
      figureBox.classList.remove("outdated");
      document.getElementById("outdated-note").hidden = true;
    } else {
      figureBox.classList.add("outdated");
      document.getElementById("outdated-note").hidden = false;
    }
    window.caseEditor.lastUpdateMs = performance.now() - started; // pause end to figure shown
    window.caseEditor.lastServerMs = answered - started; // of which the request and its answer
    window.caseEditor.checked++;
    document.body.dataset.checked = String(window.caseEditor.checked);
  }

  async function post(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Edit-Token": settings.token },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const answer = await response.json();
      answer.status = response.status;
      return answer;
    } catch (error) {
      status.textContent = "The server cannot be reached; your text is kept in this page";
      return null;
    }
  }

  async function save(extra = {}) {
    const text = view.state.doc.toString();
    if (problems.length && !extra.confirmed) {
      const go = window.confirm(
        `The text has ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
          "the dashboard will show the file as invalid until they are mended. Save anyway?",
      );
      if (!go) return;
    }
    const answer = await post(settings.save, { text, hash: loadedHash, ...extra });
    if (answer === null) return;
    if (answer.status === 409) {
      showConflict(text, answer.theirs, answer.hash);
      return;
    }
    if (answer.status !== 200) {
      status.textContent = answer.error || "Not saved";
      return;
    }
    loadedHash = answer.hash;
    savedText = text;
    showDirty();
    status.textContent = answer.message;
    loadHistory();
  }

  function showConflict(mine, theirs, theirHash) {
    const dialog = document.getElementById("conflict");
    document.getElementById("conflict-mine").textContent = mine;
    document.getElementById("conflict-theirs").textContent = theirs;
    dialog.hidden = false;
    document.getElementById("conflict-copy").onclick = async () => {
      const answer = await post(settings.copy, { text: mine });
      if (answer && answer.status === 200) {
        status.textContent = answer.message;
        dialog.hidden = true;
      } else if (answer) {
        status.textContent = answer.error;
      }
    };
    document.getElementById("conflict-theirs-button").onclick = () => {
      loadedHash = theirHash;
      savedText = theirs;
      window.caseEditor.setText(theirs);
      dialog.hidden = true;
      showDirty();
    };
    document.getElementById("conflict-merge").onclick = () => {
      // Merging by hand: their version is now the one this text replaces when saved.
      loadedHash = theirHash;
      dialog.hidden = true;
      status.textContent = "Their version is shown beside yours; mend the text, then save";
      document.getElementById("conflict-theirs-copy").textContent = theirs;
      document.getElementById("theirs-box").hidden = false;
      view.focus();
    };
    document.getElementById("conflict-mine-heading").focus();
  }

  async function loadHistory() {
    const answer = await fetch(settings.history, { credentials: "same-origin" }).then((r) => r.json());
    const versions = document.getElementById("history-list");
    versions.replaceChildren(
      ...answer.versions.map((version) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `Restore the version of ${version.when}`;
        button.addEventListener("click", async () => {
          const restored = await post(settings.restore, { version: version.name });
          if (restored && restored.status === 200) {
            window.caseEditor.setText(restored.text);
            status.textContent = restored.message + "; save to keep it";
          }
        });
        item.append(button);
        return item;
      }),
    );
  }

  const rows = startRows({ settings, post, text: () => view.state.doc.toString(), replaceText, check: () => check() });
  window.caseEditor.rows = rows.grid;
  startTabs((panel) => {
    if (panel.id === "panel-rows") rows.opened();
  });

  saveButton.addEventListener("click", () => save());
  window.addEventListener("beforeunload", (event) => {
    if (view.state.doc.toString() !== savedText) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.caseEditor.save = save;
  showDirty();
  loadHistory();
  check();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
