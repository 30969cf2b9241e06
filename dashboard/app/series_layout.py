"""What the series pages are made of: the frame of `/series/<id>`, its header and outcome
table, the series section of the index, and the 'no such series' page.

Every string from a file goes into a Dash component as text, which React escapes.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote

from dash import dcc, html

from dashboard.app.cases import Library
from dashboard.app.index import missing_page
from dashboard.app.layout import WATCH_MS, attrs, case_href, top_bar
from dashboard.model.views import SORTS
from dashboard.problems import InvalidCase
from dashboard.series.load import SeriesFile, load_series_paths, series_paths
from dashboard.series.readable import headings, readable_rows

PREFIX = "/series/"
VIEWS = {"series": "Aligned rows", "panels": "Panels (a), (b), …"}
UNITS = {"": "Automatic", "day": "Days", "week": "Weeks", "month": "Months", "year": "Years"}


def series_href(series_id: str) -> str:
    """The page of a series."""
    return PREFIX + quote(series_id, safe="")


def all_series(library: Library) -> tuple[dict[str, SeriesFile], tuple[InvalidCase, ...]]:
    """Every series file of the folder, resolved against its cases as they are now.

    A folder without series files costs nothing here, however many cases it holds."""
    paths = series_paths(library.folder)
    if not paths:
        return {}, ()
    return load_series_paths(paths, library.catalog())


# -- pages -----------------------------------------------------------------------------------


def series_page(series_id: str, stamp: str) -> list[Any]:
    """The frame of a series page; callbacks fill it from the files and the URL."""
    config = {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "filename": series_id, "scale": 2},
    }
    return [
        dcc.Location(id="series-url", refresh=False),
        dcc.Interval(id="series-tick", interval=WATCH_MS),
        dcc.Store(id="series-stamp", data=stamp),
        top_bar(html.A("All cases", href="/")),
        html.Main(
            className="case series",
            children=[
                html.Div(id="series-header", className="case-header"),
                html.Div(id="series-problems", role="alert"),
                _controls(),
                html.Div(
                    className="chart-wrap",
                    role="figure",
                    **attrs({"aria-label": "Case series chart; the outcomes are in the table"}),
                    children=dcc.Graph(id="series-chart", config=cast(Any, config)),
                ),
                html.P(id="series-caption", className="caption"),
                html.Div(id="series-outcomes"),
            ],
        ),
    ]


def _choice(label: str, control: Any) -> html.Fieldset:
    return html.Fieldset(className="control", children=[html.Legend(label), control])


def _dropdown(name: str, options: dict[str, str]) -> dcc.Dropdown:
    choices = [{"label": text, "value": value} for value, text in options.items()]
    return dcc.Dropdown(id=name, options=choices, clearable=False, searchable=False, value="")


def _controls() -> html.Div:
    sorts = {"": "As the file says"} | {name: name.replace("-", " ") for name in SORTS}
    groups = {"": "As the file says", "none": "none", "diagnosis": "by diagnosis"}
    return html.Div(
        className="controls",
        role="group",
        **attrs({"aria-label": "Series view"}),
        children=[
            _choice(
                "View",
                dcc.RadioItems(
                    id="series-view",
                    className="choice",
                    inline=True,
                    options=[{"label": text, "value": value} for value, text in VIEWS.items()],
                    value="series",
                ),
            ),
            html.Div(
                className="control",
                children=[
                    html.Label("Sort", htmlFor="series-sort"),
                    _dropdown("series-sort", sorts),
                ],
            ),
            html.Div(
                className="control",
                children=[
                    html.Label("Group", htmlFor="series-group"),
                    _dropdown("series-group", groups),
                ],
            ),
            html.Div(
                className="control",
                children=[
                    html.Label("Time axis", htmlFor="series-axis"),
                    _dropdown("series-axis", UNITS),
                ],
            ),
            html.Fieldset(
                className="control window",
                children=[
                    html.Legend("Window (days from the anchor)"),
                    html.Div(
                        className="window-row",
                        children=[
                            html.Label("From day", htmlFor="series-from"),
                            dcc.Input(id="series-from", type="number", debounce=True, size="6"),
                            html.Label("to", htmlFor="series-to"),
                            dcc.Input(id="series-to", type="number", debounce=True, size="6"),
                        ],
                    ),
                ],
            ),
            html.Div(
                className="control actions",
                children=[
                    html.A("Outcomes (CSV)", id="series-csv", className="button", download=""),
                    html.A("Page (HTML)", id="series-html", className="button", download=""),
                ],
            ),
        ],
    )


def header(series_file: SeriesFile) -> list[Any]:
    """Title, summary and the cases of the series, each a link."""
    summary = series_file.series.summary
    links: list[Any] = []
    for item in series_file.cases:
        links += [", "] if links else []
        links.append(html.A(item.id, href=case_href(item.id)))
    return [
        html.H1(series_file.title),
        html.P(summary, className="summary") if summary else None,
        html.P(["Cases: ", *links], className="series-cases"),
        html.P(
            "Left out, as their files have problems: " + ", ".join(series_file.invalid),
            className="series-invalid",
        )
        if series_file.invalid
        else None,
    ]


def outcomes_table(series_file: SeriesFile) -> list[Any]:
    """The outcome table under the view, every case a link, headed in words."""
    rows = readable_rows(series_file, case_href)
    body = []
    for row in rows:
        first, *rest = row
        name = html.A(first["text"], href=first["href"]) if first["href"] else first["text"]
        body.append(html.Tr([html.Th(name, scope="row"), *(html.Td(c["text"]) for c in rest)]))
    return [
        html.H2("Outcomes", id="outcomes-heading"),
        html.Div(
            className="table-wrap",
            children=html.Table(
                className="items outcomes",
                **attrs({"aria-labelledby": "outcomes-heading"}),
                children=[
                    html.Thead(
                        html.Tr([html.Th(name, scope="col") for name in headings(series_file)])
                    ),
                    html.Tbody(body),
                ],
            ),
        ),
    ]


def index_section(library: Library) -> html.Section | None:
    """The series of the folder for the index page, and series files with problems."""
    found, invalid = all_series(library)
    if not found and not invalid:
        return None
    items = [
        html.Li(
            className="card",
            children=[
                html.H2(html.A(item.title, href=series_href(series_id))),
                html.P(
                    f"{len(item.cases)} cases, aligned at "
                    f"{_lower_first(item.series.align.label())}",
                    className="diagnoses",
                ),
            ],
        )
        for series_id, item in sorted(found.items())
    ]
    problems = [
        html.Li(
            [
                html.Code(problem.path, className="file"),
                html.Ul([html.Li(str(e)) for e in problem.errors[:8]]),
            ]
        )
        for problem in invalid
    ]
    return html.Section(
        className="series-index",
        **attrs({"aria-labelledby": "series-heading"}),
        children=[
            html.H2(f"Case series ({len(found)})", id="series-heading"),
            html.Ul(items, id="series-list", className="cards"),
            html.Div(
                className="problems",
                children=[html.P("Series files with problems:"), html.Ul(problems)],
            )
            if problems
            else None,
        ],
    )


def with_series(index_page: list[Any], library: Library) -> list[Any]:
    """The index page with the series section added to its main part."""
    section = index_section(library)
    if section is None:
        return index_page
    for part in index_page:
        if isinstance(part, html.Main):
            children = list(part.children or [])
            # after the heading and its lead, before the filter that belongs to the cases
            part.children = [*children[:2], section, *children[2:]]
    return index_page


def missing(series_id: str) -> list[Any]:
    """The page for a series id no file has."""
    return missing_page(series_id, "series")


def _lower_first(text: str) -> str:
    """'Start of IL-6 receptor antibody' -> 'start of IL-6 receptor antibody'."""
    return text[:1].lower() + text[1:]
