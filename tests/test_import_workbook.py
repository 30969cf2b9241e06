"""Workbooks read as their sheets show them: merged cells, and formulas with no value saved."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.load import load_case


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


def _book(path: Path, rows: list[list[object]], merged: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    path.parent.mkdir(exist_ok=True)
    book.save(path)
    return path


def test_rows_under_a_merged_case_cell_belong_to_its_case(tmp_path: Path) -> None:
    """A case name merged down over its rows (as people lay a sheet out) is in the first of
    them only; the others went to a case named after the file. Each row under a merged cell
    has its value, and the summary says which cells were read so."""
    source = _book(
        tmp_path / "in" / "course.xlsx",
        [
            ["case", "kind", "name", "start", "detail"],
            ["alpha", "relapse", "myelitis", "day 1", "MRI"],
            [None, "relapse", "optic neuritis", "day 50", None],
            [None, "drug", "rituximab", "day 60", None],
            ["beta", "relapse", "brainstem", "day 3", None],
        ],
        merged=("A2:A4", "E2:E3"),
    )
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert err.splitlines()[0] == (
        f"{source}: sheet 'cases': merged cells A2:A4, E2:E3 read as their first cell's value "
        "in every row they span"
    )
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["alpha.yaml", "beta.yaml"]
    alpha = load_case(tmp_path / "out" / "alpha.yaml")
    assert [(e.label, e.detail) for e in alpha.events] == [
        ("myelitis", "MRI"),
        ("optic neuritis", "MRI"),
    ]
    assert [t.drug for t in alpha.treatments] == ["rituximab"]
    assert [e.label for e in load_case(tmp_path / "out" / "beta.yaml").events] == ["brainstem"]


def test_a_formula_with_no_value_saved_is_said_with_its_cell(tmp_path: Path) -> None:
    """A workbook written by a program that does not calculate holds formulas with no value:
    such a cell read as empty, and its row failed for another reason or lost its value
    silently. Each such row is reported with its sheet and cells and left out, counted; a
    formula whose value was saved is read as that value."""
    source = _book(
        tmp_path / "in" / "formulas.xlsx",
        [
            ["case", "kind", "name", "start", "value", "detail"],
            ["x", "relapse", "myelitis", '=TEXT(DATE(2015,4,1),"yyyy-mm-dd")'],
            ["x", "measurement", "CRP", "2015-04-03", "=2*3", '="from "&C3'],
            ["x", "measurement", "CRP", "2015-04-05", "=3*4"],
            ["x", "relapse", "optic neuritis", "2015-06-01"],
        ],
    )
    # (the value a spreadsheet saves with its formula: E4's, and no other's)
    with zipfile.ZipFile(source) as packed:
        parts = {name: packed.read(name) for name in packed.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert parts[sheet].count(b"<f>3*4</f><v></v>") == 1
    parts[sheet] = parts[sheet].replace(b"<f>3*4</f><v></v>", b"<f>3*4</f><v>12</v>")
    with zipfile.ZipFile(source, "w") as packed:
        for name, data in parts.items():
            packed.writestr(name, data)
    code, err = run("import", str(source), "-o", str(tmp_path / "out"), "--keep-dates")
    assert code == 1
    said = (
        "of sheet 'cases': a formula with no value saved (the file was written by a program "
        "that does not calculate); open the file in a spreadsheet and save it, or write the "
        "value; row left out"
    )
    assert err.splitlines()[:2] == [
        f"{source}:2: start (cell D2) {said}",
        f"{source}:3: value (cell E3), detail (cell F3) {said}",
    ]
    case = load_case(tmp_path / "out" / "x.yaml")
    assert [e.label for e in case.events] == ["optic neuritis"]
    (crp,) = case.measurements
    assert [(str(p.time.date), p.value) for p in crp.points] == [("2015-04-05", 12.0)]
    text = (tmp_path / "out" / "x.yaml").read_text(encoding="utf-8")
    assert "rows with problems, reported (2)" in text


def test_a_true_or_false_value_costs_only_its_row(tmp_path: Path) -> None:
    """A tick box (TRUE) in the value column of an age row reached the case as `age: true`,
    which the case format refuses: the whole case was lost, with a message pointing at a line
    of a file never written. TRUE or FALSE as a value is no number, age or word: reported
    with its row, which alone is left out."""
    source = _book(
        tmp_path / "in" / "ticks.xlsx",
        [
            ["case", "kind", "name", "start", "value"],
            ["x", "age", None, None, True],
            ["x", "measurement", "CRP", "day 1", False],
            ["x", "relapse", "myelitis", "day 3", None],
        ],
    )
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{source}:2: value: expected a number or a word, found TRUE",
        f"{source}:3: value: expected a number or a word, found FALSE",
    ]
    case = load_case(tmp_path / "out" / "x.yaml")
    assert case.patient is None and [e.label for e in case.events] == ["myelitis"]
    assert "rows with problems, reported (2)" in (tmp_path / "out" / "x.yaml").read_text("utf-8")
