"""A case as a teaching presentation: one slide per teaching step, the chart revealed up to it.

Two outputs share one plan of slides (`slides.plan`): this self-contained HTML deck
(plotly.js once, each step's figure as JSON, drawn when its slide is shown; keyboard
driven), rendered from the Jinja2 template `templates/deck.html` with every value escaped,
and a PowerPoint file (see `pptx_deck`).
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from dashboard.export.base import ExportError, write_atomic
from dashboard.export.page import (
    PLOT_CONFIG,
    citation_html,
    facts_html,
    plotlyjs_html,
    script_json,
)
from dashboard.export.slides import FINAL_TITLE, Slide, plan, slide_figure
from dashboard.fonts.embed import embedded_css
from dashboard.model import Case

__all__ = ["FINAL_TITLE", "Slide", "deck_html", "plan", "save_deck", "slide_figure"]


def save_deck(case: Case, path: str | os.PathLike[str], *, case_id: str) -> Path:
    """Write the presentation of `case` as the suffix of `path` says: .html or .pptx."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".html":
        return write_atomic(path, deck_html(case, case_id=case_id))
    if suffix == ".pptx":
        from dashboard.export.pptx_deck import write_pptx

        return write_pptx(case, path)
    raise ExportError(
        f"cannot tell the presentation format of {path.name!r}: use .html (a slide show "
        "that works offline in a browser) or .pptx (PowerPoint)"
    )


# -- the HTML deck -------------------------------------------------------------------------


@cache
def _text(name: str) -> str:
    return resources.files("dashboard").joinpath(f"templates/{name}").read_text("utf-8")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_text),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def deck_html(case: Case, *, case_id: str, plotlyjs: str = "inline") -> str:
    """The deck as one HTML file; `plotlyjs` is "inline" (offline, alone) or a script URL."""
    slides = plan(case)
    figures = [slide_figure(case, slide).to_plotly_json() for slide in slides]
    config = PLOT_CONFIG | {"responsive": False, "displayModeBar": False}
    # Markup: pieces already escaped where they were made (JSON made safe for <script>).
    template = _environment().get_template("deck.html")
    parts = {
        "case": case,
        "case_id": case_id,
        "slides": slides,
        "js": Markup(_text("deck.js")),
        "facts": Markup(facts_html(case, day0=False)),
        "citation": Markup(citation_html(case)),
        "figures": Markup(script_json(figures)),
        "config": Markup(script_json(config)),
    }
    # the deck carries the fonts it draws with, cut down to the characters of its texts
    text = template.render(css=Markup(""), plotlyjs=Markup(""), **parts)
    css = Markup(embedded_css(text) + _text("deck.css"))
    return template.render(css=css, plotlyjs=Markup(plotlyjs_html(plotlyjs)), **parts)
