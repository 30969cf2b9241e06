"""The dashboard in a real Chromium against a real server on 127.0.0.1 (one server per module).

The server reads a temporary copy of `timelines/` plus a broken file, a hostile case and a case
with an image, so tests can edit files as a user would.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from dashboard.app import create_app
from tests.conftest import CASE_FILES, ROOT, PageProblems, copy_of_timelines

OpenPage = Callable[..., tuple[Page, PageProblems]]
CASE = "nomura-2025-case2"
BROKEN = "treatments:\n  - drug: x\n    start: day 1\n    end: [\ntitle: broken\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2c4b0a40000000049454e44ae426082"
)
IMAGING = """title: Imaging demo
day0: {label: onset}
events:
  - {at: day 0, kind: onset, label: onset}
  - {at: day 20, kind: imaging, label: spinal MRI, detail: T2 lesion C2-C6, image: images/mri.png}
  - {at: day 40, kind: imaging, label: vector, image: images/drawing.svg}
"""
HOSTILE_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
CHART = "#chart .js-plotly-plot"


class Server:
    """The app on a free port of 127.0.0.1, in a thread of this process."""

    def __init__(self, folder: Path, *, wait: bool = True) -> None:
        self.folder = folder
        self._server = make_server("127.0.0.1", 0, create_app(folder).server, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        if wait:  # (until the folder is read)
            wait_until_serving(self.url)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return fetch(self.url + path)

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join()


def fetch(url: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET; error statuses are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def post_rows(url: str, grid: str, request: Any = None) -> tuple[int, bytes]:
    """An index table's request for rows (by default its first), as the browser sends it."""
    body: dict[str, Any] = {
        "output": f"{grid}-grid.getRowsResponse",
        "outputs": {"id": f"{grid}-grid", "property": "getRowsResponse"},
        "inputs": [
            {
                "id": f"{grid}-grid",
                "property": "getRowsRequest",
                "value": request
                if request is not None
                else {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}},
            }
        ],
        "changedPropIds": [f"{grid}-grid.getRowsRequest"],
        "state": [],
    }
    if grid == "case":  # the count beside the filter box is an output of the same callback
        body["output"] = "..case-grid.getRowsResponse...case-count.children.."
        body["outputs"] = [body["outputs"], {"id": "case-count", "property": "children"}]
    request = urllib.request.Request(
        url + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_serving(url: str, timeout: float = 30.0) -> None:
    """Poll the health route until it answers that the folder is read ("ok", not
    "starting")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if fetch(url + "/healthz")[2] == b"ok":
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"no server at {url} after {timeout} s")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_of_timelines(tmp_path_factory.mktemp("timelines"))
    shutil.copy(ROOT / "tests" / "data" / "hostile.yaml", folder / "hostile.yaml")
    (folder / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (folder / "imaging-demo.yaml").write_text(IMAGING, encoding="utf-8")
    (folder / "images").mkdir()
    (folder / "images" / "mri.png").write_bytes(PNG)
    (folder / "images" / "drawing.svg").write_text(HOSTILE_SVG, encoding="utf-8")
    (folder.parent / "secret.png").write_bytes(PNG)
    return folder


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Server(folder)
    yield server
    server.close()


def open_case(open_page: OpenPage, server: Server, query: str = "", case: str = CASE) -> Any:
    page, problems = open_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server.url}/case/{case}{query}")
    page.wait_for_selector(f"{CHART} .main-svg")
    page.wait_for_function("document.querySelector('#chart .js-plotly-plot').data.length > 0")
    return page, problems


def figure(page: Page) -> dict[str, Any]:
    """The data and layout plotly is drawing now."""
    return page.evaluate(
        """() => { const gd = document.querySelector('#chart .js-plotly-plot');
        return JSON.parse(JSON.stringify({data: gd.data, layout: gd.layout})); }"""
    )


def wait_for_figure(page: Page, condition: str) -> None:
    """Wait until `condition` (JS over gd) holds for the drawn chart."""
    page.wait_for_function(
        f"(() => {{ const gd = document.querySelector('#chart .js-plotly-plot');"
        f" return !!gd && !!gd.layout && ({condition}); }})()",
        timeout=5000,
    )


def refs(data: list[dict[str, Any]]) -> list[str]:
    return [
        point[0]
        for trace in data
        for point in (trace.get("customdata") or [])
        if isinstance(point, list) and point and isinstance(point[0], str)
    ]


# -- the index -------------------------------------------------------------------------------


ROWS = "#case-grid .ag-center-cols-container .ag-row"
PROBLEM_ROWS = "#problem-grid .ag-center-cols-container .ag-row"


def test_index_lists_cases_and_files_with_problems(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/")
    rows = page.locator(ROWS)
    expect(rows.first).to_be_visible()
    expect(rows).to_have_count(len(CASE_FILES) + 2)
    expect(page.locator("#case-count")).to_have_text("5 cases")
    expect(page.get_by_role("link", name="Imaging demo")).to_have_attribute(
        "href", "/case/imaging-demo"
    )
    nomura = rows.filter(has_text="Case 2 – NMOSD")
    expect(nomura.locator("[col-id=drugs]")).to_have_text("5")
    expect(nomura.locator("[col-id=relapses]")).to_have_text("4")
    section = page.locator("section.problems")
    expect(section.get_by_role("heading")).to_contain_text("Files with problems (1)")
    expect(page.locator(PROBLEM_ROWS)).to_have_count(1)
    expect(section).to_contain_text("broken.yaml")
    assert re.search(r"broken\.yaml:\d+:\d+: ", section.inner_text())
    assert page.evaluate("window.__pwned") is None
    problems.assert_clean()


def test_index_filter_matches_drugs_and_diagnoses(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/")
    rows = page.locator(ROWS)
    expect(rows.first).to_be_visible()
    page.get_by_label("Filter cases").fill("satralizumab")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("NMOSD")
    expect(page.locator("#case-count")).to_have_text("1 of 5 cases")
    expect(page).to_have_url(server.url + "/?q=satralizumab")
    page.get_by_label("Filter cases").fill("no such drug at all")
    expect(rows).to_have_count(0)
    expect(page.locator("#case-count")).to_have_text("0 of 5 cases")
    page.get_by_label("Filter cases").fill("")
    expect(rows).to_have_count(len(CASE_FILES) + 2)
    problems.assert_clean()


def test_a_filtered_index_can_be_shared_as_a_link(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/?q=myasthenia")
    expect(page.get_by_label("Filter cases")).to_have_value("myasthenia")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS).first).to_contain_text("Case 1 – macrophage activation")
    page.goto(server.url + "/?q=broken")  # the filter applies to the files with problems too
    expect(page.locator(PROBLEM_ROWS)).to_have_count(1)
    page.goto(server.url + "/?q=nothing-has-this")
    expect(page.locator(PROBLEM_ROWS)).to_have_count(0)
    problems.assert_clean()


def test_typing_a_filter_keeps_it_in_the_address_without_adding_history(
    open_page: OpenPage, server: Server
) -> None:
    page, problems = open_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/?q=myasthenia")
    expect(page.locator(ROWS)).to_have_count(1)
    page.goto(server.url + "/")
    box = page.get_by_label("Filter cases")
    box.press_sequentially("satra")
    expect(page).to_have_url(server.url + "/?q=satra")
    box.press_sequentially("lizumab nmosd")
    expect(page).to_have_url(server.url + "/?q=satralizumab+nmosd")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator("#case-count")).to_have_text("1 of 5 cases")
    page.go_back()  # the page before, not each word typed
    expect(page).to_have_url(server.url + "/?q=myasthenia")
    expect(box).to_have_value("myasthenia")
    expect(page.locator(ROWS)).to_have_count(1)
    problems.assert_clean()


@pytest.mark.parametrize(
    "request_",
    [
        "not a request",
        {"startRow": "x", "endRow": 10**40, "sortModel": "title", "filterModel": [1]},
        {"startRow": -3, "sortModel": [{"colId": "1; DROP TABLE cases"}, None]},
        {"filterModel": {"title": {"conditions": ["x", {"type": "contains", "filter": None}]}}},
        {"filterModel": {"drugs": {"filterType": "number", "type": "inRange", "filter": "a"}}},
    ],
)
def test_a_malformed_request_for_rows_gets_rows_not_an_error(server: Server, request_: Any) -> None:
    for grid in ("case", "problem"):
        status, body = post_rows(server.url, grid, request_)
        assert status == 200 and b'"rowCount"' in body
    status, body = post_rows(server.url, "case")
    assert status == 200 and b'"rowCount":5' in body


def test_the_index_sorts_by_any_column_on_the_server(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page(viewport={"width": 1400, "height": 1000})
    page.goto(server.url + "/")
    expect(page.locator(ROWS)).to_have_count(5)
    page.locator("#case-grid .ag-header-cell[col-id=relapses]").click()
    page.wait_for_function(
        "document.querySelector('#case-grid .ag-header-cell[col-id=relapses]')"
        ".getAttribute('aria-sort') === 'ascending'"
    )
    expect(page.locator(f"{ROWS}[row-index='0'] [col-id=relapses]")).to_have_text("0")
    page.locator("#case-grid .ag-header-cell[col-id=relapses]").click()
    expect(page.locator(f"{ROWS}[row-index='0'] [col-id=relapses]")).to_have_text("4")
    page.locator("#case-grid .ag-header-cell[col-id=title]").click()
    page.wait_for_function(
        "document.querySelector('#case-grid .ag-header-cell[col-id=title]')"
        ".getAttribute('aria-sort') === 'ascending'"
    )
    expect(page.locator(f"{ROWS}[row-index='0'] [col-id=title]")).to_have_text(
        "<script>window.__pwned = 'title'</script> Hostile </title>"
        "<img src=x onerror=\"window.__pwned='img'\">"
    )
    problems.assert_clean()


# -- a case page -----------------------------------------------------------------------------


def test_case_page_draws_the_chart_and_text(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page()
    page.goto(f"{server.url}/case/{CASE}")
    page.wait_for_selector(f"{CHART} .main-svg .scatterlayer .trace")
    expect(page.locator("#case-title")).to_contain_text("NMOSD")
    expect(page.locator("#course-account li").first).to_be_visible()
    expect(page.locator(".below .citation a").first).to_have_attribute(
        "href", re.compile(r"^https://doi\.org/10\.")
    )
    table = page.locator("#items-table table")
    expect(table.locator("tbody tr").first).to_be_visible()
    start = table.locator("th").filter(has_text="Start")
    expect(start).to_have_attribute("aria-sort", "ascending")
    first = table.locator("tbody tr").first.inner_text()
    start.get_by_role("button").click()
    expect(start).to_have_attribute("aria-sort", "descending")
    assert table.locator("tbody tr").first.inner_text() != first
    wrap = page.locator(".chart-wrap")
    expect(wrap).to_have_attribute("aria-describedby", "course-account")
    drawn = figure(page)
    assert drawn["data"] and refs(drawn["data"])
    assert page.title().endswith("– clinical-course")
    problems.assert_clean()


def test_axis_panel_and_theme_controls_change_the_figure(
    open_page: OpenPage, server: Server
) -> None:
    page, problems = open_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server.url}/case/{CASE}")
    page.wait_for_selector(f"{CHART} .main-svg .scatterlayer .trace")  # drawn, not empty
    before = figure(page)
    title = json.dumps(before["layout"]["xaxis"]["title"])

    page.locator("#axis").get_by_text("Weeks").click()
    page.wait_for_url(re.compile(r"axis=week"))
    wait_for_figure(page, f"JSON.stringify(gd.layout.xaxis.title) !== {json.dumps(title)}")
    assert "eek" in json.dumps(figure(page)["layout"]["xaxis"]["title"])

    page.locator("#panels").get_by_text("Events").click()
    page.wait_for_url(re.compile(r"hide=events"))
    wait_for_figure(
        page,
        "!gd.data.some(t => (t.customdata || []).some(p => "
        "Array.isArray(p) && String(p[0]).startsWith('events[')))",
    )

    background = before["layout"].get("paper_bgcolor")
    page.locator("#theme").get_by_text("Slides").click()
    page.wait_for_url(re.compile(r"theme=slides"))
    wait_for_figure(
        page,
        "JSON.stringify(gd.layout.font) !== "
        + json.dumps(json.dumps(before["layout"].get("font"))),
    )
    assert figure(page)["layout"].get("paper_bgcolor") is not None or background is None
    problems.assert_clean()


def _plotted_days(page: Page) -> list[float]:
    return page.evaluate(
        """() => { const gd = document.querySelector('#chart .js-plotly-plot');
        return gd.data.filter(t => (t.xaxis || 'x') === 'x')
                      .flatMap(t => Array.from(t.x || []))
                      .filter(x => typeof x === 'number'); }"""
    )


def test_reveal_hides_everything_after_it(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{server.url}/case/{CASE}?axis=day")
    page.wait_for_selector(f"{CHART} .main-svg .scatterlayer .trace")  # drawn, not empty
    assert max(_plotted_days(page)) > 400
    page.locator(".reveal .dash-dropdown-focus-target").focus()
    page.locator("#reveal").click()
    option = page.get_by_role("option", name=re.compile(r"day 335"))
    option.click()
    page.wait_for_url(re.compile(r"reveal=day%20335"))
    wait_for_figure(
        page,
        "gd.data.flatMap(t => Array.from(t.x || []))"
        ".filter(x => typeof x === 'number').every(x => x <= 335)",
    )
    assert max(_plotted_days(page)) <= 335
    assert not any(ref.startswith("treatments[4]") for ref in refs(figure(page)["data"]))
    problems.assert_clean()


def _click_item(page: Page, ref: str) -> None:
    """A real mouse click on the point whose customdata names `ref`, once the chart is still."""
    page.wait_for_function(  # plotly has redrawn at the width the page now gives the chart
        "(() => { const gd = document.querySelector('#chart .js-plotly-plot');"
        " return Math.abs(gd._fullLayout.width - gd.getBoundingClientRect().width) < 2; })()"
    )
    where = page.evaluate(
        """async (ref) => {
        const place = () => { const gd = document.querySelector('#chart .js-plotly-plot');
          const box = gd.getBoundingClientRect(); const full = gd._fullLayout;
          for (const trace of gd._fullData) {
            const data = trace.customdata || [];
            for (let i = 0; i < data.length; i++) {
              if (!Array.isArray(data[i]) || data[i][0] !== ref || trace.x[i] === null) continue;
              const xa = full[trace.xaxis.replace('x', 'xaxis')];
              const ya = full[trace.yaxis.replace('y', 'yaxis')];
              return {x: box.left + xa._offset + xa.d2p(trace.x[i]),
                      y: box.top + ya._offset + ya.d2p(trace.y[i])};
            }
          } return null; };
        const frame = () => new Promise(done => setTimeout(() => requestAnimationFrame(done), 50));
        let before = place();
        for (let tries = 0; tries < 40; tries++) {  // the chart may still be resizing
          await frame(); const now = place();
          if (JSON.stringify(now) === JSON.stringify(before)) return now;
          before = now;
        } return before; }""",
        ref,
    )
    assert where is not None, f"no point for {ref}"
    page.mouse.move(1, 1)  # away first, so an earlier hover label covers nothing
    page.mouse.move(where["x"], where["y"], steps=4)
    page.mouse.click(where["x"], where["y"])


def test_clicking_a_marker_opens_its_details_with_image(
    open_page: OpenPage, server: Server
) -> None:
    page, problems = open_case(open_page, server, case="imaging-demo")
    _click_item(page, "events[1]")
    details = page.locator("#details")
    expect(details).to_be_visible()
    expect(details.locator("h2")).to_have_text("spinal MRI")
    expect(details).to_contain_text("T2 lesion C2-C6")
    expect(details).to_contain_text("day 20")
    image = details.locator("img")
    expect(image).to_have_attribute("src", "/case-image/imaging-demo/images/mri.png")
    page.wait_for_function("document.querySelector('#details img').naturalWidth > 0")
    page.get_by_role("button", name="Close the details").click()
    expect(details).to_be_hidden()
    problems.assert_clean()


def test_a_treatment_bar_opens_its_details(open_page: OpenPage, server: Server) -> None:
    page, problems = open_case(open_page, server, "?axis=day")
    target = next(ref for ref in refs(figure(page)["data"]) if ref.startswith("treatments["))
    _click_item(page, target)
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details dl")).to_contain_text(re.compile(r"Start|Given|Steps"))
    problems.assert_clean()


def test_the_url_round_trips_the_view(open_page: OpenPage, server: Server) -> None:
    query = "?axis=week&theme=print&reveal=day%20335&window=-10,600&hide=events"
    page, problems = open_case(open_page, server, query)
    expect(page.locator("#axis input[value=week]")).to_be_checked()
    expect(page.locator("#theme input[value=print]")).to_be_checked()
    expect(page.locator("#panels input[value=events]")).not_to_be_checked()
    expect(page.locator("#panels input[value=treatments]")).to_be_checked()
    # the window is shown in the axis' unit: -10 and 600 days are -1.43 and 85.71 weeks
    expect(page.locator("#window-legend")).to_have_text("Time window (weeks)")
    expect(page.locator("#window-from")).to_have_value("-1.43")
    expect(page.locator("#window-to")).to_have_value("85.71")
    expect(page.locator("#reveal")).to_contain_text("day 335")
    drawn = figure(page)
    assert "events[" not in json.dumps(refs(drawn["data"]))
    assert drawn["layout"]["xaxis"]["range"][1] == pytest.approx(600 / 7, abs=0.01)
    assert page.url.endswith(query)

    page.locator("#axis").get_by_text("Days").click()
    page.wait_for_url(re.compile(r"axis=day"))
    assert "theme=print" in page.url and "hide=events" in page.url
    page.go_back()
    page.wait_for_url(re.compile(r"axis=week"))
    expect(page.locator("#axis input[value=week]")).to_be_checked()
    wait_for_figure(page, "Math.abs(gd.layout.xaxis.range[1] - 600 / 7) < 0.01")
    page.go_forward()
    page.wait_for_url(re.compile(r"axis=day"))
    expect(page.locator("#axis input[value=day]")).to_be_checked()

    expect(page.locator("#window-to")).to_have_value("600")
    page.locator("#window-to").fill("300")
    page.locator("#window-to").press("Enter")
    page.wait_for_url(re.compile(r"window=-10,300"))
    page.reload()
    page.wait_for_selector(f"{CHART} .main-svg")
    expect(page.locator("#window-to")).to_have_value("300")
    wait_for_figure(page, "Math.abs(gd.layout.xaxis.range[1] - 300) < 0.01")

    page.locator("#axis").get_by_text("Weeks").click()
    page.wait_for_url(re.compile(r"axis=week"))
    page.locator("#window-to").fill("20")  # weeks, on a weeks axis
    page.locator("#window-to").press("Enter")
    page.wait_for_url(re.compile(r"window=-10,140"))
    wait_for_figure(page, "Math.abs(gd.layout.xaxis.range[1] - 20) < 0.01")
    problems.assert_clean()


def test_a_bad_query_falls_back_to_the_default_view(open_page: OpenPage, server: Server) -> None:
    query = "?axis=%3Cscript%3E&theme=neon&reveal=tomorrow&window=9,1&hide=%00&%ZZ"
    page, problems = open_case(open_page, server, query)
    expect(page.locator("#theme input[value=screen]")).to_be_checked()
    expect(page.locator("#axis input[value=month]")).to_be_checked()
    assert page.evaluate("window.__pwned") is None
    problems.assert_clean()


def test_every_control_has_a_name_and_works_from_the_keyboard(
    open_page: OpenPage, server: Server
) -> None:
    page, problems = open_case(open_page, server)
    unnamed = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '.controls input:not([aria-hidden=true]), .controls button, .controls a'))
          .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                        && !el.getAttribute('aria-labelledby') && !el.textContent.trim())
          .map(el => el.outerHTML)"""
    )
    assert unnamed == []
    page.locator("#axis input[value=month]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile(r"axis=year"))
    page.keyboard.press("Tab")
    expect(page.locator("#panels input").first).to_be_focused()
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"hide=treatments"))
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    problems.assert_clean()


