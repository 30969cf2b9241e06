"""`build_figure`: a `Case` and view options in, one Plotly figure of stacked panels out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go

from dashboard.figure.events import event_panel, period_strip
from dashboard.figure.lanes import treatment_panel
from dashboard.figure.panels import measurement_panels
from dashboard.figure.parts import OVERLAY, SELF, Panel, Shape, esc
from dashboard.figure.themes import GREY, Theme, get_theme
from dashboard.figure.timeaxis import TimeAxis
from dashboard.model import Case

MARGIN = {"screen": (64, 64), "print": (48, 56), "slides": (110, 90)}  # top, bottom
NARROW = 720  # px: narrower figures (a journal column) get their legend below the plot
NARROW_TOP = 24
LEGEND_LINE = 1.9  # height of a legend entry, in body font sizes


def build_figure(
    case: Case,
    *,
    axis: str | None = None,
    theme: str = "screen",
    hide: Iterable[str] = (),
    reveal: float | None = None,
    window: tuple[float, float] | None = None,
    width: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """The clinical-course figure of `case`: treatments, events and measurements on one axis."""
    spec = figure_spec(
        case,
        axis=axis,
        theme=theme,
        hide=hide,
        reveal=reveal,
        window=window,
        width=width,
        height=height,
    )
    # The traces and layout are built from the model and checked by the tests with plotly's
    # validators (tests/test_figure.py); skipping them here makes a build ten times faster.
    return go.Figure(spec, _validate=False)


def figure_spec(
    case: Case,
    *,
    axis: str | None = None,
    theme: str = "screen",
    hide: Iterable[str] = (),
    reveal: float | None = None,
    window: tuple[float, float] | None = None,
    width: int | None = None,
    height: int | None = None,
) -> dict[str, Any]:
    """The same figure as a plain, JSON-ready dict: what a browser needs, built fastest."""
    look = get_theme(theme)
    width = width or look.width
    height = height or look.height
    t = TimeAxis.build(case, axis, reveal, window, plot_px=(width or 1200) * 0.7)
    hidden = set(hide)
    kept = None
    if reveal is not None:
        case, kept = _as_known_on(case, reveal)
    candidates = [
        period_strip(case, t, look) if "periods" not in hidden else None,
        event_panel(case, t, look),
        treatment_panel(case, t, look),
        *measurement_panels(case, t, look),
    ]
    panels = [p for p in candidates if p is not None and p.name not in hidden]
    top, bottom = MARGIN[look.name]
    narrow = width is not None and width < NARROW
    if narrow:
        top = NARROW_TOP  # no title in a column figure: the caption beneath it carries it
        # Room for the legend below the plot, one entry a line, reserved here: were plotly
        # to push the margin itself while drawing, the bars' row colours would slip a row.
        entries = sum(trace.get("showlegend", True) for p in panels for trace in p.traces)
        bottom += round(entries * look.size * LEGEND_LINE) + 8
    layout = _layout(case, t, look, top, bottom, narrow=narrow)
    data: list[dict[str, Any]] = []
    shapes: list[Shape] = []
    if panels:
        natural = sum(p.px for p in panels) + look.gap_px * (len(panels) - 1)
        plot_height = height - top - bottom if height else natural
        heights = _fit(
            [p.px for p in panels],
            [p.grow for p in panels],
            plot_height - look.gap_px * (len(panels) - 1),
        )
        height = height or round(natural + top + bottom)
        ids, overlays = _place(panels, heights, look.gap_px, plot_height, layout)
        layout["xaxis"]["anchor"] = ids[-1]
        for panel, axis_id in zip(panels, ids, strict=True):
            overlay_id = overlays.get(panel.name, axis_id)
            for trace in panel.traces:
                # Every trace is on plotly's default x axis, shared by all panels (so the spike
                # line crosses them all), and scatter is its default type: saying either on
                # every trace would only make the page larger.
                if trace.get("type") == "scatter":
                    del trace["type"]
                trace["yaxis"] = overlay_id if trace.get("yaxis") == OVERLAY else axis_id
                data.append(trace)
            for shape in panel.shapes:
                ref = shape["yref"]
                if ref in (SELF, OVERLAY):
                    shape["yref"] = overlay_id if ref == OVERLAY else axis_id
                shapes.append(shape)
    else:
        height = height or top + bottom + 200
    shapes += _day0(case, t, look, layout)
    if reveal is not None and t.start < reveal < t.end:
        shapes.append(_vline(t.x(reveal), GREY, "dash", 1))
    layout["shapes"] = shapes
    layout["height"] = height
    if width:
        layout["width"] = width
    layout["autosize"] = width is None
    layout["meta"] = {
        "case_title": case.title,
        "axis": t.axis,
        "unit_days": t.unit_days,
        "reveal": reveal,
        "panels": [p.name for p in panels],
    }
    if kept is not None:
        _restore_refs(data, kept)
    return {"data": data, "layout": layout}


_REF = re.compile(r"(treatments|events|measurements|periods)\[(\d+)\]")


def _as_known_on(case: Case, day: float) -> tuple[Case, dict[str, list[int]]]:
    """The case as it stood on `day`: what begins later is left out, so that no row, legend
    entry or label gives away what comes next; with the index each kept item had."""
    kept = {
        "treatments": [i for i, item in enumerate(case.treatments) if item.first.day <= day],
        "events": [i for i, event in enumerate(case.events) if event.at.day <= day],
        "measurements": [
            i
            for i, measurement in enumerate(case.measurements)
            if min(time.day for time, _ in measurement.values) <= day
        ],
        "periods": [i for i, period in enumerate(case.periods) if period.from_.day <= day],
    }
    items = {name: tuple(getattr(case, name)[i] for i in indices) for name, indices in kept.items()}
    return case.model_copy(update=items), kept


def _restore_refs(data: list[dict[str, Any]], kept: dict[str, list[int]]) -> None:
    """Point the refs of a revealed figure back at the items of the whole case."""

    def original(match: re.Match[str]) -> str:
        return f"{match[1]}[{kept[match[1]][int(match[2])]}]"

    for trace in data:
        rows = trace.get("customdata") or []
        for number, row in enumerate(rows):
            if row and isinstance(row[0], str):
                # a new row: segments share one row list between their points
                rows[number] = [_REF.sub(original, row[0], count=1), *row[1:]]


def _fit(natural: list[float], grow: list[float], room: float) -> list[float]:
    """Panel heights for `room` pixels: growing panels take the extra room and give up the most."""
    weights = [px * g for px, g in zip(natural, grow, strict=True)]
    extra, weight = room - sum(natural), sum(weights)
    if weight == 0:
        return [px * room / sum(natural) for px in natural]
    # Labels and bars in the rows keep their size; line panels stretch and shrink first.
    heights = [
        max(px + extra * w / weight, px * 0.65) for px, w in zip(natural, weights, strict=True)
    ]
    total = sum(heights)
    return heights if total <= room else [px * room / total for px in heights]


def _place(
    panels: list[Panel],
    heights: list[float],
    gap: float,
    plot_height: float,
    layout: dict[str, Any],
) -> tuple[list[str], dict[str, str]]:
    """Stack the panels top to bottom as y axis domains: each panel's axis id, and overlays."""
    ids: list[str] = []
    overlays: dict[str, str] = {}
    cursor = plot_height
    for number, (panel, px) in enumerate(zip(panels, heights, strict=True), start=1):
        axis_id = "y" if number == 1 else f"y{number}"
        low, high = max(cursor - px, 0.0) / plot_height, cursor / plot_height
        cursor -= px + gap
        domain = [round(max(low, 0.0), 4), round(min(high, 1.0), 4)]
        layout["yaxis" if number == 1 else f"yaxis{number}"] = panel.axis | {
            "domain": domain,
            "anchor": "x",
        }
        ids.append(axis_id)
    for panel, axis_id in zip(panels, ids, strict=True):
        if panel.overlay is not None:
            number = len(ids) + len(overlays) + 1
            overlays[panel.name] = f"y{number}"
            layout[f"yaxis{number}"] = panel.overlay | {"overlaying": axis_id, "anchor": "x"}
    return ids, overlays


