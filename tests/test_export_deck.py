"""Teaching decks: the HTML deck stepped with the keyboard in Chromium, and the PowerPoint file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, Route, expect
from pptx import Presentation

from dashboard.describe import default_steps
from dashboard.export import ExportError
from dashboard.export.deck import FINAL_TITLE, plan, save_deck
from dashboard.figure import FigureWarning
from dashboard.load import load_case, parse_case
from tests.conftest import ROOT, TIMELINES, PageProblems

OpenPage = Callable[..., tuple[Page, PageProblems]]
CASE = TIMELINES / "nomura-2025-case2.yaml"
HOSTILE = ROOT / "tests" / "data" / "hostile.yaml"
SHOWN = ".slide:not([hidden])"
# The days of every x value drawn in the shown chart (axis units times days per unit).
SHOWN_DAYS = """() => {
  const chart = document.querySelector('.slide:not([hidden]) .js-plotly-plot');
  const perUnit = chart.layout.meta.unit_days;
  const xs = [];
  for (const trace of chart.data) {
    for (const x of (trace.x || [])) { if (x !== null) xs.push(x * perUnit); }
  }
  const drawn = [...document.querySelectorAll('.chart')].filter((c) => c.data).length;
  return {days: xs, charts: drawn};
}"""


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_deck(
        load_case(CASE), tmp_path_factory.mktemp("deck") / "deck.html", case_id=CASE.stem
    )


def open_deck(open_page: OpenPage, path: Path) -> tuple[Page, PageProblems, list[str]]:
    page, problems = open_page(viewport={"width": 1280, "height": 720})
    fetched: list[str] = []

    def refuse(route: Route) -> None:
        fetched.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://"), refuse)
    page.goto(path.as_uri())
    return page, problems, fetched


def test_arrow_keys_step_through_the_case_revealing_nothing_ahead(
    deck: Path, open_page: OpenPage
) -> None:
    case = load_case(CASE)
    steps = case.teaching.steps
    total = len(steps) + 2
    page, problems, fetched = open_deck(open_page, deck)
    counter = page.locator(".counter")
    expect(counter).to_have_text(f"1 / {total}")
    expect(page.locator(f"{SHOWN} h1")).to_have_text(case.title)
    drawn = []
    for number, step in enumerate(steps, start=2):
        page.keyboard.press("ArrowRight")
        expect(counter).to_have_text(f"{number} / {total}")
        assert step.title is not None and step.question is not None
        expect(page.locator(f"{SHOWN} h2")).to_have_text(step.title)
        expect(page.locator(f"{SHOWN} .question")).to_have_text(step.question)
        page.wait_for_selector(f"{SHOWN} .js-plotly-plot .main-svg")
        shown = page.evaluate(SHOWN_DAYS)
        assert shown["charts"] == 1  # the chart of the slide left behind is purged
        drawn += shown["days"]
        # while the question is asked, nothing from the step's own day on is drawn
        assert all(day < step.at.day for day in shown["days"])
    assert drawn, "the charts draw something"
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"{SHOWN} h2")).to_have_text(FINAL_TITLE)
    page.wait_for_selector(f"{SHOWN} .js-plotly-plot .main-svg")
    assert max(page.evaluate(SHOWN_DAYS)["days"]) > steps[-1].at.day  # the whole course
    page.keyboard.press("ArrowLeft")
    expect(counter).to_have_text(f"{total - 1} / {total}")
    page.keyboard.press("Home")
    expect(counter).to_have_text(f"1 / {total}")
    page.keyboard.press("End")
    expect(counter).to_have_text(f"{total} / {total}")
    page.keyboard.press("PageUp")
    expect(counter).to_have_text(f"{total - 1} / {total}")
    page.keyboard.press("Space")
    expect(counter).to_have_text(f"{total} / {total}")
    assert fetched == []
    assert problems.failed_requests == []
    problems.assert_clean()


def test_s_opens_the_presenter_view_and_the_audience_never_sees_the_notes(
    deck: Path, open_page: OpenPage
) -> None:
    steps = load_case(CASE).teaching.steps
    page, problems, _ = open_deck(open_page, deck)
    page.keyboard.press("ArrowRight")
    notes = page.locator(f"{SHOWN} .notes")
    with page.expect_popup() as opened:
        page.keyboard.press("s")
    presenter = opened.value
    assert steps[0].note is not None and steps[1].note is not None
    expect(presenter.locator(".notes")).to_have_text(steps[0].note)
    expect(presenter.locator(".next")).to_have_text(str(steps[1].title))
    expect(notes).to_be_hidden()  # on the slide the audience sees
    page.keyboard.press("ArrowRight")
    expect(presenter.locator(".notes")).to_have_text(steps[1].note)
    expect(presenter.locator(".counter")).to_have_text(f"3 / {len(steps) + 2}")
    presenter.keyboard.press("ArrowRight")  # the presenter can step from their own window
    expect(page.locator(".counter")).to_have_text(f"4 / {len(steps) + 2}")
    expect(notes.first).to_be_hidden()
    problems.assert_clean()


def test_a_long_question_and_answer_fit_on_the_slide_and_the_chart_reads_in_a_hall(
    tmp_path: Path, open_page: OpenPage
) -> None:
    question = "Which of these findings, taken together, " * 6 + "point to the diagnosis?"
    answer = "Ferritin above 10 000, falling platelets and fever despite steroids; " * 3
    text = CASE.read_text("utf-8").replace(
        "      question: Which antibody test confirms the diagnosis, and which attacks are"
        " typical?\n",
        f"      question: {question}\n      answer: {answer.strip()}\n",
        1,
    )
    path = save_deck(parse_case(text, CASE.name), tmp_path / "deck.html", case_id="long")
    page, problems = open_page(viewport={"width": 1920, "height": 1080})
    page.goto(path.as_uri())
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"{SHOWN} .js-plotly-plot .main-svg")
    page.keyboard.press("a")
    expect(page.locator(f"{SHOWN} .answer")).to_be_visible()
    page.wait_for_function(
        "() => { const s = document.querySelector('.slide:not([hidden])');"
        " return s.querySelector('.main-svg').getAttribute('height')"
        " == Math.round(s.querySelector('.chart').clientHeight); }"
    )
    fit = page.evaluate(
        """() => {
      const slide = document.querySelector('.slide:not([hidden])');
      const box = (el) => el.getBoundingClientRect();
      const prompt = slide.querySelector('.prompt');
      const chart = slide.querySelector('.chart');
      const sizes = [...chart.querySelectorAll('text')]
        .filter((t) => t.textContent.trim())
        .map((t) => parseFloat(getComputedStyle(t).fontSize));
      const texts = [...prompt.querySelectorAll('.question, .answer')];
      return {
        clipped: prompt.scrollHeight - prompt.clientHeight,
        promptBottom: box(prompt).bottom, controlsTop: box(document.querySelector('.controls')).top,
        chartBottom: box(chart).bottom, promptTop: box(prompt).top,
        smallestPrompt: Math.min(...texts.map((t) => parseFloat(getComputedStyle(t).fontSize))),
        smallestChart: Math.min(...sizes),
      };
    }"""
    )
    assert fit["clipped"] <= 0, "nothing of the question or answer is cut off"
    assert fit["promptBottom"] <= fit["controlsTop"] + 1
    assert fit["chartBottom"] <= fit["promptTop"] + 1, "the chart made room"
    assert fit["smallestPrompt"] >= 24 and fit["smallestChart"] >= 24
    problems.assert_clean()


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile case with an answer to a step, to be revealed with A."""
    data: dict[str, Any] = yaml.safe_load(HOSTILE.read_text("utf-8"))
    data["teaching"]["steps"][0]["answer"] = "</script><img src=x onerror=window.__pwned=1>"
    path = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_hostile_case_stays_inert_in_the_deck(
    hostile_case: Path, tmp_path: Path, open_page: OpenPage
) -> None:
    case = load_case(hostile_case)
    step = case.teaching.steps[0]
    deck = save_deck(case, tmp_path / "deck.html", case_id="hostile")
    page, problems, _ = open_deck(open_page, deck)
    expect(page.locator(f"{SHOWN} h1")).to_have_text(case.title)
    page.keyboard.press("ArrowRight")
    assert step.title is not None and step.question is not None and step.answer is not None
    expect(page.locator(f"{SHOWN} h2")).to_have_text(step.title)
    expect(page.locator(f"{SHOWN} .question")).to_have_text(step.question)
    answer = page.locator(f"{SHOWN} .answer")
    expect(answer).to_be_hidden()
    page.keyboard.press("a")
    expect(answer).to_have_text(step.answer)
    page.wait_for_selector(f"{SHOWN} .js-plotly-plot .main-svg")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    problems.assert_clean()


