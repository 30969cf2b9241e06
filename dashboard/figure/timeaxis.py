"""The shared time axis: which unit, where day offsets land on it, its range and title."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from dashboard.model import UNIT_DAYS, Case, format_date, format_number
from dashboard.model.times import auto_unit

AXES = ("day", "week", "month", "year", "date")
X = float | str  # a position on the axis: a number in the unit, or an ISO date(-time)


# The model bounds a case's points with the same choice of unit the axis makes.
pick_unit = auto_unit


def _since(label: str) -> str:
    """'NMOSD onset' stays, 'Onset of MAS' -> 'onset of MAS': lower only ordinary words."""
    first = label.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower():
        return label[0].lower() + label[1:]
    return label


@dataclass(frozen=True, slots=True)
class TimeAxis:
    """Day offsets -> axis positions, with the view's reveal cut-off and visible range."""

    axis: str
    unit_days: float
    day0: dt.date | None
    day0_label: str
    reveal: float | None
    start: float
    end: float
    plot_px: float

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
        auto = case.axis.unit or pick_unit(high - low)
        if axis is None:
            axis = auto
        if axis not in AXES:
            raise ValueError(f"unknown axis {axis!r}; expected one of {', '.join(AXES)}")
        if axis == "date" and case.day0_date is None:
            raise ValueError(
                "a calendar (date) axis needs day0.date in the case file; "
                "choose a relative axis (day, week, month, year) or add `day0: {date: ...}`"
            )
        if window is not None:
            start, end = float(window[0]), float(window[1])
            if not end > start:
                raise ValueError(f"the window ends at day {end:g}, before it starts at {start:g}")
        else:
            # axis.from/to are written in the case's own unit (else the automatic one).
            written = UNIT_DAYS[auto]
            margin = max((high - low) * 0.03, 1.0)
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
            day0_label=case.day0.label,
            reveal=reveal,
            start=start,
            end=end,
            plot_px=plot_px,
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
        text = f"day {format_number(round(day))}"
        if self.day0 is None:
            return text
        return f"{text} ({format_date(self.day0 + dt.timedelta(days=round(day)))})"

    @property
    def range(self) -> list[X]:
        """The visible x range."""
        return [self.x(self.start), self.x(self.end)]

    @property
    def title(self) -> str:
        """'Days since NMOSD onset', 'Months from day 0' or 'Date (day 0: MAS onset, ...)'."""
        label = self.day0_label
        if self.axis == "date":
            assert self.day0 is not None
            return f"Date (day 0: {label}, {format_date(self.day0)})"
        unit = self.axis.capitalize() + "s"
        if label.strip().lower() == "day 0":
            return f"{unit} from day 0"
        return f"{unit} since {_since(label)}"

    def axis_layout(self) -> dict[str, Any]:
        """The x axis properties that follow from the unit."""
        if self.axis == "date":
            return {"type": "date", "hoverformat": "%d %b %Y"}
        return {"type": "linear", "hoverformat": ".4~f"}
