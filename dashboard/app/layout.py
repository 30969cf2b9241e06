"""What the pages are made of: the index, a case page and its parts, the 'no such case' page.

Every string from a case file goes into a Dash component as text, which React escapes;
nothing here builds HTML from case strings.
"""

from __future__ import annotations

import math
from typing import Any, cast
from urllib.parse import quote

import pandas as pd
from dash import dcc, html

from dashboard.app.cases import span_text
from dashboard.app.state import (
    EVERYTHING,
    View,
    axis_choices,
    panel_names,
    read_time,
    time_text,
)
from dashboard.describe import caption, course_account
from dashboard.facts import case_facts
from dashboard.facts import citation as facts_citation
from dashboard.figure import THEMES
from dashboard.model import Case
from dashboard.problems import InvalidCase

PRODUCT = "clinical-course"
WATCH_MS = 1500  # how often an open case page checks its file for changes

AXIS_NAMES = {"day": "Days", "week": "Weeks", "month": "Months", "year": "Years", "date": "Dates"}
THEME_NAMES = {"screen": "Screen", "print": "Print", "slides": "Slides"}
SORT_KEYS = {"start": "start_day", "end": "end_day"}
TABLE_NAMES = {
    "name": "Item",
    "section": "Section",
    "kind": "Kind",
    "start": "Start",
    "end": "End",
    "dose": "Dose",
    "detail": "Detail",
    "approximate": "Approx.",
    "source": "Source",
}


def attrs(values: dict[str, str]) -> dict[str, Any]:
    """HTML attributes Dash takes only by name, such as aria-label and aria-describedby."""
    return dict(values)


def case_href(case_id: str) -> str:
    """The case page of an id."""
    return "/case/" + quote(case_id, safe="")


def top_bar(*links: Any) -> html.Header:
    """The product bar at the top of every page."""
    return html.Header(
        className="topbar",
        children=[
            html.A(PRODUCT, href="/", className="brand", title="All cases"),
            html.Nav(list(links), className="topnav", **attrs({"aria-label": "Page"})),
        ],
    )


# -- a case page -----------------------------------------------------------------------------


def case_page(case_id: str, stamp: str | None, *, editable: bool = False) -> list[Any]:
    """The frame of a case page; callbacks fill it from the case file and the URL; with
    `editable`, a link to its edit view."""
    config = {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "filename": case_id, "scale": 2},
    }
    return [
        dcc.Location(id="view-url", refresh=False),
        dcc.Interval(id="tick", interval=WATCH_MS),
        dcc.Store(id="stamp", data=stamp),
        dcc.Store(id="page-title"),
        top_bar(
            html.A("All cases", href="/"),
            html.A("Present", href="/present/" + quote(case_id, safe=""), id="present-link"),
            *(
                [html.A("Edit", href=case_href(case_id) + "/edit", id="edit-link")]
                if editable
                else []
            ),
        ),
        html.Main(
            className="case",
            children=[
                html.Div(id="case-header", className="case-header"),
                html.Div(id="case-problems", role="alert"),
                controls(),
                html.Div(
                    className="chart-area",
                    children=[
                        html.Div(
                            className="chart-wrap",
                            role="figure",
                            **attrs(
                                {
                                    "aria-label": "Clinical course chart; the course is "
                                    "described in words below the chart",
                                    "aria-describedby": "course-account",
                                }
                            ),
                            children=dcc.Graph(id="chart", config=cast(Any, config)),
                        ),
                        # the chart's width in this browser, which the figure is laid out for
                        dcc.Store(id="chart-width"),
                        html.Aside(
                            id="details",
                            className="details",
                            hidden=True,
                            **attrs({"aria-label": "Details of the chosen item"}),
                            children=[
                                html.Button(
                                    "×",
                                    id="details-close",
                                    className="close",
                                    type="button",
                                    title="Close the details",
                                    **attrs({"aria-label": "Close the details"}),
                                ),
                                html.Div(id="details-body", **attrs({"aria-live": "polite"})),
                            ],
                        ),
                    ],
                ),
                html.Div(id="case-text"),
            ],
        ),
    ]


