"""The dashboard's case figure as the browser draws it, read back and checked as every image
is (`export.drawn`): no two texts overlap and none is cut at the chart's edge, for the seed
cases and for realistic cases the layout was never tuned on, in a narrow window (the legend
and key under the plot) and a laptop's. A real server on 127.0.0.1 and a real Chromium."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator

import pytest

from dashboard.export.drawn import MEASURE_JS, Drawn, check
from tests.conftest import CASE_FILES, ROOT, copy_of_timelines
from tests.test_app import CHART, OpenPage, Server

REALISTIC = ROOT / "tests" / "data" / "realistic"
HELD_OUT = REALISTIC / "held-out"
CASES = [
    path.stem
    for path in [*CASE_FILES, *sorted(REALISTIC.glob("*.yaml")), *sorted(HELD_OUT.glob("*.yaml"))]
]
# a narrow window, where the figure is laid out as a column; a laptop's (before the chart's
# width was measured, labels placed for a wider plot ran into each other in both)
WIDTHS = (600, 1024)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = copy_of_timelines(tmp_path_factory.mktemp("drawn"))
    for path in [*REALISTIC.glob("*.yaml"), *HELD_OUT.glob("*.yaml")]:
        shutil.copy(path, folder / path.name)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = Server(folder)
    yield server
    server.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_case_figure_as_drawn_has_no_overlapping_or_cut_text(
    open_page: OpenPage, server: Server, width: int
) -> None:
    """Every case's figure on its page, drawn with the shipped fonts at the browser's own
    width: no two texts overlap and none reaches past the chart's edge."""
    page, problems = open_page(viewport={"width": width, "height": 1000})
    found = {}
    for case in CASES:
        page.goto(f"{server.url}/case/{case}")
        page.wait_for_selector(f"{CHART} .main-svg .scatterlayer .trace")
        page.wait_for_function("document.fonts.status === 'loaded'")
        drawn = Drawn.read(page.locator(CHART).evaluate(MEASURE_JS))
        wrong = check(drawn)
        if wrong.overlaps or wrong.cut:
            found[case] = wrong.describe()
    assert not found, found
    problems.assert_clean()
