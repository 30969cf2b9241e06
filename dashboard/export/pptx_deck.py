"""The teaching deck as a PowerPoint file, for those who teach with PowerPoint.

The same slides as the HTML deck (`slides.plan`), on a 16:9 slide: each step's chart as a
picture (one Chromium draws them all, each read back and checked) across the slide's whole
width, its title and its question in the layout's title and text placeholders (a presenter
edits them as any slide's text), and its notes in the speaker-notes pane. A step with a
question or an answer is followed by a build step: the same slide with the answer, its chart
now showing what begins on the step's own time (the question's chart holds that back).
Positions are given on the HTML deck's 1920x1080 canvas: one canvas pixel is 6350 EMU, so
both decks look alike.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from dashboard.describe import caption, patient_line
from dashboard.export.base import write_atomic
from dashboard.export.images import Drawing, Figure, ImageRenderer, ImageSize, Room
from dashboard.export.slides import Slide, plan, slide_figure
from dashboard.i18n import Words, words
from dashboard.model import Case

PX = 6350  # EMU per pixel of the 1920x1080 canvas: 13.333 in / 1920
INK = RGBColor(0x11, 0x11, 0x11)  # type: ignore[no-untyped-call]
MUTED = RGBColor(0x4A, 0x55, 0x60)  # type: ignore[no-untyped-call]
ANSWER = RGBColor(0x00, 0x5A, 0x8C)  # type: ignore[no-untyped-call]
FONT = "Arial"
# The chart spans the slide's width, drawn at 1.5x so the picture stays sharp on a projector;
# the heading (up to two lines) sits above it, the question and answer below.
CANVAS_WIDTH, CANVAS_HEIGHT = 1920, 1080
CHART = (CANVAS_WIDTH, 700)
CHART_TOP = 150
CHART_SIZE = ImageSize("deck chart", CHART[0], CHART[1], 1.5, "slides")
HEAD = (64, 16, CANVAS_WIDTH - 128, CHART_TOP - 20)  # left, top, width, height
PROMPT_TOP = CHART_TOP + CHART[1] + 8
PROMPT = (64, PROMPT_TOP, CANVAS_WIDTH - 128, CANVAS_HEIGHT - PROMPT_TOP - 12)
BLANK_LAYOUT = 6
TITLE_AND_CONTENT = 1  # python-pptx's default template: a title and a text placeholder
CORE_PROPERTY = 255  # characters, the most a .pptx file's title or subject may hold


def _at_most(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _emu(left: int, top: int, width: int, height: int) -> tuple[Emu, Emu, Emu, Emu]:
    return Emu(left * PX), Emu(top * PX), Emu(width * PX), Emu(height * PX)


def _box(slide: Any, left: int, top: int, width: int, height: int) -> Any:
    box = slide.shapes.add_textbox(*_emu(left, top, width, height))
    box.text_frame.word_wrap = True
    return box


def _placed(shape: Any, left: int, top: int, width: int, height: int) -> Any:
    """A layout's placeholder moved to its place on this slide; its text wraps."""
    shape.left, shape.top, shape.width, shape.height = _emu(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.clear()
    return shape


def _paragraph(
    box: Any,
    text: str,
    *,
    size: float,
    bold: bool = False,
    colour: RGBColor = INK,
    first: bool = False,
) -> Any:
    frame = box.text_frame
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    # a plain paragraph, not the template's bulleted list item
    properties = paragraph._p.get_or_add_pPr()
    properties.set("marL", "0")
    properties.set("indent", "0")
    if properties.find(qn("a:buNone")) is None:
        properties.insert(0, properties.makeelement(qn("a:buNone"), {}))
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run.font.color.rgb = colour
    return paragraph


def _title_slide(deck: Any, case: Case, say: Words) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    box = _box(slide, 200, 200, 1520, 700)
    _paragraph(box, case.title, size=36, bold=True, first=True)
    if who := patient_line(case):
        _paragraph(box, say.t("Patient: {patient}", patient=who), size=18)
    if case.diagnoses:
        diagnoses = say.t("; ").join(case.diagnoses)
        _paragraph(box, say.t("Diagnoses: {diagnoses}", diagnoses=diagnoses), size=18)
    if case.source is not None and case.source.citation:
        doi = f" doi: {case.source.doi}" if case.source.doi else ""
        _paragraph(box, case.source.citation + doi, size=12, colour=MUTED)
    if case.teaching.objectives:
        _paragraph(box, say.t("Objectives"), size=18, bold=True)
        for objective in case.teaching.objectives:
            _paragraph(box, f"• {objective}", size=16)
    if case.summary:
        slide.notes_slide.notes_text_frame.text = case.summary


def _step_slide(
    deck: Any, plan_slide: Slide, picture: bytes, say: Words, *, answered: bool
) -> None:
    """A step's slide; `answered`: its build step that adds the answer."""
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_AND_CONTENT])
    head = _placed(slide.shapes.title, *HEAD)
    heading = _paragraph(head, plan_slide.title, size=26, bold=True, first=True)
    if plan_slide.when:
        run = heading.add_run()
        run.text = f"   {plan_slide.when}"
        run.font.size, run.font.bold, run.font.name = Pt(16), False, FONT
        run.font.color.rgb = MUTED
    slide.shapes.add_picture(io.BytesIO(picture), *_emu(0, CHART_TOP, *CHART))
    [body] = [shape for shape in slide.placeholders if shape.placeholder_format.idx == 1]
    if plan_slide.question or (answered and plan_slide.answer):
        prompt = _placed(body, *PROMPT)
        if plan_slide.question:
            _paragraph(prompt, plan_slide.question, size=18, bold=True, first=True)
        if answered and plan_slide.answer:
            answer = say.t("Answer: {answer}", answer=plan_slide.answer)
            _paragraph(prompt, answer, size=18, colour=ANSWER, first=not plan_slide.question)
    else:
        body._element.getparent().remove(body._element)  # no empty "Click to add text"
    notes = [plan_slide.note or ""]
    if plan_slide.answer:
        notes.append(say.t("Answer: {answer}", answer=plan_slide.answer))
    if plan_slide.when:
        notes.append(say.t("Chart shown up to {when}.", when=plan_slide.when))
    slide.notes_slide.notes_text_frame.text = "\n\n".join(part for part in notes if part)


