"""A first start on a department's folder, and a light page: `python benchmarks/bench_start.py`.

Each figure against a baseline measured in the same run:

1. `clinical-course serve` on a folder it has never seen (`--cases`, 2 000 generated typical
   cases by default; a fresh cache): seconds to its first answer, and to the index's rows
   (the rows request answering with every case), against parsing the same files with libyaml
   in one process (goal: first answer within 3 s, rows within 0.7x the parse);
2. `clinical-course validate FOLDER` of 1 000 files with a cold cache (the command, start to
   end) against libyaml's parse of the same files in one process;
3. the standalone page of a seed case (`render case.yaml -o case.html`): its size against the
   same page with plotly's full bundle, and the share of its embedded fonts (goal 1.2 MB).

Loopback only; every wait is bounded; processes started here are stopped here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml
from plotly.offline import get_plotlyjs

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_scale import folder_of, free_port, line  # noqa: E402

from dashboard.plotlyjs import plotly_js  # noqa: E402

SEED = ROOT / "timelines" / "nomura-2025-case1.yaml"


def libyaml_parse(folder: Path) -> float:
    """Seconds to parse every case file of the folder with libyaml, in this one process."""
    start = time.perf_counter()
    for path in sorted(folder.glob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def _environment(cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CLINICAL_COURSE_CACHE": str(cache)}


def rows_request() -> bytes:
    """The index's request for its first rows, as the page sends it."""
    request = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
    body = {
        "output": "..case-grid.getRowsResponse...case-count.children..",
        "outputs": [
            {"id": "case-grid", "property": "getRowsResponse"},
            {"id": "case-count", "property": "children"},
        ],
        "inputs": [{"id": "case-grid", "property": "getRowsRequest", "value": request}],
        "changedPropIds": ["case-grid.getRowsRequest"],
        "state": [],
    }
    return json.dumps(body).encode()


def _rows(url: str) -> int:
    """How many cases the index's rows request answers with."""
    sent = urllib.request.Request(
        url + "/_dash-update-component",
        data=rows_request(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(sent, timeout=30) as answer:
        return int(
            json.loads(answer.read())["response"]["case-grid"]["getRowsResponse"]["rowCount"]
        )


def cold_serve(folder: Path, cache: Path, count: int) -> tuple[float, float, float, list[str]]:
    """Seconds from starting `serve` to its first answer, to the index's first rows and to
    the index holding every case, and what /healthz said on the way."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve", str(folder), "--port", str(port)],
        cwd=ROOT,
        env=_environment(cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first, rows, said = 0.0, 0.0, []
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:
                    said.append(answer.read().decode())
                first = first or time.perf_counter() - start
                shown = _rows(url)
                rows = rows or (time.perf_counter() - start if shown else 0.0)
                if shown == count:
                    return first, rows, time.perf_counter() - start, said
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server on {folder} did not show every case")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def cold_validate(folder: Path, cache: Path) -> float:
    """Seconds `clinical-course validate FOLDER` takes with a cold cache, start to end."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dashboard", "validate", str(folder)],
        cwd=ROOT,
        env=_environment(cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start


def page_sizes(work: Path) -> tuple[int, int, int]:
    """The seed case's standalone page: its bytes, the bytes it had with plotly's full
    bundle, and the bytes of its embedded fonts."""
    page = work / "case.html"
    subprocess.run(
        [sys.executable, "-m", "dashboard", "render", str(SEED), "-o", str(page)],
        cwd=ROOT,
        env=_environment(work / "cache-page"),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    text = page.read_text(encoding="utf-8")
    size = len(text.encode("utf-8"))
    full = size - len(plotly_js().encode("utf-8")) + len(get_plotlyjs().encode("utf-8"))
    fonts = sum(len(face) for face in re.findall(r"@font-face\s*\{[^}]*\}", text))
    return size, full, fonts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cc-start")
    options = parser.parse_args()
    work: Path = options.work
    work.mkdir(parents=True, exist_ok=True)
    stamp = str(time.time_ns())  # a cache folder no run has used: every start is cold

    folder = folder_of(work, options.cases)
    parse = libyaml_parse(folder)
    first, rows, every, said = cold_serve(folder, work / f"cache-serve-{stamp}", options.cases)
    starting = [answer for answer in said if answer.startswith("starting")]
    print(f"cold serve, {options.cases:,} cases (libyaml parse in one process: {parse:.2f} s)")
    line("first answer", first, "s", "<= 3 s", f"{first / parse:.2f}x the parse")
    line("index rows shown", rows, "s", "<= 0.7x", f"{rows / parse:.2f}x the parse")
    line("index rows, every case", every, "s", "-", f"{every / parse:.2f}x the parse")
    print(f"  /healthz said: {starting[-1] if starting else 'ok'} ... then ok")

    thousand = folder_of(work, 1_000)
    parse = libyaml_parse(thousand)
    checked = cold_validate(thousand, work / f"cache-validate-{stamp}")
    print(f"validate, 1 000 files, cold cache (libyaml parse in one process: {parse:.2f} s)")
    line("validate FOLDER", checked, "s", "-", f"{checked / parse:.2f}x the parse")

    size, full, fonts = page_sizes(work)
    print("standalone page of a seed case")
    line("page", size / 1e6, "MB", "<= 1.2 MB", f"{size / full:.2f}x the full bundle's page")
    line("page with plotly's full bundle", full / 1e6, "MB", "-")
    line("embedded fonts", fonts / 1e6, "MB", "-", f"{fonts / size:.1%} of the page")


if __name__ == "__main__":
    main()
