"""Every security header and every Content-Security-Policy directive the server sends, each
asserted by name, on each kind of response: the dashboard's pages, a downloaded page, a case's
SVG image, a script, a 404."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import CASE_FILES
from tests.test_app import Server

CASE = CASE_FILES[0].stem
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("cases")
    shutil.copy(CASE_FILES[0], folder / CASE_FILES[0].name)
    (folder / "images").mkdir()
    (folder / "images" / "scan.svg").write_text(SVG, encoding="utf-8")
    (folder / "imaged.yaml").write_text(
        "title: imaged\nevents:\n  - {at: day 1, kind: imaging, image: images/scan.svg}\n",
        encoding="utf-8",
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Server(folder)
    yield server
    server.close()


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
    _, headers, _ = server.get(path)
    found = directives(headers["Content-Security-Policy"])
    scripts = found.pop("script-src")
    assert scripts[0] == "'self'"
    assert scripts[1:] and all(value.startswith("'sha256-") for value in scripts[1:]), scripts
    assert found == PAGE_DIRECTIVES


def test_a_downloaded_page_runs_nothing_when_served(server: Server) -> None:
    """The page served for download (`/export/<case>.html`) is sandboxed and may load nothing
    but inline styles and data: images."""
    _, headers, _ = server.get(f"/export/{CASE}.html")
    assert directives(headers["Content-Security-Policy"]) == INERT_DIRECTIVES


def test_a_case_s_svg_image_runs_nothing_when_opened_on_its_own(server: Server) -> None:
    """An SVG image of a case, opened at its own address, is sandboxed: a script in it cannot
    run with the dashboard's origin."""
    status, headers, body = server.get("/case-image/imaged/images/scan.svg")
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
    _, headers, _ = server.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (name, path)
