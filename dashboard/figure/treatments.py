"""Treatments as geometry: rows, bars, taper profiles, ticks and marks, gathered per lane kind."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dashboard.figure.key import Key, key_mark
from dashboard.figure.parts import (
    Points,
    Segments,
    approx_note,
    esc,
    joined,
    lines,
)
from dashboard.figure.themes import GREY, Theme, family_colours, text_on
from dashboard.figure.timeaxis import TimeAxis
from dashboard.model import Case, Treatment
from dashboard.model.case import MAX_ADMINISTRATIONS

BAR = 0.3  # half the thickness of a bar, in rows
THIN = 0.14  # half the thickness of a bar that carries administration ticks
TAPER_ROW = 1.8  # a taper row is this many rows tall, so its steps and numbers fit
HOVER_STEP_PX = 90  # hover targets along a bar, at most this far apart at the initial zoom


@dataclass(frozen=True, slots=True)
class TreatmentRow:
    """A row of the panel: its label and where it sits (rows run top to bottom)."""

    name: str
    top: float
    height: float

    @property
    def centre(self) -> float:
        """The middle of the row."""
        return self.top + self.height / 2


def layout_rows(treatments: tuple[Treatment, ...]) -> dict[str, TreatmentRow]:
    """Rows in order of first mention; a row with a taper is taller."""
    heights: dict[str, float] = {}
    for item in treatments:
        tall = TAPER_ROW if item.doses is not None else 1.0
        heights[item.row] = max(heights.get(item.row, 1.0), tall)
    rows, top = {}, 0.0
    for name, height in heights.items():
        rows[name] = TreatmentRow(name, top, height)
        top += height
    return rows


def colour_family(item: Treatment) -> str:
    """What gives a treatment its hue, as written: its class, else 'procedure' for a
    procedure, else its row (the drug)."""
    return item.class_ or ("procedure" if item.kind == "procedure" else item.row)


def _spans(item: Treatment, t: TimeAxis, mark_days: float) -> list[tuple[float, float]]:
    """The days an item covers in its row: its bar or taper, or a short span per dose."""
    if item.given is not None:
        return [(time.day - mark_days / 2, time.day + mark_days) for time in item.given]
    first, last = item.first.day, item.last.day
    if item.ongoing:
        last = max(t.end, last)
    return [(first, max(last, first + mark_days))]


def _title(item: Treatment) -> str:
    """The hover title: 'PSL (prednisolone)'."""
    if item.abbr and item.abbr != item.drug:
        return esc(f"{item.abbr} ({item.drug})")
    return esc(item.drug)


def _hover(item: Treatment, *body: str | None) -> tuple[str, str]:
    """Title and body of a treatment's hover; the class always heads the body."""
    return _title(item), lines(esc(item.class_ or ""), *body)


def _box(
    t: TimeAxis, start: float, end: float, centre: float, half: float
) -> tuple[list[Any], list[Any]]:
    x0, x1 = t.x(start), t.x(end)
    return [x0, x1, x1, x0, x0], [
        centre - half,
        centre - half,
        centre + half,
        centre + half,
        centre - half,
    ]


