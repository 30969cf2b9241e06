"""Measurement panels: labs, vital signs and scores as lines below the treatments."""

from __future__ import annotations

import math
from typing import Any

from dashboard.figure.parts import OVERLAY, SELF, Panel, Shape, Trace, esc, template_text
from dashboard.figure.placement import tick_apart, tick_inset
from dashboard.figure.themes import PALETTE, SERIES_DASHES, SERIES_SYMBOLS, Theme
from dashboard.figure.ticks import least_px
from dashboard.figure.timeaxis import TimeAxis
from dashboard.fonts import text_width, wrap
from dashboard.model import Case, Measurement

MANY = 300  # above this many points a line is drawn without markers


def _title(name: str, unit: str | None) -> str:
    return f"{esc(name)}<br>({esc(unit)})" if unit else esc(name)


def _fitted(name: str, unit: str | None, theme: Theme) -> str:
    """The axis title, its name wrapped onto up to three lines when one line would be longer
    than the panel is tall (a rotated title would run into the next panel's title), and
    shortened with … past three lines."""
    title = _title(name, unit)
    size = theme.text_px(theme.axis_title)
    if text_width(title, size) + 8 <= theme.panel_px:
        return title
    # short enough lines for a panel squeezed to twice its thinnest, as on a crowded page;
    # a word longer than a line is hyphenated, or it alone would run into the next title
    tall = min(theme.panel_px, 2 * theme.axis_px) - 8
    lines = wrap(name, tall, size)
    if unit:
        lines += wrap(f"({unit})", tall, size)
    return "<br>".join(esc(line) for line in lines)


def _range(members: list[Measurement]) -> tuple[list[float], bool]:
    """The y range (log10 units on a log axis) for the measurements on one axis."""
    log = members[0].scale == "log"
    fixed = next((m.range for m in members if m.range is not None), None)
    if fixed is not None:
        low, high = fixed
        return ([math.log10(low), math.log10(high)] if log else [low, high]), log
    values = [value for m in members for _, (value, _) in m.values]
    for m in members:
        values += [limit for limit in m.normal or () if limit is not None]
    if log:
        values = [math.log10(value) for value in values if value > 0]
    low, high = min(values), max(values)
    pad = (high - low) * 0.08 or (0.3 if log else max(abs(high) * 0.1, 1.0))
    return [round(low - pad, 4), round(high + pad, 4)], log


def _series(
    m: Measurement, index: int, t: TimeAxis, colour: str, slot: int, theme: Theme
) -> list[Trace]:
    """A measurement as one trace, plus a dashed one for segments touching approximate points."""
    order = sorted(range(len(m.values)), key=lambda i: m.values[i][0].day)
    unit = f" {template_text(m.unit)}" if m.unit else ""
    normal = ""
    if m.normal is not None:
        low, high = m.normal
        reference = (
            f"{low:g}–{high:g}"
            if low is not None and high is not None
            else f"≥{low:g}"
            if low is not None
            else f"≤{high:g}"
        )
        normal = "<br>" + t.words.t("normal {range}", range=f"{reference}{unit}")
    template = (
        f"<b>{template_text(m.name)}</b>: %{{y:,.6~g}}{unit}<br>%{{customdata[1]}}{normal}"
        "<extra></extra>"
    )
    draw_line = m.style != "markers"
    xs: list[Any] = []
    ys: list[Any] = []
    data: list[Any] = []
    symbols: list[Any] = []
    dashed_x: list[Any] = []
    dashed_y: list[Any] = []
    symbol = SERIES_SYMBOLS[slot % len(SERIES_SYMBOLS)]
    previous: tuple[Any, float, bool] | None = None
    any_approx = False
    ref = f"measurements[{index}].values"
    for i in order:
        time, (value, value_approx) = m.values[i]
        if not t.shown(time.day):
            break
        approx = time.approx or value_approx
        any_approx = any_approx or approx
        x = t.x(time.day)
        if draw_line and previous is not None and (approx or previous[2]):
            # The segment to an approximate point is drawn dashed, in the second trace.
            dashed_x += [previous[0], x, None]
            dashed_y += [previous[1], value, None]
            xs.append(None)
            ys.append(None)
            data.append(None)
            symbols.append(symbol)
        hover = t.words.when(time) + (" " + t.words.t("(approximate)") if approx else "")
        xs.append(x)
        ys.append(value)
        data.append([f"{ref}[{i}]", hover])
        symbols.append(symbol + "-open" if approx else symbol)
        previous = (x, value, approx)
    many = len(xs) > MANY
    shape = "hv" if m.style == "step" else "linear"
    dash = SERIES_DASHES[slot % len(SERIES_DASHES)]
    mode = "markers" if not draw_line else "lines" if many else "lines+markers"
    main: Trace = {
        "type": "scatter",
        "name": esc(m.label),
        "x": xs,
        "y": ys,
        "customdata": data,
        "mode": mode,
        "hovertemplate": template,
        "legendgroup": m.panel_name,
        "line": {"color": colour, "width": theme.line, "shape": shape, "dash": dash},
        "marker": {
            "symbol": symbols if any_approx else symbol,
            "size": theme.marker * 0.62,
            "color": colour,
            "line": {"width": 1.4, "color": colour},
        },
    }
    traces = [main]
    if dashed_x:
        traces.append(
            {
                "type": "scatter",
                "name": f"{esc(m.label)} {t.words.t('(approximate)')}",
                "x": dashed_x,
                "y": dashed_y,
                "mode": "lines",
                "hoverinfo": "skip",  # never hovered or clicked: the main trace has the points
                "showlegend": False,
                "legendgroup": m.panel_name,
                "opacity": 0.75,
                "line": {"color": colour, "width": theme.line, "shape": shape, "dash": "dot"},
            }
        )
    return traces


