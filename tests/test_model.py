"""Times and the case schema."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from dashboard.model import Case, validate_time
from dashboard.model.times import DAY0_DATE, parse_duration


@pytest.mark.parametrize(
    ("written", "day", "approx"),
    [
        ("day 14", 14.0, False),
        ("day -3", -3.0, False),
        ("week -2", -14.0, False),
        ("month 6", 182.625, False),
        ("year 1.5", 547.875, False),
        ("~day 14", 14.0, True),
        ("~ week 1", 7.0, True),
        ("Days 2", 2.0, False),
        (14, 14.0, False),
        (-3, -3.0, False),
        (2.5, 2.5, False),
        ("2.5", 2.5, False),
        ("~10", 10.0, True),
    ],
)
def test_relative_times(written: object, day: float, approx: bool) -> None:
    time = validate_time(written)
    assert (time.day, time.approx, time.date, time.precision) == (day, approx, None, "relative")


def test_calendar_times_resolve_against_day0() -> None:
    token = DAY0_DATE.set(dt.date(2012, 10, 1))
    try:
        date = validate_time("2012-10-15")
        month = validate_time("~2012-11")
        relative = validate_time("day 30")
    finally:
        DAY0_DATE.reset(token)
    assert (date.day, date.date, date.precision) == (14.0, dt.date(2012, 10, 15), "day")
    assert (month.day, month.approx, month.precision) == (31.0, True, "month")
    assert relative.date == dt.date(2012, 10, 31)
    assert month.describe() == "~Nov 2012 (day 31)"
    assert relative.describe() == "day 30 (31 Oct 2012)"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2013-02-30", "'2013-02-30' is not a real date: February 2013 has 28 days"),
        ("2013-13", "'2013-13' has no month 13; months run 1 to 12"),
        ("tomorrow", "found 'tomorrow'"),
        (True, "found true"),
        ([1, 2], "found a list"),
        ("day inf", "found 'day inf'"),
    ],
)
def test_bad_times_say_what_was_found(written: object, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        validate_time(written)
    assert message in str(raised.value)


def test_calendar_time_needs_day0() -> None:
    with pytest.raises(ValueError, match=r"needs day0\.date"):
        validate_time("2012-10")


@pytest.mark.parametrize(
    ("written", "days"), [("4 weeks", 28.0), ("month", 30.4375), ("2 days", 2.0), (3, 3.0)]
)
def test_durations(written: object, days: float) -> None:
    assert parse_duration(written) == days


def test_case_places_every_time_once() -> None:
    case = Case.model_validate(
        {
            "title": "t",
            "day0": {"label": "NMOSD onset", "date": "2015-04"},
            "treatments": [
                {"drug": "tocilizumab", "abbr": "TCZ", "start": "~2015-03", "ongoing": True},
                {
                    "drug": "prednisolone",
                    "doses": [{"at": "day 2", "dose": 60}, {"at": "day 21", "dose": 40}],
                    "end": "month 3",
                },
            ],
            "measurements": [{"name": "EDSS", "values": [["day 0", 3], ["~day 9", "~6.5"]]}],
        }
    )
    tocilizumab, prednisolone = case.treatments
    assert tocilizumab.first.day == -31.0 and tocilizumab.first.approx
    assert prednisolone.timing == "doses" and prednisolone.last.day == 91.3125
    assert [(p.time.day, p.value, p.approx) for p in case.measurements[0].points] == [
        (0.0, 3.0, False),
        (9.0, 6.5, True),
    ]
    assert case.span == (-31.0, 91.3125)
    assert case.day0_date == dt.date(2015, 4, 1)


def test_case_is_frozen_and_forbids_unknown_keys() -> None:
    case = Case.model_validate({"title": "t"})
    with pytest.raises(ValidationError):
        case.title = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        Case.model_validate({"title": "t", "colour": "red"})


def test_every_needs_start() -> None:
    with pytest.raises(ValidationError, match="every goes with start"):
        Case.model_validate(
            {
                "title": "t",
                "treatments": [{"drug": "x", "doses": [{"at": 0, "dose": 1}], "every": "4 weeks"}],
            }
        )
