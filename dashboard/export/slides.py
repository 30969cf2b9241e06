"""The plan of a teaching presentation, shared by the HTML deck and the PowerPoint file.

One slide per teaching step (the case's own, else default ones: day 0, each relapse, each
treatment start), then the whole course. Step k's chart is built with `reveal` at step k's
time, so its data hold nothing after it: a student cannot find the outcome by hovering.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.describe import caption, default_steps
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
