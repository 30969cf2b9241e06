"""Layout quality: what a reader would see wrong in every figure, counted from what Chromium drew.

Run: python benchmarks/bench_layout.py [--only NAME] [--sizes column,page] [--synthetic 4]
                                       [--keep FOLDER] [--verbose] [--no-timing]

Figures: every case in timelines/, the realistic cases of tests/data/realistic/ and its
held-out/ folder (cases written from the README alone, in German and Japanese, lab-heavy,
with calendar dates), dense generated ones (tests/synth.py), and every series of
timelines/ and tests/data/realistic-series/ as aligned rows and as panels; each at column,
page and slide size. Each is drawn as the user draws it, by `clinical-course render ... .svg`,
then laid out again in Chromium, which reports every text's box (benchmarks/drawn.py):

- overlapping text pairs, text pairs run together (on one line, under half an em apart),
  texts cut off (reaching past the figure), texts shortened with an ellipsis, texts on a mark;
- labels missing: every event label, treatment dose and change of a taper's dose the files
  give, looked for among the drawn texts (tick labels aside); an ellipsis is not a trace;
- value axes with fewer than three labelled ticks (left and right-hand y axes);
- the legend's share of the height (worst at column size), the smallest type (pt at print
  size, px on a 1080-line slide), height / width and the figures over the journal limits;
- figures with a fault and no warning from `render`, and renders that printed a traceback.

Last, it times one column PNG of a seed case through the project (`save`) against plotly's
own drawing of the same figure at the same size (`plotly.io.to_image` via kaleido), cold (a
browser started per image, as one `render` does) and warm (one browser kept open), and prints
the ratios.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright

from benchmarks.drawn import (
    FEWEST_TICKS,
    Drawn,
    Expected,
    expected_texts,
    legend_share,
    missing_texts,
    overlapping_texts,
    read_drawn,
    smallest_type,
    texts_cut,
    texts_on_marks,
    texts_run_together,
    texts_shortened,
    value_axis_ticks,
)
from tests.synth import generate_case

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CASE_FOLDERS = (ROOT / "timelines", DATA / "realistic", DATA / "realistic" / "held-out")
SERIES_FOLDERS = (ROOT / "timelines", DATA / "realistic-series")
SIZE_NAMES = ("column", "page", "slide")
VIEWS = ("series", "panels")
PRINT_MM = {"column": 85.0, "page": 180.0}
PT_PER_CSS_PX = 0.75
RATIO_LIMIT = {"column": 1.4, "page": 1.0}
MM_LIMIT = 240.0
LEGEND_LIMIT = 0.25
RENDER_TIMEOUT = 600
TRACEBACK = "a Python traceback"
TIMED_CASE = ROOT / "timelines" / "nomura-2025-case2.yaml"
Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Figure:
    """One figure to draw: a case, or a series in one view, at one size."""

    name: str
    size: str
    view: str  # "case", "series" (aligned rows) or "panels"
    expected: list[Expected]


@dataclass
class Result:
    """What one figure measured."""

    figure: Figure
    drawn: Drawn | None  # None: render wrote no file
    warnings: list[str] = field(default_factory=list)
    overlaps: list[tuple[str, str]] = field(default_factory=list)
    together: list[tuple[str, str]] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)
    shortened: list[str] = field(default_factory=list)
    on_marks: list[str] = field(default_factory=list)
    missing: list[Expected] = field(default_factory=list)
    axes: dict[str, int] = field(default_factory=dict)
    legend: float = 0.0
    smallest: float = 0.0

    @property
    def thin_axes(self) -> list[str]:
        """The value axes with fewer than three labelled ticks."""
        return [axis for axis, count in self.axes.items() if count < FEWEST_TICKS]

    @property
    def ratio(self) -> float:
        """Height over width."""
        return self.drawn.height / self.drawn.width if self.drawn else 0.0

    @property
    def faults(self) -> int:
        """Everything a reader would see wrong, counted together."""
        return (
            len(self.overlaps)
            + len(self.together)
            + len(self.cut)
            + len(self.missing)
            + len(self.thin_axes)
            + (self.drawn is None)
        )


def read_yaml(path: Path) -> dict[str, Any]:
    """A case or series file as plain data (the files are valid; the package checks them)."""
    data = yaml.load(path.read_text("utf-8"), Loader=Loader)
    return data if isinstance(data, dict) else {}


def case_files(synthetic: Path, count: int) -> list[Path]:
    """The case files measured: seeds, realistic and held-out cases, and generated ones."""
    synthetic.mkdir(parents=True, exist_ok=True)
    for seed in range(count):
        text = yaml.safe_dump(generate_case(seed), sort_keys=False, allow_unicode=True)
        (synthetic / f"synthetic-{seed}.yaml").write_text(text, "utf-8")
    found = []
    for folder in (*CASE_FOLDERS, synthetic):
        found += [p for p in sorted(folder.glob("*.yaml")) if not is_series(p)]
    return found


def series_files() -> list[Path]:
    """The series files measured."""
    return [p for folder in SERIES_FOLDERS for p in sorted(folder.glob("*.series.yaml"))]


def is_series(path: Path) -> bool:
    """Whether a file is a series (`*.series.yaml`), not a case."""
    return path.name.endswith((".series.yaml", ".series.yml"))


def series_id(path: Path) -> str:
    """A series' id: its file name without `.series.yaml`."""
    return path.name.removesuffix(".yaml").removesuffix(".yml").removesuffix(".series")


