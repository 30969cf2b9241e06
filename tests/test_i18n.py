"""The program's words in the case's language: complete catalogues, user texts as written,
and teaching views that never show the answer beside its question."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract
from playwright.sync_api import Page
from pptx import Presentation
from pptx.util import Emu

from dashboard.describe import caption, course_account, default_steps, patient_line
from dashboard.export.deck import deck_html, plan, save_deck, slide_figure
from dashboard.export.page import case_page
from dashboard.figure import build_figure, figure_spec
from dashboard.i18n import catalogue_path, words
from dashboard.load import load_case
from dashboard.model import LANGUAGES
from tests.conftest import ROOT, PageProblems

OpenPage = Callable[..., tuple[Page, PageProblems]]
HELD_OUT = ROOT / "tests" / "data" / "languages"
GERMAN = HELD_OUT / "psychose-de.yaml"
JAPANESE = HELD_OUT / "nmosd-ja.yaml"
FRENCH = HELD_OUT / "sep-fr.yaml"
KEYWORDS = {"t": None, "tn": (1, 2), "tc": ((1, "c"), 2)}


def _messages() -> set[tuple[str | None, str | tuple[str, str]]]:
    """Every message the program asks the catalogue for, from its code and templates."""
    found: set[tuple[str | None, Any]] = set()
    package = ROOT / "dashboard"
    for path in package.rglob("*.py"):
        with path.open("rb") as source:
            for _, message, _, context in extract("python", source, keywords=KEYWORDS):
                found.add((context, message))
    for path in (package / "templates").glob("*.htm*"):
        with path.open("rb") as source:
            for _, message, _, context in extract(babel_extract, source, keywords={"_": None}):
                found.add((context, message))
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", [code for code in LANGUAGES if code != "en"])
def test_every_language_has_every_message_with_its_plural_forms(code: str) -> None:
    """Each catalogue translates every message the program uses, keeps its {placeholders}
    and gives as many plural forms as the language's plural rule has."""
    with catalogue_path(code).open("rb") as po:
        catalogue = read_po(po, locale=code)
    expected_forms = get_plural(code).num_plurals
    assert catalogue.num_plurals == expected_forms
    missing = []
    for context, message in sorted(_messages(), key=str):
        entry = catalogue.get(message if isinstance(message, str) else message[0], context)
        if entry is None:
            missing.append(message)
            continue
        source = message if isinstance(message, tuple) else (message,)
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert len(translations) == (expected_forms if isinstance(message, tuple) else 1)
        for translation in translations:
            assert translation.strip() or not source[0].strip(), (code, message)
            assert _fields(translation) == _fields(source[-1]), (code, message, translation)
    assert missing == []


def test_an_english_case_reads_as_it_did() -> None:
    """English needs no catalogue: its words are the messages themselves."""
    case = load_case(ROOT / "timelines" / "nomura-2025-case2.yaml")
    assert case.language == "en"
    assert caption(case).startswith("Clinical course.")
    assert words("en").date(dt.date(2015, 4, 2)) == "2 Apr 2015"
    assert words("en").when(case.treatments[0].first) == case.treatments[0].first.describe()


def _english_words(case_text: str) -> set[str]:
    """Words of the program's English messages that the case itself never writes."""
    found: set[str] = set()
    for _, message in _messages():
        for text in message if isinstance(message, tuple) else (message,):
            plain = re.sub(r"\{[^}]*\}|%[a-zA-Z-]+", " ", text)
            found |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", plain)}
    return found - {w.lower() for w in re.findall(r"[A-Za-z]{3,}", case_text)}


def _stray_english(text: str, case_path: Path, language: str) -> set[str]:
    """English words of the program's own in `text`, that the language's catalogue does not
    itself use (German 'Symptom', French 'imagerie' are their own words)."""
    with catalogue_path(language).open("rb") as po:
        translated = " ".join(
            " ".join(m.string) if isinstance(m.string, tuple) else m.string
            for m in read_po(po, locale=language)
            if m.id
        )
    own = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", translated)}
    english = _english_words(case_path.read_text("utf-8")) - own
    seen = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
    return seen & english


