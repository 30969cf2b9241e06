"""Serving at scale: workers fully set up before they answer, and separate server processes
over one folder that answer any request interchangeably."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.conftest import ROOT, copy_of_timelines
from tests.test_app import _free_port, fetch, post_rows, wait_until_serving

CASE = "nomura-2025-case2"


def start(folder: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "dashboard", "serve", str(folder), "--port", str(port)]
    return subprocess.Popen(
        [*command, "--workers", str(workers)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(process: subprocess.Popen[bytes]) -> bytes:
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=30)
    return errors


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_of_timelines(tmp_path / "cases")


def test_a_cold_worker_answers_its_first_requests_in_parallel(folder: Path) -> None:
    port = _free_port()
    process = start(folder, port, workers=2)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url)
        page = fetch(url + "/")[2].decode()
        scripts = [
            part.split('"')[0]
            for part in page.split('src="')[1:]
            if part.startswith("/_dash-component-suites/")
        ]
        assert len(scripts) >= 5
        paths = [*scripts, "/_dash-layout", "/_dash-dependencies"] * 4
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda path: fetch(url + path)[0], paths))
            rows = list(pool.map(lambda grid: post_rows(url, grid), ["case", "problem"] * 8))
        assert statuses == [200] * len(paths)
        assert [status for status, _ in rows] == [200] * len(rows)
        assert all(b'"rowCount"' in body for _, body in rows)
    finally:
        errors = stop(process)
    assert b"Traceback" not in errors


@pytest.fixture
def two_servers(folder: Path) -> Iterator[tuple[str, str]]:
    ports = [_free_port(), _free_port()]
    processes = [start(folder, port) for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            wait_until_serving(url)
        yield urls[0], urls[1]
    finally:
        for process in processes:
            assert b"Traceback" not in stop(process)


def test_two_servers_on_one_folder_answer_any_request(
    browser: Browser, folder: Path, two_servers: tuple[str, str]
) -> None:
    first, second = two_servers
    answered: list[str] = []

    def alternate(route: Route) -> None:
        # Every request goes to the other server than the one before: page, scripts, callbacks.
        target = (first, second)[len(answered) % 2]
        answered.append(target)
        response = route.fetch(url=route.request.url.replace(first, target))
        route.fulfill(response=response)

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route(f"{first}/**", alternate)
        page.goto(first + "/?q=satralizumab")
        rows = page.locator("#case-grid .ag-center-cols-container .ag-row")
        expect(rows).to_have_count(1)
        page.get_by_role("link", name="Case 2 – NMOSD with macrophage activation syndrome").click()
        page.wait_for_selector("#chart .js-plotly-plot .main-svg")
        page.locator("#axis").get_by_text("Weeks").click()
        expect(page).to_have_url(f"{first}/case/{CASE}?axis=week")
        (folder / f"{CASE}.yaml").write_text(
            (folder / f"{CASE}.yaml")
            .read_text(encoding="utf-8")
            .replace(
                "title: Case 2 – NMOSD with macrophage activation syndrome",
                "title: Edited on the shared folder",
            ),
            encoding="utf-8",
        )
        expect(page.locator("#case-title")).to_have_text("Edited on the shared folder")
        expect(page).to_have_url(f"{first}/case/{CASE}?axis=week")
        assert not errors
    finally:
        context.close()
    assert answered.count(first) > 5 and answered.count(second) > 5


def test_create_app_finishes_dash_setup_before_any_request(folder: Path) -> None:
    from dashboard.app import create_app

    app = create_app(folder)
    # Dash sets this flag only inside its own setup, which would otherwise run on the first
    # request while other threads already serve.
    assert app._got_first_request["setup_server"] is True
    assert app._callback_list, "callbacks are registered by the setup"