def panel_cases(path: Path) -> list[Path]:
    """The case files a series draws as panels: `panels`, else `cases` (ids or patterns)."""
    series = read_yaml(path)
    folder = path.parent
    names = [p.stem for p in sorted(folder.glob("*.yaml")) if not is_series(p)]
    chosen: list[str] = []
    for pattern in series.get("panels") or series.get("cases") or ["*"]:
        for name in names:
            if fnmatch.fnmatchcase(name, str(pattern)) and name not in chosen:
                chosen.append(name)
    return [folder / f"{name}.yaml" for name in chosen]


def render(arguments: list[str]) -> str:
    """Run `clinical-course render` on this checkout; what it said on the terminal."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "render", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=RENDER_TIMEOUT,
        check=False,
    )
    return done.stdout + done.stderr


def said(output: str, name: str | None = None) -> list[str]:
    """The warnings in `render`'s output: lines that say "warning" or name the figure's file,
    and a line for a traceback (which no user should see)."""
    found = []
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("Traceback"):
            found.append(TRACEBACK)
        elif (
            line
            and not line.startswith("Wrote ")
            and ("warning" in line.casefold() or (name is not None and name in line))
        ):
            found.append(line)
    return found


def drawn_figures(
    cases: list[Path], series: list[Path], sizes: list[str], out: Path
) -> Iterator[tuple[Figure, Path, list[str]]]:
    """Draw every figure as SVG through `render`; each with its file and the render's words.

    A folder of cases is drawn by one `render` (one browser), as a user would.
    """
    folders: dict[Path, list[Path]] = {}
    for path in cases:
        folders.setdefault(path.parent, []).append(path)
    for size in sizes:
        for n, (folder, paths) in enumerate(folders.items()):
            target = out / f"{size}-{n}"
            output = render([str(folder), "-o", str(target), "--format", "svg", "--size", size])
            for path in paths:
                figure = Figure(path.stem, size, "case", expected_texts(read_yaml(path)))
                yield figure, target / f"{path.stem}.svg", said(output, path.stem)
        for path in series:
            name = series_id(path)
            for view in VIEWS:
                target = out / f"{size}-{name}-{view}.svg"
                output = render([str(path), "-o", str(target), "--size", size, "--view", view])
                expected = (
                    [item for case in panel_cases(path) for item in expected_texts(read_yaml(case))]
                    if view == "panels"
                    else []  # rows name their cases and mark relapses; they carry no labels
                )
                yield Figure(name, size, view, expected), target, said(output)


def measure(figure: Figure, drawn: Drawn | None, warnings: list[str]) -> Result:
    """Judge one drawn figure."""
    result = Result(figure, drawn, warnings)
    if drawn is None:
        return result
    result.overlaps = overlapping_texts(drawn.texts)
    result.together = texts_run_together(drawn.texts)
    result.cut = texts_cut(drawn)
    result.shortened = texts_shortened(drawn.texts)
    result.on_marks = texts_on_marks(drawn)
    result.missing = missing_texts(figure.expected, drawn.texts)
    result.axes = value_axis_ticks(drawn.texts)
    result.legend = legend_share(drawn)
    result.smallest = smallest_type(drawn.texts)
    if figure.size in PRINT_MM:
        result.smallest *= PT_PER_CSS_PX
    return result


def report(results: list[Result], verbose: bool) -> None:
    """Print a line per figure (and with `verbose` each fault), then the totals."""
    print(
        f"{'figure':<34} {'size':<6} {'overlap':>7} {'close':>5} {'cut':>4} {'on mark':>7} "
        f"{'missing':>7} {'thin ax':>7} {'legend':>6} {'type':>8} {'h/w':>5} {'warned':>6}"
    )
    for r in results:
        f = r.figure
        name = f.name if f.view == "case" else f"{f.name} ({f.view})"
        if r.drawn is None:
            print(f"{name[:34]:<34} {f.size:<6} not drawn: {' | '.join(r.warnings)[:200]}")
            continue
        unit = "pt" if f.size in PRINT_MM else "px"
        print(
            f"{name[:34]:<34} {f.size:<6} {len(r.overlaps):>7} {len(r.together):>5} "
            f"{len(r.cut):>4} {len(r.on_marks):>7} {len(r.missing):>7} {len(r.thin_axes):>7} "
            f"{r.legend:>6.0%} {r.smallest:>5.1f} {unit} {r.ratio:>5.2f} {len(r.warnings):>6}"
        )
        if verbose:
            for line in listed(r):
                print(f"    {line}")
    totals(results)


def listed(r: Result) -> Iterator[str]:
    """Each fault of a figure, and each thing render said, as a line."""
    yield from (f"overlap: {a[:40]!r} / {b[:40]!r}" for a, b in r.overlaps)
    yield from (f"run together: {a[:40]!r} / {b[:40]!r}" for a, b in r.together)
    kinds = (("cut off", r.cut), ("shortened", r.shortened), ("on a mark", r.on_marks))
    yield from (f"{kind}: {text[:60]!r}" for kind, texts in kinds for text in texts)
    yield from (f"missing: {item.where}: {item.text!r}" for item in r.missing)
    yield from (f"axis {axis}: {r.axes[axis]} labelled ticks" for axis in r.thin_axes)
    yield from (f"render said: {line[:160]}" for line in r.warnings)


def totals(results: list[Result]) -> None:
    """The totals, in one block."""
    drawn = [r for r in results if r.drawn is not None]
    printed = [r for r in drawn if r.figure.size in PRINT_MM]
    over = [
        r
        for r in printed
        if r.ratio > RATIO_LIMIT[r.figure.size]
        or r.ratio * PRINT_MM[r.figure.size] > MM_LIMIT + 0.5
    ]
    columns = [r for r in drawn if r.figure.size == "column"]
    pages = [r for r in drawn if r.figure.size == "page"]
    slides = [r for r in drawn if r.figure.size == "slide"]
    silent = [r for r in results if r.faults and not set(r.warnings) - {TRACEBACK}]
    traced = [r for r in results if TRACEBACK in r.warnings]
    expected = sum(len(r.figure.expected) for r in drawn)
    axes = sum(len(r.axes) for r in drawn)
    lines: list[tuple[str, object]] = [
        ("figures measured", len(results)),
        ("figures not drawn", len(results) - len(drawn)),
        ("overlapping text pairs", sum(len(r.overlaps) for r in drawn)),
        ("text pairs run together (< 0.5 em apart)", sum(len(r.together) for r in drawn)),
        ("texts cut off", sum(len(r.cut) for r in drawn)),
        ("texts shortened with …", sum(len(r.shortened) for r in drawn)),
        ("texts on a mark", sum(len(r.on_marks) for r in drawn)),
        ("labels and doses missing", f"{sum(len(r.missing) for r in drawn)} of {expected}"),
        (
            f"value axes with < {FEWEST_TICKS} labelled ticks",
            f"{sum(len(r.thin_axes) for r in drawn)} of {axes}",
        ),
    ]
    if columns:
        worst = max(columns, key=lambda r: r.legend)
        tallest = max(columns, key=lambda r: r.ratio)
        over_quarter = sum(r.legend > LEGEND_LIMIT for r in columns)
        lines += [
            ("legend share, worst column figure", f"{worst.legend:.0%} ({worst.figure.name})"),
            ("column figures with legend over 25 %", f"{over_quarter} of {len(columns)}"),
            ("largest height/width, column", f"{tallest.ratio:.2f} ({tallest.figure.name})"),
        ]
    if pages:
        tallest = max(pages, key=lambda r: r.ratio)
        lines.append(("largest height/width, page", f"{tallest.ratio:.2f} ({tallest.figure.name})"))
    if printed:
        lines += [
            ("print figures over the journal limits", f"{len(over)} of {len(printed)}"),
            ("smallest type at print size", f"{min(r.smallest for r in printed):.1f} pt"),
        ]
    if slides:
        lines.append(("smallest type on a slide", f"{min(r.smallest for r in slides):.1f} px"))
    lines.append(("figures with faults and no warning", f"{len(silent)} of {len(results)}"))
    lines.append(("renders that printed a traceback", f"{len(traced)} of {len(results)}"))
    print()
    print("totals")
    for label, value in lines:
        print(f"  {label:<40} {value}")


def time_column_png(repeats: int) -> None:
    """Time one column PNG of a seed case through the project and through plotly alone."""
    import kaleido
    import plotly.io as pio

    from dashboard.export import save
    from dashboard.export.images import SIZES, ImageRenderer, browser_path, image_figure
    from dashboard.load import load_case

    os.environ.setdefault("BROWSER_PATH", browser_path())  # for plotly's own kaleido
    case = load_case(TIMED_CASE)
    size = SIZES["column"]
    spec = image_figure(case, size).to_dict()
    height = spec["layout"]["height"]

    def ours(renderer: ImageRenderer | None, target: Path) -> None:
        save(case, target, size="column", renderer=renderer)

    def plotly_alone() -> None:
        # validate=False: the spec is already a figure; checking it again is not drawing
        pio.to_image(
            spec, format="png", width=size.width, height=height, scale=size.scale, validate=False
        )

    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "figure.png"
        cold_ours, cold_base = [], []
        for _ in range(repeats):  # alternated, so that both see the same machine
            cold_ours.append(timed(lambda: ours(None, target)))
            cold_base.append(timed(plotly_alone))
        warm_ours, warm_base = [], []
        with ImageRenderer(tabs=1) as renderer:
            ours(renderer, target)
            warm_ours = [timed(lambda: ours(renderer, target)) for _ in range(repeats * 3)]
        # the same browser options as the project's (no MathJax); plotly passes none to a server
        kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
        try:
            with warnings.catch_warnings():  # "kopts ... ignored if using a server"
                warnings.simplefilter("ignore", UserWarning)
                plotly_alone()
                warm_base = [timed(plotly_alone) for _ in range(repeats * 3)]
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
    print()
    print(f"one column PNG of {TIMED_CASE.stem} (median of {repeats} cold, {repeats * 3} warm)")
    for label, mine, base in (("cold", cold_ours, cold_base), ("warm", warm_ours, warm_base)):
        a, b = statistics.median(mine), statistics.median(base)
        print(f"  {label}: project {a:.2f} s, plotly.io.to_image {b:.2f} s, ratio {a / b:.2f}x")


def timed(work: Any) -> float:
    """Seconds `work()` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    """Draw, read back and judge every figure, print the totals, then time one PNG."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="figures whose name contains this")
    parser.add_argument("--sizes", default=",".join(SIZE_NAMES), help="e.g. column,page")
    parser.add_argument("--synthetic", type=int, default=4, help="generated dense cases")
    parser.add_argument("--keep", type=Path, help="keep the SVGs in this folder")
    parser.add_argument("--verbose", action="store_true", help="list every fault")
    parser.add_argument("--no-timing", action="store_true", help="skip the PNG timing")
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (cold)")
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = sorted(set(sizes) - set(SIZE_NAMES))
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}; expected {', '.join(SIZE_NAMES)}")

    def wanted(name: str) -> bool:
        return not args.only or any(part in name for part in args.only)

    with tempfile.TemporaryDirectory() as work:
        out = args.keep or Path(work) / "svg"
        out.mkdir(parents=True, exist_ok=True)
        cases = [p for p in case_files(Path(work) / "synthetic", args.synthetic) if wanted(p.stem)]
        series = [p for p in series_files() if wanted(series_id(p))]
        results = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("BROWSER_PATH") or shutil.which("chromium"),
                args=["--no-sandbox", "--disable-gpu"],
            )
            page = browser.new_page()
            for figure, path, warnings in drawn_figures(cases, series, sizes, out):
                drawn = read_drawn(page, path.read_bytes()) if path.is_file() else None
                results.append(measure(figure, drawn, warnings))
            browser.close()
    report(results, args.verbose)
    if not args.no_timing:
        time_column_png(args.repeats)


if __name__ == "__main__":
    main()
