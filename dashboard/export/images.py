"""Images of a case's figure (PNG, TIFF, SVG, PDF), drawn by one headless Chromium.

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
import concurrent.futures
import contextlib
import dataclasses
import io
import math
import os
import re
import shutil
import threading
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeAlias, TypeVar

import plotly.graph_objects as go

from dashboard.export.base import ExportError, write_atomic
from dashboard.export.chromium import Chromium
from dashboard.export.drawn import Drawn, check, to_key
from dashboard.export.imagefiles import physical_svg, png_with_dpi, tiff_from_png
from dashboard.export.sizes import (
    CSS_PX_PER_INCH,
    MAX_MM,
    MM_PER_INCH,
    SIZES,
    TIFF_DPI,
    ImageSize,
    css_px,
    parse_size,
)
from dashboard.figure import build_figure
from dashboard.model import Case
from dashboard.problems import FigureWarning

IMAGE_FORMATS = ("png", "tif", "tiff", "svg", "pdf")
DRAWN = ("png", "svg", "pdf")  # what Chromium draws; TIFF is made from the PNG
LOWEST_PLOT_PX = 60  # below this a chart has no room for its rows
LEAST_TYPE_SCALE = 0.5  # a size that would draw the type smaller than this share is refused
OPEN_TIMEOUT = 45.0
RENDER_TIMEOUT = 60.0
CLOSE_TIMEOUT = 10.0
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_BROWSER = (
    "drawing images needs Chromium (or Chrome) and none was found; "
    "install Chromium: apt-get install chromium "
    "(or set BROWSER_PATH to a Chromium or Chrome program)"
)

# layouts after the first: when the browser needed more room than reserved, then while
# labels beside their marks still overlap, are cut or hide a mark (each time sent to the key)
REDRAWS = 4
T = TypeVar("T")
Figure: TypeAlias = go.Figure | dict[str, Any]


@dataclass(frozen=True)
class Drawing:
    """A figure to draw, and how to lay it out again (`relayout(room)`) when the browser
    needed more room around the plot than the layout reserved, or drew labels beside their
    marks that must go to the key. Its layout's own warnings wait in `meta["warnings"]`
    (`build_figure(warn=False)`): only the last layout's are said."""

    figure: Figure
    relayout: Callable[[Room], Figure] | None = None


@dataclass(frozen=True)
class Room:
    """What the browser needed that the layout had not reserved: px above and below the
    plot (pushed margins), the plot's width as drawn (the legend and row labels set it) and
    the labels that did not fit beside their marks, by ref (`FigureOptions.keyed`)."""

    pushed: tuple[float, float] = (0.0, 0.0)
    plot_width: float | None = None
    keyed: frozenset[str] = frozenset()

    def view(self, keyed: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The layout options that reserve this room, with the labels `keyed` from the first."""
        return {
            "pushed": self.pushed,
            "plot_width": self.plot_width,
            "keyed": keyed | self.keyed,
        }


@dataclass(frozen=True)
class Image:
    """A figure drawn: the file's bytes, what the browser drew (read back), and the figure
    as it was laid out last."""

    data: bytes
    drawn: Drawn
    spec: dict[str, Any]


def image_figure(
    case: Case, size: ImageSize, *, theme: str | None = None, warn: bool = True, **view: Any
) -> go.Figure:
    """The case's figure laid out for `size`, in `theme` (else the size's own theme);
    `warn` False leaves its layout's warnings in `meta["warnings"]` (see `Drawing`)."""
    figure = build_figure(
        case,
        theme=theme or size.theme,
        width=size.width,
        height=size.height,
        max_height=size.max_height,
        ceiling=css_px(MAX_MM) if size.max_height is not None else None,
        warn=warn,
        **view,
    )
    meta = figure.layout.meta
    plot, scale = meta["plot_px"], meta.get("type_scale", 1.0)
    if size.height is not None and (plot < LOWEST_PLOT_PX or scale < LEAST_TYPE_SCALE):
        if not warn:
            say(meta["warnings"])
        if plot < LOWEST_PLOT_PX:
            need = round(size.height - plot + LOWEST_PLOT_PX * 3)
            why = "its title, axis and legend leave no room for the chart"
        else:
            need = int(meta["need_px"])  # the height that draws it at its own type
            why = f"its type would be drawn at {scale:.0%} of its size"
        mm = need / CSS_PX_PER_INCH * MM_PER_INCH
        wanted = f"{size.width}x{need}" if size.mm is None else f"a height of {mm:.0f} mm"
        raise ExportError(
            f"size {size.name} is too low for this figure: {why}; try {wanted} or more"
        )
    return figure


