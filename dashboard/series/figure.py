"""The case-series view: one row per case, aligned at the anchor, in a handful of traces."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.figure.parts import esc, joined, lines
from dashboard.figure.themes import BLACK, GREY, PALETTE, Theme, get_theme, shade
from dashboard.figure.timeaxis import pick_unit
from dashboard.model import UNIT_DAYS, Case, Treatment, format_number
from dashboard.series.align import attack_days, follow_up
from dashboard.series.load import SeriesFile
from dashboard.series.model import SORTS, Series
from dashboard.series.outcomes import CaseOutcome, case_outcome

MAX_CLASSES = 12  # classes beyond the most frequent ones share one grey legend entry
OTHER = "#9a9a9a"
BAR = 0.62  # the height of a row's bars, in rows
NARROW = 720  # px: narrower figures (a journal column) get their legend below the plot
LEGEND_ENTRY_PX = 220  # the width of a legend entry below a narrow figure
Link = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Row:
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


def _sort_key(sort: str) -> Callable[[Row], Any]:
    def total(row: Row) -> int:
        return row.outcome.before_attacks + row.outcome.after_attacks

    def descending(value: float | None) -> float:
        return -value if value is not None else float("inf")

    keys: dict[str, Callable[[Row], Any]] = {
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
) -> tuple[list[Row], list[str]]:
    """The aligned rows in view order, and the ids of cases without an anchor."""
    series = series_file.series
    sort = sort or series.sort
    group = group or series.group
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    if group not in ("none", "diagnosis"):
        raise ValueError(f"unknown group {group!r}; expected none or diagnosis")
    rows: list[Row] = []
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
        rows.append(Row(item.id, label, item.case, outcome, group_name, span))
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
            key = _class(item)
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


def class_names(rows: list[Row]) -> dict[str, str]:
    """Each colour key as the files first write it ('IL-6 receptor antibody')."""
    names: dict[str, str] = {}
    for row in rows:
        for item in row.case.treatments:
            written = item.class_ or ("procedure" if item.kind == "procedure" else item.row)
            names.setdefault(_class(item), written)
    return names


def _class(item: Treatment) -> str:
    """The colour key as the single-case figure's: the class (any capitals), else
    'procedure' or the drug's row."""
    return (item.class_ or ("procedure" if item.kind == "procedure" else item.row)).casefold()


def _lanes(items: list[tuple[float, float]]) -> tuple[list[int], int]:
    """Greedy lanes so that overlapping bars of one row sit one above the other."""
    ends: list[float] = []
    lanes: list[int] = []
    for start, end in items:
        for lane, last in enumerate(ends):
            if start > last:
                ends[lane] = end
                lanes.append(lane)
                break
        else:
            ends.append(end)
            lanes.append(len(ends) - 1)
    return lanes, max(len(ends), 1)


