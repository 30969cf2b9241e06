"""A workbook's sheet as the case table reads it: each cell as the sheet shows it.

Two things a sheet shows are not in the cells a reader gets. A merged cell holds its value in
its first cell only; the rows under it show that value, and belong to it (a merged `case` cell
over a case's rows). A formula holds the value it last worked out, unless the program that
wrote the file does not calculate (scripts, some converters): then the cell reads as empty,
and a row would lose its start or its value without a word. Both are found in the sheet's XML.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

import pandas as pd
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from dashboard.importers.build import ImportRefused

SHEET = "cases"
MAX_ROWS = 200_000  # rows of a workbook's sheet read, at most
MAX_UNPACKED = 100 * 1024 * 1024  # what a workbook unpacks to, at most (a bomb is small)
_HEADER = 1  # the sheet's row of column names; its first row of cells is row 2


@dataclass
class Sheet:
    """A sheet's cells (or a text file's), one row of `frame` per row from row 2, with the
    row or line of each; the rows that cannot be read as the file shows them, with why; what
    was done to read the others."""

    name: str
    frame: pd.DataFrame
    unread: dict[int, str] = field(default_factory=dict)  # row or line -> why
    notes: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the row or line of each row of `frame`


def read_sheet(path: Path) -> Sheet:
    """The workbook's 'cases' sheet (else its first), refused when it unpacks to more than
    MAX_UNPACKED or holds more than MAX_ROWS rows: a small file may hold a huge sheet."""
    with zipfile.ZipFile(path) as packed:
        unpacked = sum(info.file_size for info in packed.infolist())
    if unpacked > MAX_UNPACKED:
        raise ImportRefused(
            f"the workbook unpacks to {unpacked / 1024 / 1024:.0f} MB, more than the "
            f"{MAX_UNPACKED // 1024 // 1024} MB read; save its 'cases' sheet as .csv"
        )
    with pd.ExcelFile(path, engine="openpyxl") as book:
        name = SHEET if SHEET in book.sheet_names else str(book.sheet_names[0])
        frame = pd.read_excel(book, name, dtype=object, keep_default_na=False, nrows=MAX_ROWS + 1)
        # (openpyxl's read-only sheet knows its part of the file; it keeps no merged cells)
        part = str(getattr(book.book[name], "_worksheet_path", ""))
    if len(frame) > MAX_ROWS:  # ('NULL' and 'NA' are text above, as in a .csv)
        raise ImportRefused(
            f"sheet {name!r} holds more than {MAX_ROWS:,} rows; split the cases over several "
            "workbooks (rows of one case may be spread over them)"
        )
    sheet = Sheet(name, frame, lines=list(range(_HEADER + 1, _HEADER + 1 + len(frame))))
    if not part:
        raise ImportRefused(f"sheet {name!r}: its cells cannot be found in the file")
    with zipfile.ZipFile(path) as packed:
        with packed.open(part.lstrip("/")) as source:
            hidden = _may_hide(source)
        if not hidden:  # (most sheets: parsing their XML again would add a quarter)
            return sheet
        with packed.open(part.lstrip("/")) as source:
            merged, formulas = _unshown(source)
    _fill(sheet, merged, path)
    _say_formulas(sheet, formulas)
    return sheet


# A formula (<f>, <f t="shared" ...>, <x:f>) or a merged range, as the sheet's XML writes it
_MAY_HIDE = re.compile(rb"<(?:\w+:)?(?:f[\s>/]|mergeCell)")
_CHUNK = 1 << 20


def _may_hide(source: IO[bytes]) -> bool:
    """Whether the sheet's XML holds a formula or a merged cell: a scan of its bytes."""
    carried = b""
    while chunk := source.read(_CHUNK):
        if _MAY_HIDE.search(carried + chunk):
            return True
        carried = chunk[-16:]  # (a tag cut between two chunks)
    return False


def _unshown(source: IO[bytes]) -> tuple[list[str], list[str]]:
    """The sheet's merged ranges ('A2:A4') and the cells holding a formula with no value saved,
    read from its XML in one pass."""
    merged: list[str] = []
    formulas: list[str] = []
    for _, element in iterparse(source):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "c":
            children = {child.tag.rsplit("}", 1)[-1]: child.text for child in element}
            # (no value, or an empty one where only a text result may be empty)
            if "f" in children and not children.get("v") and element.get("t") != "str":
                formulas.append(element.get("r", "?"))
        elif tag == "mergeCell":
            merged.append(element.get("ref", ""))
        elif tag == "row":
            element.clear()  # (the cells of a row are not needed once looked at)
    return merged, formulas


def _fill(sheet: Sheet, merged: list[str], path: Path) -> None:
    """Give every cell of a merged range below the header its first cell's value."""
    cells = sheet.frame.to_numpy(dtype=object, copy=True)
    filled: list[str] = []
    for ref in merged:
        try:
            first_column, first_row, last_column, last_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue  # (a range the file writes wrongly: its first cell is read as it is)
        if first_row is None or first_column is None or first_row <= _HEADER:
            continue  # (column names merged over others: each column keeps its own)
        top, left = first_row - _HEADER - 1, first_column - 1
        if top >= cells.shape[0] or left >= cells.shape[1]:
            continue
        bottom = (last_row or first_row) - _HEADER
        cells[top:bottom, left : last_column or first_column] = cells[top, left]
        filled.append(ref)
    if filled:
        sheet.frame = pd.DataFrame(cells, columns=sheet.frame.columns)
        shown = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
        sheet.notes.append(
            f"{path}: sheet {sheet.name!r}: merged cells {shown} read as their first cell's "
            "value in every row they span"
        )


def _say_formulas(sheet: Sheet, cells: list[str]) -> None:
    """Each row with a formula cell that has no value saved, with those cells named."""
    names = [str(column) for column in sheet.frame.columns]
    by_row: dict[int, list[str]] = {}
    for cell in cells:
        try:
            row, column = coordinate_to_tuple(cell)
        except (TypeError, ValueError):
            continue
        if row > _HEADER:
            shown = names[column - 1] if column <= len(names) else "a cell"
            by_row.setdefault(row, []).append(f"{shown} (cell {cell})")
    for row, said in by_row.items():
        sheet.unread[row] = (
            f"{', '.join(said)} of sheet {sheet.name!r}: a formula with no value saved (the "
            "file was written by a program that does not calculate); open the file in a "
            "spreadsheet and save it, or write the value; row left out"
        )
