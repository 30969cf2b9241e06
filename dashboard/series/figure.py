"""The case-series view: one row per case, aligned at the anchor, in a handful of traces.

The rows are named by one text trace left of the plot rather than by the y axis' tick
labels: plotly measures every tick label against the whole drawing, which for a thousand
rows takes most of a minute; a text trace of the same labels draws in a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard.figure.parts import esc
from dashboard.figure.themes import Theme, get_theme
from dashboard.figure.timeaxis import pick_unit
from dashboard.fonts import LINE_SPACING, text_width, wrap
from dashboard.i18n import Words, words
from dashboard.model import UNIT_DAYS
from dashboard.problems import ViewError
from dashboard.series.load import SeriesFile
from dashboard.series.marks import Marks, lower_first
from dashboard.series.room import (
    LEGEND_SCALE,
    LEGEND_SHARE,
    NARROW,
    PLOT_SHARE,
    axis_px,
    fitted,
    legend_below,
    legend_beside,
    legend_names,
    lines_px,
    renamed,
    standoff,
)
from dashboard.series.rows import Row, series_classes, series_rows

MANY = 40  # more rows than this get smaller labels and thinner rows on screen
LABEL_GAP = 1.22  # a row label's line, as a share of its type size
GAP = "\u00a0\u00a0"  # between a row label and the plot (a plain space would be dropped)
WIDE = 900  # px: a page of unknown width (the dashboard) is laid out for at least this
TITLE_PAD = 8  # px above the title
ON_TOP = {"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": TITLE_PAD}}
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


BELOW_SHARE = 0.25  # the most of the figure's height a legend below the plot takes


def fit_rows(
    slots: int,
    look: Theme,
    *,
    fixed: float,
    height: float | None,
    max_height: float | None,
    ceiling: float | None,
    label_lines: int = 1,
    label_size: float | None = None,
    least: float = 0.0,
) -> Fit:
    """The figure's height and its rows' pitch for `slots` rows and `fixed` px around them.

    On screen the figure is as tall as its rows (and at least `least` px of plot, the
    legend beside it); rows thinner than a line of their names (a thousand of them) are
    named every n-th. At journal sizes (`max_height`) it is no taller than the size allows
    unless its rows would then be thinner than their labels (`label_lines` lines of
    `label_size` px), in which case it grows up to `ceiling`; beyond that, and at a given
    `height`, the rows get thinner and only every n-th is labelled, at the same legible type.
    """
    many = slots > MANY
    size = label_size or look.text_px(0.6 if many else look.row_label)
    legible = name_px(label_lines, size)
    one_line = name_px(1, size)
    natural = max(look.row_px * (1.6 if slots <= 12 else 1.0), legible)
    if many:
        natural = max(6.0, look.row_px * MANY / slots)
    rows = max(slots, 1)
    if height is None:
        height = max(rows * natural, least) + fixed
        if max_height is not None:
            height = min(height, max(max_height, rows * one_line + fixed))
        if max_height is not None and ceiling is not None:
            height = min(height, ceiling)
    pitch = max(height - fixed, 1.0) / rows
    every = 1 if pitch >= one_line * 0.999 else math.ceil(one_line / pitch)
    return Fit(height, pitch, one_line, every)


@dataclass(frozen=True, slots=True)
class _Name:
    """A row's name (or a group's heading) at its slot, plain text, and its link."""

    y: float
    text: str
    url: str | None
    heading: bool


def _labels(rows: list[Row], marks: Marks, link: Link | None) -> tuple[list[_Name], float]:
    """Every row's name (and each group's heading) at its y position, adding the rows'
    marks on the way; and the number of slots taken."""
    labels: list[_Name] = []
    slot = 0.0
    current: str | None = None
    for row in rows:
        if row.group and row.group != current:
            current = row.group
            labels.append(_Name(slot, row.group, None, True))
            slot += 1
        url = link(row.id) if link is not None else None
        labels.append(_Name(slot, row.label, url, False))
        marks.add_row(row, slot)
        slot += 1
    return labels, slot


def _thinned(labels: list[_Name], every: int) -> list[_Name]:
    """Every `every`-th row name, so that none overlaps another; group headings are kept,
    and a row name too close above a heading gives way to it."""
    kept: list[_Name] = []
    for label in labels:
        if label.heading:
            if kept and not kept[-1].heading and label.y - kept[-1].y < every:
                kept.pop()
            kept.append(label)
        elif not kept or label.y - kept[-1].y >= every:
            kept.append(label)
    return kept


def _markup(name: _Name, lines: list[str]) -> str:
    """A row name's lines as plotly markup: bold for a heading, each line a link if any."""
    escaped = [esc(line) for line in lines]
    if name.heading:
        escaped = [f"<b>{line}</b>" for line in escaped]
    elif name.url:
        escaped = [f'<a href="{esc(name.url)}">{line}</a>' for line in escaped]
    return "<br>".join(line + GAP for line in escaped)


