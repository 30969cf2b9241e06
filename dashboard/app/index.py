"""The index page (a paged table of cases, a filter in the URL, the files with problems) and
the 'no such case' page.

Both tables are AG Grids in the infinite row model: the browser asks for the rows it is about
to show, and the server filters and sorts the catalogue and sends only those, so the page
costs the same with 3 or 10 000 files.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import dash_ag_grid as dag
from dash import dcc, html
from werkzeug.exceptions import BadRequest

from dashboard.app.layout import attrs, top_bar
from dashboard.catalogue import Tables
from dashboard.catalogue.query import FilterRefused

BLOCK = 100  # rows per request
FILTER_KEY = "q"
ROW_PX, HEADER_PX = 44, 40
PROBLEM_PX = 110  # a file's first problems, one a line, scrolled within the cell

_TEXT = {"filter": "agTextColumnFilter", "filterParams": {"buttons": ["reset"]}}
_NUMBER = {
    "filter": "agNumberColumnFilter",
    "filterParams": {"buttons": ["reset"]},
    "type": "rightAligned",
    "width": 120,
}
CASE_COLUMNS: list[dict[str, Any]] = [
    {
        "field": "title",
        "headerName": "Case",
        "cellRenderer": "CaseLink",
        "flex": 3,
        "minWidth": 260,
        **_TEXT,
    },
    {"field": "diagnoses", "headerName": "Diagnoses", "flex": 2, "minWidth": 180, **_TEXT},
    {"field": "day0", "headerName": "Day 0", "flex": 1, "minWidth": 110, **_TEXT},
    {"field": "course", "headerName": "Course", "flex": 2, "minWidth": 200, **_TEXT},
    {"field": "drugs", "headerName": "Drugs", **_NUMBER},
    {"field": "relapses", "headerName": "Relapses", **_NUMBER},
    {"field": "citation", "headerName": "Citation", "flex": 2, "minWidth": 200, **_TEXT},
]
PROBLEM_COLUMNS: list[dict[str, Any]] = [
    {"field": "name", "headerName": "File", "flex": 1, "minWidth": 200, **_TEXT},
    {"field": "count", "headerName": "Problems", **_NUMBER},
    {
        "field": "problems",
        "headerName": "What is wrong (file:line:column: key: problem)",
        "flex": 4,
        "minWidth": 300,
        "cellClass": "problem-lines",
        "tooltipField": "problems",
        **_TEXT,
    },
]


READING_TICK_MS = 2000  # how often the index fills in while the folder is first read


def filter_of(search: str | None) -> str:
    """The filter text in an index address (`/?q=nmosd`)."""
    values = parse_qs((search or "").lstrip("?")).get(FILTER_KEY, [""])
    return values[0][:200]


def grid_filter(query: str) -> dict[str, Any]:
    """The grid's filter model carrying the filter box (so the grid asks for rows again)."""
    return {"_query": {"filterType": "text", "type": "contains", "filter": query}} if query else {}


def reading_text(done: int, total: int) -> str:
    """How far the first reading of the folder has got, in words."""
    return f"reading {done:,} of {total:,} files".replace(",", "\u2009")


