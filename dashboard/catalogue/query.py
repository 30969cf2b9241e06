"""The index's two tables (cases, files with problems) as SQLite tables in memory, so that a
filtered, sorted block of rows costs a query with an index, not a pass over every file.

Each process keeps its own copy, brought up to date from the catalogue's entries by changed
rows only. Text matches as the filter box always has: every word of the query is found in
the row's text, anywhere (so `77` finds case 1077 and `TCZ` finds tocilizumab); column
filters take the shape the index's table sends them (`type`, `filter`, `filterTo`, or two
`conditions` joined by `operator`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dashboard.catalogue.entry import Entry
from dashboard.problems import CourseError

ERRORS_SHOWN = 8  # per file; the rest are counted
MOST_ROWS = 1000  # in one answer, whatever was asked
LAST_ROW = 2**31  # (SQLite takes no larger number of rows to skip)
CASES, PROBLEMS = "cases", "problems"

# For each column of a table: the value its filter looks at (text without regard to case)
# and the value it sorts by (the course by its length).
_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    CASES: {
        "title": ("title_key", "title_key"),
        "diagnoses": ("diagnoses_key", "diagnoses_key"),
        "day0": ("day0_key", "day0_key"),
        "course": ("course_key", "length"),
        "drugs": ("drugs", "drugs"),
        "relapses": ("relapses", "relapses"),
        "citation": ("citation_key", "citation_key"),
    },
    PROBLEMS: {
        "name": ("name_key", "name_key"),
        "count": ("count", "count"),
        "problems": ("problems_key", "problems_key"),
    },
}
_SCHEMA = {
    CASES: "id TEXT PRIMARY KEY, title TEXT, diagnoses TEXT, day0 TEXT, course TEXT, "
    "drugs INTEGER, relapses INTEGER, citation TEXT, title_key TEXT, diagnoses_key TEXT, "
    "day0_key TEXT, course_key TEXT, length REAL, citation_key TEXT, search TEXT",
    PROBLEMS: "name TEXT PRIMARY KEY, id TEXT, count INTEGER, problems TEXT, name_key TEXT, "
    "problems_key TEXT, search TEXT",
}
# What the browser gets of a row.
_SHOWN = {
    CASES: ("id", "title", "diagnoses", "day0", "course", "drugs", "relapses", "citation"),
    PROBLEMS: ("id", "name", "count", "problems"),
}
_TIE = {CASES: "id", PROBLEMS: "name"}  # the tables' own order, under any sort
_WAYS = {False: "ASC", True: "DESC"}
# A text filter as a LIKE pattern around its (casefolded, escaped) value, or an equality.
_TEXT_TESTS = {
    "contains": ("{c} LIKE ? ESCAPE '\\'", "%{}%"),
    "notContains": ("{c} NOT LIKE ? ESCAPE '\\'", "%{}%"),
    "startsWith": ("{c} LIKE ? ESCAPE '\\'", "{}%"),
    "endsWith": ("{c} LIKE ? ESCAPE '\\'", "%{}"),
    "equals": ("{c} = ?", None),
    "notEqual": ("{c} != ?", None),
}
_NUMBER_TESTS = {
    "equals": "{c} = ?",
    "notEqual": "{c} != ?",
    "greaterThan": "{c} > ?",
    "greaterThanOrEqual": "{c} >= ?",
    "lessThan": "{c} < ?",
    "lessThanOrEqual": "{c} <= ?",
}


def problem_text(entry: Entry) -> str:
    """The problems of a file, one a line, capped."""
    lines = [str(error) for error in entry.problems[:ERRORS_SHOWN]]
    more = len(entry.problems) - ERRORS_SHOWN
    if more > 0:
        lines.append(f"… and {more} more problems")
    return "\n".join(lines)


def _case_row(entry: Entry) -> tuple[Any, ...]:
    citation = (entry.citation + (f" doi: {entry.doi}" if entry.doi else "")).strip()
    return (
        entry.id,
        entry.title,
        entry.diagnoses,
        entry.day0,
        entry.course,
        entry.drugs,
        entry.relapses,
        citation,
        entry.title.casefold(),
        entry.diagnoses.casefold(),
        entry.day0.casefold(),
        entry.course.casefold(),
        entry.end - entry.start,
        citation.casefold(),
        entry.search,
    )


def _problem_row(entry: Entry) -> tuple[Any, ...]:
    shown = problem_text(entry)
    found = " ".join(f"{error.key} {error.message}" for error in entry.problems)
    return (
        entry.name,
        entry.id,
        len(entry.problems),
        shown,
        entry.name.casefold(),
        shown.casefold(),
        f"{entry.name} {found}".casefold(),
    )


class FilterRefused(CourseError):
    """A filter no table of the index sends (conditions within conditions, too many of
    them, a text too long): refused before it costs the query."""


class Tables:
    """The index's tables of one process; safe to use from many threads."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._rows: dict[str, dict[str, tuple[Any, ...]]] = {CASES: {}, PROBLEMS: {}}
        self._sorted: set[tuple[str, str, bool]] = set()  # the sorts with an index of their own
        for table, schema in _SCHEMA.items():
            self._db.execute(f"CREATE TABLE {table} ({schema})")

    def sync(self, cases: Iterable[Entry], invalid: Iterable[Entry]) -> None:
        """Make the tables hold these entries, writing only the rows that changed."""
        self._sync(CASES, {entry.id: _case_row(entry) for entry in cases})
        self._sync(PROBLEMS, {entry.name: _problem_row(entry) for entry in invalid})

    def _sync(self, table: str, rows: dict[str, tuple[Any, ...]]) -> None:
        old = self._rows[table]
        changed = [row for key, row in rows.items() if old.get(key) != row]
        gone = [(key,) for key in old.keys() - rows.keys()]
        if not changed and not gone:
            return
        marks = ", ".join("?" * len(changed[0] if changed else ()))
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(f"DELETE FROM {table} WHERE {_TIE[table]} = ?", gone)
            if changed:
                self._db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", changed)
            self._db.execute("COMMIT")
            self._rows[table] = rows

    def select(
        self,
        table: str,
        query: str = "",
        filters: Mapping[str, Any] | None = None,
        sort: Sequence[tuple[str, bool]] = (),
        start: int = 0,
        stop: int = 100,
    ) -> tuple[list[dict[str, Any]], int]:
        """Rows `start` to `stop` of a table filtered by the query's words and the column
        filters, sorted by (column, descending) pairs; and how many rows match in all."""
        columns = _COLUMNS[table]
        tests, params = ["1"], []
        if len(query) > LONGEST_FILTER:
            raise FilterRefused(f"a filter's text holds at most {LONGEST_FILTER} characters")
        for word in query.casefold().split():
            tests.append("search LIKE ? ESCAPE '\\'")
            params.append(f"%{_escaped(word)}%")
        for column, model in (filters or {}).items():
            if column in columns:
                test, values = _filter(columns[column][0], model)
                tests.append(test)
                params += values
        keys = [(columns[name][1], descending) for name, descending in sort if name in columns]
        order = [f"{key} {_WAYS[descending]}" for key, descending in keys]
        order.append(_TIE[table])  # ties in the table's own order, either way
        where = " AND ".join(tests)
        shown = ", ".join(_SHOWN[table])
        start = min(max(start, 0), LAST_ROW)
        stop = min(max(start, stop), start + MOST_ROWS)
        with self._lock:
            if keys and (table, *keys[0]) not in self._sorted:
                # An index for a column once it is sorted by, in that direction: sorted again,
                # its pages come straight from the index (made on first use, to start quick).
                key, descending = keys[0]
                name, way = f"{table}_{key}_{'desc' if descending else 'asc'}", _WAYS[descending]
                self._db.execute(f"CREATE INDEX {name} ON {table} ({key} {way}, {_TIE[table]})")
                self._sorted.add((table, *keys[0]))
            counted = self._db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params)
            (count,) = counted.fetchone()
            found = self._db.execute(
                f"SELECT {shown} FROM {table} WHERE {where} "
                f"ORDER BY {', '.join(order)} LIMIT ? OFFSET ?",
                [*params, stop - start, start],
            ).fetchall()
        return [dict(zip(_SHOWN[table], row, strict=True)) for row in found], int(count)


