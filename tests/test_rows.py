"""The Rows view's tables, and its edits written into a case text in place."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from dashboard.load import parse_case
from dashboard.rows import Change, RowsError, edit, tables

# A case this project has never seen, in German, with comments, blank lines, quotes, flow
# and block items, and both ways of writing measurement values.
CASE = """# Verlauf einer erfundenen Patientin (Neuromyelitis optica).
title: NMOSD unter Satralizumab   # Arbeitstitel
day0: {label: Erstdiagnose}

treatments:
  # Erstlinie
  - drug: Azathioprin
    dose: 100 mg täglich     # nach TPMT
    start: day 0
    end: day 200

  - drug: Satralizumab
    dose: '120 mg alle 4 Wochen'
    start: day 180
    ongoing: true
  - drug: Methylprednisolon-Puls
    given: [day 150, day 151, day 152]

events:
  - {at: day 0, kind: onset, label: Optikusneuritis}
  - {at: day 150, kind: relapse, label: Myelitis}   # stationär
  # Kontrolle
  - at: day 240
    kind: imaging
    label: MRT ohne neue Läsionen

measurements:
  - name: AQP4-IgG
    unit: Titer
    values:
      day 0: 1000   # Labor A
      day 200: 320
  - name: EDSS
    values: [[day 0, 3.5], [day 200, 2.0]]
