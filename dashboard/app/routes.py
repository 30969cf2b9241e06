"""Plain Flask routes beside the Dash app: images, downloads, the presentation, 404s, headers.

A case id from a URL is only looked up among the loaded cases; an image is served only when
the case names it and it resolves inside the case folder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import warnings
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import unquote

from dash.exceptions import DependencyException
from flask import Flask, Response, request, send_file

from dashboard.app.cases import Library
from dashboard.app.index import reading_text
from dashboard.app.state import figure_options, parse_view
from dashboard.cells import inert_frame
from dashboard.export.page import case_page
from dashboard.export.templating import render
from dashboard.fonts import FACES
from dashboard.fonts import FOLDER as FONT_FOLDER
from dashboard.fonts.embed import linked_css
from dashboard.load import inside
from dashboard.model.views import AXIS_SPANS
from dashboard.plotlyjs import plotly_js as plotly_bundle
from dashboard.problems import FigureWarning

PLOTLY_JS = "/static-plotly/plotly.min.js"
FONTS = "/static-fonts/"  # the shipped fonts, and faces.css declaring them for the pages
FONT_FACES = FONTS + "faces.css"
_PAGE = re.compile(r"^/(case|present)/(.*?)/?$")
# Paths of this module's routes: one that matches none of them is a 404, not the Dash page.
_OWN_PREFIXES = ("/case-image/", "/export/", "/static-plotly/", FONTS)
_OWN_ROUTES = ("case_image", "export_page", "export_table", "plotly_js", "font_faces", "font_file")
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}
# An SVG opened on its own must not run scripts.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
# Every HTML page: scripts only from this server or inline ones of this program's own,
# known by their hashes; plotly and Dash set styles inline, which cannot run anything.
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)
# A downloaded page is opened from disk, where it runs its own inline script; served, it runs
# nothing.
_DOWNLOAD_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.DOTALL)
_DATA_TYPES = ("application/json", "application/ld+json")


def script_hashes(html: str) -> list[str]:
    """CSP hashes of the inline scripts of a page this program generated (data blocks such as
    application/json are not run, so need none)."""
    hashes = []
    for attributes, body in _INLINE_SCRIPT.findall(html):
        kind = re.search(r"\btype=[\"']?([^\"'\s>]+)", attributes)
        if kind is None or kind.group(1).lower() not in _DATA_TYPES:
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def page_policy(hashes: Iterable[str]) -> str:
    """The Content-Security-Policy of an HTML page whose inline scripts have these hashes."""
    return _PAGE_POLICY.format(hashes=" ".join(hashes)).replace("  ", " ")


@cache
def _deck_hashes() -> tuple[str, ...]:
    """The hashes of the presentation's own script, from a deck with no case text in it."""
    from dashboard.export.deck import deck_html
    from dashboard.model import Case

    return tuple(script_hashes(deck_html(Case(title="-"), case_id="-", plotlyjs=PLOTLY_JS)))


def missing_html(case_id: str) -> str:
    """The friendly 'no such case' page, for an id no file has."""
    return render("missing.html.j2", what="case", name=case_id)


def _missing(case_id: str) -> Response:
    return Response(missing_html(case_id), status=404, mimetype="text/html")


