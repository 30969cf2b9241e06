"""What Chromium drew, read back from an SVG figure, and what a reader would see wrong in it.

`read_drawn(page, svg)` lays the SVG out in a Playwright page and returns every drawn text
box, mark and legend box; the functions below it are pure and judge those boxes:
overlapping texts, texts run together, texts cut at the figure's edge or shortened with an
ellipsis, texts lying on marks, value axes with fewer than three tick labels, the legend's
share of the height, and the labels and doses a case file gives that appear nowhere in the
drawing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

SLACK_PX = 1.0  # boxes must share more than this each way to count as overlapping
RUN_TOGETHER_EM = 0.5  # texts on one line closer than this (a word space or so) read as one
FEWEST_TICKS = 3
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[kMGTµmnp%]?")

# Every drawn text with its box and role; the scatter marks; the legend's box.
# A text's role: "tick" of a y axis (with the axis id, "y", "y2", ...), "ytitle" (an axis
# title, with its axis id), "legend", or "text" (every other text: labels, titles, notes).
READ_DRAWN = r"""
() => {
  const svg = document.querySelector('svg');
  const frame = svg.getBoundingClientRect();
  const box = (node) => {
    const r = node.getBoundingClientRect();
    return {x0: r.left - frame.left, y0: r.top - frame.top,
            x1: r.right - frame.left, y1: r.bottom - frame.top};
  };
  const shown = (node) => {
    for (let n = node; n && n !== svg; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.display === 'none' || style.visibility === 'hidden' || +style.opacity === 0)
        return false;
    }
    return true;
  };
  const role = (text) => {
    if (text.closest('g.legend')) return ['legend', null];
    const klass = text.getAttribute('class') || '';
    const title = klass.match(/^(y\d*)title$/);
    if (title) return ['ytitle', title[1]];
    for (let n = text.parentElement; n && n !== svg; n = n.parentElement) {
      const tick = (n.getAttribute('class') || '').match(/^(y\d*)tick$/);
      if (tick) return ['tick', tick[1]];
      if (/^x\d*tick$/.test(n.getAttribute('class') || '')) return ['xtick', null];
    }
    return ['text', null];
  };
  const turned = (node) => {
    for (let n = node; n && n !== svg; n = n.parentElement) {
      const angle = (n.getAttribute('transform') || '').match(/rotate\((-?[\d.]+)/);
      if (angle && +angle[1] !== 0) return true;
    }
    return false;
  };
  const texts = [];
  for (const text of svg.querySelectorAll('text')) {
    const content = text.textContent.trim();
    if (!content || !shown(text)) continue;
    const b = box(text);
    if (b.x1 - b.x0 === 0 || b.y1 - b.y0 === 0) continue;
    const [kind, axis] = role(text);
    texts.push({...b, text: content, role: kind, axis: axis, turned: turned(text),
                size: parseFloat(getComputedStyle(text).fontSize)});
  }
  const marks = [];
  for (const point of svg.querySelectorAll('g.scatterlayer path.point')) {
    if (!shown(point)) continue;
    const b = box(point);
    if (b.x1 - b.x0 > 0 && b.y1 - b.y0 > 0) marks.push(b);
  }
  let legend = null;
  for (const group of svg.querySelectorAll('g.legend')) {
    const bg = group.querySelector('rect.bg') || group;
    const b = box(bg);
    legend = legend === null ? b : {x0: Math.min(legend.x0, b.x0), y0: Math.min(legend.y0, b.y0),
                                    x1: Math.max(legend.x1, b.x1), y1: Math.max(legend.y1, b.y1)};
  }
  return {width: frame.width, height: frame.height, texts, marks, legend};
}
"""


@dataclass(frozen=True)
class Box:
    """A rectangle in CSS pixels from the figure's top left corner."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, slack: float = SLACK_PX) -> bool:
        """Whether the two boxes share more than `slack` pixels each way."""
        dx = min(self.x1, other.x1) - max(self.x0, other.x0)
        dy = min(self.y1, other.y1) - max(self.y0, other.y0)
        return dx > slack and dy > slack


