"""The shipped fonts declared for a browser: `@font-face` rules with the files' addresses
(the dashboard) or with the files themselves, cut down to the characters a page or image
uses (standalone pages, SVG files), so that every output draws with the fonts measured."""

from __future__ import annotations

import base64
import functools
import io
import logging
from collections.abc import Callable

from dashboard.fonts import FACES, FAMILY, Face, coverage

# What plotly may write by itself into a figure (tick labels, hover times, the minus sign),
# beside the texts it is given: kept in every cut-down Latin font.
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u2212–—…·×°µ±≤≥→←↑↓▲▼►◄•’“”‘"


@functools.lru_cache(maxsize=64)
def subset(face: Face, characters: frozenset[str]) -> bytes:
    """`face` with only the glyphs of `characters` (and what shaping them needs), as TTF."""
    from fontTools import subset as fontsubset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # tables it drops are not news
    options = fontsubset.Options()
    options.notdef_outline = True
    options.hinting = False  # browsers and PDF viewers draw these sizes unhinted anyway
    options.drop_tables += ["DSIG", "FFTM", "TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]
    font = fontsubset.load_font(str(face.path), options)
    try:
        cutter = fontsubset.Subsetter(options)
        cutter.populate(unicodes=[ord(c) for c in characters])
        cutter.subset(font)
        out = io.BytesIO()
        font.save(out)
    finally:
        font.close()
    return out.getvalue()


def _rule(face: Face, source: str) -> str:
    return (
        f'@font-face{{font-family:"{face.family}";font-weight:{face.weight};'
        f"font-style:normal;font-display:block;src:{source}}}"
    )


# Pages set their own text in the figure's fonts through this property.
ROOT = f":root{{--figure-font:{FAMILY}}}"


def embedded_css(text: str) -> str:
    """`@font-face` rules carrying the shipped fonts cut down to the characters of `text`
    (and what plotly adds by itself): a page or SVG that draws the same anywhere, offline."""
    used = set(text) | set(ALWAYS)
    rules = []
    for face in FACES:
        mine = frozenset(c for c in used if ord(c) in coverage(face))
        if not mine or (face.family != FACES[0].family and not (mine - set(ALWAYS))):
            continue  # a fallback face is carried only for the characters it alone draws
        data = base64.b64encode(subset(face, mine)).decode("ascii")
        rules.append(_rule(face, f"url(data:font/ttf;base64,{data}) format('truetype')"))
    return "".join(rules) + ROOT


def linked_css(address: Callable[[Face], str]) -> str:
    """`@font-face` rules pointing at the font files where `address` says they are served."""
    rules = (_rule(face, f"url({address(face)}) format('truetype')") for face in FACES)
    return "".join(rules) + ROOT
