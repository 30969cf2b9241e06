"""The multi-panel figure: the single-case figures of a series stacked as (a), (b), ...

Each panel is the case's own figure (`figure_spec`), its axes renumbered and its plot area
placed in a band of the page, so every panel keeps its own time axis, units and rows; the
legend is shared, each entry once.
"""

from __future__ import annotations

import math
import string
import warnings
from typing import Any

from dashboard.figure import FigureWarning, figure_spec
from dashboard.figure.key import key_lines, key_note, key_px
from dashboard.figure.parts import esc
from dashboard.figure.themes import get_theme
from dashboard.series.figure import legend_below, legend_per_line
from dashboard.series.load import SeriesFile
from dashboard.series.rows import series_classes

NARROW = 720  # as the single-case figure: narrower figures carry no title, legend below


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
    """The series' panels as one figure dict, at most `max_height` CSS pixels tall."""
    look = get_theme(theme)
    width = width or look.width
    narrow = width is not None and width < NARROW
    items = series_file.panels
    if not items:
        raise ValueError("the series has no valid case to draw as a panel")
    families = series_classes(series_file)
    specs = [figure_spec(item.case, theme=theme, width=width, families=families) for item in items]
    label_px = look.size * 3.0
    axis_px = look.size * 4.2
    # each case's key (labels that could not stand beside their marks), under its panel
    size = look.text_px(0.85)
    keys = [
        key_lines([f"{e['mark']} {e['text']}" for e in meta["key"]], meta["plot_width"], size)
        for spec in specs
        for meta in [spec["layout"]["meta"]]
    ]
    keys_px = [key_px(len(lines), size) for lines in keys]
    top = 24 if narrow else specs[0]["layout"]["margin"]["t"]
    names = _legend_names(specs)
    lines = math.ceil(len(names) / legend_per_line(width)) if narrow else 0
    bottom = lines * look.size * 1.9 + 16 if narrow else 24
    plots = [_plot_px(spec) for spec in specs]
    fixed = top + bottom + len(specs) * (label_px + axis_px) + sum(keys_px)
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
                    height=round(px * share + _margins(spec)),
                    families=families,
                )
                for item, spec, px in zip(items, specs, plots, strict=True)
            ]
        before, plots = sum(plots), [_plot_px(spec) for spec in specs]
        if sum(plots) >= before - 1:
            break  # as small as their rows allow
    height = fixed + sum(plots)
    # Past the most a legible panel can shrink, the figure grows beyond `max_height` rather
    # than stack its panels over each other; the export says so.
    too_tall = max_height is not None and height > max_height + 0.5
    plot_area = height - top - bottom
    data: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    shown: set[tuple[str, str]] = set()
    cursor = plot_area
    y_count = 0
    for index, (spec, px) in enumerate(zip(specs, plots, strict=True)):
        cursor -= label_px
        high = cursor / plot_area
        cursor -= px
        low = max(cursor, 0.0) / plot_area
        cursor -= axis_px + keys_px[index]
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
            layout[_axis_key(names_map[_axis_id(key)])] = moved
        for trace in spec["data"]:
            moved = dict(trace)
            moved["xaxis"] = names_map["x"]
            moved["yaxis"] = names_map[trace.get("yaxis", "y")]
            key = (str(trace.get("name")), str(trace.get("legendgroup")))
            if trace.get("showlegend", True) is not False:
                if key in shown:
                    moved["showlegend"] = False
                shown.add(key)
            data.append(moved)
        for shape in source.get("shapes", []):
            moved = _moved(shape, names_map, place)
            shapes.append(moved)
        for note in source.get("annotations", []):
            if note.get("name") != "key":  # the case's key: under its panel, below
                annotations.append(_moved(note, names_map, place))
        if keys[index]:
            below = round((cursor + keys_px[index]) / plot_area, 5)
            annotations.append(
                key_note(keys[index], size, below) | {"xref": names_map["x"] + " domain"}
            )
        annotations.append(
            {
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "y": high,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": look.size * 1.4,
                "text": f"<b>{esc(panel_label(series_file, index))}</b>",
                "showarrow": False,
                "font": look.font_dict(1.05),
            }
        )
    first = specs[0]["layout"]
    legend = legend_below(first["legend"], width) if narrow else first["legend"]
    layout |= {
        key: first[key]
        for key in ("template", "font", "paper_bgcolor", "plot_bgcolor", "hoverlabel")
        if key in first
    }
    layout |= {
        "title": first["title"] | {"text": "" if narrow else f"<b>{esc(series_file.title)}</b>"},
        "margin": {"t": top, "b": bottom, "l": 10, "r": 10},
        "showlegend": True,
        "legend": legend,
        "hovermode": "closest",
        "height": round(height),
        "autosize": width is None,
        "shapes": shapes,
        "annotations": annotations,
        "meta": {
            "series_title": series_file.title,
            "panels": [item.id for item in items],
        }
        | ({"needs_px": round(height), "fits_px": max_height} if too_tall else {}),
    }
    if width:
        layout["width"] = width
    return {"data": data, "layout": layout}


def _legend_names(specs: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (str(trace.get("name")), str(trace.get("legendgroup")))
        for spec in specs
        for trace in spec["data"]
        if trace.get("showlegend", True) is not False
    }


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
