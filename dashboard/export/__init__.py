"""Outputs of a case: a page, the figure's JSON, an image; the format is taken from the suffix."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.dates import catalog_with_dates
from dashboard.export.base import ExportError, write_atomic
from dashboard.export.images import (
    IMAGE_FORMATS,
    ImageRenderer,
    parse_size,
    write_image,
    write_images,
)
from dashboard.export.page import case_page
from dashboard.figure import build_figure
from dashboard.load import load_folder
from dashboard.model import Case
from dashboard.problems import InvalidCase

FORMATS = {
    ".html": "page",
    ".json": "figure JSON",
    ".png": "PNG image",
    ".svg": "SVG image",
    ".pdf": "PDF image",
}


def save(
    case: Case,
    path: str | os.PathLike[str],
    *,
    theme: str | None = None,
    size: str | None = None,
    renderer: ImageRenderer | None = None,
    **view: Any,
) -> Path:
    """Write `case` to `path` in the format its suffix names; view options go to the figure.

    Images take a `size` (slide, column, page or WxH) and may share one `renderer` (one
    Chromium for a batch); without a theme, print sizes are drawn in the print theme and
    slides in the slides theme.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ExportError(f"cannot tell the format of {path.name!r}: use one of {known}")
    view = {key: value for key, value in view.items() if value is not None}
    if suffix.lstrip(".") in IMAGE_FORMATS:
        return write_image(case, path, theme=theme, size=size, renderer=renderer, **view)
    if size is not None:
        raise ExportError(
            f"a size applies to images (.png, .svg, .pdf), not to {path.name!r}; leave it out"
        )
    figure = build_figure(case, theme=theme or "screen", **view)
    text = case_page(case, figure) if suffix == ".html" else figure.to_json()
    return write_atomic(path, text)


@dataclass(frozen=True)
class RenderReport:
    """What rendering a folder wrote, and the case files it skipped."""

    written: list[Path] = field(default_factory=list)
    invalid: tuple[InvalidCase, ...] = ()


def render_folder(
    folder: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    fmt: str = "png",
    theme: str | None = None,
    axis: str | None = None,
    size: str | None = None,
    dates: str = "exact",
) -> RenderReport:
    """Render every valid case of `folder` into `output` as `<id>.<fmt>`, with one browser."""
    suffix = "." + fmt.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise ExportError(f"{output} is a file; give a folder to write the {fmt} files into")
    catalog = catalog_with_dates(load_folder(folder), dates)
    targets = [(item.case, output / f"{item.id}{suffix}") for item in catalog.cases.values()]
    view: dict[str, Any] = {"axis": axis} if axis else {}
    if suffix.lstrip(".") in IMAGE_FORMATS:
        parse_size(size, theme=theme)  # a wrong size fails before Chromium starts
        if not targets:
            return RenderReport([], catalog.invalid)
        with ImageRenderer() as renderer:
            written = write_images(targets, renderer, theme=theme, size=size, **view)
    else:
        written = [save(case, path, theme=theme, size=size, **view) for case, path in targets]
    return RenderReport(written, catalog.invalid)


__all__ = [
    "FORMATS",
    "ExportError",
    "ImageRenderer",
    "RenderReport",
    "case_page",
    "render_folder",
    "save",
]
