"""A folder of cases as a static site: an index, one page per case, one shared plotly.js.

The site uses relative links only, so it works from `file://` and from any static host. A
re-export builds only the pages of cases whose file changed (the manifest notes each file's
digest and its index card); the index is paged so that 10 000 cases stay quick to open.
Series files of the folder get a page each (and one of their panels when they name them).
Putting the files in place safely is `sitewrite`'s part.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dashboard import __version__
from dashboard.catalogue import read_case
from dashboard.dates import DatePolicy
from dashboard.export.base import ExportError
from dashboard.export.page import case_page, page_css
from dashboard.export.preview import preview_svg
from dashboard.export.siteindex import (
    INDEX,
    PLOTLY_JS,
    STYLESHEET,
    Card,
    card_html,
    problem_report,
    site_css,
    write_index,
)
from dashboard.export.siteseries import SeriesSection, SiteSeries
from dashboard.export.sitewrite import MANIFEST, Staging, check_target
from dashboard.facts import citation
from dashboard.figure import figure_spec
from dashboard.fonts import FACES
from dashboard.fonts.embed import linked_css
from dashboard.load import MAX_BYTES, CaseFile, FolderCases, case_paths, inside
from dashboard.model import Case
from dashboard.plotlyjs import plotly_js
from dashboard.problems import CaseError, InvalidCase
from dashboard.workers import Run, pool

FONTS = "fonts"  # the site's folder of the fonts its figures are drawn with

CASE_DIR = "case"

__all__ = ["MANIFEST", "PLOTLY_JS", "SiteReport", "export_site"]


@dataclass(frozen=True)
class SiteReport:
    """What an export did: the page of each case by id, the files it skipped, and which
    files it wrote anew (the others were unchanged and kept as they were)."""

    output: Path
    cases: dict[str, Path] = field(default_factory=dict)
    invalid: tuple[InvalidCase, ...] = ()
    written: tuple[str, ...] = ()
    kept: int = 0


@dataclass
class _Found:
    """One case file as this export sees it."""

    name: str
    id: str
    digest: str
    stamp: list[int] | None  # modification and change times, size and inode
    note: dict[str, Any] | None  # what the last export noted, when the file is unchanged

    def noted(self, **facts: Any) -> dict[str, Any]:
        """What this export notes of the file, for the next one."""
        return {"digest": self.digest, "stamp": self.stamp, **facts}


@dataclass(frozen=True, slots=True)
class _Built:
    """What a worker made of a valid case file: its page and card (when asked for), and
    the case itself (when a series draws it)."""

    html: str | None
    card: Card | None
    case: Case | None


def export_site(
    folder: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    theme: str = "screen",
    dates: DatePolicy | str = "exact",
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> SiteReport:
    """Write the site of every valid case in `folder` into `output`; invalid files are listed.

    Only what changed since the last export into `output` is built again, in `workers`
    processes (by default one per CPU core when there are many pages to build). A page is
    named after its file, so it keeps its name whatever happens to other files.
    """
    source, site = Path(folder), Path(output)
    previous = check_target(source, site)
    paths = case_paths(source) if source.is_dir() else []
    if not paths:
        raise ExportError(f"no case files (*.yaml, *.yml) found in {source}")
    policy = DatePolicy.of(dates)  # one key for every worker, and in the build's stamp
    build = f"{__version__}|{theme}|{policy.stamp}"
    same_build = previous.notes.get("build") == build
    notes = previous.notes.get("cases", {}) if same_build else {}
    found = [_find(path, source, notes) for path in paths]
    pages = _page_names(found)
    files: dict[str, list[tuple[str, str]]] = {}
    for item in found:
        files.setdefault(item.id, []).append((item.name, item.digest))
    noted_series = previous.notes.get("series", {}) if same_build else {}
    series = SiteSeries.read(source, files, pages, build, noted_series, _slug)
    staging = Staging(site, previous)
    try:
        fonts = [f"{FONTS}/{face.file}" for face in FACES]
        staging.check_collisions([PLOTLY_JS, STYLESHEET, *fonts, *_may_write(found, pages)])
        staging.write(PLOTLY_JS, plotly_js())
        for name, face in zip(fonts, FACES, strict=True):
            staging.write(name, face.path.read_bytes())
        # url()s in a stylesheet are read from the stylesheet's own folder, the site's root
        faces = linked_css(lambda face: f"{FONTS}/{face.file}")
        staging.write(STYLESHEET, faces + page_css() + site_css())
        wanted = series.wanted(staging.can_keep)
        export = _Export(source, staging, pages, progress)
        jobs = export.plan(found, wanted)
        with pool(workers, len(jobs)) as run:
            export.build(found, jobs, run, theme=theme, dates=policy)
            section = series.write(
                staging,
                lambda ids: export.catalog(ids, run, theme=theme, dates=policy),
                export.link,
                theme=theme,
                plotlyjs=f"../{PLOTLY_JS}",
                stylesheet=f"../{STYLESHEET}",
                index=f"../{INDEX}",
            )
        index_names = export.write_index(section)
        ours = [PLOTLY_JS, STYLESHEET, *fonts, *export.pages(), *index_names, *series.pages]
        staging.check_collisions(ours)
        staging.carry_foreign(set(ours))
        staging.finish(ours, {"build": build, "cases": export.notes, "series": series.notes})
    except BaseException:
        staging.discard()
        raise
    problems = tuple(item for item in export.invalid if isinstance(item, InvalidCase))
    return SiteReport(
        site,
        {case_id: site / page for case_id, page in export.pages_by_id().items()},
        problems,
        tuple(sorted(staging.written)),
        len(staging.linked),
    )


def _may_write(found: list[_Found], pages: dict[str, str]) -> list[str]:
    """The pages of every file not known to be invalid, and the index."""
    return [INDEX, *{pages[item.id] for item in found if not _noted_invalid(item)}]


def _noted_invalid(item: _Found) -> bool:
    return item.note is not None and "errors" in item.note


class _Export:
    """The case pages of one export: which to build, building them, and the index."""

    def __init__(
        self,
        source: Path,
        staging: Staging,
        pages: dict[str, str],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.source, self.staging, self.names, self.progress = source, staging, pages, progress
        self.cases: dict[str, _Found] = {}  # the valid files by id (the first of an id wins)
        self.invalid: list[InvalidCase] = []
        self.cards: dict[str, str] = {}
        self.notes: dict[str, Any] = {}
        self.read: dict[str, Case] = {}  # the cases series asked for, by id
        self.wanted: set[str] = set()

    def plan(self, found: list[_Found], wanted: set[str]) -> dict[str, tuple[Any, ...]]:
        """The files to read, by name: those that changed, those whose page cannot be kept,
        and those series ask for (read only, when their page can be kept)."""
        self.wanted = wanted
        jobs: dict[str, tuple[Any, ...]] = {}
        for item in found:
            if _noted_invalid(item):
                continue
            note = item.note
            keep = note is not None and note.get("page") == self.names[item.id]
            keep = keep and self.staging.can_keep(self.names[item.id])
            if not keep or item.id in wanted:
                jobs[item.name] = (
                    self.source / item.name,
                    self.source,
                    not keep,
                    item.id in wanted,
                )
        return jobs

    def build(
        self, found: list[_Found], jobs: dict[str, tuple[Any, ...]], run: Run, **view: Any
    ) -> None:
        """Read and build what `jobs` ask for, keep the other pages, in the files' order."""
        results = run(_build, jobs.values(), **view)
        again: list[_Found] = []
        for item in found:
            path = os.path.join(self.source, item.name)
            if item.name in jobs:
                result = next(results)
            elif _noted_invalid(item):
                assert item.note is not None
                errors = [CaseError(path, *error) for error in item.note["errors"]]
                result = (path, tuple(errors))
            else:
                result = _Built(None, None, None)
            if isinstance(result, tuple):
                self.invalid.append(InvalidCase(*result))
                self.notes[item.name] = item.noted(errors=_errors(result[1]))
            elif item.id in self.cases:
                other = self.cases[item.id].name
                message = f"another file, {other}, already has the case id {item.id!r}; rename one"
                self.invalid.append(InvalidCase.single(path, message))
            elif not self._place(item, result):
                again.append(item)
        late = [(self.source / item.name, self.source, True, False) for item in again]
        for item, result in zip(again, run(_build, late, **view), strict=True):
            self._place(item, result)

    def _place(self, item: _Found, built: _Built | tuple[str, tuple[CaseError, ...]]) -> bool:
        """Write or keep a valid case's page; False when an unchanged page could not be kept."""
        if isinstance(built, tuple):  # changed since the first read, and now broken
            self.invalid.append(InvalidCase(*built))
            return True
        page = self.names[item.id]
        if built.html is None:
            if not self.staging.keep(page):
                return False
            assert item.note is not None
            self.cards[item.id] = item.note["card"]
            self.notes[item.name] = {**item.note, **item.noted(page=page)}
        else:
            assert built.card is not None
            self.staging.write(page, built.html)
            self.cards[item.id] = card_html(item.id, built.card, page)
            self.notes[item.name] = item.noted(
                page=page, title=built.card.title, card=self.cards[item.id]
            )
        self.cases[item.id] = item
        if built.case is not None:
            self.read[item.id] = built.case
        if self.progress is not None:
            self.progress(1)
        return True

    def catalog(self, ids: set[str], run: Run, **view: Any) -> FolderCases:
        """The valid cases among `ids` (read now when no page asked for them) and every
        file with problems: what a series is resolved against."""
        valid = sorted(case_id for case_id in ids if case_id in self.cases)
        missing = [case_id for case_id in valid if case_id not in self.read]
        paths = {case_id: self.source / self.cases[case_id].name for case_id in valid}
        jobs = [(paths[case_id], self.source, False, True) for case_id in missing]
        for case_id, built in zip(missing, run(_build, jobs, **view), strict=True):
            if isinstance(built, _Built) and built.case is not None:
                self.read[case_id] = built.case
        cases = {
            case_id: CaseFile(case_id, paths[case_id], self.read[case_id])
            for case_id in valid
            if case_id in self.read
        }
        return FolderCases(cases, tuple(self.invalid))

    def link(self, case_id: str) -> str | None:
        """The link from a series page to a case's page."""
        return "../" + quote(self.names[case_id]) if case_id in self.cases else None

    def pages_by_id(self) -> dict[str, str]:
        """Each valid case's page."""
        return {case_id: self.names[case_id] for case_id in sorted(self.cases)}

    def pages(self) -> list[str]:
        """Every case page of the new site."""
        return list(self.pages_by_id().values())

    def write_index(self, section: SeriesSection) -> list[str]:
        """The index pages, the cases in order of their titles; their names."""
        order = sorted(
            self.cases, key=lambda case_id: self.notes[self.cases[case_id].name]["title"].lower()
        )
        reports = tuple(problem_report(item, self.source) for item in self.invalid)
        series = (section.items, [problem_report(item, self.source) for item in section.problems])
        return write_index(
            self.staging, [self.cards[case_id] for case_id in order], reports, series
        )


