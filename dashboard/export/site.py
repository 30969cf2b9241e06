"""A folder of cases as a static site: an index, one page per case, one shared plotly.js.

The site uses relative links only, so it works from `file://` and from any static host. A
re-export builds only the pages of cases whose file changed (the manifest notes each file's
digest and its index card); the index is paged so that 10 000 cases stay quick to open.
Series files of the folder get a page each (and one of their panels when they name them).
Putting the files in place safely is `sitewrite`'s part.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from plotly.offline import get_plotlyjs

from dashboard import __version__
from dashboard.catalogue import inside_folder, read_case
from dashboard.dates import catalog_with_dates, with_dates
from dashboard.export.base import ExportError
from dashboard.export.page import case_page, page_css
from dashboard.export.preview import preview_svg
from dashboard.export.sitewrite import MANIFEST, Staging, check_target
from dashboard.export.templating import render
from dashboard.export.workers import Run, pool
from dashboard.facts import case_facts
from dashboard.figure import figure_spec
from dashboard.load import MAX_BYTES, Catalog, case_paths, load_folder
from dashboard.model import Case
from dashboard.problems import CaseError, InvalidCase

PLOTLY_JS = "plotly.min.js"
STYLESHEET = "style.css"
INDEX = "index.html"
CASE_DIR = "case"
SERIES_DIR = "series"
PAGE_SIZE = 100  # cases per index page

__all__ = ["MANIFEST", "SiteReport", "export_site", "index_html"]


@dataclass(frozen=True)
class SiteReport:
    """What an export did: the page of each case by id, the files it skipped, and which
    files it wrote anew (the others were unchanged and kept as they were)."""

    output: Path
    cases: dict[str, Path] = field(default_factory=dict)
    invalid: tuple[InvalidCase, ...] = ()
    written: tuple[str, ...] = ()
    kept: int = 0


@cache
def site_css() -> str:
    """The index's own rules, after the shared page stylesheet."""
    return resources.files("dashboard").joinpath("templates/site.css").read_text("utf-8")


@dataclass
class _Found:
    """One case file as this export sees it."""

    name: str
    digest: str
    note: dict[str, Any] | None  # what the last export noted, when the file is unchanged
    result: Case | InvalidCase | None = None


