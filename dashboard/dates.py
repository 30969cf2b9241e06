"""How a case's dates are shown: exact, shifted, coarse or hidden, as one pure transformation.

Every output (dashboard, page, image, site, slides) draws what `with_dates` returns, so a case
file that keeps real dates can be published without them. Times keep their day offsets; only
calendar dates change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel

from dashboard.i18n import words
from dashboard.model import Case, Day0, Time, format_number

DateView = Literal["exact", "shifted", "coarse", "hidden"]
DATE_VIEWS: tuple[DateView, ...] = get_args(DateView)
DATES_HELP = (
    "Calendar dates as in the file (exact), moved by a random number of days per case "
    "(shifted), given only as early/mid/late month of day 0 (coarse), or left out (hidden)."
)
SHIFT_DAYS = 365
# Made afresh in every process and kept nowhere: a shifted date cannot be shifted back, yet
# one case shifts the same way on every page a server draws while it runs.
_KEY = secrets.token_bytes(32)

T = TypeVar("T")


def with_dates(case: Case, dates: str = "exact") -> Case:
    """The case as it should be shown: its calendar dates exact, shifted, coarse or hidden."""
    if dates == "exact" or case.day0.date is None:
        return case
    if dates == "shifted":
        shift = dt.timedelta(days=shift_days(case))
        return _map_times(case, lambda time: _shifted(time, shift))
    if dates not in DATE_VIEWS:
        raise ValueError(f"dates: expected one of {', '.join(DATE_VIEWS)}, found {dates!r}")
    relative = _map_times(case, _relative)
    label = case.day0.label
    if dates == "coarse" and (day0 := case.day0.date) is not None and day0.anchor is not None:
        say = words(case.language)
        shown = say.date(day0.anchor, "month") if day0.precision == "month" else None
        named = case.day0.named or say.t("Day 0")
        label = f"{named} ({shown or coarse_date(day0.anchor, case.language)})"
    return relative.model_copy(update={"day0": Day0(label=label)})


def coarse_date(date: dt.date, language: str = "en") -> str:
    """'early Apr 2015' (days 1-10), 'mid Apr 2015' (11-20) or 'late Apr 2015'."""
    say = words(language)
    month = say.date(date, "month")
    if date.day <= 10:
        return say.t("early {month}", month=month)
    if date.day <= 20:
        return say.t("mid {month}", month=month)
    return say.t("late {month}", month=month)


def shift_days(case: Case) -> int:
    """This process's shift of a case: a whole number of days within a year, never zero."""
    digest = hmac.new(_KEY, case.title.encode("utf-8"), hashlib.sha256).digest()
    days = int.from_bytes(digest[:4], "big") % (2 * SHIFT_DAYS) - SHIFT_DAYS  # -365..364
    return days or SHIFT_DAYS


def _relative(time: Time) -> Time:
    mark = "~" if time.approx else ""
    return Time(time.day, None, time.approx, "relative", f"{mark}day {format_number(time.day)}")


def _shifted(time: Time, shift: dt.timedelta) -> Time:
    if time.anchor is None:
        return time
    anchor = time.anchor + shift
    if time.precision == "relative":
        return Time(time.day, anchor, time.approx, "relative", time.text)
    mark = "~" if time.approx else ""
    text = anchor.strftime("%Y-%m") if time.precision == "month" else anchor.isoformat()
    return Time(time.day, anchor, time.approx, time.precision, mark + text)


def _map_times(case: Case, change: Any) -> Case:
    result = _walk(case, change)
    assert isinstance(result, Case)
    return result


def _walk(value: T, change: Any) -> T:
    if isinstance(value, Time):
        return change(value)  # type: ignore[no-any-return]
    if isinstance(value, tuple):
        return tuple(_walk(item, change) for item in value)  # type: ignore[return-value]
    if isinstance(value, BaseModel):
        update = {name: _walk(getattr(value, name), change) for name in type(value).model_fields}
        return value.model_copy(update=update)
    return value