MOST_CONDITIONS = 10  # of one column's filter (the index's table sends two at most)
LONGEST_FILTER = 1000  # characters of a filter's text


def _filter(column: str, model: Any, nested: bool = False) -> tuple[str, list[Any]]:
    """One column's filter as an SQL test and its parameters; one it cannot read keeps all.
    Raises FilterRefused for a filter no table sends: conditions within conditions, more than
    MOST_CONDITIONS of them, a text longer than LONGEST_FILTER (each would cost the query)."""
    if not isinstance(model, dict):
        return "1", []
    if isinstance(model.get("conditions"), list):
        if nested or len(model["conditions"]) > MOST_CONDITIONS:
            raise FilterRefused(
                f"a column filter holds at most {MOST_CONDITIONS} conditions, none nested"
            )
        parts = [_filter(column, condition, True) for condition in model["conditions"]]
        joiner = " AND " if model.get("operator") == "AND" else " OR "
        tests = joiner.join(f"({test})" for test, _ in parts) or "1"
        return tests, [value for _, values in parts for value in values]
    kind, wanted = str(model.get("type")), model.get("filter")
    if len(str(wanted)) > LONGEST_FILTER:
        raise FilterRefused(f"a filter's text holds at most {LONGEST_FILTER} characters")
    if kind in ("blank", "notBlank"):
        return f"coalesce({column}, '') {'=' if kind == 'blank' else '!='} ''", []
    if model.get("filterType") == "number":
        try:
            low = float(str(wanted))
        except (TypeError, ValueError):
            return "1", []
        high = model.get("filterTo")
        if kind == "inRange":
            if not isinstance(high, int | float):
                return "0", []
            return f"{column} BETWEEN ? AND ?", [low, float(high)]
        test = _NUMBER_TESTS.get(kind)
        return (test.format(c=column), [low]) if test else ("1", [])
    if kind not in _TEXT_TESTS:
        return "1", []
    test, pattern = _TEXT_TESTS[kind]
    text = str(wanted or "").casefold()
    return test.format(c=column), [pattern.format(_escaped(text)) if pattern else text]


def _escaped(text: str) -> str:
    """Text taken literally inside a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
