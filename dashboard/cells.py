"""Cells of the tables written for spreadsheets (the case table, the item and outcome CSVs):
text a spreadsheet would run as a formula stays text, in every writer, by this one guard.

A cell starting with = + - @, a tab or a carriage return may be run as a formula by Excel,
LibreOffice or Google Sheets (a tab or carriage return first is dropped by some of them, and
what follows it read as the cell): '=HYPERLINK(...)' links out, "cmd|' /C calc'!A0" runs a
program. In a CSV such text is written after an apostrophe, which a spreadsheet shows as text
and the case table's import takes off again. In a workbook only a text starting with '=' would
be stored as a formula (by openpyxl); it is written as a cell of type text instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: text a formula would start with after an
    apostrophe; anything else (numbers among it) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def read_back(text: str) -> str:
    """A CSV cell's text as it was before `inert`."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table whose text columns are `inert`; numbers stay numbers."""
    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{column: frame[column].map(inert) for column in text_columns})


def book_cell(sheet: Any, value: Any) -> Any:
    """A workbook cell holding `value`: text is a text cell even when it starts with '='
    (openpyxl would make it a formula), so the text reads back exactly as written."""
    if not isinstance(value, str) or not value.startswith("="):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
