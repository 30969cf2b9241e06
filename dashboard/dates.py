"""The date policy: how a case's calendar dates are shown (exact, shifted, coarse or hidden)
and the key a shift is made with. Every output (dashboard, page, image, site, slides) and
the import draw dates by this one module, so a file that keeps real dates can be published
without them. Times keep their day offsets; only calendar dates change.

A shift is a keyed digest of the case: with the same key (`--secret`, or the environment
variable CLINICAL_COURSE_SECRET) a case moves by the same days in every run and on every
server; without one, a key made for this run alone moves it, and it is kept nowhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel

from dashboard.i18n import words
from dashboard.model import Case, Day0, Time, format_number
from dashboard.problems import ViewError

DateView = Literal["exact", "shifted", "coarse", "hidden"]
DATE_VIEWS: tuple[DateView, ...] = get_args(DateView)
DATES_HELP = (
    "Calendar dates as in the file (exact), moved by a number of days per case made from "
    "--secret (shifted), given only as early/mid/late month of day 0 (coarse), or left out "
    "(hidden)."
)
SECRET_VARIABLE = "CLINICAL_COURSE_SECRET"
SECRET_HELP = (
    "A secret key (or set CLINICAL_COURSE_SECRET): shifted dates move by the same days in "
    "every run given the same one, and by days made for this run alone without it; "
    "serve --edit on an address other than 127.0.0.1 also has editors sign in with it."
)
SHIFT_DAYS = 365  # a shifted date moves by up to a year either way, never by nothing
# Taken for this run alone when no secret is given: a shifted date cannot be shifted back,
# yet one case shifts the same way in every output of the run.
_RUN_KEY = secrets.token_bytes(32)

T = TypeVar("T")


@dataclass(frozen=True)
class DateKey:
    """What a shift is made from: a secret the user gives, or one made for this run."""

    key: bytes = field(default=_RUN_KEY, repr=False)
    given: bool = False  # False: made for this run, so a shift differs from run to run

    @classmethod
    def from_secret(cls, secret: str | None) -> DateKey:
        """The key of `secret` (a server's editors sign in with it too: the shift uses a
        digest of it made for dates alone); without one, this run's key."""
        if not secret:
            return cls()
        derived = hmac.new(secret.encode("utf-8"), b"clinical-course dates", hashlib.sha256)
        return cls(derived.digest(), given=True)

    @classmethod
    def from_environment(cls) -> DateKey:
        """The key of the secret in CLINICAL_COURSE_SECRET, else this run's."""
        return cls.from_secret(os.environ.get(SECRET_VARIABLE))

    def shift_days(self, identity: str) -> int:
        """How many days the dates of `identity` move (a case's title; at import, the
        patient's id in the source): a whole number within a year either way, never zero."""
        digest = hmac.new(self.key, identity.encode("utf-8"), hashlib.sha256).digest()
        days = int.from_bytes(digest[:4], "big") % (2 * SHIFT_DAYS) - SHIFT_DAYS  # -365..364
        return days or SHIFT_DAYS

    @property
    def stamp(self) -> str:
        """A digest that tells keys apart without giving the key: part of every cache key
        of shifted outputs, so a page shifted with one key is never kept for another."""
        return hmac.new(self.key, b"stamp", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class DatePolicy:
    """How every output of a run shows calendar dates: the view and the key of its shifts."""

    view: DateView = "exact"
    key: DateKey = field(default_factory=DateKey.from_environment)

    @classmethod
    def of(cls, dates: DatePolicy | str, key: DateKey | None = None) -> DatePolicy:
        """`dates` as a policy: a view's name with `key`, by default the key of
        CLINICAL_COURSE_SECRET (so that every process of a server started another way, by
        gunicorn say, shifts alike), else this run's."""
        if isinstance(dates, DatePolicy):
            return dates
        if dates not in DATE_VIEWS:
            raise ViewError(f"dates: expected one of {', '.join(DATE_VIEWS)}, found {dates!r}")
        return cls(dates, key or DateKey.from_environment())

    def apply(self, case: Case) -> Case:
        """The case as it should be shown: its calendar dates exact, shifted, coarse or
        hidden."""
        if self.view == "exact" or case.day0.date is None:
            return case
        if self.view == "shifted":
            shift = dt.timedelta(days=self.key.shift_days(case.title))
            return _map_times(case, lambda time: _shifted(time, shift))
        relative = _map_times(case, _relative)
        label = case.day0.label
        day0 = case.day0.date
        if self.view == "coarse" and day0.anchor is not None:
            say = words(case.language)
            shown = say.date(day0.anchor, "month") if day0.precision == "month" else None
            named = case.day0.named or say.t("Day 0")
            label = f"{named} ({shown or coarse_date(day0.anchor, case.language)})"
        return relative.model_copy(update={"day0": Day0(label=label)})

    @property
    def stamp(self) -> str:
        """What a cache of outputs drawn under this policy is keyed by: the view, and for
        shifted dates the key's stamp."""
        return f"{self.view}:{self.key.stamp}" if self.view == "shifted" else self.view


def with_dates(case: Case, dates: DatePolicy | str = "exact") -> Case:
    """The case as `dates` (a policy, or a view's name with this run's key) shows it."""
    return DatePolicy.of(dates).apply(case)


def month_third(date: dt.date) -> Literal["early", "mid", "late"]:
    """Which third of its month a date falls in: days 1-10, 11-20, or the rest."""
    if date.day <= 10:
        return "early"
    return "mid" if date.day <= 20 else "late"


def coarse_date(date: dt.date, language: str = "en") -> str:
    """'early Apr 2015' (days 1-10), 'mid Apr 2015' (11-20) or 'late Apr 2015'."""
    say = words(language)
    month = say.date(date, "month")
    third = month_third(date)
    if third == "early":
        return say.t("early {month}", month=month)
    if third == "mid":
        return say.t("mid {month}", month=month)
    return say.t("late {month}", month=month)


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
