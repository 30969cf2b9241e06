"""Outputs of a series: its page, the figure's JSON, an image; the format from the suffix."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plotly.utils import PlotlyJSONEncoder

from dashboard.export.base import ExportError, write_atomic
from dashboard.export.images import (
    CSS_PX_PER_INCH,
    IMAGE_FORMATS,
    MM_PER_INCH,
    ImageRenderer,
    ImageSize,
    image_size_for,
    write_figures,
)
from dashboard.export.page import figure_html, page_css, plotlyjs_html, with_fonts
from dashboard.export.templating import render
from dashboard.problems import output_suffix
from dashboard.series.facts import series_facts
from dashboard.series.figure import Link, SeriesOptions, series_spec
from dashboard.series.load import SeriesFile
from dashboard.series.panels import panels_spec
from dashboard.series.readable import headings, readable_rows

PAGE_MM = 240  # the tallest figure a journal page takes
FORMATS = (".html", ".json", *(f".{fmt}" for fmt in IMAGE_FORMATS))
KEYS = ("legible_row_px", "row_px")  # the meta of a series view: a legible row, a drawn row


def series_figure(
    series_file: SeriesFile,
    *,
    view: str = "series",
    theme: str = "screen",
    width: int | None = None,
    height: float | None = None,
    max_height: float | None = None,
    link: Link | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The series drawn as `view`: the aligned rows ("series") or the stacked panels; a
    `max_height` (journal sizes) bounds the rows' view as `fit_rows` says."""
    if view == "panels":
        unused = [name for name, value in options.items() if value is not None]
        if unused:
            raise ExportError(
                f"{' and '.join(unused)} apply to the series view, not to the panels; "
                "leave them out or use --view series"
            )
        return panels_spec(series_file, theme=theme, width=width, max_height=height)
    if view != "series":
        raise ExportError(f"unknown view {view!r}; expected series or panels")
    tall = round(height) if height is not None else None
    ceiling = _tallest_px() if max_height is not None else None
    view_options = SeriesOptions(
        theme=theme,
        width=width,
        height=tall,
        max_height=max_height,
        ceiling=ceiling,
        link=link,
        **options,
    )
    return series_spec(series_file, view_options)


def _tallest_px() -> int:
    """The tallest print figure in layout pixels: a pixel under 240 mm, so that rounding
    up to the file's pixels cannot pass the limit."""
    return math.floor(PAGE_MM / MM_PER_INCH * CSS_PX_PER_INCH) - 1


def _tallest(size: ImageSize) -> float | None:
    if size.height is not None:
        return size.height
    return _tallest_px() if size.mm is not None else None


def squeeze_warning(figure: dict[str, Any], size: ImageSize) -> str | None:
    """What to tell the user when the rows had to be drawn thinner than their labels."""
    meta = figure["layout"].get("meta", {})
    if "needs_px" in meta:
        needs, fits = (_length(meta[key], size) for key in ("needs_px", "fits_px"))
        return (
            f"{len(meta['panels'])} panels need {needs} at a legible size, more than the "
            f"{fits} the image may be: it is drawn {needs} tall; fewer cases in the series, "
            "a larger --size, or an .html page keeps it within"
        )
    every = meta.get("labels_every", 1)
    if every <= 1:
        return None
    rows = len(meta["rows"])
    if size.mm is not None:
        legible, drawn = (f"{meta[key] * MM_PER_INCH / CSS_PX_PER_INCH:.1f} mm" for key in KEYS)
    else:
        legible, drawn = (f"{meta[key]:.0f} px" for key in KEYS)
    return (
        f"{rows} rows do not fit at a legible {legible} each: drawn {drawn} apart, and only "
        f"every {_ordinal(every)} case is named; a larger --size or fewer cases keeps every name"
    )


def _length(px: float, size: ImageSize) -> str:
    return f"{px * MM_PER_INCH / CSS_PX_PER_INCH:.0f} mm" if size.mm is not None else f"{px:.0f} px"


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def series_page(
    series_file: SeriesFile,
    figure: dict[str, Any],
    *,
    view: str = "series",
    link: Link | None = None,
    plotlyjs: str = "inline",
    stylesheet: str | None = None,
    index: str | None = None,
) -> str:
    """The standalone page of a series: the view, its caption, the outcomes, the cases."""
    facts = series_facts(series_file, view)
    shown = facts.cases if view == "series" else facts.panels
    parts = {
        "f": facts,
        "index": index,
        "figure": figure_html(figure),
        "columns": headings(series_file) if view == "series" else (),
        "rows": readable_rows(series_file, link) if view == "series" else [],
        "cases": [
            {"id": case_id, "title": title, "href": link(case_id) if link else None}
            for case_id, title in shown
        ],
    }
    if stylesheet is not None:
        scripts = plotlyjs_html(plotlyjs)
        return render("series.html.j2", css="", stylesheet=stylesheet, plotlyjs=scripts, **parts)
    return with_fonts("series.html.j2", page_css(), plotlyjs_html(plotlyjs), **parts)


def save_series(
    series_file: SeriesFile,
    path: str | os.PathLike[str],
    *,
    view: str | None = None,
    theme: str | None = None,
    size: str | None = None,
    height_mm: float | None = None,
    dpi: int | None = None,
    renderer: ImageRenderer | None = None,
    link: Callable[[str], str | None] | None = None,
    warn: Callable[[str], None] | None = None,
    **options: Any,
) -> Path:
    """Write the series to `path` in the format its suffix names; `warn` hears when an
    image's rows had to be squeezed below a legible size."""
    path = Path(path)
    view = view or "series"
    suffix = output_suffix(path, FORMATS)
    options = {key: value for key, value in options.items() if value is not None}
    if suffix.lstrip(".") in IMAGE_FORMATS:
        image_size = image_size_for(path, size, theme=theme, height_mm=height_mm, dpi=dpi)
        figure = series_figure(
            series_file,
            view=view,
            theme=theme or image_size.theme,
            width=image_size.width,
            height=_tallest(image_size) if view == "panels" else image_size.height,
            max_height=image_size.max_height if view == "series" else None,
            **options,
        )
        warning = squeeze_warning(figure, image_size)
        if warning is not None and warn is not None:
            warn(warning)
        if "needs_px" in figure["layout"].get("meta", {}) and image_size.height is not None:
            # panels that cannot shrink further make a taller image, not overlapping rows
            image_size = dataclasses.replace(image_size, height=figure["layout"]["height"])
        if renderer is None:
            with ImageRenderer(tabs=1) as own:
                return write_figures([(figure, path)], own, image_size)[0]
        return write_figures([(figure, path)], renderer, image_size)[0]
    if size is not None or height_mm is not None or dpi is not None:
        raise ExportError(
            f"a size applies to images (.png, .svg, .pdf), not to {path.name!r}; leave it out"
        )
    figure = series_figure(series_file, view=view, theme=theme or "screen", link=link, **options)
    if suffix == ".json":
        text = json.dumps(figure, cls=PlotlyJSONEncoder)
    else:
        text = series_page(series_file, figure, view=view, link=link)
    return write_atomic(path, text)
