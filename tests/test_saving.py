"""Writing case files: atomic, inside the folder only, never over someone else's change, with
every replaced version kept beside the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.saving import (
    KEPT_VERSIONS,
    Conflict,
    SaveError,
    create,
    history_folder,
    log_entries,
    save,
    text_hash,
    version_text,
    versions,
)

TEXT = "title: A case  # kept\nevents: []\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "case.yaml").write_text(TEXT, encoding="utf-8")
    return cases


def test_a_save_replaces_the_file_and_keeps_the_old_version(folder: Path) -> None:
    """The new text is on disk, no temporary file is left, the old text is kept and logged."""
    new_hash = save(folder, "case.yaml", "title: B\n", text_hash(TEXT), "ann")
    assert (folder / "case.yaml").read_text(encoding="utf-8") == "title: B\n"
    assert new_hash == text_hash("title: B\n")
    assert sorted(path.name for path in folder.iterdir()) == ["case.yaml"]
    [kept] = versions(folder, "case.yaml")
    assert version_text(folder, "case.yaml", kept.name) == TEXT
    [entry] = log_entries(folder)
    assert entry["who"] == "ann" and entry["before"] == text_hash(TEXT)


def test_a_file_changed_since_it_was_loaded_is_not_overwritten(folder: Path) -> None:
    """A save against an older version is refused with what the file holds now."""
    (folder / "case.yaml").write_text("title: theirs\n", encoding="utf-8")
    with pytest.raises(Conflict) as refused:
        save(folder, "case.yaml", "title: mine\n", text_hash(TEXT), "ann")
    assert refused.value.theirs == "title: theirs\n"
    assert (folder / "case.yaml").read_text(encoding="utf-8") == "title: theirs\n"
    assert log_entries(folder) == []


@pytest.mark.parametrize(
    "name", ["../outside.yaml", "sub/case.yaml", ".hidden.yaml", "case.txt", "x.series.yaml"]
)
def test_only_plain_case_names_inside_the_folder_are_written(folder: Path, name: str) -> None:
    """Names with a path, hidden names, other suffixes and series files are refused."""
    with pytest.raises(SaveError):
        create(folder, name, TEXT, "ann")
    assert sorted(path.name for path in folder.parent.rglob("*")) == ["case.yaml", "cases"]


def test_a_symlink_is_never_written_through(folder: Path, tmp_path: Path) -> None:
    """A case file that is a link (perhaps to a file elsewhere) is not saved over."""
    outside = tmp_path / "outside.yaml"
    outside.write_text(TEXT, encoding="utf-8")
    (folder / "linked.yaml").symlink_to(outside)
    with pytest.raises(SaveError, match="link"):
        save(folder, "linked.yaml", "title: B\n", text_hash(TEXT), "ann")
    assert outside.read_text(encoding="utf-8") == TEXT


def test_a_new_case_never_replaces_a_file(folder: Path) -> None:
    """Creating a case under a name that exists is refused, the file untouched."""
    with pytest.raises(SaveError, match="exists already"):
        create(folder, "case.yaml", "title: other\n", "ann")
    assert (folder / "case.yaml").read_text(encoding="utf-8") == TEXT


def test_the_history_lives_beside_the_folder_and_keeps_the_newest(folder: Path) -> None:
    """The history is outside the case folder and keeps the newest KEPT_VERSIONS versions."""
    assert not history_folder(folder).is_relative_to(folder.resolve())
    text = TEXT
    for number in range(KEPT_VERSIONS + 3):
        new = f"title: version {number}\n"
        save(folder, "case.yaml", new, text_hash(text), "ann")
        text = new
    kept = versions(folder, "case.yaml")
    assert len(kept) == KEPT_VERSIONS
    assert (
        version_text(folder, "case.yaml", kept[0].name) == f"title: version {KEPT_VERSIONS + 1}\n"
    )
    assert len(log_entries(folder)) == KEPT_VERSIONS + 3