def _builds(slide: Slide) -> bool:
    """Whether a step's slide is followed by its answer's build step."""
    return bool(slide.answer) or slide.held


def _drawing(case: Case, slide: Slide, *, answered: bool) -> Drawing:
    """A slide's chart, and how to lay it out again with the room its drawing needed."""

    def relayout(room: Room) -> Figure:
        # warn=False: the renderer says the last layout's warnings, once
        return slide_figure(case, slide, answered=answered, size=CHART, warn=False, **room.view())

    return Drawing(relayout(Room()), relayout)


def write_pptx(case: Case, path: Path, *, axis_span: str | None = None) -> Path:
    """Write the deck of `case` as a .pptx: a title slide, one slide per step, the whole course."""
    say = words(case.language)
    slides = plan(case, axis_span)
    jobs = []
    for slide in slides:
        if slide.held:
            jobs.append((_drawing(case, slide, answered=False), "png", CHART_SIZE))
        jobs.append((_drawing(case, slide, answered=True), "png", CHART_SIZE))
    with ImageRenderer() as renderer:
        pictures = iter(list(renderer.images(jobs)))
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(CANVAS_WIDTH * PX), Emu(CANVAS_HEIGHT * PX)
    # the file's properties hold at most 255 characters; the slides hold the whole title
    deck.core_properties.title = _at_most(case.title, CORE_PROPERTY)
    deck.core_properties.subject = _at_most(caption(case), CORE_PROPERTY)
    deck.core_properties.language = case.language
    # (python-pptx's template says its own author wrote it, in 2013)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    deck.core_properties.author = deck.core_properties.last_modified_by = "clinical-course"
    deck.core_properties.created = deck.core_properties.modified = now
    deck.core_properties.revision = 1
    _title_slide(deck, case, say)
    for plan_slide in slides:
        question = next(pictures) if plan_slide.held else None
        answer = next(pictures)
        _step_slide(deck, plan_slide, question or answer, say, answered=False)
        if _builds(plan_slide):  # the answer as a build step: the same slide with it shown
            _step_slide(deck, plan_slide, answer, say, answered=True)
    buffer = io.BytesIO()
    deck.save(buffer)
    return write_atomic(path, buffer.getvalue())
