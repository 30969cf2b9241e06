"""What Chromium drew is read back before a file is written: a figure whose plot came out
narrower or lower than the layout assumed is laid out again; labels that overlap, are cut
at the edge or hide a mark are sent to the key and the figure drawn again; what is still
wrong is said once, naming the figure and the texts, with the last layout's warnings."""

from __future__ import annotations

import re
import warnings

import pytest

from dashboard.export.drawn import Drawn, Text, check, to_key
from dashboard.export.images import (
    ImageRenderer,
    Room,
    _room,
    image_drawing,
    image_figure,
    parse_size,
)
from dashboard.load import load_case
from dashboard.problems import FigureWarning
from tests.conftest import ROOT, TIMELINES
from tests.test_figure import make

HELD_OUT = ROOT / "tests" / "data" / "realistic" / "held-out"
REALISTIC = ROOT / "tests" / "data" / "realistic"


def _text(text: str, x0: float, y0: float, x1: float, y1: float) -> Text:
    return Text(text, (x0, y0, x1, y1), 11.0)


def test_boxes_sharing_more_than_a_pixel_each_way_overlap_and_touching_ones_do_not() -> None:
    """Two labels overlap when their boxes share more than 1 px across and down; boxes that
    only touch, or share 1 px, are apart."""
    drawn = Drawn(
        200,
        100,
        [
            _text("a", 0, 0, 50, 12),
            _text("b", 48, 10, 90, 22),  # 2 px across, 2 px down: overlaps a
            _text("c", 90, 0, 120, 12),  # touches b's right edge only
            _text("d", 121, 11, 150, 23),  # shares 1 px down with c: apart
        ],
    )
    assert check(drawn).overlaps == (("a", "b"),)


def test_a_text_past_the_edge_is_cut_and_a_text_hiding_a_mark_is_over_it() -> None:
    """A box reaching more than 1 px past the figure is cut off; a text covering over 30 %
    of a mark's box hides it; a text grazing a mark does not."""
    drawn = Drawn(
        200,
        100,
        [_text("edge", 180, 10, 203, 22), _text("on", 10, 40, 40, 52), _text("by", 60, 40, 90, 52)],
        marks=[(20, 38, 32, 50), (88, 40, 100, 52)],
    )
    problems = check(drawn)
    assert problems.cut == ("edge",)
    assert problems.over_marks == ("on",)
    assert "cut off at the edge: 'edge'" in problems.describe()


def _overlapping(texts: tuple[str, str]) -> dict[str, object]:
    return {
        "data": [],
        "layout": {
            "width": 400,
            "height": 200,
            "meta": {"case_title": "Two labels on one spot"},
            "annotations": [
                {
                    "text": text,
                    "x": 0.5,
                    "y": 0.5,
                    "xref": "paper",
                    "yref": "paper",
                    "showarrow": False,
                }
                for text in texts
            ],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
        },
    }


def test_an_image_with_overlapping_texts_is_written_with_a_warning_naming_them() -> None:
    """The renderer reads the drawn texts back: two labels on one spot give a FigureWarning
    that names the figure and both texts; the image is still made."""
    with ImageRenderer(tabs=1) as renderer, pytest.warns(FigureWarning) as caught:
        png = renderer.image(
            _overlapping(("optic neuritis", "myelitis")), "png", parse_size("400x200")
        )
    assert png.startswith(b"\x89PNG")
    message = str(caught[0].message)
    assert "'Two labels on one spot'" in message
    assert "'optic neuritis' and 'myelitis'" in message


def test_room_the_browser_needed_is_what_the_next_layout_reserves() -> None:
    """When plotly pushed a margin past what was reserved, or drew the plot narrower than
    assumed, the next layout is asked for exactly that room; otherwise none."""
    spec = {"layout": {"margin": {"t": 20, "b": 40}, "meta": {"plot_width": 600.0}}}
    fine = Drawn(800, 500, plot={"t": 20, "b": 40, "w": 600.4, "h": 400, "l": 80, "r": 120})
    assert _room(spec, fine, Room()) is None
    pushed = Drawn(800, 500, plot={"t": 20, "b": 51.2, "w": 540, "h": 400, "l": 80, "r": 180})
    assert _room(spec, pushed, Room((0.0, 3.0))) == Room((0.0, 15.0), 540)


