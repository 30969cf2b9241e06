"""Series pages in the dashboard, driven in a real Chromium against a real server."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, TIMELINES, PageProblems
from tests.test_app import Server

OpenPage = Callable[..., tuple[Page, PageProblems]]
DATA = Path(__file__).parent / "data" / "series"
CHART = "#series-chart .js-plotly-plot"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("series")
    for path in DATA.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "typo.series.yaml").write_text("title: typo\nsort: anchr\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    running = Server(folder)
    yield running
    running.close()


def drawn(page: Page) -> dict[str, Any]:
    """The figure plotly draws now."""
    return page.evaluate(
        f"""() => {{ const gd = document.querySelector('{CHART}');
        return JSON.parse(JSON.stringify({{data: gd.data, layout: gd.layout}})); }}"""
    )


def wait_for(page: Page, condition: str) -> None:
    page.wait_for_function(
        f"(() => {{ const gd = document.querySelector('{CHART}');"
        f" return !!gd && !!gd.layout && !!gd.layout.meta && ({condition}); }})()",
        timeout=30000,
    )


def open_series(open_page: OpenPage, server: Server, query: str = "") -> tuple[Page, PageProblems]:
    page, problems = open_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server.url}/series/il6{query}")
    wait_for(page, "gd.data.length > 0")
    return page, problems


def test_index_lists_series_and_their_problems(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page()
    page.goto(server.url + "/")
    section = page.locator("section.series-index")
    expect(section.get_by_role("heading", name="Case series (3)")).to_be_visible()
    link = section.get_by_role(
        "link", name="Attacks before and after IL-6 receptor blockade (invented cases)"
    )
    expect(link).to_have_attribute("href", "/series/il6")
    expect(section).to_contain_text("aligned at start of IL-6 receptor antibody")
    expect(section).to_contain_text(
        "typo.series.yaml:2:7: sort: 'anchr' is not one of the allowed words"
    )
    # the series come before the filter box, which filters the cases only
    order = page.evaluate(
        "[...document.querySelectorAll('main.index > *')].map(e => e.className || e.tagName)"
    )
    assert order.index("series-index") < order.index("filter")
    problems.assert_clean()


def test_series_page_draws_rows_and_outcomes(open_page: OpenPage, server: Server) -> None:
    page, problems = open_series(open_page, server)
    figure = drawn(page)
    assert figure["layout"]["meta"]["rows"] == ["delta", "beta", "alpha"]
    assert len(figure["data"]) <= 20
    table = page.locator("table.outcomes")
    alpha = table.locator("tr", has=page.get_by_role("link", name="alpha", exact=True))
    expect(alpha.locator("td").first).to_have_text("400")
    expect(alpha.locator("td").nth(3)).to_have_text("2.74")  # ARR before, two decimals
    expect(table.locator("tr").last.locator("th")).to_have_text("all")
    expect(page.locator("#series-caption")).to_contain_text("ARR 2.7 before vs 0.9 on treatment")
    expect(page.locator("#series-header")).to_contain_text(
        "Left out, as their files have problems: broken"
    )
    # the row labels link to the cases
    hrefs = page.eval_on_selector_all(
        f"{CHART} .textpoint a",
        "links => links.map(a => a.getAttribute('href')"
        " || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))",
    )
    assert hrefs == ["/case/delta", "/case/beta", "/case/alpha"]
    page.get_by_role("link", name="alpha", exact=True).first.click()
    page.wait_for_url("**/case/alpha")
    problems.assert_clean()


def test_controls_write_the_view_into_the_url(open_page: OpenPage, server: Server) -> None:
    page, problems = open_series(open_page, server)
    page.locator("#series-sort").click()
    page.get_by_role("option", name="relapses").click()
    page.wait_for_url("**/series/il6?sort=relapses")
    page.locator("#series-group").click()
    page.get_by_role("option", name="none").click()
    page.wait_for_url("**/series/il6?sort=relapses&group=none")
    wait_for(page, "gd.layout.meta.rows.join() === 'alpha,delta,beta'")
    page.locator("#series-axis").click()
    page.get_by_role("option", name="Days").click()
    wait_for(page, "gd.layout.meta.axis === 'day'")
    page.get_by_label("From day").fill("-100")
    page.get_by_label("to", exact=True).fill("100")
    page.get_by_label("to", exact=True).press("Enter")
    wait_for(page, "gd.layout.xaxis.range[0] === -104")
    assert page.url.endswith("?sort=relapses&group=none&axis=day&from=-100&to=100")
    page.reload()
    wait_for(
        page, "gd.layout.meta.rows.join() === 'alpha,delta,beta' && gd.layout.meta.axis === 'day'"
    )
    problems.assert_clean()


def test_panels_view_from_the_url(open_page: OpenPage, server: Server) -> None:
    page, problems = open_series(open_page, server, "?view=panels")
    wait_for(page, "gd.layout.meta.panels && gd.layout.meta.panels.join() === 'alpha,beta'")
    expect(page.locator("#series-caption")).to_contain_text("(a) alpha: day 0 is onset. (b) beta")
    expect(page.locator("table.outcomes")).to_have_count(0)
    problems.assert_clean()


def test_outcomes_csv_download_and_missing_series(server: Server) -> None:
    from dashboard.series.load import load_series
    from dashboard.series.outcomes import compute, table, to_csv

    status, headers, body = server.get("/series-export/il6.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode() == to_csv(table(compute(load_series(server.folder / "il6.series.yaml"))))
    assert 'filename="il6-outcomes.csv"' in headers["Content-Disposition"]
    assert server.get("/series/nothing-here")[0] == 404
    assert server.get("/series-export/nothing-here.csv")[0] == 404
    status, _, page = server.get("/series-export/il6.html?view=panels")
    assert status == 200 and b"(a) alpha" in page


def test_an_open_series_page_follows_edits(open_page: OpenPage, server: Server) -> None:
    page, problems = open_series(open_page, server, "?axis=day&group=none&sort=id")
    path = server.folder / "beta.yaml"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(
            original.replace("events:\n", "events:\n  - {at: day 100, kind: relapse}\n", 1),
            encoding="utf-8",
        )
        relapses = "gd.data.find(t => t.name.startsWith('Relapse'))"
        wait_for(page, f"{relapses}.x.includes(30)")  # day 100, 30 days after the anchor on day 70
        expect(page.locator("table.outcomes")).to_contain_text("beta")
    finally:
        path.write_text(original, encoding="utf-8")
    problems.assert_clean()


LONG = Path(__file__).parent / "data" / "series-long"
PAGE_BOXES = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const chart = document.querySelector('#series-chart .js-plotly-plot');
  const traces = [...chart.querySelectorAll('.scatterlayer .trace')];
  const names = [...traces[traces.length - 1].querySelectorAll('.textpoint')];
  const scroll = chart.querySelector('.legend .scrollbar');
  const wrap = document.querySelector('.table-wrap');
  return {
    figure: box(chart.querySelector('.main-svg')),
    card: box(document.querySelector('.chart-wrap')),
    names: names.map(box),
    legend: box(chart.querySelector('.legend')),
    notes: [...chart.querySelectorAll('.annotation-text')].map(box),
    scrollbar: scroll ? scroll.getBoundingClientRect().height : 0,
    table: [wrap.scrollWidth, wrap.clientWidth],
    headings: [...document.querySelectorAll('table.outcomes thead th')].map(e => e.textContent),
  };
}"""