def _names_trace(
    shown: list[_Name], room: float, size: float, lines: int, say: Words
) -> tuple[dict[str, Any], float]:
    """The text trace naming the rows, each name wrapped to `room` px in at most `lines`
    lines (shortened beyond, its full name in the hover); and the widest line, px."""
    texts, full, widest = [], [], 0.0
    for name in shown:
        fit = fitted(name.text, room, size, lines, bold=name.heading)
        widest = max([widest, *(text_width(line, size, bold=name.heading) for line in fit)])
        texts.append(_markup(name, fit))
        full.append(esc(name.text))
    trace = {
        "type": "scatter",
        "name": say.t("Cases"),
        "mode": "text",
        "xaxis": "x2",
        "x": [0] * len(shown),
        "y": [name.y for name in shown],
        "text": texts,
        "hovertext": full,
        "hoverinfo": "text",
        "textposition": "middle left",
        "textfont": {"size": size},
        "cliponaxis": False,
        "showlegend": False,
    }
    return trace, widest + text_width(GAP, size) + 4  # (a glyph may overhang its advance)


def name_px(lines: int, size: float) -> float:
    """The thinnest row that holds a name of `lines` lines at `size` px; names of several
    lines keep a little room between them, to be read as one name each."""
    return size * (LABEL_GAP + (LINE_SPACING * (lines - 1) + 0.3 if lines > 1 else 0.0))


def _lines_in(pitch: float, size: float) -> int:
    """How many lines of a row name a row `pitch` px tall holds."""
    lines = 1
    while lines < 3 and name_px(lines + 1, size) <= pitch + 1e-6:
        lines += 1
    return lines