def image_drawing(case: Case, size: ImageSize, *, theme: str | None = None, **view: Any) -> Drawing:
    """The case's figure for `size`, with its own way to be laid out again."""
    view.pop("pushed", None)
    view.pop("plot_width", None)
    keyed = frozenset(view.pop("keyed", None) or ())

    def relayout(room: Room) -> go.Figure:
        return image_figure(case, size, theme=theme, warn=False, **view, **room.view(keyed))

    return Drawing(relayout(Room()), relayout)


def say(messages: Iterable[str]) -> None:
    """Each of a figure's warnings as a `FigureWarning`, said where the caller's caller is."""
    for message in messages:
        warnings.warn(message, FigureWarning, stacklevel=3)


def browser_path() -> str:
    """The Chromium that draws images: BROWSER_PATH when set, else the first one on PATH."""
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

    Playwright is asynchronous; its event loop runs in a thread of its own so that callers
    stay synchronous, and every wait has a time limit, so a stuck browser cannot hang a run.
    Every figure's drawn texts are read back and checked before its file is made; what a
    reader would see wrong is said as a `FigureWarning` naming the case and the texts.
    """

    def __init__(self, *, tabs: int = 2, timeout: float = RENDER_TIMEOUT) -> None:
        self.tabs = tabs
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._chromium: Chromium | None = None

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
            self._chromium = self._wait(self._start(path), OPEN_TIMEOUT, "start")
        except ExportError:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise ExportError(
                f"Chromium at {path} could not be started ({error}); {NO_BROWSER}"
            ) from None

    async def _start(self, path: str) -> Chromium:
        chromium = Chromium(path, self.tabs, self.timeout)
        await chromium.open()
        return chromium

    def image(self, figure: Figure | Drawing, fmt: str, size: ImageSize) -> bytes:
        """The figure drawn as `fmt` (png, tif, svg, pdf) at `size`."""
        return self.drawn_image(figure, fmt, size).data

    def drawn_image(self, figure: Figure | Drawing, fmt: str, size: ImageSize) -> Image:
        """The figure drawn as `fmt` at `size`, with what was drawn and its last layout."""
        return self._finished(self._submit(figure, fmt, size), fmt, size)

    def images(self, jobs: Iterable[tuple[Figure | Drawing, str, ImageSize]]) -> Iterator[bytes]:
        """Each (figure, format, size) drawn, in order; the browser's tabs work side by side
        while the next figures are being built."""
        waiting: deque[tuple[concurrent.futures.Future[Any], str, ImageSize]] = deque()
        try:
            for figure, fmt, size in jobs:
                waiting.append((self._submit(figure, fmt, size), fmt, size))
                if len(waiting) > self.tabs:
                    yield self._finished(*waiting.popleft()).data
            while waiting:
                yield self._finished(*waiting.popleft()).data
        finally:
            for future, _, _ in waiting:
                future.cancel()

    def _finished(self, future: concurrent.futures.Future[Any], fmt: str, size: ImageSize) -> Image:
        data, drawn, spec = self._result(future, "draw")
        # said once, for the layout drawn last: not each layout's own
        said = list((spec.get("layout", {}).get("meta") or {}).get("warnings") or ())
        problems = check(drawn)
        if problems:
            said.append(f"{figure_name(spec)}: {problems.describe()}")
        say(said)
        return Image(finish(bytes(data), fmt, size), drawn, spec)

    def _submit(
        self, figure: Figure | Drawing, fmt: str, size: ImageSize
    ) -> concurrent.futures.Future[Any]:
        if fmt not in IMAGE_FORMATS:
            raise ExportError(f"cannot draw {fmt!r}; expected one of {', '.join(IMAGE_FORMATS)}")
        fmt = fmt if fmt in DRAWN else "png"
        self.open()
        assert self._loop is not None and self._chromium is not None
        drawing = figure if isinstance(figure, Drawing) else Drawing(figure)
        coroutine = self._draw(drawing, fmt, size)
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _draw(
        self, drawing: Drawing, fmt: str, size: ImageSize
    ) -> tuple[bytes, Drawn, dict[str, Any]]:
        """Draw, and while the browser pushed the plot's margins past what the layout
        reserved (a longer tick label, a taller legend), lay out again with that room; then
        while labels beside their marks overlap, are cut or hide a mark, lay out again with
        them in the key. What is drawn last is returned, with its spec."""
        assert self._chromium is not None
        spec = _spec(drawing.figure)
        room = Room()
        for attempt in range(REDRAWS + 1):
            height = size.height or spec["layout"].get("height") or round(size.width * 9 / 16)
            scale = size.pixel_width / size.width if fmt == "png" else 1.0
            data, drawn = await asyncio.wait_for(
                self._chromium.draw(spec, fmt, size.width, height, scale), self.timeout
            )
            if drawing.relayout is None or attempt == REDRAWS:
                break
            more = _room(spec, drawn, room) or _keyed(spec, drawn, room)
            if more is None:
                break
            room = more
            spec = _spec(drawing.relayout(room))
        if fmt == "png":
            data = exact_pixels(data, round(size.width * scale), round(height * scale))
        return data, drawn, spec

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
        except (concurrent.futures.TimeoutError, TimeoutError):
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
        loop, thread, chromium = self._loop, self._thread, self._chromium
        self._loop = self._thread = self._chromium = None
        if loop is None:
            return
        if chromium is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(chromium.close(), loop).result(CLOSE_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(CLOSE_TIMEOUT)
            if thread.is_alive():
                return  # leave a stuck loop to the daemon thread rather than hang here
        loop.close()


def _spec(figure: Figure) -> dict[str, Any]:
    return figure if isinstance(figure, dict) else figure.to_dict()


def _room(spec: dict[str, Any], drawn: Drawn, room: Room) -> Room | None:
    """The room the next layout should reserve, when the drawing shows it needed more above
    or below the plot than reserved, or its plot is not as wide as the layout assumed."""
    layout = spec.get("layout", {})
    margin = layout.get("margin") or {}
    if not drawn.plot or "t" not in margin or "b" not in margin:
        return None
    top = max(0.0, drawn.plot["t"] - margin["t"])
    bottom = max(0.0, drawn.plot["b"] - margin["b"])
    assumed = (layout.get("meta") or {}).get("plot_width")
    wider = assumed is not None and abs(drawn.plot["w"] - assumed) > max(2.0, 0.01 * assumed)
    if top <= 0.5 and bottom <= 0.5 and not wider:
        return None
    pushed = (room.pushed[0] + math.ceil(top), room.pushed[1] + math.ceil(bottom))
    return Room(pushed, drawn.plot["w"], room.keyed)


def _keyed(spec: dict[str, Any], drawn: Drawn, room: Room) -> Room | None:
    """The room with the labels the drawing shows cannot stand beside their marks sent to
    the key (traced back through `meta["labels"]`); None when there are none left to send."""
    labels = (spec.get("layout", {}).get("meta") or {}).get("labels") or []
    sent = to_key(drawn, labels) - room.keyed
    return dataclasses.replace(room, keyed=room.keyed | sent) if sent else None


def figure_name(spec: dict[str, Any]) -> str:
    """What a warning calls a figure: its case's or series' title."""
    meta = spec.get("layout", {}).get("meta") or {}
    title = meta.get("case_title") or meta.get("title")
    if not title:
        title = (spec.get("layout", {}).get("title") or {}).get("text") or "the figure"
    return repr(re.sub(r"<[^>]+>", "", str(title)))


def exact_pixels(png: bytes, width: int, height: int) -> bytes:
    """The PNG at exactly `width` x `height` pixels: a screenshot at a fractional device
    scale can come out a pixel wider or taller, which a promised size does not allow."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        if image.size == (width, height):
            return png
        fitted = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    fitted.save(out, format="PNG")
    return out.getvalue()


