"""The figure stage: structure of the Plotly figure built from a `Case`, not its pixels."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest

from dashboard.figure import AXES, THEMES, FigureWarning, build_figure
from dashboard.figure.themes import family_colours, get_theme, shade
from dashboard.load import load_case
from dashboard.model import Case, Measurement, Period, Treatment
from dashboard.problems import ViewError
from tests.conftest import CASE_FILES
from tests.synth import generate_case

TIMELINES = CASE_FILES
REF = re.compile(r"^(treatments|events|periods)\[\d+\]$|^measurements\[\d+\]\.values\[\d+\]$")


def make(**parts: Any) -> Case:
    """A case from keyword parts, validated as a file would be."""
    return Case.model_validate({"title": "Test case", **parts})


def traces(fig: go.Figure, name: str) -> list[Any]:
    """Traces whose name is `name` or starts with `name:`."""
    return [t for t in fig.data if t.name == name or (t.name or "").startswith(name + ":")]


def one(fig: go.Figure, name: str) -> Any:
    found = traces(fig, name)
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def xs(trace: Any) -> list[Any]:
    return [x for x in trace.x if x is not None]


def yaxis_of(fig: go.Figure, trace: Any) -> Any:
    return fig.layout["yaxis" + trace.yaxis[1:]]


NMOSD = {
    "title": "NMOSD with MAS",
    "day0": {"label": "NMOSD onset", "date": "2015-04-01"},
    "treatments": [
        {
            "drug": "methylprednisolone",
            "abbr": "mPSL",
            "class": "steroid",
            "given": ["day 0", "~day 30"],
        },
        {
            "drug": "prednisolone",
            "abbr": "PSL",
            "class": "steroid",
            "unit": "mg/day",
            "doses": [
                {"at": "day 2", "dose": 60},
                {"at": "day 21", "dose": 40},
                {"at": "day 60", "dose": 20},
            ],
            "end": "day 120",
        },
        {
            "drug": "tacrolimus",
            "abbr": "Tac",
            "dose": "3 mg/day",
            "start": "~day 10",
            "end": "day 90",
        },
        {
            "drug": "plasma exchange",
            "abbr": "PLEX",
            "kind": "procedure",
            "start": "day 5",
            "end": "day 12",
        },
        {
            "drug": "natalizumab",
            "abbr": "NTZ",
            "start": "day 0",
            "end": "day 84",
            "every": "4 weeks",
            "dose": "300 mg",
        },
        {"drug": "satralizumab", "abbr": "SAT", "start": "day 100", "ongoing": True},
    ],
    "events": [
        {"at": "day 0", "kind": "relapse", "label": "optic neuritis"},
        {"at": "day 45.5", "kind": "relapse", "label": "myelitis"},
        {"at": "~day 80", "kind": "relapse", "label": "optic neuritis"},
        {"at": "day 3", "end": "day 9", "kind": "admission", "detail": "ICU"},
    ],
    "measurements": [
        {
            "name": "Ferritin",
            "unit": "ng/mL",
            "scale": "log",
            "normal": [None, 300],
            # Written out of time order: references point at the index as written.
            "values": [["day 20", 9000], ["day 0", 250], ["~day 10", 45000], ["day 40", "~800"]],
        },
        {
            "name": "Body temperature",
            "abbr": "BT",
            "unit": "°C",
            "panel": "Vitals",
            "values": {"day 0": 37.0, "day 8": 40.1},
        },
        {
            "name": "Heart rate",
            "unit": "bpm",
            "panel": "Vitals",
            "values": {"day 0": 80, "day 8": 120},
        },
        {
            "name": "EDSS",
            "style": "step",
            "range": [0, 10],
            "values": {"day 0": 3.5, "day 50": 6.5, "day 110": 4},
        },
    ],
    "periods": [{"from": "day 5", "to": "day 15", "label": "MAS episode"}],
}


@pytest.fixture
def nmosd() -> Case:
    return Case.model_validate(NMOSD)


def test_relapses_are_arrowheads_at_their_days(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="day")
    relapses = traces(fig, "Relapse")
    assert {t.name for t in relapses} == {"Relapse: optic neuritis", "Relapse: myelitis"}
    days = sorted(x for t in relapses for x in xs(t))
    assert days == [0, 45.5, 80]
    for trace in relapses:
        symbols = trace.marker.symbol
        symbols = [symbols] if isinstance(symbols, str) else symbols
        assert all(s.startswith("triangle-down") for s in symbols)
    # Above the treatment rows: the events panel sits higher than the treatment panel.
    events = yaxis_of(fig, relapses[0]).domain
    rows = yaxis_of(fig, one(fig, "Treatment")).domain
    assert events[0] > rows[1]


def test_other_event_kinds_have_their_own_shape_and_spans(nmosd: Case) -> None:
    admission = one(build_figure(nmosd, axis="day"), "Admission")
    assert xs(admission) == [3, 9]
    assert admission.mode.startswith("lines+markers")
    assert admission.marker.symbol[0] == "triangle-right"


def test_log_measurement_gets_a_log_axis(nmosd: Case) -> None:
    fig = build_figure(nmosd)
    ferritin = one(fig, "Ferritin")
    axis = yaxis_of(fig, ferritin)
    assert axis.type == "log"
    assert "ng/mL" in axis.title.text
    assert yaxis_of(fig, one(fig, "EDSS")).type == "linear"
    assert list(yaxis_of(fig, one(fig, "EDSS")).range) == [0, 10]
    assert one(fig, "EDSS").line.shape == "hv"


def test_normal_band_runs_to_the_panel_edge(nmosd: Case) -> None:
    fig = build_figure(nmosd)
    ferritin = one(fig, "Ferritin")
    bands = [s for s in fig.layout.shapes if s.yref == ferritin.yaxis and s.type == "rect"]
    assert len(bands) == 1
    edges = [s for s in fig.layout.shapes if s.yref == ferritin.yaxis and s.type == "line"]
    assert [edge.y0 for edge in edges] == [300], "only the given limit gets a line"
    low = 10 ** yaxis_of(fig, ferritin).range[0]
    assert bands[0].y1 == 300
    assert bands[0].y0 == pytest.approx(low)


def test_second_unit_in_a_panel_gets_a_right_hand_axis(nmosd: Case) -> None:
    fig = build_figure(nmosd)
    temperature, heart = one(fig, "BT"), one(fig, "Heart rate")
    assert temperature.yaxis != heart.yaxis
    right = yaxis_of(fig, heart)
    assert right.overlaying == temperature.yaxis
    assert right.side == "right"
    assert "bpm" in right.title.text
    assert "BT" in yaxis_of(fig, temperature).title.text


def test_taper_is_a_step_profile_with_its_doses(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="day")
    # each step's dose over its step, or (where it would run into the row above) in the key
    drawn = {e["text"] for e in fig.layout.meta["labels"] if e["ref"].startswith("treatments[1]")}
    keyed = [e["text"] for e in fig.layout.meta["key"] if e["ref"] == "treatments[1].doses"]
    for dose in ("60", "40", "20"):
        assert any(dose in text for text in drawn) or dose in " ".join(keyed).split(), dose
    bars = one(fig, "Treatment")
    taper = [
        (x, y)
        for x, y, c in zip(bars.x, bars.y, bars.customdata, strict=True)
        if c and c[0] == "treatments[1]"
    ]
    levels = sorted({y for _, y in taper})
    assert len(levels) == 4  # baseline and three dose levels
    assert max(x for x, _ in taper) == 120
    # The higher the dose, the taller the step (the treatment axis runs top to bottom).
    height = {x: y for x, y in taper if y != max(levels)}
    assert height[2] < height[21] < height[60]


def test_ongoing_treatment_runs_off_the_right_edge(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="day")
    right = fig.layout.xaxis.range[1]
    arrow = one(fig, "Ongoing")
    assert xs(arrow) == [right]
    assert arrow.marker.symbol == "triangle-right"
    bars = one(fig, "Treatment")
    sat = [x for x, c in zip(bars.x, bars.customdata, strict=True) if c and c[0] == "treatments[5]"]
    assert max(sat) == right


def test_every_draws_a_tick_per_administration(nmosd: Case) -> None:
    ticks = one(build_figure(nmosd, axis="day"), "Administrations")
    assert xs(ticks) == [0, 28, 56, 84]
    assert ticks.marker.symbol == "line-ns"


def test_procedures_are_hatched_not_solid(nmosd: Case) -> None:
    fig = build_figure(nmosd)
    procedure = one(fig, "Procedure bar")
    assert procedure.fillpattern.shape == "/"
    assert {c[0] for c in procedure.customdata if c} == {"treatments[3]"}
    assert one(fig, "Treatment").fillpattern.shape is None


def test_approximate_things_look_and_read_approximate(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="day")
    relapse = one(fig, "Relapse: optic neuritis")
    assert list(relapse.marker.symbol) == ["triangle-down", "triangle-down-open"]
    assert "approximate" in relapse.customdata[1][1]
    given = one(fig, "Given")
    assert list(given.marker.symbol) == ["diamond", "diamond-open"]
    ferritin = one(fig, "Ferritin")
    points = {
        c[0]: s for c, s in zip(ferritin.customdata, ferritin.marker.symbol, strict=True) if c
    }
    assert points["measurements[0].values[2]"] == "circle-open"  # ~day 10
    assert points["measurements[0].values[3]"] == "circle-open"  # ~800
    assert points["measurements[0].values[1]"] == "circle"
    dashed = one(fig, "Ferritin (approximate)")
    assert dashed.line.dash == "dot"
    assert 10 in xs(dashed)
    # Tacrolimus starts ~day 10: a washed-out, dotted edge there.
    fades = one(fig, "Approximate")
    assert fades.line.dash == "dot"
    assert {c[0] for c in fades.customdata if c} == {"treatments[2]"}
    assert 10 in xs(fades)


def test_calendar_axis_uses_dates(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="date")
    assert fig.layout.xaxis.type == "date"
    relapses = sorted(x for t in traces(fig, "Relapse") for x in xs(t))
    assert relapses == ["2015-04-01", "2015-05-16 12:00", "2015-06-20"]
    for trace in fig.data:
        for x in xs(trace):
            dt.datetime.fromisoformat(x)
    assert fig.layout.xaxis.title.text.startswith("Date")
    assert fig.layout.meta["axis"] == "date"


def test_calendar_axis_needs_a_day0_date() -> None:
    case = make(events=[{"at": "day 3", "kind": "relapse"}])
    with pytest.raises(ViewError, match=r"day0\.date"):
        build_figure(case, axis="date")


def test_unknown_axis_and_theme_are_errors(nmosd: Case) -> None:
    """An axis or theme no figure has is the user's error, said as such (not a bug)."""
    with pytest.raises(ViewError, match="axis"):
        build_figure(nmosd, axis="fortnight")
    with pytest.raises(ViewError, match="theme"):
        build_figure(nmosd, theme="neon")


