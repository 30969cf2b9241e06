"""Reading many files over one worker process per core: the same results, in the same order,
with the same messages, as reading them one by one in this process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dashboard.catalogue import Catalogue, read_entry
from dashboard.catalogue.check import check_paths
from dashboard.load import load_case, load_paths
from dashboard.problems import InvalidCase
from dashboard.workers import PARSE_PARALLEL_FROM, cores, pool, serial
from tests.conftest import INVALID_FILES
from tests.synth import write_cases


def _folder(tmp_path: Path) -> Path:
    """More generated cases than are read in this process, and every invalid file."""
    folder = tmp_path / "cases"
    write_cases(folder, PARSE_PARALLEL_FROM)
    for path in INVALID_FILES:
        shutil.copy(path, folder / path.name)
    return folder


def _pid() -> int:
    return os.getpid()


def test_many_jobs_run_in_one_worker_per_core_and_few_in_this_process() -> None:
    """A folder's worth of files is spread over worker processes; a handful stays here."""
    with pool(None, PARSE_PARALLEL_FROM, PARSE_PARALLEL_FROM) as run:
        pids = set(run(_pid, [() for _ in range(PARSE_PARALLEL_FROM)]))
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= cores()
    with pool(None, PARSE_PARALLEL_FROM - 1, PARSE_PARALLEL_FROM) as run:
        assert run is serial


def test_a_first_reading_gives_every_file_the_entry_and_messages_of_a_reading_here(
    tmp_path: Path,
) -> None:
    """The catalogue of a large new folder (read in workers) holds, for every file, what
    reading that file alone in this process gives, problems worded alike."""
    folder = _folder(tmp_path)
    catalogue = Catalogue(folder, cache=tmp_path / "cache.sqlite3")
    try:
        files = catalogue.files()
    finally:
        catalogue.close()
    names = sorted(path.name for path in folder.iterdir())
    assert sorted(files) == names
    for name in names:
        assert files[name] == read_entry(folder, name), name
    assert sum(not entry.valid for entry in files.values()) == len(INVALID_FILES)


def test_validate_and_load_of_many_files_keep_order_and_messages(tmp_path: Path) -> None:
    """`validate` and `render` of a large folder report the same files, in the same order,
    with the same messages, as loading each file here."""
    folder = _folder(tmp_path)
    expected: dict[str, list[str]] = {}
    for path in sorted(folder.iterdir()):
        try:
            load_case(path, within=folder)
        except InvalidCase as invalid:
            expected[str(path)] = [str(error) for error in invalid.errors]
    catalog = load_paths([folder])
    assert {invalid.path: [str(e) for e in invalid.errors] for invalid in catalog.invalid} == (
        expected
    )
    assert [invalid.path for invalid in catalog.invalid] == sorted(expected)
    checked = check_paths([folder])
    assert {invalid.path: [str(e) for e in invalid.errors] for invalid in checked.invalid} == (
        expected
    )
