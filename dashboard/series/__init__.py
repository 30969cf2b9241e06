"""Case series: series files and their cases, the aligned rows, the panels, the outcomes and
the captions, as figure specs and text; writing them to files is `dashboard.export`'s.

The names below are imported when first used, so that reading a series file (the commands
that check a folder) does not pay for plotly and pandas, which drawing and captions need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.series.caption import panels_caption, series_caption, series_caption_for
    from dashboard.series.facts import SeriesFacts, series_facts
    from dashboard.series.figure import SeriesOptions, series_spec
    from dashboard.series.load import (
        SeriesFile,
        load_series,
        load_series_folder,
        load_series_paths,
        parse_series,
        series_id,
        series_paths,
        series_with_dates,
    )
    from dashboard.series.model import Series
    from dashboard.series.outcomes import COLUMNS, compute, table, to_csv, to_json, to_text
    from dashboard.series.panels import panels_spec

_HOMES = {
    "caption": ("panels_caption", "series_caption", "series_caption_for"),
    "facts": ("SeriesFacts", "series_facts"),
    "figure": ("SeriesOptions", "series_spec"),
    "load": (
        "SeriesFile",
        "load_series",
        "load_series_folder",
        "load_series_paths",
        "parse_series",
        "series_id",
        "series_paths",
        "series_with_dates",
    ),
    "model": ("Series",),
    "outcomes": ("COLUMNS", "compute", "table", "to_csv", "to_json", "to_text"),
    "panels": ("panels_spec",),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "COLUMNS",
    "Series",
    "SeriesFacts",
    "SeriesFile",
    "SeriesOptions",
    "compute",
    "load_series",
    "load_series_folder",
    "load_series_paths",
    "panels_caption",
    "panels_spec",
    "parse_series",
    "series_caption",
    "series_caption_for",
    "series_facts",
    "series_id",
    "series_paths",
    "series_spec",
    "series_with_dates",
    "table",
    "to_csv",
    "to_json",
    "to_text",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