@dataclass(frozen=True)
class Text:
    """One drawn text: its content, box, font size (CSS px) and role (see READ_DRAWN)."""

    text: str
    box: Box
    size: float
    role: str
    axis: str | None
    turned: bool = False  # drawn at an angle (a y axis title)


@dataclass(frozen=True)
class Drawn:
    """Everything read back from one drawn figure."""

    width: float
    height: float
    texts: list[Text]
    marks: list[Box]
    legend: Box | None


def read_drawn(page: Page, svg: bytes) -> Drawn:
    """Lay `svg` out in Chromium at its own pixel size and read back its texts and marks."""
    page.set_content(f"<html><body style='margin:0'>{svg.decode('utf-8')}</body></html>")
    # print SVGs carry their size in mm; lay them out at their CSS pixel size (the viewBox)
    page.evaluate(
        "() => { const s = document.querySelector('svg'); const v = s.viewBox.baseVal;"
        " if (v && v.width) { s.setAttribute('width', v.width);"
        " s.setAttribute('height', v.height); } }"
    )
    found: dict[str, Any] = page.evaluate(READ_DRAWN)
    return drawn_from(found)


def drawn_from(found: dict[str, Any]) -> Drawn:
    """The boxes READ_DRAWN returned, as typed values."""

    def box(raw: dict[str, float]) -> Box:
        return Box(raw["x0"], raw["y0"], raw["x1"], raw["y1"])

    texts = [
        Text(t["text"], box(t), t["size"], t["role"], t["axis"], t["turned"])
        for t in found["texts"]
    ]
    legend = box(found["legend"]) if found["legend"] else None
    marks = [box(mark) for mark in found["marks"]]
    return Drawn(found["width"], found["height"], texts, marks, legend)


def overlapping_texts(texts: list[Text]) -> list[tuple[str, str]]:
    """Every pair of texts whose boxes overlap."""
    pairs = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if a.box.overlaps(b.box):
                pairs.append((a.text, b.text))
    return pairs


def texts_run_together(texts: list[Text]) -> list[tuple[str, str]]:
    """Pairs of texts on one line that do not overlap but stand closer than half an em, about
    a word space, so that they read as one text ("40 mg/Tag 40 mg/Tag"). Texts drawn at an angle
    (axis titles) are read apart from the texts beside them."""
    level = [t for t in texts if not t.turned]
    pairs = []
    for i, a in enumerate(level):
        for b in level[i + 1 :]:
            shared = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
            lower = min(a.box.y1 - a.box.y0, b.box.y1 - b.box.y0)
            apart = max(a.box.x0, b.box.x0) - min(a.box.x1, b.box.x1)
            gap = RUN_TOGETHER_EM * min(a.size, b.size)
            if shared > lower / 2 and -SLACK_PX <= apart < gap and not a.box.overlaps(b.box):
                pairs.append((a.text, b.text))
    return pairs


def texts_cut(drawn: Drawn) -> list[str]:
    """The texts reaching past the figure's edge (cut off in the file)."""
    w, h = drawn.width, drawn.height
    return [
        t.text
        for t in drawn.texts
        if t.box.x0 < -SLACK_PX
        or t.box.y0 < -SLACK_PX
        or t.box.x1 > w + SLACK_PX
        or t.box.y1 > h + SLACK_PX
    ]


def texts_shortened(texts: list[Text]) -> list[str]:
    """The texts ending in or broken by an ellipsis: shortened, their full words lost."""
    return [t.text for t in texts if "…" in t.text or "..." in t.text]


def texts_on_marks(drawn: Drawn) -> list[str]:
    """The texts (not legend entries) lying over a drawn mark, once each."""
    return [
        t.text
        for t in drawn.texts
        if t.role != "legend" and any(t.box.overlaps(mark) for mark in drawn.marks)
    ]


def value_axis_ticks(texts: list[Text]) -> dict[str, int]:
    """Each value axis (a y axis with a title or numeric tick labels) and its tick labels.

    Row axes, whose tick labels are names, are not value axes.
    """
    ticks: Counter[str] = Counter()
    named: set[str] = set()
    titled: set[str] = set()
    for t in texts:
        if t.role == "ytitle" and t.axis:
            titled.add(t.axis)
        elif t.role == "tick" and t.axis:
            if is_number(t.text):
                ticks[t.axis] += 1
            else:
                named.add(t.axis)
    axes = (titled | set(ticks)) - (named - titled)
    return {axis: ticks[axis] for axis in sorted(axes)}


