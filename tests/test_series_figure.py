"""The case-series view and the multi-panel figure: aligned times, traces, panels, captions."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest

from dashboard.figure.themes import get_theme
from dashboard.fonts import lines_of, text_width
from dashboard.load import CaseFile, FolderCases, load_case
from dashboard.problems import ViewError
from dashboard.series.caption import panels_caption, series_caption
from dashboard.series.figure import fit_rows, series_spec
from dashboard.series.load import SeriesFile, load_series, resolve
from dashboard.series.model import Series
from dashboard.series.outcomes import compute
from dashboard.series.panels import panels_spec
from tests.conftest import ROOT, SERIES_FILES, TIMELINES
from tests.synth import write_series

DATA = Path(__file__).parent / "data" / "series"


def trace(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """The one trace called `name`."""
    found = [t for t in spec["data"] if t.get("name") == name]
    assert len(found) == 1, [t.get("name") for t in spec["data"]]
    return found[0]


def row_labels(spec: dict[str, Any]) -> list[tuple[float, str]]:
    """The row labels as drawn left of the plot: (y, text) with the gap before the plot cut."""
    labels = trace(spec, "Cases")
    assert labels["mode"] == "text" and labels["xaxis"] == "x2"
    return [(y, text.rstrip("\u00a0")) for y, text in zip(labels["y"], labels["text"], strict=True)]


def rows_of(spec: dict[str, Any], values: list[Any], ys: list[Any]) -> dict[str, list[Any]]:
    """Values grouped by the row (case id) their y position falls in."""
    labels = row_labels(spec)
    ids = [re.sub(r"<[^>]*>", "", text) for _, text in labels]
    by_row: dict[str, list[Any]] = {}
    for value, y in zip(values, ys, strict=True):
        nearest = min(range(len(labels)), key=lambda i: abs(labels[i][0] - y))
        by_row.setdefault(ids[nearest], []).append(value)
    return by_row


def bars_of(spec: dict[str, Any]) -> dict[str, list[Any]]:
    """Every treatment bar of the view, whatever its class' trace: base, length, y, colour
    and hover text."""
    found: dict[str, list[Any]] = {"base": [], "x": [], "y": [], "colour": [], "hover": []}
    for bars in (t for t in spec["data"] if t["type"] == "bar"):
        found["base"] += bars["base"]
        found["x"] += bars["x"]
        found["y"] += bars["y"]
        found["colour"] += [bars["marker"]["color"]] * len(bars["x"])
        found["hover"] += hover_texts(bars)
    return found


def hover_texts(item: dict[str, Any]) -> list[str]:
    """Each point's hover text as plotly fills it in: the template with its customdata."""
    template = item["hovertemplate"].removesuffix("<extra></extra>")
    return [
        re.sub(r"%\{customdata\[(\d+)\]\}", lambda m, d=data: str(d[int(m.group(1))]), template)
        for data in item["customdata"]
    ]


def legend_colours(spec: dict[str, Any]) -> dict[str, str]:
    """The treatment classes' legend entries and their colours."""
    return {
        t["name"]: t["marker"]["color"]
        for t in spec["data"]
        if t.get("showlegend", True)
        and t["name"] not in ("End of follow-up", "Relapse")
        and not t["name"].startswith("Relapse (")
    }


@pytest.fixture(scope="module")
def il6() -> SeriesFile:
    return load_series(DATA / "il6.series.yaml")


def test_rows_are_grouped_sorted_and_linked(il6: SeriesFile) -> None:
    spec = series_spec(il6, axis="day", link=lambda case: f"/case/{case}")
    go.Figure(spec)  # every property valid for plotly
    assert spec["layout"]["meta"]["rows"] == ["delta", "beta", "alpha"]  # MOGAD, then NMOSD
    assert spec["layout"]["meta"]["no_anchor"] == ["gamma"]
    assert [text for _, text in row_labels(spec)] == [
        "<b>MOGAD</b>",
        '<a href="/case/delta">delta</a>',
        "<b>NMOSD</b>",
        '<a href="/case/beta">beta</a>',
        '<a href="/case/alpha">alpha</a>',
    ]
    assert spec["layout"]["xaxis"]["title"]["text"] == "Days from start of IL-6 receptor antibody"
    notes = [note["text"] for note in spec["layout"]["annotations"]]
    assert notes == [
        "0: Start of IL-6 receptor antibody",
        "No anchor, not drawn: gamma",
        "Left out, their files have problems: broken",
    ]
    by_relapses = series_spec(il6, sort="relapses", group="none")["layout"]["meta"]["rows"]
    assert by_relapses == ["alpha", "delta", "beta"]  # 5, 2 and 1 counted attacks
    by_id = series_spec(il6, sort="id", group="none")["layout"]["meta"]["rows"]
    assert by_id == ["alpha", "beta", "delta"]
    by_after = series_spec(il6, sort="arr-after", group="none")["layout"]["meta"]["rows"]
    assert by_after == ["alpha", "delta", "beta"]  # 1.218, 1.0, 0


