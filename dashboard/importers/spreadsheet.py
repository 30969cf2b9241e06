"""The long table (.csv, .xlsx): read it into patients, write cases into it, write its template."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import functools
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import yaml
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from dashboard.cells import book_cell, inert_frame, read_back
from dashboard.importers.build import (
    ImportRefused,
    check_time,
    in_days,
    is_ongoing,
    order_problem,
    plain,
)
from dashboard.importers.rows import (
    COLUMNS,
    EVENT_ROW,
    KINDS,
    ROW_EVENT,
    Reading,
    Row,
    SourcePatient,
    no_cycle_search,
    text_encoding,
    unreadable,
)
from dashboard.importers.workbook import SHEET, Sheet, read_sheet
from dashboard.load import read_mapping
from dashboard.model import EVENT_KINDS, Case, Time, format_number, read_number
from dashboard.model.case import TREATMENT_KINDS
from dashboard.model.localdates import DateOrder, LocalDate, column_order, local_date
from dashboard.model.times import parse_calendar
from dashboard.problems import InvalidCase, output_suffix, writing

NEEDS_START = ("measurement", "period", "step", *TREATMENT_KINDS, *EVENT_KINDS, *ROW_EVENT)
NAMELESS = ("summary", "step", "age", "day0", *EVENT_KINDS, *ROW_EVENT)
_FIELDS = {"class": "klass"}
_ROW_COLUMNS = frozenset(tuple(COLUMNS)[2:])  # all but case and kind
# the text columns in the order of `Row`'s fields, with value between unit and detail
_TEXTS: tuple[str, ...] = ("name", "abbr", "class", "lane", "every", "dose", "unit")
_TEXTS += ("detail", "note", "source", "question")
_NEEDS_NAME = frozenset(KINDS) - frozenset(NAMELESS)
_NEEDS_START = frozenset(NEEDS_START) - {"diagnosis"}
_NUMERIC = frozenset(("measurement", *TREATMENT_KINDS))


def read_table(
    path: Path, problems: list[str], reading: Reading | None = None
) -> dict[str, SourcePatient]:
    """Read a spreadsheet's rows into patients by case name; bad rows go to `problems`."""
    reading = reading or Reading()
    sheet, separator = _frame(path, reading)
    frame = sheet.frame
    columns = {str(column).strip().lower(): column for column in frame.columns}
    if "kind" not in columns:
        raise ImportRefused(
            "expected a column 'kind' (and case, name, start, ...), found "
            + (", ".join(repr(str(c)) for c in frame.columns) or "no columns")
        )
    unknown = [name for name in columns if name not in COLUMNS and not name.startswith("unnamed")]
    for name in unknown:
        near = difflib.get_close_matches(name, COLUMNS, n=1)
        hint = f"did you mean {near[0]!r}?" if near else f"known: {', '.join(COLUMNS)}"
        problems.append(
            f"{path}:1: column {name!r} is not a column of the table ({hint}); left out"
        )
    names = [str(column).strip().lower() for column in frame.columns]
    # one plain list per column, cleaned once: far cheaper than a step per cell of each row
    cleaned = [_column(values) for values in frame.to_numpy(dtype=object).T]
    _local_dates(path, names, cleaned, reading, separator)
    return _patients(path, names, cleaned, problems, sheet)


_TIMES = ("start", "end")


