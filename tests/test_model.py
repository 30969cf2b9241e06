"""Times and the case schema."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from dashboard.model import Case, validate_time
from dashboard.model.schema import json_schema
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


def _problems(data: dict[str, object]) -> list[tuple[tuple[object, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        Case.model_validate(data)
    return [(error["loc"], error["msg"]) for error in raised.value.errors()]


def test_an_event_may_not_end_before_it_begins() -> None:
    events = [{"at": "day 9", "end": "day 2", "kind": "relapse"}]
    assert _problems({"title": "t", "events": events}) == [
        (("events", 0, "end"), "ends on day 2, before it begins on day 9")
    ]


def test_teaching_steps_run_in_time_order_even_beside_a_broken_step() -> None:
    # the broken step is left out of the comparison; the others are still checked
    steps = [{"at": "day 30"}, {"at": "day 40", "title": ["not text"]}, {"at": "day 10"}]
    assert _problems({"title": "t", "teaching": {"steps": steps}}) == [
        (("teaching", "steps", 1, "title"), "Input should be a valid string"),
        (("teaching", "steps", 2, "at"), "steps must run in time order: day 10 comes after day 30"),
    ]


def test_dependent_rules_run_beside_problems_of_other_keys() -> None:
    treatment = {"drug": "x", "start": "day 9", "end": "day 1", "note": ["not text"]}
    problems = _problems({"title": "t", "colour": "red", "treatments": [treatment]})
    assert (("treatments", 0, "end"), "ends on day 1, before its start on day 9") in problems
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (20150401, "'20150401' lies more than 200 years from day 0"),
        ("year 201", "'year 201' lies more than 200 years from day 0"),
        ("day nan", "found 'day nan'"),
    ],
)
def test_times_stay_within_200_years(written: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_time(written)
    assert validate_time("year 200").day == 73050.0


def test_a_calendar_time_stays_on_the_calendar() -> None:
    token = DAY0_DATE.set(dt.date(9999, 12, 31))
    try:
        assert validate_time("day 0").date == dt.date(9999, 12, 31)
        with pytest.raises(ValueError, match="falls outside the calendar"):
            validate_time("day 1")
    finally:
        DAY0_DATE.reset(token)


def test_repeated_dosing_has_a_budget() -> None:
    treatment = {"drug": "x", "start": "day 0", "end": "day 5000", "every": "1 day"}
    [(loc, message)] = _problems({"title": "t", "treatments": [treatment]})
    assert loc == ("treatments", 0, "every")
    assert message.startswith("every 1 days from day 0 to day 5000 makes 5,001 administrations")
    ok = {**treatment, "end": "day 4999"}
    assert Case.model_validate({"title": "t", "treatments": [ok]}).treatments[0].every == 1.0


@pytest.mark.parametrize("written", ["Days 2", "DAY 3", "~Week -1", "-2.5", 3])
def test_the_schema_takes_every_time_the_parser_takes(written: object) -> None:
    schema = json_schema()["$defs"]["Event"]["properties"]["at"]
    validate_time(written)
    if isinstance(written, str):
        pattern = next(part["pattern"] for part in schema["anyOf"] if "pattern" in part)
        assert re.match(pattern, written)
