"""The multi-panel figure: the single-case figures of a series stacked as (a), (b), ...

Each panel is the case's own figure (`figure_spec`), its axes renumbered and its plot area
placed in a band of the page, so every panel keeps its own time axis, units and rows; the
legend is shared, each entry once.
"""

from __future__ import annotations

import string
import warnings
from dataclasses import dataclass, field
from typing import Any

from dashboard.figure import FigureWarning, figure_spec
from dashboard.figure.key import key_lines, key_note, key_px
from dashboard.figure.parts import Panel
from dashboard.figure.placement import left_margin
from dashboard.figure.themes import Theme, get_theme, is_narrow
from dashboard.fonts import lines_of
from dashboard.problems import ViewError
from dashboard.series.load import SeriesFile
from dashboard.series.room import (
    Legend,
    axis_px,
    legend_below,
    legend_names,
    lines_px,
    renamed,
    title_pad,
    wrapped_markup,
)
from dashboard.series.rows import series_classes

LETTER_SCALE = 1.05  # a panel's "(a) title", as a share of the body size
MARGIN = 10  # px left and right of the panels


def letter(index: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa'."""
    letters = string.ascii_lowercase
    return letters[index] if index < 26 else letter(index // 26 - 1) + letters[index % 26]


def panel_label(series_file: SeriesFile, index: int) -> str:
    """'(a) nomura-2025-case1' or '(a) Case 1 – ...', as the series' `label` says."""
    item = series_file.panels[index]
    name = item.case.title if series_file.series.label == "title" else item.id
    return f"({letter(index)}) {name}"


def _axis_id(key: str) -> str:
    """'yaxis3' -> 'y3', 'xaxis' -> 'x'."""
    return key[0] + key[5:]


def _axis_key(axis_id: str) -> str:
    """'y3' -> 'yaxis3'."""
    return axis_id[0] + "axis" + axis_id[1:]


def _ref(ref: str, names: dict[str, str]) -> str:
    """An axis reference ('y2', 'x domain') renamed; 'paper' and the like unchanged."""
    base, _, rest = ref.partition(" ")
    return names[base] + (" " + rest if rest else "") if base in names else ref


def panels_spec(
    series_file: SeriesFile,
    *,
    theme: str = "screen",
    width: int | None = None,
    max_height: float | None = None,
) -> dict[str, Any]:
    """The series' panels as one figure dict, at most `max_height` CSS pixels tall.

    Four stages: each case's own figure, made as low as the height asks and its rows allow;
    the room around and between them measured; each panel moved into its band of the page;
    and the layout finished around them.
    """
    look = get_theme(theme)
    width = width or look.width
    if not series_file.panels:
        raise ViewError("the series has no valid case to draw as a panel")
    specs, legend = _fitted(series_file, look, width, max_height)
    frame = _frame(series_file, specs, legend, look, width, max_height)
    stack = _stack(specs, frame, look)
    return _finish(series_file, specs, frame, stack, width)


def _fitted(
    series_file: SeriesFile, look: Theme, width: int | None, max_height: float | None
) -> tuple[list[dict[str, Any]], Legend | None]:
    """Stage 1: every case's own figure, each as low as a share of `max_height` asks; and a
    narrow figure's legend of them, in columns under the panels (else each panel's own)."""
    items = series_file.panels
    theme = look.name
    families = series_classes(series_file)
    figure_px = float(width or 1200)
    # Each panel keeps its rows legible: short of room it grows rather than overlap.
    tallest = round(max_height * 3) if max_height is not None else None
    # fluid: a panel is as tall as its rows, not the theme's whole slide
    specs = [
        figure_spec(item.case, theme=theme, width=width, families=families, fluid=True)
        for item in items
    ]
    headings = [_heading(series_file, index, look, figure_px) for index in range(len(items))]
    _, top = _title(series_file.title, look, figure_px, is_narrow(width))
    legend = None
    if is_narrow(width):
        traces = [trace for spec in specs for trace in spec["data"]]
        legend = legend_below(legend_names(traces), look, figure_px - 2 * MARGIN)
    bottom = 8.0 + (legend.height if legend is not None else 0.0)
    plots = [_plot_px(spec) for spec in specs]
    fixed = top + bottom + sum(px for _, px in headings)
    fixed += sum(_axis_px(spec, look) for spec in specs)
    fixed += sum(px for _, px in _keys(specs, look))
    for _ in range(3):  # (a figure keeps its rows legible: it may come out taller than asked)
        if max_height is None or fixed + sum(plots) <= max_height:
            break
        # Shrink every panel alike: the single-case figure fits its rows to a given height.
        share = max(max_height - fixed, 60.0 * len(specs)) / sum(plots)
        with warnings.catch_warnings():
            # the panels are made as low as their rows allow; the figure says when it grows
            warnings.simplefilter("ignore", FigureWarning)
            specs = [
                figure_spec(
                    item.case,
                    theme=theme,
                    width=width,
                    max_height=round(px * share + _margins(spec)),
                    ceiling=tallest,
                    families=families,
                    fluid=True,
                )
                for item, spec, px in zip(items, specs, plots, strict=True)
            ]
        before, plots = sum(plots), [_plot_px(spec) for spec in specs]
        if sum(plots) >= before - 1:
            break  # as small as their rows allow
    return specs, legend


@dataclass(frozen=True, slots=True)
class _Frame:
    """Stage 2, the room measured: title on top, legend below, and for each panel its
    heading, plot, time axis and key, one under the other."""

    title: dict[str, Any]
    top: float  # px
    bottom: float  # px
    legend: Legend | None
    headings: list[tuple[str, float]]  # markup, px
    plots: list[float]  # px
    axes: list[float]  # px
    keys: list[tuple[list[str], float]]  # lines, px
    left: float  # px, the widest panel's room left of its plot
    height: float  # px, the whole figure
    fits: float | None  # px, the most the figure may be

    @property
    def plot_area(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def too_tall(self) -> bool:
        """Past the most a legible panel can shrink, the figure grows beyond what it may be
        rather than stack its panels over each other; the export says so."""
        return self.fits is not None and self.height > self.fits + 0.5


def _frame(
    series_file: SeriesFile,
    specs: list[dict[str, Any]],
    legend: Legend | None,
    look: Theme,
    width: int | None,
    max_height: float | None,
) -> _Frame:
    """Stage 2: the title, each panel's heading, axis and key, measured."""
    figure_px = float(width or 1200)
    headings = [_heading(series_file, index, look, figure_px) for index in range(len(specs))]
    title, top = _title(series_file.title, look, figure_px, is_narrow(width))
    bottom = 8.0 + (legend.height if legend is not None else 0.0)
    plots = [_plot_px(spec) for spec in specs]
    axes = [_axis_px(spec, look) for spec in specs]
    # each case's key (labels that could not stand beside their marks), under its panel
    keys = _keys(specs, look)
    left = max(_left_px(spec, look) for spec in specs)
    height = top + bottom + sum(h for _, h in headings) + sum(axes) + sum(plots)
    height += sum(px for _, px in keys)
    return _Frame(
        title=title,
        top=top,
        bottom=bottom,
        legend=legend,
        headings=headings,
        plots=plots,
        axes=axes,
        keys=keys,
        left=left,
        height=height,
        fits=max_height,
    )


@dataclass
class _Stack:
    """Stage 3, the panels moved into their bands: their traces, axes, shapes and notes."""

    data: list[dict[str, Any]] = field(default_factory=list)
    axes: dict[str, Any] = field(default_factory=dict)
    shapes: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)


def _stack(specs: list[dict[str, Any]], frame: _Frame, look: Theme) -> _Stack:
    """Stage 3: each panel's axes renumbered and its plot placed in its band, top down; a
    legend entry shown once."""
    stack = _Stack()
    plot_area = frame.plot_area
    shown: set[tuple[str, str]] = set()
    cursor = plot_area
    y_count = 0
    for index, (spec, px) in enumerate(zip(specs, frame.plots, strict=True)):
        heading, heading_px = frame.headings[index]
        cursor -= heading_px
        high = cursor / plot_area
        cursor -= px
        low = max(cursor, 0.0) / plot_area
        cursor -= frame.axes[index] + frame.keys[index][1]
        names_map = {"x": "x" if index == 0 else f"x{index + 1}"}
        source = spec["layout"]
        for key in sorted(k for k in source if k.startswith("yaxis")):
            y_count += 1
            names_map[_axis_id(key)] = "y" if y_count == 1 else f"y{y_count}"

        def place(value: float, low: float = low, high: float = high) -> float:
            return round(low + value * (high - low), 5)

        for key, axis in source.items():
            if not key.startswith(("xaxis", "yaxis")):
                continue
            moved = dict(axis)
            for name in ("anchor", "overlaying"):
                if name in moved:
                    moved[name] = _ref(moved[name], names_map)
            if key.startswith("yaxis") and "domain" in moved:
                moved["domain"] = [place(moved["domain"][0]), place(moved["domain"][1])]
            stack.axes[_axis_key(names_map[_axis_id(key)])] = moved
        for trace in spec["data"]:
            moved = dict(trace)
            moved["xaxis"] = names_map["x"]
            moved["yaxis"] = names_map[trace.get("yaxis", "y")]
            pair = (str(trace.get("name")), str(trace.get("legendgroup")))
            if trace.get("showlegend", True) is not False:
                if pair in shown:
                    moved["showlegend"] = False
                shown.add(pair)
            stack.data.append(moved)
        for shape in source.get("shapes", []):
            stack.shapes.append(_moved(shape, names_map, place))
        for note in source.get("annotations", []):
            if note.get("name") != "key":  # the case's key: under its panel, below
                stack.annotations.append(_moved(note, names_map, place))
        key, key_room = frame.keys[index]
        if key:
            below = round((cursor + key_room) / plot_area, 5)
            note = key_note(key, look.text_px(0.85), below)
            stack.annotations.append(note | {"xref": names_map["x"] + " domain"})
        stack.annotations.append(_heading_note(heading, high, frame.left, look))
    return stack


def _heading_note(heading: str, high: float, left: float, look: Theme) -> dict[str, Any]:
    """A panel's "(a) title" over its plot, from the figure's left edge."""
    return {
        "x": 0,
        "xref": "paper",
        "xanchor": "left",
        "xshift": MARGIN - left,  # from the figure's left edge, as it was wrapped
        "y": high,
        "yref": "paper",
        "yanchor": "bottom",
        # over the panel's own "day 0" note
        "yshift": lines_px(1, look.text_px(0.85)) + 2,
        "text": heading,
        "align": "left",
        "showarrow": False,
        "font": look.font_dict(LETTER_SCALE),
    }


def _finish(
    series_file: SeriesFile,
    specs: list[dict[str, Any]],
    frame: _Frame,
    stack: _Stack,
    width: int | None,
) -> dict[str, Any]:
    """Stage 4: the layout around the stacked panels, its look taken from the first."""
    first = specs[0]["layout"]
    data, layout = stack.data, stack.axes
    if frame.legend is not None:
        renamed(data, frame.legend)
    _same_type(layout)
    layout |= {
        key: first[key]
        for key in ("template", "font", "paper_bgcolor", "plot_bgcolor", "hoverlabel")
        if key in first
    }
    layout |= {
        "title": first["title"] | frame.title,
        "margin": {
            "t": round(frame.top),
            "b": round(frame.bottom),
            "l": round(frame.left),
            "r": MARGIN,
        },
        "showlegend": True,
        "legend": frame.legend.layout() if frame.legend is not None else first["legend"],
        "hovermode": "closest",
        "height": round(frame.height),
        "autosize": width is None,
        "shapes": stack.shapes,
        "annotations": stack.annotations,
        "meta": {
            "series_title": series_file.title,
            "panels": [item.id for item in series_file.panels],
        }
        | ({"needs_px": round(frame.height), "fits_px": frame.fits} if frame.too_tall else {}),
    }
    if width:
        layout["width"] = width
    return {"data": data, "layout": layout}


def _heading(series_file: SeriesFile, index: int, look: Theme, width: float) -> tuple[str, float]:
    """A panel's "(a) title" wrapped to the figure's width, and the room over the panel it
    takes with the panel's own notes (its "day 0") beneath it."""
    size = look.text_px(LETTER_SCALE)
    text = wrapped_markup(panel_label(series_file, index), width - 2 * MARGIN - 4, size, bold=True)
    lines = len(lines_of(text))
    markup = "<br>".join(f"<b>{line}</b>" for line in text.split("<br>"))
    return markup, lines_px(lines, size) + lines_px(1, look.text_px(0.85)) + 6


def _keys(specs: list[dict[str, Any]], look: Theme) -> list[tuple[list[str], float]]:
    """Each panel's key, in lines as wide as its plot, and the room it takes under it."""
    size = look.text_px(0.85)
    keys = []
    for spec in specs:
        meta = spec["layout"]["meta"]
        marks = [f"{entry['mark']} {entry['text']}" for entry in meta["key"]]
        lines = key_lines(marks, meta["plot_width"], size)
        keys.append((lines, key_px(len(lines), size)))
    return keys


def _same_type(layout: dict[str, Any]) -> None:
    """One size for every panel's axis titles, and one for their row names: a panel that
    had to be made compact sets the size for all (a smaller type never collides)."""
    axes = [axis for key, axis in layout.items() if key.startswith(("xaxis", "yaxis"))]
    titled = [axis for axis in axes if "size" in axis.get("title", {}).get("font", {})]
    named = [axis for axis in axes if axis.get("ticktext") and "size" in axis.get("tickfont", {})]
    if titled:
        size = min(axis["title"]["font"]["size"] for axis in titled)
        for axis in titled:  # copied: the case figures' own dicts stay as they were
            axis["title"] = axis["title"] | {"font": axis["title"]["font"] | {"size": size}}
    if named:
        size = min(axis["tickfont"]["size"] for axis in named)
        for axis in named:
            axis["tickfont"] = axis["tickfont"] | {"size": size}


def _left_px(spec: dict[str, Any], look: Theme) -> float:
    """The room left of a panel's plot for its row names, tick labels and axis titles."""
    layout = spec["layout"]
    axes = [
        layout[key] for key in layout if key.startswith("yaxis") and "overlaying" not in layout[key]
    ]
    return left_margin([Panel("", 0.0, axis) for axis in axes], look) + MARGIN


def _axis_px(spec: dict[str, Any], look: Theme) -> float:
    """The depth of a panel's time axis under it: its tick labels and title, measured."""
    title = spec["layout"]["xaxis"].get("title", {}).get("text", "")
    return axis_px(look, len(lines_of(title)) if title else 0) + 4


def _title(title: str, look: Theme, width: float, narrow: bool) -> tuple[dict[str, Any], float]:
    """The series' title over the panels, wrapped to the width, and the room it takes (no
    title in a narrow figure: the caption under it carries it)."""
    if narrow:
        return {"text": ""}, 8.0
    size = look.text_px(look.title_size / look.size)
    lines = wrapped_markup(title, width - 24, size, bold=True).split("<br>")
    text = "<br>".join(f"<b>{line}</b>" for line in lines)
    pad = title_pad(len(lines), size, 8)
    on_top = {"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": pad}}
    return {"text": text} | on_top, pad + lines_px(len(lines), size) + 8


def _margins(spec: dict[str, Any]) -> float:
    margin = spec["layout"]["margin"]
    return float(margin["t"] + margin["b"])


def _plot_px(spec: dict[str, Any]) -> float:
    return float(spec["layout"]["height"]) - _margins(spec)


def _moved(item: dict[str, Any], names: dict[str, str], place: Any) -> dict[str, Any]:
    moved = dict(item)
    for axis in ("xref", "yref"):
        if axis in moved:
            moved[axis] = _ref(moved[axis], names)
    if moved.get("yref") == "paper":
        for key in ("y", "y0", "y1"):
            if key in moved and isinstance(moved[key], int | float):
                moved[key] = place(moved[key])
    return moved
