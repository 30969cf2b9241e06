"""The shipped plotly.js bundle: its version, and every figure the project draws drawn by it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from plotly.offline import get_plotlyjs_version
from plotly.utils import PlotlyJSONEncoder

from dashboard.export.deck import save_deck
from dashboard.export.slides import plan, slide_figure
from dashboard.figure import AXES, THEMES, figure_spec
from dashboard.load import load_case
from dashboard.plotlyjs import FILE, TRACE_TYPES, VERSION, plotly_js
from dashboard.series.figure import series_spec
from dashboard.series.load import load_series
from dashboard.series.panels import panels_spec
from tests.conftest import CASE_FILES, SERIES_FILES, PageProblems, copy_of_timelines
from tests.test_app import Server

DRAW_JS = """
async (text) => {
  const figure = JSON.parse(text);
  const div = document.getElementById('chart');
  Plotly.purge(div);
  await Plotly.newPlot(div, figure.data, figure.layout, {staticPlot: true});
  // a trace of a type the bundle lacks is kept as an invisible scatter
  return div._fullData.map((trace) => trace.type);
}
"""


# The views a case page offers beside its theme and axis: as wide as the page, a journal
# column (its key below the plot), parts hidden, a window of the course, the course so far.
VIEWS: dict[str, dict[str, Any]] = {
    "fluid": {"fluid": True},
    "column": {"theme": "print", "width": 500},
    "events hidden": {"hide": ["events"]},
    "treatments hidden": {"hide": ["treatments"]},
    "window": {"window": (0, 120)},
    "revealed to day 60": {"reveal": 60.0},
}


def every_figure() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every figure the project draws: each case in every theme and axis (a calendar one where
    it has dates) and every other view of its page, its slides, and each series as rows and
    as panels in every theme."""
    for path in CASE_FILES:
        case = load_case(path)
        for theme in THEMES:
            for axis in AXES if case.day0.date is not None else AXES[:-1]:
                yield f"{path.name} {theme} {axis}", figure_spec(case, theme=theme, axis=axis)
        for view, options in VIEWS.items():
            yield f"{path.name} {view}", figure_spec(case, **options)
        for index, slide in enumerate(plan(case)):
            yield f"{path.name} slide {index}", slide_figure(case, slide).to_plotly_json()
    for path in SERIES_FILES:
        series_file = load_series(path)
        for theme in THEMES:
            yield f"{path.name} rows {theme}", series_spec(series_file, theme=theme)
            if series_file.panels:
                yield f"{path.name} panels {theme}", panels_spec(series_file, theme=theme)


FIGURES = dict(every_figure())


def test_the_bundle_is_the_version_plotly_builds_figures_for() -> None:
    """Figures are built by the installed plotly for its own plotly.js; the shipped bundle is
    that version, as its first line and its record beside it say."""
    assert get_plotlyjs_version() == VERSION
    assert f"v{VERSION}" in plotly_js()[:200]
    assert f"version {VERSION}" in (FILE.parent / "README.md").read_text(encoding="utf-8")
    licence = (FILE.parent / "LICENSE-plotly.js.txt").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")


def test_every_figure_uses_only_trace_types_the_bundle_holds() -> None:
    """No case, slide or series figure has a trace the bundle cannot draw."""
    used = {trace.get("type", "scatter") for spec in FIGURES.values() for trace in spec["data"]}
    assert used, "no figure was built"
    assert used <= TRACE_TYPES, f"traces the bundle cannot draw: {used - TRACE_TYPES}"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_draws_with_the_bundle_without_error(
    name: str, drawing_page: tuple[Any, PageProblems]
) -> None:
    """Chromium, with the shipped bundle alone, draws every trace of every figure, and the
    console stays clean."""
    page, problems = drawing_page
    text = json.dumps(FIGURES[name], cls=PlotlyJSONEncoder)
    drawn = page.evaluate(DRAW_JS, text)
    assert drawn == [trace.get("type", "scatter") for trace in FIGURES[name]["data"]]
    problems.assert_clean()