def _build(
    path: Path, source: Path, page: bool, keep: bool, *, theme: str, dates: DatePolicy
) -> _Built | tuple[str, tuple[CaseError, ...]]:
    """One file read and, when `page`, its page and card built; the case itself comes back
    when `keep` (run in a worker process; problems come back as plain data)."""
    read = read_case(path, source)
    if isinstance(read, InvalidCase):
        return read.path, read.errors
    case = dates.apply(read)
    if not page:
        return _Built(None, None, case if keep else None)
    html = case_page(
        case,
        figure_spec(case, theme=theme),
        plotlyjs=f"../{PLOTLY_JS}",
        stylesheet=f"../{STYLESHEET}",
        index=f"../{INDEX}",
    )
    card = Card(case.title, case.diagnoses, citation(case), preview_svg(case))
    return _Built(html, card, case if keep else None)


def _find(path: Path, source: Path, notes: dict[str, Any]) -> _Found:
    """A case file's digest, and the last export's note of it when the file is the same.

    A file whose size, inode and times are those noted is not read again: only a write
    changes its content, and a write changes its times.
    """
    note = notes.get(path.name)
    noted = note if isinstance(note, dict) else {}
    digest, stamp = "", None
    # a plain file listed in the folder is inside it; only a symlink needs resolving
    if not path.is_symlink() or inside(path, source):
        try:
            info = path.stat()
            stamp = [info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino]
            if noted.get("stamp") == stamp:
                digest = str(noted.get("digest", ""))
            elif info.st_size <= MAX_BYTES:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            stamp = None
    same = bool(digest) and noted.get("digest") == digest
    return _Found(path.name, path.stem, digest, stamp, noted if same else None)


def _errors(errors: tuple[CaseError, ...]) -> list[list[Any]]:
    return [[error.line, error.column, error.key, error.message] for error in errors]


def _page_names(found: list[_Found]) -> dict[str, str]:
    """A page for every case id a file in the folder has, valid or not."""
    taken: set[str] = set()
    ids = sorted({item.id for item in found})
    return {case_id: f"{CASE_DIR}/{_slug(case_id, taken)}.html" for case_id in ids}


def _slug(case_id: str, taken: set[str]) -> str:
    """A file name for a page: the id where it is plain, else a cleaned-up one."""
    slug = re.sub(r"[^\w.-]+", "-", case_id).strip(".-") or "case"
    name, number = slug, 2
    while name.lower() in taken:  # case-insensitive file systems (macOS, Windows)
        name, number = f"{slug}-{number}", number + 1
    taken.add(name.lower())
    return name
