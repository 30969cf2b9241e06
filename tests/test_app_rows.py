"""The edit view's "Rows" tab in a real Chromium against a real server on 127.0.0.1: grid
edits written into the text in place, text edits shown in the grid, rows added, deleted and
reordered, on a case this project has never seen (in German, with comments)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from dashboard.app.editing import editing_for
from dashboard.load import parse_case
from tests.conftest import PageProblems
from tests.test_app_editor import EditServer, _violations
from tests.test_rows import CASE

OpenPage = Callable[..., tuple[Page, PageProblems]]
DOSE = "    dose: 100 mg täglich     # nach TPMT\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EditServer]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = tmp_path / "faelle"
    folder.mkdir()
    (folder / "nmosd.yaml").write_text(CASE, encoding="utf-8")
    server = EditServer(folder, editing_for("127.0.0.1", True, None))
    yield server
    server.close()


def _open_rows(open_page: OpenPage, server: EditServer) -> tuple[Page, PageProblems]:
    page, problems = open_page(viewport={"width": 1500, "height": 1000})
    page.goto(server.url + "/case/nmosd/edit")
    page.wait_for_function("document.body.dataset.checked >= 1")
    page.get_by_role("tab", name="Rows").click()
    expect(_cell(page, 0, "drug")).to_have_text("Azathioprin")
    return page, problems


def _cell(page: Page, row: int, column: str) -> Locator:
    rows = page.locator("#rows-grid .ag-center-cols-container")
    return rows.locator(f'[row-index="{row}"] [col-id="{column}"]')


def _text(page: Page) -> str:
    return str(page.evaluate("window.caseEditor.text()"))


def _wait_for_text(page: Page, text: str) -> None:
    page.wait_for_function(f"window.caseEditor.text() === {json.dumps(text)}")


def _wait_for_check(page: Page, checked: int) -> None:
    page.wait_for_function(f"window.caseEditor.checked > {checked}")


def _checked(page: Page) -> int:
    return int(page.evaluate("window.caseEditor.checked"))


def _figure(page: Page) -> Any:
    return page.evaluate("JSON.stringify(document.getElementById('edit-figure').data)")


def test_a_dose_edited_in_rows_changes_only_its_line_and_the_figure(
    server: EditServer, open_page: OpenPage
) -> None:
    """A dose typed into its cell changes that one line of the text (its comment kept, every
    other byte as it was), the figure redraws with it, and nothing is saved until asked."""
    page, problems = _open_rows(open_page, server)
    checked = _checked(page)
    _cell(page, 0, "dose").dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("150 mg täglich")
    page.keyboard.press("Enter")
    expected = CASE.replace(DOSE, DOSE.replace("100 mg", "150 mg"))
    _wait_for_text(page, expected)
    _wait_for_check(page, checked)
    assert "150 mg täglich" in _figure(page) and "100 mg täglich" not in _figure(page)
    expect(page.locator("#edit-status")).to_have_text("Unsaved changes")
    assert (server.folder / "nmosd.yaml").read_text(encoding="utf-8") == CASE
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#edit-status")).to_have_text("Saved nmosd.yaml")
    assert (server.folder / "nmosd.yaml").read_bytes() == expected.encode()
    problems.assert_clean()


def test_an_edit_in_the_text_shows_in_the_grid(server: EditServer, open_page: OpenPage) -> None:
    """A label changed in the text is shown in the events grid after the pause."""
    page, problems = _open_rows(open_page, server)
    page.get_by_role("tab", name="Text").click()
    checked = _checked(page)
    start = CASE.index("Myelitis")
    page.get_by_role("textbox", name="Case file").click()
    page.evaluate(
        "([from, to]) => window.caseEditor.view.dispatch({selection: {anchor: from, head: to}})",
        [start, start + len("Myelitis")],
    )
    page.keyboard.type("Querschnittsmyelitis")
    _wait_for_check(page, checked)
    page.get_by_role("tab", name="Rows").click()
    page.get_by_label("Table").select_option(label="Events")
    expect(_cell(page, 1, "label")).to_have_text("Querschnittsmyelitis")
    page.get_by_label("Table").select_option(label="Values of AQP4-IgG")
    expect(_cell(page, 1, "value")).to_have_text("320")
    problems.assert_clean()


def test_rows_are_added_moved_and_deleted(server: EditServer, open_page: OpenPage) -> None:
    """'Add row', 'Move up', 'Move down', a dragged row and 'Delete row' each change the
    events in the text, and only the lines of the rows they touch."""
    page, problems = _open_rows(open_page, server)
    page.get_by_label("Table").select_option(label="Events")
    onset = "  - {at: day 0, kind: onset, label: Optikusneuritis}\n"
    relapse = "  - {at: day 150, kind: relapse, label: Myelitis}   # stationär\n"
    new = "  - {at: day 0, kind: note, label: new event}\n"

    _cell(page, 0, "label").click()
    page.get_by_role("button", name="Move down").click()
    _wait_for_text(page, CASE.replace(onset + relapse, relapse + onset))
    expect(_cell(page, 1, "label")).to_have_text("Optikusneuritis")

    page.get_by_role("button", name="Move up").click()  # the moved row keeps the focus
    _wait_for_text(page, CASE)
    expect(_cell(page, 0, "label")).to_have_text("Optikusneuritis")

    _cell(page, 1, "label").click()
    page.get_by_role("button", name="Add row").click()
    _wait_for_text(page, CASE.replace(relapse, relapse + new))
    expect(_cell(page, 2, "label")).to_have_text("new event")

    _cell(page, 2, "label").click()
    page.get_by_role("button", name="Delete row").click()
    _wait_for_text(page, CASE)
    expect(page.locator("#rows-grid .ag-center-cols-container [row-index]")).to_have_count(3)

    handle = page.locator('#rows-grid [row-index="1"] .ag-drag-handle')
    target = _cell(page, 0, "label")
    handle.hover()
    page.mouse.down()
    box = target.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 4, steps=10)
    page.mouse.up()
    _wait_for_text(page, CASE.replace(onset + relapse, relapse + onset))
    assert [event.label for event in parse_case(_text(page)).events][:2] == [
        "Myelitis",
        "Optikusneuritis",
    ]
    problems.assert_clean()


def test_a_cell_that_cannot_be_written_says_why(server: EditServer, open_page: OpenPage) -> None:
    """A value that is no number is refused with a message; the text stays as it was."""
    page, problems = _open_rows(open_page, server)
    page.get_by_label("Table").select_option(label="Values of EDSS")
    _cell(page, 0, "value").dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("viel")
    page.keyboard.press("Enter")
    expect(page.locator("#rows-message")).to_have_text("value: expected a number, found 'viel'")
    expect(_cell(page, 0, "value")).to_have_text("3.5")
    assert _text(page) == CASE
    assert not problems.exceptions


def test_the_rows_tab_passes_wcag_aa(server: EditServer, open_page: OpenPage) -> None:
    """axe-core finds no WCAG 2.2 AA violation on the edit view with the Rows tab shown."""
    page, _ = _open_rows(open_page, server)
    expect(page.locator('#rows-grid [role="columnheader"]').first).to_be_visible()
    assert _violations(page) == []
