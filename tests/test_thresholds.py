"""Every rule with a threshold, checked at the threshold and one step either side of it: the
axis unit's switch points, one-digit dates, the coarse date's thirds (shown and imported), the
series' merge window, same-day scores and the anchor day, the reveal day, and the room row
labels take. Each test goes through what a user touches: a case file's text, the figure's
spec, the command line."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.dates import with_dates
from dashboard.figure import figure_spec
from dashboard.load import parse_case
from dashboard.problems import InvalidCase


def run(*args: str) -> str:
    """Run the command line; it must succeed, without a traceback. Its output."""
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


def spec(text: str, **view: Any) -> dict[str, Any]:
    """The figure spec of a case written as YAML text."""
    return figure_spec(parse_case(text), **view)


def refs(figure: dict[str, Any]) -> set[str]:
    """The items of the case the figure draws, by ref (`events[1]`, `treatments[0]`)."""
    found = set()
    for trace in figure["data"]:
        for row in trace.get("customdata") or []:
            if row and isinstance(row[0], str):
                found.add(row[0].split(".")[0] if "values" not in row[0] else row[0])
    return found


# --- the axis unit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "unit"),
    [
        (60, "Days"),
        (61, "Weeks"),
        (183, "Weeks"),
        (184, "Months"),
        (1461, "Months"),  # four years of 365.25 days
        (1462, "Years"),
    ],
)
def test_the_axis_unit_switches_just_after_60_183_and_1461_days(span: int, unit: str) -> None:
    """A course of up to 60 days is drawn in days, up to 183 in weeks, up to four years
    (1461 days) in months, and a longer one in years; each bound belongs to the smaller unit."""
    case = f"title: t\nevents:\n{attacks([0, span])}"
    assert spec(case)["layout"]["xaxis"]["title"]["text"].startswith(f"{unit} from day 0")


# --- dates as written ------------------------------------------------------------------------


def test_dates_may_be_written_with_one_digit_months_and_days() -> None:
    """A date is year-month-day with one or two digits for month and day (2012-3-5 is
    2012-03-05), and a month may be written 2012-3."""
    case = parse_case(
        "title: t\nday0: {date: 2012-3-1}\nevents:\n"
        "  - {at: 2012-3-5, kind: relapse}\n"
        "  - {at: 2012-10-9, kind: relapse}\n"
        "  - {at: 2012-4, kind: relapse}\n"
    )
    assert [event.at.day for event in case.events] == [4, 222, 31]
    assert case.events[2].at.precision == "month"
    assert parse_case("title: t\nday0: {date: 2012-03-01}\n").day0_date == case.day0_date


@pytest.mark.parametrize("written", ["2012-13-1", "2012-3-32", "2012-123-1", "12-3-1"])
def test_dates_that_are_not_dates_are_refused(written: str) -> None:
    """Month 13, day 32, a three-digit month and a two-digit year are not dates."""
    with pytest.raises(InvalidCase):
        parse_case(f"title: t\nevents:\n  - {{at: {written}, kind: relapse}}\n")


def test_a_treatment_may_end_on_the_day_it_starts_but_not_before() -> None:
    """`end` equal to `start` is one day of treatment; one day earlier is an error."""
    case = "title: t\ntreatments:\n  - {{drug: X, start: day 5, end: day {end}}}\n"
    assert parse_case(case.format(end=5)).treatments[0].end is not None
    with pytest.raises(InvalidCase, match="before its start"):
        parse_case(case.format(end=4))


def test_a_log_scale_refuses_zero_and_takes_the_smallest_positive_value() -> None:
    """Values on a log scale must be above zero: 0 is refused, 0.001 is drawn."""
    case = "title: t\nmeasurements:\n  - {{name: CRP, scale: log, values: [[day 1, {v}]]}}\n"
    with pytest.raises(InvalidCase, match="above zero"):
        parse_case(case.format(v=0))
    assert parse_case(case.format(v=0.001)).measurements[0].values[0][1][0] == 0.001


# --- coarse dates: early, mid and late month ------------------------------------------------


def _coarse_label(tmp_path: Path, day: int) -> str:
    path = tmp_path / f"day{day}.yaml"
    path.write_text(
        f"title: t\nday0: {{date: 2017-09-{day:02d}}}\nevents:\n  - {{at: day 3, kind: relapse}}\n",
        encoding="utf-8",
    )
    out = tmp_path / f"day{day}.json"
    run("render", str(path), "-o", str(out), "--dates", "coarse")
    text = out.read_text(encoding="utf-8")
    # the coarse view gives no day of the month anywhere, only its third
    assert "2017-09" not in text and not re.search(r"\d+ Sep 2017", text), text
    title: str = json.loads(text)["layout"]["xaxis"]["title"]["text"]
    return title


@pytest.mark.parametrize(
    ("day", "third"), [(1, "early"), (10, "early"), (11, "mid"), (20, "mid"), (21, "late")]
)
def test_coarse_dates_call_days_1_to_10_early_11_to_20_mid_and_later_late(
    tmp_path: Path, day: int, third: str
) -> None:
    """--dates coarse names day 0 by the third of its month: days 1-10 early, 11-20 mid,
    21 onwards late; the 10th and 20th belong to the earlier third."""
    assert _coarse_label(tmp_path, day) == f"Days since Day 0 ({third} Sep 2017)"


def test_a_shifted_date_is_never_the_true_one_and_at_most_a_year_away() -> None:
    """--dates shifted moves every case by a whole number of days within a year either way
    and never by zero: of 3,000 cases (a zero shift would come about four times), every
    day 0 is moved, by 1 to 365 days."""
    true = dt.date(2015, 6, 15)
    moved = set()
    for number in range(3000):
        case = parse_case(f"title: case {number}\nday0: {{date: {true.isoformat()}}}\n")
        shown = with_dates(case, "shifted").day0_date
        assert shown is not None and shown != true, case.title
        moved.add((shown - true).days)
    assert 1 <= max(map(abs, moved)) <= 365 and min(map(abs, moved)) >= 1
    assert len(moved) > 500  # (the shift depends on the case, not one for all)


@pytest.mark.parametrize(
    ("day", "third"), [(10, "early"), (11, "mid"), (20, "mid"), (21, "late"), (30, "late")]
)
def test_an_import_with_coarse_dates_names_day0_by_the_same_thirds(
    tmp_path: Path, day: int, third: str
) -> None:
    """`import --coarse-dates` gives day 0 as early (days 1-10), mid (11-20) or late month,
    the same thirds as the coarse date view."""
    case = tmp_path / "dated.yaml"
    case.write_text(
        f"title: Dated\nday0: {{date: 2017-09-{day:02d}}}\nevents:\n{attacks([3])}",
        encoding="utf-8",
    )
    table = tmp_path / "table.csv"
    run("table", str(case), "-o", str(table))
    run("import", str(table), "-o", str(tmp_path / "out"), "--coarse-dates")
    written = (tmp_path / "out" / "dated.yaml").read_text(encoding="utf-8")
    assert f"({third} Sep 2017)" in written, written
    assert "2017-09" not in written


@pytest.mark.parametrize(("written", "day"), [("2017-9-2", 1), ("2017-09-2", 1), ("2017-9", 0)])
def test_an_import_reads_dates_with_one_digit_months_and_days(
    tmp_path: Path, written: str, day: int
) -> None:
    """A case table's start written 2017-9-2 or 2017-9 is a date like 2017-09-02, counted
    from day 0."""
    case = tmp_path / "dated.yaml"
    case.write_text(
        "title: Dated\nday0: {date: 2017-09-01}\nevents:\n  - {at: 2017-09-04, kind: relapse}\n",
        encoding="utf-8",
    )
    table = tmp_path / "table.csv"
    run("table", str(case), "-o", str(table))
    text = table.read_text(encoding="utf-8")
    assert "2017-09-04" in text
    table.write_text(text.replace("2017-09-04", written), encoding="utf-8")
    run("import", str(table), "-o", str(tmp_path / "out"), "--keep-dates")
    imported = parse_case((tmp_path / "out" / "dated.yaml").read_text(encoding="utf-8"))
    assert imported.events[0].at.day == day


@pytest.mark.parametrize(
    "written", ["7.3.2015", "07.03.2015", "3/7/2015", "2015-03-07", "2015-3-7", "2015-03-07T08:30"]
)
def test_an_import_takes_dates_out_of_notes_however_many_digits_they_have(
    tmp_path: Path, written: str
) -> None:
    """Without --keep-dates, a date in a note (7.3.2015, 3/7/2015, 2015-03-07 or 2015-3-7, the
    way a case file may write it) is taken out."""
    case = tmp_path / "noted.yaml"
    case.write_text(
        "title: Noted\nday0: {date: 2015-03-01}\n"
        f"events:\n  - {{at: day 3, kind: relapse, detail: 'admitted {written}'}}\n",
        encoding="utf-8",
    )
    table = tmp_path / "table.csv"
    run("table", str(case), "-o", str(table))
    run("import", str(table), "-o", str(tmp_path / "out"))
    written_case = (tmp_path / "out" / "noted.yaml").read_text(encoding="utf-8")
    assert written not in written_case and "admitted" in written_case


def test_an_import_keeps_a_code_that_only_looks_like_a_date(tmp_path: Path) -> None:
    """A note's '2015-13-45' is no date (there is no month 13): the import keeps it as written
    and goes on, rather than stopping at it."""
    case = tmp_path / "coded.yaml"
    case.write_text(
        "title: Coded\nday0: {date: 2015-03-01}\n"
        "events:\n  - {at: day 3, kind: relapse, detail: 'lot 2015-13-45, seen 2015-03-07'}\n",
        encoding="utf-8",
    )
    table = tmp_path / "table.csv"
    run("table", str(case), "-o", str(table))
    run("import", str(table), "-o", str(tmp_path / "out"))
    imported = parse_case((tmp_path / "out" / "coded.yaml").read_text(encoding="utf-8"))
    assert imported.events[0].detail == "lot 2015-13-45, seen day 6"


# --- series outcomes: the merge window, same-day scores, the anchor day ----------------------

SERIES = """title: Boundaries
cases: [one]
align: {{by: treatment, match: {{drug: rituximab}}}}
outcomes:
  count: [relapse]
  merge_within: {merge}
  score: EDSS
