"""The case-series view: one row per case, aligned at the anchor, in a handful of traces.

The rows are named by one text trace left of the plot rather than by the y axis' tick
labels: plotly measures every tick label against the whole drawing, which for a thousand
rows takes most of a minute; a text trace of the same labels draws in a fraction of a second.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard.figure.parts import esc
from dashboard.figure.themes import Theme, get_theme
from dashboard.figure.timeaxis import pick_unit
from dashboard.i18n import Words, words
from dashboard.model import UNIT_DAYS
from dashboard.series.load import SeriesFile
from dashboard.series.marks import Marks, lower_first
from dashboard.series.rows import Row, series_classes, series_rows

NARROW = 720  # px: narrower figures (a journal column) get their legend below the plot
LEGEND_ENTRY_PX = 220  # the width of a legend entry below a narrow figure
MANY = 40  # more rows than this get smaller labels and thinner rows on screen
LABEL_GAP = 1.22  # a row label's line, as a share of its type size
GAP = "\u00a0\u00a0"  # between a row label and the plot (a plain space would be dropped)
Link = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Fit:
    """How the rows share the plot's height: each `pitch` px tall, every `every`-th labelled."""

    height: float  # the figure's height, px
    pitch: float  # one row, px
    legible: float  # the thinnest row whose label reads, px
    every: int  # 1: every row labelled; n: every n-th, so that labels never overlap

    @property
    def squeezed(self) -> bool:
        """The rows had to be drawn thinner than their labels."""
        return self.every > 1


def fit_rows(
    slots: int,
    look: Theme,
    *,
    fixed: float,
    height: float | None,
    max_height: float | None,
    ceiling: float | None,
) -> Fit:
    """The figure's height and its rows' pitch for `slots` rows and `fixed` px around them.

    On screen the figure is as tall as its rows. At journal sizes (`max_height`) it is no
    taller than the size allows unless its rows would then be thinner than their labels, in
    which case it grows up to `ceiling`; beyond that, and at a given `height`, the rows get
    thinner and only every n-th is labelled, at the same legible type.
    """
    many = slots > MANY
    legible = look.text_px(0.6 if many else 0.9) * LABEL_GAP
    natural = look.row_px * (1.6 if slots <= 12 else 1.0)
    if many:
        natural = max(6.0, look.row_px * MANY / slots)
    rows = max(slots, 1)
    if height is None:
        height = rows * natural + fixed
        if max_height is None:
            return Fit(height, natural, legible, 1)
        height = min(height, max(max_height, rows * legible + fixed))
        if ceiling is not None:
            height = min(height, ceiling)
    pitch = max(height - fixed, 1.0) / rows
    every = 1 if pitch >= legible * 0.999 else math.ceil(legible / pitch)
    return Fit(height, pitch, legible, every)


def _labels(
    rows: list[Row], marks: Marks, link: Link | None
) -> tuple[list[tuple[float, str, bool]], float]:
    """Every row's label (and each group's heading) at its y position, adding the rows'
    marks on the way; and the number of slots taken."""
    labels: list[tuple[float, str, bool]] = []
    slot = 0.0
    current: str | None = None
    for row in rows:
        if row.group and row.group != current:
            current = row.group
            labels.append((slot, f"<b>{esc(row.group)}</b>", True))
            slot += 1
        url = link(row.id) if link is not None else None
        shown = esc(row.label)
        labels.append((slot, f'<a href="{esc(url)}">{shown}</a>' if url else shown, False))
        marks.add_row(row, slot)
        slot += 1
    return labels, slot