@pytest.fixture(scope="module")
def long_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("series-long")
    for path in LONG.iterdir():
        shutil.copy(path, folder / path.name)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    running = Server(folder)
    yield running
    running.close()


@pytest.mark.parametrize("viewport", [1400, 900])
def test_the_series_page_shows_its_whole_legend_names_and_table(
    open_page: OpenPage, long_server: Server, viewport: int
) -> None:
    """With long case titles in English, German and Japanese as row names: the legend is
    drawn whole, without a scroll bar, inside the figure; every row name and note lies
    inside the figure; the chart's card has no blank band under the figure; the outcome table fits
    its card, headed in words."""
    page, problems = open_page(viewport={"width": viewport, "height": 900})
    page.goto(f"{long_server.url}/series/il6-long")
    wait_for(page, "gd.data.length > 0")
    page.wait_for_selector("table.outcomes")
    boxes = page.evaluate(PAGE_BOXES)
    left, top, right, bottom = boxes["figure"]
    assert boxes["scrollbar"] == 0
    assert left <= boxes["legend"][0] and boxes["legend"][2] <= right + 0.5
    assert boxes["legend"][3] <= bottom
    assert len(boxes["names"]) == 4
    for name in [*boxes["names"], *boxes["notes"]]:
        assert left <= name[0] and name[2] <= right and top <= name[1] and name[3] <= bottom
    assert boxes["card"][3] - bottom < 16  # the card ends with the figure
    scroll_width, client_width = boxes["table"]
    assert scroll_width <= client_width
    assert "ARR before (95% CI)" in boxes["headings"]
    assert "Rate ratio after/before (95% CI)" in boxes["headings"]
    assert not any("_" in heading for heading in boxes["headings"])
    problems.assert_clean()


STAMP = (
    "import sys; from dashboard.app.cases import Library; "
    "from dashboard.app.series import folder_stamp; "
    "print(folder_stamp(Library(sys.argv[1], cache=False)))"
)


def test_the_change_stamp_is_the_same_in_every_server_process(tmp_path: Path) -> None:
    """An open series page polls the folder's change stamp and redraws when it changes: two
    server processes (behind one address, each with its own string hashing) give the same
    stamp for the same files, and a new one once a file changes."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in sorted(TIMELINES.glob("*.yaml"))[:3]:
        shutil.copy(path, folder / path.name)

    def stamps() -> set[str]:
        found = set()
        for seed in ("1", "2"):  # a fixed, different string hash in each process
            environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
            done = subprocess.run(
                [sys.executable, "-c", STAMP, str(folder)],
                env=environment,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            found.add(done.stdout.strip())
        return found

    before = stamps()
    assert len(before) == 1 and before != {""}
    first = sorted(folder.glob("*.yaml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = stamps()
    assert len(after) == 1 and after != before
