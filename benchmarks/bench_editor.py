"""How fast the edit view follows the text: `python benchmarks/bench_editor.py`.

1. Headless Chromium on the edit view: after the pause that follows a keystroke, the time
   until the figure and the problem list show the new text (goal 300 ms), for a seed case and
   a dense case of 300 items, against the server's own time to build that figure.
2. The edit view's load time (navigation to the figure drawn) against the case page's.

Loopback only; every loop is bounded; the server started here is stopped here.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from dashboard.app import create_app  # noqa: E402
from dashboard.app.editing import editing_for  # noqa: E402
from dashboard.figure import figure_spec  # noqa: E402
from dashboard.load import load_case  # noqa: E402

SEED = ROOT / "timelines" / "nomura-2025-case2.yaml"
EDITS = 15
LOADS = 5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def dense_case() -> str:
    """A case of 300 items: 100 treatments and 200 events over ten years."""
    treatments = [
        {
            "drug": f"drug {number % 25}",
            "dose": f"{10 + number} mg daily",
            "start": f"day {number * 36}",
            "end": f"day {number * 36 + 30}",
        }
        for number in range(100)
    ]
    kinds = ["relapse", "imaging", "lab", "procedure"]
    events = [
        {"at": f"day {number * 18}", "kind": kinds[number % 4], "label": f"event {number}"}
        for number in range(200)
    ]
    case = {"title": "Dense course", "treatments": treatments, "events": events}
    return yaml.safe_dump(case, sort_keys=False, allow_unicode=True)


def server_figure_ms(path: Path) -> float:
    """The median time the server takes to build the figure of a file, in ms."""
    case = load_case(path)
    times = []
    for _ in range(EDITS):
        started = time.perf_counter()
        figure_spec(case)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def update_ms(
    page: Page, url: str, first: str, rows: bool = False
) -> tuple[list[float], list[float]]:
    """Edit the text EDITS times (the digits after `first`), each time waiting for the figure;
    the times until it is drawn, and of those the request's (server and transfer). With
    `rows`, the Rows tab is open, its grid refilled at each check."""
    page.goto(url)
    page.wait_for_function("document.body.dataset.checked >= 1")
    if rows:
        checked = page.evaluate("window.caseEditor.checked")
        page.get_by_role("tab", name="Rows").click()
        page.wait_for_function(f"window.caseEditor.checked > {checked}")
    times, requests = [], []
    for number in range(EDITS):
        checked = page.evaluate("window.caseEditor.checked")
        page.evaluate(
            """([first, digit]) => {
                const text = window.caseEditor.text();
                const at = text.indexOf(first) + first.length;
                window.caseEditor.view.dispatch({changes: {from: at, to: at + 1, insert: digit}});
            }""",
            [first, str(number % 10)],
        )
        page.wait_for_function(f"window.caseEditor.checked > {checked}", timeout=20000)
        times.append(float(page.evaluate("window.caseEditor.lastUpdateMs")))
        requests.append(float(page.evaluate("window.caseEditor.lastServerMs")))
    return times, requests


def load_ms(page: Page, url: str, drawn: str) -> float:
    """The median time from navigation to the figure drawn, in ms."""
    times = []
    for _ in range(LOADS):
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(drawn, timeout=30000)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp()) / "cases"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.yaml")
    (folder / "dense.yaml").write_text(dense_case(), encoding="utf-8")
    app = create_app(folder, editing=editing_for("127.0.0.1", True, None))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000}, bypass_csp=True)
            print("After a keystroke pause, until the figure and problems show the text")
            for name, first, rows in (
                ("seed", "title: ", False),
                ("dense", "dose: 1", False),
                ("dense", "dose: 1", True),
            ):
                times, requests = update_ms(page, f"{url}/case/{name}/edit", first, rows)
                baseline = server_figure_ms(folder / f"{name}.yaml")
                median = statistics.median(times)
                shown = f"{name}{' (Rows tab open)' if rows else ''}"
                print(
                    f"  {shown:<22} median {median:6.1f} ms, worst {max(times):6.1f} ms, "
                    f"goal 300 ms ({median / baseline:.1f}x the server's figure "
                    f"{baseline:.1f} ms); the request {statistics.median(requests):6.1f} ms"
                )
            edit = load_ms(page, f"{url}/case/seed/edit", "document.body.dataset.checked >= 1")
            view = load_ms(
                page, f"{url}/case/seed", "document.querySelector('#chart .main-svg') !== null"
            )
            print(
                f"Edit view load {edit:.0f} ms against the case page's {view:.0f} ms: "
                f"{edit / view:.2f}x"
            )
            browser.close()
    finally:
        server.shutdown()
        thread.join()
        shutil.rmtree(folder.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
