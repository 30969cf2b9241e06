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

from dashboard.export.base import write_atomic
from dashboard.export.page import (
    PLOT_CONFIG,
    citation_html,
    facts_html,
    plotlyjs_html,
    script_json,
)
from dashboard.export.slides import Slide, plan, slide_figure
from dashboard.fonts.embed import embedded_css
from dashboard.i18n import words
from dashboard.model import Case
from dashboard.model.views import AXIS_SPANS
from dashboard.problems import output_suffix

FINAL_TITLE = "The whole course"  # the last slide's title, in English

__all__ = ["AXIS_SPANS", "FINAL_TITLE", "Slide", "deck_html", "plan", "save_deck", "slide_figure"]


DECK_FORMATS = (
    (".html", ".pptx"),
    "use .html (a slide show that works offline in a browser) or .pptx (PowerPoint)",
)


def save_deck(
    case: Case, path: str | os.PathLike[str], *, case_id: str, axis_span: str | None = None
) -> Path:
    """Write the presentation of `case` as the suffix of `path` says: .html or .pptx;
    `axis_span` "step" gives each step its own axis (default: the case's `teaching.axis`)."""
    path = Path(path)
    if output_suffix(path, *DECK_FORMATS) == ".html":
        return write_atomic(path, deck_html(case, case_id=case_id, axis_span=axis_span))
    from dashboard.export.pptx_deck import write_pptx

    return write_pptx(case, path, axis_span=axis_span)


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


def _presenter_words(case: Case) -> dict[str, str]:
    """The words of the presenter view, which deck.js writes into a window of its own."""
    say = words(case.language)
    return {
        "presenter": say.t("Presenter view"),
        "notes": say.t("Notes"),
        "noNotes": say.t("(no notes for this slide)"),
        "answer": say.t("Answer"),
        "noAnswer": say.t("(none)"),
        "next": say.t("Next"),
        "end": say.t("(the end)"),
    }


def deck_html(
    case: Case, *, case_id: str, plotlyjs: str = "inline", axis_span: str | None = None
) -> str:
    """The deck as one HTML file; `plotlyjs` is "inline" (offline, alone) or a script URL.

    Each slide's figure, and for a question that holds back what begins on its step, the
    question's own figure before it: (question figure index or None, answer figure index).
    """
    slides = plan(case, axis_span)
    figures: list[object] = []
    views: list[tuple[int | None, int]] = []
    for slide in slides:
        question = None
        if slide.held:
            question = len(figures)
            figures.append(slide_figure(case, slide, answered=False).to_plotly_json())
        figures.append(slide_figure(case, slide).to_plotly_json())
        views.append((question, len(figures) - 1))
    config = PLOT_CONFIG | {"responsive": False, "displayModeBar": False}
    # Markup: pieces already escaped where they were made (JSON made safe for <script>).
    template = _environment().get_template("deck.html")
    parts = {
        "case": case,
        "case_id": case_id,
        "slides": slides,
        "views": views,
        "_": words(case.language).t,
        "presenter_words": Markup(script_json(_presenter_words(case))),
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