# (a slide's chart is 700 px tall: a course just taller is drawn a little smaller, and says so)
@pytest.mark.filterwarnings("ignore::dashboard.problems.FigureWarning")
def test_the_powerpoint_has_a_slide_per_step_with_notes(tmp_path: Path) -> None:
    case = load_case(CASE)
    steps = case.teaching.steps
    path = save_deck(case, tmp_path / "deck.pptx", case_id=CASE.stem)
    deck = Presentation(str(path))
    slides = list(deck.slides)
    # each question is followed by its answer's build step
    assert len(slides) == 1 + 2 * len(steps) + 1
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)  # 16:9
    texts = [
        "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides
    ]
    assert case.title in texts[0]
    for slide, text, step in zip(slides[1::2], texts[1::2], steps, strict=False):
        assert step.title is not None and step.question is not None and step.note is not None
        assert step.title in text and step.question in text
        assert step.note in slide.notes_slide.notes_text_frame.text
        assert sum(shape.shape_type == 13 for shape in slide.shapes) == 1  # one picture
    assert FINAL_TITLE in texts[-1]


def _without_teaching() -> str:
    text = CASE.read_text("utf-8")
    return text[: text.index("\nteaching:")]


def test_a_case_without_steps_gets_default_ones() -> None:
    case = parse_case(_without_teaching(), CASE.name)
    slides = plan(case)
    assert [(slide.reveal, slide.title) for slide in slides] == [
        (0, "Day 0: NMOSD onset"),
        (2, "Start of methylprednisolone pulse therapy (mPSL)"),
        (7, "Start of prednisolone (PSL)"),
        (150, "Relapse: myelitis"),
        (180, "Start of azathioprine (AZT)"),
        (335, "Relapse: optic neuritis"),
        (485, "Relapse: myelitis"),
        (490, "Start of immunoadsorption plasmapheresis (IAPP)"),
        (545, "Start of satralizumab"),
        (None, FINAL_TITLE),
    ]


