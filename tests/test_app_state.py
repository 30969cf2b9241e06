"""The view of a case page in its URL: read defensively, written canonically, round-tripped."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from dashboard.app.series import SeriesView, parse_series_view
from dashboard.app.state import (
    EVERYTHING,
    MAX_FIELDS,
    MAX_SEARCH,
    WINDOW_ENDS,
    View,
    default_axis,
    edited_controls,
    figure_options,
    format_view,
    panel_names,
    parse_view,
    read_time,
    with_control,
)
from dashboard.figure import FigureOptions, figure_spec
from dashboard.load import parse_case

COURSE = """
axis: {unit: month}
treatments: [{drug: prednisolone, abbr: PSL, start: day 0, end: day 300}]
events: [{at: day 10, kind: relapse, label: myelitis}]
measurements:
  - {name: EDSS, values: {day 0: 3, day 300: 5}}
"""
UNDATED = parse_case("title: Without a date\n" + COURSE)
DATED = parse_case("title: With a date\nday0: {date: 2010-01-01}\n" + COURSE)


def test_empty_query_is_the_default_view() -> None:
    assert parse_view("", UNDATED) == View()
    assert parse_view(None, UNDATED) == View()
    assert format_view(View()) == ""


def test_a_full_query_is_read() -> None:
    view = parse_view(
        "?axis=date&theme=print&reveal=day%2012&hide=EDSS&hide=events&window=-10,200", DATED
    )
    assert view == View(
        axis="date", theme="print", hide=("events", "EDSS"), reveal="day 12", window=(-10, 200)
    )


@pytest.mark.parametrize(
    "view",
    [
        View(axis="week"),
        View(theme="slides"),
        View(hide=("treatments", "EDSS")),
        View(reveal="day 335"),
        View(reveal="week 3"),
        View(window=(-5.5, 120)),
        View(axis="year", theme="print", hide=("events",), reveal="month 6", window=(0, 400)),
    ],
)
def test_format_then_parse_round_trips(view: View) -> None:
    assert parse_view(format_view(view), UNDATED) == view


def test_calendar_reveal_needs_a_dated_case() -> None:
    assert parse_view("?reveal=2012-10-01", DATED).reveal == "2012-10-01"
    assert parse_view("?reveal=2012-10-01", UNDATED).reveal is None
    time = read_time("2010-01-11", DATED)
    assert time is not None and time.day == 10


@pytest.mark.parametrize(
    "search",
    [
        "?axis=bogus",
        "?axis=date",  # no day0.date in this case
        "?theme=<script>alert(1)</script>",
        "?reveal=soon",
        "?reveal=day%20inf",
        "?reveal=" + "9" * 500,
        "?window=10,5",
        "?window=a,b",
        "?window=1,2,3",
        "?window=nan,5",
        "?hide=Nonexistent",
        "?%ZZ=%%%&&&==",
        "?" + "&".join(f"k{n}=v" for n in range(500)),
        "?" + "x" * 100_000,
    ],
)
def test_bad_values_fall_back_to_defaults(search: str) -> None:
    assert parse_view(search, UNDATED) == View()


def test_case_and_series_pages_read_their_address_within_the_same_caps() -> None:
    """Both pages read at most MAX_SEARCH characters and MAX_FIELDS fields of their address:
    a view asked for beyond either cap is not read, on the series page as on the case page."""
    assert parse_view("?theme=print", UNDATED).theme == "print"
    assert parse_series_view("?sort=anchor").sort == "anchor"
    late = "?pad=" + "x" * MAX_SEARCH + "&theme=print&sort=anchor"
    assert parse_view(late, UNDATED) == View()
    assert parse_series_view(late) == SeriesView()
    fields = "&".join(f"k{n}=v" for n in range(MAX_FIELDS))
    many = f"?{fields}&theme=print&sort=anchor"
    assert parse_view(many, UNDATED) == View()
    assert parse_series_view(many) == SeriesView()


def test_the_case_default_axis_is_not_written() -> None:
    assert default_axis(UNDATED) == "month"
    assert parse_view("?axis=month", UNDATED) == View()


def test_hidden_panels_keep_panel_order_and_drop_duplicates() -> None:
    view = parse_view("?hide=EDSS&hide=treatments&hide=EDSS", UNDATED)
    assert view.hide == ("treatments", "EDSS")
    assert panel_names(UNDATED) == ["treatments", "events", "EDSS"]


def test_each_control_edits_only_its_part_of_the_view() -> None:
    view = View(axis="week", reveal="day 100")
    view = with_control(view, UNDATED, "theme", "print")
    view = with_control(view, UNDATED, "panels", ["treatments", "EDSS"])
    view = with_control(view, UNDATED, "window-to", "40")  # weeks, on a weeks axis
    assert view == View(
        axis="week", theme="print", hide=("events",), reveal="day 100", window=(0, 280)
    )
    view = with_control(view, UNDATED, "window-from", -2)
    assert view.window == (-14, 280)
    assert with_control(view, UNDATED, "window-to", None).window is None
    assert with_control(view, UNDATED, "reveal", EVERYTHING).reveal is None
    assert with_control(view, UNDATED, "axis", "month").axis is None  # the case's default


@pytest.mark.parametrize(
    ("control", "value"),
    [
        ("axis", None),
        ("reveal", None),
        ("axis", "decade"),
        ("theme", 3),
        ("panels", "events"),
        ("window-to", -50),
        ("reveal", "someday"),
        ("unknown", "x"),
    ],
)
def test_a_control_without_a_sensible_value_changes_nothing(control: str, value: object) -> None:
    view = View(axis="week", reveal="day 100", window=(0, 200))
    changed = with_control(view, UNDATED, control, value)
    assert changed in (view, replace(view, window=None), replace(view, reveal=None))
    assert changed.axis == "week"


def test_figure_options_resolve_times_to_days() -> None:
    options = figure_options(View(reveal="week 3", window=(0, 50)), UNDATED)
    assert options == FigureOptions(
        axis="month", theme="screen", reveal=21.0, window=(0.0, 50.0), fluid=True
    )
    assert hash(options) == hash(figure_options(View(reveal="day 21", window=(0, 50)), UNDATED))


def test_the_slides_look_fills_the_card_instead_of_a_fixed_1920_px() -> None:
    from dashboard.figure import build_figure

    figure = build_figure(UNDATED, figure_options(View(theme="slides"), UNDATED))
    assert figure.layout.autosize is True and figure.layout.width is None
    assert figure.layout.font.size == 26, "the slides look keeps its large type"
    slide = build_figure(UNDATED, theme="slides")  # an image of a slide keeps 1920x1080
    assert (slide.layout.width, slide.layout.height) == (1920, 1080)


def test_a_case_without_treatments_has_no_treatment_panel() -> None:
    case = parse_case("title: Only events\nevents: [{at: day 1, kind: relapse}]\n")
    assert panel_names(case) == ["events"]
    assert parse_view("?hide=treatments", case) == View()


def test_the_window_is_typed_and_shown_in_the_axis_unit() -> None:
    from dashboard.app.state import window_day, window_text

    assert window_day("2", "week", UNDATED) == 14
    assert window_day("1.5", "year", UNDATED) == 547.875
    assert window_day(" ", "week", UNDATED) is None and window_day("soon", "day", UNDATED) is None
    assert window_text(14, "week", UNDATED) == "2" and window_text(10, "week", UNDATED) == "1.43"
    day0 = DATED.day0_date
    assert day0 is not None
    assert window_day(day0.isoformat(), "date", DATED) == 0
    assert window_text(31, "date", DATED) == (day0 + dt.timedelta(days=31)).isoformat()
    view = with_control(View(axis="week"), UNDATED, "window-to", "10")
    assert view.window is not None and view.window[1] == 70


def test_a_link_cannot_stretch_the_chart_past_what_a_case_may_hold() -> None:
    case = parse_case(
        "title: Daily doses\n"
        "treatments:\n"
        "  - {drug: heparin, start: day 0, every: 1 day, ongoing: true}\n"
        "events:\n"
        "  - {at: day 30, kind: relapse}\n"
    )
    view = parse_view("?window=-1e300,1e300", case)
    assert view.window == (-73050.0, 73050.0)  # 200 years either side of day 0
    spec = figure_spec(case, window=(0, 1e12))  # a window wider than any link can ask for
    drawn = sum(len(trace.get("x") or ()) for trace in spec["data"])
    assert 5_000 <= drawn < 5_100  # the ticks stop at the budget of administrations


def test_either_end_of_a_window_applies_both_ends() -> None:
    controls = {"axis": "day", "window-from": -100, "window-to": 100}
    # The second end typed before the address holds the first must not undo the first.
    assert edited_controls(["window-to.value"], controls, WINDOW_ENDS) == [
        "window-from",
        "window-to",
    ]
    assert edited_controls(["axis.value"], controls, WINDOW_ENDS) == ["axis"]
    assert edited_controls(["url.search"], controls, WINDOW_ENDS) == []
