"""Images of a case's figure (PNG, TIFF, SVG, PDF), drawn by kaleido 1 in one headless Chromium.

Sizes are promises kept to the pixel: `slide` is 1920x1080, `column` 85 mm and `page`
180 mm wide (1004 and 2126 px at 300 dpi), `WxHmm` exactly that many millimetres, `WxH`
exactly that many pixels. Print sizes are laid out at their physical size in CSS pixels
(96 per inch), so an 11 px label prints at 8.25 pt, then scaled up to the dpi asked for;
for SVG and PDF the same layout sets the page size. Without a height a print figure is as
tall as its rows need, up to 1.4 times its width in a column and once its width on a page
(never over 240 mm). PNG and TIFF files carry their resolution.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import dataclasses
import difflib
import functools
import io
import os
import re
import shutil
import struct
import threading
import zlib
from collections import deque
from collections.abc import Coroutine, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import plotly.graph_objects as go

from dashboard.export.base import ExportError, write_atomic
from dashboard.figure import build_figure
from dashboard.model import Case

IMAGE_FORMATS = ("png", "tif", "tiff", "svg", "pdf")
DRAWN = ("png", "svg", "pdf")  # what Chromium draws; TIFF is made from the PNG
SIZE_WORDS = ("slide", "column", "page")
MM_PER_INCH = 25.4
CSS_PX_PER_INCH = 96
PRINT_DPI = 300  # PNG
TIFF_DPI = 600
DPIS = (300, 600, 1000)
MAX_MM = 240.0  # the tallest figure a journal page holds
TALLEST = {"column": 1.4, "page": 1.0}  # height over width, at most, when no height is given
LOWEST_PLOT_PX = 60  # below this a chart has no room for its rows
OPEN_TIMEOUT = 45.0
RENDER_TIMEOUT = 60.0
CLOSE_TIMEOUT = 10.0
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_BROWSER = (
    "drawing images needs Chromium (or Chrome) and none was found; "
    "install Chromium: apt-get install chromium "
    "(or set BROWSER_PATH to a Chromium or Chrome program)"
)

T = TypeVar("T")


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


def _css_px(mm: float) -> int:
    return round(mm / MM_PER_INCH * CSS_PX_PER_INCH)


def _print_size(name: str, mm: float, height_mm: float | None = None) -> ImageSize:
    width = _css_px(mm)
    if height_mm is not None:
        height, tallest = float(_css_px(height_mm)), None
    else:
        height = None
        tallest = min(round(width * TALLEST.get(name, 1.0)), _css_px(MAX_MM))
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


def image_figure(
    case: Case, size: ImageSize, *, theme: str | None = None, **view: Any
) -> go.Figure:
    """The case's figure laid out for `size`, in `theme` (else the size's own theme)."""
    figure = build_figure(
        case,
        theme=theme or size.theme,
        width=size.width,
        height=size.height,
        max_height=size.max_height,
        ceiling=_css_px(MAX_MM) if size.max_height is not None else None,
        **view,
    )
    plot = figure.layout.meta["plot_px"]
    if size.height is not None and plot < LOWEST_PLOT_PX:
        need = round(size.height - plot + LOWEST_PLOT_PX * 3)
        mm = need / CSS_PX_PER_INCH * MM_PER_INCH
        wanted = f"{size.width}x{need}" if size.mm is None else f"a height of {mm:.0f} mm"
        raise ExportError(
            f"size {size.name} is too low for this figure: its title, axis and legend leave "
            f"no room for the chart; try {wanted} or more"
        )
    return figure


def browser_path() -> str:
    """The Chromium kaleido drives: BROWSER_PATH when set, else the first one on PATH."""
    given = os.environ.get("BROWSER_PATH")
    if given:
        if Path(given).is_file() and os.access(given, os.X_OK):
            return given
        raise ExportError(
            f"BROWSER_PATH is {given!r}, which is not a program; point it at Chromium or "
            "Chrome, or unset it; to install Chromium: apt-get install chromium"
        )
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ExportError(NO_BROWSER)


class ImageRenderer:
    """One headless Chromium, started once and kept for every image drawn through it.

    kaleido is asynchronous; its event loop runs in a thread of its own so that callers
    stay synchronous, and every wait has a time limit, so a stuck browser cannot hang a run.
    """

    def __init__(self, *, tabs: int = 2, timeout: float = RENDER_TIMEOUT) -> None:
        self.tabs = tabs
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None

    def __enter__(self) -> ImageRenderer:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Start Chromium (once); ExportError when there is none or it will not start."""
        if self._loop is not None:
            return
        path = browser_path()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="clinical-course-images", daemon=True
        )
        self._thread.start()
        try:
            self._kaleido = self._wait(self._start(path), OPEN_TIMEOUT, "start")
        except ExportError:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise ExportError(
                f"Chromium at {path} could not be started ({error}); {NO_BROWSER}"
            ) from None

    async def _start(self, path: str) -> Any:
        import kaleido

        # mathjax=False: kaleido would otherwise load MathJax from a CDN; nothing is fetched
        browser = kaleido.Kaleido(path=path, n=self.tabs, mathjax=False, timeout=self.timeout)
        await browser.open()
        return browser

    def image(self, figure: go.Figure | dict[str, Any], fmt: str, size: ImageSize) -> bytes:
        """The figure drawn as `fmt` (png, tif, svg, pdf) at `size`."""
        return finish(bytes(self._result(self._submit(figure, fmt, size), "draw")), fmt, size)

    def images(
        self, jobs: Iterable[tuple[go.Figure | dict[str, Any], str, ImageSize]]
    ) -> Iterator[bytes]:
        """Each (figure, format, size) drawn, in order; the browser's tabs work side by side
        while the next figures are being built."""
        waiting: deque[tuple[concurrent.futures.Future[Any], str, ImageSize]] = deque()
        try:
            for figure, fmt, size in jobs:
                waiting.append((self._submit(figure, fmt, size), fmt, size))
                if len(waiting) > self.tabs:
                    yield self._finished(*waiting.popleft())
            while waiting:
                yield self._finished(*waiting.popleft())
        finally:
            for future, _, _ in waiting:
                future.cancel()

    def _finished(self, future: concurrent.futures.Future[Any], fmt: str, size: ImageSize) -> bytes:
        return finish(bytes(self._result(future, "draw")), fmt, size)

    def _submit(
        self, figure: go.Figure | dict[str, Any], fmt: str, size: ImageSize
    ) -> concurrent.futures.Future[Any]:
        if fmt not in IMAGE_FORMATS:
            raise ExportError(f"cannot draw {fmt!r}; expected one of {', '.join(IMAGE_FORMATS)}")
        fmt = fmt if fmt in DRAWN else "png"
        self.open()
        assert self._loop is not None
        spec = figure if isinstance(figure, dict) else figure.to_dict()
        layout = spec.get("layout", {})
        height = size.height or layout.get("height") or round(size.width * 9 / 16)
        # A little over the exact ratio: the browser truncates width * scale to whole pixels.
        scale = (size.pixel_width + 0.25) / size.width if fmt == "png" else 1
        opts = {"format": fmt, "width": size.width, "height": height, "scale": scale}
        coroutine = self._kaleido.calc_fig(spec, opts=opts)
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def _wait(self, coroutine: Coroutine[Any, Any, T], timeout: float, doing: str) -> T:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return self._result(future, doing, timeout)  # type: ignore[no-any-return]

    def _result(
        self, future: concurrent.futures.Future[Any], doing: str, timeout: float | None = None
    ) -> Any:
        # a figure may wait behind one in every other tab before its own turn
        timeout = timeout or (self.timeout + 5) * (self.tabs + 1)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ExportError(
                f"Chromium did not {doing} the image within {timeout:g} s; try again, "
                "or check that Chromium runs (chromium --headless --version)"
            ) from None
        except ExportError:
            raise
        except Exception as error:
            if doing == "start":
                raise
            raise ExportError(f"Chromium could not draw the image: {error}") from None

    def close(self) -> None:
        """Stop Chromium and the thread that talks to it."""
        loop, thread, browser = self._loop, self._thread, self._kaleido
        self._loop = self._thread = self._kaleido = None
        if loop is None:
            return
        if browser is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(browser.close(), loop).result(CLOSE_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(CLOSE_TIMEOUT)
            if thread.is_alive():
                return  # leave a stuck loop to the daemon thread rather than hang here
        loop.close()


def finish(data: bytes, fmt: str, size: ImageSize) -> bytes:
    """What Chromium drew, made into the file: resolution for PNG, TIFF from the PNG, mm SVG."""
    if fmt == "svg":
        return physical_svg(data, size)
    if fmt == "png":
        return png_with_dpi(data, size.dpi or CSS_PX_PER_INCH)
    if fmt in ("tif", "tiff"):
        return tiff_from_png(data, size.dpi or CSS_PX_PER_INCH)
    return data


def png_with_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with its resolution in a pHYs chunk, right after the header (IHDR)."""
    per_metre = round(dpi / MM_PER_INCH * 1000)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    end_of_header = 8 + 4 + 4 + 13 + 4  # signature, length, type, IHDR data, CRC
    rest = _without_chunk(png[end_of_header:], b"pHYs")
    return png[:end_of_header] + chunk + rest


def _without_chunk(chunks: bytes, kind: bytes) -> bytes:
    out, at = [], 0
    while at < len(chunks):
        (length,) = struct.unpack(">I", chunks[at : at + 4])
        end = at + 12 + length
        if chunks[at + 4 : at + 8] != kind:
            out.append(chunks[at:end])
        at = end
    return b"".join(out)


def tiff_from_png(png: bytes, dpi: float) -> bytes:
    """A TIFF (RGB, LZW-compressed) of the PNG, carrying its resolution, as journals ask."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A") if image.mode == "RGBA" else None)
    out = io.BytesIO()
    flat.save(out, format="TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    return out.getvalue()


_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\swidth="([\d.]+)"\sheight="([\d.]+)"')


def physical_svg(svg: bytes, size: ImageSize) -> bytes:
    """An SVG of a print size with its width and height in millimetres (viewBox unchanged),
    and the print look's font embedded."""
    if size.mm is None:
        return svg
    text = svg.decode("utf-8")
    match = _SVG_SIZE.search(text, 0, 2000)
    if match is None:
        return svg
    # the promised width exactly; the height in proportion
    width = size.mm
    height = float(match.group(3)) * size.mm / float(match.group(2))
    sized = f'{match.group(1)} width="{width:.2f}mm" height="{height:.2f}mm"'
    opening = text.index(">", match.end()) + 1
    fonts = _embedded_fonts() if PRINT_FONT in text else ""
    return (
        text[: match.start()] + sized + text[match.end() : opening] + fonts + text[opening:]
    ).encode("utf-8")


PRINT_FONT = "Liberation Sans"  # the print look's font after Arial, with Arial's widths
FONT_FILES = {
    "normal": "LiberationSans-Regular.ttf",
    "bold": "LiberationSans-Bold.ttf",
}
FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


@functools.cache
def _embedded_fonts() -> str:
    """Liberation Sans (SIL Open Font License) inside the SVG as Arial, so the figure reads
    the same on a machine without either font; empty when the font is not installed."""
    faces = []
    for weight, name in FONT_FILES.items():
        found = next((folder / name for folder in FONT_FOLDERS if (folder / name).is_file()), None)
        if found is None:
            continue
        data = base64.b64encode(found.read_bytes()).decode("ascii")
        # as Arial, the first family the print look asks for
        faces.append(
            f'@font-face{{font-family:"Arial";font-weight:{weight};'
            f"src:url(data:font/ttf;base64,{data}) format('truetype')}}"
        )
    return f"<defs><style>{''.join(faces)}</style></defs>" if faces else ""


def write_image(
    case: Case,
    path: Path,
    *,
    theme: str | None = None,
    size: str | None = None,
    height_mm: float | None = None,
    dpi: int | None = None,
    renderer: ImageRenderer | None = None,
    **view: Any,
) -> Path:
    """Write the case's figure as the image `path`'s suffix names (png, tif, svg, pdf)."""
    image_size = image_size_for(path, size, theme=theme, height_mm=height_mm, dpi=dpi)
    if renderer is None:
        with ImageRenderer(tabs=1) as own:
            return _write([(case, path)], own, image_size, theme, view)[0]
    return _write([(case, path)], renderer, image_size, theme, view)[0]


def image_size_for(
    path: Path,
    size: str | None,
    *,
    theme: str | None = None,
    height_mm: float | None = None,
    dpi: int | None = None,
) -> ImageSize:
    """The size an image file is drawn at: TIFF defaults to 600 dpi, PNG to 300."""
    if dpi is None and _format(path) in ("tif", "tiff"):
        parsed = parse_size(size, theme=theme, height_mm=height_mm)
        return parsed.at_dpi(TIFF_DPI)
    return parse_size(size, theme=theme, height_mm=height_mm, dpi=dpi)


def write_images(
    targets: list[tuple[Case, Path]],
    renderer: ImageRenderer,
    *,
    theme: str | None = None,
    size: str | None = None,
    height_mm: float | None = None,
    dpi: int | None = None,
    **view: Any,
) -> list[Path]:
    """Write each case's figure to its path (format by suffix); one browser draws them all."""
    if not targets:
        return []
    image_size = image_size_for(targets[0][1], size, theme=theme, height_mm=height_mm, dpi=dpi)
    return _write(targets, renderer, image_size, theme, view)


def _write(
    targets: list[tuple[Case, Path]],
    renderer: ImageRenderer,
    image_size: ImageSize,
    theme: str | None,
    view: dict[str, Any],
) -> list[Path]:
    jobs = (
        (image_figure(case, image_size, theme=theme, **view), _format(path), image_size)
        for case, path in targets
    )
    return [
        write_atomic(path, data)
        for (_, path), data in zip(targets, renderer.images(jobs), strict=True)
    ]


def _format(path: Path) -> str:
    return path.suffix.lower().lstrip(".")
