"""Times as case files write them, resolved once to a day offset and, when known, a date."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from dashboard.model.localdates import suggestion

UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}
MAX_DAYS = 200 * 365.25  # how far from day 0 a time may lie
Unit = Literal["day", "week", "month", "year"]

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_RELATIVE = re.compile(rf"(day|week|month|year)s?\s*({_NUMBER})", re.IGNORECASE)
BARE_NUMBER = re.compile(_NUMBER)  # '14', '-2.5', '.5'
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DURATION = re.compile(rf"(?:({_NUMBER})\s*)?(day|week|month|year)s?", re.IGNORECASE)

EXAMPLES = (
    "a date (2012-10-15), a month (2012-10), 'day 14', 'week -2', 'month 6', 'year 1.5' "
    "or a number of days"
)


class Unset:
    """Marks a day 0 whose date was written but could not be read (already reported)."""


UNREADABLE_DAY0 = Unset()
# The day-0 date of the case being validated; set by `Case` around validation of its fields,
# so every time resolves to a day offset exactly once, while the model is built.
DAY0_DATE: ContextVar[dt.date | Unset | None] = ContextVar("DAY0_DATE", default=None)


_IN_DAYS = re.compile(r"\s*~?\s*(day\b|[-+.\d])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Time:
    """A point in the course: day offset from day 0, calendar date when known, as written."""

    day: float
    anchor: dt.date | None  # the date written, or day 0's date for an offset
    approx: bool
    precision: Literal["day", "month", "relative"]
    text: str

    @property
    def date(self) -> dt.date | None:
        """The calendar date, when the case has one (worked out when asked: rarely needed)."""
        if self.anchor is None or self.precision != "relative":
            return self.anchor
        return self.anchor + dt.timedelta(days=round(self.day))

    @property
    def is_calendar(self) -> bool:
        """True when the file wrote a calendar date or month rather than an offset."""
        return self.precision != "relative"

    def describe(
        self,
        offset: Callable[[float], str] | None = None,
        date: Callable[[dt.date, str], str] | None = None,
    ) -> str:
        """Both times for hover and text: '~day 14 (29 Oct 2012)' or 'Oct 2012 (day 120)';
        `offset` and `date` write a day offset and a date in another language."""
        mark = "~" if self.approx else ""
        # a time written in weeks, months or years is shown to the whole day
        day = self.day if _IN_DAYS.match(self.text) else round(self.day)
        days = f"day {format_number(day)}" if offset is None else offset(day)
        when = self.date
        if when is None:
            return f"{mark}{days}"
        written = format_date if date is None else date
        if self.is_calendar:
            return f"{mark}{written(when, self.precision)} ({days})"
        return f"{mark}{days} ({written(when, 'day')})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(validate_time)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return TIME_JSON_SCHEMA


TIME_JSON_SCHEMA: JsonSchemaValue = {
    "description": "A time: " + EXAMPLES + "; a leading ~ marks it approximate.",
    "anyOf": [
        {
            "type": "string",
            # (spelt out letter by letter: JSON Schema patterns have no ignore-case flag)
            "pattern": r"^\s*~?\s*(\d{4}-\d{1,2}(-\d{1,2})?|(([Dd][Aa][Yy]|[Ww][Ee][Ee][Kk]|"
            r"[Mm][Oo][Nn][Tt][Hh]|[Yy][Ee][Aa][Rr])[Ss]?\s*)?[+-]?(\d+(\.\d*)?|\.\d+))\s*$",
        },
        {"type": "number"},
    ],
    "examples": ["2012-10-15", "~2012-10", "day 14", "week -2", 3],
}


def auto_unit(span_days: float) -> Unit:
    """The unit that keeps tick labels readable for a course of this length."""
    if span_days <= 60:
        return "day"
    if span_days <= 183:
        return "week"
    if span_days <= 4 * 365.25:
        return "month"
    return "year"


def format_number(value: float) -> str:
    """12.0 -> '12', 182.625 -> '182.6'."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def format_interval(days: float) -> str:
    """28 -> '4 weeks', 30.4375 -> 'month', 10 -> '10 days' (what `parse_duration` reads)."""
    for unit in ("year", "month", "week", "day"):
        count = days / UNIT_DAYS[unit]
        if count >= 1 and math.isclose(count, round(count), abs_tol=1e-6):
            whole = round(count)
            return unit if whole == 1 else f"{whole} {unit}s"
    return f"{format_number(days)} days"


# A comma between groups of three digits, as in 1,200 or 12,500.5
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def read_number(text: str) -> float:
    """A number as written in a file or a cell: '1,200' -> 1200.0. A comma anywhere else
    ('37,5', '1.234,5') raises ValueError: read as a thousands comma it would silently make
    a value ten to a thousand times too large, and as a decimal comma it would misread 1,200."""
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            raise ValueError(
                f"expected a number, found {text!r} (a comma is read only between thousands, "
                "as in 1,200: write decimals with a point, as in 37.5)"
            )
        text = text.replace(",", "")
    return float(text)


# English month names whatever the machine's locale: figures must read the same everywhere.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(date: dt.date, precision: str = "day") -> str:
    """'15 Oct 2012', or 'Oct 2012' for a month."""
    if precision == "month":
        return f"{MONTHS[date.month - 1]} {date.year}"
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def _error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx or None)