def finish(data: bytes, fmt: str, size: ImageSize) -> bytes:
    """What Chromium drew, made into the file: resolution for PNG, TIFF from the PNG, mm SVG."""
    if fmt == "svg":
        return physical_svg(data, size)
    if fmt == "png":
        return png_with_dpi(data, size.dpi or CSS_PX_PER_INCH)
    if fmt in ("tif", "tiff"):
        return tiff_from_png(data, size.dpi or CSS_PX_PER_INCH)
    return data


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
    figure = image_drawing(case, image_size, theme=theme, **view)
    if renderer is None:
        with ImageRenderer(tabs=1) as own:
            return write_figures([(figure, path)], own, image_size)[0]
    return write_figures([(figure, path)], renderer, image_size)[0]


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
    figures = (
        (image_drawing(case, image_size, theme=theme, **view), path) for case, path in targets
    )
    return write_figures(figures, renderer, image_size)


def write_figures(
    figures: Iterable[tuple[Figure | Drawing, Path]],
    renderer: ImageRenderer,
    size: ImageSize,
) -> list[Path]:
    """Write each figure, already laid out for `size`, to its path (format by suffix)."""
    targets: list[Path] = []

    def jobs() -> Iterator[tuple[Figure | Drawing, str, ImageSize]]:
        for figure, path in figures:
            targets.append(path)
            yield figure, _format(path), size

    written: list[Path] = []
    for data in renderer.images(jobs()):
        written.append(write_atomic(targets[len(written)], data))
    return written


def _format(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


__all__ = [
    "CSS_PX_PER_INCH",
    "IMAGE_FORMATS",
    "MM_PER_INCH",
    "SIZES",
    "Drawing",
    "Image",
    "ImageRenderer",
    "ImageSize",
    "Room",
    "browser_path",
    "image_drawing",
    "image_figure",
    "image_size_for",
    "parse_size",
    "physical_svg",
    "write_figures",
    "write_image",
    "write_images",
]
