"""The case table: template, import, table export, and the round trip between them."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from dashboard.cli import cli
from dashboard.importers.rows import COLUMNS, Reading
from dashboard.load import load_case, parse_case
from dashboard.model import Case, Time
from dashboard.problems import InvalidCase
from tests.conftest import CASE_FILES, TIMELINES
from tests.strategies import as_yaml, cases

DATA = Path(__file__).resolve().parent / "data" / "import"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_table_to_cases_to_table_loses_nothing(tmp_path: Path, suffix: str) -> None:
    first = tmp_path / f"first.{suffix}"
    assert run("table", str(TIMELINES), "-o", str(first))[0] == 0
    for dates in (["--keep-dates"], []):
        cases = tmp_path / f"cases{len(dates)}"
        code, err = run("import", str(first), "-o", str(cases), *dates)
        assert code == 0, err
        assert sorted(p.stem for p in cases.glob("*.yaml")) == [p.stem for p in CASE_FILES]
        again = tmp_path / f"again{len(dates)}.{suffix}"
        assert run("table", str(cases), "-o", str(again))[0] == 0
        if dates:  # dates kept: the same table
            assert _cells(again) == _cells(first)
        else:  # dates made relative: that table in turn round-trips exactly
            third = tmp_path / f"third.{suffix}"
            run("import", str(again), "-o", str(tmp_path / "cases3"))
            run("table", str(tmp_path / "cases3"), "-o", str(third))
            assert _cells(third) == _cells(again)
            assert not re.search(
                r"(?<![\w-])(19|20)\d\d-[01]\d(?!\d)", "".join(map(str, _cells(again)))
            )


def test_numbers_go_to_the_table_as_numbers_with_every_digit(tmp_path: Path) -> None:
    """0.87 was written to the table as 0.9, and Excel showed each number as text; a time
    written as a bare number of days is written 'day 59', in the table and the case file."""
    case = tmp_path / "in" / "numbers.yaml"
    case.parent.mkdir()
    case.write_text(
        "title: Numbers\npatient: {age: 45}\n"
        "treatments:\n- drug: prednisolone\n  doses: [{at: 59, dose: 60}, {at: 80, dose: 7.5}]\n"
        "measurements:\n- name: Creatinine\n  values: [[0, 0.87], [day 3, '~1.234'], [7, 12]]\n",
        encoding="utf-8",
    )
    table = tmp_path / "t.xlsx"
    assert run("table", str(case), "-o", str(table))[0] == 0
    cells = {(row[1], row[6]): row for row in _cells(table)[1:]}  # (kind, start)
    assert cells[("drug", "day 59")][11] == 60 and cells[("drug", "day 80")][11] == 7.5
    values = [cells[("measurement", t)][11] for t in ("day 0", "day 3", "day 7")]
    assert values == [0.87, "~1.234", 12] and cells[("age", None)][11] == 45
    code, err = run("import", str(table), "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "numbers.yaml").read_text(encoding="utf-8")
    assert "patient: {age: 45}" in text and "{at: day 59, dose: 60}" in text
    assert "- [day 0, 0.87]" in text and "- [day 3, ~1.234]" in text
    back = load_case(tmp_path / "out" / "numbers.yaml").measurements
    assert _essence(back) == _essence(load_case(case).measurements)


def test_a_written_workbook_reads_as_a_spreadsheet_should(tmp_path: Path) -> None:
    table = tmp_path / "t.xlsx"
    assert run("table", str(TIMELINES), "-o", str(table))[0] == 0
    book = openpyxl.load_workbook(table)
    assert book.sheetnames == ["cases", "columns"]
    cases = book["cases"]
    assert cases.freeze_panes == "A2" and cases["A1"].font.b and cases["A1"].value == "case"
    assert [row[0].value for row in book["columns"].iter_rows(min_row=2)] == list(COLUMNS)


def _cells(path: Path) -> list[tuple[object, ...]]:
    if path.suffix == ".csv":
        return [tuple(line.split(",")) for line in path.read_text(encoding="utf-8").splitlines()]
    sheet = openpyxl.load_workbook(path)["cases"]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_imported_case_keeps_every_item(tmp_path: Path) -> None:
    source = load_case(TIMELINES / "nomura-2025-case2.yaml")
    run("table", str(TIMELINES / "nomura-2025-case2.yaml"), "-o", str(tmp_path / "t.csv"))
    run("import", str(tmp_path / "t.csv"), "-o", str(tmp_path / "out"))
    case = load_case(tmp_path / "out" / "nomura-2025-case2.yaml")
    assert [t.drug for t in case.treatments] == [t.drug for t in source.treatments]
    assert [(e.kind, e.label, e.at.day) for e in case.events] == [
        (e.kind, e.label, e.at.day) for e in source.events
    ]
    assert [m.values for m in case.measurements] == [m.values for m in source.measurements]


def test_template_filled_in_by_hand_imports_as_meant(tmp_path: Path) -> None:
    template = tmp_path / "cases.xlsx"
    code, _ = run("template", str(template))
    assert code == 0
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["cases", "example", "columns"]
    explained = [row[0].value for row in book["columns"].iter_rows(min_row=2)]
    assert explained == list(COLUMNS)
    sheet = book["cases"]
    header = [cell.value for cell in sheet[1]]
    # A clinician types the way spreadsheets invite: real date cells, numbers as numbers,
    # columns skipped, a blank line between two patients, "Relapse" with a capital.
    on = dt.datetime
    typed = [
        {"case": "mog-1", "kind": "title", "name": "MOGAD with two relapses"},
        {"case": "mog-1", "kind": "day0", "name": "optic neuritis", "start": on(2021, 3, 1)},
        {"case": "mog-1", "kind": "Relapse", "name": "optic neuritis", "start": on(2021, 3, 1)},
        {"case": "mog-1", "kind": "drug", "name": "methylprednisolone", "abbr": "mPSL",
         "start": on(2021, 3, 2), "end": on(2021, 3, 6), "dose": "1 g/day"},
        {"case": "mog-1", "kind": "drug", "name": "prednisolone", "abbr": "PSL", "unit": "mg/day",
         "start": on(2021, 3, 7), "value": 60},
        {"case": "mog-1", "kind": "drug", "name": "prednisolone", "abbr": "PSL", "unit": "mg/day",
         "start": on(2021, 4, 4), "value": 30, "end": on(2021, 9, 1)},
        {"case": "mog-1", "kind": "measurement", "name": "MOG-IgG titre",
         "start": on(2021, 3, 1), "value": 1000},
        {"case": "mog-1", "kind": "measurement", "name": "MOG-IgG titre",
         "start": "~month 6", "value": "~100"},
        {},
        {"case": "mog-2", "kind": "title", "name": "Second patient, days only"},
        {"case": "mog-2", "kind": "drug", "name": "IVIG", "start": 0},
        {"case": "mog-2", "kind": "drug", "name": "IVIG", "start": "day 28"},
        {"case": "mog-2", "kind": "myelitis", "name": "oops"},
    ]  # fmt: skip
    for number, cells in enumerate(typed, start=2):
        for key, value in cells.items():
            sheet.cell(row=number, column=header.index(key) + 1, value=value)
    book.save(template)
    code, err = run("import", str(template), "-o", str(tmp_path / "out"))
    assert err.splitlines()[0] == (
        f"{template}:14: kind: expected the kind of row, found 'myelitis'; one of "
        "title, summary, drug, procedure, onset, relapse, symptom, imaging, lab, "
        "procedure-event, admission, discharge, adverse-event, death, note, diagnosis, "
        "measurement, period, day0, age, sex, citation, follow-up, step"
    )
    assert code == 1  # a row was reported; the rest is written
    first = load_case(tmp_path / "out" / "mog-1.yaml")
    assert first.title == "MOGAD with two relapses"
    assert first.day0.label == "optic neuritis" and first.day0_date is None
    assert [(e.kind, e.at.day) for e in first.events] == [("relapse", 0.0)]
    mpsl, psl = first.treatments
    assert (mpsl.start.day, mpsl.end.day, mpsl.dose) == (1.0, 5.0, "1 g/day")  # type: ignore[union-attr]
    assert [(s.at.day, s.dose) for s in psl.doses or ()] == [(6.0, 60.0), (34.0, 30.0)]
    assert psl.end is not None and psl.end.day == 184.0 and psl.unit == "mg/day"
    (titre,) = first.measurements
    assert [(p.time.day, p.value, p.approx) for p in titre.points] == [
        (0.0, 1000.0, False),
        (182.625, 100.0, True),
    ]
    second = load_case(tmp_path / "out" / "mog-2.yaml")
    (ivig,) = second.treatments
    assert [time.day for time in ivig.given or ()] == [0.0, 28.0]


def test_bad_rows_are_reported_and_the_rest_imported(tmp_path: Path) -> None:
    source = DATA / "bad-rows.csv"
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    expected = (DATA / "bad-rows.expected").read_text(encoding="utf-8").splitlines()
    assert err.splitlines()[: len(expected)] == [
        line.replace("{file}", str(source)) for line in expected
    ]
    assert code == 1
    text = (tmp_path / "out" / "ok-case.yaml").read_text(encoding="utf-8")
    assert "# Left out: rows with problems, reported (8);" in text
    case = load_case(tmp_path / "out" / "ok-case.yaml")
    assert [t.drug for t in case.treatments] == ["prednisolone"]
    assert [e.at.day for e in case.events] == [101.0]  # 10 June is day 101 after 1 March 2020
    assert not re.search(r"\b2020-", text), "dates are made relative by default"


def test_a_number_with_a_decimal_comma_is_reported_not_multiplied(tmp_path: Path) -> None:
    """'37,5' is not 375: a comma is read only between thousands, in the table and the file."""
    source = tmp_path / "in" / "t.csv"
    source.parent.mkdir()
    rows = ["case,kind,name,start,value", 'c,measurement,Ferritin,day 0,"1,200"']
    rows += ['c,measurement,Ferritin,day 1,"~12,500.5"', 'c,measurement,Ferritin,day 2,"1.234,5"']
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 1 and f"{source}:4: value: expected a number (~ allowed), found '1.234,5'" in err
    (ferritin,) = load_case(tmp_path / "out" / "c.yaml").measurements
    assert [(p.value, p.approx) for p in ferritin.points] == [(1200.0, False), (12500.5, True)]
    written = tmp_path / "hand.yaml"
    written.write_text('title: t\nmeasurements:\n- name: T\n  values: [[day 0, "37,5"]]\n')
    with pytest.raises(
        InvalidCase, match=r"values\[0\]: expected a number, found '37,5' \(a comma"
    ):
        load_case(written)


def test_repeated_dosing_without_an_end_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "in" / "t.csv"
    source.parent.mkdir()
    rows = ["case,kind,name,start,end,every", "c,drug,rituximab,month 2,,6 months"]
    rows += [
        "c,drug,natalizumab,day 0,ongoing,4 weeks",
        "c,drug,ocrelizumab,day 9,day 400,6 months",
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 1 and err.splitlines()[0] == (
        f"{source}:2: every: repeated dosing needs an end (a date, day 90, ...) or 'ongoing'"
    )
    natalizumab, ocrelizumab = load_case(tmp_path / "out" / "c.yaml").treatments
    assert natalizumab.every == 28.0 and natalizumab.ongoing and ocrelizumab.every == 182.625


def test_day0_chosen_on_import_is_found_among_every_row_and_named_for_itself(
    tmp_path: Path,
) -> None:
    """--only keeps the values, yet the condition --day0 names is still found; a day 0 moved
    to another date is not given the source's own label (it would mark onset a year late)."""
    source = tmp_path / "in" / "t.csv"
    source.parent.mkdir()
    rows = ["case,kind,name,start,value", "c,day0,NMOSD onset,2015-01-10,"]
    rows += ["c,relapse,myelitis,2015-01-20,", "c,measurement,Ferritin,2015-01-25,300"]
    rows += ["c,measurement,Ferritin,~2015-03,200"]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, err = run("import", str(source), "-o", str(out / "a"), "--only", "measurement",
                    "--day0", "condition:myelitis")  # fmt: skip
    assert code == 0, err
    case = load_case(out / "a" / "c.yaml")
    assert case.day0.label == "myelitis" and not case.events
    assert [p.time.day for p in case.measurements[0].points] == [5.0, 40.0]  # ~1 March: ~day 40
    code, err = run("import", str(source), "-o", str(out / "b"), "--day0", "2016-01-01")
    assert code == 0, err
    case = load_case(out / "b" / "c.yaml")
    assert case.day0.label == "Day 0" and case.events[0].at.day == -346.0
    assert "~day -306" in (out / "b" / "c.yaml").read_text(encoding="utf-8")  # a whole day
    code, err = run("import", str(source), "-o", str(out / "c"), "--day0", "condition:")
    assert code == 1 and "--day0 condition:: name the condition or event" in err


