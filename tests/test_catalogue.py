"""The catalogue: an on-disk cache that survives restarts, is never trusted when damaged or
foreign, stays outside the case folder, and a watcher that follows the folder."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from dashboard.catalogue import Catalogue, cache_path, drug_count, watch
from dashboard.load import load_case
from tests.conftest import CASE_FILES, copy_of_timelines

OUTSIDE = "points outside the folder (a symlink); only files inside the folder are read"

TITLE = "title: {title}\ndiagnoses: [NMOSD]\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_of_timelines(tmp_path / "cases")


def write_keeping_stamp(path: Path, text: str) -> None:
    """Change a file's text but not its size or modification time."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def titles(catalogue: Catalogue) -> dict[str, str]:
    return {entry.id: entry.title for entry in catalogue.cases()}


def test_a_restart_reads_the_cache_not_the_unchanged_files(folder: Path, tmp_path: Path) -> None:
    case = folder / "demo.yaml"
    case.write_text(TITLE.format(title="First title"), encoding="utf-8")
    Catalogue(folder, cache=tmp_path / "c.sqlite3").refresh()
    # Same size, same time: a catalogue that parsed the file would see the new title.
    write_keeping_stamp(case, TITLE.format(title="Other title"))
    restarted = Catalogue(folder, cache=tmp_path / "c.sqlite3")
    assert titles(restarted)["demo"] == "First title"
    assert titles(restarted)["nomura-2025-case2"] == (
        "Case 2 – NMOSD with macrophage activation syndrome"
    )
    # A real edit changes the stamp and is read again.
    case.write_text(TITLE.format(title="Edited title!"), encoding="utf-8")
    restarted.refresh()
    assert titles(restarted)["demo"] == "Edited title!"


def test_problems_are_cached_too(folder: Path, tmp_path: Path) -> None:
    (folder / "bad.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    first = Catalogue(folder, cache=tmp_path / "c.sqlite3")
    [bad] = first.invalid()
    again = Catalogue(folder, cache=tmp_path / "c.sqlite3").invalid()
    assert [str(error) for error in again[0].problems] == [str(e) for e in bad.problems]
    assert str(again[0].problems[0]).startswith(f"{folder / 'bad.yaml'}:2:1: ")


@pytest.mark.parametrize(
    "damage",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000, b""],
)
def test_a_damaged_cache_is_discarded_and_rebuilt(
    folder: Path, tmp_path: Path, damage: bytes
) -> None:
    cache = tmp_path / "c.sqlite3"
    cache.write_bytes(damage)
    catalogue = Catalogue(folder, cache=cache)
    assert len(catalogue.cases()) == 3
    assert catalogue.cache_file == cache
    with sqlite3.connect(cache) as db:  # rebuilt as a real cache of this folder
        assert db.execute("SELECT count(*) FROM entries").fetchone() == (3,)


def test_a_cache_of_another_version_or_folder_is_not_trusted(folder: Path, tmp_path: Path) -> None:
    case = folder / "demo.yaml"
    case.write_text(TITLE.format(title="First title"), encoding="utf-8")
    cache = tmp_path / "c.sqlite3"
    Catalogue(folder, cache=cache).refresh()
    write_keeping_stamp(case, TITLE.format(title="Other title"))
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE meta SET value = '0.0.0-old' WHERE key = 'version'")
    assert titles(Catalogue(folder, cache=cache))["demo"] == "Other title"
    write_keeping_stamp(case, TITLE.format(title="Third title"))
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE meta SET value = '/somewhere/else' WHERE key = 'folder'")
    assert titles(Catalogue(folder, cache=cache))["demo"] == "Third title"


def test_the_cache_lives_outside_the_case_folder(folder: Path, case_cache: Path) -> None:
    before = sorted(path.name for path in folder.iterdir())
    catalogue = Catalogue(folder)
    assert len(catalogue.cases()) == 3
    assert catalogue.cache_file == cache_path(folder)
    assert catalogue.cache_file is not None and catalogue.cache_file.parent == case_cache
    assert sorted(path.name for path in folder.iterdir()) == before