def controls() -> html.Div:
    """The control bar above the chart; every control labelled and keyboard-usable."""
    return html.Div(
        className="controls",
        role="group",
        **attrs({"aria-label": "Chart view"}),
        children=[
            _fieldset("Time axis", dcc.RadioItems(id="axis", className="choice", inline=True)),
            _fieldset("Panels", dcc.Checklist(id="panels", className="choice", inline=True)),
            _fieldset(
                "Theme",
                dcc.RadioItems(
                    id="theme",
                    className="choice",
                    inline=True,
                    options=[{"label": THEME_NAMES[name], "value": name} for name in THEMES],
                    value="screen",
                ),
            ),
            html.Fieldset(
                className="control window",
                children=[
                    html.Legend("Time window", id="window-legend"),
                    html.Div(
                        className="window-row",
                        children=[
                            html.Label("From", htmlFor="window-from"),
                            dcc.Input(id="window-from", type="text", debounce=True, size="10"),
                            html.Label("to", htmlFor="window-to"),
                            dcc.Input(id="window-to", type="text", debounce=True, size="10"),
                        ],
                    ),
                ],
            ),
            html.Div(
                className="control reveal",
                children=[
                    html.Label("Reveal up to", htmlFor="reveal"),
                    dcc.Dropdown(id="reveal", clearable=False, searchable=False, value=EVERYTHING),
                ],
            ),
            html.Div(
                className="control actions",
                children=[
                    html.A("Page (HTML)", id="download-html", className="button", download=""),
                    html.Button(
                        "PNG",
                        id="download-png",
                        className="button",
                        type="button",
                        title="Download the chart as a PNG image",
                    ),
                    html.Button(
                        "SVG",
                        id="download-svg",
                        className="button",
                        type="button",
                        title="Download the chart as an SVG image",
                    ),
                ],
            ),
        ],
    )


def _fieldset(legend: str, control: Any) -> html.Fieldset:
    return html.Fieldset([html.Legend(legend), control], className="control")


def axis_options(case: Case) -> list[dict[str, str]]:
    """The time axes this case offers."""
    return [{"label": AXIS_NAMES[axis], "value": axis} for axis in axis_choices(case)]


def panel_options(case: Case) -> list[dict[str, str]]:
    """The panels this case has, each to show or hide."""
    return [
        {"label": name.capitalize() if name in ("treatments", "events") else name, "value": name}
        for name in panel_names(case)
    ]


def reveal_options(case: Case, steps: list[Any], view: View) -> list[dict[str, str]]:
    """'Show everything', then the teaching steps, then a time from the URL that is none of them."""
    options = [{"label": "Show everything", "value": EVERYTHING}]
    for step in steps:
        text = time_text(step.at)
        when = step.at.describe().lstrip("~")
        label = f"{step.title} — {when}" if step.title else when
        options.append({"label": label, "value": text})
    if view.reveal is not None and view.reveal not in {option["value"] for option in options}:
        time = read_time(view.reveal, case)
        if time is not None:
            options.append({"label": time.describe(), "value": view.reveal})
    return options


def header(case: Case) -> list[Any]:
    """Title, summary, and the patient / diagnoses / day 0 line."""
    known = case_facts(case)
    facts = [*known.facts, ("Course", span_text(case))]
    return [
        html.H1(known.title, id="case-title"),
        html.P(known.summary, className="summary") if known.summary else None,
        html.Dl(
            [html.Div([html.Dt(label), html.Dd(text)]) for label, text in facts],
            className="facts",
        ),
    ]


def citation(case: Case, *, brief: bool = False) -> html.P | None:
    """The citation line with DOI and PubMed links (addresses built by the facts, not taken
    as given); `brief` leaves out the figure, PubMed and the source page."""
    source = facts_citation(case)
    if source is None:
        return None
    parts: list[Any] = []
    if source.text:
        parts.append(source.text)
    if source.figure and not brief:
        parts += [". " if parts else "", source.figure]
    links = [("doi: ", source.doi)] + ([] if brief else [("PMID: ", source.pmid), ("", source.url)])
    for label, link in links:
        if link is not None:
            text = link.text.capitalize() if link is source.url else link.text
            anchor = html.A(text, href=link.href, rel="noopener", target="_blank")
            parts += [". " + label if parts else label, anchor]
    return html.P(parts, className="citation") if parts else None


