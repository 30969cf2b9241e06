"""Case series at scale: 1 000 generated cases aligned on their IL-6 receptor antibody.

Run: python benchmarks/bench_series.py [--cases 1000]
Measures building the series figure (and its traces and JSON size), drawing it in Chromium,
and computing the outcome table, each next to a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd
import plotly.express as px
from plotly.utils import PlotlyJSONEncoder

from dashboard.plotlyjs import plotly_js

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_core import best_of, timings
from dashboard.load import load_folder
from dashboard.series.figure import series_spec
from dashboard.series.load import load_series
from dashboard.series.outcomes import compute
from dashboard.series.rows import series_rows
from tests.synth import write_cases

CHROMIUM = "/usr/bin/chromium"
SERIES = """title: Synthetic series aligned on IL-6 receptor blockade
align: {by: treatment, match: {class: IL-6 receptor antibody}}
sort: anchor
outcomes: {merge_within: 30 days, score: EDSS}
"""


def report(name: str, value: str, ratio: str, goal: str, met: bool) -> None:
    """One line of results."""
    line = f"{name:<40} {value:>12} {ratio:>30}  goal {goal:<14} {'met' if met else 'MISSED'}"
    print(line, flush=True)


def timeline_of(series_file: object) -> dict[str, object]:
    """Baseline: px.timeline of the same treatment bars, one row per case, as a dict."""
    rows, _ = series_rows(series_file)  # type: ignore[arg-type]
    base = pd.Timestamp("2000-01-01")
    records = []
    for row in rows:
        for item in row.case.treatments:
            start = item.first.day - row.anchor
            end = max(item.last.day - row.anchor, start + 1)
            records.append(
                {
                    "case": row.id,
                    "drug": item.drug,
                    "start": base + pd.Timedelta(days=start),
                    "end": base + pd.Timedelta(days=end),
                }
            )
    frame = pd.DataFrame(records)
    figure = px.timeline(frame, x_start="start", x_end="end", y="case", color="drug")
    return figure.to_plotly_json()  # type: ignore[no-any-return]


def draw_times(specs: list[dict[str, object]]) -> list[float]:
    """Seconds Chromium takes to draw each figure (Plotly.newPlot), median of three."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_content(f"<div id='chart'></div><script>{plotly_js()}</script>")
        results = []
        for spec in specs:
            text = json.dumps(spec, cls=PlotlyJSONEncoder)
            times = page.evaluate(
                """async (text) => {
                    const times = [];
                    for (let i = 0; i < 3; i++) {
                        const figure = JSON.parse(text);
                        const chart = document.getElementById('chart');
                        Plotly.purge(chart);
                        const started = performance.now();
                        await Plotly.newPlot(chart, figure.data, figure.layout);
                        await new Promise(done => requestAnimationFrame(() => done()));
                        times.push(performance.now() - started);
                    }
                    times.sort((a, b) => a - b);
                    return times[1] / 1000;
                }""",
                text,
            )
            results.append(float(times))
        browser.close()
    return results


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000, help="How many cases in the series.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_cases(Path(folder), args.cases, size="typical", seed=7)
        series_path = Path(folder) / "il6.series.yaml"
        series_path.write_text(SERIES, encoding="utf-8")

        load_folder(folder)  # warm the file cache
        catalog = load_folder(folder)
        series_file = load_series(series_path, catalog)
        print(f"clinical-course series benchmark: {len(series_file.cases)} cases in one series\n")

        # Loading and loading + computing take turns, so that both see the same machine
        # (other work on it, the objects alive): each is the fastest of its three turns.
        loads, wholes = [], []
        for _ in range(3):
            loads += timings(1, lambda: load_folder(folder))
            wholes += timings(1, lambda: compute(load_series(series_path)))
        load, whole = min(loads), min(wholes)
        outcomes = best_of(3, lambda: compute(series_file))
        report(
            "outcomes (load + compute)",
            f"{whole * 1000:.0f} ms",
            f"{whole / load:.2f}x loading the cases",
            "<= 1.2x",
            whole / load <= 1.2,
        )
        report(
            "  of which computing the table",
            f"{outcomes * 1000:.0f} ms",
            f"{outcomes / load:.3f}x loading the cases",
            "",
            True,
        )

        spec = series_spec(series_file)
        build = best_of(5, lambda: series_spec(series_file))
        baseline = best_of(3, lambda: timeline_of(series_file))
        report(
            "build the series figure",
            f"{build * 1000:.0f} ms",
            f"{build / baseline:.2f}x px.timeline, same bars",
            "<= 300 ms",
            build <= 0.3,
        )
        traces = len(spec["data"])
        base_spec = timeline_of(series_file)
        base_traces = len(base_spec["data"])  # type: ignore[arg-type]
        report(
            "  traces",
            f"{traces}",
            f"px.timeline: {base_traces} traces",
            "<= 20",
            traces <= 20,
        )
        size = len(json.dumps(spec, cls=PlotlyJSONEncoder).encode("utf-8"))
        base_size = len(json.dumps(base_spec, cls=PlotlyJSONEncoder).encode("utf-8"))
        report(
            "  JSON size",
            f"{size / 1024 / 1024:.2f} MB",
            f"{size / base_size:.2f}x px.timeline (no hover)",
            "",
            True,
        )
        draw, base_draw = draw_times([spec, base_spec])
        report(
            "draw it in Chromium (Plotly.newPlot)",
            f"{draw * 1000:.0f} ms",
            f"{draw / base_draw:.2f}x px.timeline",
            "<= 2 s",
            draw <= 2.0,
        )


if __name__ == "__main__":
    main()
