"""Where each case of a series sits: its anchor, its follow-up and its counted attacks, in days."""

from __future__ import annotations

from dashboard.model import Case
from dashboard.series.model import Align


def _folded(words: tuple[str, ...] | None) -> frozenset[str]:
    return frozenset(word.casefold() for word in words or ())


def _matches(value: str | None, words: frozenset[str]) -> bool:
    return value is not None and value.casefold() in words


def anchor_candidates(case: Case, align: Align) -> list[float]:
    """The days of every treatment start or event the alignment matches, in time order."""
    match = align.match
    if align.by == "day0" or match is None:
        return [0.0]
    if align.by == "treatment":
        drugs, abbrs, classes = _folded(match.drug), _folded(match.abbr), _folded(match.class_)
        days = [
            item.first.day
            for item in case.treatments
            if _matches(item.drug, drugs)
            or _matches(item.abbr, abbrs)
            or _matches(item.class_, classes)
        ]
    else:
        kinds, labels = _folded(match.kind), _folded(match.label)
        days = [
            event.at.day
            for event in case.events
            if (match.kind is None or _matches(event.kind, kinds))
            and (match.label is None or _matches(event.label or event.title, labels))
        ]
    return sorted(days)


def anchor_day(case: Case, align: Align) -> float | None:
    """Time 0 of the case's row (days since its day 0), or None when nothing matches."""
    days = anchor_candidates(case, align)
    if align.occurrence == "first":
        return days[0] if days else None
    if align.occurrence == "last":
        return days[-1] if days else None
    return days[align.occurrence - 1] if len(days) >= align.occurrence else None


def follow_up(case: Case) -> tuple[float, float]:
    """First and last day of the case: every time in the file; `follow_up` sets the end."""
    days = [time.day for time in case.times]
    if not days:
        return 0.0, 0.0
    start = min(days)
    end = case.follow_up.day if case.follow_up is not None else max(days)
    return start, max(end, start)


def attack_days(case: Case, kinds: tuple[str, ...], merge_within: float) -> list[float]:
    """The days of the counted attacks: an attack starting less than `merge_within` days after
    the previous counted one is part of it and not counted again."""
    counted: list[float] = []
    for day in sorted(event.at.day for event in case.events if event.kind in kinds):
        if not counted or day - counted[-1] >= merge_within:
            counted.append(day)
    return counted
