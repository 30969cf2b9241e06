"""The fonts every figure is drawn with, shipped in the package, and how wide a text is in them.

A figure names one font list (`FAMILY`); every output that draws it, the dashboard, pages,
sites and images, declares the same files with `@font-face`, so the browser draws with the
font the layout measured, whatever fonts a viewer's computer has. Each character is drawn,
as browsers do, by the first face in the list that has it:

- Liberation Sans (regular, bold): Latin, Greek, Cyrillic, with Arial's widths (SIL OFL 1.1);
- IPAexGothic: Japanese, and the symbols ℃, ①, ★ (IPA Font License 1.0);
- Droid Sans Fallback: Chinese (Apache 2.0);
- NanumGothic: Korean (SIL OFL 1.1; shipped without its empty VTT source tables, TSI0-5,
  which browsers refuse to load);
- DejaVu Sans: most other scripts and symbols (Bitstream Vera licence).

All are TrueType (glyf outlines), which PDF writers embed as CID fonts, not Type 3.
Widths come from the font files through Pillow (FreeType, with kerning), at a large size
scaled down, so that hinting at small sizes does not round them.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

FOLDER = Path(__file__).resolve().parent / "files"
LINE_SPACING = 1.3  # plotly's distance between the baselines of a text's lines, in font sizes
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)  # plotly's line break
_TAG = re.compile(r"<[^>]+>")  # any other markup (<b>, <i>, <a ...>)
_SCALE = 256  # px: widths are measured at this size and scaled, free of hinting


@dataclass(frozen=True, slots=True)
class Face:
    """One font file and the CSS family, weight and Unicode range it is declared with."""

    family: str
    file: str
    weight: int = 400

    @property
    def path(self) -> Path:
        """The font file."""
        return FOLDER / self.file


FACES = (
    Face("Liberation Sans", "LiberationSans-Regular.ttf"),
    Face("Liberation Sans", "LiberationSans-Bold.ttf", 700),
    Face("IPAexGothic", "ipaexg.ttf"),
    Face("Droid Sans Fallback", "DroidSansFallbackFull.ttf"),
    Face("NanumGothic", "NanumGothic.ttf"),
    Face("DejaVu Sans", "DejaVuSans.ttf"),
)
FAMILIES = tuple(dict.fromkeys(face.family for face in FACES))
FAMILY = ", ".join(f'"{name}"' if " " in name else name for name in FAMILIES) + ", sans-serif"


def faces(weight: int = 400) -> tuple[Face, ...]:
    """The faces in fallback order for text of `weight` (bold where a bold file exists)."""
    chosen: dict[str, Face] = {}
    for face in FACES:
        best = chosen.get(face.family)
        if best is None or abs(face.weight - weight) < abs(best.weight - weight):
            chosen[face.family] = face
    return tuple(chosen.values())


@functools.cache
def coverage(face: Face) -> frozenset[int]:
    """The code points `face` has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(face.path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def _pillow(face: Face) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(face.path), _SCALE)


def face_for(character: str, weight: int = 400) -> Face | None:
    """The face the browser draws `character` with: the first in the list that has it."""
    point = ord(character)
    for face in faces(weight):
        if point in coverage(face):
            return face
    return None


def runs(text: str, weight: int = 400) -> list[tuple[Face | None, str]]:
    """`text` cut into runs each drawn by one face (None: no shipped face has it)."""
    found: list[tuple[Face | None, str]] = []
    for character in text:
        # a combining mark or joiner stays with the character before it, as browsers keep it
        if found and (unicodedata.combining(character) or character in "\u200d\ufe0f"):
            face = found[-1][0]
        else:
            face = face_for(character, weight)
        if found and found[-1][0] == face:
            found[-1] = (face, found[-1][1] + character)
        else:
            found.append((face, character))
    return found


@functools.lru_cache(maxsize=65_536)
def em_width(text: str, weight: int = 400) -> float:
    """The width of one line of `text`, in font sizes (ems), as the shipped fonts draw it."""
    width = 0.0
    for face, run in runs(text, weight):
        if face is None:  # drawn by whatever the viewer has: count a full em, the widest usual
            width += sum(0.0 if unicodedata.combining(c) else 1.0 for c in run)
        else:
            width += _pillow(face).getlength(run) / _SCALE
    return width


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width in px of `text` at font size `size` px; the widest line of a multi-line text."""
    weight = 700 if bold else 400
    return max(em_width(line, weight) for line in lines_of(text)) * size


def text_height(text: str, size: float) -> float:
    """The height in px of `text` at `size` px: its lines at plotly's line spacing."""
    return (len(lines_of(text)) - 1) * LINE_SPACING * size + size * 1.2


def lines_of(text: str) -> list[str]:
    """The lines of a plotly text: split at `<br>`, markup and entities taken out."""
    plain = _TAG.sub("", _BREAK.sub("\n", text))
    return html.unescape(plain).split("\n")


def missing(text: str) -> str:
    """The characters of `text` that no shipped font has, each once, in order."""
    return "".join(dict.fromkeys(c for c in text if c.strip() and face_for(c) is None))


def _breakable(character: str) -> bool:
    """A character after which a line may break without a hyphen (CJK, as in their texts)."""
    return unicodedata.east_asian_width(character) in ("W", "F")


_NO_BREAK_BEFORE = set("、。，．・：；？！ー）］｝〕〉》」』】〙〗」）)]}%,.:;!?℃")
_NO_BREAK_AFTER = set("（［｛〔〈《「『【〘〖「（([{")
SLASH_WORD = 4  # a line may break after a slash that ends a word this long


def _pieces(text: str) -> list[str]:
    """`text` cut where a line may break: after spaces, hyphens and slashes ending a word,
    and between CJK characters (never before a closing mark or after an opening one); each
    piece keeps its trailing space."""
    pieces: list[str] = []
    current = ""
    for character in text:
        if (
            current
            and (_breakable(character) or _breakable(current[-1]))
            and current[-1] != " "
            and character not in _NO_BREAK_BEFORE
            and current[-1] not in _NO_BREAK_AFTER
        ):
            pieces.append(current)
            current = ""
        current += character
        # (after a slash only between words: 'mg/kg/day' stays whole, a unit read as one)
        if character in " -–" or (
            character == "/" and len(current[:-1].rsplit("/", 1)[-1]) >= SLASH_WORD
        ):
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _hyphenated(piece: str, room: float, size: float, weight: int) -> list[str]:
    """A word wider than a line, in pieces that fit, each but the last ending in a hyphen."""
    out: list[str] = []
    while piece and em_width(piece.rstrip(), weight) * size > room:
        cut = len(piece) - 1
        while cut > 1 and em_width(piece[:cut] + "-", weight) * size > room:
            cut -= 1
        out.append(piece[:cut] + "-")
        piece = piece[cut:]
    return [*out, piece] if piece else out


def wrap(text: str, room: float, size: float, *, bold: bool = False) -> list[str]:
    """`text` in lines no wider than `room` px at `size` px, broken between words (or CJK
    characters); a word wider than a line is hyphenated. Nothing is left out."""
    weight = 700 if bold else 400
    lines: list[str] = []
    for paragraph in lines_of(text):
        line = ""
        for word in _pieces(paragraph):
            if em_width((line + word).rstrip(), weight) * size <= room:
                line += word
                continue
            if line.strip():
                lines.append(line.rstrip())
            parts = _hyphenated(word, room, size, weight)
            lines += [part.rstrip() for part in parts[:-1]]
            line = parts[-1] if parts else ""
        lines.append(line.rstrip())
    return lines
