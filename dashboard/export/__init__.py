"""Outputs of a case: a page, the figure's JSON; the format is taken from the file suffix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dashboard.figure import build_figure
from dashboard.model import Case

from dashboard.export.page import case_page

FORMATS = {".html": "page", ".json": "figure JSON"}


class ExportError(Exception):
    """An output that cannot be written as asked (unknown format, unsafe place)."""


def save(case: Case, path: str | os.PathLike[str], **view: Any) -> Path:
    """Write `case` to `path` in the format its suffix names; view options go to the figure."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ExportError(f"cannot tell the format of {path.name!r}: use one of {known}")
    figure = build_figure(case, **view)
    if suffix == ".html":
        text = case_page(case, figure)
    else:
        text = figure.to_json()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["FORMATS", "ExportError", "case_page", "save"]
