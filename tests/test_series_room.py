"""The series views keep every text in the room reserved for it, measured in its font: row
names, legend, titles, at column, page and slide size, checked in the laid-out figure and in
what a real Chromium draws from it."""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import plotly
import pytest
from playwright.sync_api import Browser

from dashboard.export.series import series_figure
from dashboard.figure import figure_spec
from dashboard.figure.themes import get_theme
from dashboard.fonts import FACES, lines_of, text_width
from dashboard.fonts.embed import linked_css
from dashboard.series.load import SeriesFile, load_series
from dashboard.series.outcomes import Rate
from dashboard.series.readable import headings, ratio_limits, readable_rows
from dashboard.series.room import LEGEND_SYMBOL_PX, entry_px

LONG = Path(__file__).parent / "data" / "series-long"
SERIES = sorted(LONG.glob("*.series.yaml"))
# (theme, width, height, max_height) as the image sizes lay them out
SIZES = {
    "column": ("print", 321, None, 906.0),
    "page": ("print", 680, None, 906.0),
    "slide": ("slides", 1920, 1080, None),
}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@pytest.fixture(scope="module", params=SERIES, ids=lambda path: path.name.split(".")[0])
def long_series(request: pytest.FixtureRequest) -> SeriesFile:
    return load_series(request.param)


def laid_out(series_file: SeriesFile, size: str, view: str = "series") -> dict[str, Any]:
    theme, width, height, max_height = SIZES[size]
    if view == "panels":
        return series_figure(series_file, view=view, theme=theme, width=width, height=height)
    return series_figure(
        series_file, theme=theme, width=width, height=height, max_height=max_height
    )


def squeezed(text: str) -> str:
    """A text without its spaces and hyphens: the same name however it was wrapped."""
    return re.sub(r"[\s\u00a0-]", "", text)


def names_trace(figure: dict[str, Any]) -> dict[str, Any]:
    (found,) = [t for t in figure["data"] if t.get("name") == "Cases"]
    return found


def legend_entries(figure: dict[str, Any]) -> list[str]:
    traces = figure["data"]
    return [t["name"] for t in traces if t.get("showlegend", True) is not False]


@pytest.mark.parametrize("size", SIZES)
def test_row_names_fit_their_margin_and_the_plot_keeps_half_the_width(
    long_series: SeriesFile, size: str
) -> None:
    """Every line of every row name, measured in its font, fits the left margin reserved
    for it, and the plot keeps at least half the figure's width; a name too long for its
    lines ends in an ellipsis and is given whole in the hover."""
    figure = laid_out(long_series, size)
    layout = figure["layout"]
    margin, width = layout["margin"], layout["width"]
    names = names_trace(figure)
    size_px = names["textfont"]["size"]
    for text, full in zip(names["text"], names["hovertext"], strict=True):
        lines = lines_of(text)
        assert all(text_width(line, size_px) <= margin["l"] + 0.5 for line in lines), lines
        shown, whole = squeezed("".join(lines)), squeezed(lines_of(full)[0])
        assert shown == whole or (shown.endswith("\u2026") and whole.startswith(shown[:-1]))
    assert (width - margin["l"] - margin["r"]) / width >= 0.5


@pytest.mark.parametrize("size", SIZES)
def test_the_legend_fits_the_room_reserved_for_it(long_series: SeriesFile, size: str) -> None:
    """Below the plot the legend's columns of its widest entry fit the figure's width and
    its rows of entries fit the bottom margin, under the time axis; beside the plot its
    entries fit the plot's height and the right margin. Either way it never scrolls."""
    figure = laid_out(long_series, size)
    layout = figure["layout"]
    legend, margin = layout["legend"], layout["margin"]
    entries = legend_entries(figure)
    font = legend["font"]["size"]
    widest = max(text_width(name, font) for name in entries)
    plot_h = layout["height"] - margin["t"] - margin["b"]
    if legend.get("orientation") == "h":
        columns = round(1 / legend["entrywidth"])
        assert columns * (widest + LEGEND_SYMBOL_PX) <= layout["width"] - margin["r"]
        rows = [entries[i : i + columns] for i in range(0, len(entries), columns)]
        height = sum(max(entry_px(name, font) for name in row) for row in rows)
        top = -legend["y"] * plot_h  # px under the plot
        assert top + height <= margin["b"]
        assert legend["maxheight"] >= height
    else:
        assert widest + LEGEND_SYMBOL_PX <= margin["r"]
        assert sum(entry_px(name, font) for name in entries) <= plot_h
    if size == "column":
        assert legend.get("orientation") == "h"


