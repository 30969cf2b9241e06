"""A folder of case files as a catalogue: what the index shows of each file, kept on disk.

Each file's facts (title, diagnoses, span, drugs, relapses, citation) or its problems are
kept in a SQLite cache keyed by file name, size, modification time and inode, under the
project's version; a restart reads the cache and parses only the files that changed. The
cache is shared by the server's workers and the command line, lives outside the case folder
(`CLINICAL_COURSE_CACHE` names another folder), and a damaged or foreign cache file is
deleted and rebuilt, never trusted. Knows nothing of plotly or dash.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from stat import S_ISREG

from dashboard.catalogue.entry import (
    Entry,
    drug_count,
    duration,
    read_case,
    search_text,
    span_text,
    summarise,
)
from dashboard.catalogue.query import CASES, PROBLEMS, Tables
from dashboard.catalogue.store import (
    Stamp,
    Store,
    cache_path,
    decode,
    default_cache_dir,
    encode,
    read_progress,
)
from dashboard.catalogue.watch import watch
from dashboard.load import SERIES_SUFFIXES, SUFFIXES
from dashboard.problems import CaseError, InvalidCase
from dashboard.workers import PARSE_PARALLEL_FROM, pool

__all__ = [
    "CASES",
    "PROBLEMS",
    "Catalogue",
    "Entry",
    "Tables",
    "cache_path",
    "default_cache_dir",
    "drug_count",
    "duration",
    "read_case",
    "search_text",
    "span_text",
    "summarise",
    "watch",
]


SAVE_EVERY = 200  # files read between two saves of a first reading
_UNREADABLE: Stamp = (0, 0, 0)  # a symbolic link that leads nowhere: a file with a problem


def _look(path: Path | os.DirEntry[str]) -> Stamp | None:
    """A case file's stamp; None when there is no such file (a folder is none)."""
    try:
        stat = path.stat()  # (through a symbolic link)
    except OSError:
        return _UNREADABLE if path.is_symlink() else None
    if not S_ISREG(stat.st_mode) and not path.is_symlink():
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def read_entry(folder: Path, name: str) -> Entry:
    """What the index shows of one case file: its facts, or its problems."""
    result = read_case(folder / name, folder)
    if isinstance(result, InvalidCase):
        return Entry(id=Path(name).stem, name=name, problems=result.errors)
    return summarise(Path(name).stem, name, result)


def is_case_name(name: str) -> bool:
    """A file name the catalogue takes as a case file (series files are not cases)."""
    lower = name.lower()  # (text, not a path: the folder's every name goes through here)
    return (
        lower.endswith(SUFFIXES)
        and not name.startswith((".", "~", "#"))
        and not lower.endswith(SERIES_SUFFIXES)
    )


