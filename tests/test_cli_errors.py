"""How the command says what went wrong: a problem the user can put right as its message and
exit status 1; a bug as a bug, in a line, its traceback only with --debug (or
CLINICAL_COURSE_DEBUG=1), exit status 2; never a traceback by default."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dashboard
from dashboard import problems
from tests.conftest import ROOT, TIMELINES

SLIP = ("    seen: set[Path] = set()\n", "    seen: set[Path] = {}\n")  # a dict has no .add


def _run(
    *args: str, root: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `clinical-course` entry point, `python -m dashboard`, in its own process."""
    environment = {**os.environ, "PYTHONPATH": str(root)}
    environment.pop("CLINICAL_COURSE_DEBUG", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def slipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with one real slip in the loader: reading any folder fails
    with an AttributeError, an error no user can cause or put right."""
    root = tmp_path_factory.mktemp("slipped")
    shutil.copytree(
        ROOT / "dashboard", root / "dashboard", ignore=shutil.ignore_patterns("__pycache__")
    )
    load = root / "dashboard" / "load.py"
    text = load.read_text(encoding="utf-8")
    assert text.count(SLIP[0]) == 1, "the slip is planted on the line it was written for"
    load.write_text(text.replace(*SLIP), encoding="utf-8")
    return root


def test_a_users_error_is_its_message_and_exit_status_1(tmp_path: Path) -> None:
    """An error raised deep inside an export (the site would go into the case folder) comes
    out as its message alone, with exit status 1, even with --debug."""
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(TIMELINES / "lauenstein-2014.yaml", folder)
    for debug in ((), ("--debug",)):
        result = _run(*debug, "export", str(folder), "-o", str(folder))
        assert result.returncode == 1, result.stderr
        assert "Error: refusing to write the site into the case folder" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_case_files_problems_are_listed_with_exit_status_1(tmp_path: Path) -> None:
    """An invalid case given to render is its problems, one per line, and exit status 1."""
    case = tmp_path / "broken.yaml"
    case.write_text("title: A case\nday0: {date: 2020-01-01}\ntreatmnts: []\n", encoding="utf-8")
    result = _run("render", str(case), "-o", str(tmp_path / "figure.html"))
    assert result.returncode == 1
    assert f"{case}:3:1: treatmnts" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bug_is_said_to_be_one_without_a_traceback(slipped: Path) -> None:
    """By default an unexpected error is one line saying it is a bug, naming the error and
    how to see where it happened; exit status 2, and no traceback."""
    result = _run("validate", str(TIMELINES), root=slipped)
    assert result.returncode == 2, result.stderr
    assert "unexpected problem, a bug in clinical-course (not in your files)" in result.stderr
    assert "AttributeError: 'dict' object has no attribute 'add'" in result.stderr
    assert "--debug (or set CLINICAL_COURSE_DEBUG=1)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "env"), [(("--debug",), {}), ((), {"CLINICAL_COURSE_DEBUG": "1"})]
)
def test_debug_shows_a_bugs_traceback(
    slipped: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    """With --debug or CLINICAL_COURSE_DEBUG=1 the bug's traceback is shown, down to the
    line of the slip; exit status 2."""
    result = _run(*args, "validate", str(TIMELINES), root=slipped, env=env)
    assert result.returncode == 2, result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    assert 'dashboard/load.py", line' in result.stderr and "seen.add(key)" in result.stderr
    assert "a bug in clinical-course" not in result.stderr


# Where a ValueError is still raised, and why that is no user's problem coming out as one:
# the model's validators (pydantic turns them into a case file's problems, with line and
# key) and checks of the program's own arguments (a bug if ever broken).
VALUE_ERRORS_MEANT = {
    "model/times.py",  # validator
    "model/localdates.py",  # validator
    "figure/ticks.py",  # an axis range the figure itself computed
    "i18n/__init__.py",  # a language the model has already checked
}
PACKAGE = Path(dashboard.__file__).parent


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        if not name.endswith("__main__"):
            names.append(name)
    return names


def test_every_error_of_the_program_is_a_course_error() -> None:
    """Each exception class the package defines derives from `CourseError`, so the command
    line tells a user's problem from a bug by its class alone."""
    errors = {
        value
        for name in _modules()
        for value in vars(importlib.import_module(name)).values()
        if inspect.isclass(value) and issubclass(value, Exception)
        if not issubclass(value, Warning) and value.__module__ == name
    }
    names = {error.__name__ for error in errors}
    assert {"InvalidCase", "ExportError", "SaveError", "ImportRefused", "Malformed"} <= names
    assert "ImportError_" not in names
    assert [error for error in errors if not issubclass(error, problems.CourseError)] == []


def test_no_users_problem_is_raised_as_a_value_error() -> None:
    """Outside the model's validators and checks of the program's own arguments, nothing
    raises a bare ValueError (the command line would take it for a bug)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                called = node.exc.func
                if isinstance(called, ast.Name) and called.id == "ValueError":
                    found.append(f"{path.relative_to(PACKAGE).as_posix()}:{node.lineno}")
    assert {place.split(":")[0] for place in found} <= VALUE_ERRORS_MEANT, found