# -- live reload -----------------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_open_page_follows_edits_and_keeps_its_view(
    open_page: OpenPage, server: Server, folder: Path
) -> None:
    path = folder / "nomura-2025-case1.yaml"
    original = path.read_text(encoding="utf-8")
    page, problems = open_case(
        open_page, server, "?axis=week&theme=print", case="nomura-2025-case1"
    )
    try:
        _edit(path, "title: ", "title: Edited live – ")
        expect(page.locator("#case-title")).to_contain_text("Edited live", timeout=10_000)
        assert page.url.endswith("?axis=week&theme=print")
        expect(page.locator("#axis input[value=week]")).to_be_checked()

        path.write_text(original + "\ntreatments: [\n", encoding="utf-8")  # half saved
        expect(page.locator("#case-problems .banner")).to_contain_text(
            "nomura-2025-case1.yaml:", timeout=10_000
        )
        expect(page.locator(f"{CHART} .main-svg").first).to_be_visible()

        path.write_text(original.replace("title: ", "title: Fixed – ", 1), encoding="utf-8")
        expect(page.locator("#case-title")).to_contain_text("Fixed", timeout=10_000)
        expect(page.locator("#case-problems .banner")).to_have_count(0)
    finally:
        path.write_text(original, encoding="utf-8")
    problems.assert_clean()


