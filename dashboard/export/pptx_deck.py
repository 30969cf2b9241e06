"""The teaching deck as a PowerPoint file, for those who teach with PowerPoint.

The same slides as the HTML deck (`slides.plan`), on a 16:9 slide: each step's chart as a
picture drawn by kaleido (one Chromium for all), its title and question as text boxes, and
its notes in the speaker-notes pane; a step with an answer is followed by the same slide
with the answer shown (a build step), the chart a little smaller to give it room. Positions
are given on the HTML deck's 1920x1080 canvas: one canvas pixel is 6350 EMU, so both decks
look alike.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Pt

from dashboard.describe import caption, patient_line
from dashboard.export.base import write_atomic
from dashboard.export.images import ImageRenderer, ImageSize
from dashboard.export.slides import CHART_HEIGHT, CHART_WIDTH, Slide, plan, slide_figure
from dashboard.model import Case

PX = 6350  # EMU per pixel of the 1920x1080 canvas: 13.333 in / 1920
INK = RGBColor(0x11, 0x11, 0x11)  # type: ignore[no-untyped-call]
MUTED = RGBColor(0x4A, 0x55, 0x60)  # type: ignore[no-untyped-call]
ANSWER = RGBColor(0x00, 0x5A, 0x8C)  # type: ignore[no-untyped-call]
ANSWER_CHART = 0.78  # the chart's size on an answer slide, so the answer has room
FONT = "Arial"
# Drawn at 1.5x so the picture stays sharp on a projector.
CHART_SIZE = ImageSize("deck chart", CHART_WIDTH, CHART_HEIGHT, 1.5, "slides")
BLANK_LAYOUT = 6
CORE_PROPERTY = 255  # characters, the most a .pptx file's title or subject may hold


def _at_most(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _box(slide: object, left: int, top: int, width: int, height: int) -> object:
    shapes = slide.shapes  # type: ignore[attr-defined]
    box = shapes.add_textbox(Emu(left * PX), Emu(top * PX), Emu(width * PX), Emu(height * PX))
    box.text_frame.word_wrap = True
    return box


def _paragraph(
    box: object,
    text: str,
    *,
    size: float,
    bold: bool = False,
    colour: RGBColor = INK,
    first: bool = False,
) -> None:
    frame = box.text_frame  # type: ignore[attr-defined]
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run.font.color.rgb = colour


def _title_slide(deck: object, case: Case) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])  # type: ignore[attr-defined]
    box = _box(slide, 200, 200, 1520, 700)
    _paragraph(box, case.title, size=36, bold=True, first=True)
    if who := patient_line(case):
        _paragraph(box, f"Patient: {who}", size=18)
    if case.diagnoses:
        _paragraph(box, "Diagnoses: " + "; ".join(case.diagnoses), size=18)
    if case.source is not None and case.source.citation:
        doi = f" doi: {case.source.doi}" if case.source.doi else ""
        _paragraph(box, case.source.citation + doi, size=12, colour=MUTED)
    if case.teaching.objectives:
        _paragraph(box, "Objectives", size=18, bold=True)
        for objective in case.teaching.objectives:
            _paragraph(box, f"• {objective}", size=16)
    if case.summary:
        slide.notes_slide.notes_text_frame.text = case.summary


def _step_slide(deck: object, plan_slide: Slide, picture: bytes, *, answered: bool) -> None:
    """A step's slide; `answered`: its build step that adds the answer, the chart smaller."""
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])  # type: ignore[attr-defined]
    head = _box(slide, 64, 28, 1792, 80)
    _paragraph(head, plan_slide.title, size=26, bold=True, first=True)
    if plan_slide.when:
        run = head.text_frame.paragraphs[0].add_run()  # type: ignore[attr-defined]
        run.text = f"   {plan_slide.when}"
        run.font.size, run.font.name, run.font.color.rgb = Pt(16), FONT, MUTED
    # With the answer the chart gives up height (keeping its proportions) to the text.
    scale = ANSWER_CHART if answered else 1.0
    slide.shapes.add_picture(
        io.BytesIO(picture),
        Emu(64 * PX),
        Emu(116 * PX),
        Emu(round(CHART_WIDTH * scale) * PX),
        Emu(round(CHART_HEIGHT * scale) * PX),
    )
    if plan_slide.question or answered:
        top = 116 + round(CHART_HEIGHT * scale) + 12
        prompt = _box(slide, 64, top, 1792, 1060 - top)
        if plan_slide.question:
            _paragraph(prompt, plan_slide.question, size=18, bold=True, first=True)
        if answered and plan_slide.answer:
            _paragraph(
                prompt,
                f"Answer: {plan_slide.answer}",
                size=18,
                colour=ANSWER,
                first=not plan_slide.question,
            )
    notes = [plan_slide.note or ""]
    if plan_slide.answer:
        notes.append(f"Answer: {plan_slide.answer}")
    if plan_slide.when:
        notes.append(f"Chart shown up to {plan_slide.when}.")
    slide.notes_slide.notes_text_frame.text = "\n\n".join(part for part in notes if part)


def write_pptx(case: Case, path: Path) -> Path:
    """Write the deck of `case` as a .pptx: a title slide, one slide per step, the whole course."""
    slides = plan(case)
    with ImageRenderer() as renderer:
        jobs = ((slide_figure(case, slide), "png", CHART_SIZE) for slide in slides)
        pictures = list(renderer.images(jobs))
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(1920 * PX), Emu(1080 * PX)
    # the file's properties hold at most 255 characters; the slides hold the whole title
    deck.core_properties.title = _at_most(case.title, CORE_PROPERTY)
    deck.core_properties.subject = _at_most(caption(case), CORE_PROPERTY)
    # (python-pptx's template says its own author wrote it, in 2013)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    deck.core_properties.author = deck.core_properties.last_modified_by = "clinical-course"
    deck.core_properties.created = deck.core_properties.modified = now
    deck.core_properties.revision = 1
    _title_slide(deck, case)
    for plan_slide, picture in zip(slides, pictures, strict=True):
        _step_slide(deck, plan_slide, picture, answered=False)
        if plan_slide.answer:  # the answer as a build step: the same slide with it shown
            _step_slide(deck, plan_slide, picture, answered=True)
    buffer = io.BytesIO()
    deck.save(buffer)
    return write_atomic(path, buffer.getvalue())
