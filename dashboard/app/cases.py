"""The folder the app serves: cases looked up by id, cheap change stamps, cached figures.

The index is the catalogue (cached on disk, kept current by a file watcher); a case page
reads its own file only. A case id from a URL is only looked up in the catalogue, or taken
as a file name directly inside the folder when it is one.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dashboard.catalogue import Catalogue, Entry, duration, read_case, search_text, span_text, watch
from dashboard.dates import DatePolicy
from dashboard.figure import FigureOptions, figure_spec
from dashboard.load import SUFFIXES, CaseFile, FolderCases, inside
from dashboard.model import Case
from dashboard.problems import InvalidCase

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
FOLLOW_SECONDS = 1.0  # how often a worker takes in what a first reading has kept
FIGURE_CACHE_SIZE = 64  # figures a worker keeps, at most, and at most this much of them as
FIGURE_CACHE_BYTES = 16 * 1024 * 1024  # JSON (some 15 times that in memory): one 95 000-point
# case viewed 64 ways grew a worker from 0.28 to 2.2 GB when the cache counted figures alone
CASE_CACHE_SIZE = 64
# A case file larger than this (a typical one is a few kilobytes; the largest allowed, 2 MB,
# holds some 100 000 points) takes seconds to parse and draw: such work is done one request
# at a time in a worker, so that the others, sharing its one interpreter, keep answering.
HEAVY_BYTES = 256 * 1024
Stamp = str  # modification time (ns) and size of a case file, as text (exact in JavaScript)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A case id looked up: the valid case, or the problems of its file, or neither."""

    case: CaseFile | None = None
    invalid: InvalidCase | None = None

    @property
    def known(self) -> bool:
        """True when a file of that id exists, valid or not."""
        return self.case is not None or self.invalid is not None