def _local_dates(
    path: Path,
    names: list[str],
    columns: list[tuple[list[Any], bool]],
    reading: Reading,
    separator: str,
) -> None:
    """Write the local dates of the time columns (01.02.2021, 2019/04/01, 2019年4月1日) as the
    case format's dates, in the order their content shows, --date-order names or the file's
    language implies; a note says which order was used."""
    at = [index for index, name in enumerate(names) if name in _TIMES]
    texts = dict.fromkeys(cell for index in at for cell in columns[index][0] if type(cell) is str)
    local = {cell: found for cell in texts if (found := local_date(cell)) is not None}
    if not local:
        return
    usual: tuple[DateOrder, str] | None = None
    if any("." in cell for cell, found in local.items() if not found.year_first):
        usual = ("dmy", "as dates written with dots are day first")
    elif separator == ";":
        usual = ("dmy", "as Excel writes them where it separates CSV by semicolons")
    shown = " and ".join(names[index] for index in at)
    where = f"column{'s' * (len(at) > 1)} {shown}"
    chosen = column_order(local, reading.date_order, usual, where)
    for index in at:
        values, text_only = columns[index]
        columns[index] = (
            [_iso(cell, local, chosen.order) if type(cell) is str else cell for cell in values],
            text_only,
        )
    if chosen.order is not None:
        reading.notes.append(f"{path}: {where}: dates read {chosen.said}")


def _iso(cell: str, local: dict[str, LocalDate], order: DateOrder | None) -> str:
    """A local date as the case format writes it; anything else (and a date no day or month
    can be, reported with its row) as written."""
    found = local.get(cell)
    if found is None:
        return cell
    return found.iso(order or "ymd") or cell


def _patients(
    path: Path,
    names: list[str],
    columns: list[tuple[list[Any], bool]],
    problems: list[str],
    sheet: Sheet,
) -> dict[str, SourcePatient]:
    """Rows by case name. A row that passes every check becomes a `Row` at once; the others
    (and empty lines) take the cell-by-cell path of `_row`, which says what is wrong; a row
    the sheet could not read (a formula with no value saved, a ragged line) is reported with
    why, and left out, counted in its case."""
    unread = sheet.unread
    patients: dict[str, SourcePatient] = {}
    at = {name: index for index, name in enumerate(names)}  # of duplicate names, the last wins
    width = len(columns[0][0]) if columns else 0
    blank: list[Any] = [None] * width

    def column(name: str) -> list[Any]:
        if name not in at:
            return blank
        values, text_only = columns[at[name]]
        if text_only or name in ("case", "kind", "start", "end", "value", "more"):
            return values
        return [value if value is None or type(value) is str else _text(value) for value in values]

    no_name = "name" not in at  # a table without the column gives its rows the name ''
    for index, (
        number,
        (
            case,
            raw,
            start,
            end,
            value,
            name,
            abbr,
            klass,
            lane,
            every,
            dose,
            unit,
            detail,
            note,
            source,
            question,
            written,
        ),
    ) in enumerate(
        zip(
            sheet.lines,
            zip(
                *(column(field) for field in ("case", "kind", "start", "end", "value", *_TEXTS)),
                column("more"),
                strict=True,
            ),
            strict=True,
        )
    ):
        kind = _kind(raw) if type(raw) is str else None
        row = None
        if kind is not None:
            value = _converted(kind, value)  # (once: `_fine` takes the number as it is)
        more = _more(written) if written is not None else None
        if (
            kind is not None
            and number not in unread
            and not isinstance(more, str)
            and _fine(kind, name, start, end, value, every)
        ):
            row = Row(
                kind,
                name="" if no_name else name,
                start=start,
                end=end,
                abbr=abbr,
                klass=klass,
                lane=lane,
                every=every,
                dose=dose,
                unit=unit,
                value=value,
                detail=detail,
                note=note,
                source=source,
                question=question,
                more=more,
                origin="row",
            )
        else:
            cells = {name: values[index] for name, (values, _) in zip(names, columns, strict=True)}
            if not any(value is not None for value in cells.values()) and number not in unread:
                continue  # an empty line between blocks
            if number in unread:
                problems.append(f"{path}:{number}: {unread[number]}")
                row = None
            else:
                row = _row(cells, f"{path}:{number}", problems)
            case = cells.get("case")
        case = case if type(case) is str else str(case or path.stem)
        patient = patients.get(case) or patients.setdefault(case, SourcePatient(case, name=case))
        if row is None:
            patient.drop("rows with problems, reported")
        elif row.kind == "day0":
            patient.day0_label = row.name or None
            if isinstance(row.start, dt.date):
                patient.day0 = row.start
            elif isinstance(row.start, str) and row.start.strip():
                patient.day0 = parse_calendar(row.start.strip().lstrip("~").strip())[0]
                patient.day0_text = row.start.strip()
        else:
            patient.rows.append(row)
    return patients


