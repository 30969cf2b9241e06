"""Tick values a reader can read: at least three labelled ticks at round values on every
value axis, as many as the panel's height holds apart.

A linear axis is labelled in steps of 1, 2, 2.5 or 5 times a power of ten; a log axis by
decades (every second or third decade when they are many), with 2 and 5 between them when
it spans fewer than three decades, and round values of the linear kind when it spans less
than one. Panels are given at least the height at which three labels keep apart
(`least_px`), so the labels are never fewer than three, nor drawn over each other.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

NICE = (1.0, 2.0, 2.5, 5.0)
LEAST_TICKS = 3
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Ticks:
    """Where to label an axis whose range is `low`..`high` (log10 units on a log axis)."""

    values: tuple[float, ...]  # in data units, also on a log axis
    low: float
    high: float
    log: bool

    def spacing(self, px: float) -> float:
        """The least distance in px between two neighbouring labels, on a panel `px` tall."""
        # (a value past the floats' range, 1e-330, has become 0 and is no label on a log axis)
        at = [math.log10(v) if self.log else v for v in self.values if v > 0 or not self.log]
        if len(at) < 2:
            return 0.0
        closest = min(b - a for a, b in itertools.pairwise(at))
        return closest / (self.high - self.low) * px


LEAST_TRIES = 60  # steps of 5 % up from three labels' height, for a fixed range


def _power(exponent: float) -> float:
    """10 to `exponent`, kept within what a float holds (a hostile file's 1e-330 or 1e400)."""
    return float(10.0 ** max(-323.0, min(exponent, 308.0)))


def _clean(value: float) -> float:
    """A tick value without the float noise of its arithmetic (0.30000000000000004 -> 0.3),
    at any magnitude (1e-15 stays 1e-15)."""
    return float(f"{value:.12g}")


def _steps(span: float) -> Iterator[float]:
    """Round steps from about a hundredth of `span` (more labels than any panel holds) up
    to all of it, smallest first."""
    power = math.floor(math.log10(span)) - 2
    while True:
        for nice in NICE:
            step = nice * 10.0**power
            if step > span:
                return
            yield step
        power += 1


def _multiples(low: float, high: float, step: float) -> tuple[float, ...]:
    first = math.ceil(low / step - _EPS)
    last = math.floor(high / step + _EPS)
    return tuple(_clean(k * step) for k in range(first, last + 1))


def _linear(low: float, high: float) -> Iterator[Ticks]:
    for step in _steps(high - low):
        values = _multiples(low, high, step)
        if len(values) >= LEAST_TICKS:
            yield Ticks(values, low, high, False)


def _logarithmic(low: float, high: float) -> list[Ticks]:
    """Decades when three or more lie in the range; else 1, 2 and 5 (or 1 and 3) of each;
    else, within about a decade (350 to 900), round values placed on the log scale."""
    first, last = math.ceil(low - _EPS), math.floor(high + _EPS)
    decades = [10.0**k for k in range(max(first, -307), min(last, 307) + 1)]
    if len(decades) >= LEAST_TICKS:
        return [
            Ticks(tuple(decades[::every]), low, high, True)
            for every in range(1, len(decades))
            if len(decades[::every]) >= LEAST_TICKS
        ]
    powers = range(math.floor(low) - 1, math.ceil(high) + 1)
    found = []
    for mantissas in ((1.0, 2.0, 5.0), (1.0, 3.0)):
        values = tuple(
            _clean(m * _power(k))
            for k in powers
            for m in mantissas
            if low - _EPS <= math.log10(m * _power(k) or 1e-323) <= high + _EPS
        )
        if len(values) >= LEAST_TICKS:
            found.append(Ticks(values, low, high, True))
    if found:
        return found
    return [
        Ticks(ticks.values, low, high, True)
        for ticks in _linear(_power(low), _power(high))
        if ticks.values[0] > 0
    ]


def _candidates(low: float, high: float, log: bool, inset: float = 0.0) -> list[Ticks]:
    """Every acceptable labelling, densest first, with no tick nearer an end of the range
    than `inset` (a share of the range)."""
    if high - low <= 0:
        raise ValueError(f"an axis range must grow: {low}..{high}")
    shrink = (high - low) * min(inset, 0.25)
    found = [
        Ticks(choice.values, low, high, log)
        for choice in (_logarithmic if log else _linear)(low + shrink, high - shrink)
    ]
    return sorted(found, key=lambda ticks: ticks.spacing(1.0))


def _widened(low: float, high: float, log: bool) -> Ticks:
    """Three round labels on a range widened as little as it takes, on the nearer side,
    to reach the third: the last resort of a panel too thin for labels inside its range.
    A log axis is widened by whole decades."""
    found: list[tuple[bool, Ticks]] = []
    steps = [1.0, 2.0, 3.0] if log else list(_steps((high - low) * 2))
    for step in steps:
        first = math.ceil(low / step - _EPS)
        last = math.floor(high / step + _EPS)
        inside = last - first + 1
        if inside >= LEAST_TICKS:
            continue  # labels enough inside: not a widening
        if inside == 2:
            below, above = low - (first - 1) * step, (last + 1) * step - high
            first, last = (first - 1, last) if below < above else (first, last + 1)
        else:
            first, last = first - 1, first + 1
        at = [k * step for k in range(first, last + 1)]
        values = tuple(_clean(_power(v) if log else v) for v in at)
        found.append((inside == 2, Ticks(values, min(low, at[0]), max(high, at[-1]), log)))
    if not found:  # no round value fits at all (a range at the edge of what floats hold)
        middle = (low + high) / 2
        values = tuple(_clean(_power(v) if log else v) for v in (low, middle, high))
        return Ticks(values, low, high, log)
    # one side widened rather than both; then the labels furthest apart
    return max(found, key=lambda choice: (choice[0], choice[1].spacing(1.0)))[1]


def ticks(
    low: float,
    high: float,
    px: float,
    apart: float,
    *,
    log: bool = False,
    inset: float = 0.0,
    widen: bool = True,
) -> Ticks:
    """The densest labelling whose labels stay `apart` px apart on a panel `px` tall, none
    within `inset` px of its ends (where a label would reach into the next panel); on a
    panel thinner than `least_px`, the range widened to three round values (`Ticks.low`
    and `high` then say the new range), unless `widen` is False (a range the file fixed):
    then labels may stand at its ends, else the sparsest labelling is kept."""
    choices = _candidates(low, high, log, inset / px if px > 0 else 0.0)
    for choice in choices:
        if choice.spacing(px) >= apart:
            return choice
    if not widen:
        ends = _candidates(low, high, log)
        fitting = [choice for choice in ends if choice.spacing(px) >= apart]
        if fitting:
            return fitting[0]
        if choices or ends:
            return (choices or ends)[-1]
        middle = (low + high) / 2
        return Ticks(
            tuple(_clean(_power(v) if log else v) for v in (low, middle, high)), low, high, log
        )
    widened = _widened(low, high, log)
    if choices and widened.spacing(px) <= choices[-1].spacing(px):
        return choices[-1]
    # the outer labels kept `inset` px inside the panel's ends, like any other
    share = min(inset / px, 0.25) if px > 0 else 0.0
    pad = (widened.high - widened.low) * share / (1 - 2 * share)
    return Ticks(widened.values, widened.low - pad, widened.high + pad, log)


def least_px(
    low: float,
    high: float,
    apart: float,
    *,
    log: bool = False,
    inset: float = 0.0,
    widen: bool = True,
) -> float:
    """The thinnest panel on which three or more labels keep `apart` px apart, none within
    `inset` px of its ends: inside the range as it is, or, thinner still (when `widen`), on
    a range widened to a third round value (labels at least a third of the panel apart)."""
    choices = _candidates(low, high, log)
    spacing = choices[-1].spacing(1.0) if choices else 0.0
    inside = apart / spacing + 2 * inset if spacing > 0 else math.inf
    if not widen:
        # a range the file fixed: as tall as three labels inside it need, off its ends
        px = 3 * apart + 2 * inset
        for _ in range(LEAST_TRIES):
            share = inset / px
            if any(c.spacing(px) >= apart for c in _candidates(low, high, log, share)):
                return px
            px *= 1.05
        return inside if spacing > 0 else px
    return min(inside, 3 * apart + 2 * inset)