def test_a_label_placed_for_an_assumed_width_is_laid_out_again_for_the_drawn_one() -> None:
    """On a slide the legend beside the plot leaves it narrower than the layout first
    assumes; 'optic neuritis' then ran into the next relapse. Laid out again with the width
    as drawn, the slide has no overlapping or hidden text."""
    case = load_case(TIMELINES / "nomura-2025-case2.yaml")
    size = parse_size("slide")
    with ImageRenderer(tabs=1) as renderer:
        renderer.image(image_drawing(case, size), "svg", size)  # any FigureWarning fails


@pytest.mark.parametrize("stem", ["labs-dense", "mog-kind-de"])
def test_a_course_too_dense_for_a_slide_is_drawn_smaller_not_run_together(stem: str) -> None:
    """A course with more rows and panels than a 1080-px slide holds at its type (13
    treatment rows and 10 lab panels; a German case with a two-line title) keeps the slide's
    size and is drawn smaller alike: every row keeps its name, and Chromium finds no text
    overlapping, cut or over a mark; the only warning says the size and the type it took."""
    case = load_case(HELD_OUT / f"{stem}.yaml")
    size = parse_size("slide")
    with ImageRenderer(tabs=1) as renderer, pytest.warns(FigureWarning) as caught:
        renderer.image(image_drawing(case, size), "svg", size)
        figure = image_figure(case, size)
    messages = {str(warning.message) for warning in caught}
    assert all("is too low for its" in m and "type is drawn at" in m for m in messages), messages
    for name in (key for key in figure.layout if key.startswith("yaxis")):
        assert all(figure.layout[name].ticktext or ["named"]), f"{name}: a row left unnamed"


def _label(text: str, x0: float, y0: float, x1: float, y1: float, role: str = "textpoint") -> Text:
    return Text(text, (x0, y0, x1, y1), 11.0, role)


def test_labels_drawn_wrong_are_traced_back_to_their_items() -> None:
    """Of two labels that overlap the wider goes to the key; a label over a tick label, one
    cut at the edge and one hiding a mark go; a tick label reading like a dose ("30") is no
    label, and a key mark (①) is traced to nothing."""
    drawn = Drawn(
        300,
        100,
        [
            _label("optic neuritis", 0, 0, 80, 12),
            _label("MRI", 70, 2, 95, 14),  # overlaps the wider "optic neuritis"
            _label("30", 120, 0, 135, 12, role="ytick"),
            _label("myelitis", 130, 2, 180, 14),  # over the tick label
            _label("20", 200, 40, 215, 52, role="ytick"),
            _label("①", 205, 42, 215, 54),  # a key mark over a tick label: nothing to send
            _label("40 mg/day", 280, 60, 330, 72),  # past the right edge
            _label("discharged", 10, 80, 70, 92),  # over a mark
            _label("30", 100, 80, 112, 92),  # a dose drawn well clear of everything
        ],
        marks=[(20, 80, 32, 92)],
    )
    labels = [
        {"ref": "events[0]", "text": "optic neuritis"},
        {"ref": "events[1]", "text": "MRI"},
        {"ref": "events[2]", "text": "myelitis"},
        {"ref": "treatments[1].doses[0]", "text": "40 mg/day"},
        {"ref": "events[3]", "text": "discharged"},
        {"ref": "treatments[1].doses[1]", "text": "30"},
    ]
    assert to_key(drawn, labels) == {
        "events[0]",
        "events[2]",
        "treatments[1].doses[0]",
        "events[3]",
    }


