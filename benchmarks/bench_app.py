"""How fast the dashboard answers, with 200 generated cases: `python benchmarks/bench_app.py`.

1. Server time of the case page's view callback, called through the real app (Flask test
   client posting Dash's own payload), against plain `build_figure` for the same views.
2. gunicorn with 2 workers, 20 concurrent clients on 127.0.0.1 for 20 s, against a static
   Flask endpoint of the same server.
3. Headless Chromium: navigation to the chart drawn, against a static page with the same
   figure (plotly's `to_html`, plotly.js from the same server).

Loopback only; every loop is bounded; processes started here are stopped here.
"""

from __future__ import annotations

import http.client
import json
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from dashboard.app import create_app  # noqa: E402
from dashboard.app.state import View, figure_options, format_view  # noqa: E402
from dashboard.figure import build_figure  # noqa: E402
from dashboard.load import load_case  # noqa: E402
from tests.synth import write_cases  # noqa: E402

CASES = 200
CALLS = 300
CLIENTS = 20
LOAD_SECONDS = 20.0
BASELINE_SECONDS = 5.0
PAGE_LOADS = 10
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, value: float, unit: str, goal: str, baseline: float, base_name: str) -> None:
    ratio = value / baseline if baseline else float("nan")
    print(
        f"  {name:<38} {value:9.1f} {unit:<4} goal {goal:<10} "
        f"({ratio:.2f}x {base_name} {baseline:.1f} {unit})"
    )


def random_view(rng: random.Random) -> View:
    return View(
        axis=rng.choice(["day", "week", "month", "year", "date"]),
        theme=rng.choice(["screen", "screen", "print", "slides"]),
        hide=rng.choice([(), (), ("events",), ("treatments",)]),
        reveal=rng.choice([None, None, "day 60", "day 450"]),
        window=rng.choice([None, None, (0.0, 365.0)]),
    )


# -- 1. callback server time -----------------------------------------------------------------


def view_payload(app: Any, case_id: str, search: str) -> dict[str, Any]:
    """Dash's request body for the view callback, as the browser sends it after a URL change."""
    output = next(key for key in app.callback_map if "chart.figure" in key)
    spec = app.callback_map[output]
    values = {"view-url.search": search, "reveal.value": "all"}
    inputs = [
        {
            "id": item["id"],
            "property": item["property"],
            "value": values.get(f"{item['id']}.{item['property']}"),
        }
        for item in spec["inputs"]
    ]
    state = [{"id": "view-url", "property": "pathname", "value": f"/case/{case_id}"}]
    outputs = [
        {"id": part.split(".")[0], "property": part.split(".")[1]}
        for part in output.strip(".").split("...")
    ]
    return {
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": ["view-url.search"],
        "state": state,
    }


def bench_callbacks(folder: Path, ids: list[str]) -> None:
    app = create_app(folder)
    client = app.server.test_client()
    client.get("/")
    rng = random.Random(1)
    calls = [(rng.choice(ids), random_view(rng)) for _ in range(CALLS)]
    served: list[float] = []
    for case_id, view in calls:
        payload = view_payload(app, case_id, format_view(view))
        start = time.perf_counter()
        response = client.post("/_dash-update-component", json=payload)
        served.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.data[:300]
    plain: list[float] = []
    cases = {case_id: load_case(folder / f"{case_id}.yaml") for case_id, _ in calls}
    for case_id, view in calls:
        start = time.perf_counter()
        build_figure(cases[case_id], **figure_options(view, cases[case_id]))
        plain.append((time.perf_counter() - start) * 1000)
    print(f"\n1. View callback through the app ({CALLS} calls, random cases and views)")
    report("median", statistics.median(served), "ms", "-", statistics.median(plain), "build_figure")
    report(
        "p95", percentile(served, 0.95), "ms", "<= 50 ms", percentile(plain, 0.95), "build_figure"
    )


# -- 2. many users under gunicorn ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


def hammer(
    port: int, seconds: float, requests: list[tuple[str, str, bytes | None]]
) -> tuple[int, int]:
    """CLIENTS threads on keep-alive connections for `seconds`; (answered, errors)."""
    counts = [0, 0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = failed = 0
        while time.monotonic() < deadline:
            method, path, body = rng.choice(requests)
            headers = {"Content-Type": "application/json"} if body else {}
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            done += ok
            failed += not ok
        connection.close()
        with lock:
            counts[0] += done
            counts[1] += failed

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts[0], counts[1]


def bench_gunicorn(folder: Path, ids: list[str]) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "dashboard",
        "serve",
        str(folder),
        "--port",
        str(port),
        "--workers",
        "2",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        app = create_app(folder)  # only to read the callback's payload shape
        rng = random.Random(2)
        mix: list[tuple[str, str, bytes | None]] = []
        for _ in range(200):
            case_id = rng.choice(ids)
            payload = view_payload(app, case_id, format_view(random_view(rng)))
            mix.append(("POST", "/_dash-update-component", json.dumps(payload).encode()))
            mix.append(("GET", f"/case/{case_id}", None))
        answered, errors = hammer(port, LOAD_SECONDS, mix)
        static, static_errors = hammer(port, BASELINE_SECONDS, [("GET", "/healthz", None)])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    rps, static_rps = answered / LOAD_SECONDS, static / BASELINE_SECONDS
    print(
        f"\n2. gunicorn, 2 workers, {CLIENTS} clients for {LOAD_SECONDS:g} s "
        "(half view callbacks, half case page loads)"
    )
    report("requests per second", rps, "rps", "-", static_rps, "/healthz")
    print(f"  {'errors':<38} {errors:9d}      goal 0          (/healthz: {static_errors} errors)")


# -- 3. chart drawn in Chromium --------------------------------------------------------------


def bench_browser(folder: Path, ids: list[str]) -> None:
    import logging

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(folder)
    cases = {case_id: load_case(folder / f"{case_id}.yaml") for case_id in ids[:PAGE_LOADS]}

    @app.server.route("/bench-static/<case_id>")
    def static_page(case_id: str) -> str:
        figure = build_figure(cases[case_id])
        return str(figure.to_html(include_plotlyjs="/static-plotly/plotly.min.js", full_html=True))

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    drawn: list[float] = []
    static: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{base}/case/{ids[-1]}")  # warm the browser cache, as a returning user
            page.wait_for_selector(".js-plotly-plot .main-svg .scatterlayer .trace")
            page.goto(f"{base}/bench-static/{ids[0]}")
            for case_id in cases:
                start = time.perf_counter()
                page.goto(f"{base}/case/{case_id}")
                page.wait_for_selector("#chart .js-plotly-plot .main-svg .scatterlayer .trace")
                drawn.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                page.goto(f"{base}/bench-static/{case_id}")
                page.wait_for_selector(".js-plotly-plot .main-svg .scatterlayer .trace")
                static.append((time.perf_counter() - start) * 1000)
            browser.close()
    finally:
        server.shutdown()
        thread.join()
    print(f"\n3. Chromium: navigation to chart drawn ({len(drawn)} case pages)")
    report(
        "median",
        statistics.median(drawn),
        "ms",
        "<= 1500 ms",
        statistics.median(static),
        "static to_html page",
    )
    report(
        "p95", percentile(drawn, 0.95), "ms", "-", percentile(static, 0.95), "static to_html page"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        folder = Path(tmp)
        ids = [path.stem for path in write_cases(folder, CASES)]
        print(f"clinical-course dashboard benchmark: {CASES} generated cases in {folder}")
        bench_callbacks(folder, ids)
        bench_gunicorn(folder, ids)
        bench_browser(folder, ids)


if __name__ == "__main__":
    main()
