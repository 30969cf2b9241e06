"""Writing case files from the browser without ever losing work.

A save replaces the file atomically (a temporary file in the same folder, then a rename), only
for a plain file directly inside the served folder, and only when the file on disk is still
the version the editor loaded (compared by hash). The version it replaces is kept first in
the folder's history, which lives beside the folder (never inside it, where it would be read
as cases), and every write is logged there: who, when, which file, hash before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dashboard.load import MAX_BYTES, SUFFIXES
from dashboard.problems import CourseError

KEPT_VERSIONS = 50  # per file; the oldest beyond this are removed
HISTORY_FOLDER = ".clinical-course-history"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
_lock = threading.Lock()  # one write at a time per process; the rename makes each atomic


class SaveError(CourseError):
    """A write that was refused, with the reason in words for the person who asked."""


class Conflict(SaveError):
    """The file changed on disk since the editor loaded it; `theirs` is what it holds now."""

    def __init__(self, name: str, theirs: str) -> None:
        self.theirs = theirs
        super().__init__(
            f"{name} was changed by someone else since you opened it; nothing was overwritten"
        )


@dataclass(frozen=True, slots=True)
class Version:
    """A kept earlier version of a case file."""

    name: str  # the history file's name
    when: str  # when it was replaced, as UTC ISO time


def text_hash(text: str | bytes) -> str:
    """The SHA-256 of a text as its UTF-8 bytes, in hex."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def history_folder(folder: Path) -> Path:
    """Where the history of a served folder is kept: beside it, never inside it."""
    folder = folder.resolve()
    return folder.parent / HISTORY_FOLDER / folder.name


def check_name(name: str) -> str:
    """A case file name a browser may write: plain, inside the folder, a YAML suffix."""
    if not _NAME.match(name) or Path(name).suffix.lower() not in SUFFIXES:
        raise SaveError(
            f"{name!r} is not a case file name; use letters, digits, '-', '_' or '.', "
            "ending in .yaml (for example smith-2024.yaml)"
        )
    if name.lower().endswith(".series.yaml") or name.lower().endswith(".series.yml"):
        raise SaveError(f"{name} would be a series file; a case file name ends in .yaml")
    return name


def target(folder: Path, name: str) -> Path:
    """The file `name` directly inside `folder`; refused when it is a symlink or not a file."""
    path = folder.resolve() / check_name(name)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise SaveError(f"{name} is a link or not a plain file; only plain case files are saved")
    return path


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def save(folder: Path, name: str, text: str, loaded_hash: str, who: str) -> str:
    """Write `text` as the case file `name` when the file still holds the version hashed
    `loaded_hash`; keep the replaced version in the history; return the new hash."""
    data = _encoded(text)
    path = target(folder, name)
    with _lock:
        before = _read(path)
        if before is not None and text_hash(before) != loaded_hash:
            raise Conflict(name, before.decode("utf-8", "replace"))
        if before is None and loaded_hash:
            raise SaveError(f"{name} was deleted since you opened it; save it as a new case")
        if before is not None:
            _keep(folder, name, before)
        _replace(path, data)
        _log(folder, "save", name, who, before, data)
    return text_hash(data)


def create(folder: Path, name: str, text: str, who: str, action: str = "create") -> Path:
    """Write a new case file `name`; never replaces a file that exists."""
    data = _encoded(text)
    path = target(folder, name)
    with _lock:
        try:
            with open(path, "xb") as file:  # 'x': fails when the name is taken meanwhile
                file.write(data)
        except FileExistsError:
            raise SaveError(f"{name} exists already; choose another name") from None
        _log(folder, action, name, who, None, data)
    return path


def versions(folder: Path, name: str) -> list[Version]:
    """The kept versions of a case file, newest first."""
    kept = history_folder(folder) / check_name(name)
    if not kept.is_dir():
        return []
    found = sorted((entry.name for entry in kept.iterdir() if entry.is_file()), reverse=True)
    return [Version(entry, _when(entry)) for entry in found]


def version_text(folder: Path, name: str, version: str) -> str:
    """The text of one kept version of a case file."""
    if version not in {kept.name for kept in versions(folder, name)}:
        raise SaveError(f"there is no kept version {version!r} of {name}")
    path = history_folder(folder) / name / version
    return path.read_bytes().decode("utf-8", "replace")


def log_entries(folder: Path) -> list[dict[str, str]]:
    """Every logged write of the folder, oldest first."""
    path = history_folder(folder) / "log.jsonl"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _encoded(text: str) -> bytes:
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise SaveError(f"the text is {len(data) / 1024 / 1024:.1f} MB; a case may be at most 2 MB")
    return data


def _replace(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".saving-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _when(version: str) -> str:
    try:
        moment = datetime.strptime(version.split(".")[0], "%Y%m%dT%H%M%S%fZ")
    except ValueError:
        return version
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _keep(folder: Path, name: str, data: bytes) -> None:
    kept = history_folder(folder) / name
    kept.mkdir(parents=True, exist_ok=True)
    (kept / f"{_stamp()}.yaml").write_bytes(data)
    for old in sorted(kept.iterdir(), reverse=True)[KEPT_VERSIONS:]:
        old.unlink()


def _log(
    folder: Path, action: str, name: str, who: str, before: bytes | None, after: bytes
) -> None:
    history = history_folder(folder)
    history.mkdir(parents=True, exist_ok=True)
    entry = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "who": who,
        "action": action,
        "file": name,
        "before": None if before is None else text_hash(before),
        "after": text_hash(after),
    }
    with open(history / "log.jsonl", "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


__all__ = [
    "Conflict",
    "SaveError",
    "Version",
    "create",
    "history_folder",
    "log_entries",
    "save",
    "text_hash",
    "version_text",
    "versions",
]