def case_text(case_id: str, case: Case, frame: pd.DataFrame) -> list[Any]:
    """Below the chart: citation, caption, the course in words, and every item as a table."""
    source_note = case.source.note if case.source is not None else None
    return [
        html.Section(
            className="below",
            children=[
                html.H2("Source"),
                citation(case) or html.P("No source given.", className="muted"),
                html.P(source_note, className="source-note") if source_note else None,
                html.H2("Figure caption"),
                html.P(caption(case), className="caption"),
                html.H2("The course in words", id="course-heading"),
                html.Ol(
                    [html.Li(sentence) for sentence in course_account(case)],
                    id="course-account",
                    className="account",
                ),
                dcc.Store(id="table-sort", data={"column": "start", "ascending": True}),
                html.Div(
                    className="table-head",
                    children=[
                        html.H2("Every item", id="items-heading"),
                        html.A(
                            "Download table (CSV)",
                            href=f"/export/{quote(case_id, safe='')}.csv",
                            className="button",
                            download=f"{case_id}.csv",
                        ),
                    ],
                ),
                html.Div(items_table(frame), id="items-table", className="table-wrap"),
            ],
        )
    ]


def items_table(frame: pd.DataFrame, column: str = "start", ascending: bool = True) -> html.Table:
    """Every item as a table whose column headers sort it (click again to reverse)."""
    key = SORT_KEYS.get(column, column)
    if key in frame.columns:
        frame = frame.sort_values(key, ascending=ascending, kind="stable", na_position="last")
    head = html.Tr(
        [
            html.Th(
                html.Button(
                    [
                        TABLE_NAMES[name],
                        html.Span(_arrow(name == column, ascending), className="arrow"),
                    ],
                    id={"sort": name},
                    type="button",
                    className="sort",
                    title=f"Sort by {TABLE_NAMES[name].lower()}",
                ),
                scope="col",
                **attrs(
                    {
                        "aria-sort": ("ascending" if ascending else "descending")
                        if name == column
                        else "none"
                    }
                ),
            )
            for name in TABLE_NAMES
        ]
    )
    body = [
        html.Tr([html.Td(_cell(row[name])) for name in TABLE_NAMES])
        for row in frame.to_dict("records")
    ]
    return html.Table(
        [html.Thead(head), html.Tbody(body)],
        className="items",
        **attrs({"aria-labelledby": "items-heading"}),
    )


def _arrow(active: bool, ascending: bool) -> str:
    return (" ▲" if ascending else " ▼") if active else ""


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def details(case_id: str, fields: dict[str, str]) -> list[Any]:
    """The detail panel of one clicked item; an imaging event shows its image."""
    image = next((text for label, text in fields.items() if label.lower() == "image"), None)
    rows = [
        part
        for label, text in fields.items()
        if label.lower() not in ("name", "image")
        for part in (html.Dt(label), html.Dd(text))
    ]
    name = fields.get("Name") or fields.get("name") or "Item"
    return [
        html.H2(name, id="details-title"),
        html.Dl(rows),
        html.Img(
            src=f"/case-image/{quote(case_id, safe='')}/{quote(image)}",
            alt=f"Image: {name}",
            className="details-image",
        )
        if image
        else None,
    ]


def unreadable_header(case_id: str) -> list[Any]:
    """The header of a case page whose file cannot be read."""
    return [html.H1(["Case ", html.Code(case_id)], id="case-title")]


def invalid_notice(invalid: InvalidCase) -> list[Any]:
    """The banner of a case whose file cannot be read right now."""
    return [
        html.Div(
            className="banner",
            children=[
                html.Strong("This case file has problems. "),
                "The page updates by itself when the file is fixed.",
                html.Ul([html.Li(str(error), className="error-line") for error in invalid.errors]),
            ],
        )
    ]
