"""axe-core's WCAG 2.2 AA rules in a real Chromium on the pages a reader opens: the dashboard
(against a real server on 127.0.0.1), the presentation, a standalone case and series page,
and the exported site."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page

from dashboard.cli import cli
from tests.conftest import TIMELINES, PageProblems, copy_of_timelines
from tests.test_app import Server
from tests.test_app_editor import _violations

OpenPage = Callable[..., tuple[Page, PageProblems]]
CASE = "nomura-2025-case2"
SERIES = "nomura-2025-figure1"
DRAWN = ".main-svg"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Server(copy_of_timelines(tmp_path_factory.mktemp("cases")))
    yield server
    server.close()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A standalone case page, a standalone series page and a site, as the commands write them."""
    folder = tmp_path_factory.mktemp("written")
    runner = CliRunner()
    for source, output in (
        (TIMELINES / f"{CASE}.yaml", folder / "case.html"),
        (TIMELINES / f"{SERIES}.series.yaml", folder / "series.html"),
    ):
        result = runner.invoke(cli, ["render", str(source), "-o", str(output)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["export", str(TIMELINES), "-o", str(folder / "site")])
    assert result.exit_code == 0, result.output
    return folder


def _open(open_page: OpenPage, url: str, drawn: str) -> Page:
    page, _ = open_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    page.locator(drawn).first.wait_for(state="attached")
    return page


def test_the_index_and_the_presentation_pass_wcag_aa(server: Server, open_page: OpenPage) -> None:
    """axe-core finds no WCAG 2.2 AA violation on the index (its tables' headers drawn), nor on
    the presentation's title slide and a step with its chart."""
    assert _violations(_open(open_page, server.url + "/", '[role="gridcell"]')) == []
    page = _open(open_page, f"{server.url}/present/{CASE}", ".counter")
    assert _violations(page) == []
    page.keyboard.press("ArrowRight")
    page.locator(f".slide:not([hidden]) .chart {DRAWN}").first.wait_for(state="attached")
    assert _violations(page) == []


@pytest.mark.parametrize("name", ["case.html", "series.html", "site/index.html"])
def test_the_standalone_pages_pass_wcag_aa(written: Path, open_page: OpenPage, name: str) -> None:
    """axe-core finds no WCAG 2.2 AA violation on a standalone case page, a standalone series
    page and the site's index: the chart is a figure (plotly puts controls inside it), not an
    image, which may hold none."""
    drawn = "body" if name.startswith("site") else f"#course-chart {DRAWN}"
    assert _violations(_open(open_page, (written / name).as_uri(), drawn)) == []


def test_every_page_of_the_site_passes_wcag_aa(written: Path, open_page: OpenPage) -> None:
    """axe-core finds no WCAG 2.2 AA violation on any case or series page of the site."""
    pages = sorted((written / "site").glob("*/*.html"))
    assert len(pages) >= 4
    for path in pages:
        page = _open(open_page, path.as_uri(), f"#course-chart {DRAWN}")
        assert _violations(page) == [], path.name
        page.close()


DASH_CONTROLS = (
    "Dash 4's RadioItems and Checklist render a listbox of options holding inputs (unnamed, "
    "nested interactive) and its Dropdown a focusable input inside aria-hidden"
)


@pytest.mark.xfail(strict=True, reason=DASH_CONTROLS)
def test_the_case_page_passes_wcag_aa(server: Server, open_page: OpenPage) -> None:
    """axe-core finds no WCAG 2.2 AA violation on a case page of the dashboard."""
    assert _violations(_open(open_page, f"{server.url}/case/{CASE}", f"#chart {DRAWN}")) == []


@pytest.mark.xfail(strict=True, reason=DASH_CONTROLS)
def test_the_series_page_passes_wcag_aa(server: Server, open_page: OpenPage) -> None:
    """axe-core finds no WCAG 2.2 AA violation on a series page of the dashboard."""
    page = _open(open_page, f"{server.url}/series/{SERIES}", f"#series-chart {DRAWN}")
    assert _violations(page) == []
