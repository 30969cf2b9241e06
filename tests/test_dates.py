"""How dates are shown: exact, shifted, coarse or hidden, the same in every output."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.app import create_app
from dashboard.cli import cli
from dashboard.dates import SECRET_VARIABLE, DateKey, coarse_date, with_dates
from dashboard.describe import course_account
from dashboard.figure import build_figure
from dashboard.load import load_case
from tests.conftest import ROOT, TIMELINES

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


def _dates_in(text: str) -> set[str]:
    """The calendar days a text gives, as a case file (2017-09-02) or a page (2 Sep 2017)."""
    return set(re.findall(rf"20\d\d-\d\d-\d\d|\b\d{{1,2}} (?:{MONTHS}) 20\d\d\b", text))


def _export(folder: Path, site: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`clinical-course export --dates shifted` in a process of its own, as each run is;
    CLINICAL_COURSE_SECRET as in `options` alone."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop(SECRET_VARIABLE, None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "export",
            str(folder),
            "-o",
            str(site),
            "--dates",
            "shifted",
            *options,
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _dated_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(DATED, folder / "dated.yaml")
    shutil.copy(TIMELINES / "lauenstein-2014.yaml", folder)
    return folder


def test_a_re_export_never_keeps_pages_shifted_by_another_runs_key(tmp_path: Path) -> None:
    """Shifted dates are part of what a re-export compares: without a secret each run has
    its own key, so a second run builds every page again rather than keep pages whose dates
    moved by another amount (one case would show two shifted dates); with the same secret,
    the pages shifted alike are kept, and their dates are those a fresh export gives."""
    folder, site, fresh = _dated_folder(tmp_path), tmp_path / "site", tmp_path / "fresh"
    first = _export(folder, site)
    assert first.returncode == 0, first.stderr
    assert "dates are shifted by days made for this run alone" in first.stderr
    again = _export(folder, site)
    assert again.returncode == 0, again.stderr
    assert "Wrote 2 case pages" in again.stderr and "unchanged" not in again.stderr
    for secret in ("one secret for the site", "another secret"):
        assert _export(folder, site, "--secret", secret).returncode == 0
    kept = _export(folder, site, "--secret", "another secret")
    assert "(0 built, 2 unchanged)" in kept.stderr, kept.stderr
    made = _export(folder, fresh, "--secret", "another secret")
    assert made.returncode == 0 and "note:" not in made.stderr
    page = (site / "case" / "dated.html").read_text(encoding="utf-8")
    assert _dates_in(page) == _dates_in((fresh / "case" / "dated.html").read_text("utf-8"))
    exact = run("render", str(DATED), "-o", str(tmp_path / "exact.html"))
    assert exact[0] == 0 and _dates_in(page)
    assert _dates_in(page) != _dates_in((tmp_path / "exact.html").read_text("utf-8"))


def test_one_secret_shifts_a_case_alike_in_every_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one secret, given as --secret or as CLINICAL_COURSE_SECRET, a rendered page
    and a dashboard (made by create_app, as gunicorn would) move a case's dates by the same
    days, the days the key gives; another secret moves them otherwise."""
    case = load_case(DATED)
    secret = "a secret kept by the hospital"
    shift = DateKey.from_secret(secret).shift_days(case.title)
    assert DateKey.from_secret("another").shift_days(case.title) != shift
    day = dt.date(2017, 9, 2) + dt.timedelta(days=shift)
    expected = f"{day.day} {day:%b %Y} (day 172)"  # as the page's account of the course says
    given = CliRunner().invoke(cli, ["render", str(DATED), "-o", str(tmp_path / "a.html"),
                                     "--dates", "shifted", "--secret", secret])  # fmt: skip
    from_environment = CliRunner(env={SECRET_VARIABLE: secret}).invoke(
        cli, ["render", str(DATED), "-o", str(tmp_path / "b.html"), "--dates", "shifted"]
    )
    assert given.exit_code == from_environment.exit_code == 0, given.stderr
    for page in ("a.html", "b.html"):
        assert expected in (tmp_path / page).read_text(encoding="utf-8"), page
    (tmp_path / "cases").mkdir()
    shutil.copy(DATED, tmp_path / "cases" / "dated.yaml")
    monkeypatch.setenv(SECRET_VARIABLE, secret)
    served = create_app(tmp_path / "cases", "shifted").server.test_client()
    assert expected in served.get("/export/dated.html").get_data(as_text=True)