def test_an_unwritable_cache_folder_still_gives_a_catalogue(folder: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    catalogue = Catalogue(folder, cache=blocker / "c.sqlite3")
    assert len(catalogue.cases()) == 3


def test_a_symlink_out_of_the_folder_is_a_problem_and_never_read(
    folder: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: SECRET-CONTENT\n", encoding="utf-8")
    (folder / "escape.yaml").symlink_to(secret)
    (folder / "passwd.yaml").symlink_to("/etc/passwd")
    inside = folder / "inside.yaml"
    inside.symlink_to(folder / "nomura-2025-case2.yaml")
    catalogue = Catalogue(folder, cache=tmp_path / "c.sqlite3")
    problems = {
        entry.name: [str(error) for error in entry.problems] for entry in catalogue.invalid()
    }
    assert problems == {
        "escape.yaml": [f"{folder / 'escape.yaml'}:1:1: {OUTSIDE}"],
        "passwd.yaml": [f"{folder / 'passwd.yaml'}:1:1: {OUTSIDE}"],
    }
    assert "inside" in titles(catalogue)  # a link within the folder is an ordinary case
    assert all("SECRET" not in entry.title for entry in catalogue.cases())


def test_duplicate_ids_keep_the_first_file(folder: Path, tmp_path: Path) -> None:
    (folder / "demo.yaml").write_text(TITLE.format(title="YAML"), encoding="utf-8")
    (folder / "demo.yml").write_text(TITLE.format(title="YML"), encoding="utf-8")
    catalogue = Catalogue(folder, cache=tmp_path / "c.sqlite3")
    assert titles(catalogue)["demo"] == "YAML"
    [duplicate] = catalogue.invalid()
    assert str(duplicate.problems[0]) == (
        f"{folder / 'demo.yml'}: another file, demo.yaml, already has the case id 'demo'; "
        "rename one"
    )


REPEATED_DRUGS = """title: Repeated drugs
treatments:
  - {drug: methylprednisolone, start: day 0, end: day 3}
  - {drug: Methylprednisolone, start: day 100, end: day 103}
  - {drug: prednisolone, start: day 4, end: day 60}
  - {drug: prednisolone, start: day 104, end: day 160}
  - {drug: rituximab, given: [day 20, day 200]}
"""


def test_drugs_are_counted_once_however_many_items_give_them(tmp_path: Path) -> None:
    (tmp_path / "repeated.yaml").write_text(REPEATED_DRUGS, encoding="utf-8")
    assert drug_count(load_case(tmp_path / "repeated.yaml")) == 3
    [entry] = Catalogue(tmp_path, cache=False).cases()
    assert entry.drugs == 3


def wait_for(condition: object, timeout: float = 10.0) -> None:
    """Poll `condition()` until it is true (the watcher runs in its own thread)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.02)


def test_the_watcher_follows_added_edited_and_removed_files(folder: Path, tmp_path: Path) -> None:
    catalogue = Catalogue(folder, cache=tmp_path / "c.sqlite3")
    catalogue.refresh()
    stop = threading.Event()
    thread = watch(catalogue, stop)
    try:
        added = folder / "added.yaml"
        added.write_text(TITLE.format(title="Added"), encoding="utf-8")
        wait_for(lambda: titles(catalogue).get("added") == "Added")
        added.write_text(TITLE.format(title="Edited"), encoding="utf-8")
        wait_for(lambda: titles(catalogue).get("added") == "Edited")
        added.write_text("title: [broken\n", encoding="utf-8")
        wait_for(lambda: "added" not in titles(catalogue) and len(catalogue.invalid()) == 1)
        added.unlink()
        wait_for(lambda: not catalogue.invalid())
        assert sorted(titles(catalogue)) == sorted(p.stem for p in CASE_FILES)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_file_whose_loading_raises_is_that_files_problem_only(folder: Path) -> None:
    from dashboard.app.cases import Library

    # An explicit YAML tag on the wrong text: the loader itself may raise on it.
    (folder / "tagged.yaml").write_text("title: !!float abc\n", encoding="utf-8")
    library = Library(folder, cache=False)
    catalogue = library.catalogue
    assert [entry.name for entry in catalogue.invalid()] == ["tagged.yaml"]
    [problem] = catalogue.invalid()[0].problems
    assert str(problem).startswith(f"{folder / 'tagged.yaml'}:")
    assert len(catalogue.cases()) == 3
    found = library.lookup("tagged")
    assert found.case is None and found.invalid is not None
    assert library.lookup("nomura-2025-case2").case is not None


def test_the_figure_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    """One case of many points viewed many ways grew a worker by gigabytes: the cache held 64
    figures whatever their size. It now keeps at most FIGURE_CACHE_BYTES of them (as JSON),
    dropping the least recently used, and still serves a view just drawn from memory."""
    from dashboard.app.cases import FIGURE_CACHE_BYTES, Library
    from dashboard.figure import FigureOptions

    values = "".join(f"  - [day {n / 10:g}, {n % 997}]\n" for n in range(30_000))
    (tmp_path / "dense.yaml").write_text(
        f"title: Dense\nmeasurements:\n- name: ferritin\n  values:\n{values}", encoding="utf-8"
    )
    library = Library(tmp_path, cache=False)
    found = library.lookup("dense").case
    assert found is not None
    views = [FigureOptions.of(width=800 + step) for step in range(24)]
    for options in views:
        library.figure(found, options)
    kept, size = library.figure_bytes
    assert size <= FIGURE_CACHE_BYTES and 1 <= kept < len(views)
    assert library.figure(found, views[-1]) is library.figure(found, views[-1])
