"""Shared fixtures: the project's folders, and a real Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:  # (imported where a browser starts: unit tests need no Playwright)
    from playwright.sync_api import Browser, ConsoleMessage, Page

ROOT = Path(__file__).resolve().parent.parent
TIMELINES = ROOT / "timelines"
INVALID = Path(__file__).resolve().parent / "data" / "invalid"
CASE_FILES = sorted(p for p in TIMELINES.glob("*.yaml") if not p.name.endswith(".series.yaml"))
SERIES_FILES = sorted(TIMELINES.glob("*.series.yaml"))
INVALID_FILES = sorted(INVALID.glob("*.yaml"))


def copy_of_timelines(folder: Path) -> Path:
    """`folder`, made if need be, holding a copy of every case and series file in timelines/."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in TIMELINES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    return folder


# The one Hypothesis profile: the same examples on every run, no deadline (a loaded machine
# is not a failure), nothing stored between runs. A test may ask for another number of
# examples (@settings(max_examples=...)), nothing else.
# `python benchmarks/bench_fuzz.py --examples 5000` explores far more.
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci")

CHROMIUM = "/usr/bin/chromium"
# As root in a container, without a GPU, on a machine with no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def case_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Catalogue caches in a folder of the test run, never the user's own cache folder."""
    folder = tmp_path_factory.mktemp("cache")
    saved = os.environ.get("CLINICAL_COURSE_CACHE")
    os.environ["CLINICAL_COURSE_CACHE"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("CLINICAL_COURSE_CACHE", None)
    else:
        os.environ["CLINICAL_COURSE_CACHE"] = saved


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems:
    """What went wrong in a page: console errors, uncaught exceptions, failed requests."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.exceptions: list[str] = []
        self.failed_requests: list[str] = []

    def watch(self, page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.console.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.exceptions.append(str(error)))
        page.on("requestfailed", lambda request: self.failed_requests.append(request.url))
        return page

    def assert_clean(self) -> None:
        assert not self.exceptions, f"uncaught exceptions in the page: {self.exceptions}"
        assert not self.console, f"console errors in the page: {self.console}"


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., tuple[Page, PageProblems]]]:
    """Open fresh pages (own context each); pages are closed after the test."""
    contexts = []

    def open_(**context_options: object) -> tuple[Page, PageProblems]:
        # Playwright's polled waits (wait_for_function) run as eval in the page, which the
        # app's Content-Security-Policy refuses; tests of that policy pass bypass_csp=False.
        options = {"bypass_csp": True, **context_options}
        context = browser.new_context(**options)  # type: ignore[arg-type]
        contexts.append(context)
        problems = PageProblems()
        return problems.watch(context.new_page()), problems

    yield open_
    for context in contexts:
        context.close()