def add_routes(
    server: Flask,
    library: Library,
    dash_hashes: Iterable[str] = (),
    outputs: frozenset[str] = frozenset(),
) -> None:
    """Attach the plain routes to the Flask server of the Dash app; `dash_hashes` are the
    CSP hashes of Dash's own inline scripts (`Dash.csp_hashes()`), `outputs` the outputs of
    its callbacks (`Dash.callback_map`), which a callback request must name one of."""
    dash_policy = page_policy(dash_hashes)
    # (a callback's request is a few kilobytes; a body past this is refused with 413 unread)
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @server.before_request
    def malformed_callback() -> Response | None:
        # A callback request the page could not have sent is refused before any callback
        # runs, rather than failing inside one as a server error.
        if request.path != "/_dash-update-component":
            return None
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # (JSON nested thousands deep)
            body = None
        problem = callback_problem(body, outputs)
        return None if problem is None else Response(problem, status=400, mimetype="text/plain")

    @server.errorhandler(DependencyException)
    def unknown_asset(error: DependencyException) -> Response:
        # A bad /_dash-component-suites/ path is a missing file, not a server error.
        return Response("Not found", status=404, mimetype="text/plain")

    @server.before_request
    def unknown_case() -> Response | None:
        # Dash answers every path with its page; a case page of an unknown id is a real 404.
        if request.path.startswith(_OWN_PREFIXES) and request.endpoint not in _OWN_ROUTES:
            return Response("Not found", status=404, mimetype="text/plain")
        match = _PAGE.match(request.path)
        if match is None or request.endpoint == "edit_page":  # (it answers unknown ids itself)
            return None
        case_id = unquote(match.group(2))
        found = library.lookup(case_id)
        if match.group(1) == "present" and found.case is None:
            return _missing(case_id)
        return None if found.known else _missing(case_id)

    @server.after_request
    def security_headers(response: Response) -> Response:
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
            if request.endpoint == "export_page":
                policy = _DOWNLOAD_POLICY
            elif request.endpoint == "present":
                policy = page_policy(_deck_hashes())
            else:
                policy = dash_policy
            response.headers["Content-Security-Policy"] = policy
        return response

    @server.route("/present/<case_id>")
    def present(case_id: str) -> Response:
        from dashboard.export.deck import deck_html

        found = library.lookup(case_id).case
        if found is None:
            return _missing(case_id)
        # ?axis-span=step: each step's axis from the course's start to just after the step
        span = request.args.get("axis-span")
        # A slide too low for the course draws it smaller, as the deck file does; that is
        # said on the terminal by `present`, and is no news for the server's log each time.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FigureWarning)
            deck = deck_html(
                found.case,
                case_id=case_id,
                plotlyjs=PLOTLY_JS,
                axis_span=span if span in AXIS_SPANS else None,
            )
        return Response(deck, mimetype="text/html")

    @server.route("/export/<case_id>.html")
    def export_page(case_id: str) -> Response:
        found = library.lookup(case_id).case
        if found is None:
            return _missing(case_id)
        view = parse_view(request.query_string.decode("utf-8", "replace"), found.case)
        figure = library.figure(found, figure_options(view, found.case))
        text = case_page(found.case, figure)
        return _attachment(text, f"{case_id}.html", "text/html")

    @server.route("/export/<case_id>.csv")
    def export_table(case_id: str) -> Response:
        from dashboard.describe import items_frame

        found = library.lookup(case_id).case
        if found is None:
            return _missing(case_id)
        text = inert_frame(items_frame(found.case)).to_csv(index=False)
        return _attachment(text, f"{case_id}.csv", "text/csv")

    @server.route("/case-image/<case_id>/<path:name>")
    def case_image(case_id: str, name: str) -> Response:
        image = library.image(case_id, name)
        if image is None:
            return Response("Not found", status=404, mimetype="text/plain")
        path, media = image
        if not inside(path, library.folder):  # (a symlink may have changed since the lookup)
            return Response("Not found", status=404, mimetype="text/plain")
        response = send_file(path, mimetype=media, max_age=60)
        if media == "image/svg+xml":
            response.headers["Content-Security-Policy"] = _SVG_POLICY
        return response

    @server.route(PLOTLY_JS)
    def plotly_js() -> Response:
        response = Response(plotly_bundle(), mimetype="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @server.route(FONT_FACES)
    def font_faces() -> Response:
        css = linked_css(lambda face: FONTS + face.file)
        response = Response(css, mimetype="text/css")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @server.route(FONTS + "<name>")
    def font_file(name: str) -> Response:
        if name not in {face.file for face in FACES}:
            return Response("Not found", status=404, mimetype="text/plain")
        # read whole and closed at once: a page left while a font loads must not leave the
        # file open behind a dropped response
        response = Response((FONT_FOLDER / name).read_bytes(), mimetype="font/ttf")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @server.route("/healthz")
    def health() -> Response:
        reading = library.reading()
        if reading is not None:
            return Response(f"starting: {reading_text(*reading)}", mimetype="text/plain")
        return Response("ok", mimetype="text/plain")


MAX_BODY = 2 * 1024 * 1024
_LONGEST_PATH = 2048  # characters of a page's address the app reads
_ADDRESS = frozenset(("pathname", "search", "href", "hash"))


def callback_problem(body: Any, outputs: frozenset[str] = frozenset()) -> str | None:
    """What makes a callback request one the app's pages never send, or None: not a JSON
    object with lists of inputs, no callback of the app's outputs (when `outputs` are given),
    text no UTF-8 can hold (a lone surrogate), or an address that is not text or is longer
    than any the app makes."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        return "expected a callback request: a JSON object with its inputs"
    if outputs and body.get("output") not in outputs:
        return "no callback of this app has that output"
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return "the request holds text that is not Unicode (a lone surrogate)"
    for item in [*body.get("inputs", []), *(body.get("state") or [])]:
        if not isinstance(item, dict) or item.get("property") not in _ADDRESS:
            continue
        value = item.get("value")
        if value is not None and not isinstance(value, str):
            return f"{item.get('property')}: expected the page's address as text"
        if isinstance(value, str) and (len(value) > _LONGEST_PATH or "\x00" in value):
            return f"{item.get('property')}: not an address of this app"
    return None


def _attachment(text: str, filename: str, mimetype: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
