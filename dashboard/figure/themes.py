"""Looks: fonts, sizes and colour-blind-safe palettes for screen, print and slides."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from dashboard.fonts import FACES, FAMILY, text_width
from dashboard.model.views import THEMES
from dashboard.problems import ViewError

# px: narrower figures (a journal column) get their legend below the plot and no title (the
# caption beneath carries it), the case figure and the series alike
NARROW = 720


def is_narrow(width: float | None) -> bool:
    """A figure of this width is narrow (a journal column); None is a page's own width."""
    return width is not None and width < NARROW


# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, YELLOW, BLACK, GREY = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#777777",
)
# Treatment classes and measurements: strong hues first, yellow last (weak on white).
PALETTE = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, YELLOW)
# Labels of one event kind: black first, as the papers draw arrowheads.
EVENT_PALETTE = (BLACK, VERMILLION, BLUE, GREEN, PURPLE, ORANGE, SKY)

EVENT_SYMBOLS: dict[str, str] = {
    "onset": "star",
    "relapse": "triangle-down",
    "symptom": "circle",
    "diagnosis": "diamond",
    "imaging": "square",
    "lab": "pentagon",
    "procedure": "hexagon",
    "admission": "triangle-right",
    "discharge": "triangle-left",
    "adverse-event": "x",
    "death": "cross",
    "note": "hourglass",
}
# In print, labels of one kind also differ by shape, for greyscale: the kind's mark first,
# then marks of its family (a cross inside, a notched, pointed or barred form). Relapses stay
# arrowheads (▼) and "-open" stays the sign of an approximate time.
EVENT_VARIANTS: dict[str, tuple[str, ...]] = {
    "onset": ("star", "hexagram", "star-diamond", "star-square"),
    "relapse": ("triangle-down", "star-triangle-down", "arrow-down", "arrow-bar-down"),
    "symptom": ("circle", "circle-x", "circle-cross", "diamond-wide"),
    "diagnosis": ("diamond", "diamond-x", "diamond-cross", "diamond-tall"),
    "imaging": ("square", "square-x", "square-cross", "star-square"),
    "lab": ("pentagon", "octagon", "star-diamond", "bowtie"),
    "procedure": ("hexagon", "hexagram", "diamond-wide", "bowtie"),
    "admission": ("triangle-right", "arrow-bar-right", "arrow-right", "triangle-ne"),
    "discharge": ("triangle-left", "arrow-bar-left", "arrow-left", "triangle-nw"),
    "adverse-event": ("x", "bowtie", "hourglass", "diamond-tall"),
    "death": ("cross", "circle-cross", "square-cross", "diamond-cross"),
    "note": ("hourglass", "bowtie", "diamond-wide", "diamond-tall"),
}


def event_symbol(kind: str, variant: int, approx: bool) -> str:
    """The plotly symbol of the `variant`-th label of an event kind; hollow when approximate."""
    symbol = EVENT_VARIANTS[kind][variant % len(EVENT_VARIANTS[kind])]
    return symbol + "-open" if approx else symbol


EVENT_COLOURS: dict[str, str] = {
    "onset": VERMILLION,
    "relapse": BLACK,
    "symptom": ORANGE,
    "diagnosis": BLUE,
    "imaging": SKY,
    "lab": GREEN,
    "procedure": PURPLE,
    "admission": BLUE,
    "discharge": BLUE,
    "adverse-event": VERMILLION,
    "death": BLACK,
    "note": GREY,
}
# How far plotly draws a symbol, across or up, as a share of its marker size (from the
# symbols' paths in plotly.js): a star of size 10 is 13 px wide, a circle 10 px.
SYMBOL_EXTENT: dict[str, float] = {
    "star": 1.33,
    "hexagram": 1.33,
    "diamond": 1.3,
    "diamond-tall": 1.3,
    "diamond-wide": 1.3,
    "triangle-down": 1.16,
    "triangle-up": 1.16,
    "triangle-left": 1.16,
    "triangle-right": 1.16,
    "x": 1.13,
    "cross": 1.13,
}
MARK_CAPS = 2.0  # no mark is taller or wider than this many cap heights of the labels beside it


@functools.cache
def cap_height() -> float:
    """The height of a capital letter in the body font, in font sizes (ems), from its file."""
    from fontTools.ttLib import TTFont

    with TTFont(FACES[0].path, lazy=True) as font:
        return float(font["OS/2"].sCapHeight) / float(font["head"].unitsPerEm)


def extent(symbol: str) -> float:
    """How far plotly draws `symbol` (any -open, -dot variant), as a share of its size."""
    for name in (symbol, symbol.removesuffix("-open").removesuffix("-dot")):
        if name in SYMBOL_EXTENT:
            return SYMBOL_EXTENT[name]
    base = symbol.split("-")[0]
    return SYMBOL_EXTENT.get(base, 1.0)


# Series sharing a panel differ by marker and dash as well as by colour.
SERIES_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star")
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