@pytest.fixture(scope="module")
def drawing_page(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One page holding the shipped bundle, and nothing else of plotly."""
    folder: Path = tmp_path_factory.mktemp("bundle")
    (folder / "page.html").write_text(
        f"<!doctype html><div id='chart'></div><script src='{FILE.as_uri()}'></script>",
        encoding="utf-8",
    )
    context = browser.new_context()
    problems = PageProblems()
    page = problems.watch(context.new_page())
    page.goto((folder / "page.html").as_uri())
    page.wait_for_function("() => window.Plotly !== undefined")
    yield page, problems
    context.close()


def test_the_bundle_holds_only_the_trace_types_it_says(
    drawing_page: tuple[Any, PageProblems],
) -> None:
    """The shipped file is the bundle built for the figures, not a larger one: plotly.js
    itself lists scatter and bar as the trace types it can draw."""
    page, _ = drawing_page
    assert page.evaluate("() => Plotly.version") == VERSION
    traces = page.evaluate("() => Object.keys(Plotly.PlotSchema.get().traces).sort()")
    assert set(traces) == TRACE_TYPES


TEACHING_CASES = [path for path in CASE_FILES if load_case(path).teaching.steps]


@pytest.mark.parametrize("path", TEACHING_CASES, ids=[path.stem for path in TEACHING_CASES])
def test_every_slide_of_every_deck_draws_with_the_bundle(
    path: Path, open_page: Any, tmp_path: Path
) -> None:
    """A teaching deck, one file with the bundle inline, draws the chart of every slide, each
    question's and its answer's, without a console error."""
    case = load_case(path)
    deck = save_deck(case, tmp_path / "deck.html", case_id=path.stem)
    page, problems = open_page(viewport={"width": 1280, "height": 720})
    page.goto(deck.as_uri())
    total = len(case.teaching.steps) + 2  # a title, each step, the whole course
    shown = ".slide:not([hidden])"
    charts = 0
    for number in range(1, total + 1):
        expect(page.locator(".counter")).to_have_text(f"{number} / {total}")
        if page.locator(f"{shown} .chart").count():
            page.wait_for_selector(f"{shown} .js-plotly-plot .main-svg")
            charts += 1
            if page.locator(f"{shown} .reveal-answer").count():
                page.keyboard.press("a")  # the answer's chart, in place of the question's
                button = page.locator(f"{shown} .reveal-answer")
                expect(button).to_have_attribute("aria-expanded", "true")
                page.wait_for_selector(f"{shown} .js-plotly-plot .main-svg")
        page.keyboard.press("ArrowRight")
    assert charts >= len(case.teaching.steps)
    problems.assert_clean()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The dashboard on a copy of timelines/, on 127.0.0.1."""
    served = Server(copy_of_timelines(tmp_path_factory.mktemp("timelines")))
    yield served
    served.close()


SHIPPED = "() => [Plotly.version, Object.keys(Plotly.PlotSchema.get().traces).sort()]"


@pytest.mark.parametrize("theme", THEMES)
def test_the_dashboard_draws_cases_and_series_with_the_bundle(
    theme: str, server: Server, open_page: Any
) -> None:
    """The dashboard's case and series pages, in every theme, draw with the shipped bundle
    (not Dash's own plotly.js), without a console error."""
    series = SERIES_FILES[0].name.removesuffix(".series.yaml")
    for path, chart in (
        (f"/case/{CASE_FILES[0].stem}", "#chart"),
        (f"/series/{series}", "#series-chart"),
    ):
        page, problems = open_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{server.url}{path}?theme={theme}")
        page.wait_for_selector(f"{chart} .js-plotly-plot .main-svg", timeout=30_000)
        assert page.evaluate(SHIPPED) == [VERSION, sorted(TRACE_TYPES)]
        problems.assert_clean()


def test_the_presentation_draws_every_slide_with_the_bundle(server: Server, open_page: Any) -> None:
    """/present steps through every slide of a teaching case, each chart drawn by the shipped
    bundle, without a console error."""
    path = TEACHING_CASES[0]
    total = len(load_case(path).teaching.steps) + 2
    page, problems = open_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server.url}/present/{path.stem}")
    for number in range(1, total + 1):
        expect(page.locator(".counter")).to_have_text(f"{number} / {total}")
        if page.locator(".slide:not([hidden]) .chart").count():
            page.wait_for_selector(".slide:not([hidden]) .js-plotly-plot .main-svg")
        page.keyboard.press("ArrowRight")
    assert page.evaluate(SHIPPED) == [VERSION, sorted(TRACE_TYPES)]
    problems.assert_clean()
