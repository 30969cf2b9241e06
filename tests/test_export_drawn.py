"""What Chromium drew is read back before a file is written: overlapping texts, texts cut
at the edge and texts over a mark are said, naming the figure and the texts; a figure whose
plot came out narrower or lower than the layout assumed is laid out again."""

from __future__ import annotations

import pytest

from dashboard.export.drawn import Drawn, Text, check
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

HELD_OUT = ROOT / "tests" / "data" / "realistic" / "held-out"


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
