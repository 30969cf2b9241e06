"""The case schema: one clinical case as the YAML file describes it, validated and frozen."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import pairwise
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from dashboard.model.times import (
    DAY0_DATE,
    PLACED,
    UNREADABLE_DAY0,
    Time,
    Unit,
    Unset,
    parse_calendar,
    parse_duration,
)

EVENT_KINDS = (
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
)
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
MARKERS = (
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
)
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


def _as_written(value: Any) -> Any:
    return value


# Text in a case file; numbers are taken as text (age: 45, pmid: 39198173), and the schema says so.
Text = Annotated[
    str,
    BeforeValidator(_as_written, json_schema_input_type=str | float),
    Field(min_length=1, max_length=4000),
]


def problem(message: str, *at: str | int) -> PydanticCustomError:
    """A validation problem; `at` names the key inside the item it belongs to."""
    return PydanticCustomError("case", message, {"at": at} if at else None)


class Strict(BaseModel):
    """Unknown keys are errors, models never change after validation, numbers may be text."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
    )


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
            raise problem(f"expected a web address starting with https://, found {url!r}")
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

    @field_validator("date")
    @classmethod
    def _calendar_only(cls, date: Time | None) -> Time | None:
        if date is not None and not date.is_calendar:
            raise problem(f"expected a calendar date such as 2015-04-01, found {date.text!r}")
        return date


class Axis(Strict):
    """The time axis: its unit and optional window, in that unit."""

    unit: Unit | None = None
    from_: float | None = Field(default=None, alias="from")
    to: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Axis:
        if self.from_ is not None and self.to is not None and self.to <= self.from_:
            raise problem(f"the axis ends at {self.to:g}, before it starts at {self.from_:g}", "to")
        return self


class DoseStep(Strict):
    """One step of a taper: from `at` on, the dose is `dose` (`~40` marks it approximate)."""

    at: Time
    dose: Annotated[
        float, BeforeValidator(lambda value: _number(value)[0], json_schema_input_type=float | str)
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
    kind: Literal["drug", "procedure"] = "drug"
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

    @model_validator(mode="after")
    def _one_timing_form(self) -> Treatment:
        forms = [name for name in ("start", "given", "doses") if getattr(self, name) is not None]
        if not forms:
            raise problem(
                "expected a timing: start (with end or ongoing: true), given, or doses; "
                "found none of them"
            )
        if len(forms) > 1:
            raise problem(
                f"expected one timing form, found {' and '.join(forms)}; keep one of them",
                forms[1],
            )
        if self.given is not None:
            for name in ("end", "ongoing", "every"):
                if getattr(self, name) not in (None, False):
                    raise problem(f"{name} goes with start, not with given", name)
            if not self.given:
                raise problem("expected at least one time, found an empty list", "given")
        if self.doses is not None:
            self._check_taper(self.doses)
        if self.every is not None and self.start is None:
            raise problem("every goes with start and end (repeated dosing)", "every")
        if self.start is not None and self.end is None and not self.ongoing:
            raise problem("expected end or ongoing: true after start, found neither", "start")
        if self.end is not None and self.ongoing:
            raise problem("expected end or ongoing: true, found both; keep one", "ongoing")
        if self.end is not None and self.end.day < self.first.day:
            raise problem(
                f"ends on {self.end.describe()}, before its start on {self.first.describe()}",
                "end",
            )
        return self

    def _check_taper(self, doses: tuple[DoseStep, ...]) -> None:
        if not doses:
            raise problem("expected at least one {at, dose} step, found an empty list", "doses")
        for index, (before, after) in enumerate(pairwise(doses), start=1):
            if after.at.day < before.at.day:
                raise problem(
                    f"steps must run in time order: {after.at.describe()} comes after "
                    f"{before.at.describe()}",
                    "doses",
                    index,
                    "at",
                )


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
                f"expected a path beside the case file such as images/mri.png, found {image!r}"
            )
        return path.as_posix()

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.end is not None and self.end.day < self.at.day:
            raise problem(
                f"ends on {self.end.describe()}, before it begins on {self.at.describe()}", "end"
            )
        return self