def _vline(x: Any, colour: str, dash: str, width: float) -> Shape:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "dash": dash, "width": width},
        "layer": "above",
    }


def _day0(case: Case, t: TimeAxis, look: Theme, layout: dict[str, Any]) -> list[Shape]:
    """A labelled line at day 0 across every panel, when day 0 is in view and revealed."""
    if not (t.start <= 0 <= t.end and t.shown(0)):
        return []
    layout["annotations"] = [
        {
            "x": t.x(0),
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "text": "day 0" if case.day0.label == "Day 0" else f"day 0: {esc(case.day0.label)}",
            "showarrow": False,
            "font": look.font_dict(0.85),
        }
    ]
    return [_vline(t.x(0), look.ink, "dot", look.axis_width)]


def _layout(
    case: Case, t: TimeAxis, look: Theme, top: float, bottom: float, *, narrow: bool
) -> dict[str, Any]:
    grid = look.name != "print"
    legend = {
        "x": 1.01,
        "y": 1,
        "xanchor": "left",
        "yanchor": "top",
        "font": look.font_dict(0.85),
        "itemsizing": "constant",
        "tracegroupgap": 4,
    }
    if narrow:
        # Beside the plot the legend would take most of a column's width: put it below.
        legend |= {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"}
    return {
        "template": {},
        "title": {
            "text": "" if narrow else f"<b>{esc(case.title)}</b>",
            "x": 0.012,
            "xref": "container",
            "xanchor": "left",
            "font": look.font_dict(look.title_size / look.size),
        },
        "font": look.base_font,
        "paper_bgcolor": look.paper,
        "plot_bgcolor": look.paper,
        "margin": {"t": top, "b": bottom, "l": 10, "r": 10},
        "showlegend": True,
        "legend": legend,
        "hovermode": "closest",
        "spikedistance": -1,
        "hoverdistance": 45,
        "hoverlabel": {"font": look.font_dict(0.9), "align": "left"},
        "xaxis": t.axis_layout()
        | {
            "domain": [0, 1],
            "range": t.range,
            "title": {"text": esc(t.title), "font": look.font_dict(), "standoff": 8},
            "showline": True,
            "linecolor": look.axis_line,
            "linewidth": look.axis_width,
            "ticks": "outside",
            "ticklen": 5,
            "tickcolor": look.axis_line,
            "showgrid": grid,
            "gridcolor": look.grid,
            "zeroline": False,
            "automargin": True,
            "showspikes": True,
            "spikemode": "across",
            "spikesnap": "cursor",
            "spikedash": "dot",
            "spikethickness": 1,
            "spikecolor": GREY,
        },
    }
