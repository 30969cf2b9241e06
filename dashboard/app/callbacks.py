"""The app's callbacks: thin functions from the URL, the controls and the case file to the page.

The URL is the only state: the view callback reads it on the first draw and on back/forward,
and writes it whenever a control changes, in one callback (Dash's way of keeping two things
in sync without a loop). A timer compares a cheap stamp of the case file so an open page
follows edits without losing its view.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from dashboard.app import index, layout, series
from dashboard.app.cases import Library
from dashboard.app.state import (
    EVERYTHING,
    chart_width,
    edited_controls,
    figure_options,
    format_view,
    parse_view,
    shown_axis,
    view_dependencies,
    window_text,
    with_control,
)
from dashboard.catalogue import CASES, PROBLEMS
from dashboard.describe import default_steps, item_details, items_frame

CASE_PREFIX = "/case/"
CONTROLS = ("axis", "panels", "theme", "window-from", "window-to", "reveal")
WIDTH_STEP = 20  # px: the chart's width is measured in steps of this
# The window is typed in the axis' unit, dates on a dates axis.
WINDOW_LEGENDS = {
    "day": "Time window (days)",
    "week": "Time window (weeks)",
    "month": "Time window (months)",
    "year": "Time window (years)",
    "date": "Time window (dates, YYYY-MM-DD)",
}


def case_id_of(pathname: str | None) -> str | None:
    """The case id in a case page's path, or None for any other path."""
    if not pathname or not pathname.startswith(CASE_PREFIX):
        return None
    case_id = unquote(pathname[len(CASE_PREFIX) :]).rstrip("/")
    return case_id if case_id and "/" not in case_id else None


