"""The outcome table of a series: attacks and annualized rates before and after the anchor."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass

from dashboard.cells import inert
from dashboard.i18n import Words, words
from dashboard.model import Case
from dashboard.series.align import anchor_day, attack_days, follow_up
from dashboard.series.load import SeriesFile
from dashboard.series.model import Series

YEAR = 365.25
COLUMNS = (
    "case",
    "anchor_day",
    "before_years",
    "before_attacks",
    "arr_before",
    "arr_before_low",
    "arr_before_high",
    "after_years",
    "after_attacks",
    "arr_after",
    "arr_after_low",
    "arr_after_high",
    "rate_ratio",
    "days_to_first_after",
    "score_at_anchor",
    "score_last",
)
NO_ANCHOR = "no anchor"
Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One case's row; `anchor` is None for a case without an anchor (the rest then unset)."""

    case: str
    anchor: float | None
    start: float = 0.0  # follow-up, clipped to the window, in days since the case's day 0
    end: float = 0.0
    before_attacks: int = 0
    after_attacks: int = 0
    days_to_first_after: float | None = None
    score_at_anchor: float | None = None
    score_last: float | None = None

    @property
    def before_years(self) -> float:
        """Years of follow-up before the anchor."""
        return 0.0 if self.anchor is None else (self.anchor - self.start) / YEAR

    @property
    def after_years(self) -> float:
        """Years of follow-up after the anchor."""
        return 0.0 if self.anchor is None else (self.end - self.anchor) / YEAR

    @property
    def arr_before(self) -> float | None:
        """Attacks a year before the anchor; None without follow-up before it."""
        years = self.before_years
        return self.before_attacks / years if years > 0 else None

    @property
    def arr_after(self) -> float | None:
        """Attacks a year after the anchor; None without follow-up after it."""
        years = self.after_years
        return self.after_attacks / years if years > 0 else None


@dataclass(frozen=True, slots=True)
class Rate:
    """Pooled attacks over pooled person-years, with exact Poisson 95% limits."""

    attacks: int
    years: float

    @property
    def value(self) -> float | None:
        """The rate, or None without any follow-up."""
        return self.attacks / self.years if self.years > 0 else None

    @property
    def limits(self) -> tuple[float | None, float | None]:
        """χ²(0.025; 2k)/2 and χ²(0.975; 2k+2)/2 over the person-years (lower is 0 for k=0)."""
        if self.years <= 0:
            return None, None
        from scipy.stats import chi2

        k = self.attacks
        low = float(chi2.ppf(0.025, 2 * k)) / 2 if k > 0 else 0.0
        high = float(chi2.ppf(0.975, 2 * k + 2)) / 2
        return low / self.years, high / self.years


@dataclass(frozen=True)
class Outcomes:
    """Every case's row and the pooled rates of those with an anchor."""

    rows: tuple[CaseOutcome, ...]
    before: Rate
    after: Rate

    @property
    def anchored(self) -> tuple[CaseOutcome, ...]:
        """The rows of the cases that have an anchor."""
        return tuple(row for row in self.rows if row.anchor is not None)

    @property
    def rate_ratio(self) -> float | None:
        """Pooled rate after over pooled rate before; None when either is missing or 0 before."""
        before, after = self.before.value, self.after.value
        return after / before if before and after is not None else None


def _score(case: Case, name: str | None, until: float) -> float | None:
    """The last value of the named measurement on or before `until` (the later one written
    when two share a day, as the figure draws them)."""
    if name is None:
        return None
    wanted = name.casefold()
    for measurement in case.measurements:
        if wanted in (measurement.name.casefold(), (measurement.abbr or "").casefold()):
            best: tuple[float, float] | None = None
            for time, (value, _) in measurement.values:
                if time.day <= until and (best is None or time.day >= best[0]):
                    best = (time.day, value)
            return best[1] if best is not None else None
    return None


def case_outcome(
    case_id: str,
    case: Case,
    series: Series,
    span: tuple[float, float] | None = None,
    *,
    scores: bool = True,
) -> CaseOutcome:
    """One case's row, as the series' alignment, window and outcome settings define it;
    `span` is the case's follow-up when the caller has it already; a figure needs no scores."""
    anchor = anchor_day(case, series.align)
    if anchor is None:
        return CaseOutcome(case_id, None)
    start, end = span or follow_up(case)
    if series.window is not None:
        start = max(start, anchor + series.window[0].day)
        end = min(end, anchor + series.window[1].day)
    start, end = min(start, anchor), max(end, anchor)
    counted = attack_days(case, series.outcomes.count, series.outcomes.merge_within)
    before = [day for day in counted if start <= day <= anchor]
    after = [day for day in counted if anchor < day <= end]
    score = series.outcomes.score if scores else None
    return CaseOutcome(
        case_id,
        anchor,
        start,
        end,
        len(before),
        len(after),
        after[0] - anchor if after else None,
        _score(case, score, anchor),
        _score(case, score, end),
    )


