"""The app's headers: every security header and every Content-Security-Policy directive by
name, on each kind of response (pages, a download, a case's SVG image, a script, a 404); a
policy every page works under; 404s for unknown assets; images only from inside the folder."""

from __future__ import annotations

import json
import logging
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dashboard.app.routes import page_policy, script_hashes
from tests.conftest import CASE_FILES, ROOT, PageProblems
from tests.test_app import Server, fetch

OpenPage = Callable[..., tuple[Page, PageProblems]]
CASE = "nomura-2025-case2"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4"/></svg>'
# Every response, whatever it holds.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}
# The dashboard's pages: scripts only from the server or inline ones known by their hashes.
PAGE_DIRECTIVES = {
    "default-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}
# A page served for download, or an image opened on its own: nothing runs, nothing is fetched.
INERT_DIRECTIVES = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "sandbox": [],
}
# Records every CSP violation the page reports, before any script of the page runs.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("cases")
    for path in CASE_FILES:
        shutil.copy(path, folder / path.name)
    shutil.copy(ROOT / "tests" / "data" / "hostile.yaml", folder / "hostile.yaml")
    (folder.parent / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (folder / "images").mkdir()
    (folder / "images" / "mri.png").symlink_to(folder.parent / "outside.png")
    (folder / "images" / "scan.svg").write_text(SVG, encoding="utf-8")
    (folder / "imaged.yaml").write_text(
        "title: imaged\nevents:\n  - {at: day 1, kind: imaging, image: images/scan.svg}\n",
        encoding="utf-8",
    )
    (folder / "linked.yaml").write_text(
        "title: linked image\nevents:\n  - {at: day 1, kind: imaging, image: images/mri.png}\n",
        encoding="utf-8",
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Server(folder)
    yield server
    server.close()


def _open(open_page: OpenPage, url: str) -> tuple[Page, PageProblems]:
    page, problems = open_page(viewport={"width": 1400, "height": 900}, bypass_csp=False)
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(url)
    return page, problems


def _violations(page: Page) -> list[str]:
    found: Any = page.evaluate("window.__violations")
    return list(found)


def _get(server: Server, path: str) -> tuple[int, dict[str, str], bytes]:
    """A GET, given the time a loaded machine may need to draw a deck the first time."""
    return fetch(server.url + path, timeout=120)


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as its directives, each with its values."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        if words := part.split():
            assert words[0] not in parsed, f"{words[0]} given twice in {policy!r}"
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize(
    "path",
    ["/", f"/case/{CASE}", f"/present/{CASE}", "/case/no-such-case", "/series/no-such-series"],
)
def test_every_dashboard_page_has_each_directive_of_its_policy(server: Server, path: str) -> None:
    """An HTML page of the dashboard carries the page policy, every directive by name with
    exactly its values; scripts come from the server itself or are inline ones named by their
    sha256 hash, never 'unsafe-inline' or 'unsafe-eval'."""
    _, headers, _ = _get(server, path)
    found = directives(headers["Content-Security-Policy"])
    scripts = found.pop("script-src")
    assert scripts[0] == "'self'"
    assert scripts[1:] and all(value.startswith("'sha256-") for value in scripts[1:]), scripts
    assert found == PAGE_DIRECTIVES


def test_a_downloaded_page_runs_nothing_when_served(server: Server) -> None:
    """The page served for download (`/export/<case>.html`) is sandboxed and may load nothing
    but inline styles and data: images."""
    _, headers, _ = _get(server, f"/export/{CASE}.html")
    assert directives(headers["Content-Security-Policy"]) == INERT_DIRECTIVES


def test_a_case_s_svg_image_runs_nothing_when_opened_on_its_own(server: Server) -> None:
    """An SVG image of a case, opened at its own address, is sandboxed: a script in it cannot
    run with the dashboard's origin."""
    status, headers, body = _get(server, "/case-image/imaged/images/scan.svg")
    assert status == 200 and body.startswith(b"<svg")
    assert directives(headers["Content-Security-Policy"]) == INERT_DIRECTIVES


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/case/{CASE}",
        f"/export/{CASE}.html",
        f"/export/{CASE}.csv",
        "/case-image/imaged/images/scan.svg",
        "/static-plotly/plotly.min.js",
        "/no-such-page",
    ],
)
def test_every_response_carries_each_security_header(server: Server, path: str) -> None:
    """Every response, a page, a table, an image, a script or a 404, says: do not guess the
    type (nosniff), send the address only to this server (same-origin), be framed only by
    this server (SAMEORIGIN)."""
    _, headers, _ = _get(server, path)
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (name, path)


def test_every_html_page_has_a_policy(server: Server) -> None:
    for path in ("/", f"/case/{CASE}", f"/present/{CASE}", "/case/no-such-case"):
        _, headers, _ = _get(server, path)
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, path
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], path
        assert "'unsafe-eval'" not in policy, path
    _, headers, _ = _get(server, f"/export/{CASE}.html")
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_dashboard_works_under_its_policy(open_page: OpenPage, server: Server) -> None:
    page, problems = _open(open_page, server.url + "/")
    page.wait_for_selector(f"a[href='/case/{CASE}']")
    page.click(f"a[href='/case/{CASE}']")
    # (locator waits: a polled script would be an eval, which the policy rightly refuses)
    expect(page.locator("#chart .g-xtitle")).to_contain_text("Months", timeout=30_000)
    page.click("#axis input[value='week']")
    expect(page.locator("#chart .g-xtitle")).to_contain_text("Weeks", timeout=30_000)
    assert _violations(page) == []
    problems.assert_clean()