def export_site(
    folder: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    theme: str = "screen",
    dates: str = "exact",
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> SiteReport:
    """Write the site of every valid case in `folder` into `output`; invalid files are listed.

    Only what changed since the last export into `output` is built again, in `workers`
    processes (by default one per CPU core when there are many pages to build).
    """
    source, site = Path(folder), Path(output)
    previous = check_target(source, site)
    paths = case_paths(source) if source.is_dir() else []
    if not paths:
        raise ExportError(f"no case files (*.yaml, *.yml) found in {source}")
    build = f"{__version__}|{theme}|{dates}"
    notes = previous.notes.get("cases", {}) if previous.notes.get("build") == build else {}
    found = [_find(path, source, notes) for path in paths]
    unknown = sum(item.note is None for item in found)
    with pool(workers, unknown) as run:
        cases, invalid = _sort_out(found, source, run)
        pages = _page_names(cases)
        index_names = [_index_name(number) for number in range(_index_pages(len(cases)))]
        series = SeriesPages.of(source, dates)
        ours = [PLOTLY_JS, STYLESHEET, *pages.values(), *index_names, *series.names()]
        staging = Staging(site, previous)
        try:
            staging.check_collisions(ours)
            staging.write(PLOTLY_JS, get_plotlyjs())
            staging.write(STYLESHEET, page_css() + site_css())
            cards: dict[str, str] = {}
            new_notes: dict[str, Any] = {}
            built: list[tuple[str, _Found]] = []
            for case_id, item in cases.items():
                page = pages[case_id]
                note = item.note
                if note is not None and note.get("page") == page and staging.keep(page):
                    cards[case_id] = note["card"]
                    new_notes[item.name] = {"digest": item.digest, "page": page, **note}
                    if progress is not None:
                        progress(1)
                else:
                    built.append((case_id, item))
            jobs = [(_case(item, source), case_id, pages[case_id]) for case_id, item in built]
            made = run(_page, jobs, theme=theme, dates=dates)
            for (case_id, item), (html, title, card) in zip(built, made, strict=True):
                page = pages[case_id]
                staging.write(page, html)
                cards[case_id] = card
                new_notes[item.name] = {"digest": item.digest, "page": page}
                new_notes[item.name].update(title=title, card=card)
                if progress is not None:
                    progress(1)
            for item in invalid:
                new_notes[item.name] = {"digest": item.digest, "errors": _errors(item.result)}
            series_section = series.write(staging, pages, theme)
            order = sorted(
                cases, key=lambda case_id: new_notes[cases[case_id].name]["title"].lower()
            )
            reports = tuple(_report(item.result, source) for item in invalid)
            for number, name in enumerate(index_names):
                chosen = order[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
                html = index_html(
                    [cards[case_id] for case_id in chosen],
                    reports if number == 0 else (),
                    series_section if number == 0 else None,
                    total=len(cases),
                    page=number,
                    pages=len(index_names),
                )
                staging.write(name, html)
            staging.carry_foreign(set(ours))
            staging.finish(ours, {"build": build, "cases": new_notes})
        except BaseException:
            staging.discard()
            raise
    problems = tuple(item.result for item in invalid if isinstance(item.result, InvalidCase))
    return SiteReport(
        site,
        {case_id: site / page for case_id, page in pages.items()},
        problems,
        tuple(sorted(staging.written)),
        len(staging.linked),
    )


def _page(case: Case, case_id: str, page: str, *, theme: str, dates: str) -> tuple[str, str, str]:
    """One case's page, its title and its index card (run in a worker process)."""
    case = with_dates(case, dates)
    html = case_page(
        case,
        figure_spec(case, theme=theme),
        plotlyjs=f"../{PLOTLY_JS}",
        stylesheet=f"../{STYLESHEET}",
        index=f"../{INDEX}",
    )
    return html, case.title, card_html(case_id, case, page)


def _parse(path: Path, source: Path) -> Case | tuple[str, tuple[CaseError, ...]]:
    """One file read (in a worker process); problems come back as plain data."""
    result = read_case(path, source)
    return (result.path, result.errors) if isinstance(result, InvalidCase) else result


def _find(path: Path, source: Path, notes: dict[str, Any]) -> _Found:
    """A case file's digest, and the last export's note of it when the file is the same."""
    digest = ""
    # a plain file listed in the folder is inside it; only a symlink needs resolving
    if not path.is_symlink() or inside_folder(path, source):
        try:
            if path.stat().st_size <= MAX_BYTES:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            pass
    note = notes.get(path.name)
    same = bool(digest) and isinstance(note, dict) and note.get("digest") == digest
    return _Found(path.name, digest, note if same else None)


def _case(item: _Found, source: Path) -> Case:
    if not isinstance(item.result, Case):
        item.result = read_case(source / item.name, source)
    assert isinstance(item.result, Case)
    return item.result


def _sort_out(
    found: list[_Found], source: Path, run: Run
) -> tuple[dict[str, _Found], list[_Found]]:
    """The valid cases by id (the first file of an id wins) and the files with problems."""
    unknown = [item for item in found if item.note is None]
    parsed = run(_parse, [(source / item.name, source) for item in unknown])
    for item, result in zip(unknown, parsed, strict=True):
        item.result = result if isinstance(result, Case) else InvalidCase(*result)
    cases: dict[str, _Found] = {}
    invalid: list[_Found] = []
    for item in found:
        path = source / item.name
        if item.note is not None and "errors" in item.note:
            errors = [CaseError(str(path), *error) for error in item.note["errors"]]
            item.result = InvalidCase(str(path), errors)
        if isinstance(item.result, InvalidCase):
            invalid.append(item)
        elif path.stem in cases:
            other = cases[path.stem].name
            message = f"another file, {other}, already has the case id {path.stem!r}; rename one"
            item.result = InvalidCase.single(str(path), message)
            invalid.append(item)
        else:
            cases[path.stem] = item
    return cases, invalid


def _errors(result: Case | InvalidCase | None) -> list[list[Any]]:
    if not isinstance(result, InvalidCase):
        return []
    return [[error.line, error.column, error.key, error.message] for error in result.errors]


def _page_names(cases: dict[str, _Found]) -> dict[str, str]:
    taken: set[str] = set()
    return {case_id: f"{CASE_DIR}/{_slug(case_id, taken)}.html" for case_id in sorted(cases)}


def _index_pages(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))


def _index_name(number: int) -> str:
    return INDEX if number == 0 else f"index-{number + 1}.html"


def _slug(case_id: str, taken: set[str]) -> str:
    """A file name for the case's page: the id where it is plain, else a cleaned-up one."""
    slug = re.sub(r"[^\w.-]+", "-", case_id).strip(".-") or "case"
    name, number = slug, 2
    while name.lower() in taken:  # case-insensitive file systems (macOS, Windows)
        name, number = f"{slug}-{number}", number + 1
    taken.add(name.lower())
    return name


def card_html(case_id: str, case: Case, page: str) -> str:
    """A case on the index: title, a preview of its course, diagnoses and citation."""
    card = {
        "id": case_id,
        "href": quote(page),
        "facts": case_facts(case),
        "preview": preview_svg(case),
    }
    return render("site_card.html.j2", card=card).strip()


def index_html(
    cards: list[str],
    reports: tuple[str, ...],
    series: SeriesSection | None = None,
    *,
    total: int,
    page: int = 0,
    pages: int = 1,
) -> str:
    """One page of the index: its cases' cards, a pager, and (on the first) the series and
    the skipped files."""
    series = series or SeriesSection()
    first = page * PAGE_SIZE + 1
    return render(
        "site_index.html.j2",
        stylesheet=STYLESHEET,
        generator=f"clinical-course {__version__}",
        cards=cards,
        total=total,
        page=page,
        pages=[_index_name(number) for number in range(pages)] if pages > 1 else [],
        shown=(first, min(total, first + PAGE_SIZE - 1)),
        series=series.items,
        series_problems=series.problems,
        problems=reports,
    )


@dataclass(frozen=True)
class SeriesSection:
    """The series pages of a site, for its index: each series with its pages, and the
    series files with problems."""

    items: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SeriesPages:
    """The series files of a folder, resolved against its cases, and their page names.

    A series draws many cases at once, so its pages are built on every export; pages whose
    text did not change are kept as they were. A folder without series costs nothing here.
    """

    source: Path
    found: dict[str, Any] = field(default_factory=dict)
    invalid: tuple[InvalidCase, ...] = ()
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, source: Path, dates: str = "exact") -> SeriesPages:
        """The series of `source` (the folder's cases are read only when it has some)."""
        from dashboard.series.load import load_series_paths, series_paths

        paths = series_paths(source)
        if not paths:
            return cls(source)
        catalog: Catalog = catalog_with_dates(load_folder(source), dates)
        found, invalid = load_series_paths(paths, catalog)
        taken: set[str] = set()
        pages: dict[str, list[tuple[str, str]]] = {}
        for series_id, series_file in sorted(found.items()):
            slug = _slug(series_id, taken)
            views = ["series"] + (["panels"] if series_file.series.panels is not None else [])
            pages[series_id] = [
                (view, f"{SERIES_DIR}/{slug}{'-panels' if view == 'panels' else ''}.html")
                for view in views
            ]
        return cls(source, found, invalid, pages)

    def names(self) -> list[str]:
        """Every page this export writes for the series."""
        return [name for views in self.pages.values() for _, name in views]

    def write(self, staging: Staging, case_pages: dict[str, str], theme: str) -> SeriesSection:
        """Write each series' pages; what the index says of them."""
        from dashboard.series.export import series_figure, series_page

        def link(case_id: str) -> str | None:
            return "../" + quote(case_pages[case_id]) if case_id in case_pages else None

        section = SeriesSection(problems=[_report(bad, self.source) for bad in self.invalid])
        for series_id, views in self.pages.items():
            series_file = self.found[series_id]
            links = []
            for view, name in views:
                figure = series_figure(series_file, view=view, theme=theme, link=link)
                html = series_page(
                    series_file,
                    figure,
                    view=view,
                    link=link,
                    plotlyjs=f"../{PLOTLY_JS}",
                    stylesheet=f"../{STYLESHEET}",
                    index=f"../{INDEX}",
                )
                staging.write(name, html)
                text = "aligned rows" if view == "series" else "panels (a), (b), …"
                links.append({"text": text, "href": quote(name)})
            section.items.append(
                {
                    "id": series_id,
                    "title": series_file.title,
                    "count": len(series_file.cases),
                    "links": links,
                }
            )
        return section


def _report(invalid: Case | InvalidCase | None, source: Path) -> str:
    """The problems of a file, named by its path inside the case folder (not the whole disk)."""
    if not isinstance(invalid, InvalidCase):
        return ""
    errors = [
        dataclasses.replace(error, path=_shown(error.path, source)) for error in invalid.errors
    ]
    return InvalidCase(_shown(invalid.path, source), errors).report()


def _shown(path: str, source: Path) -> str:
    try:
        return Path(path).resolve().relative_to(source.resolve().parent).as_posix()
    except ValueError:
        return Path(path).name
