"""The series pages of the dashboard: `/series/<id>` with its view in the URL, live reload,
the outcome table and its CSV; and the series section of the index.

Like a case page, the URL is the only state (view, sort, group, axis, window), and a timer
compares a cheap stamp of the folder's files so an open page follows edits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from dash import Dash, Input, Output, State, ctx, html, no_update
from flask import Flask, Response, request

from dashboard.app.cases import Library
from dashboard.app.layout import case_href
from dashboard.app.series_layout import (
    PREFIX,
    UNITS,
    VIEWS,
    all_series,
    header,
    missing,
    outcomes_table,
    series_page,
    with_series,
)
from dashboard.app.state import edited_controls, first_field, query_fields, view_dependencies
from dashboard.export.series import series_figure
from dashboard.export.templating import render
from dashboard.model.views import GROUPS, SORTS
from dashboard.problems import CourseError, InvalidCase
from dashboard.series.caption import series_caption_for
from dashboard.series.load import SeriesFile
from dashboard.series.outcomes import compute, table, to_csv

EXPORT = "/series-export/"
CONTROLS = ("series-view", "series-sort", "series-group", "series-axis", "series-from", "series-to")


@dataclass(frozen=True, slots=True)
class SeriesView:
    """What a series page shows; '' or None means the file's own setting."""

    view: str = "series"
    sort: str = ""
    group: str = ""
    axis: str = ""
    start: float | None = None
    end: float | None = None


def parse_series_view(search: str | None) -> SeriesView:
    """The view in a query string; unknown or malformed values fall back to the defaults."""
    fields = query_fields(search)

    def number(name: str) -> float | None:
        try:
            value = float(first_field(fields, name))
        except ValueError:
            return None
        return value if abs(value) < 1e7 else None

    def pick(name: str, allowed: tuple[str, ...] | dict[str, str]) -> str:
        value = first_field(fields, name)
        return value if value in allowed else ""

    return SeriesView(
        view=pick("view", VIEWS) or "series",
        sort=pick("sort", SORTS),
        group=pick("group", GROUPS),
        axis=pick("axis", UNITS),
        start=number("from"),
        end=number("to"),
    )


def format_series_view(view: SeriesView) -> str:
    """The query string of a view, only what differs from the defaults."""
    pairs = [
        ("view", view.view if view.view != "series" else ""),
        ("sort", view.sort),
        ("group", view.group),
        ("axis", view.axis),
        ("from", f"{view.start:g}" if view.start is not None else ""),
        ("to", f"{view.end:g}" if view.end is not None else ""),
    ]
    query = urlencode([(name, value) for name, value in pairs if value])
    return "?" + query if query else ""


def series_id_of(pathname: str | None) -> str | None:
    """The series id in a series page's path, or None for any other path."""
    if not pathname or not pathname.startswith(PREFIX):
        return None
    found = unquote(pathname[len(PREFIX) :]).rstrip("/")
    return found if found and "/" not in found else None


def lookup(library: Library, series_id: str) -> tuple[SeriesFile | None, InvalidCase | None]:
    """The series of that id, or the problems of its file, or neither."""
    found, invalid = all_series(library)
    if series_id in found:
        return found[series_id], None
    for problem in invalid:
        if _file_id(problem.path) == series_id:
            return None, problem
    return None, None


def _file_id(path: str) -> str:
    name = Path(path).name
    return name.rsplit(".series.", 1)[0] if ".series." in name.lower() else Path(path).stem


def folder_stamp(library: Library) -> str:
    """A cheap fingerprint of every YAML file of the folder (a series depends on its cases):
    a digest, the same in every process, so that a page polling several servers behind one
    address is redrawn only when a file changed (Python's `hash` of a text differs from
    process to process)."""
    parts = []
    try:
        paths = sorted(library.folder.glob("*.y*ml"))
    except OSError:
        return ""
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.name}:{stat.st_mtime_ns}:{stat.st_size}")
    return hashlib.blake2b(
        "|".join(parts).encode("utf-8", "surrogateescape"), digest_size=16
    ).hexdigest()


# -- callbacks and routes --------------------------------------------------------------------