class _Builder:
    """Collects every row's elements into one trace per kind of mark."""

    def __init__(
        self,
        unit: float,
        theme: Theme,
        rows: list[Row],
        anchor: str,
        series: Series,
        classes: tuple[str, ...],
    ) -> None:
        self.unit, self.theme, self.anchor_name = unit, theme, anchor
        shown = {_class(item) for row in rows for item in row.case.treatments}
        self.colours = {
            key: colour for key, colour in class_colours(classes).items() if key in shown
        }
        self.names = class_names(rows)
        self.kinds, self.merge = series.outcomes.count, series.outcomes.merge_within
        self.bars: dict[str, list[Any]] = {k: [] for k in ("x", "base", "y", "w", "c", "t")}
        self.marks: dict[str, list[Any]] = {k: [] for k in ("x", "y", "c", "s", "t")}
        self.attacks: dict[str, list[Any]] = {k: [] for k in ("x", "y", "s", "t")}
        self.ends: dict[str, list[Any]] = {k: [] for k in ("x", "y", "t")}
        self.follow: dict[str, list[Any]] = {"x": [], "y": []}

    def x(self, day: float, anchor: float) -> float:
        return round((day - anchor) / self.unit, 4)

    def when(self, row: Row, day: float) -> str:
        """'day −30 from the anchor · day 370 since onset'."""
        since = row.case.day0.label
        return (
            f"day {format_number(day - row.anchor)} from {lower_first(self.anchor_name)}"
            f" · day {format_number(day)} since {since if since != 'Day 0' else 'day 0'}"
        )

    def add_row(self, row: Row, y: float) -> None:
        start, end = row.span
        self.follow["x"] += [self.x(start, row.anchor), self.x(end, row.anchor), None]
        self.follow["y"] += [y, y, None]
        name = f"<b>{esc(row.label)}</b>"
        self.ends["x"].append(self.x(end, row.anchor))
        self.ends["y"].append(y)
        self.ends["t"].append(lines(name, "End of follow-up", self.when(row, end)))
        self._treatments(row, y, name, end)
        counted = set(attack_days(row.case, self.kinds, self.merge))
        for event in row.case.events:
            if event.kind not in self.kinds:
                continue
            day = event.at.day
            self.attacks["x"].append(self.x(day, row.anchor))
            self.attacks["y"].append(y - BAR / 2 - 0.08)
            merged = day not in counted
            self.attacks["s"].append("triangle-down-open" if merged else "triangle-down")
            note = "(within the merge interval of the attack before: not counted)"
            self.attacks["t"].append(
                lines(name, esc(event.title), self.when(row, day), note if merged else None)
            )

    def _treatments(self, row: Row, y: float, name: str, end: float) -> None:
        spans = []
        for item in row.case.treatments:
            last = end if item.ongoing else item.last.day
            spans.append((item.first.day, max(last, item.first.day)))
        lanes, count = _lanes(spans)
        height = BAR / count
        for item, (first, last), lane in zip(row.case.treatments, spans, lanes, strict=True):
            colour = self.colours.get(_class(item), OTHER)
            centre = y - BAR / 2 + height * (lane + 0.5)
            dose = joined(item.dose, item.unit) if item.dose else None
            what = joined(esc(item.drug), esc(item.class_ or ""), esc(dose or ""))
            if item.given is not None:
                for time in item.given:
                    self.marks["x"].append(self.x(time.day, row.anchor))
                    self.marks["y"].append(centre)
                    self.marks["c"].append(colour)
                    self.marks["s"].append("line-ns")
                    self.marks["t"].append(lines(name, what, self.when(row, time.day)))
                continue
            text = lines(
                name,
                what,
                "from " + self.when(row, first),
                ("to " + self.when(row, last)) + (" (ongoing)" if item.ongoing else ""),
            )
            self.bars["x"].append(round((last - first) / self.unit, 4))
            self.bars["base"].append(self.x(first, row.anchor))
            self.bars["y"].append(round(centre, 4))
            self.bars["w"].append(round(height * 0.86, 4))
            self.bars["c"].append(colour)
            self.bars["t"].append(text)
            if item.ongoing:
                self.marks["x"].append(self.x(last, row.anchor))
                self.marks["y"].append(centre)
                self.marks["c"].append(colour)
                self.marks["s"].append("triangle-right")
                self.marks["t"].append(text)

    def traces(self) -> list[dict[str, Any]]:
        look = self.theme
        hover = "%{hovertext}<extra></extra>"
        traces: list[dict[str, Any]] = [
            {
                "type": "scatter",
                "name": "Follow-up",
                "x": self.follow["x"],
                "y": self.follow["y"],
                "mode": "lines",
                "line": {"color": "#c8c8c8", "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": "Treatment",
                "x": self.bars["x"],
                "base": self.bars["base"],
                "y": self.bars["y"],
                "width": self.bars["w"],
                "marker": {"color": self.bars["c"], "line": {"width": 0}},
                "hovertext": self.bars["t"],
                "hovertemplate": hover,
                "showlegend": False,
            },
            {
                "type": "scatter",
                "name": "Given",
                "mode": "markers",
                "x": self.marks["x"],
                "y": self.marks["y"],
                "marker": {
                    "color": self.marks["c"],
                    "symbol": self.marks["s"],
                    "size": look.marker * 0.9,
                    "line": {"color": self.marks["c"], "width": 2},
                },
                "hovertext": self.marks["t"],
                "hovertemplate": hover,
                "showlegend": False,
            },
            {
                "type": "scatter",
                "name": "End of follow-up",
                "mode": "markers",
                "x": self.ends["x"],
                "y": self.ends["y"],
                "marker": {
                    "symbol": "line-ns",
                    "size": look.marker * 1.1,
                    "line": {"color": look.ink, "width": 2},
                },
                "hovertext": self.ends["t"],
                "hovertemplate": hover,
            },
            {
                "type": "scatter",
                "name": "Relapse (open: merged)",
                "mode": "markers",
                "x": self.attacks["x"],
                "y": self.attacks["y"],
                "marker": {
                    "symbol": self.attacks["s"],
                    "size": look.marker,
                    "color": BLACK,
                    "line": {"color": BLACK, "width": 1},
                },
                "hovertext": self.attacks["t"],
                "hovertemplate": hover,
            },
        ]
        if not any(symbol.endswith("-open") for symbol in self.attacks["s"]):
            traces[-1]["name"] = "Relapse"
        for key, colour in self.colours.items():
            traces.append(_legend_only(self.names[key], {"symbol": "square", "color": colour}))
        if OTHER in self.bars["c"] or OTHER in self.marks["c"]:
            traces.append(_legend_only("other treatments", {"symbol": "square", "color": OTHER}))
        if "triangle-right" in self.marks["s"]:
            traces.append(_legend_only("ongoing", {"symbol": "triangle-right", "color": GREY}))
        return traces


def _legend_only(name: str, marker: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": esc(name),
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": marker | {"size": 11},
        "hoverinfo": "skip",
    }


def series_spec(
    series_file: SeriesFile,
    *,
    sort: str | None = None,
    group: str | None = None,
    window: tuple[float, float] | None = None,
    axis: str | None = None,
    theme: str = "screen",
    width: int | None = None,
    height: int | None = None,
    link: Link | None = None,
) -> dict[str, Any]:
    """The case-series view as a plain, JSON-ready figure dict."""
    look = get_theme(theme)
    series = series_file.series
    rows, missing = series_rows(series_file, sort=sort, group=group)
    if window is None and series.window is not None:
        window = (series.window[0].day, series.window[1].day)
    spans = [row.span for row in rows]
    low = min((s - row.anchor for (s, _), row in zip(spans, rows, strict=True)), default=-1.0)
    high = max((e - row.anchor for (_, e), row in zip(spans, rows, strict=True)), default=1.0)
    if window is not None:
        low, high = window
        if not high > low:
            raise ValueError(f"the window ends at day {high:g}, before it starts at {low:g}")
    unit_name = axis or pick_unit(high - low)
    if unit_name not in UNIT_DAYS:
        raise ValueError(f"unknown axis {unit_name!r}; expected day, week, month or year")
    unit = UNIT_DAYS[unit_name]
    anchor = series.align.label()
    builder = _Builder(unit, look, rows, anchor, series, series_classes(series_file))
    positions: list[float] = []
    labels: list[str] = []
    slot = 0.0
    current: str | None = None
    for row in rows:
        if row.group and row.group != current:
            current = row.group
            positions.append(slot)
            labels.append(f"<b>{esc(row.group)}</b>")
            slot += 1
        url = link(row.id) if link is not None else None
        shown = esc(row.label)
        labels.append(f'<a href="{esc(url)}">{shown}</a>' if url else shown)
        positions.append(slot)
        builder.add_row(row, slot)
        slot += 1
    many = len(rows) > 40
    narrow = width is not None and width < NARROW
    row_px = look.row_px * (1.6 if len(rows) <= 12 else 1.0)
    if many:
        row_px = max(6.0, look.row_px * 40 / len(rows))
    traces = builder.traces()
    top, bottom = (30, 60.0) if narrow else (70, 60.0)
    if narrow:
        entries = sum(trace.get("showlegend", True) is not False for trace in traces)
        bottom += math.ceil(entries / legend_per_line(width)) * look.size * 1.9 + 8
    notes = _notes(missing, series_file.invalid)
    bottom += 18 * len(notes)
    margin = max((high - low) * 0.02, 1.0)
    x_range = [round((low - margin) / unit, 4), round((high + margin) / unit, 4)]
    plot_px = max(slot, 1) * row_px + 16
    layout: dict[str, Any] = {
        "template": {},
        "title": look.title("" if narrow else f"<b>{esc(series.title)}</b>"),
        "font": look.base_font,
        "paper_bgcolor": look.paper,
        "plot_bgcolor": look.paper,
        "height": height or round(plot_px + top + bottom),
        "autosize": width is None,
        # Margins set here, not by plotly's automargin: with a thousand row labels its
        # measuring and redrawing makes the chart many times slower to draw.
        "margin": {"t": top, "b": bottom, "l": _label_px(labels, look, many), "r": 10},
        "barmode": "overlay",
        "bargap": 0,
        "showlegend": True,
        "legend": _legend(look, width if narrow else None),
        "hovermode": "closest",
        "hoverlabel": {"font": look.font_dict(0.9), "align": "left"},
        "xaxis": {
            "type": "linear",
            "range": x_range,
            "title": {"text": f"{unit_name.capitalize()}s from {lower_first(anchor)}"},
            "showline": True,
            "linecolor": look.axis_line,
            "ticks": "outside",
            "showgrid": look.name != "print",
            "gridcolor": look.grid,
            "zeroline": False,
            "automargin": False,
            "hoverformat": ".4~f",
        },
        "yaxis": {
            "tickmode": "array",
            "tickvals": positions,
            "ticktext": labels,
            "range": [slot - 0.5, -0.7],
            "showgrid": False,
            "zeroline": False,
            "ticks": "",
            "fixedrange": True,
            "automargin": False,
            "tickfont": look.font_dict(0.9 if not many else 0.6),
        },
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": 0,
                "x1": 0,
                "y0": 0,
                "y1": 1,
                "line": {"color": look.ink, "dash": "dot", "width": look.axis_width},
                "layer": "below",
            }
        ],
        "annotations": [
            {
                "x": 0,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"0: {esc(anchor)}",
                "showarrow": False,
                "font": look.font_dict(0.85),
            },
            *(
                {
                    "x": 0,
                    "xref": "paper",
                    "y": -58 - 18 * number,
                    "yref": "paper",
                    "yshift": 0,
                    "text": esc(note),
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "top",
                    "font": look.font_dict(0.85),
                }
                for number, note in enumerate(notes)
            ),
        ],
        "meta": {
            "series_title": series.title,
            "axis": unit_name,
            "unit_days": unit,
            "rows": [row.id for row in rows],
            "no_anchor": missing,
        },
    }
    # notes sit below the axis title: place them in pixels under the plot
    plot_height = layout["height"] - top - bottom
    for note in layout["annotations"][1:]:
        note["y"] = note["y"] / plot_height
    if width:
        layout["width"] = width
    return {"data": traces, "layout": layout}


