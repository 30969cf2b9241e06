"""A folder of case files as a catalogue: what the index shows of each file, kept on disk.

Each file's facts (title, diagnoses, span, drugs, relapses, citation) or its problems are
kept in a SQLite cache keyed by file name, size, modification time and inode, under the
project's version; a restart reads the cache and parses only the files that changed. The
cache is shared by the server's workers and the command line, lives outside the case folder
(`CLINICAL_COURSE_CACHE` names another folder), and a damaged or foreign cache file is
deleted and rebuilt, never trusted. Knows nothing of plotly or dash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from dashboard import __version__
from dashboard.load import SUFFIXES, load_case
from dashboard.model import UNIT_DAYS, Case
from dashboard.model.times import format_number
from dashboard.problems import CaseError, InvalidCase

CACHE_FORMAT = "1"
CACHE_ENV = "CLINICAL_COURSE_CACHE"
RESCAN_SECONDS = 10.0  # a full look at the folder even when file events come
Stamp = tuple[int, int, int]  # modification time (ns), size, inode


@dataclass(frozen=True, slots=True)
class Entry:
    """One case file as the index shows it; `problems` is empty for a valid case."""

    id: str
    name: str
    title: str = ""
    diagnoses: str = ""
    day0: str = ""
    start: float = 0.0
    end: float = 0.0
    course: str = ""
    drugs: int = 0
    relapses: int = 0
    citation: str = ""
    doi: str = ""
    search: str = ""
    problems: tuple[CaseError, ...] = ()

    @property
    def valid(self) -> bool:
        """True when the file is a valid case."""
        return not self.problems


def inside_folder(path: Path, folder: Path) -> bool:
    """True when `path`, with every symlink followed, lies inside `folder`."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def read_case(path: Path, folder: Path) -> Case | InvalidCase:
    """One file as a case or as its problems; whatever goes wrong is this file's problem."""
    shown = str(path)
    if not inside_folder(path, folder):
        return InvalidCase.single(shown, "points outside the folder; it is not read")
    try:
        return load_case(path)
    except InvalidCase as invalid:
        return invalid
    except Exception as error:  # one file's failure never reaches the others
        reason = f"{type(error).__name__}: {error}"[:200]
        return InvalidCase(shown, (CaseError(shown, 1, 1, "", f"cannot be read ({reason})"),))


def duration(days: float) -> str:
    """A length of time in the unit people would say it in: '3 years', '5 months', '10 days'."""
    for unit, at_least in (("year", 730.5), ("month", 60.0), ("week", 14.0)):
        if days >= at_least:
            count = format_number(round(days / UNIT_DAYS[unit], 1))
            return f"{count} {unit}s"
    count = format_number(round(days))
    return f"{count} day{'s' * (count != '1')}"


def span_text(case: Case) -> str:
    """'day -30 to day 1095 (3 years)': how long the course runs."""
    low, high = case.span
    return f"day {format_number(low)} to day {format_number(high)} ({duration(high - low)})"


def search_text(case: Case) -> str:
    """What the index filter matches: title, diagnoses, drug names and abbreviations."""
    words = [case.title, *case.diagnoses]
    for treatment in case.treatments:
        words += [treatment.drug, treatment.abbr or "", treatment.class_ or ""]
    return " ".join(words).casefold()


def drug_count(case: Case) -> int:
    """How many different drugs a case gives (a drug given in several items counts once)."""
    return len({treatment.drug.casefold().strip() for treatment in case.treatments})


def summarise(case_id: str, name: str, case: Case) -> Entry:
    """The index's facts of a valid case."""
    low, high = case.span
    source = case.source
    return Entry(
        id=case_id,
        name=name,
        title=case.title,
        diagnoses="; ".join(case.diagnoses),
        day0=case.day0.label,
        start=low,
        end=high,
        course=span_text(case),
        drugs=drug_count(case),
        relapses=sum(event.kind == "relapse" for event in case.events),
        citation=(source.citation or "") if source else "",
        doi=(source.doi or "") if source else "",
        search=search_text(case),
    )


def matches(entry: Entry, query: str | None) -> bool:
    """True when every word of the query is found in the entry's searchable text."""
    haystack = entry.search if entry.valid else entry.name.casefold() + " " + _problem_text(entry)
    return all(word in haystack for word in (query or "").casefold().split())


def _problem_text(entry: Entry) -> str:
    return " ".join(f"{error.key} {error.message}" for error in entry.problems).casefold()


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


class _Store:
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


def _encode(entry: Entry) -> str:
    data = asdict(entry)
    data["problems"] = [[e.line, e.column, e.key, e.message] for e in entry.problems]
    return json.dumps(data, ensure_ascii=False)


def _decode(text: str, shown: str) -> Entry:
    data = json.loads(text)
    problems = tuple(CaseError(shown, *item) for item in data.pop("problems"))
    return Entry(**data, problems=problems)


def _stamp(path: Path) -> Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def is_case_name(name: str) -> bool:
    """A file name the catalogue takes as a case file."""
    return Path(name).suffix.lower() in SUFFIXES and not name.startswith((".", "~", "#"))


