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
from dashboard.figure.themes import Theme, get_theme, is_narrow
from dashboard.fonts import LINE_SPACING, text_width, wrap
from dashboard.i18n import Words, words
from dashboard.model import UNIT_DAYS
from dashboard.model.times import auto_unit
from dashboard.problems import ViewError
from dashboard.series.load import SeriesFile
from dashboard.series.marks import Marks, lower_first
from dashboard.series.room import (
    LEGEND_SCALE,
    LEGEND_SHARE,
    PLOT_SHARE,
    Legend,
    axis_px,
    fitted,
    legend_below,
    legend_beside,
    legend_names,
    lines_px,
    renamed,
    standoff,
    title_pad,
)
from dashboard.series.rows import SeriesRow, series_classes, series_rows

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


def _labels(rows: list[SeriesRow], marks: Marks, link: Link | None) -> tuple[list[_Name], float]:
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
    return markup, title_pad(len(lines), size, TITLE_PAD) + lines_px(len(lines), size)


@dataclass(frozen=True, slots=True)
class SeriesOptions:
    """Every option that changes the series view: how its rows are ordered and grouped, its
    time window and unit, its look and size, and where a row's name links to."""

    sort: str | None = None
    group: str | None = None
    window: tuple[float, float] | None = None  # days from the anchor
    axis: str | None = None  # day, week, month or year; else one that suits the span
    theme: str = "screen"
    width: int | None = None
    height: int | None = None  # fixes the figure's height
    max_height: float | None = None  # bounds it as `fit_rows` says, up to `ceiling`
    ceiling: float | None = None
    link: Link | None = None


def series_spec(
    series_file: SeriesFile, options: SeriesOptions | None = None, **view: Any
) -> dict[str, Any]:
    """The case-series view as a plain, JSON-ready figure dict.

    Every text around the plot is measured and its room reserved: the row names left of
    the plot (wrapped, or shortened with the full name in the hover, never wider than
    leaves the plot half the width), the legend beside the plot or, in a narrow figure or
    when beside it would squeeze the plot, in columns below it; the title, the time axis'
    title and the notes, wrapped to the width. Four stages, as the case figure's: the
    options resolved against the series, the room on either side of the plot, the heights
    and the rows' fit, and the layout finished around them.
    """
    setting = _resolve(series_file, options or SeriesOptions(**view))
    sides = _sides(setting)
    frame = _frame(setting, sides)
    return _finish(setting, sides, frame)


@dataclass(frozen=True, slots=True)
class _Setting:
    """Stage 1, the options resolved against the series: rows, their names, time and look."""

    series_file: SeriesFile
    options: SeriesOptions
    look: Theme
    say: Words
    rows: list[SeriesRow]
    missing: list[str]  # cases without the anchor, not drawn
    low: float  # the time range shown, days from the anchor
    high: float
    unit_name: str
    anchor: str
    marks: Marks
    labels: list[_Name]
    slots: float  # rows and group headings, top to bottom

    @property
    def narrow(self) -> bool:
        return is_narrow(self.options.width)

    @property
    def figure_px(self) -> float:
        return float(self.options.width or WIDE)

    @property
    def many(self) -> bool:
        return len(self.rows) > MANY


def _resolve(series_file: SeriesFile, options: SeriesOptions) -> _Setting:
    """Stage 1: the rows in order, the time range and unit, the marks and the row names."""
    look = get_theme(options.theme)
    series = series_file.series
    rows, missing = series_rows(series_file, sort=options.sort, group=options.group)
    window = options.window
    if window is None and series.window is not None:
        window = (series.window[0].day, series.window[1].day)
    spans = [row.span for row in rows]
    low = min((s - row.anchor for (s, _), row in zip(spans, rows, strict=True)), default=-1.0)
    high = max((e - row.anchor for (_, e), row in zip(spans, rows, strict=True)), default=1.0)
    if window is not None:
        low, high = window
        if not high > low:
            raise ViewError(f"the window ends at day {high:g}, before it starts at {low:g}")
    unit_name = options.axis or auto_unit(high - low)
    if unit_name not in UNIT_DAYS:
        raise ViewError(f"unknown axis {unit_name!r}; expected day, week, month or year")
    say = words(series_file.language)
    anchor = series.align.label(say)
    unit = UNIT_DAYS[unit_name]
    marks = Marks(unit, look, rows, anchor, series, series_classes(series_file), say)
    labels, slots = _labels(rows, marks, options.link)
    return _Setting(
        series_file=series_file,
        options=options,
        look=look,
        say=say,
        rows=rows,
        missing=missing,
        low=low,
        high=high,
        unit_name=unit_name,
        anchor=anchor,
        marks=marks,
        labels=labels,
        slots=slots,
    )


