"""Image sizes: slide, column, page, WxHmm and WxH, with the resolution of print sizes."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass

from dashboard.export.base import ExportError

SIZE_WORDS = ("slide", "column", "page")
MM_PER_INCH = 25.4
CSS_PX_PER_INCH = 96
PRINT_DPI = 300  # PNG
TIFF_DPI = 600
DPIS = (300, 600, 1000)
MAX_MM = 240.0  # the tallest figure a journal page holds
TALLEST = {"column": 1.4, "page": 1.0}  # height over width, at most, when no height is given


@dataclass(frozen=True, slots=True)
class ImageSize:
    """How an image is laid out (CSS pixels) and scaled to the file's pixels."""

    name: str
    width: int
    height: float | None  # None: the figure's own height, from its rows
    scale: float
    theme: str  # the theme drawn when none is asked for
    mm: float | None = None  # the printed width, for print sizes
    max_height: int | None = None  # the tallest the figure may grow, when height is None
    dpi: int | None = None  # the resolution written into PNG and TIFF files
    height_mm: float | None = None  # the printed height, when one was asked for

    @property
    def pixel_width(self) -> int:
        """The width of a PNG in pixels."""
        return round(self.width * self.scale)

    def at_dpi(self, dpi: int) -> ImageSize:
        """The same print size drawn at `dpi` (pixel sizes keep their pixels)."""
        if self.mm is None:
            return self
        pixels = round(self.mm / MM_PER_INCH * dpi)
        scale = pixels / self.width
        height = self.height
        if self.height_mm is not None:
            # the height in layout pixels that makes exactly the promised file pixels
            height = round(self.height_mm / MM_PER_INCH * dpi) / scale
        return dataclasses.replace(self, scale=scale, dpi=dpi, height=height)


def css_px(mm: float) -> int:
    return round(mm / MM_PER_INCH * CSS_PX_PER_INCH)


def _print_size(name: str, mm: float, height_mm: float | None = None) -> ImageSize:
    width = css_px(mm)
    if height_mm is not None:
        height, tallest = float(css_px(height_mm)), None
    else:
        height = None
        tallest = min(round(width * TALLEST.get(name, 1.0)), css_px(MAX_MM))
    size = ImageSize(name, width, height, 1.0, "print", mm, tallest, height_mm=height_mm)
    return size.at_dpi(PRINT_DPI)


SIZES = {
    "slide": ImageSize("slide", 1920, 1080, 1.0, "slides"),
    "column": _print_size("column", 85),
    "page": _print_size("page", 180),
}
_PIXELS = re.compile(r"(\d{1,5})\s*[x×]\s*(\d{1,5})", re.IGNORECASE)
_MM = re.compile(r"(\d{1,4}(?:\.\d+)?)\s*[x×]\s*(\d{1,4}(?:\.\d+)?)\s*mm", re.IGNORECASE)
SMALLEST, LARGEST = 100, 10_000
SMALLEST_MM, LARGEST_MM = 30.0, 600.0
EXPECTED = (
    "expected slide (1920x1080), column (85 mm), page (180 mm), millimetres as WxHmm, "
    "such as 180x120mm, or pixels as WxH, such as 1600x900"
)


def parse_size(
    text: str | None,
    *,
    theme: str | None = None,
    height_mm: float | None = None,
    dpi: int | None = None,
) -> ImageSize:
    """`slide`, `column`, `page`, `WxHmm` or `WxH` pixels, optionally with a height in mm
    and a resolution; no size: slide for the slides theme, else page."""
    if text is None or not text.strip():
        text = "slide" if theme == "slides" and height_mm is None else "page"
    word = text.strip().lower()
    size = _size(text, word)
    if height_mm is not None:
        if size.mm is None:
            raise ExportError(
                f"--height is in millimetres and applies to column, page or WxHmm sizes, "
                f"not to {text!r}; give pixels as WxH instead"
            )
        if not SMALLEST_MM <= height_mm <= LARGEST_MM:
            raise ExportError(
                f"height {height_mm:g} mm is out of range; "
                f"expected {SMALLEST_MM:g} to {LARGEST_MM:g} mm"
            )
        size = _print_size(size.name, size.mm, height_mm)
    if dpi is not None:
        if size.mm is None:
            raise ExportError(
                f"--dpi applies to print sizes (column, page or WxHmm), not to {text!r}, "
                "which is already in pixels"
            )
        if dpi not in DPIS:
            raise ExportError(f"dpi {dpi} is not offered; expected one of 300, 600 or 1000")
        size = size.at_dpi(dpi)
    return size


def _size(text: str, word: str) -> ImageSize:
    if word in SIZES:
        return SIZES[word]
    millimetres = _MM.fullmatch(word)
    if millimetres is not None:
        width_mm, height_mm = float(millimetres.group(1)), float(millimetres.group(2))
        if not (SMALLEST_MM <= width_mm <= LARGEST_MM and SMALLEST_MM <= height_mm <= LARGEST_MM):
            raise ExportError(
                f"size {text!r} is out of range; width and height must each be "
                f"{SMALLEST_MM:g} to {LARGEST_MM:g} mm"
            )
        return _print_size(f"{width_mm:g}x{height_mm:g}mm", width_mm, height_mm)
    pixels = _PIXELS.fullmatch(word)
    if pixels is None:
        close = difflib.get_close_matches(word, SIZE_WORDS, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ExportError(f"unknown size {text!r}; {hint}{EXPECTED}")
    width, height = int(pixels.group(1)), int(pixels.group(2))
    if not (SMALLEST <= width <= LARGEST and SMALLEST <= height <= LARGEST):
        raise ExportError(
            f"size {text!r} is out of range; width and height must each be "
            f"{SMALLEST} to {LARGEST:,} pixels"
        )
    return ImageSize(f"{width}x{height}", width, height, 1.0, "screen", dpi=CSS_PX_PER_INCH)
