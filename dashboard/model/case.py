"""The case schema: one clinical case as the YAML file describes it, validated and frozen."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from dashboard.model.language import Language
from dashboard.model.rules import FAILED, Strict, problem, rule
from dashboard.model.times import (
    DAY0_DATE,
    MAX_DAYS,
    UNIT_DAYS,
    UNREADABLE_DAY0,
    Time,
    Unit,
    Unset,
    auto_unit,
    parse_calendar,
    parse_duration,
    read_number,
)
from dashboard.model.views import AxisSpan

MAX_NUMBER = 1e15
MAX_ADMINISTRATIONS = 5_000
MAX_POINTS = 100_000

EventKind = Literal[
    "onset",
    "relapse",
    "symptom",
    "diagnosis",
    "imaging",
    "lab",
    "procedure",
    "admission",
    "discharge",
    "adverse-event",
    "death",
    "note",
]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
Marker = Literal[
    "circle",
    "square",
    "diamond",
    "cross",
    "x",
    "star",
    "triangle-up",
    "triangle-down",
    "triangle-left",
    "triangle-right",
    "hexagon",
    "pentagon",
    "hourglass",
]
MARKERS: tuple[Marker, ...] = get_args(Marker)
TreatmentKind = Literal["drug", "procedure"]
TREATMENT_KINDS: tuple[TreatmentKind, ...] = get_args(TreatmentKind)


def _as_written(value: Any) -> Any:
    return value


# Text in a case file; numbers are taken as text (age: 45, pmid: 39198173), and the schema says so.
Text = Annotated[
    str,
    BeforeValidator(_as_written, json_schema_input_type=str | float),
    Field(min_length=1, max_length=4000),
]


def _bounded(number: float) -> float:
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise problem(
            "number_range", f"expected a finite number between -1e15 and 1e15, found {number!r}"
        )
    return number


# A number a case file writes: finite and of a size a figure can draw.
Number = Annotated[float, AfterValidator(_bounded)]


def _citation(value: Any) -> Any:
    return {"citation": value} if isinstance(value, str) else value


class Source(Strict):
    """Where the case (or one datum) comes from."""

    citation: Text | None = None
    doi: Text | None = None
    pmid: Text | None = None
    figure: Text | None = None
    url: Text | None = None
    note: Text | None = Field(
        default=None, description="Caveats, e.g. which values are illustrative."
    )

    @field_validator("doi")
    @classmethod
    def _bare_doi(cls, doi: str | None) -> str | None:
        if doi is None:
            return None
        for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
            if doi.lower().startswith(prefix):
                return doi[len(prefix) :].strip()
        return doi

    @field_validator("url")
    @classmethod
    def _web_url(cls, url: str | None) -> str | None:
        if url is not None and not url.lower().startswith(("https://", "http://")):
            raise problem(
                "web_url", f"expected a web address starting with https://, found {url!r}"
            )
        return url


SourceField = Annotated[
    Source | None, BeforeValidator(_citation, json_schema_input_type=str | Source | None)
]


class Patient(Strict):
    """Who the case is about; deliberately only age, sex and a note."""

    age: Text | None = None
    sex: Text | None = None
    note: Text | None = None


class Day0(Strict):
    """What day 0 is, and its calendar date when the case gives one."""

    label: Text = "Day 0"
    date: Time | None = None

    @property
    def named(self) -> str | None:
        """The label as written, or None when day 0 is just day 0 (said in the case's language)."""
        return None if self.label == "Day 0" else self.label

    @field_validator("date")
    @classmethod
    def _calendar_only(cls, date: Time | None) -> Time | None:
        if date is not None and not date.is_calendar:
            raise problem(
                "day0_calendar", f"expected a calendar date such as 2015-04-01, found {date.text!r}"
            )
        return date


class Axis(Strict):
    """The time axis: its unit and optional window, in that unit."""

    unit: Unit | None = None
    from_: Number | None = Field(default=None, alias="from")
    to: Number | None = None

    def unit_for(self, span: tuple[float, float]) -> Unit:
        """The unit a case opens with: its own `unit`, else one that suits a course of `span`
        (first and last day)."""
        low, high = span
        return self.unit or auto_unit(high - low)

    @rule("from", "to")
    def _ordered(self) -> Iterator[PydanticCustomError]:
        if self.from_ is not None and self.to is not None and self.to <= self.from_:
            yield problem(
                "axis_order",
                f"the axis ends at {self.to:g}, before it starts at {self.from_:g}",
                "to",
            )


class DoseStep(Strict):
    """One step of a taper: from `at` on, the dose is `dose` (`~40` marks it approximate)."""

    at: Time
    dose: Annotated[
        Number, BeforeValidator(lambda value: _number(value)[0], json_schema_input_type=float | str)
    ] = Field(ge=0)
    note: Text | None = None
    dose_approx: SkipJsonSchema[bool] = False  # set from a leading ~ on the dose

    @model_validator(mode="before")
    @classmethod
    def _approximate_dose(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("dose"), str):
            data = {**data, "dose_approx": data["dose"].strip().startswith("~")}
        return data

    @property
    def approx(self) -> bool:
        """True when the step's time or dose was written with ~."""
        return self.at.approx or self.dose_approx


class Treatment(Strict):
    """One drug or procedure, in exactly one timing form."""

    drug: Text
    abbr: Annotated[Text, Field(max_length=40)] | None = None
    class_: Text | None = Field(default=None, alias="class")
    kind: TreatmentKind = "drug"
    dose: Text | None = None
    unit: Text | None = None
    start: Time | None = None
    end: Time | None = None
    ongoing: bool = False
    every: (
        Annotated[float, BeforeValidator(parse_duration, json_schema_input_type=str | float)] | None
    ) = Field(default=None, description="An interval such as '4 weeks' or '1 month'.")
    given: tuple[Time, ...] | None = None
    doses: tuple[DoseStep, ...] | None = None
    lane: Text | None = None
    color: Text | None = None
    note: Text | None = None
    source: Text | None = None

    @property
    def label(self) -> str:
        """The row label: the abbreviation, else the drug name."""
        return self.abbr or self.drug

    @property
    def row(self) -> str:
        """The row this item is drawn in: its lane, else its own label."""
        return self.lane or self.label

    @property
    def timing(self) -> Literal["continuous", "given", "doses"]:
        """Which of the timing forms the item uses."""
        if self.given is not None:
            return "given"
        if self.doses is not None:
            return "doses"
        return "continuous"

    @property
    def first(self) -> Time:
        """The earliest time of the item."""
        if self.given is not None:
            return min(self.given, key=lambda time: time.day)
        if self.doses is not None:
            return self.doses[0].at
        assert self.start is not None
        return self.start

    @property
    def last(self) -> Time:
        """The latest time the file gives for the item (its end, or its last mark)."""
        if self.end is not None:
            return self.end
        if self.given is not None:
            return max(self.given, key=lambda time: time.day)
        if self.doses is not None:
            return self.doses[-1].at
        assert self.start is not None
        return self.start

    @rule("start", "end", "ongoing", "every", "given", "doses")
    def _one_timing_form(self) -> Iterator[PydanticCustomError]:
        forms = [name for name in ("start", "given", "doses") if getattr(self, name) is not None]
        if not forms:
            yield problem(
                "timing_none",
                "expected a timing: start (with end or ongoing: true), given, or doses; "
                "found none of them",
            )
            return
        if len(forms) > 1:
            yield problem(
                "timing_many",
                f"expected one timing form, found {' and '.join(forms)}; keep one of them",
                forms[1],
            )
            return
        if self.given is not None:
            for name in ("end", "ongoing", "every"):
                if getattr(self, name) not in (None, False):
                    yield problem("given_extra", f"{name} goes with start, not with given", name)
                    return
            if not self.given:
                yield problem(
                    "empty_list", "expected at least one time, found an empty list", "given"
                )
                return
        if self.doses is not None:
            if not self.doses:
                yield problem(
                    "empty_list",
                    "expected at least one {at, dose} step, found an empty list",
                    "doses",
                )
                return
            yield from self._taper_in_order(self.doses)
        if self.every is not None and self.start is None:
            yield problem(
                "every_without_start", "every goes with start and end (repeated dosing)", "every"
            )
        elif self.start is not None and self.end is None and not self.ongoing:
            yield problem(
                "start_without_end",
                "expected end or ongoing: true after start, found neither",
                "start",
            )
        elif self.end is not None and self.ongoing:
            yield problem(
                "end_and_ongoing", "expected end or ongoing: true, found both; keep one", "ongoing"
            )
        elif self.end is not None and self.end.day < self.first.day:
            yield problem(
                "end_before_start",
                f"ends on {self.end.describe()}, before its start on {self.first.describe()}",
                "end",
            )
        elif self.every is not None and self.start is not None and self.end is not None:
            count = self.administrations(self.end.day)
            if count > MAX_ADMINISTRATIONS:
                yield problem(
                    "too_many_administrations",
                    f"every {self.every:g} days from {self.start.describe()} to "
                    f"{self.end.describe()} makes {_many(count)} administrations; at most "
                    f"{MAX_ADMINISTRATIONS:,} can be drawn (write a longer interval, or use "
                    "start and end without every)",
                    "every",
                )

    def administrations(self, until: float) -> int:
        """How many times a repeated treatment is given from its start to `until`."""
        if self.every is None or self.start is None:
            return 0
        return int(max(until - self.start.day, 0.0) / self.every + 1e-9) + 1

    @staticmethod
    def _taper_in_order(doses: tuple[DoseStep, ...]) -> Iterator[PydanticCustomError]:
        for index, (before, after) in enumerate(pairwise(doses), start=1):
            if after.at.day < before.at.day:
                yield problem(
                    "doses_order",
                    f"steps must run in time order: {after.at.describe()} comes after "
                    f"{before.at.describe()}",
                    "doses",
                    index,
                    "at",
                )
                return


class Event(Strict):
    """A point event (or a short span with `end`)."""

    at: Time
    end: Time | None = None
    kind: EventKind
    label: Text | None = None
    detail: Text | None = None
    image: Text | None = None
    marker: Marker | None = None
    color: Text | None = None
    note: Text | None = None
    source: Text | None = None

    @property
    def title(self) -> str:
        """The label, else the kind written as words."""
        return self.label or self.kind.replace("-", " ")

    @field_validator("image")
    @classmethod
    def _inside_folder(cls, image: str | None) -> str | None:
        if image is None:
            return None
        path = PurePosixPath(image.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in image:
            raise problem(
                "image_path",
                f"expected a path beside the case file such as images/mri.png, found {image!r}",
            )
        return path.as_posix()

    @rule("at", "end")
    def _ordered(self) -> Iterator[PydanticCustomError]:
        if self.end is not None and self.end.day < self.at.day:
            yield problem(
                "end_before_start",
                f"ends on {self.end.describe()}, before it begins on {self.at.describe()}",
                "end",
            )


@dataclass(frozen=True, slots=True)
class Point:
    """One measured value; approximate when its time or its value was written with ~."""

    time: Time
    value: float
    approx: bool


def _number(value: Any) -> tuple[float, bool]:
    if type(value) is float:  # (most values: a number as written)
        return _bounded(value), False
    approx = isinstance(value, str) and value.strip().startswith("~")
    text = value.strip().lstrip("~").strip() if isinstance(value, str) else value
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise problem("float_parsing", f"expected a number, found {text!r}")
    try:
        number = read_number(text) if isinstance(text, str) else float(text)
    except OverflowError:
        raise problem("float_parsing", f"expected a number, found {value!r}") from None
    except ValueError as error:
        if "," in str(text):  # '37,5': a decimal comma, said as such
            raise problem("decimal_comma", str(error).replace(repr(text), repr(value))) from None
        raise problem("float_parsing", f"expected a number, found {value!r}") from None
    return _bounded(number), approx


Value = Annotated[tuple[float, bool], BeforeValidator(_number)]


def _pairs(values: Any) -> Any:
    if isinstance(values, dict):
        return list(values.items())
    if isinstance(values, list):
        if values and not any(isinstance(item, list | dict) for item in values):
            raise _flat(values)  # ([day 0, 100, day 1, 200]: one problem, not one per item)
        return [tuple(item) if isinstance(item, list) else item for item in values]
    return values


def _flat(values: list[Any]) -> PydanticCustomError:
    """The problem of a list of times and values written one after another, not in pairs."""
    pairs = [f"[{values[at]}, {values[at + 1]}]" for at in range(0, min(len(values) - 1, 4), 2)]
    shown = ", ".join(pairs) + (", ..." if len(values) > 4 else "")
    return PydanticCustomError(
        "values_flat",
        f"expected pairs of a time and a value, found a flat list of {len(values)}; "
        f"write pairs: [{shown or '[day 0, 100]'}]",
    )


Written = float | Annotated[str, Field(pattern=r"^\s*~")]
ValuesInput = dict[str, Written] | list[tuple[Time, Written]]


class Measurement(Strict):
    """A numeric series (lab, vital sign, score) drawn in a panel below the treatments."""

    name: Text
    abbr: Annotated[Text, Field(max_length=40)] | None = None
    unit: Text | None = None
    scale: Literal["linear", "log"] = "linear"
    normal: tuple[Number | None, Number | None] | None = None
    range: tuple[Number, Number] | None = None
    style: Literal["line", "step", "markers"] = "line"
    panel: Text | None = None
    color: Text | None = None
    note: Text | None = None
    source: Text | None = None
    values: Annotated[
        tuple[tuple[Time, Value], ...],
        BeforeValidator(_pairs, json_schema_input_type=ValuesInput),
    ] = Field(description="time -> number, as a mapping or a list of [time, number] pairs")

    @property
    def points(self) -> tuple[Point, ...]:
        """The values in time order."""
        points = (
            Point(time, value, time.approx or approx) for time, (value, approx) in self.values
        )
        return tuple(sorted(points, key=lambda point: point.time.day))

    @property
    def label(self) -> str:
        """The axis label: the abbreviation, else the name."""
        return self.abbr or self.name

    @property
    def panel_name(self) -> str:
        """The panel it is drawn in: its `panel`, else its own name."""
        return self.panel or self.name

    _ITEMWISE = ("values",)

    @rule("values")
    def _some_values(self) -> Iterator[PydanticCustomError]:
        if not self.values:
            yield problem("no_values", "expected at least one value, found none", "values")

    @rule("normal", "range")
    def _limits_in_order(self) -> Iterator[PydanticCustomError]:
        if self.normal is not None:
            low, high = self.normal
            if low is not None and high is not None and high < low:
                yield problem(
                    "normal_order", f"the upper limit {high:g} is below the lower {low:g}", "normal"
                )
        if self.range is not None and self.range[1] <= self.range[0]:
            yield problem(
                "range_order", f"the axis range ends at {self.range[1]:g}, below its start", "range"
            )

    @rule("scale", "values")
    def _log_positive(self) -> Iterator[PydanticCustomError]:
        if self.scale != "log":
            return
        for index, pair in enumerate(self.values):
            if pair is not FAILED and pair[1][0] <= 0:
                yield problem(
                    "log_not_positive",
                    f"a log scale needs values above zero, found {pair[1][0]:g}",
                    "values",
                    index,
                    1,
                )
                return


class Period(Strict):
    """A shaded span across every panel."""

    from_: Time = Field(alias="from")
    to: Time
    label: Text | None = None
    color: Text | None = None
    note: Text | None = None

    @rule("from", "to")
    def _ordered(self) -> Iterator[PydanticCustomError]:
        if self.to.day < self.from_.day:
            yield problem(
                "end_before_start",
                f"ends on {self.to.describe()}, before it begins on {self.from_.describe()}",
                "to",
            )


class Step(Strict):
    """One stop of a teaching presentation: everything up to `at` is shown."""

    at: Time
    title: Text | None = None
    question: Text | None = None
    answer: Text | None = None
    note: Text | None = None
    show: Literal["with-answer", "with-question"] = Field(
        default="with-answer",
        description="When what begins at the step's own time is shown: with the answer "
        "(the default, so the question does not give it away) or already with the question.",
    )


class Teaching(Strict):
    """Teaching material: the steps of a progressive reveal."""

    steps: tuple[Step, ...] = ()
    objectives: tuple[Text, ...] = ()
    axis: AxisSpan = Field(
        default="course",
        description="Each step's time axis: the whole course, or from its start to a little "
        "after the step (early steps readable).",
    )

    _ITEMWISE = ("steps",)

    @rule("steps")
    def _in_order(self) -> Iterator[PydanticCustomError]:
        placed = [(index, step) for index, step in enumerate(self.steps) if step is not FAILED]
        for (_, before), (index, after) in pairwise(placed):
            if after.at.day < before.at.day:
                yield problem(
                    "steps_order",
                    f"steps must run in time order: {after.at.describe()} comes after "
                    f"{before.at.describe()}",
                    "steps",
                    index,
                    "at",
                )
                return


class Case(Strict):
    """One clinical case: what the YAML file says, with every time placed against day 0."""

    model_config = ConfigDict(title="clinical-course case file")

    title: Text
    summary: Text | None = None
    source: SourceField = None
    patient: Patient | None = None
    diagnoses: tuple[Text, ...] = ()
    day0: Day0 = Day0()
    axis: Axis = Axis()
    language: Language = "en"
    treatments: tuple[Treatment, ...] = ()
    events: tuple[Event, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    periods: tuple[Period, ...] = ()
    teaching: Teaching = Teaching()
    follow_up: Time | None = Field(
        default=None, description="The end of follow-up, when it is later than the last time."
    )

    _ITEMWISE = ("treatments", "events", "measurements", "periods")

    @classmethod
    def _validating(cls, data: Any) -> AbstractContextManager[None]:
        """Every time resolves against the case's day 0, once (see `DAY0_DATE`)."""
        return _against_day0(data)

    @rule("treatments", "events", "measurements", "periods", "teaching", "axis")
    def _within_budget(self) -> Iterator[PydanticCustomError]:
        measurements = [item for item in self.measurements if item is not FAILED]
        low, high = _known_span(self)
        unit_days = UNIT_DAYS[self.axis.unit_for((low, high))]
        for name in ("from_", "to"):
            written = getattr(self.axis, name)
            if written is not None and abs(written * unit_days) > MAX_DAYS:
                yield problem(
                    "axis_range",
                    f"the axis would reach day {written * unit_days:,.0f}; it must stay within "
                    "200 years of day 0",
                    "axis",
                    name.rstrip("_"),
                )
        right = max(high + max((high - low) * 0.03, 1.0), (self.axis.to or 0.0) * unit_days)
        points = sum(len(item.values) for item in measurements)
        points += len(self.events) + 2 * len(self.periods) + len(self.teaching.steps)
        for index, item in enumerate(self.treatments):
            if item is FAILED:
                continue
            points += len(item.given or ()) + 2 * len(item.doses or ()) + 2
            if item.every is not None and item.ongoing and item.start is not None:
                count = item.administrations(right)
                points += min(count, MAX_ADMINISTRATIONS)  # more is reported just below
                if count > MAX_ADMINISTRATIONS:
                    yield problem(
                        "too_many_administrations",
                        f"every {item.every:g} days from {item.start.describe()} to the end "
                        f"of the chart (day {right:,.0f}) makes {_many(count)} administrations; "
                        f"at most {MAX_ADMINISTRATIONS:,} can be drawn (write a longer interval)",
                        "treatments",
                        index,
                        "every",
                    )
            elif item.every is not None and item.end is not None:
                points += min(item.administrations(item.end.day), MAX_ADMINISTRATIONS)
        if points > MAX_POINTS:
            yield problem(
                "too_many_points",
                f"the case has {points:,} points to draw; a figure can show at most "
                f"{MAX_POINTS:,} (split the case, or thin out the values)",
            )

    @property
    def times(self) -> list[Time]:
        """Every time the case mentions."""
        times: list[Time] = []
        for treatment in self.treatments:
            times += [t for t in (treatment.start, treatment.end) if t is not None]
            times += treatment.given or ()
            times += [step.at for step in treatment.doses or ()]
        for event in self.events:
            times += [t for t in (event.at, event.end) if t is not None]
        for measurement in self.measurements:
            times += [time for time, _ in measurement.values]
        for period in self.periods:
            times += [period.from_, period.to]
        times += [self.follow_up] if self.follow_up is not None else []
        times += [step.at for step in self.teaching.steps]  # last: describe.py relies on it
        return times

    @property
    def span(self) -> tuple[float, float]:
        """First and last day the case mentions (day 0 included)."""
        days = [time.day for time in self.times] + [0.0]
        return min(days), max(days)

    @property
    def default_unit(self) -> Unit:
        """The unit of the axis the case opens with: its own `axis.unit`, else one that suits
        its length."""
        return self.axis.unit_for(self.span)

    @property
    def day0_date(self) -> dt.date | None:
        """The calendar date of day 0, when the case gives one."""
        return self.day0.date.date if self.day0.date is not None else None


def _many(count: int) -> str:
    return f"{count:,}" if count < 10**9 else f"about {count:.0e}"


@contextmanager
def _against_day0(data: Any) -> Iterator[None]:
    token = DAY0_DATE.set(_day0_date(data))
    try:
        yield
    finally:
        DAY0_DATE.reset(token)


def _known_span(case: Case) -> tuple[float, float]:
    """First and last day of the items that validated (day 0 included)."""
    days = [0.0]
    for items in (case.treatments, case.events, case.measurements, case.periods):
        for item in items:
            if item is not FAILED:
                days += [time.day for time in _times_of(item)]
    days += [step.at.day for step in case.teaching.steps if step is not FAILED]
    return min(days), max(days)


def _times_of(item: Any) -> list[Time]:
    if isinstance(item, Treatment):
        times = [t for t in (item.start, item.end) if t is not None]
        return times + list(item.given or ()) + [step.at for step in item.doses or ()]
    if isinstance(item, Event):
        return [t for t in (item.at, item.end) if t is not None]
    if isinstance(item, Measurement):
        return [time for time, _ in item.values]
    if isinstance(item, Period):
        return [item.from_, item.to]
    return []


def _day0_date(data: Any) -> dt.date | Unset | None:
    """Read day0.date ahead of the fields, so that calendar times can be placed."""
    day0 = data.get("day0") if isinstance(data, dict) else None
    written = day0.get("date") if isinstance(day0, dict) else None
    if written is None:
        return None
    if isinstance(written, dt.date):
        return written
    try:
        return parse_calendar(str(written).strip().lstrip("~").strip())[0]
    except PydanticCustomError:
        return UNREADABLE_DAY0