TEXT_KEYS = {"name", "text", "hovertemplate", "customdata", "ticktext", "title"}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def _figure_texts(spec: dict[str, Any], *, layout: bool = True) -> str:
    """Every text a figure shows or holds: trace names, hover, labels, row labels, titles,
    annotations (with `layout`; without it, only what the traces and rows hold)."""
    found: list[str] = []
    for trace in spec["data"]:
        found += [s for key in TEXT_KEYS for s in _strings(trace.get(key))]
    for key, axis in spec["layout"].items():
        if key.startswith("yaxis"):
            found += _strings(axis.get("ticktext"))
    if layout:
        found += _strings(spec["layout"].get("xaxis", {}).get("title"))
        found += [note.get("text", "") for note in spec["layout"].get("annotations", [])]
    return "\n".join(found)


@pytest.mark.parametrize(
    ("path", "language", "since"),
    [(GERMAN, "de", "Wochen seit Beginn der Psychose"), (JAPANESE, "ja", "入院からの月数")],
)
def test_held_out_cases_say_nothing_in_english_and_keep_names_as_written(
    path: Path, language: str, since: str
) -> None:
    """Figures at page and slide size, the caption, the course in words and the default
    steps of a German and a Japanese case hold no English word of the program's own, and
    the day-0 label and every name stand exactly as written."""
    case = load_case(path)
    assert case.language == language
    for options in ({"theme": "print", "width": 680}, {"theme": "slides"}):
        spec = figure_spec(case, **options)
        assert spec["layout"]["xaxis"]["title"]["text"] == since
        texts = _figure_texts(spec)
        assert _stray_english(texts, path, language) == set()
        for treatment in case.treatments:
            assert treatment.label in texts
    words_text = " ".join([caption(case), *course_account(case), patient_line(case) or ""])
    words_text += " ".join(step.title or "" for step in default_steps(case))
    assert _stray_english(words_text, path, language) == set()
    assert case.day0.label in caption(case)
    doubled = f"{case.treatments[1].drug} ({case.treatments[1].abbr})"
    assert doubled not in words_text  # abbr == drug: the name is said once


def test_dates_and_numbers_are_written_the_languages_way() -> None:
    """German writes '2. Apr. 2015' and a decimal comma, Japanese '2015年4月2日'."""
    german, japanese = load_case(GERMAN), load_case(JAPANESE)
    assert "Tag 0 (2. Apr. 2015)" in course_account(german)[0]
    assert "12,5" not in " ".join(course_account(german))  # (not the first nor last value)
    assert "0日目 (2015年4月2日)" in course_account(japanese)[0]
    assert figure_spec(german)["layout"]["separators"] == ",."
    french = course_account(load_case(FRENCH))
    assert any("2,5 au jour 0" in line for line in french)


def test_a_taper_lists_its_doses_as_changes() -> None:
    """60 → 60 → 50 is written 60 → 50: a dose that stays is not a step of the course."""
    account = " ".join(course_account(load_case(JAPANESE)))
    assert "60 → 50 → 30 mg/日" in account
    assert "60 → 60" not in account


def _fragments(text: str) -> set[str]:
    """The separate texts of a figure: names, labels and hover lines cut at their markup."""
    parts = re.split(r"<[^>]+>|\n| \(|\)|: |：|（|）", text)
    return {part.strip() for part in parts if part.strip()}


def _slide_texts(case_path: Path) -> list[tuple[Any, set[str], set[str]]]:
    case = load_case(case_path)
    views = []
    for slide in plan(case):
        if slide.reveal is None:
            continue
        held = slide_figure(case, slide, answered=False).to_plotly_json()
        question = _fragments(_figure_texts(held, layout=False))
        answer = _fragments(_figure_texts(slide_figure(case, slide).to_plotly_json(), layout=False))
        views.append((slide, question, answer))
    return views


def _begins(case: Any, day: float) -> list[str]:
    """The names and labels of what begins on `day`."""
    names = [t.label for t in case.treatments if t.first.day == day]
    names += [e.label for e in case.events if e.at.day == day and e.label]
    names += [m.name for m in case.measurements if min(t.day for t, _ in m.values) == day]
    return names


@pytest.mark.parametrize("path", [GERMAN, JAPANESE, FRENCH])
def test_a_question_view_holds_nothing_that_begins_on_its_step(path: Path) -> None:
    """On a question's view, no name or label of an item beginning at the step's time is in
    the figure's data; the answer's view shows it; `show: with-question` shows it at once."""
    case = load_case(path)
    steps = case.teaching.steps or tuple(default_steps(case))
    checked = 0
    for (_slide, question, answer), step in zip(_slide_texts(path), steps, strict=True):
        begins = _begins(case, step.at.day)
        for name in begins:
            assert name in answer
            if step.question and step.show == "with-answer":
                assert name not in question, (step.title, name)
                checked += 1
            else:
                assert name in question
        later = [t.label for t in case.treatments if t.first.day > step.at.day]
        for name in later:
            assert name not in answer
    assert checked or not any(s.question for s in steps)


