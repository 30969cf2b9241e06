"""The standalone case page, opened offline in a real Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from dashboard.export import save
from dashboard.load import load_case
from tests.conftest import CASE_FILES, ROOT, PageProblems

HOSTILE = ROOT / "tests" / "data" / "hostile.yaml"
OpenPage = Callable[..., tuple[Page, PageProblems]]


def open_offline(open_page: OpenPage, path: Path) -> tuple[Page, PageProblems, list[str]]:
    """Open a file with every network request refused, and record what was asked for."""
    page, problems = open_page()
    asked: list[str] = []

    def refuse(route: Route) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route("http*://**/*", refuse)
    page.goto(path.as_uri())
    return page, problems, asked


@pytest.mark.parametrize("case_file", CASE_FILES, ids=lambda path: path.stem)
def test_seed_case_page_draws_its_figure_offline(
    open_page: OpenPage, tmp_path: Path, case_file: Path
) -> None:
    case = load_case(case_file)
    output = save(case, tmp_path / f"{case_file.stem}.html")
    page, problems, asked = open_offline(open_page, output)
    page.wait_for_selector("#course-chart .main-svg")
    drawn = page.evaluate("document.getElementById('course-chart').data.length")
    assert drawn >= len({t.row for t in case.treatments}) // 4 + 1
    assert page.text_content("h1") == case.title
    assert page.locator("#course-account li").count() >= len(case.treatments)
    assert asked == [] and problems.failed_requests == []
    problems.assert_clean()


def test_hostile_case_stays_inert(open_page: OpenPage, tmp_path: Path) -> None:
    output = save(load_case(HOSTILE), tmp_path / "hostile.html")
    page, problems, asked = open_offline(open_page, output)
    page.wait_for_selector("#course-chart .main-svg")
    page.mouse.move(400, 400)
    page.hover("#course-chart .main-svg")
    assert page.evaluate("window.__pwned") is None
    assert page.text_content("h1") == load_case(HOSTILE).title
    assert "<script>window.__pwned = 'summary'</script>" not in page.content()
    assert page.locator("script").count() == 2, "only plotly.js and the figure's own script"
    assert asked == []
    problems.assert_clean()


HOVER_FIRST_POINT = """(name) => {
    const chart = document.getElementById('course-chart');
    const curve = chart.data.findIndex((trace) => trace.name === name);
    const subplot = 'x' + chart.data[curve].yaxis;
    Plotly.Fx.hover(chart, [{curveNumber: curve, pointNumber: 0}], subplot);
}"""


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("{day 0: 3, ~day 30: 4.5}", "EDSS: 3<br>day 0 (1 Apr 2015)"),
        ("{~2015-04: ~3, 2015-06: 4.5}", "EDSS: 3<br>~Apr 2015 (day 0) (approximate)"),
    ],
    ids=["dated", "month"],
)
def test_measurement_hover_shows_both_times(
    open_page: OpenPage, tmp_path: Path, values: str, expected: str
) -> None:
    case_file = tmp_path / "dated.yaml"
    case_file.write_text(
        "title: Dated\nday0: {date: 2015-04-01}\n"
        f"measurements:\n  - {{name: EDSS, style: step, values: {values}}}\n"
    )
    output = save(load_case(case_file), tmp_path / "dated.html")
    page, problems, _ = open_offline(open_page, output)
    page.wait_for_selector("#course-chart .main-svg")
    page.evaluate(HOVER_FIRST_POINT, "EDSS")
    label = page.locator("#course-chart .hoverlayer .hovertext").first
    label.wait_for()
    shown = label.inner_html()
    lines = [re.sub("<[^>]+>", "", line) for line in re.split("<tspan[^>]*dy[^>]*>", shown)]
    assert "<br>".join(line for line in lines if line) == expected, shown
    problems.assert_clean()
