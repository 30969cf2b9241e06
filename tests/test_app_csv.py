"""The item table as CSV: text a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import io

import pandas as pd

from dashboard.cells import inert_frame
from dashboard.describe import items_frame
from dashboard.model import Case


def test_formulas_from_a_case_file_are_kept_as_text() -> None:
    case = Case.model_validate(
        {
            "title": "t",
            "events": [
                {"at": "day 1", "kind": "note", "label": '=HYPERLINK("http://x","y")'},
                {"at": "day -3", "kind": "note", "label": "@SUM(A1)", "detail": "+1 cell"},
                {"at": "day 2", "kind": "note", "label": "plain"},
            ],
        }
    )
    table = pd.read_csv(io.StringIO(inert_frame(items_frame(case)).to_csv(index=False)))
    assert list(table["name"]) == ["'@SUM(A1)", '\'=HYPERLINK("http://x","y")', "plain"]
    assert list(table["detail"].fillna("")) == ["'+1 cell", "", ""]
    assert list(table["start_day"]) == [-3.0, 1.0, 2.0], "numbers stay numbers"