def read_tables(
    paths: list[Path], problems: list[str], reading: Reading | None = None
) -> dict[str, SourcePatient]:
    """Read several spreadsheets; rows of one case may be spread over them."""
    patients: dict[str, SourcePatient] = {}
    for path in paths:
        try:
            with no_cycle_search():
                found = read_table(path, problems, reading)
        except Exception as error:  # one unreadable file never stops the others
            problems.append(unreadable(path, "a case table (.csv, .xlsx)", error))
            continue
        for key, patient in found.items():
            if key not in patients:
                patients[key] = patient
                continue
            patients[key].rows += patient.rows
            patients[key].dropped += patient.dropped
            patients[key].day0 = patients[key].day0 or patient.day0
            patients[key].day0_text = patients[key].day0_text or patient.day0_text
            patients[key].day0_label = patients[key].day0_label or patient.day0_label
    return patients


def _frame(path: Path, reading: Reading) -> tuple[Sheet, str]:
    """The file's cells with the line or row of each, and the separator of a text file ('' for
    a workbook)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = read_sheet(path)
        reading.notes += sheet.notes
        return sheet, ""
    encoding = text_encoding(path, reading)
    with open(path, encoding=encoding, newline="") as handle:
        first = handle.readline()
    # Excel's CSV where the comma is a decimal has semicolons; its "Unicode text" has tabs
    separator = max(",;\t", key=first.count)
    sheet = _text_table(path, encoding, separator)
    if separator == ";":
        frame = sheet.frame
        values = [column for column in frame.columns if str(column).strip().lower() == "value"]
        for column in values:
            frame[column] = frame[column].str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
    return sheet, separator


MAX_CELL = 16 * 1024 * 1024  # characters of one cell of a text file, at most


def _text_table(path: Path, encoding: str, separator: str) -> Sheet:
    """A text file's rows with the line each starts on (a quoted cell may hold line breaks;
    blank lines are passed over). A row with more cells than the header has (a separator
    inside an unquoted cell) is kept only to be reported and counted in its case."""
    limit = csv.field_size_limit(MAX_CELL)  # (the module's 128 KB: a long note is no error)
    try:
        with open(path, encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=separator)
            header = [cell or f"Unnamed: {index}" for index, cell in enumerate(next(reader, []))]
            width, case = len(header), _case_column(header)
            rows: list[list[str]] = []
            sheet = Sheet("", pd.DataFrame())
            begins = reader.line_num + 1
            for cells in reader:
                line, begins = begins, reader.line_num + 1
                if not any(cells):
                    continue
                if len(cells) > width:
                    sheet.unread[line] = (
                        f"expected {width} cells as the header has, found {len(cells)}; left "
                        "out (a separator inside a cell? quote the cell)"
                    )
                    cells = [cells[i] if i == case else "" for i in range(width)]
                rows.append(cells + [""] * (width - len(cells)))
                sheet.lines.append(line)
    except csv.Error as error:
        raise ImportRefused(f"line {reader.line_num}: {error}") from None
    finally:
        csv.field_size_limit(limit)
    sheet.frame = pd.DataFrame(rows, columns=header, dtype=object)
    return sheet


def _case_column(header: list[str]) -> int | None:
    """Where the case column is (of duplicate names, the last, as the rows read it)."""
    found = [index for index, name in enumerate(header) if name.strip().lower() == "case"]
    return found[-1] if found else None


# '37,5' and '~ 1200,75' in a value cell of a semicolon-separated file; a dot is left alone
# (one way only to read the spaces: '\s*~?\s*' had as many as a long run of spaces has
# pairs of places, and a 30 KB cell took most of a minute)
_DECIMAL_COMMA = re.compile(r"^(\s*(?:~\s*)?[+-]?\d+),(\d+\s*)$")


def _column(values: Any) -> tuple[list[Any], bool]:
    """A column's cells (an object array) cleaned as `_cell` cleans them, and whether they are
    all text. Each distinct cell is looked at once: a column repeats few values."""
    distinct = set(values)
    if any(type(value) is not str for value in distinct):  # a workbook's numbers and dates
        return [_cell(value) for value in values], False
    # a .csv holds nothing but text ('=x' written as "'=x" by the formula guard)
    changed = {
        value for value in distinct if not value or value.strip() != value or value[0] == "'"
    }
    if changed <= {""}:  # nothing to strip: blanks become None in one step
        values = values.copy()
        values[values == ""] = None
        return values.tolist(), True
    return [read_back(value.strip()) or None for value in values], True


@functools.lru_cache(maxsize=1024)
def _kind(raw: str) -> str | None:
    """The kind a row's kind cell names, or None when it names none (`_row` says so)."""
    kind = raw.lower().replace("_", "-").replace(" ", "-")
    return kind if kind in KINDS else None


