"""Worker processes of a site export: a killed export leaves none of them running."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.synth import write_cases

WAIT_SECONDS = 60.0


def children(pid: int) -> set[int]:
    """The processes `pid` started (any of its threads)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def started(pid: int) -> str | None:
    """When a process started (to tell it from a later one with its id); None once it has
    ended, a zombie included."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    state, start = fields[0], fields[19]
    return None if state in "ZX" else start


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one CPU: no worker processes")
def test_a_killed_export_leaves_no_worker_running(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    write_cases(cases, 300)
    site = tmp_path / "site"
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "export", str(cases), "-o", str(site)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: dict[int, str] = {}
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while len(workers) < 2:
            assert process.poll() is None, "the export ended before its workers were seen"
            assert time.monotonic() < deadline, "no worker processes started"
            workers |= {
                pid: start for pid in children(process.pid) if (start := started(pid)) is not None
            }
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + WAIT_SECONDS
        while any(started(pid) == start for pid, start in workers.items()):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        running = [pid for pid, start in workers.items() if started(pid) == start]
        assert not running, f"workers {running} outlived the killed export"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid, start in workers.items():
            if started(pid) == start:
                os.kill(pid, signal.SIGKILL)