def test_attacks_sit_at_their_aligned_times(il6: SeriesFile) -> None:
    spec = series_spec(il6, axis="day")
    attacks = trace(spec, "Relapse (open: merged)")
    by_row = rows_of(
        spec, list(zip(attacks["x"], attacks["marker"]["symbol"], strict=True)), attacks["y"]
    )
    closed, hollow = "triangle-down", "triangle-down-open"
    assert by_row == {
        "delta": [(0, closed), (200, closed)],
        "beta": [(-270, closed)],
        "alpha": [
            (-400, closed),
            (-300, closed),
            (-280, hollow),
            (0, closed),
            (300, closed),
            (310, hollow),
            (360, closed),
        ],
    }


def test_bars_marks_and_ends_sit_at_their_aligned_times(il6: SeriesFile) -> None:
    spec = series_spec(il6, axis="month")
    month = 30.4375
    bars = bars_of(spec)
    found = rows_of(spec, list(zip(bars["base"], bars["x"], strict=True)), bars["y"])
    expected = {
        "beta": [(0, 230 / month)],
        "alpha": [(0, 600 / month), (-290 / month, 280 / month)],
    }
    assert found.keys() == expected.keys()
    for row, values in expected.items():
        flat = [number for pair in sorted(found[row]) for number in pair]
        assert flat == pytest.approx([n for pair in sorted(values) for n in pair], abs=1e-3)
    marks = trace(spec, "Given")
    assert marks["marker"]["symbol"] == "line-ns"
    given = rows_of(spec, marks["x"], marks["y"])
    assert given["delta"] == [0, pytest.approx(28 / month, abs=1e-3)]
    assert given["alpha"] == pytest.approx([-400 / month, -300 / month, 300 / month], abs=1e-3)
    ongoing = trace(spec, "Ongoing")
    assert ongoing["marker"]["symbol"] == "triangle-right"
    assert rows_of(spec, ongoing["x"], ongoing["y"]) == {
        "alpha": [pytest.approx(600 / month, abs=1e-3)]
    }
    ends = trace(spec, "End of follow-up")
    assert rows_of(spec, ends["x"], ends["y"]) == {
        "delta": [pytest.approx(365.25 / month, abs=1e-3)],
        "beta": [pytest.approx(230 / month, abs=1e-3)],
        "alpha": [pytest.approx(600 / month, abs=1e-3)],
    }


def test_hover_names_case_drug_both_times_and_dose(il6: SeriesFile) -> None:
    spec = series_spec(il6, axis="day")
    tocilizumab = next(text for text in bars_of(spec)["hover"] if "tocilizumab" in text)
    assert tocilizumab == (
        "<b>alpha</b><br>tocilizumab · IL-6 receptor antibody · 8 mg/kg<br>"
        "from day 0 from start of IL-6 receptor antibody · day 400 since onset<br>"
        "to day 600 from start of IL-6 receptor antibody · day 1000 since onset (ongoing)"
    )
    assert hover_texts(trace(spec, "Ongoing")) == [tocilizumab]
    attacks = hover_texts(trace(spec, "Relapse (open: merged)"))
    assert attacks[2] == (
        "<b>beta</b><br>optic neuritis<br>"
        "day -270 from start of IL-6 receptor antibody · day -200 since day 0"
    )
    assert attacks[5].endswith(
        "day -280 from start of IL-6 receptor antibody · day 120 since onset<br>"
        "(within the merge interval of the attack before: not counted)"
    )
    (end,) = [text for text in hover_texts(trace(spec, "End of follow-up")) if "beta" in text]
    assert end == (
        "<b>beta</b><br>End of follow-up<br>"
        "day 230 from start of IL-6 receptor antibody · day 300 since day 0"
    )


