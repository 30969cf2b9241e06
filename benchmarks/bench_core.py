"""Core speed and size: loading, validating and drawing cases, each against a baseline.

Run: python benchmarks/bench_core.py [--files 1000]
Every figure is measured in this run, next to its baseline, and printed with its goal.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import plotly.express as px
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.figure import build_figure, figure_spec
from dashboard.load import load_case
from dashboard.model import Case
from tests.synth import write_cases


def timings(repeats: int, action: Callable[[], object]) -> list[float]:
    """How long each of several runs of `action` took, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """The fastest of several runs (the least disturbed by the machine)."""
    return min(timings(repeats, action))


def median_of(repeats: int, action: Callable[[], object]) -> float:
    """The median of several runs."""
    return statistics.median(timings(repeats, action))


def report(name: str, value: str, ratio: str, goal: str, met: bool) -> None:
    """One line of results."""
    print(f"{name:<44} {value:>14} {ratio:>22}  goal {goal:<18} {'met' if met else 'MISSED'}")


def timeline_baseline(case: Case) -> Callable[[], object]:
    """px.timeline on the same treatment intervals as the case's bars."""
    rows = []
    for treatment in case.treatments:
        start = treatment.first.day
        end = treatment.last.day if treatment.last.day > start else start + 1
        rows.append({"row": treatment.row, "start": start, "end": end})
    base = pd.Timestamp("2000-01-01")
    frame = pd.DataFrame(
        {
            "row": [row["row"] for row in rows],
            "start": [base + pd.Timedelta(days=row["start"]) for row in rows],
            "end": [base + pd.Timedelta(days=row["end"]) for row in rows],
        }
    )
    return lambda: px.timeline(frame, x_start="start", x_end="end", y="row")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000, help="How many files to validate.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        paths = write_cases(Path(folder) / "typical", args.files, size="typical", seed=1)
        (large_path,) = write_cases(Path(folder) / "large", 1, size="large", seed=2)
        texts = [path.read_text(encoding="utf-8") for path in paths]

        def parse_only() -> None:
            for path in paths:
                yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

        def validate_all() -> None:
            for path in paths:
                load_case(path)

        parse_only()  # warm the file cache for both
        parse = best_of(3, parse_only)
        validate = best_of(3, validate_all)
        print(
            f"clinical-course core benchmark: {args.files} typical files, "
            f"{sum(map(len, texts)) / len(texts) / 1024:.1f} KB each on average\n"
        )
        report(
            f"validate {args.files} files (load_case)",
            f"{validate:.2f} s",
            f"{validate / parse:.2f}x CSafeLoader parse",
            "<= 1.5x",
            validate / parse <= 1.5,
        )

        typical = load_case(paths[0])
        build = median_of(30, lambda: build_figure(typical))
        baseline = median_of(30, timeline_baseline(typical))
        report(
            "build a typical figure",
            f"{build * 1000:.1f} ms",
            f"{build / baseline:.2f}x px.timeline",
            "<= 0.33x",
            build / baseline <= 1 / 3,
        )

        spec = median_of(30, lambda: figure_spec(typical))
        report(
            "  the same as a plain spec (dashboard, pages)",
            f"{spec * 1000:.1f} ms",
            f"{spec / baseline:.2f}x px.timeline",
            "<= 0.33x",
            spec / baseline <= 1 / 3,
        )

        figure = build_figure(typical)
        size = len(figure.to_json().encode("utf-8"))
        traces = len(figure.data)
        report(
            "typical figure JSON",
            f"{size / 1024:.1f} KB",
            f"{traces} traces",
            "<= 60 KB",
            size <= 60 * 1024,
        )

        large_case = load_case(large_path)
        values = sum(len(m.values) for m in large_case.measurements)
        large_build = median_of(5, lambda: build_figure(large_case))
        report(
            f"large case ({values:,} values): build figure",
            f"{large_build * 1000:.0f} ms",
            f"{large_build / build:.1f}x typical build",
            "< 300 ms",
            large_build < 0.3,
        )
        large_text = large_path.read_text(encoding="utf-8")
        large_parse = median_of(5, lambda: yaml.load(large_text, Loader=yaml.CSafeLoader))
        large_load = median_of(5, lambda: load_case(large_path))
        report(
            "large case: validate (load_case)",
            f"{large_load * 1000:.0f} ms",
            f"{large_load / large_parse:.2f}x CSafeLoader parse",
            "<= 1.5x",
            large_load / large_parse <= 1.5,
        )


if __name__ == "__main__":
    main()
