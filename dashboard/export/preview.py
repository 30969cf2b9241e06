"""A thumbnail of a case's course as a small inline SVG: bars for treatments, ▼ for relapses.

Drawn in Python from the model, so an index of a thousand cases needs no JavaScript and no
figure; the full chart is one click away on the case's page.
"""

from __future__ import annotations

from html import escape

from dashboard.figure.themes import BLACK, GREY, family_colours, is_hex
from dashboard.model import Case, Treatment

WIDTH = 280
ROW = 7
ROW_GAP = 3
EVENT_ROW = 12
MAX_ROWS = 8
ONGOING_RUN = 0.06  # an ongoing treatment runs this fraction of the span past the last time


def _span(case: Case) -> tuple[float, float]:
    first, last = case.span
    if any(treatment.ongoing for treatment in case.treatments):
        last += (last - first or 1) * ONGOING_RUN
    return first, last if last > first else first + 1


def _pieces(treatment: Treatment, last: float) -> list[tuple[float, float]]:
    """The treatment's spans in days; a single administration gets a one-day span."""
    if treatment.given is not None:
        return [(time.day, time.day) for time in treatment.given]
    end = last if treatment.ongoing else treatment.last.day
    return [(treatment.first.day, end)]


def preview_svg(case: Case) -> str:
    """The case's course as an inline SVG thumbnail, with a text alternative."""
    first, last = _span(case)
    scale = (WIDTH - 8) / (last - first)

    def x(day: float) -> float:
        return round(4 + (day - first) * scale, 1)

    rows: dict[str, list[Treatment]] = {}
    for treatment in case.treatments:
        rows.setdefault(treatment.row, []).append(treatment)
    shown = list(rows.items())[:MAX_ROWS]
    keys = [items[0].class_ or name for name, items in shown]
    overrides = [
        items[0].color if items[0].color and is_hex(items[0].color) else None for _, items in shown
    ]
    colours = family_colours(keys, overrides)
    height = EVENT_ROW + len(shown) * (ROW + ROW_GAP) + 2
    # Shapes of one kind share their attributes in a group: a thousand previews add up.
    periods = "".join(
        f'<rect x="{x(p.from_.day)}" y="0" width="{max(x(p.to.day) - x(p.from_.day), 1):.1f}" '
        f'height="{height}"/>'
        for p in case.periods
    )
    parts = [
        f'<g fill="#000" fill-opacity="0.07">{periods}</g>' if periods else "",
        f'<line x1="{x(0)}" x2="{x(0)}" y1="0" y2="{height}" stroke="{GREY}" '
        'stroke-dasharray="2 2"/>',
    ]
    relapses = [event for event in case.events if event.kind == "relapse"]
    arrowheads = "".join(
        f'<path d="M{x(event.at.day) - 4:.1f} 2h8l-4 7z"'
        + (' fill="none"' if event.at.approx else "")
        + "/>"
        for event in relapses
    )
    parts.append(f'<g fill="{BLACK}" stroke="{BLACK}">{arrowheads}</g>')
    for index, ((_, items), colour) in enumerate(zip(shown, colours, strict=True)):
        top = EVENT_ROW + index * (ROW + ROW_GAP)
        bars = "".join(
            f'<rect x="{x(start)}" y="{top}" width="{max(x(end) - x(start), 2):.1f}" '
            f'height="{ROW}"/>'
            for treatment in items
            for start, end in _pieces(treatment, last)
        )
        parts.append(f'<g fill="{escape(colour, quote=True)}">{bars}</g>')
    label = (
        f"Course preview: {_count(len(case.treatments), 'treatment')} in "
        f"{_count(len(rows), 'row')}, {_count(len(relapses), 'relapse')}, "
        f"from day {first:.0f} to day {last:.0f}"
    )
    return (
        f'<svg class="preview" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-label="{escape(label, quote=True)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def _count(number: int, word: str) -> str:
    """'1 relapse', '3 relapses'."""
    return f"{number} {word}{'s' * (number != 1)}"
