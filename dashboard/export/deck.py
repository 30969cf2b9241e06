"""A case as a teaching presentation: one slide per teaching step, the chart revealed up to it.

Two outputs share one plan of slides: a self-contained HTML deck (plotly.js once, each
step's figure as JSON, drawn when its slide is shown; keyboard driven) and a PowerPoint
file (see `pptx_deck`). Step k's figure is built with `reveal` at step k's time, so its
data hold nothing after it: a student cannot find the outcome by hovering.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

import plotly.graph_objects as go

from dashboard.describe import caption, default_steps
from dashboard.export.base import ExportError, write_atomic
from dashboard.export.page import (
    PLOT_CONFIG,
    citation_html,
    facts_html,
    plotlyjs_html,
    script_json,
)
from dashboard.figure import build_figure
from dashboard.model import Case

FINAL_TITLE = "The whole course"
# The chart's place on the 1920x1080 slide canvas (deck.css lays out the rest around it).
CHART_WIDTH, CHART_HEIGHT = 1792, 780
SLIDE_CHART_TOP = 56


@dataclass(frozen=True, slots=True)
class Slide:
    """One slide of the plan: a step of the case (or the whole course at the end)."""

    title: str
    when: str
    reveal: float | None  # the day the chart is revealed up to; None: the whole course
    question: str | None = None
    answer: str | None = None
    note: str | None = None


def plan(case: Case) -> list[Slide]:
    """The step slides of `case` (its teaching steps, else default ones), then the whole course."""
    steps = case.teaching.steps or tuple(default_steps(case))
    slides = [
        Slide(
            title=step.title or f"Up to {step.at.describe()}",
            when=step.at.describe(),
            reveal=step.at.day,
            question=step.question,
            answer=step.answer,
            note=step.note,
        )
        for step in steps
    ]
    slides.append(Slide(FINAL_TITLE, "", None, note=caption(case)))
    return slides


def slide_figure(case: Case, slide: Slide) -> go.Figure:
    """The chart of one slide, in the slides theme; the slide's own heading replaces its title."""
    figure = build_figure(
        case, theme="slides", reveal=slide.reveal, width=CHART_WIDTH, height=CHART_HEIGHT
    )
    # The slide's heading names the step; the room the figure kept for its title goes to rows.
    figure.update_layout(title_text="", margin_t=SLIDE_CHART_TOP)
    return figure


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
def _template(name: str) -> str:
    return resources.files("dashboard").joinpath(f"templates/{name}").read_text("utf-8")


def _title_slide(case: Case) -> str:
    objectives = "".join(f"<li>{escape(item)}</li>" for item in case.teaching.objectives)
    if objectives:
        objectives = f'<h2>Objectives</h2><ul class="objectives">{objectives}</ul>'
    return (
        '<section class="slide title-slide" aria-roledescription="slide">'
        f"<h1>{escape(case.title)}</h1>{facts_html(case, day0=False)}"
        f"{citation_html(case)}{objectives}"
        '<p class="hint"><kbd>→</kbd> or <kbd>Space</kbd> next · <kbd>←</kbd> back · '
        "<kbd>A</kbd> answer · <kbd>S</kbd> presenter view · <kbd>F</kbd> full screen</p>"
        "</section>"
    )


def _step_slide(slide: Slide, number: int) -> str:
    when = f'<p class="when">{escape(slide.when)}</p>' if slide.when else ""
    question = f'<p class="question">{escape(slide.question)}</p>' if slide.question else ""
    answer = (
        '<button type="button" class="reveal-answer" aria-expanded="false">Show answer '
        f'<kbd>A</kbd></button><p class="answer" hidden>{escape(slide.answer)}</p>'
        if slide.answer
        else ""
    )
    prompt = f'<div class="prompt">{question}{answer}</div>' if question or answer else ""
    notes = (
        f'<aside class="notes" aria-label="Speaker notes"><h3>Notes</h3>'
        f"<p>{escape(slide.note)}</p></aside>"
        if slide.note
        else ""
    )
    kind = "final-slide" if slide.reveal is None else "step-slide"
    return (
        f'<section class="slide {kind}" aria-roledescription="slide" data-figure="{number}">'
        f'<header class="slide-head">{when}<h2>{escape(slide.title)}</h2></header>'
        f'<div class="chart" id="chart-{number}" role="img" '
        f'aria-label="Clinical course chart up to this step"></div>{prompt}{notes}</section>'
    )


def deck_html(case: Case, *, case_id: str, plotlyjs: str = "inline") -> str:
    """The deck as one HTML file; `plotlyjs` is "inline" (offline, alone) or a script URL."""
    slides = plan(case)
    figures = [slide_figure(case, slide).to_plotly_json() for slide in slides]
    sections = [_title_slide(case)] + [
        _step_slide(slide, number) for number, slide in enumerate(slides)
    ]
    script = plotlyjs_html(plotlyjs)
    config = PLOT_CONFIG | {"responsive": False, "displayModeBar": False}
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="clinical-course">
<title>{escape(case.title)} – teaching slides</title>
<style>{_template("deck.css")}</style>
{script}
</head>
<body data-case="{escape(case_id, quote=True)}">
<main id="deck" class="deck">
{"".join(sections)}
<nav class="controls" aria-label="Slides">
<button type="button" class="toggle-notes" aria-pressed="false">Presenter view <kbd>S</kbd></button>
<button type="button" class="previous" aria-label="Previous slide">←</button>
<span class="counter" aria-live="polite" aria-atomic="true"></span>
<button type="button" class="next" aria-label="Next slide">→</button>
</nav>
</main>
<script type="application/json" id="deck-figures">{script_json(figures)}</script>
<script type="application/json" id="deck-config">{script_json(config)}</script>
<script>{_template("deck.js")}</script>
</body>
</html>
"""
