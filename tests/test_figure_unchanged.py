"""The figure every output draws stays as it was: the seed, realistic and generated cases in
several views, against their JSON kept in `tests/data/figures/`.

Work on how the figure is built (to build it faster, say) must not change what it draws. After
a change that is meant to change the figure, write the files again and read their diff:

    python -m tests.test_figure_unchanged
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from dashboard.figure import FigureWarning, figure_spec
from dashboard.load import load_case
from dashboard.model import Case
from tests.conftest import CASE_FILES, ROOT
from tests.synth import generate_case

EXPECTED = ROOT / "tests" / "data" / "figures"
REALISTIC = sorted((ROOT / "tests" / "data" / "realistic").glob("*.yaml"))
GENERATED = (0,)  # seeds of tests/synth.py cases, as the site benchmarks export them
VIEWS: dict[str, dict[str, Any]] = {
    "screen": {},
    "print-column": {"theme": "print", "width": 322, "max_height": 453, "ceiling": 907},
    "slides": {"theme": "slides"},
    "weeks-revealed": {"axis": "week", "reveal": 200.0, "hide": ["periods"]},
    "window-print": {"theme": "print", "axis": "day", "window": (-30.0, 400.0)},
}


def _sources() -> dict[str, Case]:
    cases = {path.stem: load_case(path) for path in [*CASE_FILES, *REALISTIC]}
    for seed in GENERATED:
        cases[f"synth-{seed}"] = Case.model_validate(generate_case(seed))
    return cases


def _views(case: Case) -> dict[str, dict[str, Any]]:
    views = dict(VIEWS)
    if case.day0_date is not None:
        views["dates"] = {"axis": "date"}
    return views


def _drawn(case: Case) -> dict[str, Any]:
    """Every view of the case as the JSON a page carries (a slide too low for a dense course
    is drawn taller, with a warning, which is recorded here as what is drawn)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FigureWarning)
        return {
            name: json.loads(json.dumps(figure_spec(case, **view)))
            for name, view in _views(case).items()
        }


SOURCES = _sources()


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_figure_is_drawn_as_before(name: str) -> None:
    expected = json.loads((EXPECTED / f"{name}.json").read_text("utf-8"))
    drawn = _drawn(SOURCES[name])
    assert sorted(drawn) == sorted(expected)
    for view in expected:
        assert drawn[view] == expected[view], f"{name}, view {view!r} differs"


def main() -> None:
    """Write the expected figures anew."""
    EXPECTED.mkdir(parents=True, exist_ok=True)
    for name, case in SOURCES.items():
        text = json.dumps(_drawn(case), indent=0, sort_keys=True, ensure_ascii=False)
        (EXPECTED / f"{name}.json").write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
