"""Pieces the panel builders share: the panel record, hover text, and None-gapped segments."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from dashboard.figure.themes import Theme
from dashboard.i18n import Words

Trace = dict[str, Any]
Shape = dict[str, Any]

# Hoverable points carry [reference, hover text] or [reference, title, hover text]; the
# markup lives once in the trace's template (JSON escapes every < and > sixfold).
HOVER = "%{customdata[1]}<extra></extra>"
TITLED = "<b>%{customdata[1]}</b><br>%{customdata[2]}<extra></extra>"
SELF, OVERLAY = "self", "overlay"  # placeholders for y axis ids, filled in by the layout


@dataclass
class Panel:
    """One horizontal band of the figure, with its own y axis, before it is placed."""

    name: str
    px: float
    axis: dict[str, Any]
    traces: list[Trace] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    overlay: dict[str, Any] | None = None
    grow: float = 0.0  # share of any extra height when the figure height is fixed
    least: float | None = None  # the thinnest it may be made when room is short (else px)


def row_labels(
    positions: list[float], labels: list[str], theme: Theme, scale: float = 1.0
) -> dict[str, Any]:
    """A y axis that only names its rows: labels at the rows, no line, grid or zoom."""
    return {
        "tickmode": "array",
        "tickvals": positions,
        "ticktext": labels,
        "showgrid": False,
        "zeroline": False,
        "showline": False,
        "ticks": "",
        "fixedrange": True,
        "automargin": True,
        "tickfont": theme.font_dict(scale),
    }


def esc(text: str) -> str:
    """Text as it should appear inside plotly's HTML-ish labels."""
    return html.escape(text, quote=False)


def template_text(text: str) -> str:
    """User text put into a hover template: escaped, and with % written as an entity, so
    that `%{x}` in a name or unit is shown as written rather than filled in by plotly."""
    return esc(text).replace("%", "&#37;")


def lines(*parts: str | None) -> str:
    """Hover text: the given parts, one per line, empty ones left out."""
    return "<br>".join(part for part in parts if part)


def approx_note(approx: bool, say: Words) -> str | None:
    """The hover line that flags something approximate."""
    return say.t("(approximate)") if approx else None


def joined(*parts: str | None) -> str:
    """Short hover facts on one line: 'corticosteroid · 60 mg/day'."""
    return " · ".join(part for part in parts if part)


class Segments:
    """Point lists for one trace whose separate pieces are split by None gaps."""

    def __init__(self) -> None:
        self.x: list[Any] = []
        self.y: list[Any] = []
        self.customdata: list[Any] = []

    def add(self, xs: list[Any], ys: list[Any], ref: str | None) -> None:
        """One piece (a polygon, a line, a span), then a gap."""
        if self.x:
            self.x.append(None)
            self.y.append(None)
            self.customdata.append(None)
        self.x += xs
        self.y += ys
        self.customdata += [[ref]] * len(xs)

    def __bool__(self) -> bool:
        return bool(self.x)

    def trace(self, **properties: Any) -> Trace:
        """A scatter trace drawing these pieces."""
        return {
            "type": "scatter",
            "x": self.x,
            "y": self.y,
            "customdata": self.customdata,
        } | properties


class Points:
    """Point lists for one trace of hoverable marks, each with its reference and hover text."""

    def __init__(self) -> None:
        self.x: list[Any] = []
        self.y: list[Any] = []
        self.customdata: list[Any] = []
        self.extra: dict[str, list[Any]] = {}

    def add(self, x: Any, y: Any, ref: str, *hover: str, **extra: Any) -> None:
        """One mark with its hover text; `extra` holds per-point values such as symbols."""
        self.x.append(x)
        self.y.append(y)
        self.customdata.append([ref, *hover])
        for key, value in extra.items():
            self.extra.setdefault(key, []).append(value)

    def __bool__(self) -> bool:
        return bool(self.x)

    def column(self, key: str) -> list[Any]:
        """The per-point values given as `key`."""
        return self.extra.get(key, [])

    def trace(self, **properties: Any) -> Trace:
        """A hoverable scatter trace of these marks."""
        base = {"type": "scatter", "x": self.x, "y": self.y, "customdata": self.customdata}
        return base | {"hovertemplate": HOVER} | properties