def test_every_shift_is_within_a_year_and_never_nothing() -> None:
    """The shift rule over many cases and keys: -365..365 days, never 0, both ways."""
    shifts = {
        DateKey.from_secret(f"key {k}").shift_days(f"case {n}")
        for k in range(20)
        for n in range(50)
    }
    assert 0 not in shifts and min(shifts) >= -365 and max(shifts) <= 365
    assert min(shifts) < -300 and max(shifts) > 300


@pytest.mark.parametrize(
    ("day", "third"),
    [(1, "early"), (10, "early"), (11, "mid"), (20, "mid"), (21, "late"), (31, "late")],
)
def test_import_and_display_give_day0_by_one_rule(tmp_path: Path, day: int, third: str) -> None:
    """An import with --coarse-dates and a case shown with --dates coarse name the third of
    the month of day 0 by the same rule: days 1-10 early, 11-20 mid, the rest late."""
    table = tmp_path / f"t{day}.csv"
    table.write_text(
        "case,kind,name,start,end\n"
        f"x,day0,Onset,2019-03-{day:02d},\n"
        "x,drug,Prednisolone,2019-04-02,2019-05-01\n",
        encoding="utf-8",
    )
    labels = []
    for option, name in (("--coarse-dates", "coarse"), ("--keep-dates", "kept")):
        code, err = run("import", str(table), "-o", str(tmp_path / name), option)
        assert code == 0, err
        labels.append(load_case(tmp_path / name / "x.yaml").day0.label)
    shown = with_dates(load_case(tmp_path / "kept" / "x.yaml"), "coarse").day0.label
    assert labels[0] == shown == f"Onset ({third} Mar 2019)"


def test_imports_with_one_secret_shift_alike(tmp_path: Path) -> None:
    """--shift-dates with one secret writes the same dates in every run; with another
    secret, other dates; without one, the run says its key is its own."""
    table = tmp_path / "t.csv"
    table.write_text(
        "case,kind,name,start,end\n"
        "x,day0,Onset,2019-03-05,\n"
        "x,drug,Prednisolone,2019-04-02,2019-05-01\n",
        encoding="utf-8",
    )

    def imported(name: str, *options: str) -> tuple[str, str]:
        code, err = run("import", str(table), "-o", str(tmp_path / name), "--shift-dates", *options)
        assert code == 0, err
        return (tmp_path / name / "x.yaml").read_text(encoding="utf-8"), err

    one, said = imported("a", "--secret", "the same secret")
    assert imported("b", "--secret", "the same secret")[0] == one
    assert "note:" not in said and "shifted by a secret number of days" in one
    assert _dates_in(imported("c", "--secret", "another")[0]) != _dates_in(one)
    assert "made for this run alone" in imported("d")[1]


def test_every_command_that_shows_dates_takes_the_key_that_shifts_them() -> None:
    """A command with --dates (or --shift-dates) also takes --secret, read from
    CLINICAL_COURSE_SECRET too: no output shifts dates by a key the user cannot give."""
    showing = []
    for name, command in cli.commands.items():
        options = {param.name: param for param in command.params}
        if "dates" in options or "shift_dates" in options:
            showing.append(name)
            secret = options.get("secret")
            assert secret is not None, name
            assert getattr(secret, "envvar", None) == SECRET_VARIABLE, name
    assert sorted(showing) == ["export", "import", "present", "render", "serve"]