def _label_px(labels: list[str], look: Theme, many: bool) -> int:
    """Room for the longest row label left of the plot (links and bold marks not counted)."""
    longest = max((len(_TAGS.sub("", label)) for label in labels), default=4)
    scale = 0.6 if many else 0.9
    return min(round(longest * look.char_px * scale * 1.1 + 16), 360)


_TAGS = re.compile(r"<[^>]*>")


def legend_per_line(width: int | None) -> int:
    """How many legend entries share a line in a legend below a narrow figure."""
    return max(1, math.floor(((width or NARROW) - 20) / LEGEND_ENTRY_PX))


def legend_below(legend: dict[str, Any], width: int | None) -> dict[str, Any]:
    """A legend moved below the plot, in columns of equal width (journal sizes)."""
    return legend | {
        "orientation": "h",
        "x": 0,
        "y": 0,
        "yref": "container",
        "yanchor": "bottom",
        "entrywidth": 1 / legend_per_line(width),
        "entrywidthmode": "fraction",
    }


def _legend(look: Theme, width: int | None) -> dict[str, Any]:
    legend = {
        "x": 1.01,
        "y": 1,
        "xanchor": "left",
        "yanchor": "top",
        "font": look.font_dict(0.85),
        "itemsizing": "constant",
    }
    return legend if width is None else legend_below(legend, width)


def lower_first(text: str) -> str:
    """'Start of IL-6 ...' -> 'start of IL-6 ...': only an ordinary first word is lowered."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first[1:].islower() else text


def _notes(missing: list[str], invalid: tuple[str, ...]) -> list[str]:
    notes = []
    if missing:
        notes.append("No anchor, not drawn: " + ", ".join(missing))
    if invalid:
        notes.append("Left out, their files have problems: " + ", ".join(invalid))
    return notes
