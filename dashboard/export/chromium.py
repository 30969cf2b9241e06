"""One headless Chromium, driven by Playwright, that draws figures with the shipped fonts and
reads back what it drew.

Each tab holds a page with plotly.js and the shipped fonts declared; before a figure is
drawn, the faces its texts need are loaded (so plotly lays out its legend with the fonts
the layout measured). A figure is drawn live,
its text boxes read back (`drawn.MEASURE_JS`), then written: PNG as a screenshot at the
file's resolution, SVG as plotly exports it, PDF through Chromium's printer, which embeds
the TrueType fonts as CID fonts. Nothing is fetched from the network.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any

from dashboard.export.drawn import MEASURE_JS, Drawn
from dashboard.fonts import FACES, FAMILY
from dashboard.fonts.embed import linked_css
from dashboard.plotlyjs import plotly_js

ORIGIN = "http://clinical-course.invalid"  # answered by the page's own route, never the network
FLAGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--font-render-hinting=none",  # glyph advances as the font files give them
)
PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<style>{fonts}
@page {{ margin: 0; }}
html, body {{ margin: 0; padding: 0; background: transparent; overflow: hidden; }}
#figure {{ position: absolute; left: 0; top: 0; }}
</style>
<script src="{origin}/plotly.js"></script>
<script>window.measureDrawn = {measure};</script>
</head><body><div id="figure"></div></body></html>
"""
DRAW_JS = """
async ([data, layout, family]) => {
  const div = document.getElementById('figure');
  Plotly.purge(div);
  // the faces this figure's texts need, loaded before plotly measures its legend with them
  const texts = JSON.stringify([data, layout]);
  await Promise.all([document.fonts.load('16px ' + family, texts),
                     document.fonts.load('bold 16px ' + family, texts)]);
  div.style.width = layout.width + 'px';
  div.style.height = layout.height + 'px';
  await Plotly.newPlot(div, data, layout, {staticPlot: true, displayModeBar: false});
  await document.fonts.ready;
  return window.measureDrawn(div);
}
"""
SVG_JS = """
([width, height]) => Plotly.toImage(document.getElementById('figure'),
                                   {format: 'svg', width: width, height: height})
"""


def _files() -> dict[str, tuple[bytes, str]]:
    files = {"/plotly.js": (plotly_js().encode("utf-8"), "text/javascript")}
    for face in FACES:
        files[f"/fonts/{face.file}"] = (face.path.read_bytes(), "font/ttf")
    return files


class Chromium:
    """A browser of `tabs` pages per resolution, for one asyncio loop (the caller's)."""

    def __init__(self, path: str, tabs: int, timeout: float) -> None:
        self.path, self.tabs, self.timeout = path, tabs, timeout
        self._playwright: Any = None
        self._browser: Any = None
        self._pools: dict[float, asyncio.Queue[Any]] = {}
        self._made: dict[float, int] = {}
        self._files = _files()
        fonts = linked_css(lambda face: f"{ORIGIN}/fonts/{face.file}")
        page = PAGE.format(fonts=fonts, origin=ORIGIN, measure=MEASURE_JS.strip())
        self._page = page.encode("utf-8")

    async def open(self) -> None:
        """Start the browser."""
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=self.path, args=list(FLAGS), timeout=self.timeout * 1000
        )

    async def close(self) -> None:
        """Stop the browser and Playwright's driver."""
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None

    async def _answer(self, route: Any) -> None:
        path = urllib.parse.urlsplit(route.request.url).path
        if path == "/":
            await route.fulfill(body=self._page, content_type="text/html; charset=utf-8")
        elif path in self._files:
            body, kind = self._files[path]
            await route.fulfill(body=body, content_type=kind)
        else:
            await route.abort()

    async def _new_page(self, scale: float) -> Any:
        context = await self._browser.new_context(device_scale_factor=scale)
        await context.route("**/*", self._answer)
        page = await context.new_page()
        page.set_default_timeout(self.timeout * 1000)
        await page.goto(f"{ORIGIN}/")
        return page

    async def _page_for(self, scale: float) -> Any:
        pool = self._pools.setdefault(scale, asyncio.Queue())
        if pool.empty() and self._made.get(scale, 0) < self.tabs:
            self._made[scale] = self._made.get(scale, 0) + 1
            return await self._new_page(scale)
        return await pool.get()

    async def draw(
        self, spec: dict[str, Any], fmt: str, width: int, height: float, scale: float
    ) -> tuple[bytes, Drawn]:
        """`spec` drawn at `width` x `height` CSS px: the file's bytes (PNG at `scale`
        device pixels per px, SVG or PDF) and what was drawn."""
        page = await self._page_for(scale if fmt == "png" else 1.0)
        try:
            layout = dict(spec.get("layout", {}), width=width, height=height, autosize=False)
            await page.set_viewport_size({"width": width, "height": max(1, round(height))})
            found = await page.evaluate(DRAW_JS, [spec.get("data", []), layout, FAMILY])
            drawn = Drawn.read(found)
            if fmt == "png":
                clip = {"x": 0, "y": 0, "width": width, "height": height}
                data = await page.screenshot(type="png", clip=clip, omit_background=False)
            elif fmt == "svg":
                url = await page.evaluate(SVG_JS, [width, height])
                data = urllib.parse.unquote(url.split(",", 1)[1]).encode("utf-8")
            else:
                data = await page.pdf(
                    width=f"{width}px",
                    height=f"{height}px",
                    print_background=True,
                    margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                    page_ranges="1",
                )
            return data, drawn
        finally:
            self._pools[scale if fmt == "png" else 1.0].put_nowait(page)
