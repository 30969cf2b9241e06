"""Layout quality: every case at every image size as SVG, its texts measured in Chromium.

Run: python benchmarks/bench_layout.py [--synthetic 4] [--keep FOLDER]

Cases: every file in timelines/, the realistic cases in tests/data/realistic/, and dense
generated ones (benchmarks/synth.py). Sizes: column, page, slide. For each figure, Chromium
lays out the SVG and reports every text's box; the totals are
- overlapping text pairs (boxes sharing more than 1 px each way),
- texts outside the figure (a box reaching more than 1 px past its edge),
- the smallest type (pt at print size, px on a 1080-line slide),
- height / width, and the figures over the journal limits (column 1.4, page 1.0, 240 mm).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, sync_playwright

from benchmarks.synth import generate_case
from dashboard.export.images import (
    SIZES,
    ImageRenderer,
    browser_path,
    image_figure,
)
from dashboard.load import is_series, load_case
from dashboard.model import Case

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "timelines", ROOT / "tests" / "data" / "realistic")
SIZE_NAMES = ("column", "page", "slide")
PT_PER_CSS_PX = 0.75
RATIO_LIMIT = {"column": 1.4, "page": 1.0}
MM_LIMIT = 240.0

MEASURE = """
() => {
  const svg = document.querySelector('svg');
  const frame = svg.getBoundingClientRect();
  const boxes = [];
  for (const text of svg.querySelectorAll('text')) {
    const content = text.textContent.trim();
    if (!content) continue;
    const style = getComputedStyle(text);
    if (style.display === 'none' || style.visibility === 'hidden' || +style.opacity === 0) continue;
    const box = text.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    boxes.push({text: content, x0: box.left - frame.left, y0: box.top - frame.top,
                x1: box.right - frame.left, y1: box.bottom - frame.top,
                size: parseFloat(style.fontSize)});
  }
  return {width: frame.width, height: frame.height, boxes};
}
"""


@dataclass
class Result:
    """What one figure measured."""

    case: str
    size: str
    overlaps: list[tuple[str, str]]
    outside: list[str]
    smallest: float
    ratio: float
    height_mm: float | None


def cases(synthetic: int) -> list[tuple[str, Case]]:
    """The cases to measure: the seeds, the realistic ones and `synthetic` generated ones."""
    found: list[tuple[str, Case]] = []
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.yaml")):
            if is_series(path):  # a list of cases, drawn as a series, not one case
                continue
            found.append((path.stem, load_case(path)))
    with tempfile.TemporaryDirectory() as work:
        for seed in range(synthetic):
            path = Path(work) / f"synthetic-{seed}.yaml"
            path.write_text(yaml.safe_dump(generate_case(seed), sort_keys=False), "utf-8")
            found.append((path.stem, load_case(path)))
    return found


def measure(page: Page, svg: bytes, name: str, size: str) -> Result:
    """Lay `svg` out in Chromium at its own pixel size and measure its texts."""
    text = svg.decode("utf-8")
    page.set_content(f"<html><body style='margin:0'>{text}</body></html>")
    page.evaluate(
        "() => { const s = document.querySelector('svg'); const v = s.viewBox.baseVal;"
        " if (v && v.width) { s.setAttribute('width', v.width);"
        " s.setAttribute('height', v.height); } }"
    )
    found: dict[str, Any] = page.evaluate(MEASURE)
    boxes = found["boxes"]
    width, height = found["width"], found["height"]
    overlaps = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if dx > 1 and dy > 1:
                overlaps.append((a["text"], b["text"]))
    outside = [
        box["text"]
        for box in boxes
        if box["x0"] < -1 or box["y0"] < -1 or box["x1"] > width + 1 or box["y1"] > height + 1
    ]
    print_size = SIZES[size].mm
    smallest = min((box["size"] for box in boxes), default=0.0)
    if print_size is not None:
        smallest *= PT_PER_CSS_PX
    height_mm = print_size * height / width if print_size is not None else None
    return Result(name, size, overlaps, outside, smallest, height / width, height_mm)


def main() -> None:
    """Render, measure and print every figure, then the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=4, help="generated dense cases")
    parser.add_argument("--keep", type=Path, help="write the SVGs into this folder")
    parser.add_argument("--verbose", action="store_true", help="list each overlap and cut text")
    args = parser.parse_args()
    results: list[Result] = []
    with (
        ImageRenderer(tabs=2) as renderer,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=browser_path(), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        for name, case in cases(args.synthetic):
            for size_name in SIZE_NAMES:
                size = SIZES[size_name]
                svg = renderer.image(image_figure(case, size), "svg", size)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"{name}-{size_name}.svg").write_bytes(svg)
                results.append(measure(page, svg, name, size_name))
        browser.close()
    print(f"{'case':<28} {'size':<7} {'overlaps':>8} {'outside':>8} {'smallest':>9} {'h/w':>6}")
    for r in results:
        unit = "px" if r.height_mm is None else "pt"
        mm = f"  {r.height_mm:.0f} mm" if r.height_mm is not None else ""
        print(
            f"{r.case:<28} {r.size:<7} {len(r.overlaps):>8} {len(r.outside):>8} "
            f"{r.smallest:>6.1f} {unit} {r.ratio:>6.2f}{mm}"
        )
        if args.verbose:
            for a, b in r.overlaps:
                print(f"    overlap: {a[:40]!r} / {b[:40]!r}")
            for text in r.outside:
                print(f"    outside: {text[:60]!r}")
    printed = [r for r in results if r.height_mm is not None]
    too_tall = [
        r
        for r in printed
        if r.ratio > RATIO_LIMIT[r.size] or (r.height_mm is not None and r.height_mm > MM_LIMIT)
    ]
    print()
    print(f"figures measured              {len(results)}")
    print(f"overlapping text pairs        {sum(len(r.overlaps) for r in results)}")
    print(f"texts outside the figure      {sum(len(r.outside) for r in results)}")
    print(f"smallest type at print size   {min(r.smallest for r in printed):.1f} pt")
    slides = [r.smallest for r in results if r.size == "slide"]
    print(f"smallest type on a slide      {min(slides):.1f} px")
    print(f"print figures over the limit  {len(too_tall)} of {len(printed)}")
    for size_name in ("column", "page"):
        ratios = [r.ratio for r in printed if r.size == size_name]
        print(f"largest height/width, {size_name:<7} {max(ratios):.2f}")


if __name__ == "__main__":
    main()
