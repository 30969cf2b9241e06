"""The folder the app serves: cases looked up by id, cheap change stamps, cached figures.

Every page load rescans the folder (only changed files are read again), so an edited, added
or removed file shows at once. A case id from a URL is only ever looked up here, never used
to build a path.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.dates import catalog_with_dates
from dashboard.figure import figure_spec
from dashboard.load import CaseFile, CaseLibrary, Catalog
from dashboard.model import UNIT_DAYS, Case
from dashboard.model.times import format_number
from dashboard.problems import InvalidCase

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
FIGURE_CACHE_SIZE = 64
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
    """A folder of cases shared by every request of one process (thread-safe)."""

    def __init__(self, folder: str | os.PathLike[str], dates: str = "exact") -> None:
        self.folder = Path(folder)
        self.dates = dates  # how every page shows calendar dates (dashboard.dates)
        self._library = CaseLibrary(self.folder)
        self._lock = threading.Lock()
        self._catalog = Catalog()
        self._figures: OrderedDict[tuple[Any, ...], tuple[Case, dict[str, Any]]] = OrderedDict()

    def catalog(self) -> Catalog:
        """The folder as it is now."""
        with self._lock:
            self._catalog = catalog_with_dates(self._library.scan(), self.dates)
            return self._catalog

    def lookup(self, case_id: str) -> Lookup:
        """The case of that id as the folder holds it now."""
        catalog = self.catalog()
        if case_id in catalog.cases:
            return Lookup(case=catalog.cases[case_id])
        for invalid in catalog.invalid:
            if Path(invalid.path).stem == case_id:
                return Lookup(invalid=invalid)
        return Lookup()

    def stamp(self, case_id: str) -> Stamp | None:
        """A cheap fingerprint of the case's file; None when no file has that id."""
        path = self._known_path(case_id, self._catalog)
        if path is None or not path.exists():
            path = self._known_path(case_id, self.catalog())
        if path is None:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        return f"{stat.st_mtime_ns}-{stat.st_size}"

    @staticmethod
    def _known_path(case_id: str, catalog: Catalog) -> Path | None:
        if case_id in catalog.cases:
            return catalog.cases[case_id].path
        for invalid in catalog.invalid:
            if Path(invalid.path).stem == case_id:
                return Path(invalid.path)
        return None

    def figure(self, found: CaseFile, options: dict[str, Any]) -> dict[str, Any]:
        """The figure of a view as plotly JSON, cached per file version and view."""
        key = (found.id, *sorted((name, _hashable(value)) for name, value in options.items()))
        with self._lock:
            cached = self._figures.get(key)
            if cached is not None and cached[0] is found.case:  # the same version of the file
                self._figures.move_to_end(key)
                return cached[1]
        figure = figure_spec(found.case, **options)
        with self._lock:
            self._figures[key] = (found.case, figure)
            while len(self._figures) > FIGURE_CACHE_SIZE:
                self._figures.popitem(last=False)
        return figure

    def image(self, case_id: str, name: str) -> tuple[Path, str] | None:
        """An image a case's event shows, with its media type; None unless it is one."""
        found = self.lookup(case_id).case
        if found is None or name not in {event.image for event in found.case.events}:
            return None
        folder = found.path.parent.resolve()
        path = (folder / name).resolve()
        media = IMAGE_TYPES.get(path.suffix.lower())
        if media is None or not path.is_relative_to(folder) or not path.is_file():
            return None
        return path, media


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def span_text(case: Case) -> str:
    """'day -30 to day 1095 (3 years)': how long the course runs."""
    low, high = case.span
    return f"day {format_number(low)} to day {format_number(high)} ({duration(high - low)})"


def duration(days: float) -> str:
    """A length of time in the unit people would say it in: '3 years', '5 months', '10 days'."""
    for unit, at_least in (("year", 730.5), ("month", 60.0), ("week", 14.0)):
        if days >= at_least:
            count = format_number(round(days / UNIT_DAYS[unit], 1))
            return f"{count} {unit}s"
    count = format_number(round(days))
    return f"{count} day{'s' * (count != '1')}"


def search_text(case: Case) -> str:
    """What the index filter matches: title, diagnoses, drug names and abbreviations."""
    words = [case.title, *case.diagnoses]
    for treatment in case.treatments:
        words += [treatment.drug, treatment.abbr or "", treatment.class_ or ""]
    return " ".join(words).casefold()


def matches(case: Case, query: str | None) -> bool:
    """True when every word of the query is found in the case's searchable text."""
    haystack = search_text(case)
    return all(word in haystack for word in (query or "").casefold().split())