"""


def outcomes(tmp_path: Path, case: str, merge: str = "30 days") -> dict[str, Any]:
    """The outcome row of a one-case series, as `outcomes -o x.json` writes it."""
    (tmp_path / "one.yaml").write_text(case, encoding="utf-8")
    series = tmp_path / "b.series.yaml"
    series.write_text(SERIES.format(merge=merge), encoding="utf-8")
    run("outcomes", str(series), "-o", str(tmp_path / "out.json"))
    table = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    rows = table["rows"] if isinstance(table, dict) else table
    (row,) = [row for row in rows if row["case"] == "one"]
    return dict(row)


def attacks(days: list[int]) -> str:
    return "".join(f"  - {{at: day {day}, kind: relapse}}\n" for day in days)


def test_an_attack_exactly_merge_within_after_the_last_is_counted_again(tmp_path: Path) -> None:
    """An attack starting less than `merge_within` after the previous counted one is part of
    it; one starting exactly `merge_within` after it, or later, is a new attack. The window
    runs from the last counted attack, not from the first of a run."""
    case = (
        "title: One\nfollow_up: day 400\n"
        "treatments:\n  - {drug: rituximab, start: day 200, ongoing: true}\n"
        # before: 0 counted; 29 merged; 30 counted (exactly 30 after 0); 60 counted (exactly
        # 30 after 30, though 60 after 0); 89 merged (29 after 60). After: 210 counted; 240
        # counted (exactly 30 later); 241 merged; 272 counted (32 after 240).
        f"events:\n{attacks([0, 29, 30, 60, 89, 210, 240, 241, 272])}"
    )
    row = outcomes(tmp_path, case)
    assert row["before_attacks"] == 3
    assert row["after_attacks"] == 3
    assert row["days_to_first_after"] == 10


def test_an_attack_on_the_anchor_day_counts_before_it_only(tmp_path: Path) -> None:
    """An attack on the anchor day counts before the anchor, not after it; the first attack
    after is the first one a day or more later."""
    case = (
        "title: One\nfollow_up: day 400\n"
        "treatments:\n  - {drug: rituximab, start: day 200, ongoing: true}\n"
        f"events:\n{attacks([100, 200, 300])}"
    )
    row = outcomes(tmp_path, case)
    assert (row["before_attacks"], row["after_attacks"]) == (2, 1)
    assert row["days_to_first_after"] == 100
    assert row["before_years"] == pytest.approx(100 / 365.25, rel=1e-3)
    assert row["after_years"] == pytest.approx(200 / 365.25, rel=1e-3)


def test_of_two_scores_on_one_day_the_later_written_is_reported(tmp_path: Path) -> None:
    """The score at the anchor is the last value on or before the anchor day, and of two values
    on one day the one written later (the one the figure draws on top)."""
    case = (
        "title: One\nfollow_up: day 400\n"
        "treatments:\n  - {drug: rituximab, start: day 200, ongoing: true}\n"
        "measurements:\n  - name: EDSS\n"
        "    values: [[day 100, 2], [day 200, 3], [day 200, 4.5], [day 201, 9],"
        " [day 400, 5], [day 400, 3.5]]\n"
    )
    row = outcomes(tmp_path, case)
    assert row["score_at_anchor"] == 4.5
    assert row["score_last"] == 3.5


# --- the reveal day ----------------------------------------------------------------------------

REVEALED = """title: t
treatments:
  - {drug: Drug A, start: day 0, end: day 20}
  - {drug: Drug B, start: day 50, end: day 80}
