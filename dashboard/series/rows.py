"""The rows of the case-series view: each case aligned at its anchor, sorted and grouped, and
the treatment classes that colour its bars."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.figure.themes import PALETTE, shade
from dashboard.figure.treatments import colour_family
from dashboard.model import Case, Treatment
from dashboard.model.views import GROUPS, SORTS
from dashboard.problems import ViewError
from dashboard.series.align import follow_up
from dashboard.series.load import SeriesFile
from dashboard.series.outcomes import CaseOutcome, case_outcome

MAX_CLASSES = 12  # classes beyond the most frequent ones share one grey legend entry


@dataclass(frozen=True, slots=True)
class SeriesRow:
    """One aligned case: its id, label, case, row in the outcome table and y position."""

    id: str
    label: str
    case: Case
    outcome: CaseOutcome
    group: str
    span: tuple[float, float]  # the whole follow-up, in days since the case's day 0

    @property
    def anchor(self) -> float:
        """The anchor day (the row exists only for cases that have one)."""
        assert self.outcome.anchor is not None
        return self.outcome.anchor


def _sort_key(sort: str) -> Callable[[SeriesRow], Any]:
    def total(row: SeriesRow) -> int:
        return row.outcome.before_attacks + row.outcome.after_attacks

    def descending(value: float | None) -> float:
        return -value if value is not None else float("inf")

    keys: dict[str, Callable[[SeriesRow], Any]] = {
        "id": lambda row: row.id,
        "anchor": lambda row: (row.anchor, row.id),
        "follow-up": lambda row: (-(row.outcome.end - row.outcome.start), row.id),
        "relapses": lambda row: (-total(row), row.id),
        "arr-before": lambda row: (descending(row.outcome.arr_before), row.id),
        "arr-after": lambda row: (descending(row.outcome.arr_after), row.id),
    }
    return keys[sort]


def series_rows(
    series_file: SeriesFile, *, sort: str | None = None, group: str | None = None
) -> tuple[list[SeriesRow], list[str]]:
    """The aligned rows in view order, and the ids of cases without an anchor."""
    series = series_file.series
    sort = sort or series.sort
    group = group or series.group
    if sort not in SORTS:
        raise ViewError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    if group not in GROUPS:
        raise ViewError(f"unknown group {group!r}; expected none or diagnosis")
    rows: list[SeriesRow] = []
    missing: list[str] = []
    for item in series_file.cases:
        span = follow_up(item.case)
        outcome = case_outcome(item.id, item.case, series, span, scores=False)
        if outcome.anchor is None:
            missing.append(item.id)
            continue
        label = item.case.title if series.label == "title" else item.id
        first = item.case.diagnoses[0] if item.case.diagnoses else "no diagnosis given"
        group_name = first if group != "none" else ""
        rows.append(SeriesRow(item.id, label, item.case, outcome, group_name, span))
    rows.sort(key=_sort_key(sort))
    if group != "none":
        rows.sort(key=lambda row: row.group.casefold())  # stable: sorted within each group
    return rows, missing


def class_order(cases: Iterable[Case]) -> tuple[str, ...]:
    """The series' treatment classes in hue order: its most frequent classes, each where it
    first appears, as one case's figure orders them; the single-case figures of the series
    get this order too (`FigureOptions.families`), so a class has one colour everywhere."""
    counts: dict[str, int] = {}
    for case in cases:
        for item in case.treatments:
            key = treatment_class(item)
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts, key=lambda key: -counts[key])[:MAX_CLASSES]
    return tuple(key for key in counts if key in ranked)


def series_classes(series_file: SeriesFile) -> tuple[str, ...]:
    """`class_order` over every case of the series, its panels included."""
    items = (*series_file.cases, *series_file.panels)
    return class_order(item.case for item in items)


def class_colours(order: tuple[str, ...]) -> dict[str, str]:
    """One colour per class of `order`, as the single-case figures give the first drug of a
    class; classes left out of the order are drawn grey."""
    return {
        key: shade(PALETTE[index % len(PALETTE)], index // len(PALETTE))
        for index, key in enumerate(order)
    }


def class_names(rows: list[SeriesRow]) -> dict[str, str]:
    """Each colour key as the files first write it ('IL-6 receptor antibody')."""
    names: dict[str, str] = {}
    for row in rows:
        for item in row.case.treatments:
            names.setdefault(treatment_class(item), colour_family(item))
    return names


def treatment_class(item: Treatment) -> str:
    """The colour key as the single-case figure's: the class (any capitals), else
    'procedure' or the drug's row."""
    return colour_family(item).casefold()


def lanes(items: list[tuple[float, float]]) -> tuple[list[int], int]:
    """Greedy lanes so that overlapping bars of one row sit one above the other."""
    ends: list[float] = []
    chosen: list[int] = []
    for start, end in items:
        for lane, last in enumerate(ends):
            if start > last:
                ends[lane] = end
                chosen.append(lane)
                break
        else:
            ends.append(end)
            chosen.append(len(ends) - 1)
    return chosen, max(len(ends), 1)
