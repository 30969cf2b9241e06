"""The static site: offline in Chromium from file://, inert case text, and a careful writer."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from dashboard.export import ExportError, siteindex
from dashboard.export import site as site_module
from dashboard.export.site import MANIFEST, export_site
from dashboard.fonts import FACES
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
    written = manifest(site)
    assert written["complete"] is True
    fonts = [f"fonts/{face.file}" for face in FACES]  # shared by every page, written once
    assert written["files"] == sorted(
        ["index.html", "plotly.min.js", "style.css", *fonts]
        + [f"case/{stem}.html" for stem in expected]
    )
    notes = written["notes"]
    assert isinstance(notes, dict) and notes["build"] == "0.1.0|screen|exact"
    assert sorted(notes["cases"]) == sorted(
        [path.name for path in CASE_FILES] + ["hostile.yaml", "broken.yaml"]
    )


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
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cases", "site"]


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
    real = site_module.figure_spec

    def failing(case: object, **view: object) -> object:
        built.append("one")
        if len(built) == 2:
            raise RuntimeError("disk full")
        return real(case, **view)  # type: ignore[arg-type]

    monkeypatch.setattr(site_module, "figure_spec", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        export_site(cases, site, theme="print")
    after = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    assert after == before
    built.clear()
    with pytest.raises(RuntimeError, match="disk full"):
        export_site(cases, tmp_path / "new-site")
    assert not (tmp_path / "new-site").exists()


# -- incremental export, symlinks, and a swap that a kill cannot break -----------------------


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every regular file under `root` (no symlink followed): inode, mtime and content."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            info = path.stat()
            found[path.relative_to(root).as_posix()] = (
                info.st_ino,
                info.st_mtime_ns,
                path.read_bytes(),
            )
    return found


def test_a_re_export_after_one_edit_writes_that_page_and_the_index(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    first = export_site(cases, site)
    assert first.kept == 0
    before = snapshot(site)
    edited = cases / "nomura-2025-case1.yaml"
    edited.write_text(
        edited.read_text("utf-8").replace("title: ", "title: Edited – ", 1), encoding="utf-8"
    )
    report = export_site(cases, site)
    assert report.written == ("case/nomura-2025-case1.html", "index.html")
    after = snapshot(site)
    assert sorted(after) == sorted(before)
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == [".clinical-course-site.json", "case/nomura-2025-case1.html", "index.html"]
    assert "Edited – " in (site / "index.html").read_text("utf-8")
    again = export_site(cases, site)
    assert again.written == ()
    assert {n: v for n, v in snapshot(site).items() if n != MANIFEST} == {
        n: v for n, v in after.items() if n != MANIFEST
    }


def test_a_new_theme_rebuilds_every_page(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    export_site(cases, site)
    report = export_site(cases, site, theme="print")
    assert sum(name.startswith("case/") for name in report.written) == len(report.cases)


def test_a_symlinked_case_folder_gets_nothing_written_through_it(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    export_site(cases, site)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(site / "case", elsewhere)
    (elsewhere / "precious.txt").write_text("not the site's")
    shutil.rmtree(site / "case")
    (site / "case").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(elsewhere)
    (cases / "hostile.yaml").unlink()  # a page the export would delete
    report = export_site(cases, site)
    assert snapshot(elsewhere) == before
    assert not (site / "case").is_symlink() and (site / "case").is_dir()
    assert sorted(path.name for path in (site / "case").iterdir()) == sorted(
        f"{case_id}.html" for case_id in report.cases
    )


def test_a_symlinked_page_is_replaced_never_written_through(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    export_site(cases, site)
    outside = tmp_path / "outside.html"
    outside.write_text("someone else's file")
    page = site / "case" / "lauenstein-2014.html"
    page.unlink()
    page.symlink_to(outside)
    gone = site / "case" / "hostile.html"
    gone.unlink()
    gone.symlink_to(outside)
    (cases / "hostile.yaml").unlink()
    export_site(cases, site)
    assert outside.read_text() == "someone else's file"
    assert not page.is_symlink() and "Neuromyelitis optica" in page.read_text("utf-8")
    assert not gone.exists() and not gone.is_symlink()


def test_a_site_folder_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    real = tmp_path / "real"
    export_site(cases, real)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    before = snapshot(real)
    with pytest.raises(ExportError, match="is a symbolic link"):
        export_site(cases, tmp_path / "link")
    assert snapshot(real) == before


def test_the_fallback_swap_is_recovered_when_killed_between_its_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.export import sitewrite

    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    monkeypatch.setattr(sitewrite, "_renameat2", lambda new, site: False)
    export_site(cases, site)
    (site / "notes.txt").write_text("the user's own")
    export_site(cases, site, theme="print")  # the two-rename swap keeps the user's file
    assert (site / "notes.txt").read_text() == "the user's own"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cases", "site"]
    # A kill after the first rename: the site is away under its old name, no new site yet.
    site.rename(tmp_path / ".site.clinical-course-old-x1")
    report = export_site(cases, site, theme="print")
    assert (site / "notes.txt").read_text() == "the user's own"
    assert report.written == ()  # the old site was put back whole: nothing to build again
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cases", "site"]


def site_is_complete(site: Path) -> bool:
    """Every file the manifest lists exists, and every link of every index page resolves."""
    data = manifest(site)
    files = data["files"]
    assert isinstance(files, list)
    for name in files:
        assert (site / name).is_file(), name
    for index in site.glob("index*.html"):
        for href in re.findall(r'href="([^"#:]+)"', index.read_text("utf-8")):
            assert (site / href).is_file(), href
    return True


def test_a_killed_export_leaves_the_old_or_the_new_site_complete(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    cases = make_cases(tmp_path / "cases")
    for number in range(40):
        shutil.copy(CASE_FILES[number % len(CASE_FILES)], cases / f"extra-{number:02}.yaml")
    site = tmp_path / "site"
    export_site(cases, site)
    command = [sys.executable, "-m", "dashboard", "export", str(cases), "-o", str(site)]
    for delay in (0.3, 0.8, 1.3, 1.8, 2.5, 3.5, 5.0):
        for name in ("lauenstein-2014.yaml", "extra-00.yaml"):  # something to rebuild
            path = cases / name
            path.write_text(path.read_text("utf-8") + f"\n# {delay}\n", encoding="utf-8")
        theme = "print" if delay * 10 % 2 else "screen"  # every page changes
        process = subprocess.Popen(
            [*command, "--theme", theme],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)  # a kill at an arbitrary moment: there is nothing to wait for
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert site_is_complete(site)
    export_site(cases, site)
    assert site_is_complete(site)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cases", "site"]


def test_a_large_index_is_paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(siteindex, "PAGE_SIZE", 2)
    cases = make_cases(tmp_path / "cases")
    report = export_site(cases, tmp_path / "site")
    site = report.output
    pages = sorted(path.name for path in site.glob("index*.html"))
    assert pages == ["index-2.html", "index.html"]
    first = (site / "index.html").read_text("utf-8")
    second = (site / "index-2.html").read_text("utf-8")
    assert first.count('<li class="case-card"') == 2 and second.count('<li class="case-card"') == 2
    assert "Cases 1–2 of 4" in first and "Cases 3–4 of 4" in second
    assert '<a href="index-2.html">2</a>' in first
    assert '<a href="index.html">1</a>' in second
    assert "with problems" in first and "with problems" not in second
    listed = re.findall(r'data-case="([^"]+)"', first + second)
    assert sorted(listed) == sorted(report.cases)


def test_pages_built_in_worker_processes_are_the_pages_built_here(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    here = export_site(cases, tmp_path / "here", workers=1)
    there = export_site(cases, tmp_path / "there", workers=2)
    assert sorted(there.cases) == sorted(here.cases)
    assert [str(bad) for bad in there.invalid] == [str(bad) for bad in here.invalid]
    assert there.written == here.written

    def contents(root: Path) -> dict[str, bytes]:
        return {name: data for name, (_, _, data) in snapshot(root).items()}

    assert contents(tmp_path / "there") == contents(tmp_path / "here")


def test_an_edit_that_keeps_the_title_rewrites_its_page_and_its_index_page(
    tmp_path: Path,
) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for number in range(150):
        (cases / f"case-{number:03}.yaml").write_text(f"title: Case {number:03}\n", "utf-8")
    site = tmp_path / "site"
    first = export_site(cases, site, workers=2)
    assert (len(first.cases), first.kept) == (150, 0)
    edited = cases / "case-120.yaml"
    edited.write_text("title: Case 120\ndiagnoses: [Edited disease]\n", "utf-8")
    report = export_site(cases, site, workers=2)
    assert report.written == ("case/case-120.html", "index-2.html")
    assert "Edited disease" in (site / "index-2.html").read_text("utf-8")
    assert "Edited disease" not in (site / "index.html").read_text("utf-8")


def test_a_page_keeps_its_name_whatever_happens_to_other_files(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "case-a.yaml").write_text("title: Lower case\n", "utf-8")
    (cases / "Case-A.yaml").write_text("title: [never closed\n", "utf-8")
    site = tmp_path / "site"
    first = export_site(cases, site, workers=1)
    assert first.cases == {"case-a": site / "case" / "case-a-2.html"}  # "Case-A" sorts first
    (cases / "Case-A.yaml").write_text("title: Upper case\n", "utf-8")
    second = export_site(cases, site, workers=1)
    assert second.cases == {
        "Case-A": site / "case" / "Case-A.html",
        "case-a": site / "case" / "case-a-2.html",
    }
    assert second.written == ("case/Case-A.html", "index.html")


def test_an_edit_that_keeps_size_and_modification_time_is_still_exported(tmp_path: Path) -> None:
    cases = make_cases(tmp_path / "cases")
    site = tmp_path / "site"
    export_site(cases, site)
    edited = cases / "nomura-2025-case1.yaml"
    before = edited.stat()
    text = edited.read_text("utf-8")
    assert "Case 1" in text
    edited.write_text(text.replace("Case 1", "Case I", 1), "utf-8")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = edited.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    report = export_site(cases, site)
    assert "case/nomura-2025-case1.html" in report.written
    assert "Case I" in (site / "case" / "nomura-2025-case1.html").read_text("utf-8")
