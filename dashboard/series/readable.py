"""The outcome table as a clinician reads it, on the dashboard's series page and the site's.

The CSV and JSON keep the contract's column names and four significant digits; this table
says the same in words: "ARR before (95% CI)" with its limits beside the rate, rates and
years to two decimals, whole days, and scores as the files write them.
"""

from __future__ import annotations

from collections.abc import Callable

from dashboard.series.load import SeriesFile
from dashboard.series.outcomes import CaseOutcome, Outcomes, Rate, compute

Cell = dict[str, str | None]  # {"text": ..., "href": ...}
DASH = "\u2013"  # between the limits of an interval


def headings(series_file: SeriesFile) -> list[str]:
    """The table's column headings, the score's name in its own two."""
    score = series_file.series.outcomes.score
    names = [
        "Case",
        "Anchor (day)",
        "Years before",
        "Attacks before",
        "ARR before (95% CI)",
        "Years after",
        "Attacks after",
        "ARR after (95% CI)",
        "Rate ratio after/before (95% CI)",
        "Days to first attack after",
    ]
    if score:
        names += [f"{score} at anchor", f"{score} at last visit"]
    return names


def readable_rows(
    series_file: SeriesFile, link: Callable[[str], str | None] | None = None
) -> list[list[Cell]]:
    """Every case's row and the pooled row ('all') as text cells; the case cell links."""
    outcomes = compute(series_file)
    scored = bool(series_file.series.outcomes.score)
    rows = []
    for row in outcomes.rows:
        href = link(row.case) if link is not None else None
        cells = [_cell(row.case, href), *(_cell(text) for text in _case_cells(row, scored))]
        rows.append(cells)
    rows.append([_cell("all"), *(_cell(text) for text in _pooled_cells(outcomes, scored))])
    return rows


def _cell(text: str, href: str | None = None) -> Cell:
    return {"text": text, "href": href}


def _case_cells(row: CaseOutcome, scored: bool) -> list[str]:
    if row.anchor is None:
        return ["no anchor", *[""] * (10 if scored else 8)]
    first = row.days_to_first_after
    cells = [
        f"{round(row.anchor):d}",
        _two(row.before_years),
        str(row.before_attacks),
        _two(row.arr_before),
        _two(row.after_years),
        str(row.after_attacks),
        _two(row.arr_after),
        "",
        f"{round(first):d}" if first is not None else "",
    ]
    if scored:
        cells += [_as_written(row.score_at_anchor), _as_written(row.score_last)]
    return cells


def _pooled_cells(outcomes: Outcomes, scored: bool) -> list[str]:
    before, after = outcomes.before, outcomes.after
    cells = [
        "",
        _two(before.years),
        str(before.attacks),
        _with_limits(before.value, before.limits),
        _two(after.years),
        str(after.attacks),
        _with_limits(after.value, after.limits),
        _with_limits(outcomes.rate_ratio, ratio_limits(before, after)),
        "",
    ]
    return cells + (["", ""] if scored else [])


def ratio_limits(before: Rate, after: Rate) -> tuple[float | None, float | None]:
    """Exact 95% limits of the rate ratio after/before: the Clopper-Pearson limits of the
    share of attacks that fell after, given their total, turned into a ratio of rates."""
    total = before.attacks + after.attacks
    if total == 0 or before.attacks == 0 or before.years <= 0 or after.years <= 0:
        return None, None
    from scipy.stats import beta

    k = after.attacks
    low = float(beta.ppf(0.025, k, total - k + 1)) if k > 0 else 0.0
    high = float(beta.ppf(0.975, k + 1, total - k))
    scale = before.years / after.years
    return low / (1 - low) * scale, high / (1 - high) * scale


def _two(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _with_limits(value: float | None, limits: tuple[float | None, float | None]) -> str:
    """'1.43 (0.69–2.63)'; the rate alone when it has no limits."""
    if value is None:
        return ""
    low, high = limits
    if low is None or high is None:
        return _two(value)
    # word joiners: an interval breaks from its rate, never inside itself
    return f"{value:.2f} ({low:.2f}\u2060{DASH}\u2060{high:.2f})"


def _as_written(value: float | None) -> str:
    """A score as the file writes it: 4, 5.5, 3.25."""
    return "" if value is None else f"{value:g}"
