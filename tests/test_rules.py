"""Every rule has its invalid file; hostile files are refused with file:line and key, or drawn;
a folder full of them still validates, exports and serves every good case."""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.load import load_case, load_paths
from dashboard.model.rules import RULES
from dashboard.problems import InvalidCase
from dashboard.series.load import load_series_paths
from tests.conftest import CASE_FILES, INVALID, INVALID_FILES, ROOT
from tests.outputs import every_output
from tests.test_app import Server, fetch
from tests.test_load import _expected

HOSTILE = ROOT / "tests" / "data" / "hostile"
HOSTILE_FILES = sorted(HOSTILE.glob("*.yaml"))
# Rules about the file system rather than a file's text: each is tested where named.
ELSEWHERE = {
    "file_size": "test_load.py::test_huge_file_is_refused_without_reading_it",
    "unreadable": "test_load.py::test_whatever_fails_inside_stays_the_files_problem",
    "outside_folder": "test_load.py::test_a_symlink_out_of_the_folder_is_never_read",
    "same_id": "test_load.py::test_one_bad_file_never_stops_a_folder",
}
# Problems about the file as a whole, which have no key to name.
WHOLE_FILE = {"file_size", "unreadable", "not_utf8", "nul_bytes", "alias_expansion", "empty"}
WHOLE_FILE |= {"not_mapping", "too_many_points", "invalid_key", "yaml_syntax"}


def _rules_of(paths: list[Path]) -> dict[str, str]:
    produced: dict[str, str] = {}
    for path in paths:
        try:
            load_case(path)
        except InvalidCase as invalid:
            for error in invalid.errors:
                produced.setdefault(error.rule, path.name)
    return produced


def test_every_rule_has_an_invalid_file() -> None:
    produced = _rules_of(INVALID_FILES)
    assert set(produced) <= set(RULES), "a problem was reported without a registered rule"
    case_rules = {rule for rule in RULES if not rule.startswith("series_")}
    missing = case_rules - set(produced) - set(ELSEWHERE)
    assert not missing, f"rules without a file in {INVALID}: {sorted(missing)}"


def test_every_rule_in_the_code_is_registered() -> None:
    written: set[str] = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"\b(?:problem|_error)\(\s*\"([a-z0-9_]+)\"", text))
        written |= set(re.findall(r"(?:single|CaseError)\([^()]*?\"([a-z0-9_]+)\",?\s*\)", text))
    assert len(written) > 30
    assert written <= set(RULES), f"unregistered: {sorted(written - set(RULES))}"


# A hostile or generated course may not fit its size: the figure says so with a FigureWarning
# (tested in test_export_drawn and test_figure_key); here only every output is asked for.
@pytest.mark.filterwarnings("ignore::dashboard.problems.FigureWarning")
@pytest.mark.parametrize("path", HOSTILE_FILES, ids=lambda path: path.stem)
def test_a_hostile_file_is_refused_with_its_place_or_drawn(path: Path, tmp_path: Path) -> None:
    shown = os.path.relpath(path, ROOT)
    expected = _expected(path, shown)
    if expected == ["drawn"]:
        outputs = every_output(load_case(path), path.stem)
        assert outputs["page"].startswith("<!doctype html>") and outputs["table"]
        return
    with pytest.raises(InvalidCase) as raised:
        load_case(shown)
    errors = raised.value.errors
    assert [str(error) for error in errors] == expected
    for error in errors:
        assert error.line is not None and error.column is not None
        assert error.key or error.rule in WHOLE_FILE, f"{error} names no key"
        assert "unexpected" not in error.message


def test_every_problem_of_a_file_at_once() -> None:
    # The dependent rules (end before start, zero on a log scale, steps out of order) run for
    # every item whose own fields are valid, beside the problems of the other keys.
    with pytest.raises(InvalidCase) as raised:
        load_case(INVALID / "every-problem-at-once.yaml")
    rules = [error.rule for error in raised.value.errors]
    assert rules.count("end_before_start") == 3  # a treatment, an event and a period
    assert {"log_not_positive", "steps_order", "extra_forbidden", "string_type"} <= set(rules)
    assert len(rules) == 13


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for path in [*CASE_FILES, *INVALID_FILES, *HOSTILE_FILES]:
        shutil.copy(path, folder / path.name)
    (folder / "passwd.yaml").symlink_to("/etc/passwd")
    (folder / "huge-list.yaml").write_text(
        "title: t\nevents:\n" + "  - {at: 1, kind: note}\n" * 100_000, encoding="utf-8"
    )
    return folder