def _title(series_title: str, look: Theme, width: float | None) -> tuple[str, float]:
    """The figure's title wrapped to its width, as markup, and the room it takes on top."""
    size = look.text_px(look.title_size / look.size)
    room = (width or WIDE) - 24
    lines = wrap(series_title, room, size, bold=True)
    markup = "<br>".join(f"<b>{esc(line)}</b>" for line in lines)
    return markup, TITLE_PAD + lines_px(len(lines), size)


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
    `max_height` and `ceiling` bound it as `fit_rows` says.

    Every text around the plot is measured and its room reserved: the row names left of
    the plot (wrapped, or shortened with the full name in the hover, never wider than
    leaves the plot half the width), the legend beside the plot or, in a narrow figure or
    when beside it would squeeze the plot, in columns below it; the title, the time axis'
    title and the notes, wrapped to the width.
    """
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
            raise ViewError(f"the window ends at day {high:g}, before it starts at {low:g}")
    unit_name = axis or pick_unit(high - low)
    if unit_name not in UNIT_DAYS:
        raise ViewError(f"unknown axis {unit_name!r}; expected day, week, month or year")
    unit = UNIT_DAYS[unit_name]
    say = words(series_file.language)
    anchor = series.align.label(say)
    marks = Marks(unit, look, rows, anchor, series, series_classes(series_file), say)
    labels, slot = _labels(rows, marks, link)
    many = len(rows) > MANY
    narrow = width is not None and width < NARROW
    figure_px = float(width or WIDE)
    names = legend_names(marks.traces(look.marker))
    legend = legend_beside(names, look, figure_px * LEGEND_SHARE)
    label_size = look.text_px(0.6 if many else look.row_label)
    longest = max((text_width(n.text, label_size, bold=n.heading) for n in labels), default=0.0)
    gap = text_width(GAP, label_size) + 6
    # The row names take what they need, but leave the plot at least half the width.
    # (in a page of unknown width the legend stays beside: below, plotly would lay its
    # columns out over a width the layout cannot know)
    crowded = legend.width + min(longest, figure_px * 0.25) + gap > figure_px * PLOT_SHARE
    if narrow or (crowded and width is not None):
        legend = legend_below(names, look, figure_px)
    right = legend.width + 10
    room = max(min(longest, figure_px * PLOT_SHARE - right - gap), label_size * 4)
    wanted = 1  # many rows: one line each, and no need to wrap a thousand names to know it
    if not many:
        wanted = max(
            (len(wrap(n.text, room, label_size, bold=n.heading)) for n in labels), default=1
        )
        wanted = min(wanted, 3)
    left = min(longest, room) + gap
    plot_px = figure_px - left - right
    x_size = look.text_px(look.x_title)
    shown_anchor = lower_first(anchor) if say.english else anchor
    x_title = {
        "day": say.t("Days from {anchor}", anchor=shown_anchor),
        "week": say.t("Weeks from {anchor}", anchor=shown_anchor),
        "month": say.t("Months from {anchor}", anchor=shown_anchor),
        "year": say.t("Years from {anchor}", anchor=shown_anchor),
    }[unit_name]
    x_lines = wrap(x_title, plot_px, x_size)
    notes = _notes(missing, series_file.invalid, say)
    note_size = look.text_px(LEGEND_SCALE)
    note_lines = [wrap(note, figure_px - 20, note_size) for note in notes]
    note_px = [lines_px(len(lines), note_size) for lines in note_lines]
    title, top = ("", 0.0) if narrow else _title(series.title, look, width)
    anchor_lines = wrap(f"0: {anchor}", figure_px - 20, look.text_px(0.85))
    top += lines_px(len(anchor_lines), look.text_px(0.85)) + 8  # the anchor's name
    under = axis_px(look, len(x_lines))
    bottom = under + sum(note_px) + legend.bottom + 8
    fit = fit_rows(
        round(slot),
        look,
        fixed=top + bottom + 16,
        height=height,
        max_height=max_height,
        ceiling=ceiling,
        label_lines=wanted,
        label_size=label_size,
        # beside the plot, as tall as the legend; below it, tall enough that the legend
        # takes at most a quarter of the figure (within the size's own bounds)
        least=legend.bottom / BELOW_SHARE - (top + bottom + 16) if legend.below else legend.height,
    )
    shown = _thinned(labels, fit.every)
    lines = 1 if fit.every > 1 else min(wanted, _lines_in(fit.pitch * fit.every, label_size))
    names_trace, left = _names_trace(shown, room, label_size, lines, say)
    left = max(left, 8.0)
    plot_px = figure_px - left - right
    traces = marks.traces(min(look.marker, max(fit.pitch * 0.9, 4.0)))
    renamed(traces, legend)
    traces.append(names_trace)
    margin = max((high - low) * 0.02, 1.0)
    x_range = [round((low - margin) / unit, 4), round((high + margin) / unit, 4)]
    zero = -x_range[0] / (x_range[1] - x_range[0])  # where time 0 is, as a share of the width
    plot_h = max(fit.height - top - bottom, 1.0)
    layout: dict[str, Any] = {
        "template": {},
        "title": look.title(title) | ON_TOP,
        "font": look.base_font,
        "paper_bgcolor": look.paper,
        "plot_bgcolor": look.paper,
        "height": round(fit.height),
        "autosize": width is None,
        # Margins set here, not by plotly's automargin: with a thousand row labels its
        # measuring and redrawing makes the chart many times slower to draw.
        "margin": {"t": round(top), "b": round(bottom), "l": round(left), "r": round(right)},
        "barmode": "overlay",
        "bargap": 0,
        "showlegend": True,
        "legend": legend.layout(-(left - 6) / plot_px, -(under + sum(note_px)) / plot_h),
        "hovermode": "closest",
        "hoverlabel": {"font": look.font_dict(0.9), "align": "left"},
        "xaxis": {
            "type": "linear",
            "range": x_range,
            "title": {
                "text": "<br>".join(esc(line) for line in x_lines),
                "font": {"size": x_size},
                "standoff": standoff(look),
            },
            "tickfont": {"size": look.text_px(1.0)},
            "showline": True,
            "linecolor": look.axis_line,
            "ticks": "outside",
            "ticklen": 5,
            "showgrid": look.name != "print",
            "gridcolor": look.grid,
            "zeroline": False,
            # a handful of tick labels: plotly places the title under them as drawn
            "automargin": True,
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
            _anchor_note(anchor_lines, look, zero, (left, plot_px, right) if width else None),
            *_note_annotations(note_lines, note_px, note_size, under, plot_h, left),
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
            "name_lines": lines,
        },
    }
    if width:
        layout["width"] = width
    return {"data": traces, "layout": layout}


def _anchor_note(
    lines: list[str], look: Theme, zero: float, across: tuple[float, float, float] | None
) -> dict[str, Any]:
    """The anchor's name over time 0; in a figure of known width (`across`: the left
    margin, plot and right margin, px) moved aside as far as it must to stay inside."""
    size = look.text_px(0.85)
    shift = 0.0
    if across is not None:
        left, plot, right = across
        half = max(text_width(line, size) for line in lines) / 2
        at = zero * plot
        lowest, highest = -left + 4 + half, plot + right - 4 - half
        shift = min(max(at, lowest), max(highest, lowest)) - at
    return {
        "x": 0,
        "xref": "x",
        "xshift": round(shift, 1),
        "y": 1,
        "yref": "paper",
        "yanchor": "bottom",
        "text": "<br>".join(esc(line) for line in lines),
        "showarrow": False,
        "font": {"size": size},
    }


def _note_annotations(
    lines: list[list[str]],
    heights: list[float],
    size: float,
    under: float,
    plot_h: float,
    left: float,
) -> list[dict[str, Any]]:
    """The notes under the time axis' title, from the figure's left edge, wrapped to it."""
    notes, below = [], under
    for note, px in zip(lines, heights, strict=True):
        notes.append(
            {
                "x": 0,
                "xref": "paper",
                "xshift": -(left - 6),  # from the figure's left edge, whatever its width
                "y": -below / plot_h,
                "yref": "paper",
                "text": "<br>".join(esc(line) for line in note),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "font": {"size": size},
            }
        )
        below += px
    return notes


def _notes(missing: list[str], invalid: tuple[str, ...], say: Words) -> list[str]:
    notes = []
    if missing:
        notes.append(say.t("No anchor, not drawn: {cases}", cases=say.t(", ").join(missing)))
    if invalid:
        unread = say.t(", ").join(invalid)
        notes.append(say.t("Left out, their files have problems: {cases}", cases=unread))
    return notes