def test_edits_added_and_removed_files_show_on_the_next_load(
    open_page: OpenPage, server: Server, folder: Path
) -> None:
    added = folder / "added-case.yaml"
    page, problems = open_page()
    try:
        added.write_text("title: A case added while serving\n", encoding="utf-8")
        page.goto(server.url + "/")
        expect(page.get_by_role("link", name="A case added while serving")).to_be_visible()
        page.goto(server.url + "/case/added-case")
        expect(page.locator("#case-title")).to_have_text("A case added while serving")
        added.write_text("title: Renamed on disk\n", encoding="utf-8")
        page.reload()
        expect(page.locator("#case-title")).to_have_text("Renamed on disk")
    finally:
        added.unlink()
    assert server.get("/case/added-case")[0] == 404
    page.goto(server.url + "/")
    expect(page.get_by_role("link", name="Renamed on disk")).to_have_count(0)
    problems.assert_clean()


def test_a_broken_file_opened_directly_shows_its_problems(
    open_page: OpenPage, server: Server
) -> None:
    page, problems = open_page()
    page.goto(server.url + "/case/broken")
    expect(page.locator("#case-problems .banner")).to_contain_text("broken.yaml:")
    expect(page.locator("#case-title")).to_contain_text("broken")
    problems.assert_clean()