def is_number(text: str) -> bool:
    """Whether a tick label reads as a number ('1,000', '−2', '10k', '0.5', '1e+3', '10³')."""
    cleaned = unicodedata.normalize("NFKC", text).replace("\u2212", "-").replace(",", "")
    return NUMBER.fullmatch(cleaned) is not None


def legend_share(drawn: Drawn) -> float:
    """The legend's height as a share of the figure's height (0 without a legend)."""
    if drawn.legend is None or drawn.height <= 0:
        return 0.0
    return max(0.0, drawn.legend.y1 - drawn.legend.y0) / drawn.height


@dataclass(frozen=True)
class Expected:
    """A text a case file gives that the figure must show: where it comes from, and what."""

    where: str
    text: str
    number: bool = False  # a taper dose: looked for as a number among the drawn texts


def expected_texts(case: dict[str, Any]) -> list[Expected]:
    """Every event label, treatment dose text and change of a taper's dose in a case file."""
    found = [
        Expected(f"events[{i}].label", str(event["label"]))
        for i, event in enumerate(case.get("events") or [])
        if event.get("label")
    ]
    for i, treatment in enumerate(case.get("treatments") or []):
        if treatment.get("dose") is not None:
            found.append(Expected(f"treatments[{i}].dose", str(treatment["dose"])))
        previous = None
        for j, step in enumerate(treatment.get("doses") or []):
            value = dose_number(step.get("dose"))
            if value is not None and value != previous:
                found.append(Expected(f"treatments[{i}].doses[{j}]", value, number=True))
            previous = value
    return found


def dose_number(dose: Any) -> str | None:
    """A taper dose as it is written in a figure: 40, 7.5 ('~40' and 40.0 give 40)."""
    try:
        value = float(str(dose).lstrip("~").strip())
    except ValueError:
        return None
    return f"{value:g}"


def squeezed(text: str) -> str:
    """Text compared as a reader would: case and every space ignored, forms unified."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def missing_texts(expected: list[Expected], texts: list[Text]) -> list[Expected]:
    """The expected texts found in no drawn text other than a tick label.

    Labels and dose texts are looked for whitespace-insensitively, across the figure's texts
    joined (plotly splits a text's lines into spans). Taper doses are looked for as numbers,
    each change of a taper needing one occurrence of its number, among the texts left once
    the labels and dose texts found are taken out (so that the 60 of "60 mg four times a
    day" is not taken for a taper's 60) and axis titles aside; a decimal comma counts as a
    point.
    """
    drawn = [squeezed(t.text) for t in texts if t.role not in ("tick", "xtick")]
    joined = "\x1f".join(drawn)
    lost = []
    words = [squeezed(item.text) for item in expected if not item.number]
    for item in expected:
        if not item.number and squeezed(item.text) not in joined:
            lost.append(item)
    rest = "\x1f".join(squeezed(t.text) for t in texts if t.role not in ("tick", "xtick", "ytitle"))
    for word in sorted(set(words), key=len, reverse=True):
        rest = rest.replace(word, "\x1f")
    numbers = Counter(numbers_in(rest.split("\x1f")))
    for item in expected:
        if item.number:
            if numbers[item.text] > 0:
                numbers[item.text] -= 1
            else:
                lost.append(item)
    return lost


def numbers_in(texts: Iterable[str]) -> list[str]:
    """Every number written in the texts, normalised as `dose_number` writes it."""
    found = []
    for text in texts:
        for raw in re.findall(r"(?<![\d.,])\d+(?:[.,]\d+)?(?![\d])", text):
            number = dose_number(raw.replace(",", "."))
            if number is not None:
                found.append(number)
    return found


def smallest_type(texts: list[Text]) -> float:
    """The smallest font size drawn, in CSS px (0 when nothing is written)."""
    return min((t.size for t in texts), default=0.0)