@pytest.mark.parametrize(
    ("label", "span", "axis", "title"),
    [
        ("NMOSD onset", 30, None, "Days since NMOSD onset"),
        ("MAS onset", 120, None, "Weeks since MAS onset"),
        ("Onset of symptoms", 700, None, "Months since Onset of symptoms"),
        ("Day 0", 3000, None, "Years from day 0"),
        ("Day 0", 3000, "month", "Months from day 0"),
    ],
)
def test_axis_unit_and_title(label: str, span: int, axis: str | None, title: str) -> None:
    case = make(day0={"label": label}, events=[{"at": f"day {span}", "kind": "relapse"}])
    fig = build_figure(case, axis=axis)
    assert fig.layout.xaxis.title.text == title
    unit = fig.layout.meta["unit_days"]
    assert xs(one(fig, "Relapse"))[0] == pytest.approx(span / unit, abs=1e-3)


def test_day0_line_is_labelled_across_all_panels(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="day")
    lines = [s for s in fig.layout.shapes if s.type == "line" and s.x0 == 0 == s.x1]
    assert lines and lines[0].yref == "paper" and (lines[0].y0, lines[0].y1) == (0, 1)
    assert any("NMOSD onset" in a.text for a in fig.layout.annotations)


def test_range_from_window_case_axis_or_span(nmosd: Case) -> None:
    assert list(build_figure(nmosd, axis="day", window=(10, 40)).layout.xaxis.range) == [10, 40]
    assert list(build_figure(nmosd, axis="week", window=(14, 70)).layout.xaxis.range) == [2, 10]
    case = make(
        axis={"unit": "year", "from": -0.5, "to": 6}, events=[{"at": "year 2", "kind": "relapse"}]
    )
    assert list(build_figure(case).layout.xaxis.range) == [-0.5, 6]
    low, high = build_figure(nmosd, axis="day").layout.xaxis.range
    assert low < 0 and high > 120