def _fine(kind: str, name: Any, start: Any, end: Any, value: Any, every: Any) -> bool:
    """Whether a row of a known kind passes every check `_row` makes."""
    if not name and kind in _NEEDS_NAME:
        return False
    if start is None:
        if kind in _NEEDS_START:
            return False
    elif check_time(start) is not None:
        return False
    if end is None:
        if every is not None and kind in TREATMENT_KINDS:
            return False
    elif not is_ongoing(end):
        if check_time(end) is not None:
            return False
        if start is not None and order_problem(start, end) is not None:
            return False
    if value is None:
        return kind != "measurement"
    if type(value) is bool:
        return False
    return kind not in _NUMERIC or type(value) is float or _number(value) is not None


def _number(value: Any) -> float | None:
    """A cell's number ('~8600' and '1,200' read as numbers), or None when it holds none."""
    try:
        return read_number(str(value).strip().lstrip("~").strip())
    except ValueError:
        return None


def _not_a_number(value: Any) -> str:
    """Why a value cell is not a number (a comma says more than the rest)."""
    if "," in str(value):
        try:
            read_number(str(value).strip().lstrip("~").strip())
        except ValueError as error:
            return str(error).replace("expected a number", "expected a number (~ allowed)", 1)
    return f"expected a number (~ allowed), found {value!r}"


def _converted(kind: str, value: Any) -> Any:
    """A value cell as its row keeps it: its number, else its text (a word on an event's
    row); an age and an approximate '~8600' stay as written, for the case file to read."""
    if type(value) is not str or kind == "age" or value.startswith("~"):
        return value
    number = _number(value)
    return value if number is None else number


