"""A folder of cases as a static site: an index, one page per case, one shared plotly.js.

The site uses relative links only, so it works from `file://` and from any static host. A
re-export builds only the pages of cases whose file changed (the manifest notes each file's
digest and its index card); the index is paged so that 10 000 cases stay quick to open.
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
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from plotly.offline import get_plotlyjs

from dashboard import __version__
from dashboard.catalogue import inside_folder, read_case
from dashboard.export.base import ExportError
from dashboard.export.page import case_page, citation_html, page_css
from dashboard.export.preview import preview_svg
from dashboard.export.sitewrite import MANIFEST, Staging, check_target
from dashboard.figure import build_figure
from dashboard.load import MAX_BYTES, case_paths
from dashboard.model import Case
from dashboard.problems import CaseError, InvalidCase

PLOTLY_JS = "plotly.min.js"
STYLESHEET = "style.css"
INDEX = "index.html"
CASE_DIR = "case"
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
    progress: Callable[[int], None] | None = None,
) -> SiteReport:
    """Write the site of every valid case in `folder` into `output`; invalid files are listed.

    Only what changed since the last export into `output` is built again.
    """
    source, site = Path(folder), Path(output)
    previous = check_target(source, site)
    paths = case_paths(source) if source.is_dir() else []
    if not paths:
        raise ExportError(f"no case files (*.yaml, *.yml) found in {source}")
    build = f"{__version__}|{theme}"
    notes = previous.notes.get("cases", {}) if previous.notes.get("build") == build else {}
    found = [_find(path, source, notes) for path in paths]
    cases, invalid = _sort_out(found, source)
    pages = _page_names(cases)
    index_names = [_index_name(number) for number in range(_index_pages(len(cases)))]
    ours = [PLOTLY_JS, STYLESHEET, *pages.values(), *index_names]
    staging = Staging(site, previous)
    try:
        staging.check_collisions(ours)
        staging.write(PLOTLY_JS, get_plotlyjs())
        staging.write(STYLESHEET, page_css() + site_css())
        cards: dict[str, str] = {}
        new_notes: dict[str, Any] = {}
        for case_id, item in cases.items():
            page = pages[case_id]
            note = item.note
            reuse = note is not None and note.get("page") == page and staging.keep(page)
            if not reuse or note is None:
                case = _case(item, source)
                html = case_page(
                    case,
                    build_figure(case, theme=theme),
                    plotlyjs=f"../{PLOTLY_JS}",
                    stylesheet=f"../{STYLESHEET}",
                    nav=NAV,
                )
                staging.write(page, html)
                note = {"title": case.title, "card": card_html(case_id, case, page)}
            cards[case_id] = note["card"]
            new_notes[item.name] = {"digest": item.digest, "page": page, **note}
            if progress is not None:
                progress(1)
        for item in invalid:
            new_notes[item.name] = {"digest": item.digest, "errors": _errors(item.result)}
        order = sorted(cases, key=lambda case_id: new_notes[cases[case_id].name]["title"].lower())
        reports = tuple(_report(item.result, source) for item in invalid)
        for number, name in enumerate(index_names):
            chosen = order[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
            html = index_html(
                [cards[case_id] for case_id in chosen],
                reports if number == 0 else (),
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


def _find(path: Path, source: Path, notes: dict[str, Any]) -> _Found:
    """A case file's digest, and the last export's note of it when the file is the same."""
    digest = ""
    if inside_folder(path, source):
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


def _sort_out(found: list[_Found], source: Path) -> tuple[dict[str, _Found], list[_Found]]:
    """The valid cases by id (the first file of an id wins) and the files with problems."""
    cases: dict[str, _Found] = {}
    invalid: list[_Found] = []
    for item in found:
        path = source / item.name
        if item.note is not None and "errors" in item.note:
            errors = [CaseError(str(path), *error) for error in item.note["errors"]]
            item.result = InvalidCase(str(path), errors)
        elif item.note is None:
            item.result = read_case(path, source)
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


NAV = '<nav class="site-nav"><a href="../index.html">← All cases</a></nav>\n'


def card_html(case_id: str, case: Case, page: str) -> str:
    """A case on the index: title, a preview of its course, diagnoses and citation."""
    href = escape(quote(page), quote=True)
    diagnoses = (
        f'<p class="diagnoses">{escape("; ".join(case.diagnoses))}</p>' if case.diagnoses else ""
    )
    return (
        f'<li class="case-card" data-case="{escape(case_id, quote=True)}">'
        f'<h2><a href="{href}">{escape(case.title)}</a></h2>'
        f'<a href="{href}" tabindex="-1" aria-hidden="true">{preview_svg(case)}</a>'
        f"{diagnoses}{citation_html(case)}</li>"
    )


def index_html(
    cards: list[str], reports: tuple[str, ...], *, total: int, page: int = 0, pages: int = 1
) -> str:
    """One page of the index: its cases' cards, a pager, and (on the first) skipped files."""
    problems = ""
    if reports:
        items = "".join(f"<li><pre>{escape(report)}</pre></li>" for report in reports)
        count = len(reports)
        problems = (
            f'<section class="problems" aria-labelledby="problems-heading">'
            f'<h2 id="problems-heading">{count} file{"s" * (count != 1)} with problems, '
            f"skipped</h2><ul>{items}</ul></section>"
        )
    pager = _pager(page, pages, total)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="clinical-course {escape(__version__)}">
<title>Clinical courses{f" – page {page + 1} of {pages}" if pages > 1 else ""}</title>
<link rel="stylesheet" href="{STYLESHEET}">
</head>
<body>
<main>
<h1>Clinical courses</h1>
<p class="site-intro">{total:,} case{"s" * (total != 1)}. Each chart shows the treatments
as bars and relapses as ▼ on one time axis; open a case for the full chart, its caption
and the course in words.</p>
{pager}<ul class="cases">
{"".join(cards)}
</ul>
{pager}{problems}
</main>
</body>
</html>
"""


def _pager(page: int, pages: int, total: int) -> str:
    """Links to every page of the index, the current one marked."""
    if pages <= 1:
        return ""
    first = page * PAGE_SIZE + 1
    last = min(total, (page + 1) * PAGE_SIZE)
    links = []
    for number in range(pages):
        name = _index_name(number)
        current = ' aria-current="page"' if number == page else ""
        links.append(f'<a href="{name}"{current}>{number + 1}</a>')
    return (
        f'<nav class="pager" aria-label="Index pages"><span>Cases {first:,}–{last:,} of '
        f"{total:,}</span> {' '.join(links)}</nav>\n"
    )


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
