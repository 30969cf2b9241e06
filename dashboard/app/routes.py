"""Plain Flask routes beside the Dash app: images, downloads, the presentation, 404s, headers.

A case id from a URL is only looked up among the loaded cases; an image is served only when
the case names it and it resolves inside the case folder.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import unquote

import pandas as pd
from flask import Flask, Response, request, send_file
from plotly.offline import get_plotlyjs

from dashboard.app.cases import Library
from dashboard.app.state import figure_options, parse_view
from dashboard.export.page import case_page
from dashboard.export.templating import render

PLOTLY_JS = "/static-plotly/plotly.min.js"
_PAGE = re.compile(r"^/(case|present)/(.*?)/?$")
# Paths of this module's routes: one that matches none of them is a 404, not the Dash page.
_OWN_PREFIXES = ("/case-image/", "/export/", "/static-plotly/")
_OWN_ROUTES = ("case_image", "export_page", "export_table", "plotly_js")
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}
# An SVG opened on its own must not run scripts.
_SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def missing_html(case_id: str) -> str:
    """The friendly 'no such case' page, for an id no file has."""
    return render("missing.html.j2", what="case", name=case_id)


def _missing(case_id: str) -> Response:
    return Response(missing_html(case_id), status=404, mimetype="text/html")


@cache
def _plotly_js() -> str:
    return str(get_plotlyjs())


def add_routes(server: Flask, library: Library) -> None:
    """Attach the plain routes to the Flask server of the Dash app."""

    @server.before_request
    def unknown_case() -> Response | None:
        # Dash answers every path with its page; a case page of an unknown id is a real 404.
        if request.path.startswith(_OWN_PREFIXES) and request.endpoint not in _OWN_ROUTES:
            return Response("Not found", status=404, mimetype="text/plain")
        match = _PAGE.match(request.path)
        if match is None:
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
        return response

    @server.route("/present/<case_id>")
    def present(case_id: str) -> Response:
        from dashboard.export.deck import deck_html

        found = library.lookup(case_id).case
        if found is None:
            return _missing(case_id)
        return Response(
            deck_html(found.case, case_id=case_id, plotlyjs=PLOTLY_JS), mimetype="text/html"
        )

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
        text = spreadsheet_safe(items_frame(found.case)).to_csv(index=False)
        return _attachment(text, f"{case_id}.csv", "text/csv")

    @server.route("/case-image/<case_id>/<path:name>")
    def case_image(case_id: str, name: str) -> Response:
        image = library.image(case_id, name)
        if image is None:
            return Response("Not found", status=404, mimetype="text/plain")
        path, media = image
        response = send_file(path, mimetype=media, max_age=60)
        if media == "image/svg+xml":
            response.headers["Content-Security-Policy"] = _SVG_POLICY
        return response

    @server.route(PLOTLY_JS)
    def plotly_js() -> Response:
        response = Response(_plotly_js(), mimetype="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @server.route("/healthz")
    def health() -> Response:
        return Response("ok", mimetype="text/plain")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with text that a spreadsheet would run as a formula ('=HYPERLINK(...)')
    kept as text by a leading apostrophe; numbers stay numbers."""

    def inert(value: Any) -> Any:
        return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value

    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{column: frame[column].map(inert) for column in text_columns})


def _attachment(text: str, filename: str, mimetype: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