class Library:
    """What the dashboard serves from its folder, shared by every request of one process
    (thread-safe): the folder's `Catalogue`, the pages' date view, the figure cache.

    The index comes from the catalogue, kept current by a file watcher; a case page reads
    only its own file (parsed again only when its stamp changes), so its cost does not depend
    on how many files the folder holds.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        dates: DatePolicy | str = "exact",
        *,
        cache: Path | bool | None = True,
        editable: bool = False,
    ) -> None:
        self.folder = Path(folder)
        self.editable = editable  # the pages offer editing (`serve --edit`)
        self.dates = DatePolicy.of(dates)  # how every page shows calendar dates
        self.catalogue = Catalogue(self.folder, cache=cache)
        self._lock = threading.Lock()
        self._parsed: OrderedDict[str, tuple[Stamp, Case | InvalidCase]] = OrderedDict()
        self._figures: OrderedDict[tuple[str, FigureOptions], tuple[Case, dict[str, Any], int]]
        self._figures = OrderedDict()
        self._figure_bytes = 0  # of the figures kept, as JSON
        self._heavy = threading.Lock()  # held while a large file is parsed or drawn
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._reading: tuple[int, int] | None = None

    def start(self) -> None:
        """Read the folder (from the cache where it can) and start watching it; while
        another process is reading it for the first time, take in what it has read so far
        and follow it in a thread of its own."""
        self._reading = self.catalogue.reading()
        if self._reading is None:
            self.catalogue.refresh()
            self._watch()
            return
        self.catalogue.follow()
        threading.Thread(target=self._follow, name="follow-reading", daemon=True).start()

    def reading(self) -> tuple[int, int] | None:
        """Files read and to be read while the folder is read for the first time; None once
        this process holds every file's entry."""
        return self._reading

    def _follow(self) -> None:
        while (reading := self.catalogue.reading()) is not None:
            self._reading = reading
            if self._stop.wait(FOLLOW_SECONDS):
                return
            self.catalogue.follow()
        self.catalogue.refresh()  # (from the cache, now whole)
        self._reading = None
        self._watch()

    def _watch(self) -> None:
        if self._watcher is None:
            self._watcher = watch(self.catalogue, self._stop)

    def stop(self) -> None:
        """Stop watching the folder."""
        self._stop.set()

    def _entry(self, case_id: str) -> Entry | None:
        found = self.catalogue.find(case_id)
        if found is None and _plain_id(case_id):
            # A file saved a moment ago that the watcher has not reported yet.
            self.catalogue.update(case_id + suffix for suffix in SUFFIXES)
            found = self.catalogue.find(case_id)
        return found

    def lookup(self, case_id: str) -> Lookup:
        """The case of that id as its file holds it now."""
        entry = self._entry(case_id)
        if entry is None:
            return Lookup()
        path = self.catalogue.path(entry)
        stamp = _stat(path)
        if stamp is None or not self.catalogue.current(entry.name):
            self.catalogue.update([entry.name])  # saved since the watcher last looked
            entry = self.catalogue.find(case_id)
            if entry is None or stamp is None:
                return Lookup()
        if not entry.valid:
            return Lookup(invalid=InvalidCase(str(path), entry.problems))
        with self._lock:
            cached = self._parsed.get(entry.name)
        if cached is None or cached[0] != stamp:
            with self._one_at_a_time(stamp):
                read = read_case(path, self.folder)
            cached = (stamp, self.dates.apply(read) if isinstance(read, Case) else read)
            with self._lock:
                self._parsed[entry.name] = cached
                while len(self._parsed) > CASE_CACHE_SIZE:
                    self._parsed.popitem(last=False)
        result = cached[1]
        if isinstance(result, InvalidCase):  # changed again since the catalogue read it
            return Lookup(invalid=result)
        return Lookup(case=CaseFile(entry.id, path, result))

    def catalog(self) -> FolderCases:
        """Every case of the folder read in full, for a series (which may draw any of them)."""
        cases: dict[str, CaseFile] = {}
        invalid: list[InvalidCase] = []
        for entry in self.catalogue.cases():
            found = self.lookup(entry.id)
            if found.case is not None:
                cases[entry.id] = found.case
            elif found.invalid is not None:
                invalid.append(found.invalid)
        for entry in self.catalogue.invalid():
            invalid.append(InvalidCase(str(self.catalogue.path(entry)), entry.problems))
        return FolderCases(cases, tuple(invalid))

    def path(self, case_id: str) -> Path | None:
        """The file of a case id, valid or not; None when no file has that id."""
        entry = self._entry(case_id)
        return None if entry is None else self.catalogue.path(entry)

    def stamp(self, case_id: str) -> Stamp | None:
        """A cheap fingerprint of the case's file; None when no file has that id."""
        entry = self._entry(case_id)
        return None if entry is None else _stat(self.catalogue.path(entry))

    def figure(self, found: CaseFile, options: FigureOptions) -> dict[str, Any]:
        """The figure of a view as plotly JSON, cached per file version and view."""
        key = (found.id, options)
        with self._lock:
            cached = self._figures.get(key)
            if cached is not None and cached[0] is found.case:  # the same version of the file
                self._figures.move_to_end(key)
                return cached[1]
        with self._one_at_a_time(_stat(found.path)):
            figure = figure_spec(found.case, options)
        size = len(orjson.dumps(figure, default=str, option=orjson.OPT_SERIALIZE_NUMPY))
        with self._lock:
            if (old := self._figures.pop(key, None)) is not None:
                self._figure_bytes -= old[2]
            self._figures[key] = (found.case, figure, size)
            self._figure_bytes += size
            while len(self._figures) > FIGURE_CACHE_SIZE or (
                self._figure_bytes > FIGURE_CACHE_BYTES and len(self._figures) > 1
            ):
                self._figure_bytes -= self._figures.popitem(last=False)[1][2]
        return figure

    def _one_at_a_time(self, stamp: Stamp | None) -> AbstractContextManager[object]:
        """The lock on heavy work when the file of this stamp is large, else nothing."""
        large = stamp is not None and int(stamp.rpartition("-")[2]) > HEAVY_BYTES
        return self._heavy if large else nullcontext()

    @property
    def figure_bytes(self) -> tuple[int, int]:
        """How many figures are kept, and their size as JSON."""
        with self._lock:
            return len(self._figures), self._figure_bytes

    def image(self, case_id: str, name: str) -> tuple[Path, str] | None:
        """An image a case's event shows, with its media type; None unless it is one."""
        found = self.lookup(case_id).case
        if found is None or name not in {event.image for event in found.case.events}:
            return None
        folder = found.path.parent
        path = folder / name
        media = IMAGE_TYPES.get(path.resolve().suffix.lower())
        if media is None or not inside(path, folder) or not path.is_file():
            return None
        return path.resolve(), media


def _stat(path: Path) -> Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def _plain_id(case_id: str) -> bool:
    """An id that can only name a file directly inside the folder, and can name a file at
    all: no NUL, nothing UTF-8 cannot hold, short enough for a file name with its suffix."""
    try:
        size = len(case_id.encode("utf-8"))
    except UnicodeEncodeError:
        return False
    plain = Path(case_id).name == case_id and not case_id.startswith(".")
    return 0 < size <= 240 and "\x00" not in case_id and plain


__all__ = ["Library", "Lookup", "duration", "search_text", "span_text"]