def test_periods_shade_every_panel(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="day")
    shades = [s for s in fig.layout.shapes if s.type == "rect" and s.yref == "paper"]
    assert [(s.x0, s.x1, s.y0, s.y1) for s in shades] == [(5, 15, 0, 1)]
    periods = one(fig, "Periods")
    assert "MAS episode" in periods.text
    assert periods.customdata[0][0] == "periods[0]"


def test_hide_leaves_panels_out(nmosd: Case) -> None:
    fig = build_figure(nmosd, hide=["Ferritin", "events"])
    assert not traces(fig, "Ferritin")
    assert not traces(fig, "Relapse")
    assert traces(fig, "EDSS")
    assert "Ferritin" not in fig.layout.meta["panels"]
    assert not [a for a in fig.layout if a.startswith("yaxis") and fig.layout[a].type == "log"]
    hidden = build_figure(nmosd, hide=["treatments", "Vitals"])
    assert not traces(hidden, "Treatment") and not traces(hidden, "BT")


def _check_revealed(fig: go.Figure, limit: Any) -> int:
    checked = 0
    for trace in fig.data:
        for x in xs(trace):
            assert x <= limit, (trace.name, x)
            checked += 1
    for shape in fig.layout.shapes:
        if shape.xref == "x":
            assert shape.x0 <= limit and shape.x1 <= limit, shape
    for annotation in fig.layout.annotations:
        if annotation.xref == "x":  # on the time axis (the key is placed on the paper)
            assert annotation.x <= limit
    return checked


@pytest.mark.parametrize("reveal", [-1.0, 4.0, 10.0, 33.3, 46.0, 100.0])
def test_reveal_drops_everything_after_it(nmosd: Case, reveal: float) -> None:
    full = build_figure(nmosd, axis="week")
    fig = build_figure(nmosd, axis="week", reveal=reveal)
    assert _check_revealed(fig, reveal / 7) > 0 or reveal < 0
    assert fig.layout.xaxis.range == full.layout.xaxis.range
    assert fig.layout.meta["reveal"] == reveal
    assert not traces(fig, "Ongoing")
    relapses = sorted(x for t in traces(fig, "Relapse") for x in xs(t))
    assert relapses == pytest.approx([x / 7 for x in (0, 45.5, 80) if x <= reveal], abs=1e-3)


def test_reveal_on_calendar_axis(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="date", reveal=33.3)
    assert _check_revealed(fig, "2015-05-04 07:12") > 0


def test_reveal_truncates_bars_at_the_reveal_day(nmosd: Case) -> None:
    fig = build_figure(nmosd, axis="day", reveal=50)
    bars = one(fig, "Treatment")
    tacrolimus = [
        x for x, c in zip(bars.x, bars.customdata, strict=True) if c and c[0] == "treatments[2]"
    ]
    assert max(tacrolimus) == 50
    ferritin = one(fig, "Ferritin")
    assert [c[0] for c in ferritin.customdata if c] == [
        "measurements[0].values[1]",
        "measurements[0].values[2]",
        "measurements[0].values[0]",
        "measurements[0].values[3]",
    ]
    assert max(xs(one(build_figure(nmosd, axis="day", reveal=30), "Ferritin"))) == 20


def test_themes_change_the_look(nmosd: Case) -> None:
    screen = build_figure(nmosd)
    printed = build_figure(nmosd, theme="print")
    slides = build_figure(nmosd, theme="slides")
    assert screen.layout.autosize is True and screen.layout.width is None
    assert printed.layout.font.family.startswith('"Liberation Sans"')  # Arial's widths
    assert printed.layout.paper_bgcolor == printed.layout.plot_bgcolor == "#ffffff"
    assert printed.layout.xaxis.showgrid is False and printed.layout.xaxis.linecolor == "#000000"
    assert (slides.layout.width, slides.layout.height) == (1920, 1080)
    assert (slides.layout.font.size, screen.layout.font.size, printed.layout.font.size) == (
        26,
        12,
        11,
    )
    assert slides.layout.xaxis.showgrid is True and slides.layout.xaxis.linewidth == 2
    sized = build_figure(nmosd, width=800, height=600)
    assert (sized.layout.width, sized.layout.height, sized.layout.autosize) == (800, 600, False)


def test_height_grows_with_rows_and_panels(nmosd: Case) -> None:
    small = make(treatments=[{"drug": "A", "start": 0, "end": 5}])
    assert build_figure(nmosd).layout.height > build_figure(small).layout.height


def test_every_item_point_carries_its_reference(nmosd: Case) -> None:
    fig = build_figure(nmosd)
    seen: set[str] = set()
    for trace in fig.data:
        if trace.hoverinfo == "skip" and trace.customdata is None:
            continue  # never hovered nor clicked (dashed approximate segments)
        assert trace.customdata is not None, trace.name
        for data in trace.customdata:
            if data is not None:
                assert REF.match(data[0]), (trace.name, data)
                seen.add(data[0].split(".")[0])
    assert {f"treatments[{i}]" for i in range(6)} <= seen
    assert {f"events[{i}]" for i in range(4)} <= seen
    assert {f"measurements[{i}]" for i in range(4)} <= seen
    assert "periods[0]" in seen


