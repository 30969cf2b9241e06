"""Series pages of the site: built from their own cases only, kept while those do not change,
and the same as when every case of the folder is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from dashboard.export import site as site_module
from dashboard.export.site import export_site
from dashboard.export.siteseries import draws
from dashboard.problems import InvalidCase
from dashboard.series.load import load_series
from dashboard.series.model import Series
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "series"
SERIES_CASES = ["alpha.yaml", "beta.yaml", "broken.yaml", "delta.yaml", "gamma.yaml"]


def make_folder(folder: Path, *series: str) -> Path:
    """The series test cases, one case no series names, and the series files asked for."""
    folder.mkdir(parents=True)
    for name in [*SERIES_CASES, *series]:
        shutil.copy(DATA / name, folder / name)
    text = (DATA / "alpha.yaml").read_text("utf-8").replace("title: ", "title: Unrelated – ", 1)
    (folder / "unrelated.yaml").write_text(text, "utf-8")
    return folder


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the case files the export reads from now on (in this process)."""
    read: list[str] = []
    real = site_module.read_case

    def counted(path: Path, folder: Path) -> object:
        read.append(path.name)
        return real(path, folder)

    monkeypatch.setattr(site_module, "read_case", counted)
    return read


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def test_a_series_page_is_built_from_its_own_cases_and_kept_while_they_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = make_folder(tmp_path / "cases", "il6.series.yaml")
    site = tmp_path / "site"
    read = reads(monkeypatch)
    export_site(cases, site, workers=1)
    assert sorted(read) == sorted([*SERIES_CASES, "unrelated.yaml"])
    pages = [site / "series" / "il6.html", site / "series" / "il6-panels.html"]
    before = [stamp(page) for page in pages]

    read.clear()
    edit(cases / "unrelated.yaml", "title: ", "title: Edited ")
    report = export_site(cases, site, workers=1)
    assert read == ["unrelated.yaml"]
    assert report.written == ("case/unrelated.html", "index.html")
    assert [stamp(page) for page in pages] == before

    read.clear()
    edit(cases / "gamma.yaml", "title: ", "title: Edited ")
    report = export_site(cases, site, workers=1)
    # gamma for its page; the series' other valid cases for the series (broken is known)
    assert sorted(read) == ["alpha.yaml", "beta.yaml", "delta.yaml", "gamma.yaml"]
    assert "series/il6.html" in report.written
    fresh = tmp_path / "fresh"
    export_site(cases, fresh, workers=1)
    for page in pages:
        assert page.read_bytes() == (fresh / "series" / page.name).read_bytes()


def test_a_series_of_every_case_is_built_again_when_any_case_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = make_folder(tmp_path / "cases", "window.series.yaml")
    site = tmp_path / "site"
    export_site(cases, site, workers=1)
    read = reads(monkeypatch)
    edit(cases / "unrelated.yaml", "title: ", "title: Edited ")
    report = export_site(cases, site, workers=1)
    # every valid case; the broken one is known from the last export
    assert sorted(read) == ["alpha.yaml", "beta.yaml", "delta.yaml", "gamma.yaml", "unrelated.yaml"]
    fresh = tmp_path / "fresh"
    export_site(cases, fresh, workers=1)
    assert report.written.count("series/window.html") == 1
    assert (site / "series" / "window.html").read_bytes() == (
        fresh / "series" / "window.html"
    ).read_bytes()


def test_a_series_naming_no_case_suggests_what_reading_every_case_suggests(
    tmp_path: Path,
) -> None:
    cases = make_folder(tmp_path / "cases")
    (cases / "typo.series.yaml").write_text("title: Typo\ncases: [alpah, beta]\n", "utf-8")
    with pytest.raises(InvalidCase) as caught:
        load_series(cases / "typo.series.yaml")  # resolved against every case of the folder
    message = "no case 'alpah' in this folder; did you mean 'alpha'?"
    assert message in str(caught.value)
    export_site(cases, tmp_path / "site", workers=1)
    index = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert str(escape(message)) in index
    assert not (tmp_path / "site" / "series").exists()


def test_what_a_series_draws_is_matched_on_the_file_names() -> None:
    ids = ["alpha", "beta", "gamma", "delta", "unrelated"]

    def series(**parts: object) -> Series:
        return Series.model_validate({"title": "T", **parts})

    assert draws(series(), ids) == set(ids)
    assert draws(series(cases=["*a"]), ids) == {"alpha", "beta", "gamma", "delta"}
    assert draws(series(cases=["beta"], panels=["gamma"]), ids) == {"beta", "gamma"}
    assert draws(series(cases=["alpah", "nothing-like-it"]), ids) == {"alpha"}