class Catalogue:
    """The case files of one folder: entries by name, refreshed for changed files only."""

    def __init__(self, folder: str | os.PathLike[str], *, cache: Path | bool | None = True) -> None:
        self.folder = Path(folder)
        where = cache_path(self.folder) if cache is True else (cache or None)
        self._store = _Store(where if isinstance(where, Path) else None, self.folder)
        self._lock = threading.RLock()
        self._stamps: dict[str, Stamp] = {}
        self._entries: dict[str, Entry] = {}
        self._cases: dict[str, Entry] = {}  # by id; the first file of an id in name order
        self._invalid: tuple[Entry, ...] = ()
        self._ordered: tuple[Entry, ...] = ()
        self._loaded = False

    @property
    def cache_file(self) -> Path | None:
        """The SQLite file behind the catalogue, if any."""
        return self._store.path

    def refresh(self, progress: Callable[[int], None] | None = None) -> None:
        """Look at every file of the folder; parse the changed ones."""
        with self._lock:
            names = self._listing()
            self._update(names, names, progress)

    def update(self, names: Iterable[str]) -> None:
        """Look again at these files (from the watcher) and only these."""
        with self._lock:
            if not self._loaded:
                self.refresh()
                return
            wanted = {name for name in names if is_case_name(name)}
            if wanted:
                self._update(wanted, None, None)

    def _listing(self) -> set[str]:
        try:
            with os.scandir(self.folder) as found:
                return {entry.name for entry in found if is_case_name(entry.name)}
        except OSError:
            return set()

    def _update(
        self,
        names: set[str],
        complete: set[str] | None,
        progress: Callable[[int], None] | None,
    ) -> None:
        if not self._loaded:
            cached = self._store.rows()
            self._stamps = {name: stamp for name, (stamp, _) in cached.items()}
            for name, (_, data) in cached.items():
                try:
                    self._entries[name] = _decode(data, str(self.folder / name))
                except (ValueError, TypeError, KeyError):
                    self._stamps.pop(name, None)  # a damaged row: read that file again
            self._loaded = True
        removed = set(self._entries) - names if complete is not None else set()
        changed: dict[str, tuple[Stamp, str]] = {}
        for name in sorted(names):
            path = self.folder / name
            stamp = _stamp(path) if path.is_file() or path.is_symlink() else None
            if stamp is None and not path.is_symlink():
                if name in self._entries:
                    removed.add(name)
                continue
            stamp = stamp or (0, 0, 0)
            if self._stamps.get(name) == stamp and name in self._entries:
                continue
            entry = self._read(name)
            self._entries[name] = entry
            self._stamps[name] = stamp
            changed[name] = (stamp, _encode(entry))
            if progress is not None:
                progress(1)
        for name in removed:
            self._entries.pop(name, None)
            self._stamps.pop(name, None)
        if changed or removed:
            self._store.save(changed, removed)
        if changed or removed or complete is not None:
            self._index()

    def _read(self, name: str) -> Entry:
        path = self.folder / name
        result = read_case(path, self.folder)
        if isinstance(result, InvalidCase):
            return Entry(id=Path(name).stem, name=name, problems=result.errors)
        return summarise(Path(name).stem, name, result)

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

    def cases(self) -> tuple[Entry, ...]:
        """Every valid case, by id order."""
        self._ensure()
        return self._ordered

    def invalid(self) -> tuple[Entry, ...]:
        """Every file with problems, by name."""
        self._ensure()
        return self._invalid

    def find(self, case_id: str) -> Entry | None:
        """The file of a case id (valid or not), or None."""
        self._ensure()
        found = self._cases.get(case_id)
        if found is not None:
            return found
        return next((entry for entry in self._invalid if entry.id == case_id), None)

    def current(self, name: str) -> bool:
        """True when the catalogue's entry for a file matches the file on disk now."""
        path = self.folder / name
        return name in self._entries and self._stamps.get(name) == (_stamp(path) or (0, 0, 0))

    def path(self, entry: Entry) -> Path:
        """Where an entry's file is."""
        return self.folder / entry.name

    def _ensure(self) -> None:
        if not self._loaded:
            self.refresh()

    def close(self) -> None:
        """Close the cache file."""
        self._store.close()


def watch(
    catalogue: Catalogue, stop: threading.Event, *, poll_seconds: float = 1.0
) -> threading.Thread:
    """Keep `catalogue` up to date from file events (polling where events are unavailable).

    Returns once the watcher is in place, after one more look at the whole folder, so no
    change made in between is missed.
    """
    ready = threading.Event()
    next_look = [0.0]

    def changes() -> Iterator[set[str] | None]:
        try:
            import watchfiles

            for force_polling in (None, True):  # None: watchfiles decides (and reads its env)
                try:
                    for batch in watchfiles.watch(
                        catalogue.folder,
                        stop_event=stop,
                        recursive=False,
                        force_polling=force_polling,
                        poll_delay_ms=int(poll_seconds * 1000),
                        debounce=100,
                        step=20,
                        rust_timeout=200,
                        yield_on_timeout=True,
                        raise_interrupt=False,
                        ignore_permission_denied=True,
                    ):
                        if not ready.is_set() or time.monotonic() > next_look[0]:
                            # Watching now, or a while since: look at everything once more
                            # (a shared disk may not report other machines' changes).
                            next_look[0] = time.monotonic() + RESCAN_SECONDS
                            yield None
                            ready.set()
                        if batch:
                            yield {Path(path).name for _, path in batch}
                    return
                except (OSError, RuntimeError):
                    continue
        except ImportError:
            pass
        ready.set()
        while not stop.wait(poll_seconds):  # plain polling: stat every file
            yield None

    def run() -> None:
        for names in changes():
            try:
                if names is None:
                    catalogue.refresh()
                else:
                    catalogue.update(names)
            except Exception:  # a watcher that dies would leave the index stale for good
                continue
        ready.set()

    thread = threading.Thread(target=run, name="clinical-course-watch", daemon=True)
    thread.start()
    ready.wait(timeout=10)
    return thread