def index_page(
    cases: int,
    invalid: int,
    search: str | None = None,
    reading: tuple[int, int] | None = None,
    *,
    editable: bool = False,
) -> list[Any]:
    """The table of cases with its filter box, and the table of files with problems; while
    the folder is first read, how far it has got, the page filling in every few seconds;
    with editing on, the links to a new case and an import."""
    query = filter_of(search)
    progress: list[Any] = []
    if reading is not None:
        progress = [
            html.P(
                f"Starting: {reading_text(*reading)}. The cases read so far are shown; the "
                "table fills in as the others are read.",
                id="reading",
                className="banner",
                role="status",
            ),
            dcc.Interval(id="reading-tick", interval=READING_TICK_MS),
        ]
    return [
        top_bar(
            *(
                [
                    html.A("New case", href="/new", id="new-case-link"),
                    html.A("Import", href="/import", id="import-link"),
                ]
                if editable
                else []
            )
        ),
        html.Main(
            className="index",
            children=[
                html.H1("Clinical courses"),
                *progress,
                html.P(
                    f"{cases:,} case{'s' * (cases != 1)} in this folder. Open one to explore "
                    "its course, reveal it step by step, or present it. Click a column's "
                    "heading to sort by it.",
                    className="lead",
                ),
                html.Div(
                    className="filter",
                    children=[
                        html.Label("Filter cases", htmlFor="case-filter"),
                        dcc.Input(
                            id="case-filter",
                            type="search",
                            value=query,
                            placeholder="Title, diagnosis or drug (e.g. NMOSD, tocilizumab, TCZ)",
                            autoComplete="off",
                        ),
                        html.Span(id="case-count", className="count", role="status"),
                    ],
                ),
                grid("case-grid", CASE_COLUMNS, query, min(cases, 14), ROW_PX),
                html.Section(
                    className="problems",
                    hidden=not invalid,
                    **attrs({"aria-labelledby": "problems-heading"}),
                    children=[
                        html.H2(f"Files with problems ({invalid:,})", id="problems-heading"),
                        html.P(
                            "These files are not shown above until they are fixed; the filter "
                            "applies to them too."
                        ),
                        grid("problem-grid", PROBLEM_COLUMNS, query, min(invalid, 4), PROBLEM_PX),
                    ],
                ),
            ],
        ),
    ]


def grid(
    grid_id: str, columns: list[dict[str, Any]], query: str, visible: int, row_px: int
) -> dag.AgGrid:
    """A table whose rows come from the server a block at a time."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=[*columns, {"field": "_query", "hide": True, "filter": True}],
        defaultColDef={"sortable": True, "resizable": True, "suppressHeaderMenuButton": False},
        rowModelType="infinite",
        filterModel=grid_filter(query),
        dashGridOptions={
            "cacheBlockSize": BLOCK,
            "maxBlocksInCache": 20,
            "rowHeight": row_px,
            "headerHeight": HEADER_PX,
            "tooltipShowDelay": 300,
            "suppressCellFocus": False,
        },
        className="case-table",
        style={"height": f"{HEADER_PX + max(visible, 3) * row_px + 4}px", "maxHeight": "75vh"},
    )


def rows(tables: Tables, table: str, request: Any) -> dict[str, Any]:
    """The block of rows the grid asked for, filtered and sorted by the catalogue's query."""
    request = request if isinstance(request, dict) else {}
    filters = request.get("filterModel")
    filters = filters if isinstance(filters, dict) else {}
    query = filters.get("_query")
    sort = request.get("sortModel")
    start = _row_number(request.get("startRow"), 0)
    try:
        found, count = tables.select(
            table,
            str(query.get("filter") or "") if isinstance(query, dict) else "",
            filters,
            [
                (str(item.get("colId")), item.get("sort") == "desc")
                for item in (sort if isinstance(sort, list) else [])
                if isinstance(item, dict)
            ],
            start,
            _row_number(request.get("endRow"), start + BLOCK),
        )
    except FilterRefused as error:  # a filter the table never sends: the request's fault
        raise BadRequest(str(error)) from None
    return {"rowData": found, "rowCount": count}


def _row_number(value: Any, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError, OverflowError):  # (1e300 and inf are no row either)
        return default


def count_text(shown: int, total: int) -> str:
    """'12 of 1,000 cases' under a filter, '1,000 cases' without."""
    noun = f"case{'s' * (total != 1)}"
    return f"{total:,} {noun}" if shown == total else f"{shown:,} of {total:,} {noun}"


def missing_page(name: str, what: str = "case") -> list[Any]:
    """The friendly page for an id no file has: a case's, or (`what`) a series'."""
    return [
        top_bar(html.A("All cases", href="/")),
        html.Main(
            className="missing",
            children=[
                html.H1(f"No such {what}"),
                html.P([f"There is no {what} file called ", html.Code(name), " in this folder."]),
                html.P(html.A("Back to all cases", href="/")),
            ],
        ),
    ]
