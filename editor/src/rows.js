// The "Rows" tab of the edit view: the case's treatments, events, periods and measurement
// values as editable grids (AG Grid, the grid dash-ag-grid wraps). The text stays the one
// source: each edit here is sent to the server, which writes it into the text in place
// (only the edited item's characters change), and the grid is refilled from every check.
import {
  createGrid,
  ModuleRegistry,
  ClientSideRowModelModule,
  TextEditorModule,
  RowDragModule,
  RowSelectionModule,
  RowApiModule,
  ScrollApiModule,
  themeQuartz,
} from "ag-grid-community";

ModuleRegistry.registerModules([
  ClientSideRowModelModule,
  TextEditorModule,
  RowDragModule,
  RowSelectionModule,
  RowApiModule,
  ScrollApiModule,
]);

const NAMES = { treatments: "Treatments", events: "Events", periods: "Periods" };

// `shown(panel)` is called with the panel each time a tab is chosen.
export function startTabs(shown) {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  function show(tab) {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    shown(document.getElementById(tab.getAttribute("aria-controls")));
  }
  tabs.forEach((tab, number) => {
    tab.addEventListener("click", () => show(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(number + step + tabs.length) % tabs.length];
      show(next);
      next.focus();
      event.preventDefault();
    });
  });
}

// `post(url, body)` answers the server's JSON (with its status) or null; `replaceText(text)`
// puts a new text into the editor, changing only what differs.
// `check()` asks the server for the figure and rows of the text as it is.
export function startRows({ settings, post, text, replaceText, check }) {
  const panel = document.getElementById("panel-rows");
  const choice = document.getElementById("rows-table");
  const message = document.getElementById("rows-message");
  let tables = null;
  let shown = "treatments"; // a table's name, or "values:N" for measurement N's values
  let shownColumns = "";
  let focusAfter = null; // the row to focus once the grid shows the edited text

  const grid = createGrid(document.getElementById("rows-grid"), {
    theme: themeQuartz.withParams({ fontFamily: "inherit", fontSize: 14 }),
    columnDefs: [],
    rowData: [],
    defaultColDef: { editable: true, resizable: true, sortable: false, flex: 1, minWidth: 110 },
    getRowId: (params) => String(params.data.__row),
    rowSelection: { mode: "singleRow", checkboxes: false, enableClickSelection: true },
    stopEditingWhenCellsLoseFocus: true,
    onCellValueChanged: (event) => {
      if ((event.oldValue ?? "") === (event.newValue ?? "")) return;
      send({ action: "set", row: event.data.__row, column: event.colDef.field, value: event.newValue ?? "" }, event.data.__row);
    },
    onRowDragEnd: (event) => {
      const from = event.node.data.__row;
      const to = Math.max(0, Math.min(event.overIndex, rowsOf().length - 1));
      if (from !== to) send({ action: "move", row: from, to }, to);
    },
  });
  const labelGrid = () => {
    const root = document.querySelector('#rows-grid [role="grid"], #rows-grid [role="treegrid"]');
    if (root) root.setAttribute("aria-label", choice.selectedOptions[0]?.textContent || "Rows");
  };

  function current() {
    if (!tables) return null;
    if (shown.startsWith("values:")) return tables.values[Number(shown.slice(7))] || null;
    return tables[shown];
  }
  const rowsOf = () => current()?.rows || [];

  function where() {
    return shown.startsWith("values:")
      ? { table: "values", measurement: Number(shown.slice(7)) }
      : { table: shown };
  }

  function chosenRow() {
    const focused = grid.getFocusedCell();
    if (focused && focused.rowIndex !== null && focused.rowPinned == null) return focused.rowIndex;
    const [selected] = grid.getSelectedNodes();
    return selected ? selected.rowIndex : null;
  }

  async function send(change, focusRow) {
    const answer = await post(settings.rows, { text: text(), ...where(), ...change });
    if (answer === null) return;
    if (answer.status !== 200) {
      message.textContent = answer.error || "The change could not be written";
      refill(true);
      return;
    }
    message.textContent = "";
    focusAfter = focusRow;
    replaceText(answer.text);
  }

  function fillChoice() {
    const options = Object.entries(NAMES).map(([value, label]) => [value, label]);
    tables.values.forEach((measurement, number) => options.push([`values:${number}`, `Values of ${measurement.name}`]));
    const key = options.map((option) => option.join("=")).join("|");
    if (choice.dataset.options !== key) {
      choice.replaceChildren(
        ...options.map(([value, label]) => {
          const option = document.createElement("option");
          option.value = value;
          option.textContent = label;
          return option;
        }),
      );
      choice.dataset.options = key;
    }
    if (!options.some(([value]) => value === shown)) shown = "treatments";
    choice.value = shown;
  }

  function refill(force = false) {
    const table = current();
    if (!table) return;
    if (grid.getEditingCells().length && !force) return; // (refilled at the next check)
    const columns = table.columns.join(",");
    if (columns !== shownColumns) {
      grid.setGridOption(
        "columnDefs",
        table.columns.map((column, number) => ({ field: column, headerName: column, rowDrag: number === 0 })),
      );
      shownColumns = columns;
    }
    grid.setGridOption("rowData", table.rows.map((row, number) => ({ ...row, __row: number })));
    labelGrid();
    if (focusAfter !== null && focusAfter !== undefined) {
      const row = Math.min(focusAfter, table.rows.length - 1);
      focusAfter = null;
      if (row >= 0) {
        grid.ensureIndexVisible(row);
        grid.setFocusedCell(row, table.columns[0]);
        grid.getDisplayedRowAtIndex(row)?.setSelected(true);
      }
    }
  }

  choice.addEventListener("change", () => {
    shown = choice.value;
    refill(true);
  });
  document.getElementById("row-add").addEventListener("click", () => {
    const row = chosenRow();
    const after = row === null ? rowsOf().length - 1 : row;
    send({ action: "add", row: after }, after + 1);
  });
  document.getElementById("row-delete").addEventListener("click", () => {
    const row = chosenRow();
    if (row === null) message.textContent = "Choose a row first";
    else send({ action: "delete", row }, row);
  });
  for (const [id, step] of [["row-up", -1], ["row-down", 1]]) {
    document.getElementById(id).addEventListener("click", () => {
      const row = chosenRow();
      if (row === null) {
        message.textContent = "Choose a row first";
        return;
      }
      const to = row + step;
      if (to >= 0 && to < rowsOf().length) send({ action: "move", row, to }, to);
    });
  }

  return {
    grid,
    shown: () => !panel.hidden,
    // The Rows tab was opened: the rows of the text as it is now
    opened: () => check(),
    // Every check's answer brings the rows of the text as it is (null: the YAML is broken)
    update(newTables) {
      if (!newTables) return;
      tables = newTables;
      fillChoice();
      refill();
    },
  };
}