def _cell(value: Any) -> Any:
    if type(value) is str:  # the common case first: a .csv holds nothing else
        return value.strip() or None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _row(cells: dict[str, Any], at: str, problems: list[str]) -> Row | None:
    kind = str(cells.get("kind") or "").lower().replace("_", "-").replace(" ", "-")
    if kind not in KINDS:
        near = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else f"; one of {', '.join(KINDS)}"
        problems.append(f"{at}: kind: expected the kind of row, found {kind or 'nothing'!r}{hint}")
        return None
    found: list[str] = []
    if not cells.get("name") and kind not in NAMELESS:
        found.append(f"name: a {kind} row needs a name")
    if cells.get("start") is None and kind in NEEDS_START and kind != "diagnosis":
        found.append(f"start: a {kind} row needs a start (a date, day 14, ...)")
    for column in ("start", "end"):
        value = cells.get(column)
        if column == "end" and is_ongoing(value):
            continue
        if value is not None and (message := check_time(value)):
            found.append(f"{column}: {message}")
    start, end = cells.get("start"), cells.get("end")
    if not found and start is not None and end is not None and not is_ongoing(end):
        found += [f"end: {message}"] if (message := order_problem(start, end)) else []
    if cells.get("every") is not None and end is None and kind in TREATMENT_KINDS:
        found.append("every: repeated dosing needs an end (a date, day 90, ...) or 'ongoing'")
    value = cells.get("value")
    if isinstance(value, bool):  # (a tick box: no number, age or word of the row)
        found.append(f"value: expected a number or a word, found {str(value).upper()}")
    elif value is not None and kind in _NUMERIC and _number(value) is None:
        found.append(f"value: {_not_a_number(value)}")
    if kind == "measurement" and value is None:
        found.append("value: a measurement row needs a value")
    more = _more(cells["more"]) if cells.get("more") is not None else None
    if isinstance(more, str):
        found.append(f"more: {more}")
    if found:
        problems.extend(f"{at}: {message}" for message in found)
        return None
    fields: dict[str, Any] = {
        _FIELDS.get(name, name): value if value is None or type(value) is str else _text(value)
        for name, value in cells.items()
        if name in _ROW_COLUMNS
    }
    fields["kind"] = kind
    fields["start"], fields["end"] = cells.get("start"), cells.get("end")
    fields["value"] = _converted(kind, value)
    fields["more"] = more
    return Row(**fields, origin="row")


@functools.lru_cache(maxsize=1024)
def _more(written: Any) -> dict[str, Any] | str:
    """A `more` cell's keys, read as a case file's are; or what is wrong with it."""
    try:
        data, _ = read_mapping(str(written), "more", "write keys such as {scale: log}")
    except InvalidCase as invalid:
        return invalid.errors[0].message
    if any(type(key) is not str for key in data):
        return f"expected keys of the case format, found {written!r}"
    return data


def _text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format_number(float(value))
    return str(value)


def case_rows(name: str, case: Case) -> Iterable[dict[str, Any]]:
    """One case in the table's layout, row by row: every key of the case format, those
    without a column of their own in `more`."""

    def row(kind: str, more: dict[str, Any] | None = None, /, **cells: Any) -> dict[str, Any]:
        cells["more"] = _more_text(more)
        return {"case": name, "kind": kind} | {k: v for k, v in cells.items() if v is not None}

    def time(value: Time | None) -> str | None:  # (59 as 'day 59', as import writes it)
        return in_days(value.text) if value is not None else None

    def number(value: float, approx: bool) -> float | str:  # (every digit: 0.87, not 0.9)
        if approx or float(f"{value:.15g}") != value:  # (a workbook keeps 15 digits of a number)
            return f"{'~' * approx}{plain(value)!r}"
        return plain(value)  # type: ignore[no-any-return]

    source = case.source
    own = {
        "source": _some(source, "doi", "pmid", "figure", "url", "note") if source else None,
        "patient": _some(case.patient, "note") if case.patient else None,
        "axis": _some(case.axis, "unit", "from_", "to"),
        "teaching": {"objectives": list(objectives)}
        if (objectives := case.teaching.objectives)
        else None,
    }
    yield row("title", own, name=case.title)
    if case.summary:
        yield row("summary", detail=case.summary)
    if source is not None and source.citation:
        yield row("citation", name=source.citation)
    if case.patient is not None:
        if case.patient.age is not None:
            yield row("age", value=plain(case.patient.age))
        if case.patient.sex is not None:
            yield row("sex", name=case.patient.sex)
    for diagnosis in case.diagnoses:
        yield row("diagnosis", name=diagnosis)
    if case.day0.date is not None or case.day0.label != "Day 0":
        yield row("day0", name=case.day0.label, start=time(case.day0.date))
    if case.follow_up is not None:
        yield row("follow-up", start=time(case.follow_up))
    for t in case.treatments:
        common = {"name": t.drug, "abbr": t.abbr, "class": t.class_, "lane": t.lane}
        common |= {"dose": t.dose, "unit": t.unit, "note": t.note, "source": t.source}
        more = _some(t, "color")
        if t.doses:
            last = len(t.doses) - 1
            for index, step in enumerate(t.doses):
                dose = number(step.dose, step.dose_approx)
                end = time(t.end) if index == last else None
                yield row(t.kind, more, **common, start=time(step.at), end=end, value=dose,
                          detail=step.note)  # fmt: skip
        elif t.given:
            for given in t.given:
                yield row(t.kind, more, **common, start=time(given))
        else:
            end = "ongoing" if t.ongoing else time(t.end)
            yield row(t.kind, more, **common, start=time(t.start), end=end, every=_every(t.every))
    for e in case.events:
        cells = {"name": e.label, "detail": e.detail, "note": e.note, "source": e.source}
        yield row(EVENT_ROW.get(e.kind, e.kind), _some(e, "image", "marker", "color"),
                  start=time(e.at), end=time(e.end), **cells)  # fmt: skip
    for m in case.measurements:
        more = _some(m, "scale", "normal", "range", "style", "panel", "color")
        for at, (value, approx) in m.values:
            cells = {"abbr": m.abbr, "unit": m.unit, "note": m.note, "source": m.source}
            yield row("measurement", more, name=m.name, start=time(at),
                      value=number(value, approx), **cells)  # fmt: skip
    for p in case.periods:
        yield row("period", _some(p, "color"), name=p.label, start=time(p.from_), end=time(p.to),
                  note=p.note)  # fmt: skip
    for s in case.teaching.steps:
        cells = {"question": s.question, "detail": s.answer, "note": s.note}
        yield row("step", name=s.title, start=time(s.at), **cells)


