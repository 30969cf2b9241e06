"""The command line: exit codes, messages and outputs (its documentation: test_docs.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.dates import DATE_VIEWS
from dashboard.model.localdates import DATE_ORDERS
from dashboard.model.views import AXES, AXIS_SPANS, GROUPS, SERIES_VIEWS, SORTS, THEMES
from tests.conftest import CASE_FILES, INVALID_FILES, ROOT, SERIES_FILES, TIMELINES


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_validate_the_shipped_cases() -> None:
    code, out, err = run("validate", str(TIMELINES))
    assert (code, out) == (0, "")
    assert err == f"All {len(CASE_FILES)} case files and {len(SERIES_FILES)} series files valid.\n"


def test_validate_reports_every_problem_and_keeps_going(tmp_path: Path) -> None:
    shutil.copy(CASE_FILES[0], tmp_path / "good.yaml")
    for name in ("many-problems.yaml", "python-tag.yaml"):
        shutil.copy(INVALID_FILES[0].parent / name, tmp_path / name)
    code, out, err = run("validate", str(tmp_path))
    lines = out.splitlines()
    assert code == 1
    assert len(lines) == 4
    assert lines[0].startswith(f"{tmp_path}/many-problems.yaml:7:12: treatments[0].start:")
    assert lines[3].startswith(f"{tmp_path}/python-tag.yaml:2:8: title: YAML tags are not allowed")
    assert err == "2 of 3 files have problems (4 problems); 1 valid.\n"


def test_validate_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path))
    assert code == 1 and "no case files (*.yaml, *.yml) found" in err


def test_schema_is_the_shipped_one() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["title"]
    assert "class" in schema["$defs"]["Treatment"]["properties"]
    assert (ROOT / "case.schema.json").read_text(encoding="utf-8") == out, (
        "case.schema.json is stale: run `clinical-course schema -o case.schema.json`"
    )


def test_render_page_and_json(tmp_path: Path) -> None:
    case = TIMELINES / "nomura-2025-case2.yaml"
    code, _, err = run("render", str(case), "-o", str(tmp_path / "case2.html"))
    assert code == 0 and err.startswith("Wrote ")
    page = (tmp_path / "case2.html").read_text(encoding="utf-8")
    assert "Case 2 – NMOSD with macrophage activation syndrome" in page
    assert 'href="https://doi.org/10.2169/internalmedicine.3757-24"' in page
    assert not re.search(r"<script[^>]+src=", page), "the page must not fetch scripts"
    code, _, _ = run("render", str(case), "-o", str(tmp_path / "case2.json"), "--theme", "print")
    figure = json.loads((tmp_path / "case2.json").read_text(encoding="utf-8"))
    assert code == 0 and figure["data"] and figure["layout"]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("figure.docx", "cannot tell the format of 'figure.docx'"),
        ("again.yaml", "looks like a case file; refusing to write over it"),
    ],
)
def test_render_refuses_what_it_cannot_write(tmp_path: Path, output: str, message: str) -> None:
    code, _, err = run("render", str(CASE_FILES[0]), "-o", str(tmp_path / output))
    assert code == 1 and message in err
    assert not (tmp_path / output).exists()


def test_render_a_broken_case_shows_its_problems(tmp_path: Path) -> None:
    broken = INVALID_FILES[0].parent / "end-before-start.yaml"
    code, _, err = run("render", str(broken), "-o", str(tmp_path / "x.html"))
    assert code == 1 and "treatments[0].end: ends on day 100" in err


def test_python_dash_m_runs_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "validate", str(TIMELINES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "valid" in result.stderr


def test_serve_on_a_busy_port_says_so() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run("serve", str(TIMELINES), "--port", str(port))
    assert code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert f"--port {port + 1}" in err


def test_schema_writes_and_rewrites_its_own_file(tmp_path: Path) -> None:
    target = tmp_path / "case.schema.json"
    assert run("schema", "-o", str(target))[0] == 0
    target.write_text(target.read_text(encoding="utf-8").replace("2020-12", "2019-09"))
    assert run("schema", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == (ROOT / "case.schema.json").read_text("utf-8")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("case.yaml", "title: My case\n", "would be a case file's name; refusing"),
        ("new.yml", None, "would be a case file's name; refusing"),
        ("notes.json", '{"title": "my notes"}', "exists and is not a schema this command wrote"),
        ("case.txt", "title: My case\n", "exists and is not a schema this command wrote"),
    ],
)
def test_schema_never_writes_over_a_case_or_another_file(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    target = tmp_path / name
    if content is not None:
        target.write_text(content, encoding="utf-8")
    code, _, err = run("schema", "-o", str(target))
    assert code == 1 and message in err
    assert (target.read_text(encoding="utf-8") if content is not None else None) == content
    assert target.exists() == (content is not None)


def test_validate_a_file_and_its_own_folder_reads_it_once(tmp_path: Path) -> None:
    shutil.copy(CASE_FILES[0], tmp_path / "a.yaml")
    code, out, err = run("validate", str(tmp_path / "a.yaml"), str(tmp_path))
    assert (code, out, err) == (0, "", "All 1 case file valid.\n")


def test_validate_names_a_symlink_out_of_the_folder_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / "passwd.yaml").symlink_to("/etc/passwd")
    code, out, err = run("validate", str(tmp_path))
    assert code == 1
    assert out == (
        f"{tmp_path}/passwd.yaml:1:1: points outside the folder (a symlink); "
        "only files inside the folder are read\n"
    )
    assert "root:" not in out + err


def _same_size_garbage(path: Path) -> None:
    """Spoil a file without a trace its stamp would show: same size, inode and mtime."""
    before = path.stat()
    with path.open("r+b") as file:
        file.write(b"[" + b" " * (before.st_size - 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_validate_again_reads_an_unchanged_folder_from_the_cache(tmp_path: Path) -> None:
    for number in (1, 2, 3):
        shutil.copy(CASE_FILES[0], tmp_path / f"case-{number}.yaml")
    assert run("validate", str(tmp_path)) == (0, "", "All 3 case files valid.\n")
    _same_size_garbage(tmp_path / "case-2.yaml")
    # parsed again, the spoilt file would be a YAML error; from the cache it is still valid
    assert run("validate", str(tmp_path)) == (0, "", "All 3 case files valid.\n")
    # named on its own, a file is parsed, and the spoilt text is seen
    code, out, _ = run("validate", str(tmp_path / "case-2.yaml"))
    assert code == 1 and out.startswith(f"{tmp_path}/case-2.yaml:")


def test_validate_again_checks_an_edited_file(tmp_path: Path) -> None:
    for number in (1, 2):
        shutil.copy(CASE_FILES[0], tmp_path / f"case-{number}.yaml")
    assert run("validate", str(tmp_path)) == (0, "", "All 2 case files valid.\n")
    (tmp_path / "case-2.yaml").write_text("title: [1, 2]\n", encoding="utf-8")
    code, out, err = run("validate", str(tmp_path))
    assert code == 1
    assert out == f"{tmp_path}/case-2.yaml:1:8: title: expected text, found a list\n"
    assert err == "1 of 2 files have problems (1 problem); 1 valid.\n"
    (tmp_path / "case-2.yaml").write_text("title: Fixed\n", encoding="utf-8")
    assert run("validate", str(tmp_path)) == (0, "", "All 2 case files valid.\n")


def test_validate_again_gives_the_cached_problems_word_for_word(tmp_path: Path) -> None:
    for name in ("many-problems.yaml", "python-tag.yaml"):
        shutil.copy(INVALID_FILES[0].parent / name, tmp_path / name)
    first = run("validate", str(tmp_path))
    assert first[0] == 1 and first[1].count("\n") == 4
    for name in ("many-problems.yaml", "python-tag.yaml"):
        _same_size_garbage(tmp_path / name)  # only the cache still knows the real problems
    assert run("validate", str(tmp_path)) == first


def test_a_warning_is_said_once_however_many_slides_say_it(tmp_path: Path) -> None:
    """A teaching deck draws the course once per step; a size warning the steps share is
    printed once, not once per slide."""
    case = ROOT / "tests" / "data" / "realistic" / "held-out" / "labs-dense.yaml"
    result = CliRunner().invoke(cli, ["present", str(case), "-o", str(tmp_path / "deck.html")])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert said, "the dense course does not fit a slide at its type: it says so"
    assert len(said) == len(set(said))


@pytest.mark.parametrize(
    ("command", "option", "words"),
    [
        ("render", "theme", THEMES),
        ("render", "axis", AXES),
        ("render", "view", SERIES_VIEWS),
        ("render", "sort", SORTS),
        ("render", "group", GROUPS),
        ("render", "dates", DATE_VIEWS),
        ("export", "theme", THEMES),
        ("present", "axis_span", AXIS_SPANS),
        ("import", "date_order", DATE_ORDERS),
    ],
)
def test_each_choice_offers_the_words_the_program_knows(
    command: str, option: str, words: tuple[str, ...]
) -> None:
    """A choice on the command line offers exactly the vocabulary its value is read by, in
    its order: the words are defined once and the command line takes them from there."""
    [parameter] = [p for p in cli.commands[command].params if p.name == option]
    assert isinstance(parameter.type, click.Choice)
    assert tuple(parameter.type.choices) == words
