"""The standalone case page, opened offline in a real Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, Route

from dashboard.cli import cli
from dashboard.export import ExportError, save
from dashboard.export.page import script_json
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


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "</SCRIPT >",
        "a <!-- b <script> c",
        "line\u2028separator\u2029paragraph",
        "x</",
    ],
)
def test_script_json_cannot_close_or_comment_out_its_script_element(text: str) -> None:
    """JSON put in a <script> element holds no `</` (which could close the element), no
    `<!--` (which changes how the browser reads the rest) and no raw line separators, and
    reads back as the same value; plotly's `<br>` markup is kept as written."""
    value = {"title": text, "label": "a<br>b", "list": [text]}
    written = script_json(value)
    assert "</" not in written and "<!--" not in written
    assert "\u2028" not in written and "\u2029" not in written
    assert "a<br>b" in written
    assert json.loads(written) == value


@pytest.mark.parametrize("name", ["case.yaml", "case.yml", "notes.txt", "figure"])
def test_save_refuses_a_suffix_it_cannot_tell_and_leaves_the_file_alone(
    tmp_path: Path, name: str
) -> None:
    """The format comes from the output's suffix: a case file's name is refused as one, any
    other suffix that names no format with the formats it could be; nothing is written over
    what is there."""
    path = tmp_path / name
    path.write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(CASE_FILES[0]), "-o", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output + result.stderr
    assert name in result.stderr
    if not name.endswith((".yaml", ".yml")):  # (a case file's name is refused as one)
        assert ".html, .json" in result.stderr
    said = r"looks like a case file" if name.endswith((".yaml", ".yml")) else r"\.html, \.json"
    with pytest.raises(ExportError, match=said):  # (whoever calls save)
        save(load_case(CASE_FILES[0]), path)
    assert path.read_text(encoding="utf-8") == "mine"
