"""The index page (every case, a filter, the files with problems) and the 'no such case' page."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.app.cases import matches, span_text
from dashboard.app.layout import attrs, case_href, citation, top_bar
from dashboard.load import Catalog
from dashboard.model import Case
from dashboard.problems import InvalidCase

ERRORS_SHOWN = 8  # per file; the rest are counted


def index_page(catalog: Catalog) -> list[Any]:
    """Every case with its key facts, a filter box, and the files that could not be read."""
    count = len(catalog.cases)
    return [
        top_bar(),
        html.Main(
            className="index",
            children=[
                html.H1("Clinical courses"),
                html.P(
                    f"{count} case{'s' * (count != 1)} in this folder. Open one to explore its "
                    "course, reveal it step by step, or present it.",
                    className="lead",
                ),
                html.Div(
                    className="filter",
                    children=[
                        html.Label("Filter cases", htmlFor="case-filter"),
                        dcc.Input(
                            id="case-filter",
                            type="search",
                            debounce=False,
                            placeholder="Title, diagnosis or drug (e.g. NMOSD, tocilizumab, TCZ)",
                            autoComplete="off",
                        ),
                    ],
                ),
                html.Ul(case_cards(catalog, None), id="case-list", className="cards"),
                problems_section(catalog.invalid),
            ],
        ),
    ]


def case_cards(catalog: Catalog, query: str | None) -> list[Any]:
    """One card per case matching the query."""
    cards = [
        case_card(case_id, found.case)
        for case_id, found in sorted(catalog.cases.items())
        if matches(found.case, query)
    ]
    if not cards:
        message = "No case matches this filter." if catalog.cases else "No valid case files yet."
        return [html.Li(message, className="empty")]
    return cards


def case_card(case_id: str, case: Case) -> html.Li:
    """A case in the index."""
    relapses = sum(event.kind == "relapse" for event in case.events)
    treatments = len(case.treatments)
    facts = [
        ("Day 0", case.day0.label),
        ("Course", span_text(case)),
        ("Treatments", str(treatments)),
        ("Relapses", str(relapses)),
    ]
    return html.Li(
        className="card",
        children=[
            html.H2(html.A(case.title, href=case_href(case_id))),
            html.P("; ".join(case.diagnoses), className="diagnoses") if case.diagnoses else None,
            html.Dl(
                [part for label, text in facts for part in (html.Dt(label), html.Dd(text))],
                className="card-facts",
            ),
            citation(case, brief=True),
        ],
    )


def problems_section(invalid: tuple[InvalidCase, ...]) -> html.Section | None:
    """Files that could not be read, each with its file:line messages."""
    if not invalid:
        return None
    return html.Section(
        className="problems",
        **attrs({"aria-labelledby": "problems-heading"}),
        children=[
            html.H2(f"Files with problems ({len(invalid)})", id="problems-heading"),
            html.P("These files are not shown above until they are fixed:"),
            html.Ul([problem_item(item) for item in invalid]),
        ],
    )


def problem_item(invalid: InvalidCase) -> html.Li:
    """One invalid file and its problems, capped."""
    lines = [html.Li(str(error), className="error-line") for error in invalid.errors]
    more = len(lines) - ERRORS_SHOWN
    if more > 0:
        lines = [*lines[:ERRORS_SHOWN], html.Li(f"… and {more} more problems", className="more")]
    return html.Li([html.Code(invalid.path, className="file"), html.Ul(lines)])


def missing_page(case_id: str) -> list[Any]:
    """The friendly page for an id no file has."""
    return [
        top_bar(html.A("All cases", href="/")),
        html.Main(
            className="missing",
            children=[
                html.H1("No such case"),
                html.P(["There is no case file called ", html.Code(case_id), " in this folder."]),
                html.P(html.A("Back to all cases", href="/")),
            ],
        ),
    ]
