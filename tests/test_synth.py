"""Synthetic cases: valid, deterministic, and of the stated sizes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dashboard.load import parse_case
from dashboard.model import Case
from tests import synth


@pytest.mark.parametrize("seed", [0, 1, 7, 2024])
def test_typical_cases_validate_and_have_the_stated_sizes(seed: int) -> None:
    data = synth.generate_case(seed)
    case = Case.model_validate(data)
    assert len(case.treatments) == 12
    assert {t.timing for t in case.treatments} == {"continuous", "given", "doses"}
    assert any(t.ongoing for t in case.treatments)
    assert any(t.every is not None for t in case.treatments)
    assert any(t.kind == "procedure" for t in case.treatments)
    assert any(n > 1 for n in Counter(t.lane for t in case.treatments if t.lane).values())
    assert any(n > 1 for n in Counter(t.class_ for t in case.treatments if t.class_).values())
    assert len(case.events) == 40
    kinds = Counter(event.kind for event in case.events)
    assert kinds["relapse"] >= 3 and len(kinds) >= 5
    assert [len(m.values) for m in case.measurements] == [60, 60, 60, 60]
    assert [m.scale for m in case.measurements].count("log") == 1
    assert [m.style for m in case.measurements].count("step") == 1
    shared = [m for m in case.measurements if m.panel is not None]
    assert len(shared) == 2 and len({m.panel for m in shared}) == 1
    assert len({m.unit for m in shared}) == 2
    assert len(case.periods) == 2
    assert len(case.teaching.steps) == 4
    assert case.day0_date is not None
    assert any(time.is_calendar for time in case.times)
    assert any(time.approx for time in case.times)


def test_large_adds_a_long_series() -> None:
    case = Case.model_validate(synth.generate_case(3, size="large"))
    assert [len(m.values) for m in case.measurements] == [60, 60, 60, 60, 20_000]


def test_same_seed_same_case_other_seed_other_case() -> None:
    assert synth.generate_case(5) == synth.generate_case(5)
    assert synth.generate_case(5) != synth.generate_case(6)


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size must be one of typical, large"):
        synth.generate_case(0, size="huge")


def test_written_files_read_back_as_the_same_cases(tmp_path: Path) -> None:
    paths = synth.write_cases(tmp_path / "cases", 3, seed=10)
    assert [path.name for path in paths] == [
        "synthetic-typical-0010.yaml",
        "synthetic-typical-0011.yaml",
        "synthetic-typical-0012.yaml",
    ]
    for offset, path in enumerate(paths):
        text = path.read_text(encoding="utf-8")
        assert parse_case(text) == Case.model_validate(synth.generate_case(10 + offset))