class Lanes:
    """Collects every treatment into a handful of traces."""

    def __init__(
        self,
        case: Case,
        t: TimeAxis,
        theme: Theme,
        places: Case | None = None,
        families: tuple[str, ...] = (),
        key: Key | None = None,
    ) -> None:
        self.t, self.theme = t, theme
        self.key = key if key is not None else Key()
        # `places`: the whole case, whose rows a revealed figure keeps in their places
        self.rows = layout_rows((places or case).treatments)
        keys = [colour_family(item) for item in case.treatments]
        self.colours = family_colours(keys, [item.color for item in case.treatments], families)
        self.row_colour: dict[str, str] = {}
        for item, colour in zip(case.treatments, self.colours, strict=True):
            if item.kind == "drug" and item.given is None:
                self.row_colour.setdefault(item.row, colour)
        self.bars, self.procedures, self.fades = Segments(), Segments(), Segments()
        self.along, self.marks, self.ticks, self.arrows = Points(), Points(), Points(), Points()
        self.labels = Points()
        # where the last taper dose written on each row ends, in px: two tapers of one row
        # must not write their doses over each other
        self.label_end: dict[str, float] = {}
        self.fade_days = t.days_for_px(14)
        self.space_days = t.days_for_px(theme.measure(" ", 0.85))
        # what each row holds, so a dose written beside its bar is not written over another
        self.held: dict[str, list[tuple[float, float, str]]] = {}
        for index, item in enumerate(case.treatments):
            for span in _spans(item, t, max(1.0, t.days_for_px(7))):
                self.held.setdefault(item.row, []).append((*span, f"treatments[{index}]"))
        for index, item in enumerate(case.treatments):
            ref = f"treatments[{index}]"
            if item.given is not None:
                self._given(item, ref, self.colours[index])
            elif item.doses is not None:
                self._taper(item, ref, self.colours[index])
            else:
                self._continuous(item, ref, self.colours[index])
        self._beyond(case)

    def _beyond(self, case: Case) -> None:
        """A row whose every item lies beyond the time axis (a window, or `axis: from/to`)
        says so at the edge, with when and the dose, instead of standing empty."""
        t, say = self.t, self.t.words
        seen = [(a, b) for spans in self.held.values() for a, b, _ in spans]
        for name, spans in self.held.items():
            if any(b >= t.start and a <= t.end for a, b, _ in spans) or not seen:
                continue
            ref = spans[0][2]
            item = case.treatments[int(ref.split("[")[1].rstrip("]"))]
            before = max(b for _, b, _ in spans) < t.start
            first = say.when(item.first)
            last = say.t("ongoing") if item.ongoing else say.when(item.last)
            when = first if last == first else f"{first} → {last}"
            text = " ".join(part for part in (when, item.dose or "") if part)
            text = f"◀ {text}" if before else f"{text} ▶"
            self.key.beside(ref, text)
            self.labels.add(
                t.x(t.start if before else t.end),
                self.rows[name].centre,
                ref,
                text=" " + esc(text) + " ",
                position="middle right" if before else "middle left",
                color=self.theme.ink,
            )

    # -- the three timing forms -------------------------------------------------------------

    def _given(self, item: Treatment, ref: str, colour: str) -> None:
        assert item.given is not None
        row = self.rows[item.row]
        first = next((time.day for time in item.given if self.t.shown(time.day)), None)
        if item.dose and first is not None:
            # beside the first mark (or session), up to the next one
            width = max(1.0, self.t.days_for_px(self.theme.mark_size("diamond") * 0.7))
            self._dose_label(item.dose, ref, first - width, first + width, row, False, 0.0)
        for time in item.given:
            if not self.t.shown(time.day):
                continue
            given = self.t.words.t("given {when}", when=self.t.words.when(time))
            hover = _hover(
                item, esc(item.dose or ""), given, approx_note(time.approx, self.t.words)
            )
            if item.kind == "procedure":
                # Sessions of plasma exchange read as hatched blocks, as in the papers.
                width = max(1.0, self.t.days_for_px(7))
                end = self.t.clip(time.day + width)
                self.procedures.add(*_box(self.t, time.day, end, row.centre, BAR), ref)
                self.along.add(self.t.x(time.day), row.centre, ref, *hover)
                if time.approx:
                    self.fades.add(*_box(self.t, time.day, end, row.centre, BAR), ref)
            else:
                symbol = "diamond-open" if time.approx else "diamond"
                self.marks.add(
                    self.t.x(time.day), row.centre, ref, *hover, symbol=symbol, color=colour
                )

    def _continuous(self, item: Treatment, ref: str, colour: str) -> None:
        assert item.start is not None
        t, row = self.t, self.rows[item.row]
        start = item.start.day
        end = item.end.day if item.end is not None else max(t.end, start)
        if not t.shown(start):
            return
        shown_end = t.clip(end)
        half = THIN if item.every else BAR
        target = self.procedures if item.kind == "procedure" else self.bars
        target.add(*_box(t, start, shown_end, row.centre, half), ref)
        dose = esc(item.dose or item.unit or "")
        say = t.words
        until = say.when(item.end) if item.end is not None else say.t("ongoing")
        approx = item.start.approx or (item.end is not None and item.end.approx)
        every = (
            say.t("every {interval}", interval=say.units(item.every, "day")) if item.every else None
        )
        hover = _hover(
            item, joined(dose, every), f"{say.when(item.start)} → {until}", approx_note(approx, say)
        )
        if not item.every:  # repeated dosing hovers on its ticks instead
            self._along(ref, hover, start, shown_end, row.centre)
        self._fade(
            item.start.approx,
            item.end is not None and item.end.approx,
            start,
            end,
            shown_end,
            row.centre,
            half,
            ref,
        )
        if item.every:
            self._ticks(item, ref, colour, start, end, shown_end, row.centre)
        if item.ongoing and shown_end >= end:
            self.arrows.add(t.x(end), row.centre, ref, *hover, color=colour)
        if item.dose:
            # On an approximate start the dose begins after the washed-out edge.
            inset = self.fade_days if item.start.approx else 0.0
            self._dose_label(
                item.dose, ref, start, shown_end, row, inside=not item.every, inset=inset
            )

    def _taper(self, item: Treatment, ref: str, colour: str) -> None:
        assert item.doses is not None
        t, row = self.t, self.rows[item.row]
        steps = item.doses
        last = steps[-1]
        stub = last.dose > 0 and item.end is None and not item.ongoing
        if item.end is not None:
            end = item.end.day
        elif item.ongoing:
            end = max(t.end, last.at.day)
        else:
            end = last.at.day + (max(1.0, self.fade_days) if stub else 0.0)
        start = steps[0].at.day
        if not t.shown(start):
            return
        shown_end = t.clip(end)
        peak = max(step.dose for step in steps) or 1.0
        base, tallest = row.top + row.height * 0.82, row.height * 0.6
        xs: list[Any] = [t.x(start)]
        ys: list[Any] = [base]
        unit = f" {item.unit}" if item.unit else ""
        label_px = self.label_end.get(row.name, -math.inf)
        missed = False  # a step whose dose could not be written beside it
        target = self.procedures if item.kind == "procedure" else self.bars
        # Every step's dose in every step's hover: labels that do not fit are left out.
        say = t.words
        schedule = say.t(
            "doses: {doses}",
            doses=", ".join(
                f"{'~' * s.dose_approx}{say.value(s.dose)} ({say.when(s.at)})"
                for s in steps
                if t.shown(s.at.day)
            ),
        )
        for number, step in enumerate(steps):
            if not t.shown(step.at.day):
                break
            until = steps[number + 1].at.day if number + 1 < len(steps) else end
            level = base - tallest * step.dose / peak
            xs += [t.x(step.at.day), t.x(step.at.day)]
            ys += [ys[-1], level]
            hover = _hover(
                item,
                say.t(
                    "{dose} from {when}",
                    dose=say.value(step.dose) + esc(unit),
                    when=say.when(step.at),
                ),
                esc(step.note or ""),
                approx_note(step.approx, say),
                schedule,
            )
            self._along(ref, hover, step.at.day, t.clip(until), row.centre)
            # Past the washed-out edge of an approximate start; ~ on an approximate dose.
            at = t.clip(step.at.day + (self.fade_days if number == 0 and step.at.approx else 0))
            at_px = (at - t.start) * t.px_per_day
            text = "~" * step.dose_approx + say.value(step.dose) + (unit if number == 0 else "")
            width = self.theme.measure(text + "  ", 0.85)
            step_ref = f"{ref}.doses[{number}]"
            clear = not self._over_row_above(row, level, at, at + t.days_for_px(width))
            fits = at_px >= label_px and at_px + width <= t.plot_px
            if fits and clear and self.key.fits(step_ref):
                self.labels.add(
                    t.x(at),
                    level,
                    ref,
                    text=esc(text),
                    position="top right",
                    color=self.theme.ink,
                )
                self.key.beside(step_ref, text)
                label_px = at_px + width
            else:
                missed = True
        self.label_end[row.name] = label_px
        if missed:
            # Every step's dose, the peak among them, in the key: the reader sees each change.
            doses = " → ".join(
                "~" * s.dose_approx + say.value(s.dose) for s in steps if t.shown(s.at.day)
            )
            # its mark after the taper and the last dose written over it
            written = t.clip(t.start + max(label_px, 0.0) / t.px_per_day)
            self._dose_label(
                f"{doses}{unit}",
                f"{ref}.doses",
                start,
                max(shown_end, written),
                row,
                False,
                0.0,
                whole=False,
            )
        xs += [t.x(shown_end), t.x(shown_end), t.x(start)]
        ys += [ys[-1], base, base]
        target.add(xs, ys, ref)
        # Washed-out edges as tall as the profile where they sit.
        for first, dose in ((True, steps[0].dose), (False, last.dose)):
            half = max(tallest * dose / peak / 2, 0.12)
            uncertain = steps[0].at.approx if first else stub or bool(item.end and item.end.approx)
            self._fade(
                first and uncertain,
                not first and uncertain,
                start,
                end,
                shown_end,
                base - half,
                half,
                ref,
            )
        if item.ongoing and shown_end >= end:
            hover = _hover(item, t.words.t("ongoing"))
            self.arrows.add(
                t.x(end), base - tallest * last.dose / peak / 2, ref, *hover, color=colour
            )

    # -- helpers ---------------------------------------------------------------------------

    def _over_row_above(self, row: TreatmentRow, level: float, start: float, end: float) -> bool:
        """True when a dose written above a taper's step at `level` (in rows) would rise into
        the row above and over one of its items between days `start` and `end`."""
        tall = self.theme.text_px(0.85) * 1.2 / self.theme.row_px
        if level - tall >= row.top:
            return False
        names = list(self.rows)
        number = names.index(row.name)
        if number == 0:
            return False
        margin = self.t.days_for_px(self.theme.mark_size("diamond"))
        spans = self.held.get(names[number - 1], [])
        return any(first - margin < end and last + margin > start for first, last, _ in spans)

    def _along(self, ref: str, hover: tuple[str, str], start: float, end: float, y: float) -> None:
        """Invisible hover targets along a bar, so hovering anywhere on it explains it."""
        step = self.t.days_for_px(HOVER_STEP_PX)
        count = min(60, max(1, math.ceil((end - start) / step)))
        for k in range(count):
            self.along.add(self.t.x(start + (end - start) * (k + 0.5) / count), y, ref, *hover)

    def _fade(
        self,
        at_start: bool,
        at_end: bool,
        start: float,
        end: float,
        shown_end: float,
        centre: float,
        half: float,
        ref: str,
    ) -> None:
        """Approximate ends: a washed-out, dotted box over the uncertain edge."""
        width = min(self.fade_days, (end - start) / 3)
        if width <= 0:
            return
        if at_start:
            self.fades.add(*_box(self.t, start, self.t.clip(start + width), centre, half), ref)
        if at_end and shown_end >= end:
            self.fades.add(*_box(self.t, end - width, end, centre, half), ref)

    def _ticks(
        self,
        item: Treatment,
        ref: str,
        colour: str,
        start: float,
        end: float,
        shown_end: float,
        centre: float,
    ) -> None:
        assert item.every is not None
        total = int((end - start) / item.every + 1e-9) + 1
        # Validation bounds the ticks up to the chart's edge; a view may stretch that edge.
        for number in range(min(total, MAX_ADMINISTRATIONS)):
            day = start + number * item.every
            if day > shown_end:
                break
            hover = _hover(
                item,
                esc(item.dose or ""),
                self.t.words.t(
                    "administration {number} of {total}: {when}",
                    number=number + 1,
                    total=total,
                    when=self.t.describe(day),
                ),
            )
            self.ticks.add(self.t.x(day), centre, ref, *hover, color=colour)

    def _dose_label(
        self,
        dose: str,
        ref: str,
        start: float,
        end: float,
        row: TreatmentRow,
        inside: bool,
        inset: float,
        *,
        whole: bool = True,
    ) -> None:
        """The dose on the bar when it fits (and the bar is as thick as the text), else just
        after it, else just before it (up to the row's next item or the edge); where it fits
        nowhere, or `whole` is False, a key mark there and the dose in the key."""
        t, theme = self.t, self.theme
        colour = self.row_colour.get(row.name, GREY)
        # the row's other items, and this item's own later marks (a dose given again)
        others = [(a, b) for a, b, other in self.held[row.name] if other != ref or a > end]
        right = min([max(first, end) for first, last in others if last > end] + [t.end])
        left = max([min(last, start) for first, last in others if first < start] + [t.start])
        after = right - end if t.shown(end) else 0.0
        before = start - left
        # white on a bar thinner than the text would spill onto the paper
        thick = 2 * BAR * theme.row_px >= theme.text_px(0.85) * 1.15
        texts = [dose] if whole and self.key.fits(ref) else []
        for text in (*texts, key_mark(len(self.key.entries) + 1)):
            need = t.days_for_px(theme.measure(f" {text} ", 0.85)) + self.space_days
            if inside and thick and end - start - inset >= need:
                x, position, ink = start + inset + self.space_days * 0.6, "middle right", None
            elif after >= need:
                x, position, ink = end, "middle right", theme.ink
            elif before >= need:
                x, position, ink = start, "middle left", theme.ink
            elif text == dose:
                continue
            elif end - start - inset >= need:
                # no room beside it: on its bar, in ink (a thin bar does not hide one
                # character), rather than past the plot's edge or over the next item
                x, position, ink = start + inset + self.space_days * 0.6, "middle right", theme.ink
            elif t.end - end >= need:  # no room anywhere: after the item all the same
                x, position, ink = end, "middle right", theme.ink
            else:  # ... unless that is past the plot's edge: before it
                x, position, ink = start, "middle left", theme.ink
            if text == dose:
                self.key.beside(ref, dose)
            else:
                self.key.add(ref, f"{row.name}: {dose}")
            self.labels.add(
                t.x(x),
                row.centre,
                ref.split(".")[0],  # the item's, as every point's; the key knows the step
                text=" " + esc(text) + " ",
                position=position,
                color=ink or text_on(colour),
            )
            return
