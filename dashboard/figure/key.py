"""The key: labels that cannot stand beside their marks, numbered ①, ② … next to the mark
and written out in full under the figure, so that nothing a file gives is lost.

Every label is known by the item it belongs to, its ref: `events[3]`, `periods[0]`,
`treatments[2]` (a dose written beside its bar) and `treatments[2].doses[1]` (one step of a
taper). The same refs name the labels drawn beside their marks (`drawn`), so that a text the
browser drew can be traced back to its item, and the labels a caller wants in the key
whatever the layout thought (`FigureOptions.keyed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.figure.parts import esc
from dashboard.fonts import LINE_SPACING, lines_of, text_width, wrap

GAP = "\u2003"  # between two entries on a line of the key: an em space (each begins with ①…)
SCALE = 0.85  # the key's type, as a share of the body size, as the labels beside the marks
TITLE_DROP = 0.45  # font sizes between the anchor of a one-line title and the figure's bottom


def key_mark(number: int) -> str:
    """The `number`-th key mark: ① to ⑳, ㉑ to ㉟, ㊱ to ㊿, then (51), (52) …"""
    if number <= 20:
        return chr(0x2460 + number - 1)
    if number <= 35:
        return chr(0x3251 + number - 21)
    if number <= 50:
        return chr(0x32B1 + number - 36)
    return f"({number})"


def plain(text: str) -> str:
    """A plotly text as the reader sees it: markup and entities taken out, trimmed."""
    return " ".join(line.strip() for line in lines_of(text) if line.strip())


def key_lines(entries: list[str], room: float, size: float) -> list[str]:
    """Key entries ('① optic neuritis') as plain lines no wider than `room` px at `size` px:
    whole entries side by side while they fit, one wider than a line wrapped on its own."""
    out: list[str] = []
    line = ""
    for entry in entries:
        joined = f"{line}{GAP}{entry}" if line else entry
        if text_width(joined, size) <= room:
            line = joined
            continue
        if line:
            out.append(line)
        pieces = wrap(entry, room, size)
        out += pieces[:-1]
        line = pieces[-1]
    if line:
        out.append(line)
    return out


def key_px(lines: int, size: float) -> float:
    """The height `lines` lines of a key take under a figure, with a little room above."""
    return lines * LINE_SPACING * size + size * 0.5 if lines else 0.0


def key_note(lines: list[str], size: float, y: float) -> dict[str, Any]:
    """A key as one left-aligned annotation whose top is at paper height `y`."""
    return {
        "name": "key",
        "text": "<br>".join(esc(line) for line in lines),
        "x": 0,
        "xref": "paper",
        "xanchor": "left",
        "y": y,
        "yref": "paper",
        "yanchor": "top",
        "align": "left",
        "showarrow": False,
        "font": {"size": size},
    }


@dataclass
class Key:
    """The labels of one figure: those drawn beside their marks, and those sent to the key."""

    keyed: frozenset[str] = frozenset()  # refs whose labels go to the key even where they fit
    entries: list[tuple[str, str, str]] = field(default_factory=list)  # ref, mark, plain text
    drawn: list[dict[str, str]] = field(default_factory=list)  # {"ref", "text"}, as drawn

    def fits(self, ref: str) -> bool:
        """False when the label of `ref` must go to the key whether or not it fits."""
        return ref not in self.keyed

    def add(self, ref: str, text: str) -> str:
        """Send the label `text` (plain, unescaped) of `ref` to the key; its mark, escaped."""
        mark = key_mark(len(self.entries) + 1)
        self.entries.append((ref, mark, text))
        return mark

    def beside(self, ref: str, text: str) -> None:
        """Note that `text` (plotly markup allowed) is drawn beside the mark of `ref`."""
        self.drawn.append({"ref": ref, "text": plain(text)})

    def lines(self, room: float, size: float) -> list[str]:
        """The key as plain lines no wider than `room` px at `size` px."""
        return key_lines([f"{mark} {text}" for _ref, mark, text in self.entries], room, size)

    def px(self, room: float, size: float) -> float:
        """The height the key takes under the figure, with a little room above it."""
        return key_px(len(self.lines(room, size)), size)

    def title(self, room: float, size: float, height: float, px: float) -> dict[str, Any]:
        """The key as the title of a figure `height` px tall, in the `px` at its bottom left
        edge (a title's lines run down from its top)."""
        lines = self.lines(room, size)
        # plotly anchors a title by its first line (at the bottom, the line's baseline a
        # little over the anchor) and runs the others down from it: the last line is to end
        # just above the figure's bottom edge
        above = (len(lines) - 1) * LINE_SPACING * size + size * TITLE_DROP
        return {
            "text": "<br>".join(esc(line) for line in lines),
            "x": round(10 / (room + 20), 4),
            "xref": "container",
            "xanchor": "left",
            "y": round(above / height, 4),
            "yref": "container",
            "yanchor": "bottom",
            "font": {"size": size},
            "automargin": False,
        }

    def annotation(self, room: float, size: float, y: float) -> dict[str, Any]:
        """The key as one left-aligned annotation whose top is at paper height `y`."""
        return key_note(self.lines(room, size), size, y)