def _some(item: Any, *names: str) -> dict[str, Any] | None:
    """The keys of `item` among `names` that are set otherwise than by default, as a case
    file writes them ('from' for from_), or None."""
    fields = type(item).model_fields
    found = {
        (fields[name].alias or name): value
        for name in names
        if (value := getattr(item, name)) is not None and value != fields[name].default
    }
    return {
        key: list(value) if isinstance(value, tuple) else value for key, value in found.items()
    } or None


def _more_text(more: dict[str, Any] | None) -> str | None:
    """The `more` cell: the keys as a case file writes them on one line."""
    more = {key: value for key, value in (more or {}).items() if value not in (None, [], {})}
    if not more:
        return None
    text = yaml.dump(more, Dumper=yaml.CSafeDumper, default_flow_style=True, allow_unicode=True,
                     sort_keys=False, width=1 << 30)  # fmt: skip
    return str(text).strip()


def _every(days: float | None) -> str | None:
    if days is None:
        return None
    for unit, length in (("years", 365.25), ("months", 30.4375), ("weeks", 7.0)):
        if days >= length and (days / length) == round(days / length, 4):
            count = days / length
            return f"{format_number(count)} {unit if count != 1 else unit[:-1]}"
    return f"{format_number(days)} days"


TABLE_FORMATS = ((".csv", ".xlsx"), "a table is written as .csv or .xlsx")


def write_table(cases: Sequence[tuple[str, Case]], path: Path) -> int:
    """Write cases to a .csv or .xlsx in the table's layout; the number of rows written."""
    suffix = output_suffix(path, *TABLE_FORMATS)
    records = [cells for name, case in cases for cells in case_rows(name, case)]
    if suffix == ".csv":
        frame = pd.DataFrame(records, columns=list(COLUMNS), dtype=object)
        # ('x': never over a file, nor through a symbolic link, even one pointing nowhere)
        with writing(path), open(path, "x", encoding="utf-8", newline="") as handle:
            inert_frame(frame).to_csv(handle, index=False)
    else:
        _write_book(path, {SHEET: records})
    return len(records)