def _thinned(labels: list[tuple[float, str, bool]], every: int) -> list[tuple[float, str]]:
    """Every `every`-th row label, so that none overlaps another; group headings are kept,
    and a row label too close above a heading gives way to it."""
    kept: list[tuple[float, str, bool]] = []
    for label in labels:
        y, _, heading = label
        if heading:
            if kept and not kept[-1][2] and y - kept[-1][0] < every:
                kept.pop()
            kept.append(label)
        elif not kept or y - kept[-1][0] >= every:
            kept.append(label)
    return [(y, text) for y, text, _ in kept]


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
    max_height: float | None = None,
    ceiling: float | None = None,
    link: Link | None = None,
) -> dict[str, Any]:
    """The case-series view as a plain, JSON-ready figure dict; `height` fixes its height,
    `max_height` and `ceiling` bound it as `fit_rows` says."""
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
    say = words(series_file.language)
    anchor = series.align.label(say)
    marks = Marks(unit, look, rows, anchor, series, series_classes(series_file), say)
    labels, slot = _labels(rows, marks, link)
    many = len(rows) > MANY
    narrow = width is not None and width < NARROW
    top, bottom = (30, 60.0) if narrow else (70, 60.0)
    if narrow:
        entries = sum(t.get("showlegend", True) is not False for t in marks.traces(look.marker))
        bottom += math.ceil(entries / legend_per_line(width)) * look.size * 1.9 + 8
    notes = _notes(missing, series_file.invalid, say)
    label_px = _label_px(labels, look, many)
    shown_anchor = lower_first(anchor) if say.english else anchor
    x_title = {
        "day": say.t("Days from {anchor}", anchor=shown_anchor),
        "week": say.t("Weeks from {anchor}", anchor=shown_anchor),
        "month": say.t("Months from {anchor}", anchor=shown_anchor),
        "year": say.t("Years from {anchor}", anchor=shown_anchor),
    }[unit_name]
    notes_at = 58.0  # px under the plot: below the axis title
    if narrow and look.measure(x_title, look.x_title) > (width or NARROW) - label_px - 10:
        x_title = _two_lines(x_title)  # a journal column: the title would run off the figure
        bottom += look.size * 1.2
        notes_at += look.size * 1.2
    bottom += 18 * len(notes)
    fit = fit_rows(
        round(slot),
        look,
        fixed=top + bottom + 16,
        height=height,
        max_height=max_height,
        ceiling=ceiling,
    )
    shown = _thinned(labels, fit.every)
    label_font = look.font_dict(0.6 if many else 0.9)
    traces = marks.traces(min(look.marker, max(fit.pitch * 0.9, 4.0)))
    traces.append(
        {
            "type": "scatter",
            "name": say.t("Cases"),
            "mode": "text",
            "xaxis": "x2",
            "x": [0] * len(shown),
            "y": [y for y, _ in shown],
            "text": [text + GAP for _, text in shown],
            "textposition": "middle left",
            "textfont": label_font,
            "cliponaxis": False,
            "hoverinfo": "skip",
            "showlegend": False,
        }
    )
    margin = max((high - low) * 0.02, 1.0)
    x_range = [round((low - margin) / unit, 4), round((high + margin) / unit, 4)]
    zero = -x_range[0] / (x_range[1] - x_range[0])  # where time 0 is, as a share of the width
    layout: dict[str, Any] = {
        "template": {},
        "title": look.title("" if narrow else f"<b>{esc(series.title)}</b>"),
        "font": look.base_font,
        "paper_bgcolor": look.paper,
        "plot_bgcolor": look.paper,
        "height": round(fit.height),
        "autosize": width is None,
        # Margins set here, not by plotly's automargin: with a thousand row labels its
        # measuring and redrawing makes the chart many times slower to draw.
        "margin": {"t": top, "b": bottom, "l": label_px, "r": 10},
        "barmode": "overlay",
        "bargap": 0,
        "showlegend": True,
        "legend": _legend(look, width if narrow else None),
        "hovermode": "closest",
        "hoverlabel": {"font": look.font_dict(0.9), "align": "left"},
        "xaxis": {
            "type": "linear",
            "range": x_range,
            "title": {"text": x_title},
            "showline": True,
            "linecolor": look.axis_line,
            "ticks": "outside",
            "showgrid": look.name != "print",
            "gridcolor": look.grid,
            "zeroline": False,
            "automargin": False,
            "hoverformat": ".4~f",
        },
        # the row labels' own axis: the plot's width from 0 to 1, whatever the time zoom
        "xaxis2": {"overlaying": "x", "range": [0, 1], "visible": False, "fixedrange": True},
        "yaxis": {
            "range": [slot - 0.5, -0.7],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
            "ticks": "",
            "fixedrange": True,
            "automargin": False,
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
                # in a narrow figure, written away from the nearer edge so as to stay inside
                "xanchor": "center" if not narrow else "right" if zero > 0.5 else "left",
                "text": f"0: {esc(anchor)}",
                "showarrow": False,
                "font": look.font_dict(0.85),
            },
            *(
                {
                    "x": 0,
                    "xref": "paper",
                    # below the axis title, in pixels under the plot
                    "y": (-notes_at - 18 * number) / (fit.height - top - bottom),
                    "yref": "paper",
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
            "row_px": round(fit.pitch, 2),
            "legible_row_px": round(fit.legible, 2),
            "labels_every": fit.every,
        },
    }
    if width:
        layout["width"] = width
    return {"data": traces, "layout": layout}


def _two_lines(text: str) -> str:
    """The text broken at the space nearest its middle."""
    spaces = [index for index, char in enumerate(text) if char == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda index: abs(index - len(text) / 2))
    return f"{text[:cut]}<br>{text[cut + 1 :]}"


def _label_px(labels: list[tuple[float, str, bool]], look: Theme, many: bool) -> int:
    """Room for the longest row label left of the plot (links and bold marks not counted)."""
    scale = 0.6 if many else 0.9
    longest = max((look.measure(_TAGS.sub("", label), scale) for _, label, _ in labels), default=0)
    return min(round(longest + 16), 360)


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


def _notes(missing: list[str], invalid: tuple[str, ...], say: Words) -> list[str]:
    notes = []
    if missing:
        notes.append(say.t("No anchor, not drawn: {cases}", cases=say.t(", ").join(missing)))
    if invalid:
        unread = say.t(", ").join(invalid)
        notes.append(say.t("Left out, their files have problems: {cases}", cases=unread))
    return notes
