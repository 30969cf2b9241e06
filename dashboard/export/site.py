"""A folder of cases as a static site: an index, one page per case, one shared plotly.js.

The site uses relative links only, so it works from `file://` and from any static host.
Export writes only inside the site folder and replaces only what it wrote itself: it keeps
a manifest of its files, refuses a folder it did not make, builds the new site in a staging
folder inside it, and moves the files into place only when every one has been written.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from plotly.offline import get_plotlyjs

from dashboard import __version__
from dashboard.dates import catalog_with_dates
from dashboard.export.base import ExportError, write_atomic
from dashboard.export.page import case_page, citation_html, page_css
from dashboard.export.preview import preview_svg
from dashboard.figure import build_figure
from dashboard.load import SUFFIXES, CaseFile, load_folder
from dashboard.problems import InvalidCase

MANIFEST = ".clinical-course-site.json"
STAGING_PREFIX = ".clinical-course-staging-"
PLOTLY_JS = "plotly.min.js"
STYLESHEET = "style.css"
INDEX = "index.html"
CASE_DIR = "case"


@dataclass(frozen=True)
class SiteReport:
    """What an export wrote: the page of each case by id, and the files it skipped."""

    output: Path
    cases: dict[str, Path] = field(default_factory=dict)
    invalid: tuple[InvalidCase, ...] = ()


@cache
def site_css() -> str:
    """The index's own rules, after the shared page stylesheet."""
    return resources.files("dashboard").joinpath("templates/site.css").read_text("utf-8")


