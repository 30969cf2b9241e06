"""The series pages of a static site, built from their own cases only, and only when changed.

Before any case is read, each series file is read and matched against the folder's file names:
the cases it draws (every case when it names none, and the nearest id to a name that matches
none, which its problem suggests) are all it needs. A series whose files, drawn case files
and their pages are as at the last export keeps its pages as they are; the others are given
their cases by the export, from the reading it does anyway.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dashboard.export.series import series_figure, series_page
from dashboard.export.sitewrite import Staging
from dashboard.load import FolderCases, inside, read_text
from dashboard.problems import InvalidCase
from dashboard.series.load import SeriesFile, load_series_paths, parse_series, series_id
from dashboard.series.load import series_paths as _series_paths
from dashboard.series.model import Series

SERIES_DIR = "series"
VIEW_TEXT = {"series": "aligned rows", "panels": "panels (a), (b), …"}

Slugger = Callable[[str, set[str]], str]
Link = Callable[[str], str | None]


@dataclass(frozen=True)
class SeriesSection:
    """The series pages of a site, for its index: each series with its pages, and the
    series files with problems."""

    items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[InvalidCase] = field(default_factory=list)


@dataclass
class _Group:
    """The series files of one id (a second file of an id is that file's problem)."""

    id: str
    slug: str
    paths: list[Path]
    drawn: set[str]
    key: str
    note: dict[str, Any] | None = None  # the last export's, while its pages can be kept


@dataclass
class SiteSeries:
    """The series of a folder as one export sees them: what each draws, which are kept."""

    groups: list[_Group] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # for the next export
    pages: list[str] = field(default_factory=list)  # every series page of the new site

    @classmethod
    def read(
        cls,
        source: Path,
        files: dict[str, list[tuple[str, str]]],
        pages: dict[str, str],
        signature: str,
        noted: dict[str, Any],
        slug: Slugger,
    ) -> SiteSeries:
        """The series files of `source` and what each draws, with the last export's note
        where nothing it was built from changed. `files` are the case files by id, as
        (name, digest) pairs; `pages` the page of each id."""
        by_id: dict[str, list[Path]] = {}
        for path in _series_paths(source):
            by_id.setdefault(series_id(path), []).append(path)
        taken: set[str] = set()
        groups = []
        for identifier, paths in sorted(by_id.items()):
            drawn: set[str] = set()
            read: list[tuple[str, str]] = []
            for path in paths:
                text = _text(path, source)
                read.append((path.name, hashlib.sha256(text.encode("utf-8")).hexdigest()))
                series = _series(text, path)
                drawn |= draws(series, files) if series is not None else set()
            named = slug(identifier, taken)
            cases = [(stem, files[stem], pages[stem]) for stem in sorted(drawn)]
            key = json.dumps([signature, named, read, cases])
            key = hashlib.sha256(key.encode("utf-8")).hexdigest()
            note = noted.get(identifier)
            same = isinstance(note, dict) and note.get("key") == key
            group = _Group(identifier, named, paths, drawn, key)
            group.note = note if same else None
            groups.append(group)
        return cls(groups)

    def wanted(self, can_keep: Callable[[str], bool]) -> set[str]:
        """The case ids the series that must be built again draw (none when every series
        page can be kept)."""
        needed: set[str] = set()
        for group in self.groups:
            if group.note is not None and not all(map(can_keep, group.note["pages"])):
                group.note = None
            if group.note is None:
                needed |= group.drawn
        return needed

    def write(
        self,
        staging: Staging,
        catalog_of: Callable[[set[str]], FolderCases],
        link: Link,
        *,
        theme: str,
        **shared: str,
    ) -> SeriesSection:
        """Keep or write each series' pages (`shared`: the URLs of plotly.js, the stylesheet
        and the index, for `series_page`); what the index says of them."""
        section = SeriesSection()
        for group in self.groups:
            note = group.note
            if note is not None and all(staging.keep(name) for name in note["pages"]):
                section.items.append(note["item"])
                self.notes[group.id] = note
                self.pages += note["pages"]
                continue
            found, invalid = load_series_paths(group.paths, catalog_of(group.drawn))
            for series_file in found.values():
                names = self._write(staging, series_file, group.slug, link, theme, shared)
                item = {
                    "id": series_file.id,
                    "title": series_file.title,
                    "count": len(series_file.cases),
                    "links": [
                        {"text": VIEW_TEXT[view], "href": quote(name)} for view, name in names
                    ],
                }
                section.items.append(item)
                pages = [name for _, name in names]
                self.pages += pages
                if not invalid:
                    self.notes[group.id] = {"key": group.key, "pages": pages, "item": item}
            section.problems.extend(invalid)
        section.problems.sort(key=lambda problem: Path(problem.path).name)
        return section

    def _write(
        self,
        staging: Staging,
        series_file: SeriesFile,
        slug: str,
        link: Link,
        theme: str,
        shared: dict[str, str],
    ) -> list[tuple[str, str]]:
        views = ["series"] + (["panels"] if series_file.series.panels is not None else [])
        names = []
        for view in views:
            name = f"{SERIES_DIR}/{slug}{'-panels' if view == 'panels' else ''}.html"
            figure = series_figure(series_file, view=view, theme=theme, link=link)
            staging.write(name, series_page(series_file, figure, view=view, link=link, **shared))
            names.append((view, name))
        return names


def draws(series: Series, ids: Iterable[str]) -> set[str]:
    """The case ids among `ids` that a series draws or names: those its `cases` and `panels`
    match (every one when it names none), and for a name that matches none the nearest id,
    which its problem suggests."""
    known = sorted(ids)
    if series.cases is None:
        return set(known)
    present = set(known)
    found: set[str] = set()
    for word in [*series.cases, *(series.panels or ())]:
        if any(mark in word for mark in "*?["):
            found.update(name for name in known if fnmatch.fnmatchcase(name, word))
        elif word in present:
            found.add(word)
        else:
            found.update(difflib.get_close_matches(word, known, n=1, cutoff=0.6))
    return found


def _text(path: Path, source: Path) -> str:
    """A series file's text; empty for one that cannot be read (its problem is reported
    when it is loaded)."""
    if not inside(path, source):
        return ""
    try:
        return read_text(path)
    except InvalidCase:
        return ""


def _series(text: str, path: Path) -> Series | None:
    try:
        return parse_series(text, str(path))
    except Exception:  # whatever it is, loading the file reports it as the file's problem
        return None