def test_a_case_page_opened_directly_works_under_its_policy(
    open_page: OpenPage, server: Server
) -> None:
    page, problems = _open(open_page, f"{server.url}/case/{CASE}?axis=week&theme=print")
    expect(page.locator("#chart .g-xtitle")).to_contain_text("Weeks", timeout=30_000)
    assert _violations(page) == []
    problems.assert_clean()


def test_the_presentation_works_under_its_policy(open_page: OpenPage, server: Server) -> None:
    page, problems = _open(open_page, f"{server.url}/present/{CASE}")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".slide:not([hidden]) .chart .main-svg", timeout=30_000)
    assert _violations(page) == []
    problems.assert_clean()


def test_a_hostile_case_is_blocked_by_the_policy_too(open_page: OpenPage, server: Server) -> None:
    page, _ = _open(open_page, f"{server.url}/present/hostile")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".slide:not([hidden]) .chart .main-svg", timeout=30_000)
    assert page.evaluate("window.__pwned") is None
    assert _violations(page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/nonexistent/x.js",
        "/_dash-component-suites/dash/no-such-file.js",
        "/_dash-component-suites/dash/../../etc/passwd",
        "/assets/no-such.css",
        "/static-plotly/other.js",
    ],
)
def test_an_unknown_asset_is_a_404(
    server: Server, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        status, _, body = server.get(path)
    assert status == 404 and b"Traceback" not in body
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_an_image_symlinked_out_of_the_folder_is_not_served(server: Server) -> None:
    status, _, body = server.get("/case-image/linked/images/mri.png")
    assert status == 404 and not body.startswith(b"\x89PNG")


def test_script_hashes_skip_data_blocks() -> None:
    html = (
        '<script>var a = 1;</script><script type="application/json">{"x": 1}</script>'
        '<script src="/x.js"></script><script type="module">b()</script>'
    )
    assert script_hashes(html) == sorted(
        [
            "'sha256-+dZ6udsWxNVoGfScAq7t5IIF5UJb4F6RhjbN6oe1p4w='",
            "'sha256-cf242PFc/kb7xD0Qzhsmd9vvRkc+cWFmbi+k+YvtdKc='",
        ]
    )
    assert "script-src 'self' 'sha256-a'" in page_policy(["'sha256-a'"])


def _route(value: object) -> bytes:
    """The page callback's request with `value` as the address's path."""
    body = {
        "output": "page.children",
        "outputs": {"id": "page", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": value}],
        "changedPropIds": ["url.pathname"],
        "state": [{"id": "url", "property": "search", "value": ""}],
    }
    return json.dumps(body).encode()


def _rows(filter_model: object) -> bytes:
    """The index table's request for rows with `filter_model`."""
    value = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": filter_model}
    body = {
        "output": "..case-grid.getRowsResponse...case-count.children..",
        "outputs": [
            {"id": "case-grid", "property": "getRowsResponse"},
            {"id": "case-count", "property": "children"},
        ],
        "inputs": [{"id": "case-grid", "property": "getRowsRequest", "value": value}],
        "changedPropIds": ["case-grid.getRowsRequest"],
        "state": [],
    }
    return json.dumps(body).encode()


_CONDITION = {"filterType": "text", "type": "contains", "filter": "a"}
MALFORMED_POSTS = {
    "a path that is a number": _route(5),
    "a path that is a mapping": _route({"a": 1}),
    "a path of 1 MB": _route("/case/" + "x" * (1 << 20)),
    "a path with a lone surrogate": _route("/case/\ud800"),
    "a path with a NUL": _route("/case/\x00"),
    "5 000 conditions": _rows(
        {"title": {"filterType": "text", "operator": "AND", "conditions": [_CONDITION] * 5000}}
    ),
    "conditions within conditions": _rows(
        {"title": {"operator": "AND", "conditions": [{"conditions": [_CONDITION]}]}}
    ),
    "a filter of 10 MB": _rows({"title": {**_CONDITION, "filter": "x" * (10 << 20)}}),
    "JSON nested 100 000 deep": b"[" * 100_000 + b"]" * 100_000,
    "not JSON": b"{not json",
    "no callback's output": b'{"output": "nope.children", "inputs": []}',
}


@pytest.mark.parametrize("name", MALFORMED_POSTS)
def test_a_malformed_callback_request_is_a_4xx(server: Server, name: str) -> None:
    """Requests no page sends answered 500; each is the client's error, and the server
    answers the next request as before."""
    request = urllib.request.Request(
        server.url + "/_dash-update-component",
        data=MALFORMED_POSTS[name],
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert 400 <= status < 500, f"{name}: {status}"
    assert server.get("/healthz")[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/case/%00x",
        "/export/%00.csv",
        "/present/%00",
        "/case-image/%00/x.png",
        "/case/" + "a" * 5000,
        "/export/%ED%A0%80.csv",
    ],
)
def test_a_case_path_no_file_can_have_is_a_404(server: Server, path: str) -> None:
    """A NUL, a name longer than a file name, bytes no text holds: no such case, not a 500."""
    assert server.get(path)[0] == 404
