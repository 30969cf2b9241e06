"""Good requests while hostile files come and go: `python benchmarks/bench_hostile.py`.

`clinical-course serve --workers 2` on 200 generated cases. Eight clients send the requests
pages send (case pages, view callbacks, the index's rows, CSV downloads, /healthz) for
`--seconds`, twice: once on the calm folder (the baseline), once while hostile files are
written into the folder, replaced and taken away every second (a valid case of 95 000
points, also written over a good case's file; a file that is not YAML; a series file of
10 000 name patterns), and two more clients ask for the heavy case's page and view and the
huge series' page all along. For the good requests: how many, the slowest, the 99th
percentile against the calm run's, and how many took over 5 s, answered 5xx or were not
answered at all (goal: none).

Loopback only; every loop is bounded; processes started here are stopped here.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_app import percentile, random_view, view_payload, wait_for  # noqa: E402
from bench_scale import free_port  # noqa: E402
from bench_start import rows_request  # noqa: E402

from dashboard.app import create_app  # noqa: E402
from dashboard.app.state import format_view  # noqa: E402
from tests.synth import write_cases  # noqa: E402

CASES = 200
GOOD_CLIENTS = 8
HOSTILE_CLIENTS = 2
VICTIM = "synthetic-typical-0001"  # the good case a heavy one is written over, and back
SLOW = 5.0  # seconds: a good request slower than this counts as failed
Request = tuple[str, str, bytes | None]


def heavy_case(points: int = 95_000) -> str:
    """A valid case just under the point budget: one measurement of `points` values."""
    values = ",\n".join(f"[{i / 10:g}, {60 + i % 40}]" for i in range(points))
    return f"title: Heavy\nmeasurements:\n  - name: heart rate\n    values: [\n{values}]\n"


def huge_series(patterns: int = 10_000) -> str:
    """A series file of `patterns` name patterns, some 70 KB."""
    names = ", ".join(f'"*x{i:05d}"' for i in range(patterns))
    return f"title: Huge\ncases: [{names}]\nsort: relapses\n"


MALFORMED = "title: [unclosed\ntreatments:\n\t- drug: x\n  start: : :\n"


@dataclass
class Tally:
    """What the good requests met."""

    seconds: list[float] = field(default_factory=list)
    server_errors: int = 0
    unanswered: int = 0
    slowest: dict[str, float] = field(default_factory=dict)  # by kind of request
    failures: Counter[str] = field(default_factory=Counter)  # what the unanswered met
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, took: float, status: int | None, failure: str = "") -> None:
        with self.lock:
            if failure:
                self.failures[f"{kind}: {failure}"] += 1
            self.seconds.append(took)
            self.slowest[kind] = max(took, self.slowest.get(kind, 0.0))
            if status is None:
                self.unanswered += 1
            elif status >= 500:
                self.server_errors += 1


def client(port: int, requests: list[Request], until: float, seed: int, tally: Tally) -> None:
    """One keep-alive client sending random requests of the list until `until`; like a
    browser, it sends a request again, once, on a new connection when a kept-alive one was
    closed before any answer came."""
    rng = random.Random(seed)
    connection: http.client.HTTPConnection | None = None
    while time.monotonic() < until:
        method, path, body = rng.choice(requests)
        headers = {"Content-Type": "application/json"} if body else {}
        start = time.monotonic()
        status: int | None = None
        failure = ""
        for fresh in (connection is None, True):
            if fresh:
                if connection is not None:
                    connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            assert connection is not None
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status, failure = response.status, ""
                break
            except (OSError, http.client.HTTPException) as error:
                failure = type(error).__name__
                connection.close()
                connection = None
                if fresh:
                    break
        kind = "rows" if b"getRowsRequest" in (body or b"") else path.split("/")[1]
        tally.add(kind, time.monotonic() - start, status, failure)
    if connection is not None:
        connection.close()


def swapper(folder: Path, victim: Path, until: float) -> None:
    """Write, replace and take away the hostile files, one change a second."""
    good = victim.read_text(encoding="utf-8")
    heavy = heavy_case()
    steps: list[Callable[[], object]] = [
        lambda: (folder / "heavy.yaml").write_text(heavy, encoding="utf-8"),
        lambda: (folder / "malformed.yaml").write_text(MALFORMED, encoding="utf-8"),
        lambda: (folder / "huge.series.yaml").write_text(huge_series(), encoding="utf-8"),
        lambda: victim.write_text(heavy, encoding="utf-8"),
        lambda: (folder / "malformed.yaml").unlink(missing_ok=True),
        lambda: victim.write_text(good, encoding="utf-8"),
        lambda: (folder / "heavy.yaml").unlink(missing_ok=True),
        lambda: (folder / "huge.series.yaml").unlink(missing_ok=True),
    ]
    step = 0
    while time.monotonic() < until:
        steps[step % len(steps)]()
        step += 1
        time.sleep(1.0)
    victim.write_text(good, encoding="utf-8")


def run_load(
    folder: Path, port: int, good: list[Request], seconds: float, bad: list[Request]
) -> Tally:
    """The good clients for `seconds`; with `bad` requests, the swapper and clients sending
    those too."""
    tally, ignored = Tally(), Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(port, good, until, seed, tally))
        for seed in range(GOOD_CLIENTS)
    ]
    if bad:
        victim = folder / f"{VICTIM}.yaml"
        (folder / "heavy.yaml").write_text(heavy_case(), encoding="utf-8")
        (folder / "huge.series.yaml").write_text(huge_series(), encoding="utf-8")
        time.sleep(2.0)  # (read once before its heavy requests are sent)
        threads.append(threading.Thread(target=swapper, args=(folder, victim, until)))
        threads += [
            threading.Thread(target=client, args=(port, bad, until, 100 + seed, ignored))
            for seed in range(HOSTILE_CLIENTS)
        ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in ("heavy.yaml", "malformed.yaml", "huge.series.yaml"):
        (folder / name).unlink(missing_ok=True)
    return tally


def requests_of(folder: Path, ids: list[str]) -> tuple[list[Request], list[Request]]:
    """The requests the good clients send (those of pages open on the good cases), and those
    the hostile clients send (the heavy case's page and view, the huge series' page)."""
    app = create_app(folder)  # only to read the callback's payload shape
    rng = random.Random(3)
    requests: list[Request] = [
        ("GET", "/healthz", None),
        ("POST", "/_dash-update-component", rows_request()),
    ]
    for _ in range(100):
        case_id = rng.choice(ids)
        payload = view_payload(app, case_id, format_view(random_view(rng)))
        requests.append(("POST", "/_dash-update-component", json.dumps(payload).encode()))
        requests.append(("GET", f"/case/{case_id}", None))
        requests.append(("GET", f"/export/{case_id}.csv", None))
    heavy_view = json.dumps(view_payload(app, "heavy", "")).encode()
    bad: list[Request] = [
        ("GET", "/export/heavy.html", None),
        ("GET", "/series-export/huge.html", None),
        ("POST", "/_dash-update-component", heavy_view),
    ]
    return requests, bad


def report(name: str, tally: Tally, calm: Tally | None) -> None:
    p99 = percentile(tally.seconds, 0.99)
    slow = sum(took > SLOW for took in tally.seconds)
    versus = f" ({p99 / percentile(calm.seconds, 0.99):.2f}x the calm p99)" if calm else ""
    print(
        f"  {name:<8} {len(tally.seconds):6d} good requests, slowest {max(tally.seconds):5.2f} s, "
        f"p99 {p99:5.2f} s{versus}; over {SLOW:g} s: {slow}, 5xx: {tally.server_errors}, "
        f"unanswered: {tally.unanswered} (goal 0, 0, 0)"
    )
    slowest = ", ".join(f"{kind} {took:.2f}" for kind, took in sorted(tally.slowest.items()))
    print(f"  {'':<8} slowest by kind (s): {slowest}")
    if tally.failures:
        print(f"  {'':<8} unanswered: {dict(tally.failures)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        folder = Path(tmp) / "cases"
        ids = [path.stem for path in write_cases(folder, CASES)]
        good, bad = requests_of(folder, [case_id for case_id in ids if case_id != VICTIM])
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dashboard",
                "serve",
                str(folder),
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz")
            print(
                f"serve --workers 2, {CASES} cases, {GOOD_CLIENTS} good clients, "
                f"{options.seconds:g} s each"
            )
            calm = run_load(folder, port, good, options.seconds, [])
            report("calm", calm, None)
            hostile = run_load(folder, port, good, options.seconds, bad)
            report("hostile", hostile, calm)
        finally:
            server.send_signal(signal.SIGTERM)
            _, errors = server.communicate(timeout=30)
        tracebacks = errors.count(b"Traceback")
        print(f"  server log: {len(errors.splitlines())} lines, {tracebacks} tracebacks")
        for message in errors.decode(errors="replace").splitlines()[-8:]:
            print(f"    {message[:160]}")


if __name__ == "__main__":
    main()
