"""Images of a case's figure (PNG, SVG, PDF), drawn by kaleido 1 in one headless Chromium.

Sizes are promises kept to the pixel: `slide` is 1920x1080, `column` 85 mm and `page`
180 mm at 300 dpi (1004 and 2126 px wide), `WxH` exactly that many pixels. Print sizes are
laid out at their physical width in CSS pixels (96 per inch), so an 11 px label prints at
8 pt, then scaled up to 300 dpi; for SVG and PDF the same layout sets the page size.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import difflib
import os
import re
import shutil
import threading
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

IMAGE_FORMATS = ("png", "svg", "pdf")
SIZE_WORDS = ("slide", "column", "page")
MM_PER_INCH = 25.4
CSS_PX_PER_INCH = 96
PRINT_DPI = 300
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
    height: int | None  # None: the figure's own height, from its rows
    scale: float
    theme: str  # the theme drawn when none is asked for
    mm: float | None = None  # the printed width, for print sizes

    @property
    def pixel_width(self) -> int:
        """The width of a PNG in pixels."""
        return round(self.width * self.scale)


def _print_size(name: str, mm: float) -> ImageSize:
    width = round(mm / MM_PER_INCH * CSS_PX_PER_INCH)
    pixels = round(mm / MM_PER_INCH * PRINT_DPI)
    return ImageSize(name, width, None, pixels / width, "print", mm)


SIZES = {
    "slide": ImageSize("slide", 1920, 1080, 1.0, "slides"),
    "column": _print_size("column", 85),
    "page": _print_size("page", 180),
}
_PIXELS = re.compile(r"(\d{1,5})\s*[x×]\s*(\d{1,5})", re.IGNORECASE)
SMALLEST, LARGEST = 100, 10_000


def parse_size(text: str | None, *, theme: str | None = None) -> ImageSize:
    """`slide`, `column`, `page` or `WxH` pixels; no size: slide for the slides theme, else page."""
    if text is None or not text.strip():
        return SIZES["slide" if theme == "slides" else "page"]
    word = text.strip().lower()
    if word in SIZES:
        return SIZES[word]
    pixels = _PIXELS.fullmatch(word)
    if pixels is None:
        close = difflib.get_close_matches(word, SIZE_WORDS, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ExportError(
            f"unknown size {text!r}; {hint}expected slide (1920x1080), column (85 mm), "
            "page (180 mm) or pixels as WxH, such as 1600x900"
        )
    width, height = int(pixels.group(1)), int(pixels.group(2))
    if not (SMALLEST <= width <= LARGEST and SMALLEST <= height <= LARGEST):
        raise ExportError(
            f"size {text!r} is out of range; width and height must each be "
            f"{SMALLEST} to {LARGEST:,} pixels"
        )
    return ImageSize(f"{width}x{height}", width, height, 1.0, "screen")


def image_figure(
    case: Case, size: ImageSize, *, theme: str | None = None, **view: Any
) -> go.Figure:
    """The case's figure laid out for `size`, in `theme` (else the size's own theme)."""
    return build_figure(
        case, theme=theme or size.theme, width=size.width, height=size.height, **view
    )


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
        """The figure drawn as `fmt` (png, svg, pdf) at `size`."""
        return bytes(self._result(self._submit(figure, fmt, size), "draw"))

    def images(
        self, jobs: Iterable[tuple[go.Figure | dict[str, Any], str, ImageSize]]
    ) -> Iterator[bytes]:
        """Each (figure, format, size) drawn, in order; the browser's tabs work side by side
        while the next figures are being built."""
        waiting: deque[concurrent.futures.Future[Any]] = deque()
        try:
            for figure, fmt, size in jobs:
                waiting.append(self._submit(figure, fmt, size))
                if len(waiting) > self.tabs:
                    yield bytes(self._result(waiting.popleft(), "draw"))
            while waiting:
                yield bytes(self._result(waiting.popleft(), "draw"))
        finally:
            for future in waiting:
                future.cancel()

    def _submit(
        self, figure: go.Figure | dict[str, Any], fmt: str, size: ImageSize
    ) -> concurrent.futures.Future[Any]:
        if fmt not in IMAGE_FORMATS:
            raise ExportError(f"cannot draw {fmt!r}; expected one of {', '.join(IMAGE_FORMATS)}")
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


_SVG_SIZE = re.compile(r'(<svg\b[^>]*?)\swidth="([\d.]+)"\sheight="([\d.]+)"')


def physical_svg(svg: bytes, size: ImageSize) -> bytes:
    """An SVG of a print size with its width and height in millimetres (viewBox unchanged)."""
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
    return (text[: match.start()] + sized + text[match.end() :]).encode("utf-8")


def write_image(
    case: Case,
    path: Path,
    *,
    theme: str | None = None,
    size: str | None = None,
    renderer: ImageRenderer | None = None,
    **view: Any,
) -> Path:
    """Write the case's figure as the image `path`'s suffix names (png, svg, pdf)."""
    if renderer is None:
        with ImageRenderer(tabs=1) as own:
            return write_image(case, path, theme=theme, size=size, renderer=own, **view)
    return write_images([(case, path)], renderer, theme=theme, size=size, **view)[0]


def write_images(
    targets: list[tuple[Case, Path]],
    renderer: ImageRenderer,
    *,
    theme: str | None = None,
    size: str | None = None,
    **view: Any,
) -> list[Path]:
    """Write each case's figure to its path (format by suffix); one browser draws them all."""
    image_size = parse_size(size, theme=theme)
    figures = (
        (image_figure(case, image_size, theme=theme, **view), path) for case, path in targets
    )
    return write_figures(figures, renderer, image_size)


def write_figures(
    figures: Iterable[tuple[go.Figure | dict[str, Any], Path]],
    renderer: ImageRenderer,
    size: ImageSize,
) -> list[Path]:
    """Write each figure, already laid out for `size`, to its path (format by suffix)."""
    targets: list[Path] = []

    def jobs() -> Iterator[tuple[go.Figure | dict[str, Any], str, ImageSize]]:
        for figure, path in figures:
            targets.append(path)
            yield figure, _format(path), size

    written: list[Path] = []
    for data in renderer.images(jobs()):
        path = targets[len(written)]
        if _format(path) == "svg":
            data = physical_svg(data, size)
        written.append(write_atomic(path, data))
    return written


def _format(path: Path) -> str:
    return path.suffix.lower().lstrip(".")
