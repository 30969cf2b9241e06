"""The server under gunicorn: a worker stuck on a request is replaced while the others answer;
a non-loopback --host is warned about."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from dashboard.app.server import RequestWatch, is_loopback
from dashboard.cli import cli
from tests.conftest import ROOT
from tests.test_app import _free_port, fetch, wait_until_serving

# Nineteen treatments given daily for 5 000 days: within the budget, and slow to draw.
HEAVY = "title: heavy\ntreatments:\n" + "".join(
    f"  - {{drug: d{i}, start: day 0, end: day 4999, every: 1 day}}\n" for i in range(19)
)


def _children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_worker_over_its_time_is_replaced_and_the_others_answer(tmp_path: Path) -> None:
    (tmp_path / "heavy.yaml").write_text(HEAVY, encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    code = (
        "from dashboard.app.server import run; "
        f"run({str(tmp_path)!r}, host='127.0.0.1', port={port}, workers=2, request_limit=0.3)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_serving(url)
        _wait_for(lambda: len(_children(process.pid)) == 2)
        before = _children(process.pid)
        outcome: list[object] = []

        def heavy() -> None:
            try:
                outcome.append(fetch(f"{url}/export/heavy.html")[0])
            except (OSError, http.client.HTTPException) as error:  # the worker ended under it
                outcome.append(error)

        thread = threading.Thread(target=heavy)
        thread.start()
        answers = []
        while thread.is_alive():
            try:
                answers.append(fetch(f"{url}/healthz")[0])
            except (OSError, http.client.HTTPException) as error:  # (one the ended worker took)
                answers.append(type(error).__name__)
            time.sleep(0.05)
        thread.join()
        assert outcome and not isinstance(outcome[0], int), "the heavy page was not stopped"
        assert answers.count(200) >= len(answers) - 4 and 200 in answers
        _wait_for(lambda: len(_children(process.pid)) == 2 and _children(process.pid) != before)
        assert fetch(f"{url}/healthz")[0] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    assert b"a request for /export/heavy.html ran over 0.3 s; restarting this worker" in errors
    assert b"Traceback" not in errors


def test_the_watch_finds_only_requests_over_the_limit() -> None:
    """A request is overdue once it has run longer than the limit, never before, and an
    answered request never is; however busy the machine, nothing here races the clock."""
    patient = RequestWatch(limit=3600)
    patient.begin("/case/x")
    assert patient.overdue() is None
    strict = RequestWatch(limit=0)
    strict.begin("/case/x")
    began = time.monotonic()
    while time.monotonic() == began:  # (the clock's next tick: over a limit of 0)
        pass
    assert strict.overdue() == "/case/x"
    strict.end()
    assert strict.overdue() is None


def test_only_loopback_counts_as_loopback() -> None:
    assert [is_loopback(host) for host in ("127.0.0.1", "::1", "[::1]", "localhost")] == [True] * 4
    assert [is_loopback(host) for host in ("0.0.0.0", "::", "192.168.1.5", "example.org")] == [
        False
    ] * 4


def test_serve_warns_when_others_can_reach_it() -> None:
    port = _free_port()
    # The port is taken, so serve stops right after its warning.
    with __import__("socket").socket() as taken:
        taken.bind(("0.0.0.0", port))
        taken.listen()
        result = CliRunner().invoke(
            cli, ["serve", "timelines", "--host", "0.0.0.0", "--port", str(port)]
        )
    assert result.exit_code == 1
    assert "warning: --host 0.0.0.0 lets other machines open these cases" in result.stderr
    assert "already in use" in result.stderr