@dataclass(frozen=True, slots=True)
class Theme:
    """Everything that differs between the screen, print and slides versions of a figure."""

    name: str
    font: str
    size: float
    title_size: float
    ink: str
    paper: str
    grid: str
    axis_line: str
    axis_width: float
    row_px: float
    level_px: float
    panel_px: float
    gap_px: float
    width: int | None
    height: int | None
    period_fill: str
    procedure: str
    marker: float
    line: float
    smallest: float = 0.0  # px: no text is drawn smaller (7 pt in print, 24 px on a slide)
    row_label: float = 1.0  # the size of row labels, as a share of the body size
    axis_title: float = 0.92  # the size of the panels' axis titles, as a share
    x_title: float = 1.0  # the size of the time axis' title, as a share

    def measure(self, text: str, scale: float = 1.0, *, bold: bool = False) -> float:
        """The width in px of `text` (plotly markup allowed) at `scale` times the body size,
        measured in the fonts that draw it."""
        return text_width(text, self.text_px(scale), bold=bold)

    def mark_size(self, symbols: str | list[str], scale: float = 1.0) -> float:
        """The plotly size of marks drawn with `symbols` at `scale` times the theme's mark:
        never taller or wider than MARK_CAPS cap heights of the labels beside them."""
        widest = max(extent(s) for s in ([symbols] if isinstance(symbols, str) else symbols))
        most = MARK_CAPS * cap_height() * self.text_px(0.85) / widest
        return round(min(self.marker * scale, most), 1)

    def text_px(self, scale: float = 1.0) -> float:
        """The size of text at `scale` times the body size, never below the smallest."""
        return max(round(self.size * scale, 1), self.smallest)

    def title(self, text: str) -> dict[str, Any]:
        """A figure's title in this look, at the top left (plotly markup, already escaped)."""
        return {
            "text": text,
            "x": 0.012,
            "xref": "container",
            "xanchor": "left",
            "font": self.font_dict(self.title_size / self.size),
        }

    def font_dict(self, scale: float = 1.0) -> dict[str, Any]:
        """A font at a multiple of the body size; family and colour come from the layout."""
        return {"size": self.text_px(scale)}

    @property
    def label_row_px(self) -> float:
        """The thinnest row that holds a line of its labels."""
        return self.text_px(self.row_label) * 1.22

    @property
    def axis_px(self) -> float:
        """The thinnest line panel whose axis still reads: three tick labels with room."""
        return self.text_px(0.85) * 3.6

    @property
    def base_font(self) -> dict[str, Any]:
        """The layout's font, which every other font inherits."""
        return {"family": self.font, "size": self.size, "color": self.ink}


_SANS = FAMILY  # the shipped fonts, which every output declares and the layout measures

_THEMES = {
    "screen": Theme(
        name="screen",
        font=_SANS,
        size=12,
        title_size=17,
        ink="#222222",
        paper="#ffffff",
        grid="#ececec",
        axis_line="#666666",
        axis_width=1,
        row_px=26,
        level_px=24,
        panel_px=130,
        gap_px=14,
        width=None,
        height=None,
        period_fill="rgba(120,120,120,0.2)",
        procedure="#3b5b7a",
        marker=11,
        line=1.8,
    ),
    "print": Theme(
        name="print",
        font=_SANS,
        size=11,
        title_size=14,
        ink="#000000",
        paper="#ffffff",
        grid="rgba(0,0,0,0)",
        axis_line="#000000",
        axis_width=0.8,
        row_px=24,
        level_px=22,
        panel_px=120,
        gap_px=12,
        width=1200,
        height=None,
        period_fill="rgba(0,0,0,0.13)",  # darker than any reference band, in greyscale too
        procedure="#000000",
        marker=10,
        line=1.4,
        smallest=9.4,  # 7 pt at the printed size (96 px to the inch)
    ),
    "slides": Theme(
        name="slides",
        font=_SANS,
        size=26,
        title_size=36,
        ink="#111111",
        paper="#ffffff",
        grid="#e6e6e6",
        axis_line="#444444",
        axis_width=2,
        row_px=40,
        level_px=36,
        panel_px=170,
        gap_px=16,
        width=1920,
        height=1080,
        period_fill="rgba(120,120,120,0.2)",
        procedure="#3b5b7a",
        marker=20,
        line=3.5,
        smallest=24.0,  # read from the back of a lecture hall on a 1080-line slide
    ),
}


def get_theme(name: str) -> Theme:
    """The theme called `name`; a clear error for any other name."""
    try:
        return _THEMES[name]
    except KeyError:
        raise ViewError(f"unknown theme {name!r}; expected one of {', '.join(THEMES)}") from None


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0..1) of the way towards `other`; both as #rrggbb."""
    a, b = _rgb(colour), _rgb(other)
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


# Shades inside one hue family: the base, then alternately darker and lighter.
_SHADES = ((BLACK, 0.0), (BLACK, 0.35), ("#ffffff", 0.4), (BLACK, 0.55), ("#ffffff", 0.6))


def shade(base: str, index: int) -> str:
    """The `index`-th distinct shade of `base` (a #rrggbb hue)."""
    towards, amount = _SHADES[index % len(_SHADES)]
    return mix(base, towards, amount)


def is_hex(colour: str) -> bool:
    """True for #rrggbb, the only form `mix` and `text_on` can work with."""
    return (
        len(colour) == 7
        and colour.startswith("#")
        and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
    )


def text_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour`."""
    if not is_hex(colour):
        return BLACK
    r, g, b = (channel / 255 for channel in _rgb(colour))
    return BLACK if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#ffffff"


def family_colours(
    keys: list[str], overrides: list[str | None], order: tuple[str, ...] = ()
) -> list[str]:
    """One colour per item: items with the same key share a hue and get distinct shades;
    the keys `order` names (any capitals) take the hues of their place in it, so that the
    figures of a series colour a class alike."""
    fixed = {key.casefold(): index for index, key in enumerate(order)}
    families: dict[str, int] = {}
    seen: dict[str, int] = {}
    colours = []
    for key, override in zip(keys, overrides, strict=True):
        if key not in families:
            others = sum(name.casefold() not in fixed for name in families)
            families[key] = fixed.get(key.casefold(), len(fixed) + others)
        family = families[key]
        count = seen.get(key, 0)
        seen[key] = count + 1
        base = PALETTE[family % len(PALETTE)]
        # More families than hues: reuse a hue, one shade further along.
        colours.append(override or shade(base, count + family // len(PALETTE)))
    return colours
