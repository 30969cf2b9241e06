"""Writing cases in the browser (`serve --edit`), in a real Chromium against a real server on
127.0.0.1: the live figure, problems at their lines, safe saves, and who may write."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.app.editing import Editing, editing_for, models
from dashboard.cli import cli
from dashboard.load import parse_case
from dashboard.saving import history_folder, log_entries, text_hash
from tests.conftest import CASE_FILES, ROOT, PageProblems
from tests.test_app import fetch, wait_until_serving

OpenPage = Callable[..., tuple[Page, PageProblems]]
# A case this project has never seen, with comments and a layout of its own.
CASE = """# Course of a made-up patient, for the editor's tests.
title: Myasthenia treated with eculizumab   # the working title
day0: {label: diagnosis}

treatments:
  # first line
  - drug: pyridostigmine
    dose: 60 mg three times daily
    start: day 0
    end: day 90
  - drug: eculizumab
    dose: 900 mg weekly     # induction
    start: day 60
    ongoing: true

events:
  - {at: day 0, kind: onset, label: ptosis}
  - {at: day 45, kind: relapse, label: crisis}   # the ICU stay
"""
SEED = ROOT / "timelines" / "nomura-2025-case2.yaml"
KIND_LINE = next(n for n, line in enumerate(CASE.splitlines(), 1) if "kind: relapse" in line)


class EditServer:
    """The app with editing on, on a free port of 127.0.0.1, in a thread of this process."""

    def __init__(self, folder: Path, editing: Editing | None) -> None:
        self.folder = folder
        app = create_app(folder, editing=editing)
        self._server = make_server("127.0.0.1", 0, app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        wait_until_serving(self.url)

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "myasthenia.yaml").write_text(CASE, encoding="utf-8")
    return cases


@pytest.fixture
def server(folder: Path) -> Iterator[EditServer]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = EditServer(folder, editing_for("127.0.0.1", True, None))
    yield server
    server.close()


@pytest.fixture
def read_only(folder: Path) -> Iterator[EditServer]:
    server = EditServer(folder, None)
    yield server
    server.close()


def _open_editor(open_page: OpenPage, server: EditServer, **options: Any) -> tuple[Page, Any]:
    page, problems = open_page(viewport={"width": 1500, "height": 1000}, **options)
    page.goto(server.url + "/case/myasthenia/edit")
    page.wait_for_function("document.body.dataset.checked >= 1")
    return page, problems


def _figure_text(page: Page) -> str:
    return str(page.evaluate("JSON.stringify(document.getElementById('edit-figure').data)"))


def _replace(page: Page, old: str, new: str) -> None:
    """Select `old` in the editor and type `new` over it with the keyboard, as a user would."""
    checked = int(page.evaluate("window.caseEditor.checked"))
    start = page.evaluate(f"window.caseEditor.text().indexOf({json.dumps(old)})")
    assert start >= 0
    page.get_by_role("textbox", name="Case file").click()
    page.evaluate(
        "([from, to]) => window.caseEditor.view.dispatch({selection: {anchor: from, head: to}})",
        [start, start + len(old)],
    )
    page.keyboard.type(new)
    page.wait_for_function(f"window.caseEditor.checked > {checked}")


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_changing_a_dose_redraws_the_figure(server: EditServer, open_page: OpenPage) -> None:
    """A dose typed in the text shows in the figure after a pause, without saving."""
    page, problems = _open_editor(open_page, server)
    assert "900 mg weekly" in _figure_text(page)
    _replace(page, "900 mg weekly", "1200 mg every 2 weeks")
    figure = _figure_text(page)
    assert "1200 mg every 2 weeks" in figure and "900 mg weekly" not in figure
    expect(page.locator("#edit-status")).to_have_text("Unsaved changes")
    assert (server.folder / "myasthenia.yaml").read_text(encoding="utf-8") == CASE
    problems.assert_clean()


def test_a_misspelt_kind_is_marked_at_its_line(server: EditServer, open_page: OpenPage) -> None:
    """A misspelt kind is underlined and marked in the gutter, listed under Problems with its
    line and a suggestion; its entry jumps to the line; the figure is kept, marked outdated."""
    page, _ = _open_editor(open_page, server)
    _replace(page, "kind: relapse", "kind: relaps")
    region = page.get_by_role("region", name="Problems")
    entry = region.get_by_role("button", name=f"Line {KIND_LINE}:")
    expect(entry).to_contain_text("'relaps'")
    expect(entry).to_contain_text("did you mean 'relapse'")
    expect(page.locator(".cm-lintRange-error")).to_have_count(1)
    expect(page.locator(".cm-lint-marker-error")).to_have_count(1)
    expect(page.locator("#figure-box")).to_have_class("figure-box outdated")
    expect(page.locator("#outdated-note")).to_be_visible()
    assert "crisis" in _figure_text(page)  # the last good figure stays
    page.evaluate("window.caseEditor.view.dispatch({selection: {anchor: 0}})")
    entry.click()
    line = page.evaluate(
        "window.caseEditor.view.state.doc.lineAt("
        "window.caseEditor.view.state.selection.main.head).number"
    )
    assert line == KIND_LINE
    _replace(page, "kind: relaps", "kind: relapse")
    expect(region.get_by_role("listitem")).to_have_count(0)
    expect(page.locator("#figure-box")).to_have_class("figure-box")


def test_save_changes_only_what_was_typed(server: EditServer, open_page: OpenPage) -> None:
    """Save writes the file with everything else byte for byte as it was, comments included;
    the version it replaced is kept in the history beside the folder and the save is logged."""
    page, problems = _open_editor(open_page, server)
    _replace(page, "60 mg three", "30 mg four")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#edit-status")).to_have_text("Saved myasthenia.yaml")
    path = server.folder / "myasthenia.yaml"
    assert path.read_bytes() == CASE.replace("60 mg three", "30 mg four").encode()
    kept = history_folder(server.folder) / "myasthenia.yaml"
    assert not kept.is_relative_to(server.folder.resolve())
    assert [version.read_bytes() for version in kept.iterdir()] == [CASE.encode()]
    [entry] = log_entries(server.folder)
    assert entry["file"] == "myasthenia.yaml" and entry["action"] == "save"
    assert entry["before"] == text_hash(CASE) and entry["after"] == text_hash(path.read_bytes())
    expect(page.get_by_role("button", name="Restore the version of")).to_have_count(1)
    problems.assert_clean()


def test_a_text_with_problems_is_saved_only_after_a_warning(
    server: EditServer, open_page: OpenPage
) -> None:
    """Work in progress with problems can be saved, but only once the user has confirmed."""
    page, _ = _open_editor(open_page, server)
    _replace(page, "kind: relapse", "kind: relaps")
    path = server.folder / "myasthenia.yaml"
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#edit-status")).to_have_text("Unsaved changes")
    assert path.read_text(encoding="utf-8") == CASE
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#edit-status")).to_have_text("Saved myasthenia.yaml")
    assert path.read_bytes() == CASE.replace("kind: relapse", "kind: relaps").encode()


def test_a_file_changed_on_disk_is_not_overwritten(server: EditServer, open_page: OpenPage) -> None:
    """Saving over a file changed on disk since the editor loaded it is refused, both versions
    are shown, and 'Keep mine as a copy' writes the user's text beside it."""
    page, _ = _open_editor(open_page, server)
    path = server.folder / "myasthenia.yaml"
    theirs = CASE.replace("ptosis", "ptosis and diplopia")
    path.write_text(theirs, encoding="utf-8")
    _replace(page, "crisis", "myasthenic crisis")
    page.get_by_role("button", name="Save").click()
    conflict = page.get_by_role("region", name="The file changed on disk since you opened it")
    expect(conflict).to_be_visible()
    expect(conflict.locator("#conflict-theirs")).to_contain_text("ptosis and diplopia")
    expect(conflict.locator("#conflict-mine")).to_contain_text("myasthenic crisis")
    assert path.read_text(encoding="utf-8") == theirs
    conflict.get_by_role("button", name="Keep mine as a copy").click()
    expect(page.locator("#edit-status")).to_have_text(
        "Your version is saved as myasthenia-copy.yaml"
    )
    copy = server.folder / "myasthenia-copy.yaml"
    assert copy.read_text(encoding="utf-8") == CASE.replace("crisis", "myasthenic crisis")
    assert path.read_text(encoding="utf-8") == theirs