def test_class_colours_follow_the_palette_and_ignore_capitals(il6: SeriesFile) -> None:
    spec = series_spec(il6)
    legend = legend_colours(spec)
    assert list(legend) == [
        "IL-6 receptor antibody",
        "corticosteroid",
        "immunosuppressant",
        "ongoing",
    ]
    assert legend["IL-6 receptor antibody"] == "#0072b2"  # the first hue, as in one case's figure
    bars = bars_of(spec)
    satralizumab = next(i for i, t in enumerate(bars["hover"]) if "satralizumab" in t)
    assert bars["colour"][satralizumab] == "#0072b2"  # written 'IL-6 Receptor Antibody'


def test_window_and_bad_options(il6: SeriesFile) -> None:
    spec = series_spec(il6, axis="day", window=(-100, 100))
    assert spec["layout"]["xaxis"]["range"] == [-104, 104]
    with pytest.raises(ViewError, match="unknown sort 'size'"):
        series_spec(il6, sort="size")
    with pytest.raises(ViewError, match="unknown axis 'date'"):
        series_spec(il6, axis="date")


def test_a_thousand_cases_take_few_traces() -> None:
    alpha = load_case(DATA / "alpha.yaml")
    cases = {
        f"case-{n:04d}": CaseFile(f"case-{n:04d}", DATA / "alpha.yaml", alpha) for n in range(1000)
    }
    text = "title: many\nalign: {by: treatment, match: {drug: tocilizumab}}\n"
    series = Series.model_validate(
        {"title": "many", "align": {"by": "treatment", "match": {"drug": "tocilizumab"}}}
    )
    loaded = resolve("many", DATA / "many.series.yaml", series, text, FolderCases(cases))
    spec = series_spec(loaded)
    assert len(spec["data"]) <= 20
    assert len(trace(spec, "Relapse")["x"]) == 7000


def test_caption_of_the_series_view(il6: SeriesFile) -> None:
    assert series_caption(il6, compute(il6)) == (
        "Attacks before and after IL-6 receptor blockade (invented cases). One row per case, "
        "aligned at time 0: start of IL-6 receptor antibody. ▼ relapse (counted as attacks; "
        "open: less than 30 days after the previous one); | end of follow-up; ▶ treatment "
        "ongoing; bars coloured by treatment class. ARR 2.7 before vs 0.9 on treatment; "
        "3 patients, 1.8 and 3.3 patient-years. Without an anchor, not drawn: gamma. "
        "Left out (their files have problems): broken. Abbreviations: TCZ: tocilizumab "
        "8 mg/kg; mPSL: methylprednisolone; EDSS: Expanded Disability Status Scale; "
        "RTX: rituximab."
    )


def test_panels_stack_each_case_with_its_own_axis_and_letter() -> None:
    figure1 = load_series(TIMELINES / "nomura-2025-figure1.series.yaml")
    spec = panels_spec(figure1, theme="print", width=680, max_height=906)
    go.Figure(spec)
    layout = spec["layout"]
    assert layout["height"] <= 906
    assert layout["xaxis"]["title"]["text"] == "Days since MAS onset"
    assert layout["xaxis2"]["title"]["text"] == "Months since NMOSD onset"
    letters = [a["text"] for a in layout["annotations"] if a["text"].startswith("<b>(")]
    assert letters == [
        "<b>(a) Case 1 – macrophage activation syndrome with myasthenia gravis</b>",
        "<b>(b) Case 2 – NMOSD with macrophage activation syndrome</b>",
    ]
    first = {t["yaxis"] for t in spec["data"] if t["xaxis"] == "x"}
    second = {t["yaxis"] for t in spec["data"] if t["xaxis"] == "x2"}
    assert first and second and not first & second
    low_first = min(
        layout[f"yaxis{a[1:]}"]["domain"][0]
        for a in first
        if f"yaxis{a[1:]}" in layout and "domain" in layout[f"yaxis{a[1:]}"]
    )
    high_second = max(
        layout[f"yaxis{a[1:]}"]["domain"][1] for a in second if "domain" in layout[f"yaxis{a[1:]}"]
    )
    assert high_second < low_first  # panel (b) lies wholly below panel (a)
    legend = [
        (t["name"], t.get("legendgroup"))
        for t in spec["data"]
        if t.get("showlegend", True) is not False
    ]
    assert len(legend) == len(set(legend))  # one shared legend, each entry once


