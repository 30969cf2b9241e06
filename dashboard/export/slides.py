"""The plan of a teaching presentation, shared by the HTML deck and the PowerPoint file.

One slide per teaching step (the case's own, else default ones: day 0, each relapse, each
treatment start), then the whole course. Step k's chart is built with `reveal` at step k's
time, so its data hold nothing after it: a student cannot find the outcome by hovering.
A step that asks a question has two views: the question's, which leaves out what begins on
the step's own time too (the answer must not stand beside its question), and the answer's,
which shows it; `show: with-question` on a step shows it with the question instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from dashboard.describe import caption, default_steps
from dashboard.figure import build_figure
from dashboard.i18n import words
from dashboard.model import Case, Step
from dashboard.model.times import auto_unit
from dashboard.model.views import AXIS_SPANS
from dashboard.problems import ViewError

# The chart's place on the 1920x1080 slide canvas (deck.css lays out the rest around it).
CHART_WIDTH, CHART_HEIGHT = 1792, 780
SLIDE_CHART_TOP = 56
STEP_MARGIN = 0.15  # past a step's time, a step's own axis runs on by this share of its span


@dataclass(frozen=True, slots=True)
class Slide:
    """One slide of the plan: a step of the case (or the whole course at the end)."""

    title: str
    when: str
    reveal: float | None  # the day the chart is revealed up to; None: the whole course
    question: str | None = None
    answer: str | None = None
    note: str | None = None
    held: bool = False  # the question's view leaves out what begins on `reveal`
    window: tuple[float, float] | None = None  # the step's own axis, in days; None: the course

    @property
    def question_reveal(self) -> float | None:
        """The day the question's view is revealed up to: just before the step's time when
        what begins on it is held back for the answer."""
        if self.reveal is None or not self.held:
            return self.reveal
        return math.nextafter(self.reveal, -math.inf)


def _window(case: Case, day: float) -> tuple[float, float]:
    """From the start of the course to a little after `day`: an early step made readable."""
    low, high = case.span
    start = low - max((high - low) * 0.03, 1.0)
    end = day + max((day - start) * STEP_MARGIN, 1.0)
    return start, min(end, high + max((high - low) * 0.03, 1.0))


def _slide(case: Case, step: Step, axis_span: str) -> Slide:
    say = words(case.language)
    when = say.when(step.at)
    window = _window(case, step.at.day) if axis_span == "step" else None
    return Slide(
        title=step.title or say.t("Up to {when}", when=when),
        when=when,
        reveal=step.at.day,
        question=step.question,
        answer=step.answer,
        note=step.note,
        held=step.question is not None and step.show == "with-answer",
        window=window,
    )


def plan(case: Case, axis_span: str | None = None) -> list[Slide]:
    """The step slides of `case` (its teaching steps, else default ones), then the whole course;
    `axis_span` "step" gives each step its own axis (default: the case's `teaching.axis`)."""
    span = axis_span or case.teaching.axis
    if span not in AXIS_SPANS:
        raise ViewError(f"axis span: expected one of {', '.join(AXIS_SPANS)}, found {span!r}")
    steps = case.teaching.steps or tuple(default_steps(case))
    slides = [_slide(case, step, span) for step in steps]
    final = words(case.language).t("The whole course")
    slides.append(Slide(final, "", None, note=caption(case)))
    return slides


def slide_figure(
    case: Case,
    slide: Slide,
    *,
    answered: bool = True,
    size: tuple[int, int] = (CHART_WIDTH, CHART_HEIGHT),
    **view: Any,
) -> go.Figure:
    """The chart of one slide, in the slides theme; the slide's own heading replaces its title.

    `answered`: the answer's view; else the question's, without what the answer reveals.
    `size`: the chart's width and height on the slide canvas.
    """
    reveal = slide.reveal if answered else slide.question_reveal
    axis = None
    if slide.window is not None and case.axis.unit is None:
        axis = auto_unit(slide.window[1] - slide.window[0])  # ticks for the span shown
    figure = build_figure(
        case,
        theme="slides",
        reveal=reveal,
        window=slide.window,
        axis=axis,
        width=size[0],
        height=size[1],
        **view,
    )
    # The slide's heading names the step; the room the figure kept for its title goes to rows.
    figure.update_layout(title_text="", margin_t=SLIDE_CHART_TOP)
    return figure