def test_import_never_writes_over_a_file(tmp_path: Path) -> None:
    source = tmp_path / "in" / "t.csv"
    source.parent.mkdir()
    shutil.copy(DATA / "bad-rows.csv", source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "ok-case.yaml").write_text("mine\n", encoding="utf-8")
    run("import", str(source), "-o", str(out))
    assert (out / "ok-case.yaml").read_text(encoding="utf-8") == "mine\n"
    assert (out / "ok-case-2.yaml").exists()
    code, err = run("import", str(source), "-o", str(out), "--existing", "stop")
    assert code == 1 and f"{out / 'ok-case.yaml'} exists; nothing was written" in err
    assert sorted(p.name for p in out.iterdir()) == ["ok-case-2.yaml", "ok-case.yaml"]
    code, err = run("import", str(source), "-o", str(source.parent))
    assert code == 1 and f"{source.parent} holds {source}; write the case files to another" in err
    assert [p.name for p in source.parent.iterdir()] == ["t.csv"]


def test_table_and_template_refuse_what_they_cannot_write(tmp_path: Path) -> None:
    code, err = run("table", str(TIMELINES), "-o", str(tmp_path / "x.ods"))
    assert code == 1 and "a table is written as .csv or .xlsx" in err
    (tmp_path / "t.xlsx").write_text("mine", encoding="utf-8")
    code, err = run("template", str(tmp_path / "t.xlsx"))
    assert code == 1 and "exists; refusing to write over it" in err
    assert (tmp_path / "t.xlsx").read_text(encoding="utf-8") == "mine"
    for name in ("t.xlsx", "t.csv"):  # the spreadsheet the cases came from, say
        (tmp_path / name).write_text("mine", encoding="utf-8")
        code, err = run("table", str(TIMELINES), "-o", str(tmp_path / name))
        assert code == 1 and f"{tmp_path / name} exists; refusing to write over it" in err
        assert (tmp_path / name).read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("dates", ["--shift-dates", "--coarse-dates", "--keep-dates", None])
