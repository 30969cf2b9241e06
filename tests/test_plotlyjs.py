"""The shipped plotly.js bundle: its version, and every figure the project draws drawn by it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from plotly.offline import get_plotlyjs_version
from plotly.utils import PlotlyJSONEncoder

from dashboard.export.slides import plan, slide_figure
from dashboard.figure import AXES, THEMES, figure_spec
from dashboard.load import load_case
from dashboard.plotlyjs import FILE, TRACE_TYPES, VERSION, plotly_js
from dashboard.series.figure import series_spec
from dashboard.series.load import load_series
from dashboard.series.panels import panels_spec
from tests.conftest import CASE_FILES, SERIES_FILES, PageProblems

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


def every_figure() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every figure the project draws: each case in every theme and axis (a calendar one where
    it has dates), its slides, and each series as rows and as panels in every theme."""
    for path in CASE_FILES:
        case = load_case(path)
        for theme in THEMES:
            for axis in AXES if case.day0.date is not None else AXES[:-1]:
                yield f"{path.name} {theme} {axis}", figure_spec(case, theme=theme, axis=axis)
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
