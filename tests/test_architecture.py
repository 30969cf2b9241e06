"""The package's shape: parts import only the parts below them, and the series package's
public names are what it says they are."""

from __future__ import annotations

import ast
import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dashboard.series
from tests.conftest import ROOT

LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's verdict on the `dashboard` package under `root`, by the contracts in
    this project's pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_no_part_imports_a_part_above_it_and_no_package_has_a_cycle() -> None:
    """The layers written in pyproject.toml hold for every import, at module or function
    level, and no two modules of a package import each other, even through others."""
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path: Path) -> None:
    """The contract sees an import written inside a function, the way an upward dependency
    hides most easily: one added to a copy of the package fails the check, naming it."""
    shutil.copytree(
        ROOT / "dashboard", tmp_path / "dashboard", ignore=shutil.ignore_patterns("__pycache__")
    )
    dates = tmp_path / "dashboard" / "dates.py"
    dates.write_text(
        dates.read_text(encoding="utf-8")
        + "\n\ndef _shown() -> object:\n    from dashboard.facts import case_facts\n\n"
        + "    return case_facts\n",
        encoding="utf-8",
    )
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "dashboard.dates is not allowed to import dashboard.facts" in result.stdout
    assert "dashboard.dates -> dashboard.facts" in result.stdout


def _type_checking_imports() -> dict[str, str]:
    """name -> module of each name the series package imports for the type checker."""
    tree = ast.parse(Path(dashboard.series.__file__ or "").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
        if node.test.id == "TYPE_CHECKING"
    )
    return {
        alias.name: (node.module or "").rsplit(".", 1)[-1]
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_series_public_names_resolve_to_their_homes() -> None:
    """Every name in `dashboard.series.__all__` is the object of that name in the module the
    package names as its home, and the type checker is told the same names and homes."""
    homes = dashboard.series._MODULE_OF
    assert sorted(homes) == dashboard.series.__all__
    assert _type_checking_imports() == homes
    for name, module in homes.items():
        home = importlib.import_module(f"dashboard.series.{module}")
        assert getattr(dashboard.series, name) is getattr(home, name), name


def test_reading_a_series_file_does_not_load_plotly_or_pandas() -> None:
    """The series package loads its drawing parts when they are first used: reading series
    files (as the commands that check a folder do) starts without plotly and pandas."""
    code = (
        "import sys\n"
        "from dashboard.series import load_series_paths\n"
        "print(sorted({'plotly', 'pandas'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