def test_hover_says_both_times_dose_and_detail(nmosd: Case) -> None:
    fig = build_figure(nmosd)
    along = one(fig, "Treatments")
    tacrolimus = next(c for c in along.customdata if c[0] == "treatments[2]")
    assert "Tac (tacrolimus)" in tacrolimus[1]
    assert "3 mg/day" in tacrolimus[2] and "~day 10 (11 Apr 2015)" in tacrolimus[2]
    assert "approximate" in tacrolimus[2]
    admission = one(fig, "Admission")
    assert (
        "ICU" in admission.customdata[0][1] and "day 9 (10 Apr 2015)" in admission.customdata[0][1]
    )
    for trace in fig.data:
        if trace.hoverinfo != "skip":
            assert "customdata" in trace.hovertemplate, trace.name
    assert fig.layout.xaxis.showspikes and fig.layout.xaxis.spikemode == "across"
    # one shared axis, plotly's default "x": the spike spans every panel
    assert {t.xaxis for t in fig.data} == {None}
    assert {t.type for t in fig.data} == {"scatter"}


def test_class_shares_a_hue_family_with_distinct_shades() -> None:
    keys = ["steroid", "steroid", "IL-6", "other"]
    colours = family_colours(keys, [None, None, None, "#123456"])
    # blue; blue 35 % of the way to black (0x72 * 0.65 = 0x4a, 0xb2 * 0.65 = 0x74);
    # the next family's vermillion; the colour the file gave
    assert colours == ["#0072b2", "#004a74", "#d55e00", "#123456"]
    assert shade("#0072b2", 2) == "#66aad1"  # 40 % of the way to white


def test_meta_is_small(nmosd: Case) -> None:
    """The figure's meta is a few facts about the view, besides the labels it lists (one
    short entry per label, so that a drawn text can be traced to its item)."""
    meta = build_figure(nmosd, axis="month", reveal=12).layout.meta
    assert meta["case_title"] == "NMOSD with MAS"
    assert meta["axis"] == "month" and meta["unit_days"] == 30.4375 and meta["reveal"] == 12
    facts = {name: value for name, value in meta.items() if name not in ("labels", "key")}
    assert len(json.dumps(facts)) < 400


def typical_case(events: int = 40, values: int = 60) -> Case:
    """12 treatments, `events` events, 4 measurements: the size the budget is set for."""
    forms: list[dict[str, Any]] = [
        {"start": "day 10", "end": "day 200", "dose": "100 mg/day"},
        {"given": ["day 0", "day 30", "~day 90", "day 400"]},
        {
            "doses": [
                {"at": "day 2", "dose": 60},
                {"at": "day 30", "dose": 40},
                {"at": "~day 60", "dose": 20},
            ],
            "end": "day 300",
            "unit": "mg/day",
        },
        {"start": "day 100", "end": "day 400", "every": "4 weeks", "dose": "300 mg"},
        {"start": "~day 300", "ongoing": True, "dose": "8 mg/kg every 4 weeks"},
        {"kind": "procedure", "given": ["day 5", "day 7", "day 9", "day 200"]},
    ]
    classes = ["corticosteroid", "antimetabolite", "corticosteroid", "anti-CD20", None, None]
    treatments = [
        {
            "drug": f"drug {i}",
            "abbr": f"D{i}",
            **forms[i % 6],
            **({"class": classes[i % 6]} if classes[i % 6] else {}),
        }
        for i in range(12)
    ]
    kinds = ["relapse", "relapse", "imaging", "relapse", "lab"]
    return make(
        day0={"label": "NMOSD onset", "date": "2015-04-01"},
        treatments=treatments,
        events=[
            {
                "at": f"{'~' if i % 7 == 0 else ''}day {i * 12}",
                "kind": kinds[i % 5],
                "label": ["optic neuritis", "myelitis"][i % 2],
                **({"detail": "Left eye, visual acuity 0.1"} if i % 3 == 0 else {}),
            }
            for i in range(events)
        ],
        measurements=[
            {
                "name": f"Series {k}",
                "unit": "U/L",
                "scale": "log" if k == 0 else "linear",
                "style": "step" if k == 2 else "line",
                "values": {
                    f"{'~' if i % 11 == 0 else ''}day {i * 8}": 100 + i * 37 % 900
                    for i in range(values)
                },
            }
            for k in range(4)
        ],
        periods=[{"from": "day 100", "to": "day 150", "label": "MAS"}],
    )


def test_a_typical_case_has_few_traces_and_stays_small() -> None:
    fig = build_figure(typical_case())
    assert len(fig.data) < 30
    assert len(fig.to_json()) < 60_000
    # One trace for all the bars, not one per bar.
    assert len(traces(fig, "Treatment")) == 1


def test_a_large_series_builds(tmp_path: Path) -> None:
    case = make(
        measurements=[{"name": "HR", "values": [[i * 0.05, 60 + i % 30] for i in range(20_000)]}]
    )
    fig = build_figure(case)
    trace = one(fig, "HR")
    assert trace.mode == "lines"  # too many points for markers
    assert len(xs(trace)) == 20_000


def test_figure_is_valid_plotly(nmosd: Case) -> None:
    """On every axis and in every theme, revealed part way, plotly's validators accept the
    figure and change nothing in it."""
    for axis in AXES:
        for theme in THEMES:
            assert_valid_plotly(build_figure(nmosd, axis=axis, theme=theme, reveal=60))


def test_an_empty_case_builds() -> None:
    fig = build_figure(make())
    assert len(fig.data) == 0
    assert fig.layout.title.text