def test_leaving_with_unsaved_changes_asks_first(server: EditServer, open_page: OpenPage) -> None:
    """Closing the page with unsaved text asks before leaving."""
    page, _ = _open_editor(open_page, server)
    _replace(page, "crisis", "crisis!")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)  # (the dialog is opened by the browser, with nothing to wait on)
    assert asked == ["beforeunload"]


def test_a_new_case_lands_in_the_edit_view_and_the_index(
    server: EditServer, open_page: OpenPage
) -> None:
    """'New case' on the index makes a copy of a case under a checked name, never over an
    existing file, opens it in the edit view, and the index lists it."""
    page, problems = open_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url + "/")
    page.get_by_role("link", name="New case").click()
    page.get_by_label("File name").fill("myasthenia")
    page.get_by_label("Start from").select_option("myasthenia")
    page.get_by_role("button", name="Create and edit").click()
    page.get_by_label("File name").fill("eculizumab-course")
    page.get_by_label("Start from").select_option("myasthenia")
    expect(page.get_by_role("alert")).to_contain_text("myasthenia.yaml exists already")
    page.get_by_role("button", name="Create and edit").click()
    expect(page).to_have_url(server.url + "/case/eculizumab-course/edit")
    assert (server.folder / "eculizumab-course.yaml").read_text(encoding="utf-8") == CASE
    assert (server.folder / "myasthenia.yaml").read_text(encoding="utf-8") == CASE
    page.goto(server.url + "/")
    expect(page.locator('a[href="/case/eculizumab-course"]')).to_be_visible()
    assert not problems.exceptions  # (the refused name was answered 400, as it should be)


