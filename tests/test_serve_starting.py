"""Serving a folder not read before: the server answers at once, says how far the first
reading has got, and fills the index in as files are read."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from dashboard.catalogue import Catalogue, cache_path
from dashboard.catalogue.store import end_progress, write_progress
from tests.conftest import CASE_FILES
from tests.synth import write_cases
from tests.test_app import ROWS, Server, _free_port, fetch, post_rows
from tests.test_serve_scale import start, stop

STARTING = re.compile(r"starting: reading [\d\u2009]+ of [\d\u2009]+ files")


def test_while_another_process_reads_the_folder_the_index_shows_progress_and_fills_in(
    tmp_path: Path, open_page: Callable[..., Any]
) -> None:
    """A worker started during a first reading shows the cases read so far and the progress
    ('reading 1 of 3 files', also on /healthz); case pages of files already read work; when
    the reading ends the index holds every case and /healthz says ok."""
    folder = tmp_path / "cases"
    folder.mkdir()
    first, *others = CASE_FILES
    shutil.copy(first, folder / first.name)
    catalogue = Catalogue(folder)  # what the reading has kept so far: the first file
    catalogue.refresh()
    catalogue.close()
    for path in others:
        shutil.copy(path, folder / path.name)
    cache = cache_path(folder)
    write_progress(cache, 1, len(CASE_FILES), os.getpid())  # (this process reads)
    server = Server(folder, wait=False)  # (it answers 'starting')
    try:
        status, _, body = fetch(server.url + "/healthz")
        assert status == 200 and body.decode() == f"starting: reading 1 of {len(CASE_FILES)} files"
        page, problems = open_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url + "/")
        expect(page.locator("#reading")).to_contain_text(f"reading 1 of {len(CASE_FILES)} files")
        expect(page.locator(ROWS)).to_have_count(1)
        assert fetch(f"{server.url}/case/{first.stem}")[0] == 200

        catalogue = Catalogue(folder)  # the reading goes on to the end
        catalogue.refresh()
        catalogue.close()
        end_progress(cache)
        expect(page.locator("#reading")).to_have_count(0, timeout=15_000)
        expect(page.locator(ROWS)).to_have_count(len(CASE_FILES))
        assert fetch(server.url + "/healthz")[2] == b"ok"
        problems.assert_clean()
    finally:
        server.close()


def test_serve_on_a_new_large_folder_answers_before_it_is_read_and_then_shows_every_case(
    tmp_path: Path,
) -> None:
    """`serve` listens at once on a folder it has never seen; /healthz says 'starting' with
    the progress or 'ok', never anything else, and once read the index holds every case."""
    folder = tmp_path / "department"
    count = 400
    write_cases(folder, count)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = start(folder, port)
    answers: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not answers or answers[-1] != "ok":
            assert time.monotonic() < deadline, f"not read in time: {answers[-3:]}"
            try:
                status, _, body = fetch(url + "/healthz")
                assert status == 200
                answers.append(body.decode())
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)
        assert all(answer == "ok" or STARTING.fullmatch(answer) for answer in answers), answers
        status, body = post_rows(url, "case")
        assert status == 200
        assert json.loads(body)["response"]["case-grid"]["getRowsResponse"]["rowCount"] == count
    finally:
        errors = stop(process)
    assert b"Traceback" not in errors
