"""Value axes a reader can read: three or more labels at round values, never closer than
their text allows, on every panel the layout draws."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.export.images import SIZES, image_figure
from dashboard.figure.ticks import least_px, ticks
from dashboard.load import load_case
from tests.conftest import CASE_FILES, ROOT

DRAWN_CASES = CASE_FILES + sorted((ROOT / "tests" / "data" / "realistic").glob("*.yaml"))

ROUND = {1.0, 2.0, 2.5, 3.0, 5.0}


def _round(value: float) -> bool:
    if value == 0:
        return True
    mantissa = abs(value) / 10 ** math.floor(math.log10(abs(value)) + 1e-12)
    return any(math.isclose(mantissa, m, rel_tol=1e-9) for m in ROUND | {10.0})


@given(
    low=st.floats(-1e5, 1e5),
    span=st.floats(1e-3, 1e6),
    px=st.floats(20, 900),
)
def test_a_linear_axis_has_three_round_labels_apart_once_tall_enough(
    low: float, span: float, px: float
) -> None:
    """Three or more labels, each a round value inside the (possibly widened) range; on a
    panel at least `least_px` tall they keep the distance asked for, inside the range as
    it was."""
    high = low + span
    chosen = ticks(low, high, px, 14.0)
    assert len(chosen.values) >= 3
    slack = 1e-6 * (chosen.high - chosen.low)
    assert chosen.low <= low + slack and chosen.high >= high - slack
    assert all(chosen.low - slack <= v <= chosen.high + slack for v in chosen.values)
    steps = {round(b - a, 9) for a, b in zip(chosen.values, chosen.values[1:], strict=False)}
    assert len(steps) == 1 and all(_round(step) for step in steps)
    if px >= least_px(low, high, 14.0):
        assert chosen.spacing(px) >= 14.0 - 1e-6
    tall = ticks(low, high, 5000, 14.0)
    assert (tall.low, tall.high) == (low, high), "a tall panel keeps its range as it is"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (1, 5, [10, 100, 1000, 10_000, 100_000]),  # five decades: decades only
        (2.54, 4.96, [500, 1000, 2000, 5000, 10_000, 20_000, 50_000]),  # ferritin 350..92 000
    ],
)
def test_a_log_axis_labels_decades_and_2_and_5_when_it_spans_few(
    low: float, high: float, expected: list[float]
) -> None:
    """A log axis over many decades is labelled by decades; over fewer than three, 2 and 5
    stand between them; on a tall panel every one of them is labelled."""
    assert list(ticks(low, high, 400, 14.0, log=True).values) == expected


def test_a_log_axis_within_one_decade_still_has_three_labels() -> None:
    """350 to 900 holds no decade: round values of the linear kind are placed on it."""
    chosen = ticks(math.log10(350), math.log10(900), 60, 14.0, log=True)
    assert len(chosen.values) >= 3 and all(350 <= v <= 900 for v in chosen.values)


# a realistic case may be denser than a column is meant to hold: that is said, not asked here
@pytest.mark.filterwarnings("ignore::dashboard.problems.FigureWarning")
@pytest.mark.parametrize("path", DRAWN_CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", ["column", "page", "slide"])
def test_every_value_axis_of_every_case_has_three_labels(path: object, size: str) -> None:
    """At every image size, each lab or score axis (left or right) lists three or more tick
    values inside its range, and its panel is tall enough to keep them apart."""
    case = load_case(path)  # type: ignore[arg-type]
    layout = image_figure(case, SIZES[size]).to_plotly_json()["layout"]
    value_axes = [
        axis
        for key, axis in layout.items()
        if key.startswith("yaxis") and axis.get("type") in ("linear", "log")
    ]
    for axis in value_axes:
        low, high = axis["range"]
        values = [math.log10(v) if axis["type"] == "log" else v for v in axis["tickvals"]]
        inside = [v for v in values if low - 1e-9 <= v <= high + 1e-9]
        assert len(inside) >= 3, axis["title"]["text"]


@pytest.mark.parametrize("log", [False, True])
def test_a_panel_too_thin_widens_its_range_to_keep_three_labels_apart(log: bool) -> None:
    """Below its least height a panel's range widens to a third round value, so three labels
    still stand at least a third of the panel apart, rather than on each other."""
    low, high = (math.log10(350), math.log10(30_000)) if log else (36.2, 40.6)
    thin = least_px(low, high, 14.0, log=log) * 0.6
    chosen = ticks(low, high, thin, 14.0, log=log)
    assert len(chosen.values) == 3
    assert chosen.low <= low and chosen.high >= high
    assert chosen.spacing(thin) >= thin / 3


def test_a_widened_range_grows_on_the_nearer_side_only() -> None:
    """CRP from 0 to 18 on a thin panel is labelled 0, 10, 20 (not -20, 0, 20); ferritin from
    350 to 92 000 gains the decade above (1000, 10 000, 100 000), not two decades more."""
    crp = ticks(-1.4, 19.6, 20, 14.0)
    assert crp.values == (0.0, 10.0, 20.0) and crp.low == -1.4
    ferritin = ticks(math.log10(350), math.log10(92_000), 20, 14.0, log=True)
    assert ferritin.values == (1000.0, 10_000.0, 100_000.0)
    assert ferritin.low == pytest.approx(math.log10(350))


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("scale", [1e-15, 1e-9, 1e12])
def test_tiny_and_huge_values_are_labelled_too(scale: float, log: bool) -> None:
    """Values of any magnitude (a concentration in mol/L, a count in billions) get three
    labels; none is rounded away to zero."""
    low, high = 1.3 * scale, 9.1 * scale
    if log:
        low, high = math.log10(low), math.log10(high) + 3
    for px in (30.0, 300.0):
        chosen = ticks(low, high, px, 14.0, log=log)
        assert len(set(chosen.values)) >= 3, "no two labels rounded onto one value"
        assert not log or all(v > 0 for v in chosen.values)
    assert least_px(low, high, 14.0, log=log) > 0


def test_a_log_axis_past_the_range_of_floats_still_gets_its_labels() -> None:
    """A hostile file's 1e-300 to 9.9e14 (with padding past what a float holds) is labelled
    by decades, with no error and no zero on the log axis."""
    chosen = ticks(-325.0, 16.0, 200, 14.0, log=True)
    assert len(chosen.values) >= 3 and all(v > 0 for v in chosen.values)
    assert least_px(-325.0, 16.0, 14.0, log=True) > 0
    assert ticks(300.0, 330.0, 50, 14.0, log=True).values
