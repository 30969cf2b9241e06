"""How dates are shown: exact, shifted, coarse or hidden, the same in every output."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.dates import coarse_date, with_dates
from dashboard.describe import course_account
from dashboard.figure import build_figure
from dashboard.load import load_case

DATED = Path(__file__).resolve().parent / "data" / "import" / "dated-case.yaml"
# Anything that gives away a calendar day or month of 2017/2018, however it is written.
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
DATE_TEXT = re.compile(rf"201[78]-\d|\b({MONTHS})\w* 201[78]|201[78]-\d\d-\d\d")


def _days(case: object) -> list[float]:
    return [time.day for time in case.times]  # type: ignore[attr-defined]


def test_exact_is_the_case_itself() -> None:
    case = load_case(DATED)
    assert with_dates(case, "exact") is case


@pytest.mark.parametrize("dates", ["hidden", "coarse"])
def test_hidden_and_coarse_leave_no_date_in_figure_or_text(dates: str) -> None:
    case = load_case(DATED)
    shown = with_dates(case, dates)
    assert shown.day0_date is None
    assert _days(shown) == _days(case)
    figure = build_figure(shown).to_json()
    words = " ".join(course_account(shown))
    if dates == "coarse":  # the one date a coarse view gives, only to a third of a month
        assert figure.count("(mid Mar 2017)") >= 1 and "(mid Mar 2017)" in words
        figure, words = figure.replace("mid Mar 2017", ""), words.replace("mid Mar 2017", "")
    assert not DATE_TEXT.search(figure + words), DATE_TEXT.search(figure + words)
    label = "NMOSD onset (mid Mar 2017)" if dates == "coarse" else "NMOSD onset"
    assert shown.day0.label == label
    assert shown.treatments[0].given is not None
    assert [t.text for t in shown.treatments[0].given] == ["day 1", "~day 140"]


def test_coarse_thirds_of_a_month() -> None:
    assert [coarse_date(dt.date(2015, 4, day)) for day in (1, 10, 11, 20, 21, 30)] == [
        "early Apr 2015",
        "early Apr 2015",
        "mid Apr 2015",
        "mid Apr 2015",
        "late Apr 2015",
        "late Apr 2015",
    ]


def test_shifted_moves_every_date_by_one_amount() -> None:
    case = load_case(DATED)
    shown = with_dates(case, "shifted")
    assert shown == with_dates(case, "shifted"), "one case shifts the same way in one run"
    assert _days(shown) == _days(case)
    assert shown.day0_date is not None and case.day0_date is not None
    shift = shown.day0_date - case.day0_date
    assert shift != dt.timedelta(0) and abs(shift.days) <= 365
    for before, after in zip(case.times, shown.times, strict=True):
        assert before.date is not None and after.date is not None
        if before.precision == "day" or before.precision == "relative":
            assert after.date - before.date == shift
    written = [t.text for t in shown.events[1:2] for t in (t.at, t.end) if t is not None]
    assert written == [
        (dt.date(2017, 9, 2) + shift).isoformat(),
        (dt.date(2017, 9, 12) + shift).isoformat(),
    ]
    iso = re.compile(r"\d{4}-\d\d-\d\d")
    exact = set(iso.findall(build_figure(case, axis="date").to_json()))
    moved = set(iso.findall(build_figure(shown, axis="date").to_json()))
    assert len(exact) > 5
    assert moved == {(dt.date.fromisoformat(d) + shift).isoformat() for d in exact}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


def test_render_export_present_take_dates(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "dated.yaml").write_text(DATED.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("render", str(folder / "dated.yaml"), "-o", str(tmp_path / "p.html"))[0] == 0
    assert DATE_TEXT.search((tmp_path / "p.html").read_text(encoding="utf-8"))
    outputs = {
        "page": ("render", str(folder / "dated.yaml"), "-o", str(tmp_path / "h.html")),
        "site": ("export", str(folder), "-o", str(tmp_path / "site")),
        "deck": ("present", str(folder / "dated.yaml"), "-o", str(tmp_path / "deck.html")),
        "folder": ("render", str(folder), "-o", str(tmp_path / "f"), "--format", "html"),
    }
    for name, args in outputs.items():
        code, err = run(*args, "--dates", "hidden")
        assert code == 0, (name, err)
    texts = [
        (tmp_path / "h.html").read_text(encoding="utf-8"),
        (tmp_path / "deck.html").read_text(encoding="utf-8"),
        (tmp_path / "f" / "dated.html").read_text(encoding="utf-8"),
        *(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html")),
    ]
    for text in texts:
        assert "A course with real-looking calendar dates" in text
        assert not DATE_TEXT.search(text), DATE_TEXT.search(text)
    code, err = run("render", str(DATED), "-o", str(tmp_path / "x.png"), "--axis", "date",
                    "--dates", "coarse")  # fmt: skip
    assert code == 1 and "--axis date shows calendar dates" in err


def test_dashboard_serves_hidden_dates(tmp_path: Path) -> None:
    from dashboard.app import create_app

    (tmp_path / "dated.yaml").write_text(DATED.read_text(encoding="utf-8"), encoding="utf-8")
    client = create_app(tmp_path, "hidden").server.test_client()
    for url in ("/export/dated.html", "/export/dated.csv", "/present/dated"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "optic neuritis" in text and not DATE_TEXT.search(text), url
    exact = create_app(tmp_path).server.test_client().get("/export/dated.csv")
    assert "2 Sep 2017 (day 172)" in exact.get_data(as_text=True)