def register(app: Dash, library: Library) -> None:
    """The series page's callbacks."""

    @app.callback(
        Output("series-stamp", "data"),
        Input("series-tick", "n_intervals"),
        State("series-stamp", "data"),
        prevent_initial_call=True,
    )
    def watch(_ticks: int | None, seen: Any) -> Any:
        stamp = folder_stamp(library)
        return stamp if stamp != seen else no_update

    outputs = {
        "header": Output("series-header", "children"),
        "problems": Output("series-problems", "children"),
        **{name: Output(name, "value") for name in CONTROLS},
        "search": Output("series-url", "search"),
        "figure": Output("series-chart", "figure"),
        "caption": Output("series-caption", "children"),
        "outcomes": Output("series-outcomes", "children"),
        "csv": Output("series-csv", "href"),
        "html": Output("series-html", "href"),
    }

    @app.callback(output=outputs, **view_dependencies("series-url", "series-stamp", CONTROLS))
    def show(
        search: str | None, _stamp: Any, controls: dict[str, Any], pathname: str | None
    ) -> dict[str, Any]:
        series_id = series_id_of(pathname) or ""
        found, invalid = lookup(library, series_id)
        if found is None:
            notice = _invalid_notice(invalid) if invalid is not None else None
            return dict.fromkeys(outputs, no_update) | {"problems": notice}
        view = parse_series_view(search)
        for name in edited_controls(ctx.triggered_prop_ids, controls, ("series-from", "series-to")):
            view = _with(view, name, controls[name])
        problem = None
        figure: Any
        try:
            figure = series_figure(found, view=view.view, link=case_href, **_options(view))
        except CourseError as error:
            figure, problem = no_update, html.P(str(error), className="invalid")
        query = format_series_view(view)
        quoted = quote(series_id, safe="")
        return {
            "header": header(found),
            "problems": problem,
            "series-view": view.view,
            "series-sort": view.sort,
            "series-group": view.group,
            "series-axis": view.axis,
            "series-from": view.start,
            "series-to": view.end,
            "search": query if query != (search or "") else no_update,
            "figure": figure,
            "caption": series_caption_for(found, view.view),
            "outcomes": outcomes_table(found) if view.view == "series" else None,
            "csv": f"{EXPORT}{quoted}.csv",
            "html": f"{EXPORT}{quoted}.html{query}",
        }


def _with(view: SeriesView, name: str, value: Any) -> SeriesView:
    number = float(value) if isinstance(value, int | float) else None
    text = value if isinstance(value, str) else ""
    changes: dict[str, SeriesView] = {
        "series-from": replace(view, start=number),
        "series-to": replace(view, end=number),
        "series-view": replace(view, view=text or "series"),
        "series-sort": replace(view, sort=text),
        "series-group": replace(view, group=text),
        "series-axis": replace(view, axis=text),
    }
    return changes[name]


def _options(view: SeriesView) -> dict[str, Any]:
    """The series figure's options of a view (the panels keep each case's own)."""
    if view.view == "panels":
        return {}
    window = None
    if view.start is not None and view.end is not None and view.end > view.start:
        window = (view.start, view.end)
    return {
        "sort": view.sort or None,
        "group": view.group or None,
        "axis": view.axis or None,
        "window": window,
    }


def _invalid_notice(invalid: InvalidCase) -> list[Any]:
    return [
        html.P("This series file has problems; the page shows it again once they are fixed:"),
        html.Ul([html.Li(str(error), className="error-line") for error in invalid.errors[:20]]),
    ]


def add_routes(server: Flask, library: Library) -> None:
    """The outcome CSV and the page of a series as downloads; a 404 for unknown series."""

    @server.before_request
    def unknown_series() -> Response | None:
        series_id = series_id_of(request.path)
        if series_id is None:
            return None
        found, invalid = lookup(library, series_id)
        if found is None and invalid is None:
            page = render("missing.html.j2", what="series", name=series_id)
            return Response(page, status=404, mimetype="text/html")
        return None

    @server.route(EXPORT + "<series_id>.csv")
    def series_csv(series_id: str) -> Response:
        found, _ = lookup(library, series_id)
        if found is None:
            return Response("No such series", status=404, mimetype="text/plain")
        return _attachment(to_csv(table(compute(found))), f"{series_id}-outcomes.csv", "text/csv")

    @server.route(EXPORT + "<series_id>.html")
    def series_html(series_id: str) -> Response:
        from dashboard.export.series import series_page as page

        found, _ = lookup(library, series_id)
        if found is None:
            return Response("No such series", status=404, mimetype="text/plain")
        view = parse_series_view(request.query_string.decode("utf-8", "replace"))
        try:
            figure = series_figure(found, view=view.view, **_options(view))
        except CourseError as error:
            return Response(str(error), status=400, mimetype="text/plain")
        text = page(found, figure, view=view.view)
        return _attachment(text, f"{series_id}.html", "text/html")


def _attachment(text: str, filename: str, mimetype: str) -> Response:
    import re

    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


__all__ = [
    "add_routes",
    "folder_stamp",
    "lookup",
    "missing",
    "register",
    "series_id_of",
    "series_page",
    "with_series",
]