@dataclass(frozen=True, slots=True)
class _Sides:
    """Stage 2, the room on either side of the plot: the row names left, the legend right
    (or below), and the lines a row name may take."""

    legend: Legend
    label_size: float  # px
    room: float  # the widest a row name may be, px
    wanted: int  # lines the longest row name needs, at most 3
    left: float  # px, from the names as measured before they are fitted to their rows
    right: float  # px


def _sides(setting: _Setting) -> _Sides:
    """Stage 2: the legend beside the plot or below it, and the row names' room."""
    look, width, figure_px = setting.look, setting.options.width, setting.figure_px
    names = legend_names(setting.marks.traces(look.marker))
    legend = legend_beside(names, look, figure_px * LEGEND_SHARE)
    label_size = look.text_px(0.6 if setting.many else look.row_label)
    labels = setting.labels
    longest = max((text_width(n.text, label_size, bold=n.heading) for n in labels), default=0.0)
    gap = text_width(GAP, label_size) + 6
    # The row names take what they need, but leave the plot at least half the width.
    # (in a page of unknown width the legend stays beside: below, plotly would lay its
    # columns out over a width the layout cannot know)
    crowded = legend.width + min(longest, figure_px * 0.25) + gap > figure_px * PLOT_SHARE
    if setting.narrow or (crowded and width is not None):
        legend = legend_below(names, look, figure_px)
    right = legend.width + 10
    room = max(min(longest, figure_px * PLOT_SHARE - right - gap), label_size * 4)
    wanted = 1  # many rows: one line each, and no need to wrap a thousand names to know it
    if not setting.many:
        wanted = max(
            (len(wrap(n.text, room, label_size, bold=n.heading)) for n in labels), default=1
        )
        wanted = min(wanted, 3)
    left = min(longest, room) + gap
    return _Sides(legend, label_size, room, wanted, left, right)


@dataclass(frozen=True, slots=True)
class _Frame:
    """Stage 3, the heights: title and anchor note on top; the time axis' title, the notes
    and a legend below; the rows' fit in between, and the names trace fitted to it."""

    title: str  # markup
    top: float  # px
    bottom: float  # px
    under: float  # the time axis with its title, px
    x_title: list[str]  # lines
    anchor_lines: list[str]
    note_lines: list[list[str]]
    note_px: list[float]
    fit: Fit
    lines: int  # lines of a row name
    names_trace: dict[str, Any]
    left: float  # px, the row names as fitted
    plot_px: float


def _frame(setting: _Setting, sides: _Sides) -> _Frame:
    """Stage 3: what goes above and below the plot, measured, and the rows fitted between."""
    look, say, options = setting.look, setting.say, setting.options
    figure_px = setting.figure_px
    plot_px = figure_px - sides.left - sides.right
    x_size = look.text_px(look.x_title)
    x_lines = wrap(_x_title(setting), plot_px, x_size)
    notes = _notes(setting.missing, setting.series_file.invalid, say)
    note_size = look.text_px(LEGEND_SCALE)
    note_lines = [wrap(note, figure_px - 20, note_size) for note in notes]
    note_px = [lines_px(len(lines), note_size) for lines in note_lines]
    heading = setting.series_file.series.title
    title, top = ("", 0.0) if setting.narrow else _title(heading, look, options.width)
    anchor_lines = wrap(f"0: {setting.anchor}", figure_px - 20, look.text_px(0.85))
    top += lines_px(len(anchor_lines), look.text_px(0.85)) + 8  # the anchor's name
    under = axis_px(look, len(x_lines))
    bottom = under + sum(note_px) + sides.legend.bottom + 8
    fit = fit_rows(
        round(setting.slots),
        look,
        fixed=top + bottom + 16,
        height=options.height,
        max_height=options.max_height,
        ceiling=options.ceiling,
        label_lines=sides.wanted,
        label_size=sides.label_size,
        # beside the plot, as tall as the legend; below it, tall enough that the legend
        # takes at most a quarter of the figure (within the size's own bounds)
        least=(
            sides.legend.bottom / BELOW_SHARE - (top + bottom + 16)
            if sides.legend.below
            else sides.legend.height
        ),
    )
    shown = _thinned(setting.labels, fit.every)
    size = sides.label_size
    lines = 1 if fit.every > 1 else min(sides.wanted, _lines_in(fit.pitch * fit.every, size))
    names_trace, left = _names_trace(shown, sides.room, size, lines, say)
    left = max(left, 8.0)
    return _Frame(
        title=title,
        top=top,
        bottom=bottom,
        under=under,
        x_title=x_lines,
        anchor_lines=anchor_lines,
        note_lines=note_lines,
        note_px=note_px,
        fit=fit,
        lines=lines,
        names_trace=names_trace,
        left=left,
        plot_px=figure_px - left - sides.right,
    )


