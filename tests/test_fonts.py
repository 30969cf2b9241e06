"""The shipped fonts: what the layout measures is what Chromium draws, in every script, and
every file a figure is written to carries the fonts it uses."""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.export import save
from dashboard.export.chromium import Chromium
from dashboard.export.drawn import Drawn
from dashboard.export.images import browser_path
from dashboard.fonts import FAMILY, face_for, missing, text_width, wrap
from dashboard.load import parse_case

SAMPLES = {
    "English": "Plasma exchange, 5 sessions",
    "German": "Methylprednisolon-Stoßtherapie, Querschnittsmyelitis",
    "Japanese": "フェリチン値とCMV再活性化（℃）①",
    "Korean": "시신경척수염 재발, 저감마글로불린혈증, 뇌간 증후군",  # 감, 간: whole syllables
    "Chinese": "视神经脊髓炎复发，血浆置换",
    "Greek and symbols": "β2-Mikroglobulin ≥ 3 µg/L → ▼",
}


@pytest.fixture(scope="module")
def chromium() -> Iterator[tuple[asyncio.AbstractEventLoop, Chromium]]:
    """One Chromium with the shipped fonts declared, as the image renderer uses it, its
    event loop in a thread of its own (the test's thread may run Playwright's)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    browser = Chromium(browser_path(), tabs=1, timeout=60)
    asyncio.run_coroutine_threadsafe(browser.open(), loop).result(60)
    yield loop, browser
    asyncio.run_coroutine_threadsafe(browser.close(), loop).result(60)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def _drawn(chromium: tuple[asyncio.AbstractEventLoop, Chromium], texts: list[str]) -> Drawn:
    loop, browser = chromium
    spec = {
        "data": [],
        "layout": {
            "font": {"family": FAMILY, "size": 20},
            "annotations": [
                {
                    "text": text,
                    "x": 0,
                    "y": 1 - i / 10,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "left",
                    "showarrow": False,
                }
                for i, text in enumerate(texts)
            ],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        },
    }
    drawing = browser.draw(spec, "svg", 1400, 800, 1.0)
    _, drawn = asyncio.run_coroutine_threadsafe(drawing, loop).result(60)
    return drawn


def test_every_script_has_a_shipped_font() -> None:
    """No character of the samples is left to whatever fonts a viewer has."""
    for name, text in SAMPLES.items():
        assert missing(text) == "", name
    assert face_for("再").family == "IPAexGothic"
    assert face_for("재").family == "NanumGothic"
    assert face_for("e").family == "Liberation Sans"


def test_widths_measured_from_the_font_files_are_what_chromium_draws(
    chromium: tuple[asyncio.AbstractEventLoop, Chromium],
) -> None:
    """For every script, the width the layout measures is within 2 % (and 1.5 px) of the
    width of the same text as Chromium draws it with the shipped fonts."""
    drawn = {t.text: t for t in _drawn(chromium, list(SAMPLES.values())).texts}
    for name, text in SAMPLES.items():
        box = drawn[text].box
        width = box[2] - box[0]
        expected = text_width(text, 20)
        assert abs(width - expected) <= max(1.5, 0.02 * width), (name, width, expected)


def test_a_wrapped_text_breaks_between_words_or_cjk_characters_and_loses_nothing() -> None:
    """Lines fit the room measured; every character is kept; a long German compound is
    hyphenated; a Japanese line never starts with a closing bracket."""
    german = "Glutamyltranspeptidase im Verlauf der Methylprednisolon-Stoßtherapie"
    lines = wrap(german, 90, 11)
    assert all(text_width(line, 11) <= 90 for line in lines)

    def letters(text: str) -> str:
        return text.replace(" ", "").replace("-", "")

    assert letters("".join(lines)) == letters(german)
    assert text_width("Glutamyltranspeptidase", 11) > 90 and lines[0].endswith("-")
    japanese = wrap("フェリチン値（ng/mL）と血小板数の推移", 60, 11)
    assert all(not line.startswith(("）", "、", "。")) for line in japanese)
    assert "".join(japanese) == "フェリチン値（ng/mL）と血小板数の推移"


def test_a_unit_is_never_broken_at_its_slash_but_two_words_may_be() -> None:
    """'mg/kg/day' and 'ng/mL' stay whole on a line, however narrow; between two words
    ('Optikusneuritis/Querschnittsmyelitis') a line may break after the slash."""
    lines = wrap("3 mg/kg/day (trough 150-200 ng/mL)", 60, 11)
    assert any("mg/kg/day" in line for line in lines) and any("ng/mL" in line for line in lines)
    words = wrap("Optikusneuritis/Querschnittsmyelitis", 110, 11)
    assert words == ["Optikusneuritis/", "Querschnittsmyelitis"]


@pytest.fixture(scope="module")
def japanese_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A case written in Japanese as SVG and PDF at column size."""
    case = parse_case(
        "title: 成人発症スティル病とマクロファージ活性化症候群\n"
        "day0: {label: 入院}\n"
        "events: [{at: day 3, kind: relapse, label: 再燃}, {at: day 9, kind: adverse-event, "
        "label: CMV 再活性化}]\n"
        "treatments: [{drug: トシリズマブ, start: day 2, end: day 20, dose: 8 mg/kg}]\n"
        "measurements: [{name: 体温, unit: ℃, values: {day 0: 39.5, day 5: 38, day 12: 36.8}}]\n"
    )
    folder = tmp_path_factory.mktemp("japanese")
    return {
        fmt: Path(save(case, folder / f"case.{fmt}", size="column")).read_bytes()
        for fmt in ("svg", "pdf")
    }


def test_an_svg_embeds_the_cjk_glyphs_it_uses(japanese_files: dict[str, bytes]) -> None:
    """The SVG declares every shipped face its texts need, with the font data inside,
    cut down: it reads the same on a computer without CJK fonts."""
    svg = japanese_files["svg"].decode("utf-8")
    for family in ("Liberation Sans", "IPAexGothic"):
        assert re.search(
            rf'@font-face\{{font-family:"{family}";[^}}]*src:url\(data:font/ttf;base64,', svg
        ), family
    assert len(japanese_files["svg"]) < 600_000, "fonts are cut down to the characters used"


def test_a_pdf_carries_its_fonts_as_truetype_never_type_3(
    japanese_files: dict[str, bytes], tmp_path: Path
) -> None:
    """Journals' PDF checks reject Type 3 fonts; the shipped fonts are TrueType outlines,
    which Chromium embeds as CID fonts with their font files."""
    pdf = japanese_files["pdf"]
    assert b"/FontFile2" in pdf
    assert not re.search(rb"/Subtype\s*/Type3", pdf)
    path = tmp_path / "case.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    header, _, *rows = listed.stdout.splitlines()
    start, end = header.index("type"), header.index("encoding")
    kinds = {row[start:end].strip() for row in rows if row.strip()}
    assert kinds == {"CID TrueType"}, listed.stdout
    assert "IPAexGothic" in listed.stdout and "LiberationSans" in listed.stdout
