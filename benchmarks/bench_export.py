"""Export speed and size: a site of 1000 cases and a batch of PNGs, each against a baseline.

Run: python benchmarks/bench_export.py [--cases 1000] [--images 100] [--one-off 5]
Every figure is measured in this run, next to its baseline, and printed with its goal.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.export import ImageRenderer
from dashboard.export.images import browser_path, write_images
from dashboard.export.site import PLOTLY_JS, export_site
from dashboard.figure import build_figure
from dashboard.load import load_folder
from tests.synth import write_cases

SITE_SECONDS = 60.0
PAGE_BYTES = 60 * 1024
PNG_SECONDS = 0.3


def report(name: str, value: str, ratio: str, goal: str, met: bool) -> None:
    """One line of results."""
    print(f"{name:<42} {value:>14} {ratio:>26}  goal {goal:<16} {'met' if met else 'MISSED'}")


def bench_site(folder: Path, work: Path, count: int) -> None:
    """Export `count` cases as a site; baseline: load them, build each figure and its JSON."""
    started = time.perf_counter()
    catalog = load_folder(folder)
    for case_file in catalog.cases.values():
        build_figure(case_file.case).to_json()
    baseline = time.perf_counter() - started

    site = work / "site"
    started = time.perf_counter()
    result = export_site(folder, site)
    elapsed = time.perf_counter() - started
    assert len(result.cases) == count, "every synthetic case exports"

    plotly_bytes = (site / PLOTLY_JS).stat().st_size
    pages = [path.stat().st_size for path in result.cases.values()]
    index_bytes = (site / "index.html").stat().st_size
    total = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    per_case = (total - plotly_bytes) / count
    report(
        f"site export, {count} typical cases",
        f"{elapsed:.1f} s",
        f"{elapsed / baseline:.2f}x figures+JSON ({baseline:.1f} s)",
        f"<= {SITE_SECONDS:.0f} s",
        elapsed <= SITE_SECONDS,
    )
    report(
        "site size beyond plotly.js, per case",
        f"{per_case / 1024:.1f} KB",
        f"largest page {max(pages) / 1024:.0f} KB",
        f"<= {PAGE_BYTES // 1024} KB",
        per_case <= PAGE_BYTES,
    )
    print(
        f"  total {total / 1e6:.1f} MB = plotly.js {plotly_bytes / 1e6:.1f} MB once "
        f"+ {count} pages ({sum(pages) / 1e6:.1f} MB) + index {index_bytes / 1024:.0f} KB"
    )


def bench_images(folder: Path, work: Path, count: int, one_off: int) -> None:
    """A batch of PNGs with one browser; baseline: fig.write_image, a fresh browser each."""
    catalog = load_folder(folder)
    cases = [case_file.case for case_file in list(catalog.cases.values())[:count]]
    out = work / "png"
    targets = [(case, out / f"{index}.png") for index, case in enumerate(cases)]
    started = time.perf_counter()
    with ImageRenderer() as renderer:
        opened = time.perf_counter()
        first = write_images(targets[:1], renderer, size="page")
        drew_first = time.perf_counter()
        rest = write_images(targets[1:], renderer, size="page")
        finished = time.perf_counter()
    assert len(first + rest) == count
    per_figure = (finished - drew_first) / (count - 1)
    times = [opened - started, drew_first - opened, finished - drew_first]

    # plotly's own route, as users would call it: each call starts and stops a browser
    import os

    import plotly.io as pio

    os.environ.setdefault("BROWSER_PATH", browser_path())
    pio.defaults.mathjax = None  # no CDN: nothing may be fetched
    one_off_times = []
    for index, case in enumerate(cases[:one_off]):
        figure = build_figure(case, theme="print", width=680)
        started = time.perf_counter()
        figure.write_image(str(out / f"one-off-{index}.png"), scale=3.125)
        one_off_times.append(time.perf_counter() - started)
    one_off_mean = sum(one_off_times) / len(one_off_times)
    report(
        f"PNG batch, {count} page-size figures",
        f"{per_figure:.3f} s/fig",
        f"{one_off_mean / per_figure:.1f}x faster than one-off",
        f"<= {PNG_SECONDS} s/fig",
        per_figure <= PNG_SECONDS,
    )
    print(
        f"  browser start {times[0]:.2f} s, first figure {times[1]:.2f} s, the other "
        f"{count - 1} {times[2]:.1f} s ({renderer.tabs} tabs); fig.write_image one-off "
        f"{one_off_mean:.2f} s/fig over {len(one_off_times)}"
    )


def main() -> None:
    """Run both benchmarks on freshly generated synthetic cases."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--one-off", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as temporary:
        work = Path(temporary)
        folder = work / "cases"
        write_cases(folder, args.cases, size="typical")
        print(f"{'benchmark':<42} {'value':>14} {'ratio against baseline':>26}")
        bench_site(folder, work, args.cases)
        bench_images(folder, work, args.images, args.one_off)


if __name__ == "__main__":
    main()