def test_import_dates_options(tmp_path: Path, dates: str | None) -> None:
    source = load_case(DATA / "dated-case.yaml")
    table = tmp_path / "t.csv"
    run("table", str(DATA / "dated-case.yaml"), "-o", str(table))
    code, err = run("import", str(table), "-o", str(tmp_path / "out"), *([dates] if dates else []))
    assert code == 0, err
    text = (tmp_path / "out" / "dated-case.yaml").read_text(encoding="utf-8")
    case = load_case(tmp_path / "out" / "dated-case.yaml")
    assert [t.day for t in case.times] == [t.day for t in source.times]
    if dates == "--keep-dates":
        assert case.day0_date == source.day0_date
        assert "2017-09-02" in text
    elif dates == "--shift-dates":
        assert source.day0_date is not None and case.day0_date is not None
        shift = case.day0_date - source.day0_date
        assert shift.days != 0
        # every date written is a date of the source moved by the one shift (a month, such as
        # ~2017-08, is moved from its first day), whichever other source date it lands on
        written = (DATA / "dated-case.yaml").read_text(encoding="utf-8")
        moved = [
            (dt.date.fromisoformat(found) - shift).isoformat()
            for found in re.findall(r"\d{4}-\d{2}-\d{2}", text)
        ]
        assert len(moved) > 5
        for date in moved:
            assert date in written or (date.endswith("-01") and date[:7] in written), date
        assert "# Dates are shifted by a random number of days" in text
        assert not [
            line for line in text.splitlines() if "shift" in line and re.search(r"\d", line)
        ]
    else:
        assert case.day0_date is None and not re.search(r"201[78]-", text)
        label = "NMOSD onset (mid Mar 2017)" if dates else "NMOSD onset"
        assert case.day0.label == label


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_rows_read_at_once_equal_rows_read_cell_by_cell(tmp_path: Path, suffix: str) -> None:
    """Rows that pass the checks skip the cell-by-cell path; both must give the same rows."""
    import pandas as pd

    from dashboard.importers import spreadsheet

    records = [
        {"case": "a", "kind": "Measurement", "name": " Ferritin ", "start": "day 3"}
        | {"value": "1,200"},
        {"case": "a", "kind": "measurement", "name": "CRP", "start": "~day 4", "value": "~8"},
        {"case": "a", "kind": "drug", "name": "PSL", "start": "2015-04-02", "end": "Ongoing"},
        {"case": "a", "kind": "drug", "name": "PSL", "start": "day 7", "value": 40, "unit": "mg"},
        {"case": "a", "kind": "age", "value": "32"},
        {"case": "a", "kind": "procedure_event", "start": "week 2", "detail": "LP", "abbr": 5},
        {"case": "a", "kind": "relapse", "name": "myelitis", "start": "day x"},
        {"case": "a", "kind": "drug", "start": "day 1"},
        {"case": "a", "kind": "measurement", "name": "EDSS", "start": "day 1", "value": "lots"},
        {},
        {"kind": "title", "name": "No case column value"},
        {"case": 7, "kind": "sex", "name": "female", "lane": 1.5, "source": "Table 2"},
    ]  # fmt: skip
    path = tmp_path / f"cases.{suffix}"
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    if suffix == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False, sheet_name="cases")
    problems: list[str] = []
    patients = spreadsheet.read_table(path, problems)

    slow_problems: list[str] = []
    expected: dict[str, list[object]] = {}
    sheet, _ = spreadsheet._frame(path, Reading())
    names = [str(column).strip().lower() for column in sheet.frame.columns]
    for number, values in zip(
        sheet.lines, sheet.frame.to_numpy(dtype=object).tolist(), strict=True
    ):
        cells = {name: spreadsheet._cell(value) for name, value in zip(names, values, strict=True)}
        if any(value is not None for value in cells.values()):
            row = spreadsheet._row(cells, f"{path}:{number}", slow_problems)
            case = str(cells.get("case") or path.stem)
            if row is not None:
                expected.setdefault(case, []).append(row)
    assert {key: patient.rows for key, patient in patients.items()} == expected
    assert problems == slow_problems
    assert len(problems) == 3  # a bad time, a drug without a name, a value not a number
    assert patients["a"].rows[0].value == 1200.0
    assert patients["a"].rows[0].name == "Ferritin"