"""
TIMELINES = sorted(p for p in Path("timelines").glob("*.yaml") if ".series." not in p.name)


def _changed(old: str, new: str) -> tuple[list[str], list[str]]:
    """The lines taken out of `old` and put into `new`, every other line being unchanged."""
    removed, added = [], []
    matcher = difflib.SequenceMatcher(None, old.splitlines(True), new.splitlines(True))
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += old.splitlines(True)[i1:i2]
            added += new.splitlines(True)[j1:j2]
    return removed, added


def test_the_tables_show_each_cell_as_written() -> None:
    """Each table lists its items' cells as the text writes them, lists as flow lists, and
    the columns every row of the table may need."""
    found = tables(CASE)
    assert found is not None
    treatments = found["treatments"]
    assert treatments["columns"] == ["drug", "dose", "start", "end", "ongoing", "given"]
    assert [row["drug"] for row in treatments["rows"]] == [
        "Azathioprin",
        "Satralizumab",
        "Methylprednisolon-Puls",
    ]
    assert treatments["rows"][1]["dose"] == "120 mg alle 4 Wochen"
    assert treatments["rows"][2]["given"] == "[day 150, day 151, day 152]"
    assert [row["label"] for row in found["events"]["rows"]][2] == "MRT ohne neue Läsionen"
    assert found["periods"]["rows"] == []
    assert [(v["name"], v["rows"]) for v in found["values"]] == [
        ("AQP4-IgG", [{"at": "day 0", "value": "1000"}, {"at": "day 200", "value": "320"}]),
        ("EDSS", [{"at": "day 0", "value": "3.5"}, {"at": "day 200", "value": "2.0"}]),
    ]


def test_a_text_that_is_not_yaml_has_no_tables() -> None:
    """A text the YAML parser cannot read gives no tables (the view keeps its last ones)."""
    assert tables("title: [unclosed\n") is None
    assert tables("- just a list\n") is None


CHANGES = [
    # (the change, the lines it takes out, the lines it puts in)
    (
        Change("treatments", "set", row=0, column="dose", value="150 mg täglich"),
        ["    dose: 100 mg täglich     # nach TPMT\n"],
        ["    dose: 150 mg täglich     # nach TPMT\n"],
    ),
    (
        Change("treatments", "set", row=1, column="dose", value="162 mg"),
        ["    dose: '120 mg alle 4 Wochen'\n"],
        ["    dose: '162 mg'\n"],
    ),
    (
        Change("treatments", "set", row=2, column="given", value="day 150, day 152"),
        ["    given: [day 150, day 151, day 152]\n"],
        ["    given: [day 150, day 152]\n"],
    ),
    (
        Change("treatments", "set", row=1, column="note", value="seit 2024"),
        [],
        ["    note: seit 2024\n"],
    ),
    (
        Change("treatments", "set", row=0, column="dose", value=""),
        ["    dose: 100 mg täglich     # nach TPMT\n"],
        [],
    ),
    (
        Change("events", "set", row=0, column="label", value="Neuritis, links"),
        ["  - {at: day 0, kind: onset, label: Optikusneuritis}\n"],
        ["  - {at: day 0, kind: onset, label: 'Neuritis, links'}\n"],
    ),
    (
        Change("events", "set", row=1, column="detail", value="Visus 0,1"),
        ["  - {at: day 150, kind: relapse, label: Myelitis}   # stationär\n"],
        ["  - {at: day 150, kind: relapse, label: Myelitis, detail: 'Visus 0,1'}   # stationär\n"],
    ),
    (
        Change("events", "add", row=0),
        [],
        ["  - {at: day 0, kind: note, label: new event}\n"],
    ),
    (
        Change("events", "delete", row=2),
        [
            "  # Kontrolle\n",
            "  - at: day 240\n",
            "    kind: imaging\n",
            "    label: MRT ohne neue Läsionen\n",
        ],
        [],
    ),
    (
        Change("values", "set", measurement=0, row=1, column="value", value="100"),
        ["      day 200: 320\n"],
        ["      day 200: 100\n"],
    ),
    (
        Change("values", "add", measurement=0, row=1),
        [],
        ["      day 1: 0\n"],
    ),
    (
        Change("values", "move", measurement=1, row=1, to=0),
        ["    values: [[day 0, 3.5], [day 200, 2.0]]\n"],
        ["    values: [[day 200, 2.0], [day 0, 3.5]]\n"],
    ),
    (
        Change("periods", "add"),
        [],
        ["periods:\n", "  - {from: day 0, to: day 7, label: new period}\n"],
    ),
]


@pytest.mark.parametrize(("change", "removed", "added"), CHANGES, ids=lambda c: str(c)[:40])
def test_an_edit_changes_only_its_items_lines(
    change: Change, removed: list[str], added: list[str]
) -> None:
    """An edit of a row changes only that item's lines; every other byte of the text,
    comments and blank lines included, is as it was, and the text is still a valid case."""
    new = edit(CASE, change)
    assert _changed(CASE, new) == (removed, added)
    parse_case(new)


def test_a_dose_edited_in_the_rows_is_the_case_dose() -> None:
    """The value written from a cell is the value the case then has."""
    new = edit(CASE, Change("treatments", "set", row=1, column="dose", value="162 mg"))
    assert parse_case(new).treatments[1].dose == "162 mg"
    assert new == CASE.replace("'120 mg alle 4 Wochen'", "'162 mg'")


def test_moving_a_block_item_keeps_the_blank_lines_in_place() -> None:
    """A moved item takes its comment lines with it; the blank lines between items stay
    where they were, and nothing else moves."""
    new = edit(CASE, Change("treatments", "move", row=2, to=0))
    drugs = [t.drug for t in parse_case(new).treatments]
    assert drugs == ["Methylprednisolon-Puls", "Azathioprin", "Satralizumab"]
    assert new.split("treatments:")[0] == CASE.split("treatments:")[0]
    assert new.split("events:")[1] == CASE.split("events:")[1]
    assert sorted(new.splitlines()) == sorted(CASE.splitlines())
    swapped = edit(CASE, Change("events", "move", row=0, to=1))
    first, second = (
        "  - {at: day 0, kind: onset, label: Optikusneuritis}\n",
        "  - {at: day 150, kind: relapse, label: Myelitis}   # stationär\n",
    )
    assert swapped == CASE.replace(first + second, second + first)


def test_the_last_item_of_a_list_deleted_leaves_an_empty_list() -> None:
    """Deleting the only item of a list writes it as an empty list, under the same key."""
    text = "title: x\nevents:\n  - {at: day 0, kind: onset}\n# Ende\n"
    assert edit(text, Change("events", "delete", row=0)) == "title: x\nevents: []\n# Ende\n"
    assert edit("title: x\nevents: []\n", Change("events", "add")) == (
        "title: x\nevents:\n  - {at: day 0, kind: note, label: new event}\n"
    )


def test_a_wrapped_text_edited_stays_a_block_of_text() -> None:
    """A text written as a folded block keeps its block header when edited in a cell."""
    text = (
        "title: x\nevents:\n  - at: day 0\n    kind: onset\n"
        "    detail: >-\n      Lang\n      und breit\n    label: a\n"
    )
    new = edit(text, Change("events", "set", row=0, column="detail", value="Kurz"))
    assert new == text.replace("      Lang\n      und breit\n", "      Kurz\n")


@pytest.mark.parametrize("path", TIMELINES, ids=lambda p: p.name)
def test_setting_every_cell_to_what_it_shows_changes_nothing(path: Path) -> None:
    """Over every cell of every shipped case, writing back the text a cell shows leaves the
    file byte for byte as it was."""
    text = path.read_text(encoding="utf-8")
    found = tables(text)
    assert found is not None
    count = 0
    for name in ("treatments", "events", "periods"):
        for number, row in enumerate(found[name]["rows"]):
            for column, value in row.items():
                if value:
                    change = Change(name, "set", row=number, column=column, value=value)
                    assert edit(text, change) == text, (name, number, column)
                    count += 1
    for measurement, values in enumerate(found["values"]):
        for number, row in enumerate(values["rows"]):
            for column, value in row.items():
                change = Change(
                    "values", "set", number, column=column, value=value, measurement=measurement
                )
                assert edit(text, change) == text, ("values", measurement, number, column)
                count += 1
    assert count > 20


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            Change("values", "set", measurement=0, row=0, column="value", value="viel"),
            "expected a number",
        ),
        (Change("treatments", "set", row=0, column="ongoing", value="vielleicht"), "true or false"),
        (Change("events", "delete", row=9), "there is no row 10"),
        (
            Change("values", "set", measurement=5, row=0, column="at", value="day 1"),
            "no such measurement",
        ),
        (Change("treatments", "set", row=0, column="dosis", value="1 mg"), "not a column"),
    ],
)
def test_an_edit_that_cannot_be_written_says_why(change: Change, message: str) -> None:
    """An edit that makes no sense is refused with a reason in words, and nothing is written."""
    with pytest.raises(RowsError, match=message):
        edit(CASE, change)


def test_a_text_that_is_not_yaml_is_not_edited() -> None:
    """While the text has a YAML problem the rows are not edited; the message names its line."""
    with pytest.raises(RowsError, match="YAML problem at line 3"):
        edit("title: x\nevents: [\n", Change("events", "add"))
