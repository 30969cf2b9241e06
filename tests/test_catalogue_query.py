"""The index's tables as queries: the filter's words found anywhere, column filters, sorting on
every column in both directions, pages and counts, and the tables following the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dashboard.catalogue import CASES, PROBLEMS, Catalogue

CASE = """title: {title}
diagnoses: [{diagnosis}]
source: {{citation: {citation}, doi: {doi}}}
treatments:
{treatments}
events:
{events}
"""
FILES = {
    "alpha": ("Alpha case 1077", "NMOSD", "Nomura T", "10.1/a", ["tocilizumab|TCZ"], 0, 300),
    "bravo": ("bravo 50% better", "MOGAD", "Abe K", "10.1/b", ["rituximab", "prednisolone"], 2, 90),
    "charlie": ("Charlie_77", "myasthenia gravis", "abe K", "10.1/c", [], 1, 0),
    "delta": ("Délta", "NMOSD", "Zed A", "10.1/d", ["azathioprine"], 2, 10),
}


def write(folder: Path, name: str, facts: tuple[Any, ...]) -> None:
    title, diagnosis, citation, doi, drugs, relapses, end = facts
    treatments = []
    for drug in drugs:
        name_, _, abbr = drug.partition("|")
        extra = f", abbr: {abbr}" if abbr else ""
        treatments.append(f"  - {{drug: {name_}{extra}, start: day 0, end: day {end}}}")
    events = [f"  - {{kind: relapse, at: day {day + 1}}}" for day in range(relapses)]
    text = CASE.format(
        title=title,
        diagnosis=diagnosis,
        citation=citation,
        doi=doi,
        treatments="\n".join(treatments) or "  []",
        events="\n".join(events) or "  []",
    )
    (folder / f"{name}.yaml").write_text(text.replace(":\n  []", ": []"), encoding="utf-8")


@pytest.fixture
def catalogue(tmp_path: Path) -> Catalogue:
    for name, facts in FILES.items():
        write(tmp_path, name, facts)
    (tmp_path / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (tmp_path / "typo.yaml").write_text("title: Typo\nday0: {lable: x}\n", encoding="utf-8")
    catalogue = Catalogue(tmp_path, cache=False)
    catalogue.refresh()
    return catalogue


def ids(catalogue: Catalogue, query: str = "", **options: Any) -> list[str]:
    rows, count = catalogue.tables.select(CASES, query, **options)
    assert count >= len(rows)
    return [row["id"] for row in rows]


def test_every_case_is_a_row_with_what_the_index_shows(catalogue: Catalogue) -> None:
    rows, count = catalogue.tables.select(CASES)
    assert count == 4
    alpha = rows[0]
    assert alpha == {
        "id": "alpha",
        "title": "Alpha case 1077",
        "diagnoses": "NMOSD",
        "day0": alpha["day0"],
        "course": alpha["course"],
        "drugs": 1,
        "relapses": 0,
        "citation": "Nomura T doi: 10.1/a",
    }
    assert alpha["course"].startswith("day 0 to day 300")


def test_the_filter_finds_every_word_anywhere_without_regard_to_case(catalogue: Catalogue) -> None:
    assert ids(catalogue, "77") == ["alpha", "charlie"]  # part of 1077, and Charlie_77
    assert ids(catalogue, "tcz") == ["alpha"]  # an abbreviation
    assert ids(catalogue, "nmosd TOCILIZUMAB") == ["alpha"]
    assert ids(catalogue, "délta") == ["delta"]
    assert ids(catalogue, "nothing-has-this") == []


def test_like_wildcards_in_the_filter_are_taken_literally(catalogue: Catalogue) -> None:
    assert ids(catalogue, "50%") == ["bravo"]
    assert ids(catalogue, "%") == ["bravo"]
    assert ids(catalogue, "e_7") == ["charlie"]
    assert ids(catalogue, "_") == ["charlie"]


@pytest.mark.parametrize(
    ("column", "ascending", "descending"),
    [
        ("title", ["alpha", "bravo", "charlie", "delta"], ["delta", "charlie", "bravo", "alpha"]),
        (
            "diagnoses",
            ["bravo", "charlie", "alpha", "delta"],
            ["alpha", "delta", "charlie", "bravo"],
        ),
        # by length: 1, 10, 90 and 300 days
        ("course", ["charlie", "delta", "bravo", "alpha"], ["alpha", "bravo", "delta", "charlie"]),
        ("drugs", ["charlie", "alpha", "delta", "bravo"], ["bravo", "alpha", "delta", "charlie"]),
        (
            "relapses",
            ["alpha", "charlie", "bravo", "delta"],
            ["bravo", "delta", "charlie", "alpha"],
        ),
        (
            "citation",
            ["bravo", "charlie", "alpha", "delta"],
            ["delta", "alpha", "charlie", "bravo"],
        ),
    ],
)
def test_every_column_sorts_both_ways_ties_in_id_order(
    catalogue: Catalogue, column: str, ascending: list[str], descending: list[str]
) -> None:
    for _ in range(2):  # the second time through the column's indexes
        assert ids(catalogue, sort=[(column, False)]) == ascending
        assert ids(catalogue, sort=[(column, True)]) == descending


def test_a_second_sort_column_breaks_ties(catalogue: Catalogue) -> None:
    assert ids(catalogue, sort=[("relapses", True), ("title", True)]) == [
        "delta",
        "bravo",
        "charlie",
        "alpha",
    ]
    assert ids(catalogue, sort=[("no such column", True)]) == ["alpha", "bravo", "charlie", "delta"]


TEXT_FILTERS = [
    ({"filterType": "text", "type": "contains", "filter": "CASE"}, ["alpha"]),
    ({"filterType": "text", "type": "notContains", "filter": "e"}, ["delta"]),
    ({"filterType": "text", "type": "startsWith", "filter": "charlie"}, ["charlie"]),
    ({"filterType": "text", "type": "endsWith", "filter": "_77"}, ["charlie"]),
    ({"filterType": "text", "type": "equals", "filter": "délta"}, ["delta"]),
    ({"filterType": "text", "type": "notEqual", "filter": "délta"}, ["alpha", "bravo", "charlie"]),
    ({"filterType": "text", "type": "blank"}, []),
    ({"filterType": "text", "type": "notBlank"}, ["alpha", "bravo", "charlie", "delta"]),
    (
        {
            "filterType": "text",
            "operator": "OR",
            "conditions": [
                {"filterType": "text", "type": "startsWith", "filter": "alpha"},
                {"filterType": "text", "type": "startsWith", "filter": "bravo"},
            ],
        },
        ["alpha", "bravo"],
    ),
    (
        {"filterType": "text", "type": "unknown", "filter": "x"},
        ["alpha", "bravo", "charlie", "delta"],
    ),
]


@pytest.mark.parametrize(("model", "expected"), TEXT_FILTERS)
def test_a_text_column_filter(
    catalogue: Catalogue, model: dict[str, Any], expected: list[str]
) -> None:
    assert ids(catalogue, filters={"title": model}) == expected


NUMBER_FILTERS = [
    ({"type": "equals", "filter": 2}, ["bravo", "delta"]),
    ({"type": "notEqual", "filter": 2}, ["alpha", "charlie"]),
    ({"type": "greaterThan", "filter": 1}, ["bravo", "delta"]),
    ({"type": "greaterThanOrEqual", "filter": 1}, ["bravo", "charlie", "delta"]),
    ({"type": "lessThan", "filter": 1}, ["alpha"]),
    ({"type": "lessThanOrEqual", "filter": 1}, ["alpha", "charlie"]),
    ({"type": "inRange", "filter": 1, "filterTo": 2}, ["bravo", "charlie", "delta"]),
    ({"type": "equals", "filter": "not a number"}, ["alpha", "bravo", "charlie", "delta"]),
]


@pytest.mark.parametrize(("model", "expected"), NUMBER_FILTERS)
def test_a_number_column_filter(
    catalogue: Catalogue, model: dict[str, Any], expected: list[str]
) -> None:
    assert ids(catalogue, filters={"relapses": {"filterType": "number", **model}}) == expected


def test_column_filters_look_at_the_text_shown(catalogue: Catalogue) -> None:
    contains = {"filterType": "text", "type": "contains"}
    assert ids(catalogue, filters={"course": {**contains, "filter": "months"}}) == [
        "alpha",
        "bravo",
    ]
    assert ids(catalogue, filters={"citation": {**contains, "filter": "doi: 10.1/b"}}) == ["bravo"]
    both = {
        "diagnoses": {**contains, "filter": "nmosd"},
        "drugs": {"filterType": "number", "type": "equals", "filter": 1},
    }
    assert ids(catalogue, filters=both) == ["alpha", "delta"]


def test_pages_and_counts(catalogue: Catalogue) -> None:
    rows, count = catalogue.tables.select(CASES, "", start=1, stop=3)
    assert [row["id"] for row in rows] == ["bravo", "charlie"] and count == 4
    rows, count = catalogue.tables.select(CASES, "nmosd", start=10, stop=20)
    assert rows == [] and count == 2
    rows, count = catalogue.tables.select(CASES, start=-5, stop=10**30)  # asked by anyone
    assert len(rows) == 4 and count == 4
    rows, count = catalogue.tables.select(CASES, start=10**30, stop=10**31)
    assert rows == [] and count == 4


def test_files_with_problems_are_a_table_of_their_own(catalogue: Catalogue) -> None:
    rows, count = catalogue.tables.select(PROBLEMS)
    assert count == 2
    assert [row["name"] for row in rows] == ["broken.yaml", "typo.yaml"]
    typo = rows[1]
    assert typo["count"] == len(typo["problems"].splitlines())
    assert "typo.yaml:2:" in typo["problems"] and "lable" in typo["problems"]
    found, _ = catalogue.tables.select(PROBLEMS, "lable")  # a key in its problems
    assert [row["name"] for row in found] == ["typo.yaml"]
    found, _ = catalogue.tables.select(PROBLEMS, "broken")  # its name
    assert [row["name"] for row in found] == ["broken.yaml"]
    by_count, _ = catalogue.tables.select(PROBLEMS, sort=[("count", True), ("name", False)])
    assert len(by_count) == 2


def test_the_tables_follow_edits_additions_and_removals(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    assert ids(catalogue, sort=[("title", False)])  # an index on the title column now exists
    write(tmp_path, "alpha", ("Zulu renamed", "NMOSD", "N", "10.1/a", [], 0, 5))
    (tmp_path / "charlie.yaml").unlink()
    (tmp_path / "broken.yaml").write_text("title: Mended\n", encoding="utf-8")
    catalogue.refresh()
    assert ids(catalogue, sort=[("title", False)]) == ["bravo", "delta", "broken", "alpha"]
    assert ids(catalogue, "zulu") == ["alpha"]
    rows, count = catalogue.tables.select(PROBLEMS)
    assert count == 1 and rows[0]["name"] == "typo.yaml"