# -- safety ----------------------------------------------------------------------------------


def test_a_hostile_case_never_runs_a_script(open_page: OpenPage, server: Server) -> None:
    page, problems = open_page()
    page.goto(server.url + "/")
    expect(page.locator("#case-grid")).to_contain_text("<script>window.__pwned = 'title'</script>")
    page.goto(server.url + "/case/hostile?axis=day")
    page.wait_for_selector(f"{CHART} .main-svg")
    expect(page.locator("#case-title")).to_have_text(
        """<script>window.__pwned = 'title'</script> Hostile </title>"""
        """<img src=x onerror="window.__pwned='img'">"""
    )
    expect(page.locator(".case-header")).to_contain_text("{{7*7}} ${7*7}")
    expect(page.locator("#course-account")).to_contain_text("onerror")
    for ref, shown in (("events[0]", "<img src=x onerror"), ("events[1]", "</script><script>")):
        _click_item(page, ref)
        expect(page.locator("#details h2")).to_contain_text(shown)
    page.locator(f"{CHART} .main-svg").first.hover()
    links = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert not [link for link in links if link.lower().startswith("javascript:")]
    assert (
        page.evaluate("document.querySelectorAll('img[src=x], iframe, #chart script').length") == 0
    )
    assert page.evaluate("window.__pwned") is None
    problems.assert_clean()