def test_the_ivig_question_does_not_show_ivig() -> None:
    """'What is your first-line rescue treatment?' at the crisis does not show IVIG."""
    [(slide, question, answer)] = [v for v in _slide_texts(JAPANESE) if v[0].reveal == 21]
    assert slide.held
    assert "IVIG" not in question and not any("0.4 g/kg" in text for text in question)
    assert "IVIG" in answer


def test_a_step_axis_runs_from_the_course_start_to_just_after_the_step() -> None:
    """teaching.axis: step draws each step's axis up to a little after it, not the course."""
    case = load_case(GERMAN)
    first = plan(case)[0]
    assert first.window is not None and first.window[1] < 10
    figure = build_figure(case, theme="slides", reveal=first.reveal, window=first.window)
    whole = build_figure(case, theme="slides", reveal=first.reveal)
    assert len(figure.layout.yaxis.tickvals or ()) == len(whole.layout.yaxis.tickvals or ())
    assert plan(case, "course")[0].window is None


def test_german_deck_and_page_have_the_languages_own_words() -> None:
    """The German deck and page are marked German and hold no English words of their own."""
    case = load_case(GERMAN)
    deck = deck_html(case, case_id="psychose-de", plotlyjs="plotly.js")
    assert '<html lang="de">' in deck and "Antwort zeigen" in deck
    visible = re.sub(r"<script[^>]*>.*?</script>|<style>.*?</style>|<[^>]+>", " ", deck, flags=re.S)
    assert _stray_english(visible, GERMAN, "de") == set()
    page = case_page(case, figure_spec(case), plotlyjs="plotly.js")
    assert "Der Verlauf in Worten" in page
    visible = re.sub(r"<script[^>]*>.*?</script>|<style>.*?</style>|<[^>]+>", " ", page, flags=re.S)
    assert _stray_english(visible, GERMAN, "de") == set()