# Two doses written above their bars: at 55 mm high a column's rows are thinner than the
# text, so the prednisone dose reaches up into the row of the pulse's dose.
CROWDED = {
    "title": "Optic neuritis with crowded early weeks",
    "day0": {"label": "onset"},
    "treatments": [
        {
            "drug": "methylprednisolone",
            "abbr": "IVMP",
            "dose": "1 g/day × 5",
            "given": ["day 1", "day 60"],
        },
        {
            "drug": "prednisone",
            "abbr": "PDN",
            "unit": "mg/day",
            "doses": [
                {"at": "day 6", "dose": 60},
                {"at": "day 20", "dose": 40},
                {"at": "day 34", "dose": 20},
            ],
            "end": "day 50",
        },
    ],
    "events": [
        {"at": "day 0", "kind": "onset", "label": "blurred vision in the right eye"},
        {"at": "day 1", "kind": "imaging", "label": "orbital MRI with enhancement"},
        {"at": "day 2", "kind": "lab", "label": "MOG-IgG positive (1:640)"},
        {"at": "day 3", "kind": "admission", "label": "admitted to the neurology ward"},
        {"at": "day 12", "kind": "discharge", "label": "discharged home"},
        {"at": "day 58", "kind": "relapse", "label": "left optic neuritis"},
    ],
}


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_labels_that_collide_when_drawn_go_to_the_key_and_the_figure_is_drawn_again() -> None:
    """A column figure whose dose labels the browser drew over each other is laid out again
    with the colliding label in the key: the image written has no overlapping, cut or
    hidden text and says nothing, and every label and dose is drawn, beside its mark or in
    the key."""
    case = make(**CROWDED)
    size = parse_size("column", height_mm=55)
    with ImageRenderer(tabs=1) as renderer:
        with pytest.warns(FigureWarning, match="texts overlap"):  # drawn once, as laid out
            first = renderer.drawn_image(image_drawing(case, size).figure, "svg", size)
        assert ("1 g/day × 5", "60 mg/day") in check(first.drawn).overlaps, "the case collides"
        drawn = renderer.drawn_image(image_drawing(case, size), "svg", size)
    assert not check(drawn.drawn), check(drawn.drawn).describe()
    meta = drawn.spec["layout"]["meta"]
    keyed = {entry["ref"]: entry["text"] for entry in meta["key"]}
    assert keyed.get("treatments[0]") == "IVMP: 1 g/day × 5", keyed
    beside = {_squeezed(t.text) for t in drawn.drawn.texts if t.role == "textpoint"}
    under = _squeezed("".join(t.text for t in drawn.drawn.texts if t.role != "textpoint"))
    for entry in meta["labels"]:
        assert _squeezed(entry["text"]) in beside, f"{entry} is not drawn beside its mark"
    for entry in meta["key"]:
        assert entry["mark"] in beside, f"{entry['mark']} is not beside its item"
        assert _squeezed(f"{entry['mark']} {entry['text']}") in under, f"{entry} not in the key"
    placed = {entry["ref"] for entry in [*meta["labels"], *meta["key"]]}
    for n in range(len(CROWDED["events"])):
        assert f"events[{n}]" in placed, f"events[{n}] is drawn nowhere"
    assert (
        "treatments[1].doses" in placed or {f"treatments[1].doses[{n}]" for n in range(3)} <= placed
    ), "every step of the taper"


def test_a_figure_laid_out_again_warns_once_with_its_last_layout() -> None:
    """A column figure too tall for its journal size is laid out again when drawn (the
    browser needs a few px more than reserved); it says so once, and the height it names
    is the height the image has."""
    case = load_case(REALISTIC / "aosd-mas.yaml")
    size = parse_size("column")
    with ImageRenderer(tabs=1) as renderer, warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        image = renderer.drawn_image(image_drawing(case, size), "svg", size)
    messages = [str(w.message) for w in said if issubclass(w.category, FigureWarning)]
    assert len(messages) == 1, messages
    [tall] = re.findall(r"drawn (\d+) px tall", messages[0])
    view_box = re.search(rb'viewBox="0 0 ([\d.]+) ([\d.]+)"', image.data)
    assert view_box is not None
    assert int(tall) == round(float(view_box.group(2))) == image.spec["layout"]["height"]
