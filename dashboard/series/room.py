"""Room measured for the texts around a series figure: row names, the legend, the titles.

Every width and height here comes from the fonts that draw the text (`dashboard.fonts`);
the series views reserve exactly this room as margins, so that plotly has nothing to push
and nothing is cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dashboard.figure.parts import esc
from dashboard.figure.themes import Theme
from dashboard.fonts import LINE_SPACING, lines_of, text_height, text_width, wrap

LEGEND_SCALE = 0.85  # legend and note text, as a share of the body size (as the case figure)
LEGEND_SYMBOL_PX = 40  # plotly's sample mark in front of a legend entry's text, with its gaps
LEGEND_PAD = 10  # plotly's gap above and below a legend's entries
MARGIN = 10  # px: the least margin at a figure's edges
PLOT_SHARE = 0.5  # the least share of the figure's width the plot keeps
LEGEND_SHARE = 0.2  # the most of the figure's width a legend beside the plot takes
ELLIPSIS = "\u2026"


def lines_px(lines: int, size: float) -> float:
    """The height of `lines` lines of text at `size` px, as plotly spaces them."""
    return text_height("<br>".join(["x"] * max(lines, 1)), size)


def shortened(line: str, room: float, size: float, *, bold: bool = False) -> str:
    """`line` with an ellipsis, cut at a character so that it fits `room` px."""
    cut = len(line)
    while cut > 1 and text_width(line[:cut].rstrip() + ELLIPSIS, size, bold=bold) > room:
        cut -= 1
    return line[:cut].rstrip() + ELLIPSIS


def fitted(text: str, room: float, size: float, lines: int, *, bold: bool = False) -> list[str]:
    """`text` (plain) wrapped into lines no wider than `room` px; beyond `lines` lines, the
    last one kept ends in an ellipsis (the full text then goes to the hover)."""
    wrapped = wrap(text, room, size, bold=bold)
    if len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    kept[-1] = shortened(kept[-1] + " " + wrapped[lines], room, size, bold=bold)
    return kept


def wrapped_markup(text: str, room: float, size: float, *, bold: bool = False) -> str:
    """A plain text as escaped plotly markup wrapped to `room` px, lines joined by <br>."""
    return "<br>".join(esc(line) for line in wrap(text, room, size, bold=bold))


@dataclass(frozen=True, slots=True)
class Legend:
    """Where the legend goes and how much room it takes, measured."""

    names: dict[str, str]  # each entry's name -> the name shown (wrapped below a narrow plot)
    below: bool
    columns: int
    width: float  # px beside the plot (0 when below)
    height: float  # px of its entries, top to bottom
    size: float  # its type size, px

    @property
    def bottom(self) -> float:
        """The room it takes under the plot."""
        return self.height if self.below else 0.0

    def layout(self, x: float = 0.0, y: float = 0.0) -> dict[str, Any]:
        """The plotly legend, placed where the room was reserved; it never scrolls. Below
        the plot its top left corner is at (`x`, `y`) in the plot's fractions: left of the
        plot (x < 0), so that plotly gives it the figure's width and not only the plot's."""
        legend: dict[str, Any] = {
            "font": {"size": self.size},
            "itemsizing": "constant",
            "tracegroupgap": 0,
            "traceorder": "normal",
            "maxheight": math.ceil(self.height) + 4,
        }
        if not self.below:
            return legend | {"x": 1, "xanchor": "left", "y": 1, "yanchor": "top"}
        return legend | {
            "orientation": "h",
            "x": min(x, -1e-4),
            "xanchor": "left",
            "y": min(y, -1e-4),
            "yanchor": "top",
            "entrywidth": math.floor(1000 / self.columns) / 1000,
            "entrywidthmode": "fraction",
        }


def entry_px(name: str, size: float) -> float:
    """The height of one legend entry (plotly: its text, at least 16 px, and 3 px)."""
    return max(len(lines_of(name)) * size * LINE_SPACING, 16.0) + 3


def _wrapped_names(names: list[str], room: float, size: float) -> dict[str, str]:
    """Each legend entry's name as shown: as it is, or wrapped when wider than `room` px."""
    shown = {}
    for name in names:
        plain = " ".join(lines_of(name))
        fits = text_width(plain, size) <= room
        shown[name] = name if fits else wrapped_markup(plain, room, size)
    return shown


def legend_beside(names: list[str], look: Theme, most: float) -> Legend:
    """A legend right of the plot, one entry a line, an entry wider than `most` px wrapped."""
    size = look.text_px(LEGEND_SCALE)
    shown = _wrapped_names(names, most, size)
    widest = max((text_width(text, size) for text in shown.values()), default=0.0)
    height = sum(entry_px(text, size) for text in shown.values()) + LEGEND_PAD
    width = widest + LEGEND_SYMBOL_PX + 12 if names else 0.0
    return Legend(shown, False, 1, width, height, size)


def legend_below(names: list[str], look: Theme, width: float) -> Legend:
    """A legend under the plot across a figure `width` px wide, in as many equal columns as
    its widest entry allows; an entry wider than the figure is wrapped."""
    size = look.text_px(LEGEND_SCALE)
    shown = _wrapped_names(names, max(width - LEGEND_SYMBOL_PX - 2 * MARGIN, size * 4), size)
    widest = max((text_width(text, size) for text in shown.values()), default=0.0)
    # plotly spreads the columns over the figure less its right margin
    columns = max(1, min(len(names), int((width - 3 * MARGIN) // (widest + LEGEND_SYMBOL_PX))))
    texts = list(shown.values())
    rows = [texts[start : start + columns] for start in range(0, len(texts), columns)]
    height = sum(max(entry_px(text, size) for text in row) for row in rows) + LEGEND_PAD
    return Legend(shown, True, columns, 0.0, height if names else 0.0, size)


def legend_names(traces: list[dict[str, Any]]) -> list[str]:
    """The names of the traces that have a legend entry, each once, in order."""
    names = [str(t.get("name", "")) for t in traces if t.get("showlegend", True) is not False]
    return list(dict.fromkeys(names))


def renamed(traces: list[dict[str, Any]], legend: Legend) -> None:
    """Give the traces the names the legend shows (wrapped where it had to be)."""
    for trace in traces:
        name = trace.get("name")
        if isinstance(name, str) and name in legend.names:
            trace["name"] = legend.names[name]


def axis_px(look: Theme, title_lines: int) -> float:
    """The depth under a plot of its time axis: ticks, tick labels, title, as drawn."""
    tick = look.text_px(1.0)
    title = lines_px(title_lines, look.text_px(look.x_title)) if title_lines else 0.0
    return 5 + 3 + tick * 1.25 + standoff(look) + title


def standoff(look: Theme) -> float:
    """The gap between the time axis' tick labels and its title."""
    return round(look.text_px(1.0) * 0.35, 1)


MULTILINE_RISE = 0.8  # plotly sets a title of several lines higher than its anchor, in ems


def title_pad(lines: int, size: float, pad: float) -> float:
    """The room above a figure's title at its top: `pad`, and for a title of several lines
    (which plotly sets most of a line higher than one line) that much more, so it is not
    cut at the figure's top edge."""
    return pad + (MULTILINE_RISE * size if lines > 1 else 0.0)