def compute(series_file: SeriesFile) -> Outcomes:
    """The outcome table of a series over its valid cases."""
    series = series_file.series
    rows = tuple(case_outcome(item.id, item.case, series) for item in series_file.cases)
    anchored = [row for row in rows if row.anchor is not None]
    before = Rate(sum(r.before_attacks for r in anchored), sum(r.before_years for r in anchored))
    after = Rate(sum(r.after_attacks for r in anchored), sum(r.after_years for r in anchored))
    return Outcomes(rows, before, after)


def significant(value: float) -> str:
    """A number with 4 significant digits, never in exponent form: 1.833, 0.5000, 1234."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    decimals = max(3 - math.floor(math.log10(abs(value))), 0)
    return f"{value:.{decimals}f}"


def _days(value: float | None) -> Cell:
    if value is None:
        return None
    return int(value) if value == int(value) else float(significant(value))


def _measure(value: float | None) -> Cell:
    if value is None:
        return None
    return int(value) if value == int(value) else value


def _rate(value: float | None) -> Cell:
    return None if value is None else float(significant(value))


def table(outcomes: Outcomes) -> list[dict[str, Cell]]:
    """The rows as the contract names their columns; None for an empty cell."""
    rows: list[dict[str, Cell]] = []
    for row in outcomes.rows:
        cells: dict[str, Cell] = dict.fromkeys(COLUMNS)
        cells["case"] = row.case
        if row.anchor is None:
            cells["anchor_day"] = NO_ANCHOR
            rows.append(cells)
            continue
        cells |= {
            "anchor_day": _days(row.anchor),
            "before_years": _rate(row.before_years),
            "before_attacks": row.before_attacks,
            "arr_before": _rate(row.arr_before),
            "after_years": _rate(row.after_years),
            "after_attacks": row.after_attacks,
            "arr_after": _rate(row.arr_after),
            "days_to_first_after": _days(row.days_to_first_after),
            "score_at_anchor": _measure(row.score_at_anchor),
            "score_last": _measure(row.score_last),
        }
        rows.append(cells)
    pooled: dict[str, Cell] = dict.fromkeys(COLUMNS)
    before_low, before_high = outcomes.before.limits
    after_low, after_high = outcomes.after.limits
    pooled |= {
        "case": "all",
        "before_years": _rate(outcomes.before.years),
        "before_attacks": outcomes.before.attacks,
        "arr_before": _rate(outcomes.before.value),
        "arr_before_low": _rate(before_low),
        "arr_before_high": _rate(before_high),
        "after_years": _rate(outcomes.after.years),
        "after_attacks": outcomes.after.attacks,
        "arr_after": _rate(outcomes.after.value),
        "arr_after_low": _rate(after_low),
        "arr_after_high": _rate(after_high),
        "rate_ratio": _rate(outcomes.rate_ratio),
    }
    rows.append(pooled)
    return rows


def cell_text(cell: Cell) -> str:
    """A cell as the CSV and the tables write it: 4 significant digits, empty for None."""
    return _text(cell)


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return significant(cell)
    return str(cell)


def to_csv(rows: list[dict[str, Cell]]) -> str:
    """The table as CSV, the header first."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        # (text only: a negative number is a number, not a formula)
        writer.writerow([inert(row[name]) if isinstance(row[name], str) else _text(row[name])
                         for name in COLUMNS])  # fmt: skip
    return stream.getvalue()


def to_json(rows: list[dict[str, Cell]]) -> str:
    """The table as a JSON list of row objects."""
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def to_text(rows: list[dict[str, Cell]]) -> str:
    """The table for a terminal: one line a row, columns aligned."""
    grid = [list(COLUMNS)] + [[_text(row[name]) for name in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in grid
    )


def summary(series: Series, outcomes: Outcomes, say: Words | None = None) -> str:
    """'ARR 1.8 before vs 0.0 on treatment; 4 patients, 9.1 and 6.3 patient-years'."""
    say = say or words()
    patients = len(outcomes.anchored)
    numbers = {
        "before": "–" if outcomes.before.value is None else say.fixed(outcomes.before.value),
        "after": "–" if outcomes.after.value is None else say.fixed(outcomes.after.value),
        "years_before": say.fixed(outcomes.before.years),
        "years_after": say.fixed(outcomes.after.years),
    }
    if series.align.by == "treatment":
        return say.tn(
            "ARR {before} before vs {after} on treatment; "
            "{count} patient, {years_before} and {years_after} patient-years",
            "ARR {before} before vs {after} on treatment; "
            "{count} patients, {years_before} and {years_after} patient-years",
            patients,
            **numbers,
        )
    if series.align.by == "event":
        return say.tn(
            "ARR {before} before vs {after} after; "
            "{count} patient, {years_before} and {years_after} patient-years",
            "ARR {before} before vs {after} after; "
            "{count} patients, {years_before} and {years_after} patient-years",
            patients,
            **numbers,
        )
    return say.tn(
        "ARR {before} before vs {after} after day 0; "
        "{count} patient, {years_before} and {years_after} patient-years",
        "ARR {before} before vs {after} after day 0; "
        "{count} patients, {years_before} and {years_after} patient-years",
        patients,
        **numbers,
    )
