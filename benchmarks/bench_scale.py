"""How the dashboard, the site and the command line scale: `python benchmarks/bench_scale.py`.

For each size (1 000 and 10 000 generated typical cases by default, `--sizes` to choose; the
folders go under `--work`, /tmp by default, and are reused), prints each figure against its
baseline, measured in the same run, and its goal:

1. cold start (catalogue built with no cache) against validating the same files;
2. warm restart (catalogue from its cache);
3. in Chromium against `clinical-course serve`: index rows shown after navigation, a filter
   applied, a case page drawn, and the same case page with 3 files in the folder;
4. resident memory per worker, per case (the worker's growth over a 3-file folder's worker);
5. full export of the site (wall time, and CPU time per case page against validating a file),
   re-export after editing one file, and the site's index opened in Chromium from file://
   against the index of a 3-case site (`--export-only` runs this part alone).

Loopback only; every wait is bounded; processes started here are stopped here.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from dashboard.catalogue import Catalogue, cache_path  # noqa: E402
from dashboard.export.site import export_site  # noqa: E402
from dashboard.load import load_folder, load_paths  # noqa: E402
from tests.synth import write_cases  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
ROWS = "#case-grid .ag-center-cols-container .ag-row"
CHART = "#chart .js-plotly-plot .main-svg .scatterlayer .trace"
CARDS = "ul.cases li.case-card"
REPEATS = 5
SAMPLE = 300  # files validated for the baseline of the export's CPU time


def line(name: str, value: float, unit: str, goal: str, note: str = "") -> None:
    """One figure: its value, its goal, and how it compares with its baseline."""
    print(f"  {name:<44} {value:10.3f} {unit:<6} goal {goal:<12} {note}")


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def folder_of(work: Path, count: int) -> Path:
    """A folder of `count` generated cases, written once and reused."""
    folder = work / f"cases-{count}"
    if len(list(folder.glob("*.yaml"))) != count:
        shutil.rmtree(folder, ignore_errors=True)
        write_cases(folder, count)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(folder: Path, cache: Path) -> Iterator[tuple[str, int]]:
    """`clinical-course serve` with one worker; its address and the worker's process id."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve", str(folder), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CLINICAL_COURSE_CACHE": str(cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:
                    if answer.read() == b"ok":  # (not "starting": the folder is read)
                        break
                time.sleep(0.1)
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the server on {folder} did not start") from None
                time.sleep(0.1)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        yield url, int(children[0])
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def resident_kb(pid: int) -> int:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1])
    raise RuntimeError("no VmRSS")


def browser_figures(page: Any, url: str, case_id: str) -> dict[str, float]:
    """Index rows shown, a filter applied and a case page drawn: medians of a few runs, and
    the best of them (`*_best`), the least disturbed by a busy machine."""
    index, filtered, case = [], [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_selector(ROWS, timeout=60_000)
        index.append(time.perf_counter() - start)
        start = time.perf_counter()
        page.get_by_label("Filter cases").fill("case 77")
        # a selector, not wait_for_function: the app's content security policy forbids eval
        page.locator("#case-count", has_text=" of ").wait_for(timeout=60_000)
        page.wait_for_selector(ROWS, timeout=60_000)
        filtered.append(time.perf_counter() - start)
        case.append(case_page(page, url, case_id))
    runs = {"index": index, "filter": filtered, "case": case}
    return {
        **{name: statistics.median(times) for name, times in runs.items()},
        **{f"{name}_best": min(times) for name, times in runs.items()},
    }


def case_page(page: Any, url: str, case_id: str) -> float:
    start = time.perf_counter()
    page.goto(f"{url}/case/{case_id}")
    page.wait_for_selector(CHART, timeout=60_000)
    return time.perf_counter() - start


def folders_of(work: Path, count: int) -> tuple[Path, Path]:
    """The folder of `count` cases, and one of its first 3 cases."""
    folder = folder_of(work, count)
    small = work / "cases-3"
    if len(list(small.glob("*.yaml"))) != 3:
        shutil.rmtree(small, ignore_errors=True)
        small.mkdir(parents=True)
        for path in sorted(folder.glob("*.yaml"))[:3]:
            shutil.copy(path, small / path.name)
    return folder, small


def bench(count: int, work: Path, browser: Any) -> None:
    folder, small = folders_of(work, count)
    case_id = sorted(path.stem for path in small.glob("*.yaml"))[0]
    print(f"\n{count:,} cases in {folder}")

    with tempfile.TemporaryDirectory(dir=work) as scratch_name:
        scratch = Path(scratch_name)
        cache = scratch / "serve-cache"
        where = cache_path(folder, cache)  # the file `serve` below will use
        validate = timed(lambda: load_folder(folder))
        cold = timed(lambda: Catalogue(folder, cache=where).refresh())
        warm = timed(lambda: Catalogue(folder, cache=where).refresh())
        line("validate the files (baseline)", validate, "s", "-")
        line("cold start, no cache", cold, "s", "<= 1.3x", f"({cold / validate:.2f}x validate)")
        line("warm restart, from the cache", warm, "s", "<= 3 s", f"({warm / validate:.3f}x)")

        with serving(small, cache) as (small_url, small_pid):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            case_page(page, small_url, case_id)  # browser caches warm
            small_runs = [case_page(page, small_url, case_id) for _ in range(REPEATS)]
            small_case, small_best = statistics.median(small_runs), min(small_runs)
            small_rss = resident_kb(small_pid)
            page.close()
        with serving(folder, cache) as (url, pid):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "/")
            page.wait_for_selector(ROWS, timeout=120_000)
            figures = browser_figures(page, url, case_id)
            rss = resident_kb(pid)
            page.close()
        best = figures["index_best"]
        line(
            "index rows shown after navigation",
            figures["index"],
            "s",
            "<= 1.5 s",
            f"(best {best:.3f})",
        )
        best = figures["filter_best"] * 1000
        line("filter applied", figures["filter"] * 1000, "ms", "<= 300 ms", f"(best {best:.0f})")
        line(
            "case page drawn",
            figures["case"],
            "s",
            "<= 1.2x",
            f"({figures['case'] / small_case:.2f}x the page with 3 files: {small_case:.3f} s; "
            f"best {figures['case_best'] / small_best:.2f}x)",
        )
        per_case = (rss - small_rss) / count
        line(
            "resident memory per worker, per case",
            per_case,
            "KB",
            "<= 60 KB",
            f"(worker {rss / 1024:.0f} MB; with 3 files {small_rss / 1024:.0f} MB)",
        )


def cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (the export's workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def first_cards(page: Any, index: Path) -> float:
    """Seconds from opening a site's index (from file://) to its first case cards shown."""
    start = time.perf_counter()
    page.goto(index.as_uri())
    page.wait_for_selector(CARDS, timeout=60_000)
    return time.perf_counter() - start


def bench_export(count: int, work: Path, browser: Any) -> None:
    """Full export, re-export after one edit, and the index opened in Chromium."""
    folder, small = folders_of(work, count)
    sample = sorted(folder.glob("*.yaml"))[:SAMPLE]
    started = cpu_seconds()
    load_paths(sample)
    validate_ms = (cpu_seconds() - started) / len(sample) * 1000
    print(f"\n{count:,} cases, site export (load average {load_text()})")
    with tempfile.TemporaryDirectory(dir=work) as scratch_name:
        scratch = Path(scratch_name)
        site = scratch / "site"
        started = cpu_seconds()
        full = timed(lambda: export_site(folder, site))
        cpu_ms = (cpu_seconds() - started) / count * 1000
        edited = sorted(folder.glob("*.yaml"))[count // 2]
        original = edited.read_text("utf-8")
        try:
            edited.write_text(original.replace("title: ", "title: Edited ", 1), "utf-8")
            report: list[Any] = []
            again = timed(lambda: report.append(export_site(folder, site)))
        finally:
            edited.write_text(original, "utf-8")
        minutes = "<= 4 min" if count >= 10_000 else "-"
        line("full export of the site", full, "s", minutes, f"({full / count * 1000:.1f} ms/case)")
        line(
            "CPU per case page, all processes",
            cpu_ms,
            "ms",
            "<= 45 ms",
            f"({cpu_ms / validate_ms:.2f}x validating a file: {validate_ms:.1f} ms)",
        )
        line(
            "re-export after one edit",
            again,
            "s",
            "<= 5 s",
            f"({again / full:.3f}x full; wrote {len(report[0].written)} files, "
            f"kept {report[0].kept})",
        )
        small_site = scratch / "small-site"
        export_site(small, small_site)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        first_cards(page, small_site / "index.html")  # browser caches warm
        small_index = statistics.median(
            first_cards(page, small_site / "index.html") for _ in range(REPEATS)
        )
        index = statistics.median(first_cards(page, site / "index.html") for _ in range(REPEATS))
        page.close()
        line(
            "site index: first cases shown",
            index,
            "s",
            "<= 1.5 s",
            f"({index / small_index:.2f}x the index of 3 cases: {small_index:.3f} s)",
        )
        print(f"  (load average {load_text()})")


def load_text() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cc-scale")
    parts = parser.add_mutually_exclusive_group()
    parts.add_argument(
        "--export-only", action="store_true", help="Only the site export figures (5)."
    )
    parts.add_argument(
        "--no-export", action="store_true", help="Leave out the site export figures (5)."
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            for count in args.sizes:
                if not args.export_only:
                    bench(count, args.work, browser)
                if not args.no_export:
                    bench_export(count, args.work, browser)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
