"""A long fuzz run: generated cases and mutated files through the loader and every output,
and the hostile corpus timed file by file.

Run: python benchmarks/bench_fuzz.py [--examples 5000] [--seed 1]
Prints how many files were generated, how many were valid or refused, and every crash (a
valid case whose output failed, a refusal without a line, or any other exception).
Times are printed against the baseline of loading and drawing a seed case in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.load import load_case
from dashboard.problems import InvalidCase
from tests.outputs import every_output
from tests.strategies import SEEDS, as_yaml, cases, mutated
from tests.test_properties import check_file

HOSTILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "hostile"


def fuzz(name: str, strategy: st.SearchStrategy[str], examples: int, at: int) -> Counter[str]:
    """Run `examples` files from `strategy` through `check_file`, counting the outcomes."""
    counts: Counter[str] = Counter()
    crashes: list[str] = []

    @seed(at)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(text: str) -> None:
        counts["generated"] += 1
        try:
            counts[check_file(text)] += 1
        except Exception:
            counts["crashes"] += 1
            if len(crashes) < 5:
                crashes.append(f"{traceback.format_exc(limit=3)}\n--- file ---\n{text[:1500]}")

    run()
    for crash in crashes:
        print(f"\n[{name}] crash:\n{crash}")
    return counts


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of `action` takes."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def corpus() -> None:
    """Each hostile file: refused or drawn, and how long it took."""
    baseline = timed(lambda: every_output(load_case(SEEDS[0])))
    print(f"\nhostile corpus (baseline: {SEEDS[0].stem} loaded and drawn in {baseline:.2f} s)")
    slowest = 0.0
    for path in sorted(HOSTILE.glob("*.yaml")):
        outcome = "drawn"

        def answer(path: Path = path) -> None:
            nonlocal outcome
            try:
                every_output(load_case(path))
            except InvalidCase as invalid:
                first = invalid.errors[0]
                outcome = f"refused at line {first.line}, {first.key or '(file)'}: {first.rule}"

        seconds = timed(answer)
        slowest = max(slowest, seconds)
        print(f"  {path.stem:28} {seconds:6.2f} s ({seconds / baseline:5.1f}x)  {outcome}")
    print(f"  slowest: {slowest:.2f} s (goal: under 1 s each)")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="files per strategy")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    started = time.perf_counter()
    generated = fuzz("generated", cases().map(as_yaml), arguments.examples, arguments.seed)
    mutations = fuzz("mutated", mutated(), arguments.examples, arguments.seed)
    total = generated + mutations
    print(f"generated cases: {dict(generated)}")
    print(f"mutated files:   {dict(mutations)}")
    print(
        f"in all: {total['generated']} files, {total['valid']} valid (every output built), "
        f"{total['refused']} refused with file:line, crashes: {total['crashes']} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    corpus()
    if total["crashes"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
