"""The static site: offline in Chromium from file://, inert case text, and a careful writer."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from dashboard.export import ExportError
from dashboard.export import site as site_module
from dashboard.export.site import MANIFEST, export_site
from tests.conftest import CASE_FILES, INVALID, ROOT, PageProblems

OpenPage = Callable[..., tuple[Page, PageProblems]]
HOSTILE = ROOT / "tests" / "data" / "hostile.yaml"
HOSTILE_TITLE = (
    "<script>window.__pwned = 'title'</script> Hostile </title>"
    "<img src=x onerror=\"window.__pwned='img'\">"
)


def make_cases(folder: Path) -> Path:
    """The seed cases, a hostile one and a broken one."""
    folder.mkdir(parents=True)
    for path in CASE_FILES:
        shutil.copy(path, folder / path.name)
    shutil.copy(HOSTILE, folder / "hostile.yaml")
    shutil.copy(INVALID / "end-before-start.yaml", folder / "broken.yaml")
    return folder


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, site_module.SiteReport]:
    root = tmp_path_factory.mktemp("site")
    cases = make_cases(root / "cases")
    return cases, export_site(cases, root / "site")


def manifest(site: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((site / MANIFEST).read_text("utf-8"))
    return data


def test_every_valid_case_gets_a_page_and_plotly_js_is_written_once(
    exported: tuple[Path, site_module.SiteReport],
) -> None:
    _, report = exported
    site = report.output
    expected = sorted([path.stem for path in CASE_FILES] + ["hostile"])
    assert sorted(report.cases) == expected
    assert sorted(path.name for path in (site / "case").iterdir()) == [
        f"{stem}.html" for stem in expected
    ]
    assert [path.name for path in site.rglob("*.js")] == ["plotly.min.js"]
    for page in report.cases.values():
        html = page.read_text("utf-8")
        assert '<script src="../plotly.min.js"></script>' in html
        assert '<link rel="stylesheet" href="../style.css">' in html
        assert len(html) < 200_000  # plotly.js is not inlined
        assert not re.search(r"""(?:src|href)=["']/(?!/)""", html)  # no root-relative links
    assert manifest(site) == {
        "generator": manifest(site)["generator"],
        "complete": True,
        "files": sorted(
            ["index.html", "plotly.min.js", "style.css"]
            + [f"case/{stem}.html" for stem in expected]
        ),
    }


def test_the_index_lists_each_case_and_the_skipped_file_with_its_line(
    exported: tuple[Path, site_module.SiteReport],
) -> None:
    _, report = exported
    index = (report.output / "index.html").read_text("utf-8")
    assert index.count('<li class="case-card"') == len(report.cases)
    assert index.count('<svg class="preview"') == len(report.cases)
    assert "Neuromyelitis optica treated with tocilizumab" in index
    assert "10.2169/internalmedicine.3757-24" in index
    assert [Path(bad.path).name for bad in report.invalid] == ["broken.yaml"]
    assert re.search(r"cases/broken\.yaml:\d+:\d+: treatments\[0\]\.end: ends on", index)
    assert str(report.output.parent) not in index  # no local paths on a public page


def test_the_site_works_offline_from_file_urls(
    exported: tuple[Path, site_module.SiteReport], open_page: OpenPage
) -> None:
    _, report = exported
    page, problems = open_page()
    fetched: list[str] = []

    def refuse(route: Route) -> None:
        fetched.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://"), refuse)
    page.goto((report.output / "index.html").as_uri())
    page.get_by_role("link", name="Neuromyelitis optica treated with tocilizumab").click()
    page.wait_for_selector("#course-chart .main-svg")
    assert page.evaluate("document.getElementById('course-chart').data.length") > 3
    assert page.url.endswith("/case/lauenstein-2014.html")
    page.get_by_role("link", name="← All cases").click()
    page.wait_for_selector("h1:text('Clinical courses')")
    assert fetched == []
    assert problems.failed_requests == []
    problems.assert_clean()


def test_a_hostile_case_stays_inert_on_the_index_and_its_page(
    exported: tuple[Path, site_module.SiteReport], open_page: OpenPage
) -> None:
    _, report = exported
    page, problems = open_page()
    page.goto((report.output / "index.html").as_uri())
    card = page.locator('li[data-case="hostile"] h2')
    assert card.inner_text() == HOSTILE_TITLE
    page.goto(report.cases["hostile"].as_uri())
    page.wait_for_selector("#course-chart .main-svg")
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.evaluate("typeof window.__pwned") == "undefined"
    problems.assert_clean()


def test_export_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("mine")
    with pytest.raises(ExportError, match="is not empty and was not made by clinical-course"):
        export_site(cases, foreign)
    assert [path.name for path in foreign.iterdir()] == ["thesis.docx"]


@pytest.mark.parametrize("where", ["itself", "parent", "other case folder"])
def test_export_refuses_a_case_folder(tmp_path: Path, where: str) -> None:
    cases = make_cases(tmp_path / "cases")
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(CASE_FILES[0], other / CASE_FILES[0].name)
    target = {"itself": cases, "parent": tmp_path, "other case folder": other}[where]
    before = sorted(target.rglob("*"))
    with pytest.raises(ExportError, match="case folder"):
        export_site(cases, target)
    assert sorted(target.rglob("*")) == before


def test_re_export_replaces_only_its_own_files(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    export_site(cases, site)
    (site / "README.txt").write_text("the user's own file")
    (site / "case" / "extra.css").write_text("/* the user's too */")
    (cases / "hostile.yaml").unlink()
    report = export_site(cases, site, theme="print")
    assert "hostile" not in report.cases
    assert not (site / "case" / "hostile.html").exists()
    assert (site / "README.txt").read_text() == "the user's own file"
    assert (site / "case" / "extra.css").exists()
    files = manifest(site)["files"]
    assert isinstance(files, list)
    assert "README.txt" not in files and "case/hostile.html" not in files
    assert not list(site.glob(".clinical-course-staging-*"))


def test_export_never_overwrites_a_file_it_did_not_write(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    export_site(cases, site)
    shutil.copy(CASE_FILES[0], cases / "new-case.yaml")
    (site / "case" / "new-case.html").write_text("hand-made")
    with pytest.raises(ExportError, match="was not written by clinical-course export"):
        export_site(cases, site)
    assert (site / "case" / "new-case.html").read_text() == "hand-made"
    assert "case/new-case.html" not in manifest(site)["files"]  # type: ignore[operator]


def test_a_failure_midway_leaves_the_previous_site_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    export_site(cases, site)
    before = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    built: list[str] = []
    real = site_module.build_figure

    def failing(case: object, **view: object) -> object:
        built.append("one")
        if len(built) == 2:
            raise RuntimeError("disk full")
        return real(case, **view)  # type: ignore[arg-type]

    monkeypatch.setattr(site_module, "build_figure", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        export_site(cases, site, theme="print")
    after = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    assert after == before
    built.clear()
    with pytest.raises(RuntimeError, match="disk full"):
        export_site(cases, tmp_path / "new-site")
    assert not (tmp_path / "new-site").exists()