@pytest.mark.parametrize("path", TIMELINES, ids=lambda path: path.stem)
def test_every_timeline_builds(path: Path) -> None:
    from dashboard.load import load_case

    case = load_case(path)
    for theme in THEMES:
        fig = build_figure(case, theme=theme)
        assert fig.data and len(fig.data) < 40
        assert len(fig.to_json()) < 60_000
    relapses = [e.at.day for e in case.events if e.kind == "relapse"]
    fig = build_figure(case, axis="day")
    assert sorted(x for t in traces(fig, "Relapse") for x in xs(t)) == pytest.approx(
        sorted(relapses), abs=1e-3
    )
    if case.day0_date is not None:
        build_figure(case, axis="date")


def assert_valid_plotly(figure: go.Figure) -> None:
    """Plotly's validators accept the figure and change nothing but the template's defaults."""
    built = figure.to_dict()
    checked = go.Figure(built).to_dict()  # raises ValueError on any invalid property
    assert checked["data"] == built["data"]
    checked["layout"].pop("template")
    assert checked["layout"] == {k: v for k, v in built["layout"].items() if k != "template"}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", TIMELINES, ids=lambda path: path.stem)
def test_every_timeline_figure_is_valid_plotly(path: Path, theme: str) -> None:
    assert_valid_plotly(build_figure(load_case(path), theme=theme))


@pytest.mark.parametrize("size", ["typical", "large"])
def test_generated_figures_are_valid_plotly(size: str) -> None:
    case = Case.model_validate(generate_case(7, size=size))
    for options in ({}, {"axis": "date", "reveal": 30.0, "theme": "print"}, {"hide": ("events",)}):
        assert_valid_plotly(build_figure(case, **options))  # type: ignore[arg-type]


def test_an_invalid_property_would_be_caught() -> None:
    figure = build_figure(load_case(TIMELINES[0]))
    figure.data[0]["marker"] = {"symbol": "no-such-symbol"}
    with pytest.raises(ValueError, match="symbol"):
        assert_valid_plotly(figure)


def _first_day(item: Any) -> float:
    """When a treatment, event, period or measurement begins."""
    if isinstance(item, Measurement):
        return min(time.day for time, _ in item.values)
    if isinstance(item, Period):
        return item.from_.day
    return float(item.first.day if isinstance(item, Treatment) else item.at.day)


def test_reveal_gives_nothing_away_and_keeps_refs_true() -> None:
    case = load_case(next(path for path in TIMELINES if path.stem == "nomura-2025-case2"))
    day = 200.0
    figure = build_figure(case, reveal=day)
    future_rows = {t.label for t in case.treatments if t.first.day > day}
    future_labels = {e.title for e in case.events if e.at.day > day} - {
        e.title for e in case.events if e.at.day <= day
    }
    shown_text = json.dumps(figure.to_plotly_json(), ensure_ascii=False)
    assert future_rows and future_labels
    for label in future_rows | future_labels:
        assert f'"{label}"' not in shown_text, f"{label!r} appears before its time"
    refs = [
        row[0]
        for trace in figure.data
        for row in (trace.customdata or ())
        if row is not None and isinstance(row[0], str)
    ]
    assert refs
    meta = figure.layout.meta
    for ref in refs + [entry["ref"] for entry in meta["labels"] + meta["key"]]:
        section, index = re.match(r"(\w+)\[(\d+)\]", ref).groups()  # type: ignore[union-attr]
        first = _first_day(getattr(case, section)[int(index)])
        assert first <= day, f"{ref} points at an item that begins on day {first}"


def test_reveal_refs_name_the_items_of_the_whole_case() -> None:
    case = Case.model_validate(
        {
            "title": "Future items written first",
            "treatments": [
                {"drug": "later drug", "start": "day 100", "end": "day 120"},
                {"drug": "early drug", "start": "day 0", "end": "day 30"},
            ],
            "events": [
                {"at": "day 50", "kind": "relapse", "label": "later"},
                {"at": "day 2", "kind": "relapse", "label": "early"},
            ],
        }
    )
    figure = build_figure(case, reveal=10.0)
    refs = {
        row[0].split(".")[0]
        for trace in figure.data
        for row in (trace.customdata or ())
        if row is not None and isinstance(row[0], str)
    }
    assert refs == {"treatments[1]", "events[1]"}


def test_a_kind_with_many_labels_is_one_legend_entry() -> None:
    notes = [{"at": f"day {day}", "kind": "note", "label": f"note {day}"} for day in range(5)]
    relapses = [
        {"at": "day 1", "kind": "relapse", "label": "optic neuritis"},
        {"at": "day 3", "kind": "relapse", "label": "myelitis"},
    ]
    case = Case.model_validate({"title": "Many notes", "events": notes + relapses})
    figure = build_figure(case)
    names = sorted(trace.name for trace in figure.data)
    assert names == ["Note", "Relapse: myelitis", "Relapse: optic neuritis"]
    note = one(figure, "Note")
    assert list(note.text) == [f" note {day}" for day in range(5)], "labels beside the marks"
    assert "<i>note 2</i>" in note.customdata[2][1]
    assert isinstance(note.marker.color, str), "one colour for the kind"