@dataclass(frozen=True, slots=True)
class Point:
    """One measured value; approximate when its time or its value was written with ~."""

    time: Time
    value: float
    approx: bool


def _number(value: Any) -> tuple[float, bool]:
    approx = isinstance(value, str) and value.strip().startswith("~")
    text = value.strip().lstrip("~").strip().replace(",", "") if isinstance(value, str) else value
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise problem(f"expected a number, found {text!r}")
    try:
        number = float(text)
    except ValueError:
        raise problem(f"expected a number, found {value!r}") from None
    if not math.isfinite(number):
        raise problem(f"expected a finite number, found {value!r}")
    return number, approx


Value = Annotated[tuple[float, bool], BeforeValidator(_number)]


def _pairs(values: Any) -> Any:
    if isinstance(values, dict):
        return list(values.items())
    if isinstance(values, list):
        return [tuple(item) if isinstance(item, list) else item for item in values]
    return values


Written = float | Annotated[str, Field(pattern=r"^\s*~")]
ValuesInput = dict[str, Written] | list[tuple[Time, Written]]


class Measurement(Strict):
    """A numeric series (lab, vital sign, score) drawn in a panel below the treatments."""

    name: Text
    abbr: Annotated[Text, Field(max_length=40)] | None = None
    unit: Text | None = None
    scale: Literal["linear", "log"] = "linear"
    normal: tuple[float | None, float | None] | None = None
    range: tuple[float, float] | None = None
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

    @model_validator(mode="after")
    def _sensible(self) -> Measurement:
        if not self.values:
            raise problem("expected at least one value, found none", "values")
        if self.normal is not None:
            low, high = self.normal
            if low is not None and high is not None and high < low:
                raise problem(f"the upper limit {high:g} is below the lower {low:g}", "normal")
        if self.range is not None and self.range[1] <= self.range[0]:
            raise problem(f"the axis range ends at {self.range[1]:g}, below its start", "range")
        if self.scale == "log":
            for index, (_, (value, _approx)) in enumerate(self.values):
                if value <= 0:
                    raise problem(
                        f"a log scale needs values above zero, found {value:g}",
                        "values",
                        index,
                        1,
                    )
        return self


class Period(Strict):
    """A shaded span across every panel."""

    from_: Time = Field(alias="from")
    to: Time
    label: Text | None = None
    color: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.to.day < self.from_.day:
            raise problem(
                f"ends on {self.to.describe()}, before it begins on {self.from_.describe()}", "to"
            )
        return self


class Step(Strict):
    """One stop of a teaching presentation: everything up to `at` is shown."""

    at: Time
    title: Text | None = None
    question: Text | None = None
    answer: Text | None = None
    note: Text | None = None


class Teaching(Strict):
    """Teaching material: the steps of a progressive reveal."""

    steps: tuple[Step, ...] = ()
    objectives: tuple[Text, ...] = ()

    @model_validator(mode="after")
    def _in_order(self) -> Teaching:
        for index, (before, after) in enumerate(pairwise(self.steps), start=1):
            if after.at.day < before.at.day:
                raise problem(
                    f"steps must run in time order: {after.at.describe()} comes after "
                    f"{before.at.describe()}",
                    "steps",
                    index,
                    "at",
                )
        return self


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
    treatments: tuple[Treatment, ...] = ()
    events: tuple[Event, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    periods: tuple[Period, ...] = ()
    teaching: Teaching = Teaching()
    follow_up: Time | None = Field(
        default=None, description="The end of follow-up, when it is later than the last time."
    )

    @model_validator(mode="wrap")
    @classmethod
    def _resolve_times_against_day0(
        cls, data: Any, handler: ModelWrapValidatorHandler[Case]
    ) -> Case:
        token = DAY0_DATE.set(_day0_date(data))
        placed = PLACED.set({})
        try:
            return handler(data)
        finally:
            PLACED.reset(placed)
            DAY0_DATE.reset(token)

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
    def day0_date(self) -> dt.date | None:
        """The calendar date of day 0, when the case gives one."""
        return self.day0.date.date if self.day0.date is not None else None


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