@pytest.mark.parametrize("size", SIZES)
def test_type_sizes_match_the_case_figures(long_series: SeriesFile, size: str) -> None:
    """The time axis' title and tick labels are as large as a case figure's of the same
    size; the panels' axis titles all have one size, no larger than a case figure's and no
    smaller than the size's smallest type."""
    theme, width, _, _ = SIZES[size]
    case = figure_spec(long_series.panels[0].case, theme=theme, width=width)["layout"]
    look = get_theme(theme)
    rows = laid_out(long_series, size)["layout"]
    assert rows["xaxis"]["title"]["font"]["size"] == case["xaxis"]["title"]["font"]["size"]
    assert rows["xaxis"]["tickfont"]["size"] == look.text_px(1.0)
    panels = laid_out(long_series, size, "panels")["layout"]
    sizes = {
        axis["title"]["font"]["size"]
        for key, axis in panels.items()
        if key.startswith("xaxis") and axis.get("title", {}).get("text")
    }
    assert len(sizes) == 1
    assert look.smallest <= sizes.pop() <= case["xaxis"]["title"]["font"]["size"]


def test_label_title_at_column_size_keeps_the_plot_and_the_legend_inside() -> None:
    """`label: title` in a journal column: long titles wrap to the margin, the plot keeps
    half the width, and the figure is no taller than a page."""
    series_file = load_series(LONG / "il6-long.series.yaml")
    assert series_file.series.label == "title"
    layout = laid_out(series_file, "column")["layout"]
    assert layout["height"] <= 906
    assert (321 - layout["margin"]["l"] - layout["margin"]["r"]) / 321 >= 0.5
    assert any("<br>" in text for text in names_trace(laid_out(series_file, "column"))["text"])


def test_the_outcome_table_is_headed_in_words_with_two_decimals() -> None:
    """The table a clinician reads: worded headings with the score's name, rates and years
    to two decimals with the pooled limits beside them, scores as the file writes them."""
    series_file = load_series(LONG / "il6-long.series.yaml")
    names = headings(series_file)
    assert "ARR before (95% CI)" in names and "EDSS at anchor" in names
    assert not any("_" in name for name in names)
    rows = readable_rows(series_file)
    by_case = {row[0]["text"]: [cell["text"] for cell in row] for row in rows}
    tocilizumab = by_case["nmosd-tocilizumab-en"]
    assert tocilizumab[names.index("Years before")] == "2.42"
    assert tocilizumab[names.index("EDSS at anchor")] == "6"
    assert tocilizumab[names.index("EDSS at last visit")] == "5"
    pooled = by_case["all"][names.index("ARR before (95% CI)")]
    assert pooled.startswith("1.43 (0.69") and pooled.endswith("2.63)")
    assert by_case["myelitis-ohne-anker-de"][1] == "no anchor"


def test_the_rate_ratio_limits_are_exact() -> None:
    """The conditional (Clopper-Pearson) limits of a rate ratio: with as many attacks and
    years before as after, they straddle 1; one attack after of ten gives the published
    exact interval's upper limit of the binomial share, turned into a ratio."""
    low, high = ratio_limits(Rate(5, 2.0), Rate(5, 2.0))
    assert low is not None and high is not None and low < 1 < high
    low, high = ratio_limits(Rate(9, 1.0), Rate(1, 1.0))
    assert low is not None and high is not None
    # share after: Clopper-Pearson of 1/10 is 0.00253..0.445
    assert low == pytest.approx(0.00253 / (1 - 0.00253), rel=0.01)
    assert high == pytest.approx(0.445 / (1 - 0.445), rel=0.01)
    assert ratio_limits(Rate(0, 1.0), Rate(2, 1.0)) == (None, None)


