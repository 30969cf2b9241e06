"""The program's words in other languages: what the catalogue costs a figure and its text.

Run: python benchmarks/bench_language.py [--cases 10]
Builds the figure, caption and course in words of large generated cases written in German
and Japanese, each next to the same cases in English (no catalogue) measured in the same run,
in processor time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_core import report
from dashboard.describe import caption, course_account
from dashboard.figure import figure_spec
from dashboard.model import Case
from tests.synth import generate_case

GOAL = 1.5  # a case in another language is built at most this many times slower


def least_cpu(repeats: int, action: Callable[[], object]) -> float:
    """The least processor time of several runs: other work on a shared machine not counted."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        action()
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    """Time the English baseline, then German and Japanese, and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10)
    count = parser.parse_args().cases
    written = [generate_case(seed, size="large") for seed in range(count)]

    def build(language: str) -> float:
        cases = [Case.model_validate({**data, "language": language}) for data in written]

        def everything() -> None:
            for case in cases:
                figure_spec(case)
                caption(case)
                course_account(case)

        return least_cpu(3, everything) / count

    english = build("en")
    report(
        "figure + words, English (baseline)", f"{english * 1000:.1f} ms/case", "1.00x", "-", True
    )
    for language in ("de", "ja"):
        took = build(language)
        ratio = took / english
        report(
            f"figure + words, {language}",
            f"{took * 1000:.1f} ms/case",
            f"{ratio:.2f}x English",
            f"<= {GOAL}x",
            ratio <= GOAL,
        )


if __name__ == "__main__":
    main()
