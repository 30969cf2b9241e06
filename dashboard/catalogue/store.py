"""The SQLite file under a catalogue: one per case folder, outside it; any damage, another
version or another folder means starting it again, empty."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from dashboard import __version__
from dashboard.catalogue.entry import Entry
from dashboard.problems import CaseError

CACHE_FORMAT = "2"
CACHE_ENV = "CLINICAL_COURSE_CACHE"
Stamp = tuple[int, int, int]  # modification time (ns), size, inode


def default_cache_dir() -> Path:
    """Where caches live: $CLINICAL_COURSE_CACHE, else the user's cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clinical-course"


def cache_path(folder: Path, cache_dir: Path | None = None) -> Path:
    """The cache file of one case folder."""
    key = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return (cache_dir or default_cache_dir()) / f"{folder.resolve().name[:40]}-{key[:16]}.sqlite3"


def progress_path(cache: Path) -> Path:
    """The file beside a cache that a first reading under way keeps its progress in."""
    return cache.with_name(cache.name + ".reading")


def write_progress(cache: Path, done: int, total: int, pid: int) -> None:
    """Say that process `pid` has read `done` of `total` files (replaced whole, never torn);
    where the cache folder cannot be written, nobody is told and each worker reads alone."""
    path = progress_path(cache)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(f"{done} {total} {pid}", encoding="ascii")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def end_progress(cache: Path) -> None:
    """The reading is over."""
    with contextlib.suppress(OSError):
        progress_path(cache).unlink(missing_ok=True)


def read_progress(cache: Path) -> tuple[int, int] | None:
    """Files read and to be read by a reading under way; None when none is (or the process
    that was reading has gone)."""
    try:
        done, total, pid = (int(part) for part in progress_path(cache).read_text().split())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return done, total


class Store:
    """The SQLite file under the catalogue; any damage means starting it again, empty."""

    def __init__(self, path: Path | None, folder: Path) -> None:
        self.path = path
        self.folder = str(folder.resolve())
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path is not None:
            try:
                return self._connect(str(self.path))
            except (sqlite3.Error, OSError, ValueError):
                self._discard()
            try:
                return self._connect(str(self.path))
            except (sqlite3.Error, OSError, ValueError):
                pass  # an unwritable cache folder: keep the catalogue in memory only
        return self._connect(":memory:")

    def _connect(self, where: str) -> sqlite3.Connection:
        if where != ":memory:":
            Path(where).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(where, timeout=30, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (name TEXT PRIMARY KEY, mtime INTEGER, "
                "size INTEGER, inode INTEGER, data TEXT NOT NULL)"
            )
            want = {"format": CACHE_FORMAT, "version": __version__, "folder": self.folder}
            have = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if have != want:
                if have:  # another version's or another folder's cache: never trusted
                    db.execute("DELETE FROM entries")
                    db.execute("DELETE FROM meta")
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", want.items())
            db.execute("PRAGMA quick_check").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        if self.path is None:
            return
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.path) + suffix).unlink()

    def rows(self) -> dict[str, tuple[Stamp, str]]:
        """Every cached file's stamp and data."""
        try:
            found = self._db.execute("SELECT name, mtime, size, inode, data FROM entries")
            return {name: ((mtime, size, inode), data) for name, mtime, size, inode, data in found}
        except sqlite3.Error:
            self._restart()
            return {}

    def save(self, changed: dict[str, tuple[Stamp, str]], removed: Iterable[str]) -> None:
        """Store changed files and forget removed ones, in one transaction."""
        rows = [(name, *stamp, data) for name, (stamp, data) in changed.items()]
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)
            self._db.executemany("DELETE FROM entries WHERE name = ?", [(n,) for n in removed])
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._restart()

    def _restart(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._discard()
        self._db = self._open()

    def close(self) -> None:
        """Close the connection (before a fork, or when done)."""
        self._db.close()


def encode(entry: Entry) -> str:
    data = asdict(entry)
    data["problems"] = [[e.line, e.column, e.key, e.message, e.rule] for e in entry.problems]
    return json.dumps(data, ensure_ascii=False)


def decode(text: str, shown: str) -> Entry:
    data = json.loads(text)
    problems = tuple(CaseError(shown, *item) for item in data.pop("problems"))
    return Entry(**data, problems=problems)