BAND_OPACITY = 0.08


def _band(
    m: Measurement, axis_range: list[float], log: bool, colour: str, yref: str, theme: Theme
) -> list[Shape]:
    """The reference range as a pale band with dotted edges, so that in greyscale it is told
    from the plain grey of a period; an open end runs to the panel's edge, without a line."""
    assert m.normal is not None
    edge = [10**value for value in axis_range] if log else axis_range
    low = m.normal[0] if m.normal[0] is not None else edge[0]
    high = m.normal[1] if m.normal[1] is not None else edge[1]
    shapes: list[Shape] = [
        {
            "type": "rect",
            "xref": "x domain",
            "yref": yref,
            "x0": 0,
            "x1": 1,
            "y0": low,
            "y1": high,
            "fillcolor": colour,
            "opacity": BAND_OPACITY,
            "line": {"width": 0},
            "layer": "below",
        }
    ]
    for limit in m.normal:
        if limit is not None:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x domain",
                    "yref": yref,
                    "x0": 0,
                    "x1": 1,
                    "y0": limit,
                    "y1": limit,
                    "line": {"color": colour, "width": theme.axis_width, "dash": "dot"},
                    "layer": "below",
                }
            )
    return shapes


def _axis(members: list[Measurement], title: str, theme: Theme) -> tuple[dict[str, Any], bool]:
    axis_range, log = _range(members)
    fixed = any(m.range is not None for m in members)
    axis = {
        "title": {"text": title, "font": theme.font_dict(theme.axis_title), "standoff": 6},
        "type": "log" if log else "linear",
        "range": axis_range,
        "showgrid": theme.name != "print",
        "gridcolor": theme.grid,
        "zeroline": False,
        "showline": True,
        "linecolor": theme.axis_line,
        "linewidth": theme.axis_width,
        "ticks": "outside",
        "ticklen": 4,
        "tickcolor": theme.axis_line,
        "tickfont": theme.font_dict(0.85),
        "automargin": True,
        # tick values are chosen for the panel's height once it is placed (label_ticks)
        "tickformat": ",~r",
        "exponentformat": "none",
    }
    if fixed:
        axis["autorange"] = False  # the file's range: its ticks never widen it
    return axis, log


def _least(axis: dict[str, Any], theme: Theme) -> float:
    """The thinnest the panel may be: room for three tick labels apart, and its rotated
    title's longest line."""
    low, high = axis["range"]
    log = axis["type"] == "log"
    widen = axis.get("autorange") is not False
    labels = least_px(low, high, tick_apart(theme), log=log, inset=tick_inset(theme), widen=widen)
    return max(
        theme.axis_px, labels, text_width(axis["title"]["text"], axis["title"]["font"]["size"]) + 8
    )


def measurement_panels(case: Case, t: TimeAxis, theme: Theme) -> list[Panel]:
    """One panel per measurement or shared `panel`; a second unit gets a right-hand axis."""
    groups: dict[str, list[int]] = {}
    for index, m in enumerate(case.measurements):
        groups.setdefault(m.panel_name, []).append(index)
    panels = []
    for name, indices in groups.items():
        members = [case.measurements[i] for i in indices]
        units = list(dict.fromkeys(m.unit for m in members))
        left = [m for m in members if m.unit == units[0]]
        right = [m for m in members if m.unit != units[0]]
        left_title = _fitted(left[0].label if len(left) == 1 else name, units[0], theme)
        axis, _ = _axis(left, left_title, theme)
        least = _least(axis, theme)
        panel = Panel(name, max(theme.panel_px, least), axis, grow=1.0, least=least)
        if right:
            right_names = ", ".join(dict.fromkeys(m.label for m in right))
            right_unit = ", ".join(unit for unit in units[1:] if unit)
            overlay, _ = _axis(right, _fitted(right_names, right_unit or None, theme), theme)
            panel.overlay = overlay | {"side": "right", "showgrid": False}
            panel.least = max(panel.least or 0.0, _least(panel.overlay, theme))
            panel.px = max(panel.px, panel.least)
        for slot, (index, m) in enumerate(zip(indices, members, strict=True)):
            colour = m.color or PALETTE[index % len(PALETTE)]
            on_right = m in right
            yref = OVERLAY if on_right else SELF
            series = _series(m, index, t, colour, slot, theme)
            for trace in series:
                trace["yaxis"] = yref
                if trace.get("showlegend") is None:
                    trace["showlegend"] = len(members) > 1
            panel.traces += series
            if m.normal is not None:
                side = panel.overlay if on_right and panel.overlay else axis
                log = side["type"] == "log"
                panel.shapes += _band(m, side["range"], log, colour, yref, theme)
        panels.append(panel)
    return panels
