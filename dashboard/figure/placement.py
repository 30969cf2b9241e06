"""Placing panels: heights for the room there is, y axis domains, tick counts, margins."""

from __future__ import annotations

from typing import Any

from dashboard.figure.parts import Panel
from dashboard.figure.themes import Theme
from dashboard.figure.ticks import ticks
from dashboard.fonts import LINE_SPACING, lines_of, text_width


def fit(panels: list[Panel], room: float) -> list[float]:
    """Panel heights for `room` pixels: growing panels take any extra room; short of room,
    line panels give up height down to the least that keeps their axis readable, and only
    then does everything shrink alike."""
    natural = [p.px for p in panels]
    least = [min(p.least or p.px, p.px) for p in panels]
    if room >= sum(natural):
        weights = [px * p.grow for px, p in zip(natural, panels, strict=True)]
        extra, weight = room - sum(natural), sum(weights)
        if weight == 0:
            return [px * room / sum(natural) for px in natural]
        return [px + extra * w / weight for px, w in zip(natural, weights, strict=True)]
    if room >= sum(least):
        slack = sum(natural) - sum(least)
        share = (room - sum(least)) / slack if slack else 0.0
        return [lo + (px - lo) * share for px, lo in zip(natural, least, strict=True)]
    return [lo * room / sum(least) for lo in least]


def label_ticks(axis: dict[str, Any], px: float, look: Theme) -> None:
    """Three or more labelled ticks at round values on a value axis `px` tall, as many as
    its height holds apart."""
    low, high = axis["range"]
    log = axis["type"] == "log"
    widen = axis.get("autorange") is not False  # a range the file fixed is kept
    chosen = ticks(low, high, px, tick_apart(look), log=log, inset=tick_inset(look), widen=widen)
    axis["tickmode"] = "array"
    axis["tickvals"] = list(chosen.values)
    axis["range"] = [chosen.low, chosen.high]  # widened on a panel too thin for its labels


def spaced_names(axis: dict[str, Any], px: float, look: Theme) -> None:
    """Row names on an axis `px` tall that would run into the name before them are left
    out (only where a size too low for the course squeezed the rows, which is warned of)."""
    names, places = axis.get("ticktext"), axis.get("tickvals")
    if not names or not places or "range" not in axis:
        return
    low, high = axis["range"]
    per_unit = px / abs(high - low)
    size = axis.get("tickfont", {}).get("size") or look.text_px(look.row_label)
    shown = list(names)
    last = None
    for number in sorted(range(len(places)), key=lambda n: places[n]):
        if not shown[number]:
            continue
        if last is not None and abs(places[number] - last) * per_unit < size * 1.05:
            shown[number] = ""
            continue
        last = places[number]
    axis["ticktext"] = shown


def tick_apart(look: Theme) -> float:
    """How far apart, in px, the centres of two tick labels on a value axis must be."""
    return look.text_px(0.85) * 1.3  # a label box is 1.15 of its size: a little air between


def tick_inset(look: Theme) -> float:
    """How far from a panel's ends a tick label's centre must stay, so that half of it does
    not reach past half the gap into the next panel's labels."""
    return max(0.0, look.text_px(0.85) * 0.65 - look.gap_px / 2)


def place(
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


def right_margin(panel: Panel, look: Theme) -> float:
    """How wide a panel's right-hand axis is (tick labels and title), measured; else 0."""
    if panel.overlay is None:
        return 0.0
    size = look.text_px(0.85)
    values = panel.overlay.get("tickvals") or [88888]
    ticks = max(text_width(f"{v:,g}", size) for v in values)
    title = panel.overlay.get("title", {}).get("text", "")
    lines = len(lines_of(title)) if title else 0
    return ticks + lines * look.text_px(look.axis_title) * LINE_SPACING + 14


def left_margin(panels: list[Panel], look: Theme) -> float:
    """How wide the row labels, tick labels and axis titles on the left are, measured."""
    widest = 0.0
    for panel in panels:
        labels = panel.axis.get("ticktext") or []
        size = panel.axis.get("tickfont", {}).get("size") or look.text_px(look.row_label)
        if labels:
            widest = max(widest, max(text_width(str(text), size) for text in labels))
        elif panel.axis.get("visible", True):
            # tick labels such as 10,000 and a rotated title of its lines
            values = panel.axis.get("tickvals") or [88888]
            ticks = max(text_width(f"{v:,g}", size) for v in values)
            title = panel.axis.get("title", {}).get("text", "")
            lines = len(lines_of(title)) if title else 0
            widest = max(widest, ticks + lines * look.text_px(look.axis_title) * LINE_SPACING)
    return widest + 14