def test_a_word_in_the_value_column_of_an_event_does_not_stop_the_table(tmp_path: Path) -> None:
    """Only measurements and treatments need a number there; an event's word is no number,
    and the table's other rows are still read (it once failed the whole file)."""
    from dashboard.importers.spreadsheet import read_tables

    table = tmp_path / "t.csv"
    table.write_text(
        "case,kind,name,start,value\n"
        "a,relapse,myelitis,day 1,severe\n"
        "a,measurement,EDSS,day 1,3.5\n"
        "a,measurement,EDSS,day 9,worse\n"
    )
    problems: list[str] = []
    rows = read_tables([table], problems)["a"].rows
    assert [(row.kind, row.value) for row in rows] == [("relapse", "severe"), ("measurement", 3.5)]
    assert problems == [f"{table}:4: value: expected a number (~ allowed), found 'worse'"]


def test_a_case_too_large_to_read_back_is_reported_not_written(tmp_path: Path) -> None:
    source = tmp_path / "in" / "long.csv"
    source.parent.mkdir()
    rows = ["case,kind,name,start,value,unit", "small,title,A small case,,,"]
    rows += ["small,measurement,CRP,day 1,5,mg/L"]
    rows += ["huge,title,A case too long for one file,,,"]
    rows += [f"huge,measurement,ferritin,day {n % 9000},{n / 7},ng/mL" for n in range(90_000)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "huge.yaml" in err and "a case file may be at most 2 MB" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["small.yaml"]


def test_excel_csv_in_european_languages_reads_as_meant(tmp_path: Path) -> None:
    """German Excel saves CSV with semicolons, decimal commas and Windows-1252 text."""
    source = tmp_path / "in" / "semi.csv"
    source.parent.mkdir()
    rows = ["case;kind;name;start;value;unit", "Müller;measurement;Temperatur;day 0;37,5;°C"]
    rows += ["Müller;measurement;Temperatur;day 1;~38;°C", "Müller;measurement;CRP;day 1;1.234,5;"]
    source.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 1 and err.splitlines()[0] == (
        f"{source}:4: value: expected a number (~ allowed), found '1.234,5' (a comma is read "
        "only between thousands, as in 1,200: write decimals with a point, as in 37.5)"
    )  # (a dot and a comma: thousands? a decimal? said, never guessed)
    (temperature,) = load_case(tmp_path / "out" / "müller.yaml").measurements
    assert temperature.unit == "°C"
    assert [(p.value, p.approx) for p in temperature.points] == [(37.5, False), (38.0, True)]


def test_files_that_are_no_table_say_what_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.csv").write_text("\n\n", encoding="utf-8")
    (folder / "fake.xlsx").write_text("not a workbook", encoding="utf-8")
    (folder / "tabs.csv").write_text("case\tname\nc\tx\n", encoding="utf-8")
    code, err = run("import", str(folder), "-o", str(tmp_path / "out"), "--from", "spreadsheet")
    assert code == 1
    assert err.splitlines()[:3] == [
        f"{folder / 'empty.csv'}: the file is empty; left out",
        f"{folder / 'fake.xlsx'}: cannot be read as a case table (.csv, .xlsx): it is not an "
        "Excel workbook (saved as .xls or .ods? save it as .xlsx)",
        f"{folder / 'tabs.csv'}: cannot be read as a case table (.csv, .xlsx): expected a column "
        "'kind' (and case, name, start, ...), found 'case', 'name'",
    ]
    (folder / "sub").mkdir()
    code, err = run("import", str(folder / "sub"), "-o", str(tmp_path / "out"))
    assert code == 1 and "no files to import in" in err
    code, err = run("import", str(folder), "-o", str(tmp_path / "out"), "--from", "spreadsheet")
    assert f"{folder / 'sub'}: a folder inside a source is not read; name it to import it" in err
    book = tmp_path / "book.xlsx"
    assert run("template", str(book))[0] == 0
    code, err = run("import", str(book), "-o", str(tmp_path / "out"))
    assert code == 1 and f"found no case, patient or subject with rows to import in {book}" in err
    assert "the 'example' sheet is only an example" not in err and "'example' is only an" in err


EXCEL = DATA / "excel"


def _imported(tmp_path: Path, name: str, text: str, *flags: str) -> tuple[Path, tuple[int, str]]:
    """A table of `text` written as in/`name` and imported into out/: its path, exit and err."""
    source = tmp_path / "in" / name
    source.parent.mkdir(exist_ok=True)
    source.write_text(text, encoding="utf-8")
    return source, run("import", str(source), "-o", str(tmp_path / "out"), *flags)


@pytest.mark.parametrize(
    ("source", "title", "day0", "treatments", "said"),
    [
        (
            "german-excel.csv",
            "NMOSD, behandelt mit Tocilizumab",
            dt.date(2021, 2, 1),
            [("Methylprednisolon", dt.date(2021, 2, 3)), ("Tocilizumab", dt.date(2021, 3, 14))],
            [
                "german-excel.csv: read as Western European text (cp1252), not UTF-8; if letters "
                "look wrong in the case files, name the file's encoding with --encoding",
                "german-excel.csv: columns start and end: dates read day first: '14.03.2021' can "
                "only be 2021-03-14",
            ],
        ),
        (
            "japanese-excel.csv",
            "トシリズマブで治療した視神経脊髄炎",
            dt.date(2019, 4, 1),
            [
                ("メチルプレドニゾロン", dt.date(2019, 4, 3)),
                ("プレドニゾロン", dt.date(2019, 4, 6)),
            ],
            [
                "japanese-excel.csv: read as Japanese text (cp932), not UTF-8; if letters look "
                "wrong in the case files, name the file's encoding with --encoding"
            ],
        ),
        (
            "unicode-text.txt",
            "Saved as Unicode text",
            dt.date(2020, 2, 14),
            [],
            [
                "unicode-text.txt: column start: dates read month first: '2/14/2020' can only be "
                "2020-02-14"
            ],
        ),
    ],
)
def test_spreadsheets_saved_by_local_excel_import_as_the_cases_they_hold(
    tmp_path: Path,
    source: str,
    title: str,
    day0: dt.date,
    treatments: list[tuple[str, dt.date]],
    said: list[str],
) -> None:
    """German Excel's CSV (cp1252, semicolons, 01.02.2021), Japanese Excel's (cp932, 2019/04/01
    and 2019年4月6日) and Excel's "Unicode text" (UTF-16, tabs) import whole, every date in its
    order, and the summary says how the file was read; none of that is a problem (exit 0)."""
    code, err = run("import", str(EXCEL / source), "-o", str(tmp_path / "out"), "--keep-dates")
    assert code == 0, err
    assert [line for line in err.splitlines() if line.startswith(str(EXCEL))] == [
        f"{EXCEL / line}" for line in said
    ]
    (written,) = (tmp_path / "out").glob("*.yaml")
    case = load_case(written)
    assert case.title == title and case.day0.date is not None and case.day0.date.date == day0
    assert [(t.drug, t.start.date if t.start else None) for t in case.treatments] == treatments
    if source == "german-excel.csv":  # (a time of day after the date is no problem)
        assert [e.at.date for e in case.events] == [dt.date(2021, 2, 1), dt.date(2021, 11, 28)]
        temperature = case.measurements[0]
        assert [(p.value, p.time.date) for p in temperature.points] == [
            (38.4, dt.date(2021, 2, 1)), (37.9, dt.date(2021, 2, 2))
        ]  # fmt: skip


def test_dates_whose_order_nothing_shows_are_an_error_until_the_order_is_named(
    tmp_path: Path,
) -> None:
    """01/02/2021 is 1 February in London and 2 January in New York: without a day above 12,
    --date-order or a form that only one order uses, the file is refused with the choice to
    make, never guessed; named, it is read that way and the summary says so."""
    table = "case,kind,name,start,end\nx,relapse,a,01/02/2021,\nx,drug,b,03/04/2021,05/06/2021\n"
    source, (code, err) = _imported(tmp_path, "slashes.csv", table)
    assert code == 1 and err.splitlines()[0] == (
        f"{source}: cannot be read as a case table (.csv, .xlsx): columns start and end: dates "
        "such as '01/02/2021' can be read day first or month first and no day above 12 shows "
        "which; name the order with --date-order dmy (day first) or --date-order mdy (month "
        "first)"
    )
    for order, first in (("dmy", dt.date(2021, 2, 1)), ("mdy", dt.date(2021, 1, 2))):
        out = tmp_path / order
        code, err = run("import", str(source), "-o", str(out), "--keep-dates",
                        "--date-order", order)  # fmt: skip
        assert code == 0, err
        assert (
            f"{source}: columns start and end: dates read" in err and f"--date-order {order}" in err
        )
        case = load_case(out / "x.yaml")
        assert case.events[0].at.date == first
    source.write_text("case,kind,name,start\nx,relapse,a,13/02/2021\nx,relapse,b,02/13/2021\n",
                      encoding="utf-8")  # fmt: skip
    code, err = run("import", str(source), "-o", str(tmp_path / "mixed"), "--date-order", "dmy")
    assert (
        code == 1
        and (
            "column start: '13/02/2021' can only be read day first and '02/13/2021' only month "
            "first; write the dates of one file in one order (or as 2021-02-01)"
        )
        in err
    )


def test_the_encoding_found_can_be_overridden(tmp_path: Path) -> None:
    """--encoding reads a file in the encoding named, with no note of a guess; a name Python
    does not know is refused before anything is read, and a file that is not in the encoding
    named says so."""
    out = tmp_path / "out"
    code, err = run("import", str(EXCEL / "japanese-excel.csv"), "-o", str(out),
                    "--encoding", "shift_jis")  # fmt: skip
    assert code == 0 and "read as" not in err
    assert load_case(out / "症例1.yaml").title == "トシリズマブで治療した視神経脊髄炎"
    code, err = run("import", str(EXCEL / "japanese-excel.csv"), "-o", str(out), "--encoding",
                    "klingon")  # fmt: skip
    assert code == 2 and "'klingon' is not an encoding Python knows" in err
    code, err = run("import", str(EXCEL / "japanese-excel.csv"), "-o", str(tmp_path / "o2"),
                    "--encoding", "utf-8")  # fmt: skip
    assert code == 1 and "it is not UTF-8 text (name its encoding with --encoding" in err


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_table_holds_no_formula_and_reads_back_what_was_written(
    tmp_path: Path, suffix: str
) -> None:
    """Text a spreadsheet would run as a formula (= + - @) is written as text: after an
    apostrophe in a CSV, as a text cell in a workbook; importing the table again gives back
    the text exactly as the case file had it."""
    case = tmp_path / "in" / "formulas.yaml"
    case.parent.mkdir()
    events = "".join(f"- {{at: day {n}, kind: note, label: {json.dumps(text)}}}\n"
                     for n, text in enumerate(FORMULAS))  # fmt: skip
    case.write_text(f"title: {json.dumps(FORMULAS[0])}\nsummary: {json.dumps(FORMULAS[1])}\n"
                    f"events:\n{events}", encoding="utf-8")  # fmt: skip
    table = tmp_path / f"t.{suffix}"
    assert run("table", str(case.parent), "-o", str(table))[0] == 0
    if suffix == "csv":
        with open(table, encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
        assert f"'{FORMULAS[0]}" in cells
    else:
        book = openpyxl.load_workbook(table)
        types = {cell.data_type for row in book["cases"].iter_rows() for cell in row}
        assert "f" not in types and FORMULAS[0] in _cells(table)[1]
    code, err = run("import", str(table), "-o", str(tmp_path / "out"))
    assert code == 0, err
    again = load_case(tmp_path / "out" / "formulas.yaml")
    assert (again.title, again.summary) == (FORMULAS[0], FORMULAS[1])
    assert [event.label for event in again.events] == FORMULAS


def test_table_and_template_never_write_through_a_symbolic_link(tmp_path: Path) -> None:
    """A link pointing nowhere does not 'exist', yet writing to it creates its target."""
    target = tmp_path / "elsewhere" / "planted.csv"
    target.parent.mkdir()
    for name, command in (("t.csv", ["table", str(TIMELINES)]), ("t.xlsx", ["template"])):
        link = tmp_path / name
        link.symlink_to(target.with_suffix(link.suffix))
        code, err = run(*command[:1], *command[1:], *(["-o"] if command[0] == "table" else []),
                        str(link))  # fmt: skip
        assert code == 1 and f"{link} is a symbolic link; refusing to write through it" in err
        assert not target.with_suffix(link.suffix).exists()


def _essence(value: object) -> object:
    """A case as what it says: times as their day, date, precision and ~ (a time written 59
    and one written 'day 59' say the same), every other field as it is."""
    if isinstance(value, Time):
        return (round(value.day, 6), value.date, value.approx, value.precision != "relative")
    if isinstance(value, BaseModel):
        return {name: _essence(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, tuple | list):
        return [_essence(item) for item in value]
    return value


def _through_table(cases: dict[str, str], tmp_path: Path, suffix: str) -> dict[str, Case]:
    """Case files -> `table` -> `import --keep-dates` -> the cases read back, by file name."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, text in cases.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    table = tmp_path / f"table.{suffix}"
    code, err = run("table", str(folder), "-o", str(table))
    assert code == 0, err
    code, err = run("import", str(table), "-o", str(tmp_path / "out"), "--keep-dates")
    assert code == 0, err
    return {path.stem: load_case(path) for path in (tmp_path / "out").glob("*.yaml")}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_case_to_table_to_case_gives_back_every_field(tmp_path: Path, suffix: str) -> None:
    """Every key of every case in timelines/ (the citation's DOI, PMID, figure and note, the
    axis, a measurement's range and style, teaching objectives, ...) comes back from the
    table, as the header's 'Left out: nothing counted' says."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in CASE_FILES}
    back = _through_table(texts, tmp_path, suffix)
    assert sorted(back) == sorted(texts)
    for name in texts:
        assert _essence(back[name]) == _essence(load_case(TIMELINES / f"{name}.yaml")), name
    header = (tmp_path / "out" / f"{CASE_FILES[0].stem}.yaml").read_text(encoding="utf-8")
    assert "# Left out: nothing counted;" in header


@settings(max_examples=30)
@given(cases(), st.sampled_from(["csv", "xlsx"]))
def test_generated_cases_go_through_the_table_and_back_unchanged(
    data: dict[str, Any], suffix: str
) -> None:
    """Cases this project never saw, in every timing form and with text of any script, come
    back from case -> table -> case as they went in, and their table from table -> case ->
    table cell for cell. (A table names a treatment by its row: two treatments alike in
    every column but their times are one treatment's courses, and names a diagnosis once, so
    the cases drawn here keep their treatments, measurements and diagnoses apart.)"""
    drugs = [(t["drug"].strip(), t.get("kind", "drug")) for t in data["treatments"]]
    series = [(m["name"].strip(), m.get("unit")) for m in data["measurements"]]
    assume(len(set(drugs)) == len(drugs) and len(set(series)) == len(series))
    assume(any(data[key] for key in ("treatments", "events", "measurements", "periods")))
    assume(len(set(data.get("diagnoses", []))) == len(data.get("diagnoses", [])))
    with tempfile.TemporaryDirectory() as folder:
        tmp_path = Path(folder)
        original = parse_case(as_yaml(data))
        (back,) = _through_table({"generated": as_yaml(data)}, tmp_path, suffix).values()
        assert _essence(back) == _essence(original)
        again = tmp_path / f"again.{suffix}"
        assert run("table", str(tmp_path / "out"), "-o", str(again))[0] == 0
        assert _cells(again) == _cells(tmp_path / f"table.{suffix}")


def test_no_date_is_kept_in_any_text_when_dates_are_not_kept(tmp_path: Path) -> None:
    """Exact dates were kept in abbr, class, lane, unit and the day-0 label under a header
    saying that times are days from day 0; every text of a row, `more` too, is looked at."""
    source = tmp_path / "in" / "dated.csv"
    source.parent.mkdir()
    rows = [
        "case,kind,name,abbr,class,lane,start,end,unit,value,more",
        "d,day0,Admission 2015-03-02,,,,2015-03-02,,,,",
        "d,drug,tocilizumab,TCZ 2015-04-01,started 2015-04-01,lane 2015-04-01,2015-04-01,"
        "2015-05-01,,,",
        "d,measurement,CRP,,,,2015-04-02,,mg/L since 2015-04-02,5,",
        'd,title,Dated,,,,,,,,"{source: {note: seen 2015-04-03}, patient: {note: 2015-04-04}}"',
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "d.yaml").read_text(encoding="utf-8")
    assert not re.search(r"20\d\d-\d\d", text), text
    case = load_case(tmp_path / "out" / "d.yaml")
    assert case.day0.label == "Admission day 0" and case.treatments[0].abbr == "TCZ day 30"
    assert case.source is not None and case.source.note == "seen day 32"


def test_a_ragged_row_costs_only_itself(tmp_path: Path) -> None:
    """A row with more cells than the header (a comma inside an unquoted cell) lost the whole
    file; it is reported with its line, and the other rows are imported."""
    table = "case,kind,name,start\nx,title,X,\nx,relapse,myelitis, spinal,day 1\n"
    table += "x,relapse,optic neuritis,day 2\n"
    source, (code, err) = _imported(tmp_path, "ragged.csv", table)
    assert code == 1 and err.splitlines()[0] == (
        f"{source}:3: expected 4 cells as the header has, found 5; left out (a separator "
        "inside a cell? quote the cell)"
    )
    assert [e.label for e in load_case(tmp_path / "out" / "x.yaml").events] == ["optic neuritis"]


def test_a_ragged_row_is_named_by_its_line_and_counted_in_its_case(tmp_path: Path) -> None:
    """After a cell holding a line break, or a blank line, the ragged row's line was given as
    its count of rows, and the rows after it were named one line too early; the row it
    costs was not counted in its case. Each row is named by the line it starts on."""
    table = 'case,kind,name,start\nx,title,"Two\nlines",\n\nx,relapse,myelitis, spinal,day 1\n'
    table += "x,relapse,optic neuritis,day 2\nx,relapse,brainstem,day three\n"
    source, (code, err) = _imported(tmp_path, "lines.csv", table)
    assert code == 1 and err.splitlines()[:2] == [
        f"{source}:5: expected 4 cells as the header has, found 5; left out (a separator "
        "inside a cell? quote the cell)",
        f"{source}:7: start: expected a time: a date (2012-10-15), a month (2012-10), "
        "'day 14', 'week -2', 'month 6', 'year 1.5' or a number of days; found 'day three'",
    ]
    text = (tmp_path / "out" / "x.yaml").read_text(encoding="utf-8")
    assert "# Left out: rows with problems, reported (2);" in text
    case = load_case(tmp_path / "out" / "x.yaml")
    assert case.title == "Two\nlines" and [e.label for e in case.events] == ["optic neuritis"]


def test_a_true_or_time_of_day_cell_costs_only_its_row(tmp_path: Path) -> None:
    """A workbook's TRUE in start became day 1, and a time-of-day cell lost the workbook."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    sheet.append(["case", "kind", "name", "start"])
    sheet.append(["x", "relapse", "myelitis", True])
    sheet.append(["x", "relapse", "optic neuritis", dt.time(14, 30)])
    sheet.append(["x", "relapse", "brainstem", dt.datetime(2015, 4, 2)])
    source = tmp_path / "cells.xlsx"
    book.save(source)
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{source}:2: start: expected a time (a date, day 14, ...), found TRUE",
        f"{source}:3: start: expected a time (a date, day 14, ...), found the time of day 14:30:00",
    ]
    assert [e.label for e in load_case(tmp_path / "out" / "x.yaml").events] == ["brainstem"]


def test_text_too_long_for_a_case_is_cut_and_counted(tmp_path: Path) -> None:
    """Text over 4000 characters (an abbreviation over 40) was cut without a word."""
    source = tmp_path / "in" / "long.csv"
    source.parent.mkdir()
    source.write_text(f"case,kind,name,abbr,start,detail\nx,relapse,myelitis,{'A' * 50},day 1,"
                      f"{'word ' * 1000}\n", encoding="utf-8")  # fmt: skip
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "x.yaml").read_text(encoding="utf-8")
    assert "# Left out: texts longer than 4000 characters (abbreviations 40), cut (1)" in text
    (event,) = load_case(tmp_path / "out" / "x.yaml").events
    assert event.detail is not None and len(event.detail) == 4000 and event.detail[-1] == "…"


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    """The same file named twice (or as itself and in its folder) doubled every row."""
    source = tmp_path / "in" / "cases.csv"
    source.parent.mkdir()
    source.write_text("case,kind,name,start\nx,relapse,myelitis,day 1\n", encoding="utf-8")
    code, err = run("import", str(source), str(source.parent), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert f"{source}: named more than once; read once" in err.splitlines()
    assert len(load_case(tmp_path / "out" / "x.yaml").events) == 1


def test_a_copy_or_another_link_to_a_file_is_read_once(tmp_path: Path) -> None:
    """A second link to a file (a hard link) or a copy of it ('copy of cases.csv', saved
    twice) doubled every row; each is read once, and the summary says which was not read."""
    folder = tmp_path / "in"
    folder.mkdir()
    source = folder / "cases.csv"
    source.write_text("case,kind,name,start\nx,relapse,myelitis,day 1\n", encoding="utf-8")
    (folder / "copy of cases.csv").write_bytes(source.read_bytes())
    linked = tmp_path / "linked.csv"
    linked.hardlink_to(source)
    other = folder / "other.csv"  # (as long as the others, not the same)
    other.write_text("case,kind,name,start\nx,relapse,optic,day 9\n", encoding="utf-8")
    code, err = run("import", str(folder), str(linked), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert err.splitlines()[:2] == [
        f"{folder / 'copy of cases.csv'}: the same bytes as {source}; read once (a copy: its "
        "rows would count twice)",
        f"{linked}: named more than once; read once",
    ]
    case = load_case(tmp_path / "out" / "x.yaml")
    assert sorted(e.label for e in case.events) == ["myelitis", "optic"]


def test_a_workbook_too_large_inside_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A small workbook may unpack to a huge sheet (500 MB in one cell took 1.1 GB) or hold
    millions of rows: it is refused with what to do, quickly; other files are still read."""
    from dashboard.importers.workbook import MAX_ROWS, MAX_UNPACKED

    bomb = tmp_path / "in" / "bomb.xlsx"
    bomb.parent.mkdir()
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as packed,
        packed.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(MAX_UNPACKED // (1 << 20) + 1):
            member.write(b"A" * (1 << 20))
    rows = tmp_path / "in" / "rows.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(["case", "kind", "name", "start"])
    for _ in range(MAX_ROWS + 1):
        sheet.append(["x"])
    book.save(rows)
    (tmp_path / "in" / "good.csv").write_text("case,kind,name,start\ng,relapse,a,day 1\n")
    code, err = run("import", str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert code == 1
    assert (
        f"{bomb}: cannot be read as a case table (.csv, .xlsx): the workbook unpacks to 101 MB, "
        "more than the 100 MB read; save its 'cases' sheet as .csv"
    ) in err.splitlines()
    assert (
        f"{rows}: cannot be read as a case table (.csv, .xlsx): sheet 'cases' holds more than "
        "200,000 rows; split the cases over several workbooks (rows of one case may be spread "
        "over them)"
    ) in err.splitlines()
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["g.yaml"]


def test_a_placeholder_date_costs_only_its_row(tmp_path: Path) -> None:
    """Hospital exports write 0001-01-01 or 9999-12-31 for a date not known: one such row
    became day 0 or cost the whole case, with a message about a file never written."""
    source = tmp_path / "in" / "placeholders.csv"
    source.parent.mkdir()
    source.write_text("case,kind,name,start,end\nx,relapse,myelitis,2015-04-01,\n"
                      "x,drug,rituximab,2015-04-03,9999-12-31\nx,diagnosis,old,0001-01-01,\n"
                      "x,relapse,optic neuritis,2015-06-01,\n", encoding="utf-8")  # fmt: skip
    code, err = run("import", str(source), "-o", str(tmp_path / "out"), "--keep-dates")
    assert code == 0, err
    text = (tmp_path / "out" / "x.yaml").read_text(encoding="utf-8")
    assert (
        "rows dated centuries from the others (0001-01-01, 9999-12-31: a date not known?) (2)"
        in text
    )
    case = load_case(tmp_path / "out" / "x.yaml")
    assert case.day0.date is not None and str(case.day0.date.date) == "2015-04-01"
    assert [e.label for e in case.events] == ["myelitis", "optic neuritis"]