def test_a_column_figure_puts_its_legend_below_and_leaves_the_title_to_the_caption() -> None:
    case = load_case(next(path for path in TIMELINES if path.stem == "nomura-2025-case2"))
    wide = build_figure(case, theme="print")
    column = build_figure(case, theme="print", width=321)
    assert wide.layout.title.text and wide.layout.legend.x > 1
    assert case.title not in (column.layout.title.text or ""), "the title holds the key only"
    assert (column.layout.legend.orientation, column.layout.legend.yref) == ("h", "container")
    entries = sum(trace.showlegend is not False for trace in column.data)
    assert column.layout.legend.entrywidthmode == "fraction"
    columns = round(1 / column.layout.legend.entrywidth)
    assert columns == 2, "a legend of several columns, not one entry a line"
    lines = -(-entries // columns)
    key = len(column.layout.title.text.split("<br>")) * 15 if column.layout.title.text else 0
    assert column.layout.margin.b >= wide.layout.margin.b + lines * 15, "room for the legend"
    assert column.layout.margin.b < wide.layout.margin.b + entries * 15 + key


def _row_names(fig: go.Figure) -> set[str]:
    return {
        str(text)
        for key in fig.layout
        if key.startswith("yaxis")
        for text in (fig.layout[key].ticktext or ())
    }


def test_a_revealed_figure_names_no_row_of_what_comes_later() -> None:
    case = load_case(next(path for path in TIMELINES if path.stem == "nomura-2025-case2"))
    later = {"Diagnosis", "Imaging", "Procedure", "Note"}  # days 485 to 850
    assert later <= _row_names(build_figure(case))
    names = _row_names(build_figure(case, reveal=200))
    assert names == {"Relapse", "Onset", "mPSL", "PSL", "AZT", ""}, "later rows kept blank"
    for theme in THEMES:
        revealed = build_figure(case, reveal=200, theme=theme)
        assert not later & _row_names(revealed)
        assert not {t.name for t in revealed.data} & {"Diagnosis", "Imaging", "Procedure", "Note"}


def test_user_text_in_a_hover_template_is_shown_as_written() -> None:
    case = make(
        events=[{"at": 0, "kind": "relapse", "label": "%{x} <b>", "detail": "%{y} <i>x</i>"}],
        measurements=[
            {"name": "%{customdata[0]}", "unit": "%{x}", "values": {"0": 1, "1": 2}},
        ],
    )
    fig = build_figure(case)
    relapse = one(fig, "Relapse")
    # only plotly's own placeholders are left in the template
    assert re.findall(r"%\{[^}]*\}", relapse.hovertemplate) == ["%{customdata[1]}"]
    assert "&#37;{x} &lt;b&gt;" in relapse.hovertemplate
    assert "&lt;i&gt;x&lt;/i&gt;" in relapse.customdata[0][1], "an event's detail is escaped"
    series = one(fig, "%{customdata[0]}")
    assert re.findall(r"%\{[^}]*\}", series.hovertemplate) == [
        "%{y:,.6~g}",
        "%{customdata[1]}",
    ]
    assert "&#37;{customdata[0]}" in series.hovertemplate and "&#37;{x}" in series.hovertemplate


def test_the_reference_band_is_inside_the_y_range() -> None:
    case = make(
        measurements=[
            {"name": "CRP", "normal": [0, 0.3], "values": {"0": 5, "5": 8}},
            {"name": "Ferritin", "scale": "log", "normal": [20, 300], "values": {"0": 900}},
        ]
    )
    fig = build_figure(case)
    low, high = fig.layout.yaxis.range
    assert low < 0 and 8 < high < 9, "the band's 0 is in view, not just the values 5 to 8"
    low, high = fig.layout.yaxis2.range
    assert low < 1.30103 and high > 2.9542  # log10 of 20 and of 900


def test_every_taper_dose_is_in_the_hover_even_when_its_label_is_left_out() -> None:
    case = make(
        treatments=[
            {
                "drug": "prednisolone",
                "unit": "mg/day",
                "doses": [
                    {"at": 0, "dose": 60},
                    {"at": 1, "dose": 40},
                    {"at": 2, "dose": 20},
                    {"at": 3, "dose": 50},
                ],
                "end": 400,
            }
        ]
    )
    fig = build_figure(case, theme="print", width=321)
    hover = one(fig, "Treatments").customdata[0][2]
    assert "doses: 60 (day 0), 40 (day 1), 20 (day 2), 50 (day 3)" in hover


def test_a_taper_writes_each_dose_as_the_file_gives_it() -> None:
    """A dose is the clinician's number, not a rounded one: 0.25 and 0.125 mg/kg/day are
    written so beside the steps, in the hover and in the key, never as 0.2 or 0.1."""
    case = make(
        treatments=[
            {
                "drug": "methylprednisolone",
                "unit": "mg/kg/day",
                "doses": [
                    {"at": 0, "dose": 2},
                    {"at": 60, "dose": 0.5},
                    {"at": 120, "dose": 0.25},
                    {"at": 180, "dose": 0.125},
                ],
                "end": 240,
            }
        ]
    )
    for width in (1200, 240):  # the doses beside the steps, then in the key
        fig = build_figure(case, theme="print", width=width)
        shown = json.dumps(fig.to_plotly_json(), ensure_ascii=False)
        for dose in ("0.25", "0.125"):
            assert dose in shown, f"{dose} at {width} px"
        hover = one(fig, "Treatments").customdata[0][2]
        assert "0.25 (day 120), 0.125 (day 180)" in hover


def test_an_event_outside_the_time_axis_stands_at_its_edge_saying_when() -> None:
    """An event the axis does not reach (a window, or `axis: from`) is not dropped, leaving
    its row empty: its mark stands inside the edge it lies beyond, its label says when it
    was and points the way, and its hover gives its own time."""
    case = make(
        events=[
            {"at": -30, "kind": "onset", "label": "fever and rash"},
            {"at": 10, "kind": "admission", "label": "admission"},
            {"at": 400, "kind": "discharge", "label": "discharge"},
        ],
        measurements=[{"name": "CRP", "values": {"0": 1, "60": 2}}],
    )
    fig = build_figure(case, theme="print", width=661, window=(0.0, 100.0))
    low, high = fig.layout.xaxis.range
    texts = {
        text.strip(): (x, hover)
        for trace in fig.data
        if trace.name in ("Onset", "Discharge")
        for x, text, hover in zip(trace.x, trace.text, trace.customdata, strict=True)
        if text
    }
    ((before, (x_before, hover_before)),) = [(k, v) for k, v in texts.items() if "fever" in k]
    assert before.startswith("◀") and "day -30" in before
    assert low < x_before < low + 0.05 * (high - low), "inside the left edge"
    assert "day -30" in str(hover_before)
    ((after, (x_after, _)),) = [(k, v) for k, v in texts.items() if "discharge" in k]
    assert after.endswith("▶") and "day 400" in after
    assert high - 0.05 * (high - low) < x_after < high, "inside the right edge"


def test_a_treatment_row_beyond_the_time_axis_says_when_at_its_edge() -> None:
    """A row whose every item lies beyond the axis does not stand empty: at the edge it lies
    beyond, it says when the treatment was and its dose, pointing the way."""
    case = make(
        treatments=[
            {"drug": "prednisolone", "dose": "60 mg/day", "start": 0, "end": 90},
            {"drug": "satralizumab", "dose": "120 mg", "start": 500, "ongoing": True},
            {"drug": "IVIG", "dose": "2 g/kg", "given": ["day -200", "day -150"]},
        ]
    )
    fig = build_figure(case, theme="print", width=661, window=(-30.0, 400.0))
    texts = [str(text).strip() for trace in fig.data for text in (trace.text or ()) if text]
    assert "day 500 → ongoing 120 mg ▶" in texts
    assert "◀ day -200 → day -150 2 g/kg" in texts
    assert not any("60 mg/day" in text and ("◀" in text or "▶" in text) for text in texts)


@pytest.mark.parametrize("height", [None, 300])
def test_a_range_the_file_gives_is_kept_at_every_size(height: float | None) -> None:
    """A measurement's `range` (EDSS 0 to 10) is the axis' range in a column figure too,
    however short its panel: its ticks stay inside it, never widened to 0 to 20."""
    values = {
        str(day): score for day, score in zip(range(0, 3000, 300), [2, 3, 3.5, 4] * 3, strict=False)
    }
    case = make(
        measurements=[
            {"name": "EDSS", "range": [0, 10], "values": values},
            {"name": "CRP", "values": {"0": 1, "2700": 2}},
            {"name": "IgG", "values": {"0": 8, "2700": 9}},
        ],
        treatments=[
            {"drug": f"drug {n}", "start": n * 100, "end": n * 100 + 500} for n in range(10)
        ],
    )
    with warnings.catch_warnings():  # (a fixed height too low for the course says so)
        warnings.simplefilter("ignore", FigureWarning)
        fig = build_figure(case, theme="print", width=322, height=height)
    axis = next(
        fig.layout[key]
        for key in fig.layout
        if key.startswith("yaxis") and fig.layout[key].title.text == "EDSS"
    )
    assert tuple(axis.range) == (0, 10)
    assert len(axis.tickvals) >= 3 and all(0 <= v <= 10 for v in axis.tickvals)


def test_overlapping_period_labels_are_moved_apart() -> None:
    case = make(
        periods=[
            {"from": 0, "to": 58, "label": "admission and rehabilitation"},
            {"from": 12, "to": 24, "label": "admission"},
        ],
        measurements=[{"name": "CRP", "values": {"0": 1, "60": 2}}],
    )
    strip = one(build_figure(case, theme="print", width=321), "Periods")
    placed = [
        (x, text, position)
        for x, text, position in zip(strip.x, strip.text, strip.textposition, strict=True)
        if text
    ]
    assert ("admission" in [text for _, text, _ in placed]) and len(placed) == 2
    centred = [p for p in placed if p[2] == "middle center"]
    assert [text for _, text, _ in centred] == ["admission"], "the short period keeps the middle"
    long_label = next(p for p in placed if p[1] != "admission")
    assert long_label[2] in ("middle right", "middle left")


def _grey_on_white(colour: str, opacity: float = 1.0) -> float:
    """The grey level (0 black .. 255 white) of a fill drawn on white, as a greyscale print
    would show it (ITU-R 601 luma, as Pillow's convert('L') computes it)."""
    if colour.startswith("rgba"):
        *rgb, alpha = (float(part) for part in colour[5:-1].split(","))
    else:
        rgb, alpha = [int(colour[i : i + 2], 16) for i in (1, 3, 5)], 1.0
    alpha *= opacity
    r, g, b = (255 + (channel - 255) * alpha for channel in rgb)
    return 0.299 * r + 0.587 * g + 0.114 * b


@pytest.mark.parametrize("theme", THEMES)
def test_reference_bands_and_periods_stay_apart_in_greyscale(theme: str) -> None:
    case = make(
        measurements=[
            {"name": name, "normal": [40, 60], "values": {"0": 10, "100": 90}}
            for name in ("CRP", "Ferritin", "Platelets", "WBC", "BT", "LDH")
        ],
        periods=[{"from": 50, "to": 100, "label": "admission"}],
    )
    fig = build_figure(case, theme=theme)
    period = next(s for s in fig.layout.shapes if s.type == "rect" and s.yref == "paper")
    bands = [s for s in fig.layout.shapes if s.type == "rect" and s.xref == "x domain"]
    assert len(bands) == 6
    period_grey = _grey_on_white(period.fillcolor, period.opacity)
    for band in bands:
        # a band is lighter than a period's shading by a step the eye sees in print
        assert _grey_on_white(band.fillcolor, band.opacity) - period_grey >= 8
        edges = [
            s
            for s in fig.layout.shapes
            if s.type == "line" and s.yref == band.yref and s.line.dash == "dot"
        ]
        assert sorted(s.y0 for s in edges) == [40, 60], "the band's limits drawn dotted"


def test_print_tells_the_labels_of_a_kind_apart_by_shape_not_only_colour() -> None:
    relapses = ["optic neuritis", "myelitis", "area postrema syndrome", "brainstem"]
    scans = ["MRI brain", "MRI spine", "OCT"]
    case = make(
        events=[
            {"at": f"day {10 * n}", "kind": "relapse", "label": label}
            for n, label in enumerate(relapses)
        ]
        + [
            {"at": f"day {10 * n + 5}", "kind": "imaging", "label": label}
            for n, label in enumerate(scans)
        ]
        + [{"at": "~day 80", "kind": "relapse", "label": "myelitis"}],
    )
    fig = build_figure(case, theme="print")
    marks = {
        trace.name: (trace.marker.symbol, trace.marker.line.color)
        for trace in fig.data
        if trace.legendgroup in ("relapse", "imaging")
    }
    white, black = "#ffffff", "#000000"
    assert marks == {
        "Relapse: optic neuritis": ("triangle-down", black),
        # a cross inside a filled mark is drawn in the paper's colour; hollow stays the sign
        # of an approximate time
        "Relapse: myelitis": (("star-triangle-down", "star-triangle-down-open"), "#D55E00"),
        "Relapse: area postrema syndrome": ("arrow-down", "#0072B2"),
        "Relapse: brainstem": ("arrow-bar-down", "#009E73"),
        "Imaging: MRI brain": ("square", "#56B4E9"),
        "Imaging: MRI spine": ("square-x", white),
        "Imaging: OCT": ("square-cross", white),
    }
    # in the legend too: one entry per label, each with its own mark
    assert len({str(symbol) for symbol, _ in marks.values()}) == len(marks)
    screen = build_figure(case)
    assert {t.marker.symbol for t in screen.data if t.legendgroup == "imaging"} == {"square"}


def _places(fig: go.Figure) -> list[tuple[Any, Any]]:
    """Each y axis' domain and its row positions: where everything sits."""
    return [
        (tuple(fig.layout[key].domain or ()), tuple(fig.layout[key].tickvals or ()))
        for key in sorted(k for k in fig.layout if k.startswith("yaxis"))
    ]


@pytest.mark.parametrize("theme", THEMES)
def test_rows_and_panels_keep_their_places_from_step_to_step(theme: str) -> None:
    case = load_case(next(path for path in TIMELINES if path.stem == "nomura-2025-case2"))
    size = {"width": 1792, "height": 780} if theme == "slides" else {}
    whole = build_figure(case, theme=theme, **size)
    for day in (0, 200, 490, 900):
        step = build_figure(case, theme=theme, reveal=day, **size)
        for (domain, rows), (whole_domain, whole_rows) in zip(
            _places(step), _places(whole), strict=True
        ):
            assert domain == whole_domain, f"revealed to day {day}"
            assert rows in (whole_rows, ()), "rows in their places, or a blank panel"
    late = make(
        events=[{"at": 0, "kind": "relapse"}],
        measurements=[{"name": "Late lab", "values": {"100": 1, "200": 2}}],
    )
    early = build_figure(late, theme=theme, reveal=50, **size)
    assert len(early.layout.meta["panels"]) == 1
    assert (
        early.layout.yaxis2.domain == build_figure(late, theme=theme, **size).layout.yaxis2.domain
    )
    assert "Late lab" not in json.dumps(early.to_dict()), "a later panel stays nameless"


def test_long_lab_names_are_wrapped_so_stacked_axis_titles_do_not_run_together() -> None:
    names = ["Aminotransferase, alanine (ALT)", "Glutamyltranspeptidase, gamma", "Platelet count"]
    long_names = names * 4  # twelve panels, as a laboratory table gives
    case = make(
        measurements=[
            {"name": f"{name} {n}", "unit": "µkat/L", "values": {"day 0": 1, "day 5": 2}}
            for n, name in enumerate(long_names)
        ]
    )
    """A rotated axis title longer than its panel is tall is wrapped onto lines (a word
    longer than a line hyphenated), and every panel is at least as tall as its title's
    longest line measured in the font that draws it: no title reaches the next."""
    for theme in ("print", "screen"):
        layout = build_figure(case, theme=theme).to_plotly_json()["layout"]
        plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
        axes = [
            axis
            for key, axis in layout.items()
            if key.startswith("yaxis") and axis.get("title", {}).get("text")
        ]
        assert len(axes) == 12
        look = get_theme(theme)
        for axis in axes:
            title = axis["title"]["text"]
            lines = title.split("<br>")
            assert "…" not in title, "nothing of a name is cut"
            low, high = axis["domain"]
            longest = max(look.measure(line, look.axis_title) for line in lines)
            assert longest <= (high - low) * plot_px, title
            if "Glutamyl" in title:
                assert lines[0].endswith("-") and "Glutamyltranspeptidase" in title.replace(
                    "-<br>", ""
                )
    short = make(measurements=[{"name": "Ferritin", "unit": "ng/mL", "values": {"day 0": 1}}])
    assert "Ferritin<br>(ng/mL)" in json.dumps(build_figure(short).to_plotly_json())


def test_a_dose_beside_its_bar_is_not_written_over_the_next_item_of_its_row() -> None:
    """A pulse of mPSL just before a prednisolone taper in one lane: its dose used to be
    written after the pulse, on top of the taper."""
    pulse = {"drug": "mPSL", "dose": "1 g/day", "lane": "Steroids"}
    pulse |= {"start": "day 2", "end": "day 4"}
    taper = {"drug": "PSL", "lane": "Steroids", "end": "day 300"}
    taper |= {"doses": [{"at": "day 5", "dose": 60}, {"at": "day 40", "dose": 20}]}
    onset = [{"at": "day 0", "kind": "onset"}, {"at": "day 300", "kind": "note"}]  # one axis

    def placed(*items: dict[str, Any]) -> dict[str, tuple[float, str]]:
        doses = one(build_figure(make(treatments=list(items), events=onset)), "Doses")
        return {
            text.strip(): (x, where)
            for text, x, where in zip(doses.text, doses.x, doses.textposition, strict=True)
        }

    day4 = pytest.approx(4 / 30.4375, abs=1e-3)
    assert placed(pulse)["1 g/day"] == (day4, "middle right")  # alone: just after the pulse
    beside = placed(pulse, taper)
    assert all(where != "middle right" or x < 5 / 30.4375 for x, where in beside.values())
    # no room before it either: a key mark there, the dose in the key
    figure = build_figure(make(treatments=[pulse, taper], events=onset))
    assert "1 g/day" not in beside
    assert {"ref": "treatments[0]", "mark": "①", "text": "Steroids: 1 g/day"} in (
        figure.layout.meta["key"]
    )
    assert beside["①"][1] in ("middle left", "middle right")
