"""The index of a static site: a card per case in order of titles, a hundred to a page, and on
the first page the series and the files with problems.

Cards are plain HTML with an inline SVG preview each, so a page of the index needs no
script and shows its first cards as soon as they arrive.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dashboard import __version__
from dashboard.export.sitewrite import Staging
from dashboard.export.templating import render
from dashboard.facts import Citation
from dashboard.problems import InvalidCase

PLOTLY_JS = "plotly.min.js"
STYLESHEET = "style.css"
INDEX = "index.html"
PAGE_SIZE = 100  # cases per index page


@cache
def site_css() -> str:
    """The index's own rules, after the shared page stylesheet."""
    return resources.files("dashboard").joinpath("templates/site.css").read_text("utf-8")


@dataclass(frozen=True, slots=True)
class Card:
    """What the index shows of a case, but for the link to its page."""

    title: str
    diagnoses: tuple[str, ...]
    citation: Citation | None
    preview: str


def card_html(case_id: str, card: Card, page: str) -> str:
    """A case on the index: title, a preview of its course, diagnoses and citation."""
    return render("site_card.html.j2", id=case_id, href=quote(page), card=card).strip()


def index_name(number: int) -> str:
    """The file of the index page `number` (from 0)."""
    return INDEX if number == 0 else f"index-{number + 1}.html"


def write_index(
    staging: Staging,
    cards: list[str],
    reports: tuple[str, ...],
    series: tuple[list[dict[str, Any]], list[str]],
) -> list[str]:
    """Write the index pages of `cards` (in their order); their names."""
    names = [index_name(number) for number in range(max(1, -(-len(cards) // PAGE_SIZE)))]
    for number, name in enumerate(names):
        html = index_html(
            cards[number * PAGE_SIZE : (number + 1) * PAGE_SIZE],
            reports if number == 0 else (),
            series if number == 0 else None,
            total=len(cards),
            page=number,
            pages=len(names),
        )
        staging.write(name, html)
    return names


def index_html(
    cards: list[str],
    reports: tuple[str, ...],
    series: tuple[list[dict[str, Any]], list[str]] | None = None,
    *,
    total: int,
    page: int = 0,
    pages: int = 1,
) -> str:
    """One page of the index: its cases' cards, a pager, and (on the first) the series and
    the skipped files."""
    items, problems = series or ([], [])
    first = page * PAGE_SIZE + 1
    return render(
        "site_index.html.j2",
        stylesheet=STYLESHEET,
        generator=f"clinical-course {__version__}",
        cards=cards,
        total=total,
        page=page,
        pages=[index_name(number) for number in range(pages)] if pages > 1 else [],
        shown=(first, min(total, first + PAGE_SIZE - 1)),
        series=items,
        series_problems=problems,
        problems=reports,
    )


def problem_report(invalid: InvalidCase, source: Path) -> str:
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
