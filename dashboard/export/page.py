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
from plotly.offline import get_plotlyjs
from plotly.utils import PlotlyJSONEncoder

from dashboard.describe import caption, course_account, patient_line
from dashboard.model import Case, format_date

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


def citation_html(case: Case) -> str:
    """The citation line with its DOI and PubMed links, escaped."""
    source = case.source
    if source is None:
        return ""
    parts = [escape(source.citation)] if source.citation else []
    if source.figure:
        parts.append(escape(source.figure))
    if source.doi:
        href = "https://doi.org/" + escape(source.doi, quote=True)
        parts.append(f'doi: <a href="{href}" rel="noopener">{escape(source.doi)}</a>')
    if source.pmid:
        href = "https://pubmed.ncbi.nlm.nih.gov/" + escape(source.pmid, quote=True) + "/"
        parts.append(f'PMID: <a href="{href}" rel="noopener">{escape(source.pmid)}</a>')
    if source.url:
        parts.append(f'<a href="{escape(source.url, quote=True)}" rel="noopener">source</a>')
    note = f'<p class="source-note">{escape(source.note)}</p>' if source.note else ""
    return f'<p class="citation">{". ".join(parts)}</p>{note}' if parts or note else ""


def facts_html(case: Case, *, day0: bool = True) -> str:
    """Patient, diagnoses and (with `day0`) what day 0 is, as a definition list, escaped."""
    facts = []
    if who := patient_line(case):
        facts.append(f"<dt>Patient</dt><dd>{escape(who)}</dd>")
    if case.diagnoses:
        facts.append(f"<dt>Diagnoses</dt><dd>{escape('; '.join(case.diagnoses))}</dd>")
    if day0:
        when = case.day0.date
        date = f" ({format_date(when.anchor, when.precision)})" if when and when.anchor else ""
        facts.append(f"<dt>Day 0</dt><dd>{escape(case.day0.label + date)}</dd>")
    return f'<dl class="facts">{"".join(facts)}</dl>' if facts else ""


def header_html(case: Case) -> str:
    """Title, summary, patient, diagnoses, day 0 and citation, escaped."""
    summary = f'<p class="summary">{escape(case.summary)}</p>' if case.summary else ""
    return f"<h1>{escape(case.title)}</h1>{summary}{facts_html(case)}{citation_html(case)}"


def account_html(case: Case) -> str:
    """The course in words, as a list: the chart's text alternative."""
    items = "".join(f"<li>{escape(sentence)}</li>" for sentence in course_account(case))
    return f'<ol class="account" id="course-account">{items}</ol>'


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


def figure_html(figure: go.Figure | dict[str, Any], div_id: str = CHART_ID) -> str:
    """The figure as a div and the script that draws it (plotly.js loaded separately)."""
    data = script_json(figure if isinstance(figure, dict) else figure.to_plotly_json())
    return (
        f'<div id="{div_id}" class="chart" role="img" aria-describedby="course-account" '
        'aria-label="Clinical course chart; the course is described in words below"></div>'
        f"<script>(function () {{ var figure = {data}; "
        f"Plotly.newPlot({json.dumps(div_id)}, figure.data, figure.layout, "
        f"{json.dumps(PLOT_CONFIG)}); }})();</script>"
    )


def plotlyjs_html(plotlyjs: str) -> str:
    """plotly.js for a page: "inline" (the page works offline, alone) or from a script URL."""
    if plotlyjs == "inline":
        return f"<script>{get_plotlyjs()}</script>"
    return f'<script src="{escape(plotlyjs, quote=True)}"></script>'


def case_page(
    case: Case,
    figure: go.Figure | dict[str, Any],
    *,
    plotlyjs: str = "inline",
    stylesheet: str | None = None,
    nav: str = "",
) -> str:
    """The standalone page; `plotlyjs` is "inline" (works offline, alone) or a script URL.

    A site shares one `stylesheet` URL between its pages instead of each inlining the CSS;
    `nav` is markup of this program's own (a link back to a site's index), never case text.
    """
    if stylesheet is None:
        style = f"<style>{page_css()}</style>"
    else:
        style = f'<link rel="stylesheet" href="{escape(stylesheet, quote=True)}">'
    script = plotlyjs_html(plotlyjs)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="clinical-course">
<title>{escape(case.title)}</title>
{style}
{script}
</head>
<body>
<main>
{nav}<header>{header_html(case)}</header>
<figure>
{figure_html(figure)}
<figcaption class="caption">{escape(caption(case))}</figcaption>
</figure>
<section aria-labelledby="course-heading">
<h2 id="course-heading">The course in words</h2>
{account_html(case)}
</section>
</main>
</body>
</html>
"""