measurements:
  - name: CRP
    values: [[day 5, 3], [day 50, 40]]
events:
  - {at: day 10, kind: relapse}
  - {at: day 50, kind: relapse}
"""


def test_an_item_on_the_reveal_day_is_shown_and_a_day_later_is_not() -> None:
    """Revealed up to a day, the figure shows everything that begins on or before that day
    (the treatment starting, the event and the value on it) and nothing later."""
    on_the_day = refs(spec(REVEALED, reveal=50.0))
    assert {"treatments[1]", "events[1]", "measurements[0].values[1]"} <= on_the_day
    day_before = refs(spec(REVEALED, reveal=49.0))
    assert {"treatments[0]", "events[0]", "measurements[0].values[0]"} <= day_before
    assert not {"treatments[1]", "events[1]", "measurements[0].values[1]"} & day_before


def test_each_step_of_a_presentation_shows_the_item_on_its_day(tmp_path: Path) -> None:
    """A teaching step `at` a day shows what happens on that day and nothing later: the deck's
    step at day 50 draws the relapse and the treatment of day 50, not the relapse of day 90."""
    path = tmp_path / "taught.yaml"
    path.write_text(
        REVEALED + "  - {at: day 90, kind: relapse}\n"
        "teaching:\n  steps:\n    - {at: day 10, title: First}\n"
        "    - {at: day 50, title: Second}\n",
        encoding="utf-8",
    )
    run("present", str(path), "-o", str(tmp_path / "deck.html"))
    deck = (tmp_path / "deck.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="deck-figures">(.*?)</script>', deck)
    assert found is not None
    figures = {figure["layout"]["meta"]["reveal"]: figure for figure in json.loads(found[1])}
    assert {"treatments[1]", "events[1]"} <= refs(figures[50.0])
    assert "events[2]" not in refs(figures[50.0])
    assert not {"treatments[1]", "events[1]"} & refs(figures[10.0])


# --- room for row labels ---------------------------------------------------------------------

LONG = "Intravenous immunoglobulin, high dose, five days"


@pytest.mark.parametrize("long_row", [0, 2])
def test_a_long_row_label_in_any_row_leaves_the_plot_narrower(long_row: int) -> None:
    """The plot is the figure's width less its row labels, measured: a row label about 40
    characters longer, in the first row or the last, takes at least 150 px more from it."""
    drugs = ["Rituximab", "Tocilizumab", "Eculizumab"]
    short = spec(_three_rows(drugs), width=1200)["layout"]["meta"]["plot_width"]
    drugs[long_row] = LONG
    long = spec(_three_rows(drugs), width=1200)["layout"]["meta"]["plot_width"]
    assert long < short - 150, (short, long)


def _three_rows(drugs: list[str]) -> str:
    rows = "".join(
        f"  - {{drug: '{drug}', start: day {10 * n}, end: day {10 * n + 50}}}\n"
        for n, drug in enumerate(drugs)
    )
    return f"title: t\ntreatments:\n{rows}"