def test_panels_caption_joins_the_cases_like_the_paper() -> None:
    figure1 = load_series(TIMELINES / "nomura-2025-figure1.series.yaml")
    text = panels_caption(figure1)
    assert text.startswith(
        "Clinical course in Cases 1 and 2. (a) Case 1 – macrophage activation syndrome with "
        "myasthenia gravis: day 0 is MAS onset. (b) Case 2 – NMOSD with macrophage activation "
        "syndrome: day 0 is NMOSD onset. Abbreviations: "
    )
    abbreviations = text.split("Abbreviations: ", 1)[1].split(".", 1)[0]
    names = [entry.split(":")[0] for entry in abbreviations.split("; ")]
    assert len(names) == len(set(names)) and {"mPSL", "PSL", "Tac", "AZT", "EDSS"} <= set(names)
    assert text.count("Adapted from:") == 1


@pytest.mark.parametrize("path", SERIES_FILES, ids=lambda p: p.name)
def test_seed_series_build_in_both_views(path: Path) -> None:
    loaded = load_series(path)
    assert loaded.invalid == ()
    go.Figure(series_spec(loaded))
    go.Figure(panels_spec(loaded))


def test_il6_seed_series_aligns_the_three_seed_cases() -> None:
    loaded = load_series(TIMELINES / "il6-receptor-blockade.series.yaml")
    spec = series_spec(loaded, axis="day")
    # sort: anchor, and the anchors lie on days 14, 545 and 1023 of the three cases
    assert spec["layout"]["meta"]["rows"] == [
        "nomura-2025-case1",
        "nomura-2025-case2",
        "lauenstein-2014",
    ]
    outcomes = compute(loaded)
    assert {row.case: row.anchor for row in outcomes.rows} == {
        "lauenstein-2014": 1023,
        "nomura-2025-case1": 14,
        "nomura-2025-case2": 545,
    }


def treatment_colours(spec: dict[str, Any]) -> list[dict[str, str]]:
    """Each panel's treatment rows, label -> the colour its bar is filled with."""
    panels = []
    for bars in (t for t in spec["data"] if t.get("name") == "Treatment"):
        axis = spec["layout"]["yaxis" + bars["yaxis"][1:]]
        gradient = bars["fillgradient"]
        colours = {}
        for value, label in zip(axis["tickvals"], axis["ticktext"], strict=True):
            at = value / gradient["stop"]
            scale = gradient["colorscale"]
            colours[label] = next(
                colour
                for (low, colour), (high, _) in zip(scale[::2], scale[1::2], strict=True)
                if low <= at <= high
            )
        panels.append(colours)
    return panels


def test_a_class_has_one_colour_in_every_panel_and_in_the_series_view(tmp_path: Path) -> None:
    (tmp_path / "first.yaml").write_text(
        "title: First\ntreatments:\n"
        "  - {drug: azathioprine, class: immunosuppressant, start: day 0, end: day 100}\n"
        "  - {drug: tocilizumab, class: IL-6 receptor antibody, start: day 200, end: day 300}\n",
        encoding="utf-8",
    )
    (tmp_path / "second.yaml").write_text(
        "title: Second\ntreatments:\n"
        "  - {drug: tocilizumab, class: IL-6 receptor antibody, start: day 0, end: day 90}\n",
        encoding="utf-8",
    )
    (tmp_path / "both.series.yaml").write_text(
        "title: Both\ncases: [first, second]\npanels: [first, second]\n"
        "align: {by: treatment, match: {class: IL-6 receptor antibody}}\n",
        encoding="utf-8",
    )
    both = load_series(tmp_path / "both.series.yaml")
    first, second = treatment_colours(panels_spec(both))
    # azathioprine comes first in panel (a); tocilizumab alone would take the first hue in (b)
    assert first == {"azathioprine": "#0072b2", "tocilizumab": "#d55e00"}
    assert second == {"tocilizumab": "#d55e00"}
    legend = legend_colours(series_spec(both))
    assert legend == {"immunosuppressant": "#0072b2", "IL-6 receptor antibody": "#d55e00"}


def test_the_number_of_traces_does_not_grow_with_the_cases(tmp_path: Path) -> None:
    few = series_spec(load_series(write_series(tmp_path / "few", 10)))
    many = series_spec(load_series(write_series(tmp_path / "many", 200)))
    assert [t["name"] for t in few["data"]] == [t["name"] for t in many["data"]]
    assert len(many["data"]) <= 20
    assert len(trace(many, "Relapse")["x"]) == 400
    # no shape or annotation per case: the zero line, its label, and nothing per row
    assert len(many["layout"]["shapes"]) == len(few["layout"]["shapes"]) == 1
    assert len(many["layout"]["annotations"]) == len(few["layout"]["annotations"]) == 1
    assert "ticktext" not in many["layout"]["yaxis"]