DRAWN = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const all = (s) => [...document.querySelectorAll(s)];
  const traces = all('.scatterlayer .trace');
  const names = traces.length ? [...traces[traces.length - 1].querySelectorAll('.textpoint')] : [];
  const scroll = document.querySelector('.legend .scrollbar');
  return {
    figure: box(document.querySelector('.main-svg')),
    names: names.map(box),
    ticks: all('.xaxislayer-above text').map(box),
    rows: all('.yaxislayer-above text').map(box),
    title: all('.g-xtitle text, .g-x2title text, .g-x3title text').map(box),
    texts: all('.annotation-text, .legendtext, .g-gtitle text').map(
      (e) => [e.textContent, ...box(e)]),
    scrollbar: scroll ? scroll.getBoundingClientRect().height : 0,
  };
}"""


@pytest.fixture(scope="module")
def drawing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page on 127.0.0.1 with plotly.js and the shipped fonts declared as the outputs
    declare them; its address."""
    folder = tmp_path_factory.mktemp("drawing")
    (folder / "fonts").mkdir()
    for face in FACES:
        (folder / "fonts" / face.file).symlink_to(face.path)
    (folder / "plotly.min.js").symlink_to(PLOTLY_JS)
    fonts = linked_css(lambda face: f"fonts/{face.file}")
    (folder / "index.html").write_text(
        f"<html><head><style>{fonts}</style><script src='plotly.min.js'></script></head>"
        "<body style='margin:0'><div id='chart'></div></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/index.html"
    server.shutdown()
    server.server_close()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def draw(browser: Browser, address: str, figure: dict[str, Any]) -> dict[str, Any]:
    """The text boxes plotly.js draws of `figure` in Chromium, in the shipped fonts."""
    page = browser.new_page()
    try:
        page.goto(address)
        page.evaluate(
            """async (f) => {
              await Promise.allSettled([...document.fonts].map((face) => face.load()));
              await Plotly.newPlot('chart', f.data, f.layout, {staticPlot: true});
            }""",
            json.loads(json.dumps(figure)),
        )
        return dict(page.evaluate(DRAWN))
    finally:
        page.close()


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def inside(box: list[float], figure: list[float]) -> bool:
    return (
        box[0] >= figure[0] - 0.5
        and box[2] <= figure[2] + 0.5
        and box[1] >= figure[1] - 0.5
        and box[3] <= figure[3] + 0.5
    )


@pytest.mark.parametrize("view", ["series", "panels"])
@pytest.mark.parametrize("size", SIZES)
def test_chromium_draws_every_text_inside_the_figure(
    browser: Browser, drawing_server: str, long_series: SeriesFile, size: str, view: str
) -> None:
    """Drawn by plotly.js in Chromium: every row name, title, note and legend entry lies
    inside the figure; no two row names (of the rows view, or of the panels' rows and
    axes) overlap; the time axis' title lies clear of its tick labels; the legend has no
    scroll bar."""
    figure = laid_out(long_series, size, view)
    drawn = draw(browser, drawing_server, figure)
    whole = drawn["figure"]
    for box in drawn["names"]:
        assert inside(box, whole), box
    for text, *box in drawn["texts"]:
        assert inside(box, whole), (text, box, whole)
    for names in (drawn["names"] if view == "series" else [], drawn["rows"]):
        for first, second in itertools.combinations(names, 2):
            assert not overlap(first, second), (first, second)
    for title in drawn["title"]:
        assert not any(overlap(title, tick) for tick in drawn["ticks"]), title
    assert drawn["scrollbar"] == 0
