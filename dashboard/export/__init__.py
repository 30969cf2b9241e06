"""Outputs of a case: a page, the figure's JSON, an image; the format is taken from the suffix."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.dates import DatePolicy
from dashboard.export.base import ExportError, write_atomic
from dashboard.export.images import (
    IMAGE_FORMATS,
    ImageRenderer,
    image_size_for,
    write_image,
    write_images,
)
from dashboard.export.page import case_page
from dashboard.figure import build_figure
from dashboard.load import load_folder
from dashboard.model import Case
from dashboard.problems import InvalidCase, output_suffix

PROGRESS_STEP = 10  # images drawn between two reports of progress

FORMATS = {
    ".html": "page",
    ".json": "figure JSON",
    ".png": "PNG image",
    ".tif": "TIFF image",
    ".tiff": "TIFF image",
    ".svg": "SVG image",
    ".pdf": "PDF image",
}


def save(
    case: Case,
    path: str | os.PathLike[str],
    *,
    theme: str | None = None,
    size: str | None = None,
    height_mm: float | None = None,
    dpi: int | None = None,
    renderer: ImageRenderer | None = None,
    **view: Any,
) -> Path:
    """Write `case` to `path` in the format its suffix names; view options go to the figure.

    Images take a `size` (slide, column, page, WxHmm or WxH), a height in mm and a dpi for
    print sizes, and may share one `renderer` (one Chromium for a batch); without a theme,
    print sizes are drawn in the print theme and slides in the slides theme.
    """
    path = Path(path)
    suffix = output_suffix(path, FORMATS)
    view = {key: value for key, value in view.items() if value is not None}
    if suffix.lstrip(".") in IMAGE_FORMATS:
        return write_image(
            case,
            path,
            theme=theme,
            size=size,
            height_mm=height_mm,
            dpi=dpi,
            renderer=renderer,
            **view,
        )
    if size is not None or height_mm is not None or dpi is not None:
        raise ExportError(
            f"a size, height or dpi applies to images (.png, .tif, .svg, .pdf), "
            f"not to {path.name!r}; leave it out"
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
    height_mm: float | None = None,
    dpi: int | None = None,
    progress: Callable[[int], None] | None = None,
    dates: DatePolicy | str = "exact",
) -> RenderReport:
    """Render every valid case of `folder` into `output` as `<id>.<fmt>`, with one browser;
    `progress` is told of each file written."""
    suffix = "." + fmt.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise ExportError(f"{output} is a file; give a folder to write the {fmt} files into")
    catalog = load_folder(folder)
    policy = DatePolicy.of(dates)
    targets = [
        (policy.apply(item.case), output / f"{item.id}{suffix}") for item in catalog.cases.values()
    ]
    if progress is not None and catalog.invalid:
        progress(len(catalog.invalid))  # skipped files count as done
    view: dict[str, Any] = {"axis": axis} if axis else {}
    if suffix.lstrip(".") in IMAGE_FORMATS:
        # a wrong size fails before Chromium starts
        image_size_for(output / f"x{suffix}", size, theme=theme, height_mm=height_mm, dpi=dpi)
        if not targets:
            return RenderReport([], catalog.invalid)
        written = []
        with ImageRenderer() as renderer:
            for start in range(0, len(targets), PROGRESS_STEP):
                batch = targets[start : start + PROGRESS_STEP]
                written += write_images(
                    batch, renderer, theme=theme, size=size, height_mm=height_mm, dpi=dpi, **view
                )
                if progress is not None:
                    progress(len(batch))
    else:
        written = []
        for case, path in targets:
            written.append(
                save(case, path, theme=theme, size=size, height_mm=height_mm, dpi=dpi, **view)
            )
            if progress is not None:
                progress(1)
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
