"""Outcome tables checked against numbers worked out by hand from the series contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.series.load import load_series
from dashboard.series.outcomes import (
    COLUMNS,
    compute,
    significant,
    summary,
    table,
    to_csv,
    to_json,
)

DATA = Path(__file__).parent / "data" / "series"
YEAR = 365.25
# Exact Poisson 95% limits for k events in one person-year, from published tables
# (Garwood 1936; e.g. Ulm 1990): k -> (lower, upper).
POISSON = {0: (0.0, 3.6889), 3: (0.6186, 8.7673), 5: (1.6235, 11.6683)}


def rows(name: str) -> dict[str, dict[str, object]]:
    """The outcome table of a test series, by case id."""
    return {str(row["case"]): row for row in table(compute(load_series(DATA / name)))}


def close(value: object, expected: float) -> bool:
    """Equal to 4 significant digits, as the table writes its numbers."""
    assert isinstance(value, int | float), value
    return value == pytest.approx(expected, rel=6e-4, abs=1e-9)


def test_every_column_of_each_case_matches_a_hand_computation() -> None:
    table_ = rows("il6.series.yaml")
    assert list(table_) == ["alpha", "beta", "gamma", "delta", "all"]
    alpha = table_["alpha"]
    # relapses 0, 100, 120 (within 30 days of 100: merged), 400 (the anchor day: before),
    # 700, 710 (merged), 760; follow-up from day 0 to follow_up: day 1000
    assert alpha["anchor_day"] == 400
    assert alpha["before_attacks"] == 3 and alpha["after_attacks"] == 2
    assert close(alpha["before_years"], 400 / YEAR)
    assert close(alpha["arr_before"], 3 / (400 / YEAR))
    assert close(alpha["after_years"], 600 / YEAR)
    assert close(alpha["arr_after"], 2 / (600 / YEAR))
    assert alpha["days_to_first_after"] == 300
    assert alpha["score_at_anchor"] == 4.5 and alpha["score_last"] == 3.5
    assert alpha["arr_before_low"] is None and alpha["rate_ratio"] is None

    beta = table_["beta"]  # class written in other capitals; anchor at week 10 = day 70
    assert beta["anchor_day"] == 70
    assert beta["before_attacks"] == 1 and beta["after_attacks"] == 0
    assert close(beta["before_years"], 270 / YEAR)
    assert close(beta["arr_before"], 1 / (270 / YEAR))
    assert close(beta["after_years"], 230 / YEAR)
    assert beta["arr_after"] == 0
    assert beta["days_to_first_after"] is None and beta["score_at_anchor"] is None

    assert table_["gamma"] == dict.fromkeys(COLUMNS) | {"case": "gamma", "anchor_day": "no anchor"}

    delta = table_["delta"]  # anchored on its first time: nothing before, ARR before empty
    assert delta["anchor_day"] == 0 and delta["before_years"] == 0
    assert delta["before_attacks"] == 1 and delta["arr_before"] is None
    assert delta["after_years"] == 1 and delta["arr_after"] == 1
    assert delta["days_to_first_after"] == 200


def test_pooled_row_has_exact_poisson_limits_and_the_rate_ratio() -> None:
    pooled = rows("il6.series.yaml")["all"]
    before_years = (400 + 270 + 0) / YEAR
    after_years = (600 + 230 + YEAR) / YEAR
    assert pooled["before_attacks"] == 5 and pooled["after_attacks"] == 3
    assert close(pooled["before_years"], before_years)
    assert close(pooled["after_years"], after_years)
    assert close(pooled["arr_before"], 5 / before_years)
    assert close(pooled["arr_after"], 3 / after_years)
    assert close(pooled["arr_before_low"], POISSON[5][0] / before_years)
    assert close(pooled["arr_before_high"], POISSON[5][1] / before_years)
    assert close(pooled["arr_after_low"], POISSON[3][0] / after_years)
    assert close(pooled["arr_after_high"], POISSON[3][1] / after_years)
    assert close(pooled["rate_ratio"], (3 / after_years) / (5 / before_years))
    assert pooled["anchor_day"] is None


def test_window_clips_follow_up_and_attacks() -> None:
    table_ = rows("window.series.yaml")
    assert list(table_) == ["alpha", "beta", "delta", "gamma", "all"]
    half = 6 * 30.4375  # month -6 .. month 6 around the anchor
    alpha = table_["alpha"]  # anchor 400: window 217.4 .. 582.6; only the anchor-day attack
    assert alpha["before_attacks"] == 1 and alpha["after_attacks"] == 0
    assert close(alpha["before_years"], half / YEAR)
    assert close(alpha["arr_before"], 1 / (half / YEAR))
    assert alpha["arr_after"] == 0
    beta = table_["beta"]  # anchor 70: -112.6 .. 252.6, so its attack on day -200 is out
    assert beta["before_attacks"] == 0
    assert close(beta["before_years"], half / YEAR) and close(beta["after_years"], half / YEAR)
    delta = table_["delta"]  # anchor 0: its attack on day 200 lies beyond day 182.6
    assert delta["before_attacks"] == 1 and delta["after_attacks"] == 0
    assert close(delta["after_years"], half / YEAR)


def test_no_attacks_after_gives_a_lower_limit_of_zero() -> None:
    pooled = rows("window.series.yaml")["all"]
    assert pooled["before_attacks"] == 2 and pooled["after_attacks"] == 0
    assert close(pooled["before_years"], 1.0) and close(pooled["after_years"], 1.5)
    assert close(pooled["arr_before"], 2.0) and pooled["arr_after"] == 0
    assert pooled["arr_after_low"] == 0
    assert close(pooled["arr_after_high"], POISSON[0][1] / 1.5)
    assert pooled["rate_ratio"] == 0


def test_alignment_on_the_second_attack_without_merging() -> None:
    table_ = rows("second-attack.series.yaml")
    assert list(table_) == ["alpha", "beta", "delta", "gamma", "all"]
    assert table_["alpha"]["anchor_day"] == 100
    assert table_["alpha"]["before_attacks"] == 2 and table_["alpha"]["after_attacks"] == 5
    assert table_["beta"]["anchor_day"] == "no anchor"  # it has one attack only
    assert table_["gamma"]["anchor_day"] == 300 and table_["gamma"]["arr_after"] is None
    assert table_["delta"]["after_attacks"] == 0
    assert close(table_["delta"]["after_years"], (YEAR - 200) / YEAR)


def test_no_attacks_at_all_has_a_zero_lower_limit() -> None:
    outcomes = compute(load_series(DATA / "il6.series.yaml"))
    zero = type(outcomes.before)(0, 2.0)
    low, high = zero.limits
    assert low == 0
    assert high == pytest.approx(POISSON[0][1] / 2, rel=1e-4)


def test_numbers_keep_four_significant_digits() -> None:
    assert significant(2.0) == "2.000"
    assert significant(0.0123456) == "0.01235"
    assert significant(2.739375) == "2.739"
    assert significant(1234.56) == "1235"
    assert significant(0) == "0"


def test_csv_and_json_hold_the_same_table() -> None:
    rows_ = table(compute(load_series(DATA / "il6.series.yaml")))
    lines = to_csv(rows_).splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1].startswith("alpha,400,1.095,3,2.739,,,1.643,2,1.218,")
    assert lines[3] == "gamma,no anchor" + "," * (len(COLUMNS) - 2)
    assert json.loads(to_json(rows_))[0]["arr_before"] == 2.739


def test_summary_for_the_caption() -> None:
    loaded = load_series(DATA / "il6.series.yaml")
    assert summary(loaded.series, compute(loaded)) == (
        "ARR 2.7 before vs 0.9 on treatment; 3 patients, 1.8 and 3.3 patient-years"
    )


def test_csv_keeps_text_a_spreadsheet_would_run_as_text_and_numbers_as_numbers() -> None:
    """A case id such as '-2+3' or '@SUM(A1)' is a formula to a spreadsheet ('-' was let
    through): it is written after an apostrophe; a negative number stays a number."""
    rows_ = table(compute(load_series(DATA / "il6.series.yaml")))
    rows_[0] = rows_[0] | {"case": "-2+3", "anchor_day": -30}
    rows_[1] = rows_[1] | {"case": "@SUM(A1)"}
    lines = to_csv(rows_).splitlines()
    assert lines[1].startswith("'-2+3,-30,") and lines[2].startswith("'@SUM(A1),")