def test_a_new_case_can_start_from_each_seed_case_as_a_model(
    server: EditServer, open_page: OpenPage
) -> None:
    """'Start from' offers an empty case, each seed case shipped with the package as a model,
    and a copy of each case of the folder; a model's text is the new file's, byte for byte."""
    seeds = {path.name: parse_case(path.read_text(encoding="utf-8")) for path in CASE_FILES}
    page, problems = open_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url + "/new")
    offered = page.get_by_label("Start from").locator("option").all_text_contents()
    assert offered == [
        "An empty case",
        *(f"Model: {seeds[name].title}" for name in sorted(seeds)),
        "A copy of Myasthenia treated with eculizumab (myasthenia)",
    ]
    page.get_by_label("File name").fill("after-nomura")
    page.get_by_label("Start from").select_option(label=f"Model: {seeds[SEED.name].title}")
    page.get_by_role("button", name="Create and edit").click()
    expect(page).to_have_url(server.url + "/case/after-nomura/edit")
    page.wait_for_function("document.body.dataset.checked >= 1")
    expect(page.locator("#problem-count")).to_have_text("No problems")
    assert (server.folder / "after-nomura.yaml").read_bytes() == SEED.read_bytes()
    problems.assert_clean()


def test_the_seed_cases_are_package_data() -> None:
    """The models are found in the installed package (dashboard/seeds, listed as package
    data), and they are the seed cases of timelines/."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "seeds/*.yaml" in pyproject["tool"]["setuptools"]["package-data"]["dashboard"]
    assert sorted(models()) == [path.name for path in CASE_FILES]
    for path in CASE_FILES:
        assert models()[path.name][1] == path.read_text(encoding="utf-8")


def test_the_case_page_links_to_its_edit_view_only_when_editing_is_on(
    server: EditServer, read_only: EditServer, open_page: OpenPage
) -> None:
    """The 'Edit' link is on a case page when editing is on, and absent otherwise."""
    page, _ = open_page(viewport={"width": 1400, "height": 900})
    page.goto(read_only.url + "/case/myasthenia")
    expect(page.get_by_role("link", name="Present")).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    page.goto(server.url + "/case/myasthenia")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("textbox", name="Case file")).to_be_visible()


def test_no_writing_route_without_edit(read_only: EditServer) -> None:
    """Without --edit no request writes: every writing route is refused and no file changes."""
    before = (read_only.folder / "myasthenia.yaml").read_bytes()
    own = {"Origin": read_only.url}
    for route in ("save", "copy", "restore", "check"):
        body = {"text": "title: replaced\n", "hash": text_hash(before), "version": "x"}
        status = _post(f"{read_only.url}/edit/myasthenia/{route}", body, own)
        assert status in (404, 405), route
    for route in ("/new", "/import", "/import/aaaaaaaaaaaaaaaaaaaaaaaa", "/sign-in"):
        assert _post(read_only.url + route, {"name": "x.yaml"}, own) in (404, 405), route
    assert fetch(read_only.url + "/case/myasthenia/edit")[0] == 404
    assert sorted(p.name for p in read_only.folder.iterdir()) == ["myasthenia.yaml"]
    assert (read_only.folder / "myasthenia.yaml").read_bytes() == before


def test_writing_from_another_origin_or_without_the_token_is_refused(
    server: EditServer,
) -> None:
    """A save from another site, or without the page's token, is refused; nothing changes."""
    path = server.folder / "myasthenia.yaml"
    before = path.read_bytes()
    page = fetch(server.url + "/case/myasthenia/edit")[2].decode()
    settings = page.split('id="editor-settings">')[1].split("</script>")[0]
    token = json.loads(settings)["token"]
    body = {"text": "title: replaced\n", "hash": text_hash(before)}
    save = f"{server.url}/edit/myasthenia/save"
    assert _post(save, body, {"Origin": "http://evil.example", "X-Edit-Token": token}) == 403
    assert _post(save, body, {"Origin": server.url}) == 403
    assert _post(save, body, {"X-Edit-Token": token}) == 403  # says no page it came from
    assert _post(save, body, {"Origin": server.url, "X-Edit-Token": "0" * 64}) == 403
    assert path.read_bytes() == before
    assert _post(save, body, {"Origin": server.url, "X-Edit-Token": token}) == 200
    assert path.read_text(encoding="utf-8") == "title: replaced\n"