def _write_book(path: Path, sheets: dict[str, list[dict[str, Any]]]) -> None:
    """Sheets of rows in the table's layout, streamed row by row (pandas' writer styled every
    cell and took half a minute for 50 000 rows), and the sheet that explains each column."""
    book = openpyxl.Workbook(write_only=True)
    for name, records in sheets.items():
        sheet = book.create_sheet(name)
        _widths(sheet)
        sheet.append([_bold(sheet, column) for column in COLUMNS])
        for record in records:
            sheet.append([book_cell(sheet, record.get(column)) for column in COLUMNS])
    explained = book.create_sheet("columns")
    explained.column_dimensions["A"].width = 12
    explained.column_dimensions["B"].width = 120
    explained.append([_bold(explained, "column"), _bold(explained, "what to write")])
    for name, text in COLUMNS.items():
        explained.append([name, text])
    # (as `write_table`'s CSV: never over or through a file)
    with writing(path), open(path, "xb") as handle:
        book.save(handle)


def _bold(sheet: Any, text: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell


EXAMPLE: list[dict[str, Any]] = [
    {"kind": "title", "name": "NMOSD treated with an IL-6 receptor antibody (illustrative)"},
    {"kind": "diagnosis", "name": "neuromyelitis optica spectrum disorder"},
    {"kind": "age", "value": 32},
    {"kind": "sex", "name": "female"},
    {"kind": "day0", "name": "NMOSD onset", "start": "2015-04-01"},
    {"kind": "relapse", "name": "optic neuritis", "start": "day 0", "detail": "Left eye, VA 0.1"},
    {"kind": "drug", "name": "methylprednisolone pulse", "abbr": "mPSL", "start": "day 2"},
    {"kind": "drug", "name": "methylprednisolone pulse", "abbr": "mPSL", "start": "~day 150"},
    {"kind": "drug", "name": "prednisolone", "abbr": "PSL", "unit": "mg/day", "start": "day 7"}
    | {"value": 60},
    {"kind": "drug", "name": "prednisolone", "abbr": "PSL", "unit": "mg/day", "start": "day 30"}
    | {"value": 40, "end": "month 12"},
    {"kind": "drug", "name": "azathioprine", "abbr": "AZT", "dose": "100 mg/day"}
    | {"start": "month 2", "end": "2016-03"},
    {"kind": "procedure", "name": "plasma exchange", "abbr": "PLEX", "start": "~day 152"}
    | {"end": "~day 160"},
    {"kind": "drug", "name": "tocilizumab", "abbr": "TCZ", "dose": "8 mg/kg"}
    | {"start": "2016-04", "end": "ongoing", "every": "4 weeks"},
    {"kind": "relapse", "name": "myelitis", "start": "~day 150"},
    {"kind": "imaging", "name": "spinal MRI", "start": "2015-09-20"}
    | {"detail": "Longitudinally extensive lesion C2-C7"},
    {"kind": "measurement", "name": "EDSS", "start": "day 0", "value": 3},
    {"kind": "measurement", "name": "EDSS", "start": "~day 150", "value": 6.5},
    {"kind": "measurement", "name": "Ferritin", "unit": "ng/mL", "start": "day 0", "value": 180},
    {"kind": "period", "name": "admission", "start": "~day 145", "end": "~day 175"},
]


def write_template(path: Path) -> None:
    """An empty case table with a filled example sheet and a sheet explaining each column."""
    output_suffix(path, (".xlsx",), "the template is a spreadsheet; name it .xlsx")
    example = [{"case": "example-nmosd"} | cells for cells in EXAMPLE]
    _write_book(path, {SHEET: [], "example": example})


def _widths(sheet: Any) -> None:
    for letter, width in zip(
        "ABCDEFGHIJKL", (18, 12, 30, 8, 16, 12, 12, 12, 10, 12, 10, 8), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