def _x_title(setting: _Setting) -> str:
    """The time axis' title: the unit, from the anchor."""
    say = setting.say
    anchor = lower_first(setting.anchor) if say.english else setting.anchor
    return {
        "day": say.t("Days from {anchor}", anchor=anchor),
        "week": say.t("Weeks from {anchor}", anchor=anchor),
        "month": say.t("Months from {anchor}", anchor=anchor),
        "year": say.t("Years from {anchor}", anchor=anchor),
    }[setting.unit_name]


def _finish(setting: _Setting, sides: _Sides, frame: _Frame) -> dict[str, Any]:
    """Stage 4: the traces at the rows' pitch, and the layout around them."""
    look, options, fit = setting.look, setting.options, frame.fit
    width, unit = options.width, UNIT_DAYS[setting.unit_name]
    left, right, plot_px = frame.left, sides.right, frame.plot_px
    traces = setting.marks.traces(min(look.marker, max(fit.pitch * 0.9, 4.0)))
    renamed(traces, sides.legend)
    traces.append(frame.names_trace)
    low, high = setting.low, setting.high
    margin = max((high - low) * 0.02, 1.0)
    x_range = [round((low - margin) / unit, 4), round((high + margin) / unit, 4)]
    zero = -x_range[0] / (x_range[1] - x_range[0])  # where time 0 is, as a share of the width
    plot_h = max(fit.height - frame.top - frame.bottom, 1.0)
    note_size = look.text_px(LEGEND_SCALE)
    below = frame.under + sum(frame.note_px)
    layout: dict[str, Any] = {
        "template": {},
        "title": look.title(frame.title)
        | ON_TOP
        | {
            "pad": {
                "t": title_pad(
                    frame.title.count("<br>") + 1,
                    look.text_px(look.title_size / look.size),
                    TITLE_PAD,
                )
            }
        },
        "font": look.base_font,
        "paper_bgcolor": look.paper,
        "plot_bgcolor": look.paper,
        "height": round(fit.height),
        "autosize": width is None,
        # Margins set here, not by plotly's automargin: with a thousand row labels its
        # measuring and redrawing makes the chart many times slower to draw.
        "margin": {
            "t": round(frame.top),
            "b": round(frame.bottom),
            "l": round(left),
            "r": round(right),
        },
        "barmode": "overlay",
        "bargap": 0,
        "showlegend": True,
        "legend": sides.legend.layout(-(left - 6) / plot_px, -below / plot_h),
        "hovermode": "closest",
        "hoverlabel": {"font": look.font_dict(0.9), "align": "left"},
        "xaxis": {
            "type": "linear",
            "range": x_range,
            "title": {
                "text": "<br>".join(esc(line) for line in frame.x_title),
                "font": {"size": look.text_px(look.x_title)},
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
            "range": [setting.slots - 0.5, -0.7],
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
            _anchor_note(frame.anchor_lines, look, zero, (left, plot_px, right) if width else None),
            *_note_annotations(
                frame.note_lines, frame.note_px, note_size, frame.under, plot_h, left
            ),
        ],
        "meta": {
            "series_title": setting.series_file.series.title,
            "axis": setting.unit_name,
            "unit_days": unit,
            "rows": [row.id for row in setting.rows],
            "no_anchor": setting.missing,
            "row_px": round(fit.pitch, 2),
            "legible_row_px": round(fit.legible, 2),
            "labels_every": fit.every,
            "name_lines": frame.lines,
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