class Catalogue:
    """The case files of one folder: entries by name, refreshed for changed files only."""

    def __init__(self, folder: str | os.PathLike[str], *, cache: Path | bool | None = True) -> None:
        self.folder = Path(folder)
        where = cache_path(self.folder) if cache is True else (cache or None)
        self._store = Store(where if isinstance(where, Path) else None, self.folder)
        self._lock = threading.RLock()
        self._stamps: dict[str, Stamp] = {}
        self._entries: dict[str, Entry] = {}
        self._cases: dict[str, Entry] = {}  # by id; the first file of an id in name order
        self._invalid: tuple[Entry, ...] = ()
        self._ordered: tuple[Entry, ...] = ()
        self._loaded = False
        self._indexed = False
        self.tables = Tables()  # what the index shows, for filtered and sorted queries

    @property
    def cache_file(self) -> Path | None:
        """The SQLite file behind the catalogue, if any."""
        return self._store.path

    def refresh(
        self,
        progress: Callable[[int], None] | None = None,
        total: Callable[[int], None] | None = None,
    ) -> None:
        """Look at every file of the folder; parse the changed ones. `total` is told how many
        files are to be parsed, `progress` of each file parsed."""
        with self._lock:
            self._update(self._listing(), True, progress, total)

    def reading(self) -> tuple[int, int] | None:
        """Files read and to be read by a first reading under way in another process."""
        return None if self._store.path is None else read_progress(self._store.path)

    def follow(self) -> None:
        """Take in what another process's reading has kept so far, parsing nothing here."""
        with self._lock:
            for name, (stamp, data) in self._store.rows().items():
                if self._stamps.get(name) == stamp and name in self._entries:
                    continue
                try:
                    self._entries[name] = decode(data, str(self.folder / name))
                except (ValueError, TypeError, KeyError):
                    continue  # a damaged row: the reading after this one parses that file
                self._stamps[name] = stamp
            self._loaded = True
            self._index()

    def update(self, names: Iterable[str]) -> None:
        """Look again at these files (from the watcher) and only these."""
        with self._lock:
            if not self._loaded:
                self.refresh()
                return
            wanted = {name for name in names if is_case_name(name)}
            if wanted:
                self._update({name: _look(self.folder / name) for name in wanted}, False, None)

    def _listing(self) -> dict[str, Stamp]:
        """Every case file of the folder with its stamp, in one pass over the folder."""
        try:
            with os.scandir(self.folder) as found:
                looked = {entry.name: _look(entry) for entry in found if is_case_name(entry.name)}
        except OSError:
            return {}
        return {name: stamp for name, stamp in looked.items() if stamp is not None}

    def _update(
        self,
        stamps: Mapping[str, Stamp | None],
        complete: bool,
        progress: Callable[[int], None] | None,
        total: Callable[[int], None] | None = None,
    ) -> None:
        """Read the files whose stamp changed; `complete` when `stamps` is the whole folder
        (so that files not in it are gone)."""
        if not self._loaded:
            cached = self._store.rows()
            self._stamps = {name: stamp for name, (stamp, _) in cached.items()}
            for name, (_, data) in cached.items():
                try:
                    self._entries[name] = decode(data, str(self.folder / name))
                except (ValueError, TypeError, KeyError):
                    self._stamps.pop(name, None)  # a damaged row: read that file again
            self._loaded = True
        removed = set(self._entries) - stamps.keys() if complete else set()
        todo: list[str] = []
        for name in sorted(stamps):
            stamp = stamps[name]
            if stamp is None:
                if name in self._entries:
                    removed.add(name)
            elif self._stamps.get(name) != stamp or name not in self._entries:
                todo.append(name)
        for name in removed:
            self._entries.pop(name, None)
            self._stamps.pop(name, None)
        if total is not None:
            total(len(todo))
        changed: dict[str, tuple[Stamp, str]] = {}
        # A first reading of a large folder parses in worker processes, one per core, and
        # keeps what it has read every SAVE_EVERY files, so that an interrupted one resumes.
        with pool(None, len(todo), PARSE_PARALLEL_FROM) as run:
            entries = run(read_entry, [(self.folder, name) for name in todo])
            for name, entry in zip(todo, entries, strict=True):
                stamp = stamps[name]
                assert stamp is not None
                self._entries[name] = entry
                self._stamps[name] = stamp
                changed[name] = (stamp, encode(entry))
                if progress is not None:
                    progress(1)
                if len(changed) >= SAVE_EVERY:
                    self._store.save(changed, ())
                    changed = {}
        if changed or removed:
            self._store.save(changed, removed)
        if todo or removed or not self._indexed:
            self._index()

    def _index(self) -> None:
        cases: dict[str, Entry] = {}
        invalid: list[Entry] = []
        for name in sorted(self._entries):
            entry = self._entries[name]
            if not entry.valid:
                invalid.append(entry)
            elif entry.id in cases:
                shown = str(self.folder / name)
                message = (
                    f"another file, {cases[entry.id].name}, already has the case id "
                    f"{entry.id!r}; rename one"
                )
                problem = CaseError(shown, None, None, "", message)
                invalid.append(Entry(id=entry.id, name=name, problems=(problem,)))
            else:
                cases[entry.id] = entry
        self._cases, self._invalid = cases, tuple(invalid)
        self._ordered = tuple(cases[case_id] for case_id in sorted(cases))
        self.tables.sync(self._ordered, self._invalid)
        self._indexed = True

    def cases(self) -> tuple[Entry, ...]:
        """Every valid case, by id order."""
        self._ensure()
        return self._ordered

    def invalid(self) -> tuple[Entry, ...]:
        """Every file with problems, by name."""
        self._ensure()
        return self._invalid

    def files(self) -> dict[str, Entry]:
        """Every case file's own entry by name, before case ids are compared."""
        self._ensure()
        return dict(self._entries)

    def find(self, case_id: str) -> Entry | None:
        """The file of a case id (valid or not), or None."""
        self._ensure()
        found = self._cases.get(case_id)
        if found is not None:
            return found
        return next((entry for entry in self._invalid if entry.id == case_id), None)

    def current(self, name: str) -> bool:
        """True when the catalogue's entry for a file matches the file on disk now."""
        return name in self._entries and self._stamps.get(name) == _look(self.folder / name)

    def path(self, entry: Entry) -> Path:
        """Where an entry's file is."""
        return self.folder / entry.name

    def _ensure(self) -> None:
        if not self._loaded:
            self.refresh()

    def close(self) -> None:
        """Close the cache file."""
        self._store.close()
