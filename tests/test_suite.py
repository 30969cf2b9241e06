"""The test suite's own rules: unit tests need no browser, and every property test runs under
the one Hypothesis profile of conftest.py."""

from __future__ import annotations

import ast
import subprocess
import sys

from hypothesis import settings

from tests.conftest import ROOT

# What a test may say about its own examples: how many, nothing that changes how they are run.
ALLOWED_SETTINGS = {"max_examples"}


def test_unit_tests_run_without_playwright() -> None:
    """conftest.py, and a test module that draws no page, import with Playwright missing."""
    code = (
        "import sys; sys.modules['playwright'] = None\n"
        "import tests.conftest, tests.test_thresholds\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_suite_runs_under_one_hypothesis_profile() -> None:
    """The profile of conftest.py is loaded: no deadline, the same examples on every run,
    nothing stored between runs."""
    current = settings()
    assert current.deadline is None and current.derandomize and current.database is None


def test_no_test_changes_how_hypothesis_runs() -> None:
    """A test's @settings may only change how many examples it takes; deadlines, seeds and
    health checks are the profile's."""
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "settings"
                and path.name != "conftest.py"
            ):
                assert not node.args, f"{path.name}:{node.lineno}: settings built on another"
                named = {keyword.arg for keyword in node.keywords}
                assert named <= ALLOWED_SETTINGS, f"{path.name}:{node.lineno}: {named}"
