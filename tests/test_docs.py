"""The documentation: the site builds strictly, every command and option is documented, and
every example the pages show works."""

from __future__ import annotations

import functools
import html
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click
import pytest
from playwright.sync_api import Page, expect

from dashboard.cli import cli
from dashboard.figure import build_figure
from dashboard.load import parse_case
from dashboard.series.load import load_series
from tests.conftest import ROOT, TIMELINES, PageProblems

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
GUIDES = [page for page in PAGES if page.name != "commands.md"]
README = ROOT / "README.md"
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)


def _commands(
    command: click.Command = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the tree, the group itself first, with its path of names."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands())


def _flat(text: str) -> str:
    """Text with every run of white space one space, as wrapped help reads unwrapped."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built as `mkdocs build --strict` builds it."""
    folder = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return folder


def _sections(page: str) -> dict[str, str]:
    """The generated reference's text under each command's heading, by the heading's id."""
    headings = list(re.finditer(r'<h[1-6] id="([^"]+)"', page))
    sections = {}
    for heading, after in zip(headings, [*headings[1:], None], strict=True):
        end = after.start() if after else len(page)
        text = re.sub(r"<[^>]+>", " ", page[heading.end() : end])
        sections[heading.group(1)] = _flat(html.unescape(text))
    return sections


def test_the_site_builds_strictly_with_every_page(site: Path) -> None:
    """`mkdocs build --strict` succeeds (no broken link, anchor or picture; no page left out
    of the navigation) without a network, and writes a page for every Markdown file in docs/
    and every picture."""
    for page in PAGES:
        assert (site / page.with_suffix(".html").name).is_file(), page.name
    assert (site / "search" / "search_index.json").is_file(), "the search index is built"
    for picture in (DOCS / "images").iterdir():
        assert (site / "images" / picture.name).is_file(), picture.name


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_search_finds_words_of_the_pages_without_a_network(
    site: Path, open_page: Callable[..., tuple[Page, PageProblems]]
) -> None:
    """The built site, served from 127.0.0.1 and read in Chromium, finds a word of one page
    in its search box and asks nothing of any other host (no web fonts, no scripts)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page, problems = open_page()
        elsewhere: list[str] = []
        base = f"http://127.0.0.1:{server.server_port}/"
        page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
        page.goto(base + "index.html")
        # Typed before the search index is loaded, a query would be dropped: wait for it.
        expect(page.locator(".md-search-result__meta")).to_have_text("Type to start searching")
        search = page.get_by_role("textbox", name="Search")
        search.click()
        search.press_sequentially("nginx")  # as typed: a value set at once may go unnoticed
        result = page.locator(".md-search-result__item a").first
        result.wait_for()
        assert "serving.html" in (result.get_attribute("href") or "")
        assert elsewhere == []
        problems.assert_clean()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS.items(), ids=[" ".join(("clinical-course", *p)) for p in COMMANDS]
)
def test_every_command_option_and_argument_is_in_the_reference(
    site: Path, path: tuple[str, ...], command: click.Command
) -> None:
    """Every command of the click tree has its own section in the generated command
    reference, with its help, a usage line naming each of its arguments, and each of its
    options with every spelling and its help text; an option without help is undocumented."""
    sections = _sections((site / "commands.html").read_text(encoding="utf-8"))
    name = " ".join(("clinical-course", *path))
    section = sections.get(name.replace(" ", "-"))
    assert section is not None, f"no section for `{name}` in the command reference"
    assert command.help and _flat(command.help.split("\n\n")[0]) in section, f"help of `{name}`"
    usage = re.search(rf"Usage: {re.escape(name)} \[OPTIONS\]([^:]*?) Options:", section)
    assert usage is not None, f"usage line of `{name}`"
    context = click.Context(command)
    for parameter in command.params:
        if isinstance(parameter, click.Argument):
            assert parameter.make_metavar(context) in usage.group(1).split(), parameter.name
        elif isinstance(parameter, click.Option):
            assert parameter.help, f"`{name} {parameter.opts[-1]}` has no help text"
            for spelling in parameter.opts:
                assert re.search(rf"(^| |,){re.escape(spelling)}\b", section), spelling
            assert _flat(parameter.help) in section, f"help of `{name} {parameter.opts[-1]}`"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_shown_in_use_in_the_guides(name: str) -> None:
    """Each command is shown at work, `clinical-course NAME ...`, on some page besides the
    generated reference, so that a reader meets it where it helps."""
    shown = [page.name for page in GUIDES if f"clinical-course {name}" in page.read_text("utf-8")]
    assert shown, f"no page shows `clinical-course {name}` in use"


def _command_lines(text: str) -> Iterator[str]:
    """Command lines shown in a page: inline code and lines of code blocks that run
    `clinical-course`, or start with one of its commands followed by an option."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    for code in re.findall(r"`([^`\n]+)`", text) + lines:
        line = code.strip().removeprefix("$ ")
        words = line.split()
        if words and words[0] == "clinical-course":
            yield line
        elif len(words) > 1 and words[0] in cli.commands and words[1].startswith("-"):
            yield f"clinical-course {line}"


def _shown_commands() -> list[tuple[str, str]]:
    """(page, command line) for every command line the README and the pages show."""
    shown = {
        (page.name, line)
        for page in [README, *PAGES]
        for line in _command_lines(page.read_text(encoding="utf-8"))
    }
    return sorted(shown)


@pytest.mark.parametrize(("page", "line"), _shown_commands())
def test_every_command_line_shown_exists(page: str, line: str) -> None:
    """A command line the docs show names a command that exists, and only options that
    command has, so a reader who copies it gets no "No such option"."""
    words = shlex.split(line.split(" #")[0].replace("\\", ""))[1:]
    command: click.Command = cli
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        sub = command.commands.get(words.pop(0))
        assert sub is not None, f"{page}: no such command in `{line}`"
        command = sub
    spellings = {spelling for parameter in command.params for spelling in parameter.opts}
    spellings |= {"-h", "--help", "--version"}
    for word in words:
        if word.startswith("-") and not re.fullmatch(r"-\d.*", word):
            assert word.split("=")[0] in spellings, f"{page}: `{word}` in `{line}`"


def test_every_option_named_in_a_guide_exists() -> None:
    """An option written on its own in a guide (`--keep-dates`) is an option of some command."""
    spellings = {s for _, c in COMMANDS.items() for p in c.params for s in p.opts}
    for page in GUIDES:
        for option in re.findall(r"`(--[a-z][a-z0-9-]*)", page.read_text(encoding="utf-8")):
            assert option in spellings, f"{page.name}: no command has `{option}`"


