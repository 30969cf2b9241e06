"""The shared time axis: which unit, where day offsets land on it, its range and title."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from dashboard.i18n import Words, words
from dashboard.model import UNIT_DAYS, Case
from dashboard.model.views import AXES
from dashboard.problems import ViewError

X = float | str  # a position on the axis: a number in the unit, or an ISO date(-time)


EDGE_PX = 12  # the least room, in px, between either end of the plot and the first or last mark


@dataclass(frozen=True, slots=True)
class TimeAxis:
    """Day offsets -> axis positions, with the view's reveal cut-off and visible range."""

    axis: str
    unit_days: float
    day0: dt.date | None
    day0_label: str | None  # as written; None when day 0 is not named
    reveal: float | None
    start: float
    end: float
    plot_px: float
    words: Words

    @classmethod
    def build(
        cls,
        case: Case,
        axis: str | None,
        reveal: float | None,
        window: tuple[float, float] | None,
        plot_px: float,
    ) -> TimeAxis:
        """Choose the axis for `case` and the view options, checking them."""
        low, high = case.span
        auto = case.default_unit
        if axis is None:
            axis = auto
        if axis not in AXES:
            raise ViewError(f"unknown axis {axis!r}; expected one of {', '.join(AXES)}")
        if axis == "date" and case.day0_date is None:
            raise ViewError(
                "a calendar (date) axis needs day0.date in the case file; "
                "choose a relative axis (day, week, month, year) or add `day0: {date: ...}`"
            )
        if window is not None:
            start, end = float(window[0]), float(window[1])
            if not end > start:
                raise ViewError(f"the window ends at day {end:g}, before it starts at {start:g}")
        else:
            # axis.from/to are written in the case's own unit (else the automatic one).
            written = UNIT_DAYS[auto]
            # room for a mark at either end (half its width and a gap) inside the plot
            margin = max((high - low) * max(0.03, EDGE_PX / max(plot_px, 1.0)), 1.0)
            given_from, given_to = case.axis.from_, case.axis.to
            start = given_from * written if given_from is not None else low - margin
            end = given_to * written if given_to is not None else high + margin
            if end <= start:
                end = start + max(high - low, 1.0)
        unit_days = 1.0 if axis == "date" else UNIT_DAYS[axis]
        return cls(
            axis=axis,
            unit_days=unit_days,
            day0=case.day0_date,
            day0_label=case.day0.named,
            reveal=reveal,
            start=start,
            end=end,
            plot_px=plot_px,
            words=words(case.language),
        )

    def x(self, day: float) -> X:
        """The axis position of a day offset (rounded, never past the reveal day)."""
        if self.day0 is not None and self.axis == "date":
            minutes = round(day * 1440)
            when = dt.datetime(self.day0.year, self.day0.month, self.day0.day)
            when += dt.timedelta(minutes=minutes)
            return when.strftime("%Y-%m-%d" if minutes % 1440 == 0 else "%Y-%m-%d %H:%M")
        value = day / self.unit_days
        rounded = round(value, 3)
        if self.reveal is not None and rounded > self.reveal / self.unit_days >= value:
            # Rounding up must not carry a point past the reveal line.
            rounded = math.floor(value * 1000) / 1000
        return rounded

    def shown(self, day: float) -> bool:
        """Whether a time is revealed."""
        return self.reveal is None or day <= self.reveal

    def clip(self, day: float) -> float:
        """`day`, or the reveal day when it lies beyond it."""
        return day if self.reveal is None else min(day, self.reveal)

    @property
    def px_per_day(self) -> float:
        """Roughly how many pixels one day takes, for fitting text beside bars."""
        return self.plot_px / (self.end - self.start)

    def days_for_px(self, px: float) -> float:
        """How many days `px` pixels cover at the initial zoom."""
        return px / self.px_per_day

    def describe(self, day: float) -> str:
        """A computed time for hover, to the whole day: 'day 28 (29 Oct 2012)'."""
        return self.words.day(day, self.day0)

    @property
    def range(self) -> list[X]:
        """The visible x range."""
        return [self.x(self.start), self.x(self.end)]

    @property
    def title(self) -> str:
        """'Days since NMOSD onset', 'Months from day 0' or 'Date (day 0: MAS onset, ...)';
        the label as written, in the catalogue's sentence around it."""
        say, label = self.words, self.day0_label
        if self.axis == "date":
            assert self.day0 is not None
            date = self.words.date(self.day0)
            if label is None:
                return say.t("Date (day 0: {date})", date=date)
            return say.t("Date (day 0: {label}, {date})", label=label, date=date)
        if label is None:
            return {
                "day": say.t("Days from day 0"),
                "week": say.t("Weeks from day 0"),
                "month": say.t("Months from day 0"),
                "year": say.t("Years from day 0"),
            }[self.axis]
        return {
            "day": say.t("Days since {label}", label=label),
            "week": say.t("Weeks since {label}", label=label),
            "month": say.t("Months since {label}", label=label),
            "year": say.t("Years since {label}", label=label),
        }[self.axis]

    def axis_layout(self) -> dict[str, Any]:
        """The x axis properties that follow from the unit."""
        if self.axis == "date":
            if self.words.english:
                return {"type": "date", "hoverformat": "%d %b %Y"}
            # plotly.js writes month names in English: other languages number the months
            # TRANSLATORS: a d3 date format (https://d3js.org/d3-time-format) for a day.
            hover = self.words.t("%d %b %Y")
            # TRANSLATORS: a d3 date format for the month ticks of a calendar axis.
            return {"type": "date", "hoverformat": hover, "tickformat": self.words.t("%b %Y")}
        return {"type": "linear", "hoverformat": ".4~f"}
