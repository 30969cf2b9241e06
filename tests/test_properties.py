"""Property-based tests: every case the format accepts builds every output, every file it
refuses is refused with file:line, and nothing in between crashes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from dashboard.load import parse_case
from dashboard.model.rules import RULES
from dashboard.problems import InvalidCase
from tests.outputs import every_output
from tests.strategies import as_yaml, cases, mutated


def check_file(text: str, shown: str = "case.yaml") -> str:
    """Load the text as a case file: a valid one must build every output, a refused one must
    say where each problem is. Returns "valid" or "refused"."""
    try:
        case = parse_case(text, shown)
    except InvalidCase as invalid:
        assert invalid.errors
        for error in invalid.errors:
            assert error.path == shown and error.line is not None and error.line >= 1, error
            assert error.rule in RULES, f"{error} has no registered rule"
            assert error.rule != "unreadable", f"an unforeseen failure: {error}"
        return "refused"
    every_output(case)
    return "valid"


# A hostile or generated course may not fit its size: the figure says so with a FigureWarning
# (tested in test_export_drawn and test_figure_key); here only every output is asked for.
@pytest.mark.filterwarnings("ignore::dashboard.problems.FigureWarning")
@given(cases())
def test_every_generated_case_is_valid_and_builds_every_output(data: dict[str, object]) -> None:
    assert check_file(as_yaml(data)) == "valid"


@settings(max_examples=100)
@given(mutated())
def test_every_mutated_file_builds_or_is_refused_with_its_line(text: str) -> None:
    check_file(text)


# A hostile or generated course may not fit its size: the figure says so with a FigureWarning
# (tested in test_export_drawn and test_figure_key); here only every output is asked for.
@pytest.mark.filterwarnings("ignore::dashboard.problems.FigureWarning")
@settings(max_examples=1)  # (a deck takes seconds)
@given(cases())
def test_generated_cases_make_powerpoint_decks(data: dict[str, object]) -> None:
    case = parse_case(as_yaml(data))
    with tempfile.TemporaryDirectory() as folder:
        path = every_output(case, pptx=Path(folder) / "deck.pptx")["pptx"]
        assert Path(path).read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    "text",
    [
        "title: t\ntreatments:\n  - {drug: x, start: day 0, ongoing: true, every: 1 day}\n",
        "title: t\nevents:\n  - {at: ~day 0, end: ~day 0, kind: death}\n",
        "title: t\nday0: {date: 2015-04-01}\nmeasurements:\n  - {name: m, values: {2015-04: 1}}\n",
    ],
)
def test_edge_cases_found_by_the_generator_stay_valid(text: str) -> None:
    assert check_file(text) == "valid"