def _yaml_examples() -> list[tuple[str, str]]:
    """(page and number, text) of every YAML example in the pages."""
    return [
        (f"{page.name}#{number}", block)
        for page in PAGES
        for number, block in enumerate(YAML_BLOCK.findall(page.read_text(encoding="utf-8")))
    ]


@pytest.mark.parametrize(("where", "text"), _yaml_examples(), ids=[w for w, _ in _yaml_examples()])
def test_every_yaml_example_is_a_valid_file(where: str, text: str, tmp_path: Path) -> None:
    """Every YAML example in the docs is a whole file that works as shown: a series file
    (it names `cases`, `align` or `panels`) resolves against the example cases with none
    missing; any other is a case file that loads without a problem and draws."""
    if re.search(r"^(cases|align|panels):", text, re.M):
        folder = tmp_path / "timelines"
        shutil.copytree(TIMELINES, folder)
        (folder / "example.series.yaml").write_text(text, encoding="utf-8")
        series = load_series(folder / "example.series.yaml")
        assert series.cases and not series.invalid, where
    else:
        build_figure(parse_case(text, where))


def test_the_full_example_shows_every_timing_form() -> None:
    """The complete example of "Writing a case" shows every treatment timing form, both
    treatment kinds, repeated and ongoing dosing, steps, periods and a dated day 0."""
    page = (DOCS / "writing-a-case.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example.*?```yaml\n(.*?)```", page, re.S)
    assert example is not None
    case = parse_case(example.group(1), "writing-a-case.md")
    assert {treatment.timing for treatment in case.treatments} == {"continuous", "given", "doses"}
    assert {treatment.kind for treatment in case.treatments} == {"drug", "procedure"}
    assert any(t.every for t in case.treatments) and any(t.ongoing for t in case.treatments)
    assert case.teaching.steps and case.periods and case.day0_date is not None


def test_the_readme_is_one_screen_of_commands_a_picture_and_links() -> None:
    """The README opens with the two set-up commands, fits one screen (40 lines), and every
    link and picture in it points to a file that exists, so it works on GitHub and offline."""
    text = README.read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", text, re.S)
    assert commands[:2] == ["pip install -e . && clinical-course serve timelines/", "scripts/test"]
    assert text.split("```sh")[0].strip() == "# clinical-course", "the commands come first"
    assert len(text.splitlines()) <= 40
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert len([link for link in links if link.startswith("docs/images/")]) == 1, "one picture"
    for link in links:
        if not re.match(r"[a-z]+://", link):
            assert (ROOT / link.split("#")[0]).is_file(), link
    linked = {link for link in links if link.endswith(".md")}
    assert linked == {f"docs/{page.name}" for page in PAGES if page.name != "index.md"}