def test_the_japanese_pptx_fills_the_width_with_editable_questions(tmp_path: Path) -> None:
    """PPTX charts span the slide's width; titles and questions are placeholders a presenter
    edits; the question's slide shows the question's chart, the build step the answer's."""
    path = save_deck(load_case(JAPANESE), tmp_path / "deck.pptx", case_id="nmosd-ja")
    deck = Presentation(str(path))
    texts: list[str] = []
    widths = []
    for slide in list(deck.slides)[1:]:
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        widths.append(pictures[0].width)
        ratio = pictures[0].width / pictures[0].height
        assert ratio == pytest.approx(1920 / 700, rel=0.01)
        assert slide.shapes.title is not None and slide.shapes.title.is_placeholder
        texts += [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    assert set(widths) == {Emu(deck.slide_width)}
    asked = [
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.placeholders
        if shape.placeholder_format.idx == 1
    ]
    assert "初期の救済治療として何を選ぶか？" in asked  # the body placeholder, editable
    assert _stray_english(" ".join(texts), JAPANESE, "ja") == set()
    assert any("解答：IVIG" in t for t in texts)


def test_the_language_option_overrides_the_file(tmp_path: Path) -> None:
    """`present --language de` writes an English case's deck in German."""
    from click.testing import CliRunner

    from dashboard.cli import cli

    output = tmp_path / "deck.html"
    result = CliRunner().invoke(
        cli,
        ["present", str(FRENCH), "-o", str(output), "--language", "de", "--axis-span", "step"],
    )
    assert result.exit_code == 0, result.output
    assert '<html lang="de">' in output.read_text("utf-8")


def test_in_chromium_the_german_deck_asks_before_it_answers(
    tmp_path: Path, open_page: OpenPage
) -> None:
    """Drawn by a real Chromium: the German deck's visible words are German; on a question's
    slide the chart holds nothing that begins on the step until A shows the answer."""
    path = save_deck(load_case(GERMAN), tmp_path / "deck.html", case_id="psychose-de")
    page, problems = open_page(viewport={"width": 1280, "height": 720})
    page.goto(path.as_uri() + "#3")  # the step on day 30: which maintenance treatment?
    shown = ".slide:not([hidden])"
    page.wait_for_function("document.querySelector('.slide:not([hidden]) .js-plotly-plot')")
    drawn = "() => document.querySelector('.slide:not([hidden]) .js-plotly-plot').innerText"
    chart = (
        "() => JSON.stringify(document.querySelector('.slide:not([hidden]) .js-plotly-plot').data)"
    )
    assert "RTX" not in page.evaluate(drawn) and "Rituximab" not in page.evaluate(chart)
    assert "Welche Erhaltungstherapie" in page.locator(f"{shown} .question").inner_text()
    page.keyboard.press("a")
    page.wait_for_function(
        "document.querySelector('.slide:not([hidden]) .js-plotly-plot').innerText.includes('RTX')"
    )
    assert "Rituximab" in page.locator(f"{shown} .answer").inner_text()
    visible = page.evaluate("() => document.body.innerText")
    assert _stray_english(visible, GERMAN, "de") == set()
    heading = page.locator(f"{shown} h2")
    assert heading.evaluate("h => h.scrollWidth <= h.clientWidth")  # wrapped, not cut
    problems.assert_clean()


def test_in_chromium_the_japanese_page_is_all_japanese(tmp_path: Path, open_page: OpenPage) -> None:
    """The Japanese page as Chromium draws it: chart, caption and course in Japanese."""
    case = load_case(JAPANESE)
    path = tmp_path / "page.html"
    path.write_text(case_page(case, figure_spec(case)), "utf-8")
    page, problems = open_page(viewport={"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelector('.js-plotly-plot .xtitle')")
    assert page.locator(".xtitle").text_content() == "入院からの月数"
    visible = page.evaluate("() => document.body.innerText")
    assert "経過の記述" in visible and "臨床経過。" in visible
    assert _stray_english(visible, JAPANESE, "ja") == set()
    problems.assert_clean()


def test_a_series_speaks_its_own_language_or_its_cases(tmp_path: Path) -> None:
    """A series file's `language` sets the words of its panels and caption; without it, the
    cases' common language, else English."""
    from dashboard.series import load_series

    for path in (GERMAN, FRENCH):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    series = tmp_path / "beide.series.yaml"
    series.write_text("title: Zwei Fälle\nlanguage: de\n", "utf-8")
    loaded = load_series(series)
    assert loaded.language == "de"
    assert all(item.case.language == "de" for item in loaded.panels)
    from dashboard.series.caption import panels_caption

    text = panels_caption(loaded)
    assert "Tag 0: Première poussée" in text and "Abkürzungen:" in text
    french = figure_spec(next(i.case for i in loaded.panels if i.id == "sep-fr"))
    assert french["layout"]["xaxis"]["title"]["text"] == "Monate seit Première poussée"
    series.write_text("title: Two cases\n", "utf-8")
    assert load_series(series).language == "en"  # German and French: no common language


def test_a_coarse_day_0_is_worded_in_the_cases_language() -> None:
    """--dates coarse gives day 0 as early, mid or late in its month, in the case's words."""
    from dashboard.dates import with_dates

    assert with_dates(load_case(GERMAN), "coarse").day0.label == (
        "Beginn der Psychose (Anfang Apr. 2015)"
    )
    assert with_dates(load_case(JAPANESE), "coarse").day0.label == "入院 (2015年4月上旬)"


def test_the_case_series_view_is_written_in_the_series_language(tmp_path: Path) -> None:
    """The aligned view of a German series: axis title, legend, hover and caption German,
    names as written, nothing English of the program's own."""
    from dashboard.series import load_series
    from dashboard.series.caption import series_caption_for
    from dashboard.series.figure import series_spec

    for path in (GERMAN, FRENCH):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), "utf-8")
    series = tmp_path / "rezidive.series.yaml"
    series.write_text(
        "title: Rezidive vor und nach Rituximab\nlanguage: de\n"
        "align: {by: event, match: {kind: relapse}}\noutcomes: {merge_within: 30 days}\n",
        "utf-8",
    )
    loaded = load_series(series)
    spec = series_spec(loaded, axis="month")
    assert spec["layout"]["xaxis"]["title"]["text"] == "Monate ab Erstes Ereignis: Rezidiv"
    texts = _figure_texts(spec)
    caption_text = series_caption_for(loaded, "series")
    assert "Eine Zeile pro Fall" in caption_text and "Patienten" in caption_text
    written = GERMAN.read_text("utf-8") + FRENCH.read_text("utf-8") + series.read_text("utf-8")
    (tmp_path / "all.yaml").write_text(written, "utf-8")
    assert _stray_english(texts + caption_text, tmp_path / "all.yaml", "de") == set()
