"""Progress bars: shown on a terminal for long commands, never in a file or a pipe."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CASE_FILES, ROOT


def on_terminal(*args: str) -> tuple[int, str]:
    """Run the command with a pseudo-terminal as its standard error; its exit status and
    what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the command closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=120), shown.decode("utf-8", "replace")


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for number in range(12):
        shutil.copy(CASE_FILES[number % len(CASE_FILES)], folder / f"case-{number:02}.yaml")
    return folder


def test_validate_shows_progress_on_a_terminal(cases: Path) -> None:
    code, shown = on_terminal("validate", str(cases))
    assert code == 0
    assert "Checking  [-----" in shown and "Checking  [#####" in shown and "12/12" in shown
    assert shown.rstrip().endswith("All 12 case files valid.")


def test_render_folder_shows_progress_on_a_terminal(cases: Path, tmp_path: Path) -> None:
    code, shown = on_terminal("render", str(cases), "-o", str(tmp_path / "out"), "--format", "json")
    assert code == 0
    assert "Rendering" in shown and "12/12" in shown
    assert len(list((tmp_path / "out").glob("*.json"))) == 12


def test_no_progress_bar_when_not_on_a_terminal(cases: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "validate", str(cases)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "",
        "All 12 case files valid.\n",
    )


def test_render_progress_counts_skipped_files_as_done(cases: Path, tmp_path: Path) -> None:
    (cases / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    code, shown = on_terminal("render", str(cases), "-o", str(tmp_path / "out"), "--format", "json")
    assert code == 1
    assert "13/13" in shown
    assert len(list((tmp_path / "out").glob("*.json"))) == 12
