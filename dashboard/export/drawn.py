"""What Chromium drew, read back and checked before a figure is written: texts that overlap,
texts cut off at the image's edge, texts drawn over a mark.

The layout measures texts with the fonts that draw them, so these should not happen; when
they do (a script no shipped font has, a course denser than its size), the image is not
written silently: the renderer sends the labels concerned to the key and draws again, and
says what is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SLACK = 1.0  # px: boxes that touch by less than this each way do not count
MARK_COVER = 0.3  # a text covering more than this share of a mark's box hides it
LABEL_ROLE = "textpoint"  # the class of the group plotly draws a scatter trace's texts in

# In the browser: every text plotly drew and every scatter mark, in px from the figure's
# top-left corner. Tick labels of one axis and entries of the legend are laid out by plotly
# itself and are read too: two of them overlapping is as bad as any other pair.
MEASURE_JS = """
(div) => {
  const frame = div.getBoundingClientRect();
  const box = (element) => {
    const b = element.getBoundingClientRect();
    return [b.left - frame.left, b.top - frame.top, b.right - frame.left, b.bottom - frame.top];
  };
  const visible = (element) => {
    const style = getComputedStyle(element);
    return style.display !== 'none' && style.visibility !== 'hidden' && +style.opacity !== 0;
  };
  const texts = [];
  for (const text of div.querySelectorAll('svg.main-svg text')) {
    const content = text.textContent.trim();
    if (!content || !visible(text)) continue;
    const b = box(text);
    if (b[2] - b[0] <= 0 || b[3] - b[1] <= 0) continue;
    const group = text.closest('g[class]');
    texts.push({text: content, box: b, size: parseFloat(getComputedStyle(text).fontSize),
                role: group ? group.getAttribute('class') : ''});
  }
  const marks = [];
  for (const mark of div.querySelectorAll('svg.main-svg .scatterlayer path.point')) {
    if (!visible(mark)) continue;
    const b = box(mark);
    if (b[2] - b[0] > 0 && b[3] - b[1] > 0) marks.push(b);
  }
  const size = div._fullLayout ? div._fullLayout._size : null;
  return {width: frame.width, height: frame.height, texts, marks,
          plot: size ? {l: size.l, r: size.r, t: size.t, b: size.b, w: size.w, h: size.h} : null};
}
"""


@dataclass(frozen=True, slots=True)
class Text:
    """One drawn text and its box (x0, y0, x1, y1) in px."""

    text: str
    box: tuple[float, float, float, float]
    size: float
    role: str = ""


@dataclass
class Drawn:
    """Every text and mark of a drawn figure, and its size."""

    width: float
    height: float
    texts: list[Text] = field(default_factory=list)
    marks: list[tuple[float, float, float, float]] = field(default_factory=list)
    # the plot area plotly settled on (margins l, r, t, b; width w, height h), after its own
    # automatic margins for tick labels, titles and legend
    plot: dict[str, float] = field(default_factory=dict)

    @classmethod
    def read(cls, found: dict[str, Any]) -> Drawn:
        """From what `MEASURE_JS` returned."""
        texts = [
            Text(item["text"], tuple(item["box"]), float(item["size"]), item.get("role") or "")
            for item in found["texts"]
        ]
        marks = [tuple(m) for m in found["marks"]]
        plot = {key: float(value) for key, value in (found.get("plot") or {}).items()}
        return cls(float(found["width"]), float(found["height"]), texts, marks, plot)


@dataclass(frozen=True, slots=True)
class Problems:
    """What a reader would see wrong in a drawn figure."""

    overlaps: tuple[tuple[str, str], ...] = ()
    cut: tuple[str, ...] = ()
    over_marks: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.overlaps or self.cut or self.over_marks)

    def texts(self) -> set[str]:
        """Every text concerned."""
        return {t for pair in self.overlaps for t in pair} | set(self.cut) | set(self.over_marks)

    def describe(self) -> str:
        """The problems in a sentence or three, each text quoted (the first few of each)."""
        parts = []
        if self.overlaps:
            pairs = ", ".join(f"{_q(a)} and {_q(b)}" for a, b in self.overlaps[:4])
            more = f" and {len(self.overlaps) - 4} more" if len(self.overlaps) > 4 else ""
            parts.append(f"texts overlap: {pairs}{more}")
        if self.cut:
            texts = ", ".join(_q(t) for t in self.cut[:4])
            more = f" and {len(self.cut) - 4} more" if len(self.cut) > 4 else ""
            parts.append(f"cut off at the edge: {texts}{more}")
        if self.over_marks:
            texts = ", ".join(_q(t) for t in self.over_marks[:4])
            parts.append(f"drawn over a mark: {texts}")
        return "; ".join(parts)


def _q(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, float]:
    return min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])


@dataclass(frozen=True, slots=True)
class _Faults:
    """The drawn texts concerned in each kind of problem."""

    overlaps: list[tuple[Text, Text]]
    cut: list[Text]
    over_marks: list[Text]


def _faults(drawn: Drawn) -> _Faults:
    texts = drawn.texts
    overlaps = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            dx, dy = _overlap(a.box, b.box)
            if dx > SLACK and dy > SLACK:
                overlaps.append((a, b))
    cut = [
        t
        for t in texts
        if t.box[0] < -SLACK
        or t.box[1] < -SLACK
        or t.box[2] > drawn.width + SLACK
        or t.box[3] > drawn.height + SLACK
    ]
    over = []
    for t in texts:
        for mark in drawn.marks:
            dx, dy = _overlap(t.box, mark)
            area = (mark[2] - mark[0]) * (mark[3] - mark[1])
            if dx > SLACK and dy > SLACK and dx * dy > MARK_COVER * area:
                over.append(t)
                break
    return _Faults(overlaps, cut, over)


def check(drawn: Drawn) -> Problems:
    """Overlapping texts, texts past the figure's edge, and texts that cover a mark."""
    faults = _faults(drawn)
    return Problems(
        tuple((a.text, b.text) for a, b in faults.overlaps),
        tuple(t.text for t in faults.cut),
        tuple(t.text for t in faults.over_marks),
    )


def _squeezed(text: str) -> str:
    return "".join(text.split())


def to_key(drawn: Drawn, labels: Iterable[Mapping[str, str]]) -> frozenset[str]:
    """The refs of the labels (`meta["labels"]`: each drawn beside its mark) that the drawing
    shows cannot stay there: cut at the edge, over a mark, or overlapping another text. Of
    two labels that overlap, the wider goes, leaving the most room for the other; a label
    that overlaps a text that is not one (a row name, a tick label, the legend) goes."""
    refs: dict[str, list[str]] = {}
    for label in labels:
        refs.setdefault(_squeezed(label["text"]), []).append(label["ref"])

    def label_refs(text: Text) -> list[str]:
        # plotly draws the labels beside marks as scatter text; a tick label "30" is no dose
        return refs.get(_squeezed(text.text), []) if text.role == LABEL_ROLE else []

    faults = _faults(drawn)
    sent: set[str] = set()
    for text in [*faults.cut, *faults.over_marks]:
        sent.update(label_refs(text))
    for a, b in faults.overlaps:
        if label_refs(a) and label_refs(b):
            wider = max((a, b), key=lambda t: t.box[2] - t.box[0])
            sent.update(label_refs(wider))
        else:
            sent.update(label_refs(a) or label_refs(b))
    return frozenset(sent)