def parse_calendar(text: str) -> tuple[dt.date, Literal["day", "month"]]:
    """'2012-10-15' or '2012-10' -> (date, precision); a clear error for impossible dates."""
    if match := _DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        if year < 1:
            raise _error("time_date", f"{text!r} has no year 0; years run 1 to 9999")
        if not 1 <= month <= 12:
            raise _error("time_date", f"{text!r} has no month {month}; months run 1 to 12")
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            name = calendar.month_name[month]
            raise _error(
                "time_date",
                f"{text!r} is not a real date: {name} {year} has {last} days",
            )
        return dt.date(year, month, day), "day"
    if match := _MONTH.fullmatch(text):
        year, month = (int(part) for part in match.groups())
        if year < 1:
            raise _error("time_date", f"{text!r} has no year 0; years run 1 to 9999")
        if not 1 <= month <= 12:
            raise _error("time_date", f"{text!r} has no month {month}; months run 1 to 12")
        return dt.date(year, month, 1), "month"
    raise _error("time_date", f"expected a date such as 2015-04-01 or 2015-04, found {text!r}")


def _within(days: float, text: str, anchor: dt.date | None) -> float:
    """The day offset, if it lies within 200 years of day 0 and on the calendar."""
    if math.isnan(days):
        raise _error("time_range", f"expected a number of days, found {text!r}")
    if abs(days) > MAX_DAYS:
        raise _error(
            "time_range",
            f"{text!r} lies more than 200 years from day 0; times must lie within 200 years "
            "of day 0 (was a date written as a number? write it as 2015-04-01)",
        )
    if anchor is not None and not 1 <= anchor.toordinal() + round(days) <= dt.date.max.toordinal():
        raise _error(
            "time_range", f"{text!r} falls outside the calendar (years 1 to 9999) from day 0"
        )
    return days


def validate_time(value: Any) -> Time:
    """Parse one written time and place it against the case's day 0."""
    if isinstance(value, Time):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
        raise _error("time_type", f"expected a time: {EXAMPLES}; found {_shown(value)}")
    return _placed(value, DAY0_DATE.get())


def place_time(value: str | float | dt.date, day0: dt.date | None) -> Time:
    """A written time placed against `day0`; without a day 0 (an import that has yet to
    choose one), a calendar date keeps its date and an offset its days, each unplaced."""
    return _placed(value, day0 if day0 is not None else UNREADABLE_DAY0)


def is_calendar_text(text: str) -> bool:
    """True when `text` is written as a calendar date or month ('2015-04-01', '2015-04')."""
    return bool(_DATE.fullmatch(text) or _MONTH.fullmatch(text))


# Times already placed, by what was written and day 0: cases repeat their times ('day 0',
# 'week 4') within a series and from case to case, and placing costs more than looking up.
# (typed: 14 and 14.0 read apart; a Time never changes, so one can be shared.)
@functools.lru_cache(maxsize=1 << 16, typed=True)
def _placed(value: str | float | dt.date, day0: dt.date | Unset | None) -> Time:
    anchor = day0 if isinstance(day0, dt.date) else None
    if isinstance(value, dt.date):
        return _calendar_time(value, "day", False, value.isoformat(), day0)
    if not isinstance(value, str):
        try:
            days = float(value)
        except OverflowError:
            days = math.inf
        return Time(_within(days, str(value)[:40], anchor), anchor, False, "relative", str(value))

    text = value.strip()
    approx = text.startswith("~")
    body = text[1:].strip() if approx else text
    if match := _RELATIVE.fullmatch(body):
        unit, number = match.group(1).lower(), float(match.group(2))
        days = _within(number * UNIT_DAYS[unit], body, anchor)
        return Time(days, anchor, approx, "relative", text)
    if BARE_NUMBER.fullmatch(body):
        return Time(_within(float(body), body, anchor), anchor, approx, "relative", text)
    if _DATE.fullmatch(body) or _MONTH.fullmatch(body):
        date, precision = parse_calendar(body)
        return _calendar_time(date, precision, approx, text, day0)
    raise _error("time_format", f"expected a time: {EXAMPLES}; found {text!r}{suggestion(text)}")


def _calendar_time(
    date: dt.date,
    precision: Literal["day", "month"],
    approx: bool,
    text: str,
    day0: dt.date | Unset | None,
) -> Time:
    if day0 is None:
        raise _error(
            "time_no_day0",
            f"the calendar date {text!r} needs day0.date to place it on the time axis; "
            "add `day0: {date: YYYY-MM-DD}` or write the time as 'day N'",
        )
    if isinstance(day0, Unset):
        return Time(0.0, date, approx, precision, text)
    return Time(_within(float((date - day0).days), text, None), date, approx, precision, text)


def parse_duration(value: Any) -> float:
    """'4 weeks', 'month', '2.5 days' or a number of days -> days."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        days = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())):
        days = float(match.group(1) or 1) * UNIT_DAYS[match.group(2).lower()]
    else:
        raise _error(
            "duration",
            f"expected an interval such as '4 weeks', '2 months' or a number of days; "
            f"found {_shown(value)}",
        )
    if not days > 0 or not math.isfinite(days):
        raise _error("duration", f"expected an interval longer than zero, found {_shown(value)}")
    return days


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{value!r}".lower()
    return repr(value)
