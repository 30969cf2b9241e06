"""Nothing a file gives is lost from its figure: every label and dose is drawn beside its
mark or bar, or listed in the key under the figure; marks are sized from the type; a column
figure's legend stays small; a height too low for the course says so."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

from dashboard.figure import FigureWarning, build_figure
from dashboard.figure.key import key_mark
from dashboard.figure.themes import cap_height, extent, get_theme
from dashboard.load import load_case
from dashboard.model import Case, format_number
from dashboard.series.load import load_series
from dashboard.series.panels import panels_spec
from tests.conftest import CASE_FILES
from tests.test_figure import make

GERMAN: dict[str, Any] = {
    "title": "MOG-Antikörper-assoziierte Erkrankung – rezidivierende Optikusneuritis",
    "day0": {"label": "Erstmanifestation", "date": "2021-03-08"},
    "treatments": [
        {
            "drug": "Methylprednisolon-Stoßtherapie",
            "abbr": "MP-Stoß",
            "dose": "30 mg/kg/Tag über 5 Tage",
            "given": ["day 1", "day 224", "day 420"],
        },
        {
            "drug": "Prednisolon",
            "unit": "mg/Tag",
            "doses": [
                {"at": f"day {6 + 14 * n}", "dose": dose}
                for n, dose in enumerate([40, 30, 25, 20, 15, 10, 7.5, 5, 2.5])
            ],
            "end": "day 160",
        },
        {"drug": "Azathioprin", "dose": "~2 mg/kg/Tag", "start": "day 250", "end": "day 410"},
    ],
    "events": [
        {"at": "day 0", "kind": "onset", "label": "Fieber und Kopfschmerzen"},
        {"at": "day 1", "kind": "relapse", "label": "Akute disseminierte Enzephalomyelitis"},
        {"at": "day 1", "kind": "imaging", "label": "Schädel-MRT"},
        {"at": "day 4", "kind": "lab", "label": "MOG-IgG positiv (1:1280)"},
        {"at": "day 4", "kind": "procedure", "label": "Lumbalpunktion"},
        {"at": "day 25", "kind": "discharge", "label": "Entlassung nach Hause"},
        {"at": "day 222", "kind": "relapse", "label": "Optikusneuritis rechts"},
        {"at": "day 223", "kind": "admission", "label": "Stationäre Aufnahme"},
        {"at": "day 417", "kind": "relapse", "label": "Querschnittsmyelitis"},
        {"at": "day 408", "kind": "adverse-event", "label": "Leukopenie unter Azathioprin"},
    ],
    "periods": [
        {"from": "day 0", "to": "day 25", "label": "Erster stationärer Aufenthalt"},
        {"from": "day 223", "to": "day 239", "label": "Zweiter Aufenthalt"},
    ],
    "measurements": [
        {"name": "EDSS", "values": {"day 1": 6.5, "day 25": 3, "day 222": 3.5, "day 417": 7.5}}
    ],
}
JAPANESE: dict[str, Any] = {
    "title": "マクロファージ活性化症候群を合併した成人発症スチル病の一例",
    "day0": {"label": "入院", "date": "2024-01-15"},
    "treatments": [
        {
            "drug": "メチルプレドニゾロン・パルス療法",
            "abbr": "mPSL パルス",
            "dose": "1000 mg/日 ×3日",
            "given": ["day 2", "day 10"],
        },
        {
            "drug": "プレドニゾロン",
            "abbr": "PSL",
            "unit": "mg/日",
            "doses": [
                {"at": "day 5", "dose": 50},
                {"at": "day 13", "dose": 60},
                {"at": "day 28", "dose": 50},
                {"at": "day 38", "dose": 40},
                {"at": "day 49", "dose": 35},
            ],
            "end": "day 60",
        },
        {
            "drug": "シクロスポリン",
            "dose": "3 mg/kg/日（トラフ 150–200 ng/mL）",
            "start": 9,
            "end": 60,
        },
        {
            "drug": "免疫グロブリン大量療法",
            "abbr": "IVIG",
            "dose": "0.4 g/kg/日 ×5日",
            "start": 9,
            "end": 13,
        },
    ],
    "events": [
        {"at": "day -7", "kind": "onset", "label": "発熱・皮疹・咽頭痛"},
        {"at": "day 0", "kind": "admission", "label": "入院"},
        {"at": "day 1", "kind": "imaging", "label": "造影CT"},
        {"at": "day 2", "kind": "diagnosis", "label": "成人発症スチル病（山口基準）"},
        {"at": "day 8", "kind": "procedure", "label": "骨髄穿刺"},
        {"at": "day 9", "kind": "diagnosis", "label": "MAS 発症"},
        {"at": "day 10", "kind": "symptom", "label": "意識障害"},
        {"at": "day 24", "kind": "adverse-event", "label": "CMV 再活性化"},
        {"at": "day 58", "kind": "discharge", "label": "退院"},
    ],
    "measurements": [
        {"name": "体温", "unit": "℃", "values": {f"day {d}": 36.5 + (d % 5) for d in range(30)}}
    ],
}
SIZES: dict[str, dict[str, Any]] = {
    "column": {"theme": "print", "width": 322, "max_height": 453, "ceiling": 907},
    "page": {"theme": "print", "width": 661},
    "slide": {"theme": "slides"},
    "screen": {},
}
CASES = {"german": GERMAN, "japanese": JAPANESE}


def _case(name: str) -> Case:
    return make(**CASES[name])


def _texts(case: Case) -> dict[str, str]:
    """Every label and dose text the file gives, by the ref of its item."""
    texts = {f"events[{i}]": e.label for i, e in enumerate(case.events) if e.label}
    texts |= {f"periods[{i}]": p.label for i, p in enumerate(case.periods) if p.label}
    for i, item in enumerate(case.treatments):
        if item.dose:
            texts[f"treatments[{i}]"] = item.dose
        for n, step in enumerate(item.doses or ()):
            texts[f"treatments[{i}].doses[{n}]"] = format_number(step.dose)
    return texts


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", CASES)
def test_every_label_and_dose_is_beside_its_mark_or_in_the_key(name: str, size: str) -> None:
    """Each event label, period label, dose and taper step of the file is drawn beside its
    mark or bar (listed in meta["labels"]) or written out in full in the key, where its
    mark stands beside the item; no text is shortened with an ellipsis."""
    case = _case(name)
    figure = build_figure(case, **SIZES[size])
    meta = figure.layout.meta
    drawn = {entry["ref"]: entry["text"] for entry in meta["labels"]}
    keyed = {entry["ref"]: entry for entry in meta["key"]}
    notes = [figure.layout.title.text or ""] + [note.text for note in figure.layout.annotations]
    key_text = "<br>".join(notes)
    for ref, text in _texts(case).items():
        step = ref.rsplit(".", 1)[0] + ".doses" if ".doses[" in ref else None
        if ref in drawn:
            assert text in drawn[ref], f"{ref}: {drawn[ref]!r} is not {text!r}"
        elif step in keyed:  # a taper's schedule in the key lists every step's dose
            assert text in keyed[step]["text"].split(": ", 1)[1], ref
        else:
            assert ref in keyed, f"{ref} ({text!r}) is neither drawn nor in the key"
            assert text in keyed[ref]["text"]
    for entry in meta["key"]:
        assert f"{entry['mark']} " in " ".join(key_text.split("<br>")), "each entry listed"
        shown = [t for trace in figure.data for t in (trace.text or ()) if isinstance(t, str)]
        assert any(entry["mark"] in t for t in shown), f"{entry['mark']} beside its item"
    everything = json_text(figure)
    assert "…" not in everything, "no label is shortened"


def json_text(figure: Any) -> str:
    import json

    return json.dumps(figure.to_plotly_json(), ensure_ascii=False)


def test_a_taper_shows_its_peak_dose() -> None:
    """The highest dose of a taper (60 mg/日 after 50) appears beside its step or in the key."""
    case = _case("japanese")
    for size in SIZES.values():
        meta = build_figure(case, **size).layout.meta
        texts = [e["text"] for e in meta["labels"] if e["ref"].startswith("treatments[1]")]
        texts += [e["text"] for e in meta["key"] if e["ref"].startswith("treatments[1]")]
        assert any("60" in text for text in texts), size


def test_keyed_sends_a_label_to_the_key_even_where_it_fits() -> None:
    """FigureOptions.keyed names labels, by ref, that go to the key whatever the layout
    thought; meta["labels"] traces each drawn text back to its item."""
    case = make(
        events=[{"at": "day 0", "kind": "relapse", "label": "optic neuritis"}],
        treatments=[{"drug": "AZA", "dose": "100 mg/day", "start": 0, "end": 300}],
        periods=[{"from": 100, "to": 200, "label": "admitted"}],
    )
    plain = build_figure(case).layout.meta
    assert {"ref": "events[0]", "text": "optic neuritis"} in plain["labels"]
    assert {"ref": "treatments[0]", "text": "100 mg/day"} in plain["labels"]
    assert {"ref": "periods[0]", "text": "admitted"} in plain["labels"]
    assert plain["key"] == []
    keyed = build_figure(case, keyed={"events[0]", "treatments[0]"}).layout
    refs = [entry["ref"] for entry in keyed.meta["key"]]
    assert refs == ["events[0]", "treatments[0]"]
    assert keyed.meta["key"][0] == {"ref": "events[0]", "mark": "①", "text": "optic neuritis"}
    assert [e["ref"] for e in keyed.meta["labels"]] == ["periods[0]"]
    assert "① optic neuritis" in keyed.annotations[-1].text, "the key under the figure"


def test_key_marks_count_past_twenty_and_fifty() -> None:
    """The key numbers ① to ⑳, then ㉑ to ㊿, then (51)."""
    assert [key_mark(n) for n in (1, 20, 21, 35, 36, 50, 51)] == [
        "①",
        "⑳",
        "㉑",
        "㉟",
        "㊱",
        "㊿",
        "(51)",
    ]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", CASES)
def test_no_mark_is_taller_than_twice_the_cap_height(name: str, size: str) -> None:
    """Marks are sized from the type: none is drawn taller or wider than about twice the cap
    height of the labels beside it."""
    look = get_theme(SIZES[size].get("theme", "screen"))
    most = 2 * cap_height() * look.text_px(0.85) + 0.5
    for trace in build_figure(_case(name), **SIZES[size]).data:
        marker = trace.marker
        if marker is None or marker.size is None or "markers" not in (trace.mode or ""):
            continue
        if trace.marker.opacity == 0 or trace.marker.symbol in ("line-ns", None):
            continue
        symbols = marker.symbol if isinstance(marker.symbol, tuple) else [marker.symbol]
        for symbol in symbols:
            if symbol.startswith("line"):
                continue
            assert marker.size * extent(symbol) <= most, f"{trace.name}: {symbol}"


@pytest.mark.parametrize("count", [4, 8])
def test_marks_of_one_row_on_nearby_days_are_staggered_not_stacked(count: int) -> None:
    """Marks of the merged Events row that would lie on top of each other sit on lanes of
    their own: no two drawn marks of a row overlap (up to eight lanes, eight events in the
    same week of a course of years in a journal column)."""
    kinds = ["imaging", "lab", "procedure", "note"]
    events = [{"at": f"day {d}", "kind": kinds[d % 4], "label": "x"} for d in range(count)]
    if count > 4:  # twice as many, one kind to a row, in a course years long
        events = [{"at": f"day {d}", "kind": "imaging", "label": "x"} for d in range(count)]
        events.append({"at": "day 900", "kind": "imaging"})
    figure = build_figure(make(events=events), theme="print", width=322, height=200)
    assert isinstance(figure.layout.meta["panels"], list)
    spots = [(x, y) for trace in figure.data for x, y in zip(trace.x, trace.y, strict=True)]
    t = figure.layout.xaxis.range
    px_per_x = 250 / (t[1] - t[0])
    axis = figure.layout.yaxis
    px_per_y = 200 / (axis.range[1] - axis.range[0])
    for (x1, y1), (x2, y2) in itertools.combinations(spots, 2):
        apart = max(abs(x1 - x2) * px_per_x, abs(y1 - y2) * px_per_y)
        assert apart >= 8, f"marks at {x1},{y1} and {x2},{y2} overlap"


@pytest.mark.parametrize("name", CASES)
def test_a_column_legend_takes_at_most_a_quarter_of_the_height(name: str) -> None:
    """A column figure's legend, its lines times their height, takes at most a quarter of
    the figure's height."""
    figure = build_figure(_case(name), **SIZES["column"])
    entries = sum(trace.showlegend is not False for trace in figure.data)
    columns = round(1 / figure.layout.legend.entrywidth)
    lines = -(-entries // columns)
    line = get_theme("print").text_px(0.85) * 2.05
    assert lines * line <= 0.25 * figure.layout.height


def test_white_dose_text_only_on_a_bar_as_thick_as_the_text() -> None:
    """A dose is written white on its bar only where the bar is as thick as the text; on a
    thinner bar it is written beside it in ink."""
    items = [{"drug": f"D{n}", "dose": "1 g", "start": 0, "end": 300} for n in range(12)]
    case = make(treatments=items)
    for height in (None, 260.0):
        figure = build_figure(case, theme="print", width=661, height=height)
        doses = next(trace for trace in figure.data if trace.name == "Doses")
        colours = doses.textfont.color
        colours = colours if isinstance(colours, tuple) else [colours] * len(doses.text)
        look = get_theme("print")
        rows = figure.layout.yaxis  # the only panel: the treatments
        rows_px = figure.layout.meta["plot_px"] * (rows.domain[1] - rows.domain[0]) / 12
        for colour in colours:
            if colour.lower() == "#ffffff":
                assert 0.6 * rows_px >= look.text_px(0.85) * 1.1, f"white on a thin bar ({height})"


def test_a_height_too_low_for_the_rows_says_which_height_would_fit() -> None:
    """A figure asked to be lower than its rows and panels can be drawn keeps the size and
    draws everything smaller alike: every row keeps its name, no two names run into each
    other, and the warning names the case, the height that would fit at full size and the
    type size it came down to."""
    case = load_case(next(path for path in CASE_FILES if path.stem == "nomura-2025-case2"))
    with pytest.warns(FigureWarning, match=r"150 px is too low for its \d+ rows") as caught:
        figure = build_figure(case, theme="print", width=661, height=150)
    message = str(caught[0].message)
    assert case.title in message
    need = int(message.split("; ")[1].split(" px")[0])
    assert figure.layout.height == 150 < need
    drawn_at = float(message.split("drawn at ")[1].split(" px")[0])
    assert drawn_at < get_theme("print").text_px(0.85), "the type it came down to is said"
    assert all(figure.layout.yaxis3.ticktext), "squeezed, every row is still named"
    for name in (key for key in figure.layout if key.startswith("yaxis")):
        axis = figure.layout[name]
        if not axis.ticktext:
            continue
        px = figure.layout.meta["plot_px"] * (axis.domain[1] - axis.domain[0])
        per_unit = px / abs(axis.range[1] - axis.range[0])
        named = sorted(y for y, text in zip(axis.tickvals, axis.ticktext, strict=True) if text)
        for a, b in itertools.pairwise(named):
            assert (b - a) * per_unit >= axis.tickfont.size, f"{name}: names run together"


def test_a_height_that_holds_the_course_says_nothing() -> None:
    """Without a size too low, no warning (pytest turns any warning into an error)."""
    case = load_case(next(path for path in CASE_FILES if path.stem == "nomura-2025-case2"))
    build_figure(case, theme="print", width=661, height=900)


@pytest.mark.parametrize("width", [322, 1200])
def test_a_series_panel_lists_its_cases_key_under_it(tmp_path: Path, width: int) -> None:
    """In the panels view of a series, each case's keyed labels are listed under its own
    panel, between its time axis and the next panel's label, none lost and none on a plot."""
    for name, case in CASES.items():
        text = yaml.safe_dump(case, allow_unicode=True, sort_keys=False)
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    path = tmp_path / "both.series.yaml"
    path.write_text("title: Both\ncases: [german, japanese]\npanels: [german, japanese]\n")
    spec = panels_spec(load_series(path), theme="print", width=width)
    notes = [note for note in spec["layout"]["annotations"] if note.get("name") == "key"]
    single = [build_figure(_case(name), theme="print", width=width) for name in CASES]
    assert len(notes) == sum(1 for figure in single if figure.layout.meta["key"])
    listed = " ".join(note["text"] for note in notes)
    for figure in single:
        for entry in figure.layout.meta["key"]:
            assert f"{entry['mark']} " in listed
    lowest = {
        name: min(axis["domain"][0] for key, axis in spec["layout"].items() if key == name)
        for name in spec["layout"]
        if name.startswith("yaxis")
    }
    for note in notes:
        assert all(note["y"] <= low or note["y"] > low + 0.02 for low in lowest.values())
