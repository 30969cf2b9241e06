"""The one guard that keeps a spreadsheet from running a cell's text as a formula."""

from __future__ import annotations

import pytest

from dashboard.cells import FORMULA_START, inert, read_back

RISKY = ["=1+1", "+1", "-1+A2", "@SUM(A1)", "\t=1", "\r=1", "\tplain", '=HYPERLINK("x")']
PLAIN = ["plain", "'quoted", "1-2", " =1", "", "day 3"]


@pytest.mark.parametrize("text", RISKY)
def test_text_a_spreadsheet_may_run_is_written_after_an_apostrophe(text: str) -> None:
    """Text starting with = + - @, a tab or a carriage return (whatever follows) is written
    after an apostrophe, and the import reads back exactly the text written."""
    assert text.startswith(FORMULA_START)
    assert inert(text) == "'" + text
    assert read_back(inert(text)) == text


@pytest.mark.parametrize("text", PLAIN)
def test_other_text_and_numbers_are_written_as_they_are(text: str) -> None:
    """Any other text, and numbers (a negative number is no formula), are left alone and
    read back as they are, an apostrophe of the user's own included."""
    assert inert(text) == text and read_back(text) == text
    assert inert(-3) == -3 and inert(2.5) == 2.5