def register(app: Dash, library: Library) -> None:
    """Attach every callback of the app to `app`, reading cases from `library`."""

    @app.callback(Output("page", "children"), Input("url", "pathname"), State("url", "search"))
    def route(pathname: str | None, search: str | None) -> list[Any]:
        if pathname in (None, "", "/"):
            return _index(search)
        if (series_id := series.series_id_of(pathname)) is not None:
            known = series.lookup(library, series_id) != (None, None)
            if known:
                return series.series_page(series_id, series.folder_stamp(library))
            return series.missing(series_id)
        case_id = case_id_of(pathname)
        if case_id is None or not library.lookup(case_id).known:
            return index.missing_page(case_id or (pathname or "").lstrip("/"))
        return layout.case_page(case_id, library.stamp(case_id), editable=library.editable)

    def _index(search: str | None) -> list[Any]:
        catalogue = library.catalogue
        cases, invalid = len(catalogue.cases()), len(catalogue.invalid())
        page = index.index_page(
            cases, invalid, search, library.reading(), editable=library.editable
        )
        return series.with_series(page, library)

    @app.callback(
        Output("page", "children", allow_duplicate=True),
        Input("reading-tick", "n_intervals"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def reading_tick(ticks: int | None, search: str | None) -> list[Any]:
        return _index(search)

    @app.callback(
        Output("case-grid", "getRowsResponse"),
        Output("case-count", "children"),
        Input("case-grid", "getRowsRequest"),
        prevent_initial_call=True,
    )
    def case_rows(request: dict[str, Any] | None) -> tuple[Any, str]:
        block = index.rows(library.catalogue.tables, CASES, request)
        return block, index.count_text(block["rowCount"], len(library.catalogue.cases()))

    @app.callback(
        Output("problem-grid", "getRowsResponse"),
        Input("problem-grid", "getRowsRequest"),
        prevent_initial_call=True,
    )
    def problem_rows(request: dict[str, Any] | None) -> Any:
        return index.rows(library.catalogue.tables, PROBLEMS, request)

    # In the browser, at each keystroke: the grids ask the server for their rows with the new
    # filter at once, and the address keeps the filter (`?q=`) in place of the one before, so
    # that typing adds no steps to the back button.
    app.clientside_callback(  # type: ignore[no-untyped-call]
        """function (query) {
            var text = (query || "").trim();
            var model = text ? {_query: {filterType: "text", type: "contains", filter: text}}
                             : {};
            var search = text ? "?q=" + encodeURIComponent(text).replace(/%20/g, "+") : "";
            window.history.replaceState(window.history.state, "", "/" + search);
            return [model, model];
        }""",
        Output("case-grid", "filterModel"),
        Output("problem-grid", "filterModel"),
        Input("case-filter", "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("stamp", "data"),
        Input("tick", "n_intervals"),
        State("view-url", "pathname"),
        State("stamp", "data"),
        prevent_initial_call=True,
    )
    def watch_file(_ticks: int | None, pathname: str | None, seen: Any) -> Any:
        stamp = library.stamp(case_id_of(pathname) or "")
        return stamp if stamp != seen else no_update

    @app.callback(
        output={
            "header": Output("case-header", "children"),
            "problems": Output("case-problems", "children"),
            "text": Output("case-text", "children"),
            "axes": Output("axis", "options"),
            "panels": Output("panels", "options"),
            "title": Output("page-title", "data"),
        },
        inputs={"_stamp": Input("stamp", "data")},
        state={"pathname": State("view-url", "pathname")},
    )
    def show_case(_stamp: Any, pathname: str | None) -> dict[str, Any]:
        case_id = case_id_of(pathname) or ""
        found = library.lookup(case_id)
        if found.case is None:
            first_draw = ctx.triggered_id is None
            return {
                "header": layout.unreadable_header(case_id) if first_draw else no_update,
                "problems": layout.invalid_notice(found.invalid) if found.invalid else None,
                "text": no_update,
                "axes": no_update,
                "panels": no_update,
                "title": case_id,
            }
        case = found.case.case
        return {
            "header": layout.header(case),
            "problems": None,
            "text": layout.case_text(case_id, case, items_frame(case)),
            "axes": layout.axis_options(case),
            "panels": layout.panel_options(case),
            "title": case.title,
        }

    # In the browser, before the figure is asked for: the width the chart has on this screen
    # (in steps of WIDTH_STEP px, rounded down: labels placed for it stay clear a little wider).
    app.clientside_callback(  # type: ignore[no-untyped-call]
        f"""function (_pathname) {{
            var chart = document.getElementById("chart");
            var width = chart ? chart.getBoundingClientRect().width : 0;
            return width > 0 ? Math.floor(width / {WIDTH_STEP}) * {WIDTH_STEP} : null;
        }}""",
        Output("chart-width", "data"),
        Input("view-url", "pathname"),
    )

    view_outputs = {
        **{name: Output(name, "value") for name in CONTROLS},
        "from-hint": Output("window-from", "placeholder"),
        "to-hint": Output("window-to", "placeholder"),
        "legend": Output("window-legend", "children"),
        "steps": Output("reveal", "options"),
        "search": Output("view-url", "search"),
        "figure": Output("chart", "figure"),
        "download": Output("download-html", "href"),
    }

    reads = view_dependencies("view-url", "stamp", CONTROLS)
    reads["inputs"]["width"] = Input("chart-width", "data")  # the chart's width on this screen

    @app.callback(output=view_outputs, **reads)
    def show_view(
        search: str | None,
        _stamp: Any,
        controls: dict[str, Any],
        width: Any,
        pathname: str | None,
    ) -> dict[str, Any]:
        case_id = case_id_of(pathname) or ""
        found = library.lookup(case_id).case
        if found is None:  # the file is being edited: keep what is on screen
            return dict.fromkeys(view_outputs, no_update)
        case = found.case
        view = parse_view(search, case)  # the URL is the view; controls edit it
        # Only what moved: an untouched end of the window shows a rounded value in the
        # axis' unit, and reading it back would move that end.
        for control in edited_controls(ctx.triggered_prop_ids, controls, ()):
            view = with_control(view, case, control, controls[control])
        options = figure_options(view, case, width=chart_width(width))
        axis = shown_axis(view, case)
        low, high = case.span
        hidden = set(view.hide)
        steps = list(case.teaching.steps) or default_steps(case)
        query = format_view(view)
        return {
            "axis": axis,
            "panels": [
                option["value"]
                for option in layout.panel_options(case)
                if option["value"] not in hidden
            ],
            "theme": view.theme,
            "window-from": window_text(view.window[0], axis, case) if view.window else None,
            "window-to": window_text(view.window[1], axis, case) if view.window else None,
            "reveal": view.reveal or EVERYTHING,
            "from-hint": window_text(low, axis, case),
            "to-hint": window_text(high, axis, case),
            "legend": WINDOW_LEGENDS[axis],
            "steps": layout.reveal_options(case, steps, view),
            "search": query if query != (search or "") else no_update,
            "figure": library.figure(found, options),
            "download": f"/export/{quote(case_id, safe='')}.html{query}",
        }

    @app.callback(
        Output("details-body", "children"),
        Output("details", "hidden"),
        Input("chart", "clickData"),
        Input("details-close", "n_clicks"),
        State("view-url", "pathname"),
        prevent_initial_call=True,
    )
    def show_details(click: Any, _close: Any, pathname: str | None) -> tuple[Any, bool]:
        case_id = case_id_of(pathname) or ""
        found = library.lookup(case_id).case
        ref = clicked_ref(click)
        if ctx.triggered_id == "details-close" or found is None or ref is None:
            return None, True
        fields = item_details(found.case, ref)
        if fields is None:
            return None, True
        return layout.details(case_id, fields), False

    @app.callback(
        Output("items-table", "children"),
        Output("table-sort", "data"),
        Input({"sort": ALL}, "n_clicks"),
        State("table-sort", "data"),
        State("view-url", "pathname"),
        prevent_initial_call=True,
    )
    def sort_items(clicks: list[Any], sort: Any, pathname: str | None) -> tuple[Any, Any]:
        column = ctx.triggered_id["sort"] if isinstance(ctx.triggered_id, dict) else None
        found = library.lookup(case_id_of(pathname) or "").case
        if column is None or found is None or not any(clicks):
            return no_update, no_update
        previous = sort if isinstance(sort, dict) else {}
        ascending = (
            not previous.get("ascending", True) if previous.get("column") == column else True
        )
        table = layout.items_table(items_frame(found.case), column, ascending)
        return table, {"column": column, "ascending": ascending}

    app.clientside_callback(  # type: ignore[no-untyped-call]
        """function (title) {
            document.title = title ? title + " – clinical-course" : "clinical-course";
        }""",
        Input("page-title", "data"),
    )
    for kind in ("png", "svg"):
        app.clientside_callback(  # type: ignore[no-untyped-call]
            f"""function (clicks, pathname) {{
                var chart = document.querySelector("#chart .js-plotly-plot");
                if (!clicks || !chart || !window.Plotly) {{ return; }}
                var name = decodeURIComponent(pathname.split("/").pop()) || "case";
                window.Plotly.downloadImage(chart, {{format: "{kind}", filename: name,
                    scale: {2 if kind == "png" else 1}}});
            }}""",
            Input(f"download-{kind}", "n_clicks"),
            State("view-url", "pathname"),
            prevent_initial_call=True,
        )


def clicked_ref(click: Any) -> str | None:
    """The item reference ('events[5]') a plotly click carries in its customdata."""
    try:
        data = click["points"][0]["customdata"]
    except (KeyError, IndexError, TypeError):
        return None
    ref = data[0] if isinstance(data, list) and data else data
    return ref if isinstance(ref, str) else None