def test_every_attack_and_treatment_of_every_case_is_at_its_aligned_time(tmp_path: Path) -> None:
    loaded = load_series(write_series(tmp_path / "cases", 60))
    spec = series_spec(loaded, axis="day", link=lambda case: f"/case/{case}")
    assert len(row_labels(spec)) == 60  # every row named, and linked
    assert all(text.startswith('<a href="/case/case-') for _, text in row_labels(spec))
    attacks = trace(spec, "Relapse")
    found_attacks = rows_of(spec, attacks["x"], attacks["y"])
    bars = bars_of(spec)
    found_bars = rows_of(spec, list(zip(bars["base"], bars["x"], strict=True)), bars["y"])
    given = trace(spec, "Given")
    found_given = rows_of(spec, given["x"], given["y"])
    ongoing = trace(spec, "Ongoing")
    found_ongoing = rows_of(spec, ongoing["x"], ongoing["y"])
    ends = trace(spec, "End of follow-up")
    found_ends = rows_of(spec, ends["x"], ends["y"])
    for item in loaded.cases:
        n, anchor = int(item.id[-3:]), 200 + int(item.id[-3:])
        assert sorted(found_attacks[item.id]) == [50 + n % 7 - anchor, 300 + n - anchor]
        assert sorted(found_bars[item.id]) == [
            (n % 9 - anchor, 100 + n - n % 9),
            (0, 500 + n - anchor),
        ]
        assert sorted(found_given[item.id]) == [10 - anchor, 150 + n - anchor]
        assert found_ongoing[item.id] == [500 + n - anchor]
        assert found_ends[item.id] == [500 + n - anchor]


def test_every_hover_names_case_drug_both_times_and_dose(tmp_path: Path) -> None:
    loaded = load_series(write_series(tmp_path / "cases", 12))
    spec = series_spec(loaded, axis="week")
    anchor = "from start of tocilizumab"
    bars = bars_of(spec)["hover"]
    assert len(bars) == 24
    for text in bars:
        case, drug, start, end = text.split("<br>")
        assert re.fullmatch(r"<b>case-\d{3}</b>", case)
        assert drug in (
            "azathioprine · immunosuppressant · 100 mg/day",
            "tocilizumab · IL-6 receptor antibody · 8 mg/kg",
        )
        assert re.fullmatch(rf"from day -?\d+ {anchor} · day \d+ since onset", start)
        assert re.fullmatch(rf"to day -?\d+ {anchor} · day \d+ since onset( \(ongoing\))?", end)
    assert (
        "<b>case-011</b><br>tocilizumab · IL-6 receptor antibody · 8 mg/kg<br>"
        + (
            f"from day 0 {anchor} · day 211 since onset<br>"
            f"to day 300 {anchor} · day 511 since onset (ongoing)"
        )
        in bars
    )
    given = hover_texts(trace(spec, "Given"))
    assert (
        "<b>case-003</b><br>methylprednisolone · corticosteroid · 1000 mg<br>"
        f"day -50 {anchor} · day 153 since onset"
    ) in given
    attacks = hover_texts(trace(spec, "Relapse"))
    assert f"<b>case-004</b><br>myelitis<br>day 100 {anchor} · day 304 since onset" in attacks


@pytest.mark.parametrize(
    ("rows", "height", "max_height", "every"),
    [
        (3, None, None, 1),  # on screen as tall as the rows
        (1000, None, None, 2),  # on screen too, names never overlap
        (30, None, 449, 1),  # a column: taller than 1.4x its width rather than illegible
        (300, None, 449, 5),  # past 240 mm: thinner rows, every 5th named
        (300, 1080, None, 4),  # a height given is kept
    ],
)
def test_rows_fit_the_height_and_their_labels_never_overlap(
    rows: int, height: int | None, max_height: int | None, every: int
) -> None:
    look = get_theme("print")
    fit = fit_rows(rows, look, fixed=150, height=height, max_height=max_height, ceiling=906)
    assert fit.every == every
    assert fit.squeezed == (every > 1)
    if height is None and max_height is None:  # on screen: as tall as the rows
        assert fit.height == pytest.approx(rows * fit.pitch + 150)
    else:
        assert fit.height <= (height or 906)
    if max_height is not None:
        assert fit.height == min(max(max_height, rows * fit.legible + 150), 906)
    labelled = fit.pitch * fit.every
    assert labelled >= fit.legible * 0.999  # the labels' lines never overlap
    assert fit.pitch * (fit.every - 1) < fit.legible  # and none is left out without need