def export_site(
    folder: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    theme: str = "screen",
    dates: str = "exact",
) -> SiteReport:
    """Write the site of every valid case in `folder` into `output`; invalid files are listed."""
    source, site = Path(folder), Path(output)
    previous = _check_target(source, site)
    catalog = catalog_with_dates(load_folder(source), dates)
    if not catalog.cases and not catalog.invalid:
        raise ExportError(f"no case files (*.yaml, *.yml) found in {source}")
    created = not site.exists()
    site.mkdir(parents=True, exist_ok=True)
    if created:
        # Claim the new folder at once, so an interrupted first export can be re-run.
        _write_manifest(site, [], complete=False)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=site))
    try:
        pages = _build(staging, catalog.cases, catalog.invalid, source, theme)
        written = sorted(str(path.relative_to(staging).as_posix()) for path in _files(staging))
        _check_collisions(site, written, previous)
        _swap(site, staging, written, previous)
    except BaseException:
        if created:
            shutil.rmtree(site, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SiteReport(
        site, {case_id: site / page for case_id, page in pages.items()}, catalog.invalid
    )


# -- where the site may go -----------------------------------------------------------------


def _check_target(source: Path, site: Path) -> list[str]:
    """Refuse a place the site must not go; the files a previous export wrote there."""
    here, cases = site.resolve(), source.resolve()
    if here == cases:
        raise ExportError(
            f"refusing to write the site into the case folder {source} itself; "
            "give the site a folder of its own, such as site/"
        )
    if cases.is_relative_to(here):
        raise ExportError(
            f"refusing to write the site into {site}, which holds the case folder {source}; "
            "give the site a folder of its own, such as site/"
        )
    if not site.exists():
        return []
    if not site.is_dir():
        raise ExportError(f"{site} is a file; give the site a folder of its own")
    entries = list(site.iterdir())
    if any(entry.suffix.lower() in SUFFIXES for entry in entries):
        raise ExportError(
            f"{site} holds case files (*.yaml); refusing to write a site into a case folder"
        )
    manifest = site / MANIFEST
    if not manifest.is_file():
        if entries:
            raise ExportError(
                f"{site} is not empty and was not made by clinical-course export "
                f"(it has no {MANIFEST}); choose a new or empty folder"
            )
        return []
    return _read_manifest(manifest)


def _read_manifest(manifest: Path) -> list[str]:
    try:
        data = json.loads(manifest.read_text("utf-8"))
        files = data["files"]
        if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
            raise TypeError(files)
    except (OSError, ValueError, KeyError, TypeError):
        raise ExportError(
            f"{manifest} is damaged; delete the site folder {manifest.parent} and export again"
        ) from None
    return [name for name in files if _is_inside(name)]


def _is_inside(name: str) -> bool:
    """A manifest entry that names a file inside the site (never `..`, never absolute)."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and ":" not in name
        and name != MANIFEST
    )


def _check_collisions(site: Path, written: list[str], previous: list[str]) -> None:
    ours = set(previous)
    foreign = [name for name in written if name not in ours and (site / name).exists()]
    if foreign:
        raise ExportError(
            f"{site / foreign[0]} was not written by clinical-course export; "
            "move it away, or export into a new folder"
        )


# -- building ------------------------------------------------------------------------------


def _slug(case_id: str, taken: set[str]) -> str:
    """A file name for the case's page: the id where it is plain, else a cleaned-up one."""
    slug = re.sub(r"[^\w.-]+", "-", case_id).strip(".-") or "case"
    name, number = slug, 2
    while name.lower() in taken:  # case-insensitive file systems (macOS, Windows)
        name, number = f"{slug}-{number}", number + 1
    taken.add(name.lower())
    return name


def _build(
    staging: Path,
    cases: dict[str, CaseFile],
    invalid: tuple[InvalidCase, ...],
    source: Path,
    theme: str,
) -> dict[str, str]:
    """Write every file of the site into `staging`; the relative page of each case by id."""
    write_atomic(staging / PLOTLY_JS, get_plotlyjs())
    write_atomic(staging / STYLESHEET, page_css() + site_css())
    pages: dict[str, str] = {}
    taken: set[str] = set()
    for case_id, case_file in cases.items():
        page = f"{CASE_DIR}/{_slug(case_id, taken)}.html"
        figure = build_figure(case_file.case, theme=theme)
        html = case_page(
            case_file.case,
            figure,
            plotlyjs=f"../{PLOTLY_JS}",
            stylesheet=f"../{STYLESHEET}",
            nav=NAV,
        )
        write_atomic(staging / page, html)
        pages[case_id] = page
    write_atomic(staging / INDEX, index_html(cases, pages, invalid, source))
    return pages


NAV = '<nav class="site-nav"><a href="../index.html">← All cases</a></nav>\n'


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def index_html(
    cases: dict[str, CaseFile],
    pages: dict[str, str],
    invalid: tuple[InvalidCase, ...],
    source: Path,
) -> str:
    """The index: each case with its title, diagnoses, citation and a preview of its course."""
    cards = []
    for case_id, case_file in sorted(cases.items(), key=lambda item: item[1].case.title.lower()):
        case = case_file.case
        href = escape(quote(pages[case_id]), quote=True)
        diagnoses = (
            f'<p class="diagnoses">{escape("; ".join(case.diagnoses))}</p>'
            if case.diagnoses
            else ""
        )
        cards.append(
            f'<li class="case-card" data-case="{escape(case_id, quote=True)}">'
            f'<h2><a href="{href}">{escape(case.title)}</a></h2>'
            f'<a href="{href}" tabindex="-1" aria-hidden="true">{preview_svg(case)}</a>'
            f"{diagnoses}{citation_html(case)}</li>"
        )
    problems = ""
    if invalid:
        items = "".join(f"<li><pre>{escape(_report(bad, source))}</pre></li>" for bad in invalid)
        count = len(invalid)
        problems = (
            f'<section class="problems" aria-labelledby="problems-heading">'
            f'<h2 id="problems-heading">{count} file{"s" * (count != 1)} with problems, '
            f"skipped</h2><ul>{items}</ul></section>"
        )
    count = len(cases)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="clinical-course {escape(__version__)}">
<title>Clinical courses</title>
<link rel="stylesheet" href="{STYLESHEET}">
</head>
<body>
<main>
<h1>Clinical courses</h1>
<p class="site-intro">{count} case{"s" * (count != 1)}. Each chart shows the treatments
as bars and relapses as ▼ on one time axis; open a case for the full chart, its caption
and the course in words.</p>
<ul class="cases">
{"".join(cards)}
</ul>
{problems}
</main>
</body>
</html>
"""


def _report(invalid: InvalidCase, source: Path) -> str:
    """The problems of a file, named by its path inside the case folder (not the whole disk)."""
    errors = [
        dataclasses.replace(error, path=_shown(error.path, source)) for error in invalid.errors
    ]
    return InvalidCase(_shown(invalid.path, source), errors).report()


def _shown(path: str, source: Path) -> str:
    try:
        return Path(path).resolve().relative_to(source.resolve().parent).as_posix()
    except ValueError:
        return Path(path).name


# -- putting the new site in place ---------------------------------------------------------


def _write_manifest(site: Path, files: list[str], *, complete: bool) -> None:
    data: dict[str, Any] = {
        "generator": f"clinical-course {__version__}",
        "complete": complete,
        "files": files,
    }
    write_atomic(site / MANIFEST, json.dumps(data, indent=1) + "\n")


def _swap(site: Path, staging: Path, written: list[str], previous: list[str]) -> None:
    """Replace the previous export's files with the new ones; the index and manifest last.

    Until the manifest says complete, it lists the old and the new files, so an interrupted
    swap is cleaned up by the next export and never taken for a finished site.
    """
    _write_manifest(site, sorted(set(previous) | set(written)), complete=False)
    for leftover in site.glob(STAGING_PREFIX + "*"):
        if leftover != staging and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    new = set(written)
    for name in previous:
        target = site / name
        if name not in new and (target.is_file() or target.is_symlink()):
            target.unlink()
    for name in sorted(written, key=lambda name: name == INDEX):
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target)
    _write_manifest(site, written, complete=True)
    for name in previous:
        parent = (site / name).parent
        if parent != site and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
