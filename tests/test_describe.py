"""The case in words: caption, account, tidy table, detail panel and default steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dashboard.describe import (
    FRAME_COLUMNS,
    caption,
    course_account,
    default_steps,
    format_value,
    item_details,
    items_frame,
    patient_line,
)
from dashboard.load import load_case
from dashboard.model import Case, Teaching
from dashboard.model.times import format_interval
from tests.conftest import CASE_FILES

TIMELINES = CASE_FILES

SMALL: dict[str, Any] = {
    "title": "Small NMOSD case",
    "source": {"citation": "Doe J, et al. Test Rep. 2020;1:1-2.", "figure": "Figure 1b"},
    "day0": {"label": "NMOSD onset", "date": "2015-04"},
    "treatments": [
        {
            "drug": "tocilizumab",
            "abbr": "TCZ",
            "class": "IL-6 receptor antibody",
            "dose": "8 mg/kg every 4 weeks",
            "start": "~2015-10",
            "ongoing": True,
            "every": "4 weeks",
        },
        {
            "drug": "plasma exchange",
            "abbr": "PLEX",
            "kind": "procedure",
            "start": "day 3",
            "end": "day 10",
        },
        {"drug": "methylprednisolone pulse", "abbr": "mPSL", "given": ["day 30", "day 0"]},
        {
            "drug": "prednisolone",
            "abbr": "PSL",
            "unit": "mg/day",
            "doses": [
                {"at": "day 2", "dose": 60},
                {"at": "day 21", "dose": 40},
                {"at": "month 3", "dose": 10},
            ],
            "end": "day 365",
        },
    ],
    "events": [
        {
            "at": "day 0",
            "kind": "relapse",
            "label": "optic neuritis",
            "detail": "Left eye, VA 0.1",
            "image": "images/mri.png",
        },
        {"at": "day 100", "kind": "relapse", "label": "myelitis", "source": "Figure 1"},
    ],
    "measurements": [
        {
            "name": "Ferritin",
            "unit": "ng/mL",
            "scale": "log",
            "values": {"day 0": 2340, "day 3": 45000, "~day 10": "~8600", "day 60": 300},
        }
    ],
    "periods": [{"from": "day 0", "to": "day 21", "label": "MAS episode"}],
}


@pytest.fixture
def small() -> Case:
    return Case.model_validate(SMALL)


def load(path: Path) -> Case:
    return load_case(path)


def test_caption_of_a_small_case(small: Case) -> None:
    assert caption(small) == (
        "Clinical course. TCZ: tocilizumab 8 mg/kg every 4 weeks; PLEX: plasma exchange; "
        "mPSL: methylprednisolone pulse; PSL: prednisolone. ▼ relapses. "
        "Grey shading across all panels marks periods (“MAS episode”). "
        "Day 0 is NMOSD onset (Apr 2015). Values marked ~ are approximate. "
        "Adapted from: Doe J, et al. Test Rep. 2020;1:1-2. Figure 1b."
    )


def test_caption_leaves_out_what_the_case_does_not_have() -> None:
    case = Case.model_validate(
        {
            "title": "t",
            "treatments": [{"drug": "natalizumab", "start": "day 0", "end": "day 90"}],
            "teaching": {"steps": [{"at": "~day 5"}]},
        }
    )
    # No abbreviation, no relapse, no source; a ~ on a teaching step is not drawn.
    assert caption(case) == "Clinical course."


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (None, "NTZ: natalizumab every 4 weeks."),
        ("300 mg", "NTZ: natalizumab 300 mg every 4 weeks."),
        ("300 mg monthly", "NTZ: natalizumab 300 mg monthly."),
        ("300 mg every 28 days", "NTZ: natalizumab 300 mg every 28 days."),
    ],
)
def test_caption_adds_the_interval_unless_the_dose_says_how_often(
    dose: str | None, expected: str
) -> None:
    treatment = {"drug": "natalizumab", "abbr": "NTZ", "start": 0, "end": 90, "every": "4 weeks"}
    if dose is not None:
        treatment["dose"] = dose
    case = Case.model_validate({"title": "t", "treatments": [treatment]})
    assert caption(case) == f"Clinical course. {expected}"


def test_account_in_time_order_with_both_times(small: Case) -> None:
    assert course_account(small) == [
        "Day 0 (Apr 2015): NMOSD onset.",
        "The same day: relapse, optic neuritis. Left eye, VA 0.1.",
        "From then to day 21 (22 Apr 2015): MAS episode.",
        "Day 0 (1 Apr 2015) and day 30 (1 May 2015): methylprednisolone pulse (mPSL).",
        "Ferritin (ng/mL), 4 values: 2340 on day 0 (1 Apr 2015), "
        "peak 45000 on day 3 (4 Apr 2015), last 300 on day 60 (31 May 2015).",
        "Day 2 (3 Apr 2015) to day 365 (31 Mar 2016): "
        "prednisolone (PSL) taper 60 → 40 → 10 mg/day.",
        "Day 3 (4 Apr 2015) to day 10 (11 Apr 2015): plasma exchange (PLEX).",
        "Day 100 (10 Jul 2015): relapse, myelitis.",
        "From ~Oct 2015 (day 183): tocilizumab (TCZ) 8 mg/kg every 4 weeks, ongoing.",
    ]


def test_account_merges_day0_with_an_event_saying_the_same() -> None:
    case = Case.model_validate(
        {
            "title": "t",
            "day0": {"label": "MAS onset"},
            "events": [{"at": 0, "kind": "onset", "label": "MAS onset"}],
            "measurements": [{"name": "BT", "unit": "°C", "values": {"~day 1": "~39.5"}}],
        }
    )
    assert course_account(case) == ["Day 0: MAS onset.", "BT (°C): ~39.5 on ~day 1."]


def test_a_treatment_of_one_day_is_said_on_that_day_and_the_patient_as_written() -> None:
    case = Case.model_validate(
        {
            "title": "t",
            "patient": {"age": "90 or older", "sex": "female"},
            "treatments": [{"drug": "rescue steroid", "dose": "500 mg", "start": 125, "end": 125}],
        }
    )
    assert course_account(case) == ["Day 125: rescue steroid 500 mg."]  # (no 'Day 0: Day 0.')
    assert patient_line(case) == "90 or older, female" and "Day 0 is" not in caption(case)


def test_an_approximate_dose_is_shown_and_counted() -> None:
    taper = {"drug": "prednisolone", "abbr": "PSL", "unit": "mg/day", "end": "day 60"}
    taper["doses"] = [{"at": "day 1", "dose": "~60"}, {"at": "day 30", "dose": 20}]
    case = Case.model_validate({"title": "t", "treatments": [taper]})
    assert course_account(case)[0] == "Day 1 to day 60: prednisolone (PSL) taper ~60 → 20 mg/day."
    assert caption(case).endswith("Values marked ~ are approximate.")
    assert bool(items_frame(case).loc[0, "approximate"]) is True
    details = item_details(case, "treatments[0]")
    assert details is not None and details["Steps"] == "~60 from day 1, 20 from day 30"


def test_frame_has_one_row_per_item_with_refs(small: Case) -> None:
    frame = items_frame(small)
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert list(FRAME_COLUMNS) == [
        "ref",
        "section",
        "name",
        "kind",
        "start_day",
        "end_day",
        "start",
        "end",
        "dose",
        "detail",
        "approximate",
        "source",
    ]
    assert sorted(frame["ref"]) == sorted(
        [f"treatments[{i}]" for i in range(4)]
        + ["events[0]", "events[1]", "measurements[0]", "periods[0]"]
    )
    assert frame["start_day"].is_monotonic_increasing
    rows = frame.set_index("ref")
    tcz = rows.loc["treatments[0]"]
    assert (tcz["section"], tcz["name"], tcz["kind"]) == ("treatment", "tocilizumab (TCZ)", "drug")
    assert (tcz["start_day"], tcz["start"], tcz["end"]) == (183.0, "~Oct 2015 (day 183)", "ongoing")
    assert bool(tcz["approximate"]) is True
    assert rows.loc["treatments[1]", "kind"] == "procedure"
    assert rows.loc["treatments[2]", "end_day"] == 30.0
    assert rows.loc["treatments[3]", "dose"] == "taper 60 → 40 → 10 mg/day"
    assert rows.loc["events[1]", "source"] == "Figure 1"
    assert rows.loc["events[0]", "detail"] == "Left eye, VA 0.1"
    assert bool(rows.loc["events[0]", "approximate"]) is False
    assert bool(rows.loc["measurements[0]", "approximate"]) is True
    assert (rows.loc["periods[0]", "section"], rows.loc["periods[0]", "end_day"]) == (
        "period",
        21.0,
    )
    assert frame["approximate"].dtype == bool


def test_details_for_each_ref_form(small: Case) -> None:
    assert item_details(small, "treatments[0]") == {
        "Name": "tocilizumab (TCZ)",
        "Kind": "drug",
        "Class": "IL-6 receptor antibody",
        "Dose": "8 mg/kg every 4 weeks",
        "Every": "4 weeks",
        "Start": "~Oct 2015 (day 183)",
        "End": "ongoing",
    }
    assert item_details(small, "treatments[2]") == {
        "Name": "methylprednisolone pulse (mPSL)",
        "Kind": "drug",
        "Given": "day 0 (1 Apr 2015), day 30 (1 May 2015)",
    }
    taper = item_details(small, "treatments[3]")
    assert taper is not None
    assert taper["Steps"].startswith("60 from day 2 (3 Apr 2015), 40 from day 21")
    assert item_details(small, "events[0]") == {
        "Name": "optic neuritis",
        "Kind": "relapse",
        "Time": "day 0 (1 Apr 2015)",
        "Detail": "Left eye, VA 0.1",
        "Image": "images/mri.png",
    }
    series = item_details(small, "measurements[0]")
    assert series is not None
    assert series["Unit"] == "ng/mL"
    assert series["Values"].startswith("Ferritin (ng/mL), 4 values: 2340 on day 0")
    assert item_details(small, "measurements[0].values[2]") == {
        "Name": "Ferritin",
        "Kind": "measurement",
        "Value": "~8600 ng/mL",
        "Time": "~day 10 (11 Apr 2015)",
        "Approximate": "yes",
    }
    assert item_details(small, "periods[0]") == {
        "Name": "MAS episode",
        "Kind": "period",
        "Start": "day 0 (1 Apr 2015)",
        "End": "day 21 (22 Apr 2015)",
    }


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "events",
        "events[2]",
        "events[-1]",
        "events[x]",
        "treatments[0].values[0]",
        "measurements[0].values[4]",
        "measurements[1]",
        "periods[1]",
        "teaching[0]",
        "events[0]; drop",
        "__class__",
        "events[99999999999999999999]",
        None,
        3,
    ],
)
def test_bad_refs_give_none(small: Case, ref: Any) -> None:
    assert item_details(small, ref) is None


def test_default_steps_day0_relapses_and_starts_deduplicated_by_day(small: Case) -> None:
    steps = default_steps(small)
    assert [(step.at.day, step.title) for step in steps] == [
        (0.0, "Day 0: NMOSD onset"),
        (2.0, "Start of prednisolone (PSL)"),
        (3.0, "Start of plasma exchange (PLEX)"),
        (100.0, "Relapse: myelitis"),
        (183.0, "Start of tocilizumab (TCZ)"),
    ]
    assert steps[0].at.describe() == "Apr 2015 (day 0)"
    Teaching(steps=tuple(steps))  # in time order, so a valid teaching block


def test_formatting_helpers() -> None:
    assert [format_value(v) for v in (45000.0, 38.5, 0.05, 9.0)] == ["45000", "38.5", "0.05", "9"]
    assert [format_interval(d) for d in (28, 30.4375, 1, 10, 365.25, 2.5)] == [
        "4 weeks",
        "month",
        "day",
        "10 days",
        "year",
        "2.5 days",
    ]


@pytest.mark.parametrize("path", TIMELINES, ids=lambda path: path.stem)
def test_every_timeline_is_described_completely(path: Path) -> None:
    case = load(path)
    text = caption(case)
    assert text.startswith("Clinical course. ")
    if case.source is not None and case.source.figure:
        assert text.endswith(f"{case.source.figure}.")
    account = " ".join(course_account(case))
    for treatment in case.treatments:
        assert treatment.drug in account
    for event in case.events:
        assert event.title in account
    for measurement in case.measurements:
        assert measurement.name in account
    for period in case.periods:
        assert period.label is not None and period.label in account
    frame = items_frame(case)
    counts = (case.treatments, case.events, case.measurements, case.periods)
    assert len(frame) == sum(len(items) for items in counts)
    for ref in frame["ref"]:
        assert item_details(case, ref), ref
    days = [step.at.day for step in default_steps(case)]
    assert days == sorted(days) and len(days) == len(set(days))


def test_the_caption_flags_a_value_marked_approximate_and_only_then() -> None:
    exact = {"name": "CRP", "values": {"day 0": 5, "day 3": 2}}
    case = Case.model_validate({"title": "t", "measurements": [exact]})
    assert "approximate" not in caption(case)
    approximate = {"name": "CRP", "values": {"day 0": 5, "day 3": "~2"}}
    case = Case.model_validate({"title": "t", "measurements": [approximate]})
    assert caption(case).endswith(
        ". Values marked ~ are approximate."
    ) and "Day 0 is" not in caption(case)


def test_the_caption_names_nothing_twice_and_explains_the_shading() -> None:
    case = Case.model_validate(
        {
            "title": "t",
            "treatments": [{"drug": "IVIG", "abbr": "IVIG", "start": 0, "end": 4}],
            "measurements": [
                {"name": "Ferritin", "abbr": "Ferritin", "normal": [None, 300], "values": {"0": 1}}
            ],
        }
    )
    assert caption(case) == (
        "Clinical course. Pale bands in a panel, in its series' colour, are reference ranges."
    )


def test_the_account_names_day_0_once_and_whole_days_as_whole_days() -> None:
    case = Case.model_validate(
        {
            "title": "t",
            "day0": {"label": "admission"},
            "events": [
                {"at": 0, "kind": "onset", "label": "fever"},
                {"at": "month 44", "kind": "note", "label": "review"},
            ],
            "periods": [{"from": 0, "to": 58, "label": "ward"}],
        }
    )
    assert course_account(case) == [
        "Day 0: admission.",
        "The same day: onset, fever.",
        "From then to day 58: ward.",
        "Day 1339: note, review.",  # 44 months of 30.4375 days, to the whole day
    ]
