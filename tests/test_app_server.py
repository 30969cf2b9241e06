"""The server under gunicorn: a worker stuck on a request is replaced while the others answer;
a non-loopback --host is warned about."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from dashboard.app.cases import HEAVY_BYTES, Library
from dashboard.app.gather import GATHER_MOST, request_state
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


def _trickle(url: str, body: bytes, head_only: bool = False) -> tuple[socket.socket, bytes]:
    """A connection sending a callback request whose body (or head too) is still to come,
    with the bytes it has yet to send."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    request = (
        "POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body
    sent = 1 if head_only else len(request) - len(body)
    sock.sendall(request[:sent])
    return sock, request[sent:]


def _serve(folder: Path, *arguments: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "serve", str(folder), "--port", str(port), *arguments],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return process, f"http://127.0.0.1:{port}"


def test_clients_sending_a_byte_a_second_leave_the_health_check_answering(tmp_path: Path) -> None:
    """Eight clients trickling a request's body a byte a second, and eight its head, hold
    none of the server's threads: /healthz answers within 2 s all along, and a trickled
    request, once whole, is answered."""
    (tmp_path / "case.yaml").write_text("title: One\ntreatments: []\n", encoding="utf-8")
    process, url = _serve(tmp_path)  # one worker, as serve starts by default
    body = b'{"output": "x", "inputs": []}'
    tricklers: list[tuple[socket.socket, bytes]] = []
    try:
        wait_until_serving(url)
        tricklers = [_trickle(url, body) for _ in range(8)]
        tricklers += [_trickle(url, body, head_only=True) for _ in range(8)]
        for second in range(8):
            for sock, rest in tricklers:
                sock.sendall(rest[second : second + 1])
            started = time.monotonic()
            status, _, answer = fetch(f"{url}/healthz", timeout=2)
            assert (status, answer) == (200, b"ok")
            assert time.monotonic() - started < 2
            time.sleep(max(0.0, 1 - (time.monotonic() - started)))
        sock, rest = tricklers[0]
        sock.sendall(rest[8:])
        answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
        # a client that waits for leave to send its body gets it once, and then its answer
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), 10) as waiting:
            waiting.sendall(
                b"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body)
            )
            assert waiting.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
            waiting.sendall(body)
            answer = waiting.recv(4096)
            assert answer.startswith(b"HTTP/1.1 400 ") and b"100 Continue" not in answer
    finally:
        for sock, _ in tricklers:
            sock.close()
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    assert b"Traceback" not in errors


def test_a_request_is_whole_once_its_head_and_announced_body_are_there() -> None:
    """A thread takes a request when its head has ended and its Content-Length of body has
    come (a chunked body: its last chunk), or at once when the body is larger than is
    gathered; a head longer than gunicorn reads is refused before it ends."""
    head = b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"
    assert [request_state(head[:cut], 1000) for cut in (1, len(head) - 1)] == ["partial"] * 2
    assert [request_state(head + b"abcde"[:n], 1000) for n in (0, 4, 5)] == [
        "partial",
        "partial",
        "whole",
    ]
    assert request_state(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1000) == "whole"
    assert request_state(b"GET / HTTP/1.1\r\nCONTENT-LENGTH:  2 \r\n\r\nab", 1000) == "whole"
    chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
    assert request_state(chunked, 1000) == "partial"
    assert request_state(chunked + b"0\r\n\r\n", 1000) == "whole"
    big = b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (GATHER_MOST + 1)
    assert request_state(big, 1000) == "whole"
    assert request_state(b"GET /" + b"a" * 2000, 1000) == "head too long"


def test_a_large_case_is_read_one_request_at_a_time_and_a_small_one_at_once(
    tmp_path: Path,
) -> None:
    """While one request parses or draws a large case file, another request's large file
    waits its turn, so that the worker's interpreter is not shared among many; a request for
    a typical case goes ahead all the same."""
    values = ", ".join(f"[{day}, {day % 40}]" for day in range(30_000))
    large = f"title: Large\nmeasurements:\n  - name: x\n    values: [{values}]\n"
    assert len(large) > HEAVY_BYTES
    (tmp_path / "large.yaml").write_text(large, encoding="utf-8")
    (tmp_path / "small.yaml").write_text("title: Small\ntreatments: []\n", encoding="utf-8")
    library = Library(tmp_path, cache=False)
    library.start()
    try:
        found: dict[str, object] = {}

        def look(case_id: str) -> None:
            found[case_id] = library.lookup(case_id).case

        with library._heavy:  # a large file being read by another request
            threads = {
                name: threading.Thread(target=look, args=(name,)) for name in ("large", "small")
            }
            for thread in threads.values():
                thread.start()
            threads["small"].join(timeout=30)
            assert found.get("small") is not None, "the small case waited"
            # (unhindered, it is read in a few seconds)
            threads["large"].join(timeout=10)
            assert "large" not in found, "the large case did not wait its turn"
        threads["large"].join(timeout=60)
        assert found.get("large") is not None
    finally:
        library.stop()