def test_default_steps_keep_their_titles_short_whatever_the_labels() -> None:
    label = "myelitis " * 444  # near the 4 000 characters a label may hold
    text = _without_teaching().replace("label: myelitis", f"label: {label.strip()}", 1)
    steps = default_steps(parse_case(text, CASE.name))
    long_title = next(step.title for step in steps if step.at.day == 150)
    assert long_title is not None
    assert long_title.startswith("Relapse: myelitis myelitis") and long_title.endswith("…")
    assert len(long_title) <= 120


def test_the_powerpoint_shows_each_answer_as_a_build_step_and_takes_any_title(
    tmp_path: Path,
) -> None:
    text = CASE.read_text("utf-8")
    title = "A very long title " * 20  # 360 characters: more than a .pptx property holds
    text = re.sub(r"^title: .*$", f"title: {title.strip()}", text, count=1, flags=re.M)
    text = text.replace(
        "      title: Satralizumab\n",
        "      title: Satralizumab\n      answer: IL-6 drives the relapses and the MAS.\n",
        1,
    )
    case = parse_case(text, CASE.name)
    steps = case.teaching.steps
    answered = [step for step in steps if step.answer]
    assert answered, "the seed case has answers to show"
    # a title on several lines leaves the course less than a slide: said, not squeezed silently
    with pytest.warns(FigureWarning, match="too low"):
        deck = Presentation(str(save_deck(case, tmp_path / "deck.pptx", case_id=CASE.stem)))
    slides = list(deck.slides)
    assert len(slides) == 1 + 2 * len(steps) + 1  # every question has its answer's step
    assert deck.core_properties.title == title[:254] + "…"
    made = deck.core_properties  # (not python-pptx's template: 'Steve Canny', 2013)
    assert made.author == made.last_modified_by == "clinical-course"
    assert made.created is not None and made.created.year >= 2026
    texts = ["\n".join(s.text_frame.text for s in x.shapes if s.has_text_frame) for x in slides]
    assert title.strip() in texts[0]
    for step in answered:
        assert step.answer is not None and step.question is not None
        shown = [i for i, text in enumerate(texts) if f"Answer: {step.answer}" in text]
        assert len(shown) == 1, "the answer on a slide of its own"
        before = texts[shown[0] - 1]
        assert step.question in before and step.answer not in before, "asked first, then told"


def test_an_unknown_deck_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"use \.html .* or \.pptx"):
        save_deck(load_case(CASE), tmp_path / "deck.key", case_id="x")


def test_the_powerpoint_file_does_not_need_the_html_deck() -> None:
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, dashboard.export.pptx_deck; print('dashboard.export.deck' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert loaded.stdout.strip() == "False", "one plan of slides, no import cycle"


def test_the_deck_template_escapes_everything_the_case_says(tmp_path: Path) -> None:
    text = CASE.read_text("utf-8").replace(
        "title: NMOSD onset", 'title: "<b>onset</b> & {{ 7 * 7 }}"', 1
    )
    html = (save_deck(parse_case(text, CASE.name), tmp_path / "d.html", case_id="x")).read_text(
        "utf-8"
    )
    assert "<h2>&lt;b&gt;onset&lt;/b&gt; &amp; {{ 7 * 7 }}</h2>" in html
    assert "<b>onset</b>" not in html.split('id="deck-figures"')[0]