def test_a_journal_column_keeps_the_axis_title_and_time_0_inside(il6: SeriesFile) -> None:
    """The time axis' title is measured in its font and broken onto a second line only when
    one line would run past the plot; every line fits inside the column's width."""
    column = series_spec(il6, theme="print", width=321)["layout"]
    look = get_theme("print")
    title = column["xaxis"]["title"]["text"]
    assert title.replace("<br>", " ") == "Months from start of IL-6 receptor antibody"
    room = 321 - column["margin"]["l"] - column["margin"]["r"]
    assert all(look.measure(line, look.x_title) <= room for line in title.split("<br>"))
    narrower = series_spec(il6, theme="print", width=250)["layout"]["xaxis"]["title"]["text"]
    assert "<br>" in narrower, "at 250 px the title no longer fits on one line"
    zero = column["annotations"][0]
    assert zero["text"] == "0: Start of IL-6 receptor antibody"
    low, high = column["xaxis"]["range"]
    assert -low / (high - low) < 0.5  # time 0 lies left of the middle: moved rightwards
    start, end = anchor_note_px(column, look)
    assert start >= 0 and end <= 321
    wide = series_spec(il6, theme="print", width=1200)["layout"]
    assert "<br>" not in wide["xaxis"]["title"]["text"]
    assert wide["annotations"][0]["xshift"] == 0  # room enough: centred on time 0


def anchor_note_px(layout: dict[str, Any], look: Any) -> tuple[float, float]:
    """Where the anchor's name over time 0 starts and ends, px from the figure's left edge."""
    note = layout["annotations"][0]
    low, high = layout["xaxis"]["range"]
    margin = layout["margin"]
    plot = layout["width"] - margin["l"] - margin["r"]
    centre = margin["l"] + -low / (high - low) * plot + note["xshift"]
    half = max(text_width(line, note["font"]["size"]) for line in lines_of(note["text"])) / 2
    return centre - half, centre + half


def test_panels_that_cannot_fit_a_page_grow_instead_of_stacking_over_each_other(
    tmp_path: Path,
) -> None:
    """Seven dense cases at page size: squeezed into 240 mm the panels lay over each other,
    their ticks piled on one axis; now the figure grows and says by how much."""
    dense = (ROOT / "tests" / "data" / "realistic" / "aosd-mas.yaml").read_text("utf-8")
    names = [f"case-{n}" for n in range(7)]
    for name in names:
        (tmp_path / f"{name}.yaml").write_text(dense, encoding="utf-8")
    path = tmp_path / "all.series.yaml"
    path.write_text(f"title: Seven\ncases: {names}\npanels: {names}\n", encoding="utf-8")
    spec = panels_spec(load_series(path), theme="print", width=680, max_height=906)
    layout = spec["layout"]
    assert layout["height"] > 906 and layout["meta"]["needs_px"] == layout["height"]
    spans = []  # each panel's y domains, from the top panel down
    for index in range(7):
        x = "x" if index == 0 else f"x{index + 1}"
        axes = {t["yaxis"] for t in spec["data"] if t["xaxis"] == x}
        domains = [layout[f"yaxis{a[1:]}"]["domain"] for a in axes]
        spans.append((min(low for low, _ in domains), max(high for _, high in domains)))
    assert all(0 <= low < high <= 1 for low, high in spans)
    assert all(below[1] < above[0] for above, below in itertools.pairwise(spans))


@pytest.mark.parametrize(
    "path",
    [*SERIES_FILES, *sorted((ROOT / "tests" / "data" / "realistic-series").glob("*.series.yaml"))],
    ids=lambda path: path.stem,
)
def test_a_column_series_legend_takes_at_most_a_quarter_of_the_height(path: Path) -> None:
    """In a journal column the legend goes under the plot in columns; the rows take enough
    height that the legend is at most a quarter of the figure, as far as 1.4x the width
    allows (a legend of a dozen long names in two columns may need more)."""
    layout = series_spec(load_series(path), theme="print", width=322, max_height=450)["layout"]
    legend = layout["legend"]
    assert legend["orientation"] == "h", "under the plot"
    reserved = legend["maxheight"] - 4  # the height its entries were measured to take
    assert reserved <= 0.25 * layout["height"] + 1 or layout["height"] >= 450 - 1
    assert layout["height"] <= 450 + 1