def test_edit_on_a_shared_address_needs_a_secret() -> None:
    """`serve --edit --host 0.0.0.0` without a secret refuses to start, saying why."""
    env = {key: value for key, value in os.environ.items() if key != "CLINICAL_COURSE_SECRET"}
    result = CliRunner(env={**env, "CLINICAL_COURSE_SECRET": ""}).invoke(
        cli, ["serve", "timelines", "--edit", "--host", "0.0.0.0"]
    )
    assert result.exit_code == 1
    assert "--secret or CLINICAL_COURSE_SECRET" in result.output


def test_the_edit_view_works_under_the_content_security_policy(
    server: EditServer, open_page: OpenPage
) -> None:
    """The editor, its completion and the figure run under the app's policy, breaking none of
    it: no inline script runs, and the browser reports no violation."""
    page, problems = open_page(viewport={"width": 1500, "height": 1000}, bypass_csp=False)
    page.add_init_script(
        "window.__violations = []; document.addEventListener('securitypolicyviolation',"
        " (event) => window.__violations.push(event.violatedDirective));"
    )
    page.goto(server.url + "/case/myasthenia/edit")
    expect(page.locator("#problem-count")).to_have_text("No problems")
    expect(page.locator("#edit-figure .main-svg").first).to_be_attached()
    editor = page.get_by_role("textbox", name="Case file")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nperi")
    page.keyboard.press("Control+Space")
    expect(page.get_by_role("option", name="periods")).to_be_visible()
    assert page.evaluate("window.__violations") == []
    problems.assert_clean()


def test_an_earlier_version_is_restored_from_the_edit_view(
    server: EditServer, open_page: OpenPage
) -> None:
    """'Restore' puts a kept version back in the text; saving it writes it back."""
    page, _ = _open_editor(open_page, server)
    _replace(page, "crisis", "crisis (ICU)")
    page.get_by_role("button", name="Save").click()
    restore = page.get_by_role("button", name="Restore the version of")
    restore.click()
    page.wait_for_function(f"window.caseEditor.text() === {json.dumps(CASE)}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#edit-status")).to_have_text("Saved myasthenia.yaml")
    assert (server.folder / "myasthenia.yaml").read_text(encoding="utf-8") == CASE


SECRET = "a-long-enough-secret-for-tests"


def test_on_a_shared_address_only_signed_in_editors_write(
    folder: Path, open_page: OpenPage
) -> None:
    """With a secret (a server other machines reach), writing needs a session signed in with
    it, or the user name of the operator's trusted proxy header; a wrong secret is refused."""
    server = EditServer(folder, editing_for("0.0.0.0", False, SECRET, "X-Remote-User"))
    try:
        path = folder / "myasthenia.yaml"
        page, _ = open_page(viewport={"width": 1500, "height": 1000})
        page.goto(server.url + "/case/myasthenia/edit")
        expect(page).to_have_url(re.compile(r"/sign-in\?next="))
        page.get_by_label("The server's secret").fill("not the secret at all")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("That is not this server's secret.")
        page.get_by_label("The server's secret").fill(SECRET)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(server.url + "/case/myasthenia/edit")
        page.wait_for_function("document.body.dataset.checked >= 1")
        _replace(page, "crisis", "crisis and intubation")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#edit-status")).to_have_text("Saved myasthenia.yaml")
        token = page.evaluate(
            "JSON.parse(document.getElementById('editor-settings').textContent).token"
        )
        body = {"text": "title: replaced\n", "hash": text_hash(path.read_bytes())}
        save = f"{server.url}/edit/myasthenia/save"
        headers = {"Origin": server.url, "X-Edit-Token": token}
        assert _post(save, body, headers) == 401  # the right token, but no session
        assert "intubation" in path.read_text(encoding="utf-8")
        assert _post(save, body, {**headers, "X-Remote-User": "dr.lee"}) == 200
        assert log_entries(folder)[-1]["who"].startswith("dr.lee ")
    finally:
        server.close()


WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}


def _violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [f"{rule['id']}: {[node['target'] for node in rule['nodes']]}" for rule in found]


def test_the_editing_pages_pass_wcag_aa(server: EditServer, open_page: OpenPage) -> None:
    """axe-core finds no WCAG 2.2 AA violation on the index (with 'New case'), the new-case
    form, the edit view with a problem listed and with both versions of a conflict shown."""
    page, _ = open_page(viewport={"width": 1500, "height": 1000})
    page.goto(server.url + "/")
    expect(page.get_by_role("link", name="New case")).to_be_visible()
    # (axe runs once the index's grids have drawn their headers, the rows their grid requires)
    expect(page.locator('[role="columnheader"]').first).to_be_visible()
    expect(page.locator('[role="gridcell"]').first).to_be_visible()
    assert _violations(page) == []
    page.goto(server.url + "/new")
    assert _violations(page) == []
    page.goto(server.url + "/case/myasthenia/edit")
    page.wait_for_function("document.body.dataset.checked >= 1")
    _replace(page, "kind: relapse", "kind: relaps")
    assert _violations(page) == []
    (server.folder / "myasthenia.yaml").write_text(CASE + "# theirs\n", encoding="utf-8")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Take theirs")).to_be_visible()
    assert _violations(page) == []


def test_the_edit_flow_works_with_the_keyboard_alone(
    server: EditServer, open_page: OpenPage
) -> None:
    """From the case page to a saved change with keys only: the Edit link, typing in the
    text, a problem's entry that moves the cursor to its line, and Save."""
    page, _ = open_page(viewport={"width": 1500, "height": 1000})
    page.goto(server.url + "/case/myasthenia")
    edit = page.get_by_role("link", name="Edit", exact=True)
    expect(edit).to_be_visible()
    edit.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.dataset.checked >= 1")
    for _ in range(10):  # Tab until the text has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Case file":
            break
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Case file"
    page.keyboard.press("Control+End")
    page.keyboard.type("  - {at: day 50, kind: relaps}")
    entry = page.get_by_role("region", name="Problems").get_by_role("button")
    expect(entry).to_contain_text("'relaps'")
    entry.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Case file"
    for _ in "relaps":  # the cursor is at the start of the misspelt word
        page.keyboard.press("ArrowRight")
    page.keyboard.type("e")
    expect(page.locator("#problem-count")).to_have_text("No problems")
    page.keyboard.press("Escape")  # (Tab indents in the text; after Escape it moves on)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "tab"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save"
    page.keyboard.press("Enter")
    expect(page.locator("#edit-status")).to_have_text("Saved myasthenia.yaml")
    assert (server.folder / "myasthenia.yaml").read_text(encoding="utf-8") == (
        CASE + "  - {at: day 50, kind: relapse}"
    )


def test_an_imported_spreadsheet_is_previewed_then_written_into_the_folder(
    server: EditServer, open_page: OpenPage, tmp_path: Path
) -> None:
    """'Import' on the index previews the cases of an uploaded case table with what was kept,
    writes nothing until asked, then writes them beside the others; the index lists them."""
    from dashboard.importers.spreadsheet import write_table

    table = tmp_path / "course.xlsx"
    write_table([("gravis", parse_case(CASE))], table)
    page, problems = open_page(viewport={"width": 1400, "height": 900})
    page.goto(server.url + "/")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Files to import").set_input_files(table)
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="What the import would write")
    expect(preview.get_by_role("cell", name="gravis.yaml")).to_be_visible()
    expect(preview).to_contain_text("2 treatment entries, 2 events")
    assert sorted(path.name for path in server.folder.iterdir()) == ["myasthenia.yaml"]
    assert _violations(page) == []
    page.get_by_role("button", name="Write these cases").click()
    expect(page.locator('a[href="/case/gravis"]')).to_be_visible()
    written = parse_case((server.folder / "gravis.yaml").read_text(encoding="utf-8"))
    assert [treatment.drug for treatment in written.treatments] == [
        "pyridostigmine",
        "eculizumab",
    ]
    assert log_entries(server.folder)[-1]["action"] == "import"
    problems.assert_clean()
