"""One case as a standalone HTML page: header, figure, caption and the course in words.

Every string from a case file is escaped here; the figure's data travel as JSON that
plotly escapes for a script element, so nothing a case file says can run in the page.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib import resources
from typing import Any

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from dashboard.export.templating import environment, render
from dashboard.facts import case_facts, citation
from dashboard.fonts.embed import embedded_css
from dashboard.model import Case
from dashboard.plotlyjs import plotly_js

CHART_ID = "course-chart"
PLOT_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


@cache
def page_css() -> str:
    """The stylesheet shared by every page this tool writes."""
    return resources.files("dashboard").joinpath("assets/page.css").read_text("utf-8")


def _macro(name: str) -> Any:
    return getattr(environment().get_template("_macros.html.j2").module, name)


def citation_html(case: Case) -> str:
    """The citation line with its DOI and PubMed links, escaped."""
    return str(_macro("citation")(citation(case)))


def facts_html(case: Case, *, day0: bool = True) -> str:
    """Patient, diagnoses and (with `day0`) what day 0 is, as a definition list, escaped."""
    return str(_macro("facts")(case_facts(case), day0=day0))


def header_html(case: Case) -> str:
    """Title, summary, patient, diagnoses, day 0 and citation, escaped."""
    return str(_macro("header")(case_facts(case)))


def account_html(case: Case) -> str:
    """The course in words, as a list: the chart's text alternative."""
    return str(_macro("account")(case_facts(case)))


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element, however hostile its strings.

    Only `</` (which could close the element) and `<!--` (which changes how the browser
    reads the rest) are escaped, and the two line separators old parsers choke on; markup
    such as plotly's `<br>` stays as it is, which keeps figures a fifth smaller than
    escaping every `<` would.
    """
    text = json.dumps(value, cls=PlotlyJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    for unsafe, safe in _SCRIPT_ESCAPES:
        text = text.replace(unsafe, safe)
    return text


_SCRIPT_ESCAPES = (
    ("</", "<\\/"),
    ("<!--", "\\u003c!--"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def figure_html(
    figure: go.Figure | dict[str, Any],
    div_id: str = CHART_ID,
    label: str = "Clinical course chart; the course is described in words below",
) -> str:
    """The figure as a div and the script that draws it (plotly.js loaded separately); a
    figure, not an image, to assistive technology, since plotly puts controls inside it."""
    data = script_json(figure if isinstance(figure, dict) else figure.to_plotly_json())
    return (
        f'<div id="{div_id}" class="chart" role="figure" aria-describedby="course-account" '
        f'aria-label="{escape(label, quote=True)}"></div>'
        f"<script>(function () {{ var figure = {data}; "
        f"Plotly.newPlot({json.dumps(div_id)}, figure.data, figure.layout, "
        f"{json.dumps(PLOT_CONFIG)}); }})();</script>"
    )


def plotlyjs_html(plotlyjs: str) -> str:
    """plotly.js for a page: "inline" (the page works offline, alone) or from a script URL."""
    if plotlyjs == "inline":
        return f"<script>{plotly_js()}</script>"
    return f'<script src="{escape(plotlyjs, quote=True)}"></script>'


def case_page(
    case: Case,
    figure: go.Figure | dict[str, Any],
    *,
    plotlyjs: str = "inline",
    stylesheet: str | None = None,
    index: str | None = None,
) -> str:
    """The standalone page; `plotlyjs` is "inline" (works offline, alone) or a script URL.

    A site shares one `stylesheet` URL between its pages instead of each inlining the CSS
    (the site's stylesheet declares the fonts), and gives the `index` page to link back to;
    a page alone carries the fonts it draws with, cut down to its characters.
    """
    facts = case_facts(case)
    label = facts.words.t("Clinical course chart; the course is described in words below")
    parts = {
        "_": facts.words.t,
        "f": facts,
        "index": index,
        "figure": figure_html(figure, label=label),
    }
    if stylesheet is not None:
        return render(
            "case.html.j2", css="", stylesheet=stylesheet, plotlyjs=plotlyjs_html(plotlyjs), **parts
        )
    return with_fonts("case.html.j2", page_css(), plotlyjs_html(plotlyjs), **parts)


def with_fonts(template: str, css: str, plotlyjs: str, **parts: Any) -> str:
    """A page of its own (`template`, its `css`) that carries the shipped fonts it draws
    with, cut down to the characters of its texts and figure."""
    text = render(template, css=css, stylesheet=None, plotlyjs="", **parts)
    return render(
        template, css=embedded_css(text) + css, stylesheet=None, plotlyjs=plotlyjs, **parts
    )