def test_unknown_case_is_a_friendly_404(open_page: OpenPage, server: Server) -> None:
    for path in ("/case/no-such-case", "/present/no-such-case", "/case/..%2F..%2Fetc%2Fpasswd"):
        status, _, body = server.get(path)
        assert status == 404, path
        assert b"No such case" in body and b'href="/"' in body
    page, problems = open_page()
    response = page.goto(server.url + "/case/%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="No such case")).to_be_visible()
    expect(page.get_by_role("link", name="Back to all cases")).to_have_attribute("href", "/")
    assert page.evaluate("window.__pwned") is None
    assert not problems.exceptions
    # Chromium reports the 404 of the page itself as a console error; nothing else may show.
    assert all("404" in message for message in problems.console)


@pytest.mark.parametrize(
    "path",
    [
        "/case-image/imaging-demo/../secret.png",
        "/case-image/imaging-demo/..%2Fsecret.png",
        "/case-image/imaging-demo/%2e%2e/%2e%2e/etc/passwd",
        "/case-image/imaging-demo/images/../../secret.png",
        "/case-image/imaging-demo//etc/passwd",
        "/case-image/imaging-demo/%2Fetc%2Fpasswd",
        "/case-image/imaging-demo/imaging-demo.yaml",
        "/case-image/no-such-case/images/mri.png",
        "/case-image/../../etc/passwd",
    ],
)
def test_image_traversal_is_refused(server: Server, path: str) -> None:
    status, _, body = server.get(path)
    assert status == 404
    assert PNG not in body and b"root:" not in body


def test_images_of_a_case_are_served_safely(server: Server) -> None:
    status, headers, body = server.get("/case-image/imaging-demo/images/mri.png")
    assert status == 200 and headers["Content-Type"] == "image/png" and body == PNG
    status, headers, _ = server.get("/case-image/imaging-demo/images/drawing.svg")
    assert status == 200
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_downloads_and_presentation(server: Server) -> None:
    status, headers, body = server.get(f"/export/{CASE}.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.startswith(b"ref,section,name,kind,start_day")
    status, headers, body = server.get(f"/export/{CASE}.html?axis=week&reveal=day%20100")
    assert status == 200 and f'filename="{CASE}.html"' in headers["Content-Disposition"]
    assert body.startswith(b"<!doctype html>") and b"Plotly.newPlot" in body
    status, _, body = server.get(f"/present/{CASE}")
    assert status == 200 and b"<html" in body.lower()
    # ?axis-span=step: the first step's axis ends a little after it, not with the course
    status, _, stepped = server.get(f"/present/{CASE}?axis-span=step")
    assert status == 200 and _first_axis_end(stepped) < _first_axis_end(body)
    assert server.get("/export/no-such-case.csv")[0] == 404


def _first_axis_end(deck: bytes) -> float:
    """Where the first slide's time axis ends, in days."""
    found = re.search(r'id="deck-figures">(.*?)</script>', deck.decode("utf-8"), re.S)
    assert found is not None
    layout = json.loads(found.group(1))[0]["layout"]
    return float(layout["xaxis"]["range"][1]) * float(layout["meta"]["unit_days"])


def test_chart_images_are_named_after_the_case(open_page: OpenPage, server: Server) -> None:
    page, problems = open_case(open_page, server)
    config = page.evaluate(
        "document.querySelector('#chart .js-plotly-plot')._context.toImageButtonOptions"
    )
    assert config["filename"] == CASE
    with page.expect_download() as download:
        page.get_by_role("button", name="SVG").click()
    assert download.value.suggested_filename == f"{CASE}.svg"
    href = page.locator("#download-html").get_attribute("href")
    assert href == f"/export/{CASE}.html"
    problems.assert_clean()


# -- serving ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_with_two_workers_runs_gunicorn(folder: Path) -> None:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "dashboard",
        "serve",
        str(folder),
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}")
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 2
        status, _, body = fetch(f"http://127.0.0.1:{port}/")
        assert status == 200 and b"_dash-config" in body
        assert fetch(f"http://127.0.0.1:{port}/case/no-such-case")[0] == 404
        with pytest.raises(OSError):  # loopback only unless --host says otherwise
            socket.create_connection((_outward_address(), port), timeout=1).close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    assert b"Traceback" not in errors


def _outward_address() -> str:
    """An address of this machine other than loopback (or one nothing listens on)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent
            return str(sock.getsockname()[0])
        except OSError:
            return "192.0.2.1"


def test_the_slides_look_fits_its_card_and_a_linked_reveal_shows_in_its_control(
    open_page: OpenPage, server: Server
) -> None:
    page, problems = open_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{server.url}/case/{CASE}?theme=slides&reveal=day%20200")
    page.wait_for_selector(f"{CHART} .main-svg")
    expect(page.locator("#reveal")).to_contain_text("day 200")
    sizes = page.evaluate(
        """() => ({chart: document.querySelector('#chart .main-svg').getBoundingClientRect().width,
        card: document.querySelector('#chart').getBoundingClientRect().width,
        page: document.documentElement.scrollWidth, window: window.innerWidth})"""
    )
    assert sizes["chart"] <= sizes["card"] < 1366, "not a fixed 1920 px chart"
    assert sizes["page"] <= sizes["window"], "the page does not scroll sideways"
    assert figure(page)["layout"]["font"]["size"] == 26, "the slides look's large type"
    problems.assert_clean()