def _good(folder: Path) -> list[str]:
    return sorted(load_paths([folder]).cases)


# A hostile or generated course may not fit its size: the figure says so with a FigureWarning
# (tested in test_export_drawn and test_figure_key); here only every output is asked for.
@pytest.mark.filterwarnings("ignore::dashboard.problems.FigureWarning")
def test_a_folder_of_hostile_files_validates_and_exports_every_good_case(
    hostile_folder: Path, tmp_path: Path
) -> None:
    good = _good(hostile_folder)
    drawn = [path.stem for path in HOSTILE_FILES if _expected(path, "") == ["drawn"]]
    assert good == sorted([path.stem for path in CASE_FILES] + drawn)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(hostile_folder)])
    assert result.exit_code == 1
    assert "unexpected" not in result.output + result.stderr
    assert "root:x:0" not in result.output + result.stderr
    assert f"{hostile_folder}/passwd.yaml:1:1: points outside the folder" in result.output
    for line in result.stdout.splitlines():
        assert re.match(rf"{re.escape(str(hostile_folder))}/[^:]+\.yaml:\d+:\d+: ", line), line
    site = tmp_path / "site"
    result = runner.invoke(cli, ["export", str(hostile_folder), "-o", str(site)])
    assert result.exit_code == 0, result.output
    assert sorted(path.stem for path in (site / "case").glob("*.html")) == good


@pytest.fixture
def hostile_server(hostile_folder: Path) -> Iterator[Server]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Server(hostile_folder)
    yield server
    server.close()


# A hostile or generated course may not fit its size: the figure says so with a FigureWarning
# (tested in test_export_drawn and test_figure_key); here only every output is asked for.
@pytest.mark.filterwarnings("ignore::dashboard.problems.FigureWarning")
def test_a_folder_of_hostile_files_serves_every_good_case(
    hostile_server: Server, hostile_folder: Path
) -> None:
    # (generous timeouts: the first request reads every file of the folder)
    status, _, body = fetch(hostile_server.url + "/", timeout=120)
    assert status == 200 and b"root:x:0" not in body
    for case_id in _good(hostile_folder):
        for path in (f"/case/{case_id}", f"/present/{case_id}", f"/export/{case_id}.csv"):
            status, _, body = fetch(hostile_server.url + path, timeout=120)
            assert status == 200, path
    for path in ("/case/passwd", "/case/nesting-1000-deep", "/present/tag-binary"):
        status, _, body = fetch(hostile_server.url + path, timeout=120)
        assert status in (200, 404) and b"root:x:0" not in body, path


SERIES_INVALID = ROOT / "tests" / "data" / "series-invalid"


def test_every_series_rule_has_an_invalid_file(tmp_path: Path) -> None:
    produced: set[str] = set()
    _found, invalid = load_series_paths(sorted(SERIES_INVALID.glob("*.series.yaml")))
    for problem in invalid:
        produced |= {error.rule for error in problem.errors}
    # A folder without cases, and two files of one series id, are made here.
    empty, twice = tmp_path / "empty", tmp_path / "twice"
    for folder in (empty, twice):
        folder.mkdir()
    (empty / "lonely.series.yaml").write_text("title: No cases\n", encoding="utf-8")
    (twice / "case.yaml").write_text("title: A case\n", encoding="utf-8")
    (twice / "same.series.yaml").write_text("title: One\n", encoding="utf-8")
    (twice / "same.series.yml").write_text("title: Two\n", encoding="utf-8")
    for folder in (empty, twice):
        _found, invalid = load_series_paths(sorted(folder.glob("*.series.*")))
        for problem in invalid:
            produced |= {error.rule for error in problem.errors}
    series_rules = {rule for rule in RULES if rule.startswith("series_")}
    assert produced <= set(RULES), "a series problem was reported without a registered rule"
    assert series_rules - produced == set(), (
        f"series rules never produced: {series_rules - produced}"
    )
