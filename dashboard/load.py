"""Case files and folders in, validated `Case`s or `CaseError`s with file, line and column out.

The fast path parses with libyaml and validates; only a file with a problem is composed
again (with line marks) to say where each problem is. Knows nothing of plotly or dash.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dashboard.model import Case
from dashboard.problems import CaseError, InvalidCase, pydantic_problems, yaml_problem

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 500_000
SUFFIXES = (".yaml", ".yml")
SERIES_SUFFIXES = (".series.yaml", ".series.yml")  # a series of cases, never read as a case


def is_series(path: Path) -> bool:
    """True for a series file (`*.series.yaml`), which lists cases rather than being one."""
    return path.name.lower().endswith(SERIES_SUFFIXES)


class _CaseLoader(yaml.CSafeLoader):
    """libyaml with YAML 1.2 habits: dates stay text, only true/false are booleans,
    duplicate keys are noticed rather than silently dropped."""

    found_duplicate_key = False

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            self.found_duplicate_key = True
        return mapping


_CaseLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _CaseLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        [_first],
    )


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A valid case and where it came from; `id` is the file stem, used in URLs and names."""

    id: str
    path: Path
    case: Case


@dataclass(frozen=True)
class Catalog:
    """What a folder holds: the valid cases by id and the files that could not be read."""

    cases: dict[str, CaseFile] = field(default_factory=dict)
    invalid: tuple[InvalidCase, ...] = ()

    @property
    def errors(self) -> list[CaseError]:
        """Every problem of every invalid file."""
        return [error for invalid in self.invalid for error in invalid.errors]


def load_case(path: str | os.PathLike[str]) -> Case:
    """Read and validate one case file; raise `InvalidCase` listing every problem in it."""
    path = Path(path)
    return parse_case(read_text(path), str(path))


def parse_case(text: str, shown: str = "<case>") -> Case:
    """Validate a case given as YAML text; `shown` names it in error messages."""
    data, duplicate_keys = read_mapping(text, shown, "a case needs at least `title:`")
    try:
        case = Case.model_validate(data)
    except ValidationError as error:
        problems = pydantic_problems(shown, text, error.errors(include_url=False))
        raise InvalidCase(shown, problems) from None
    if duplicate_keys and (duplicates := pydantic_problems(shown, text, [])):
        raise InvalidCase(shown, duplicates)  # (a merge key `<<` may override without a duplicate)
    return case


def read_text(path: Path) -> str:
    """A file's text, or `InvalidCase` saying why it cannot be read (size, encoding)."""
    shown = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            size = path.stat().st_size / 1024 / 1024
            raise InvalidCase.single(
                shown, f"the file is {size:.1f} MB; a case file may be at most 2 MB"
            )
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidCase.single(shown, f"cannot be read: {error.strerror or error}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidCase.single(
            shown, f"is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None


def read_mapping(text: str, shown: str, needs: str) -> tuple[dict[Any, Any], bool]:
    """YAML text as a mapping, and whether a key was written twice; `needs` says what an
    empty file lacks."""
    if "\x00" in text:
        raise InvalidCase.single(shown, "is not a text file (it holds NUL bytes)")
    loader = _CaseLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        raise InvalidCase(shown, (yaml_problem(shown, text, error),)) from None
    except RecursionError:
        raise InvalidCase.single(shown, "is nested too deeply to be a case file") from None
    finally:
        loader.dispose()
    if data is None:
        raise InvalidCase.single(shown, f"the file is empty; {needs}")
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"the text {str(data)[:40]!r}"
        raise InvalidCase.single(
            shown, f"expected a mapping of keys (title:, treatments:, ...), found {found}"
        )
    if "*" in text and _expanded_size(data) > MAX_NODES:  # no alias can be written without *
        raise InvalidCase.single(
            shown,
            f"expands to more than {MAX_NODES:,} items (through repeated YAML aliases); "
            "write the values out instead",
        )
    return data, loader.found_duplicate_key


def _expanded_size(data: Any) -> int:
    """How many items the data holds once YAML aliases are expanded (each counted per use)."""
    sizes: dict[int, int] = {}

    def size(item: Any) -> int:
        if not isinstance(item, dict | list):
            return 1
        if id(item) not in sizes:
            sizes[id(item)] = MAX_NODES + 1  # a cycle through an alias counts as too many
            children = item.values() if isinstance(item, dict) else item
            total = 1
            for child in children:
                total += size(child)
                if total > MAX_NODES:
                    break
            sizes[id(item)] = total
        return sizes[id(item)]

    try:
        return size(data)
    except RecursionError:
        return MAX_NODES + 1


def case_paths(folder: Path) -> list[Path]:
    """The case files of a folder, in name order; editor back-ups and hidden files skipped."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in SUFFIXES
        and not path.name.startswith((".", "~", "#"))
        and not is_series(path)
        and path.is_file()
    )


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files as given, folders as their case files; series files are left to the series loader."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from case_paths(path)
        elif not is_series(path):
            yield path


class CaseLibrary:
    """A folder of cases that re-reads only the files that changed since the last scan."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._seen: dict[Path, tuple[tuple[int, int, int], Case | InvalidCase]] = {}

    def scan(self) -> Catalog:
        """The folder as it is now."""
        paths = case_paths(self.folder) if self.folder.is_dir() else []
        self._seen = {path: self._read(path) for path in paths}
        return _catalog((path, result) for path, (_, result) in self._seen.items())

    def _read(self, path: Path) -> tuple[tuple[int, int, int], Case | InvalidCase]:
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = (0, 0, 0)
        previous = self._seen.get(path)
        if previous is not None and previous[0] == stamp:
            return previous
        try:
            return stamp, load_case(path)
        except InvalidCase as invalid:
            return stamp, invalid


def load_paths(paths: Iterable[str | os.PathLike[str]]) -> Catalog:
    """Load files and folders; one bad file never stops the others."""
    results: list[tuple[Path, Case | InvalidCase]] = []
    for path in expand_paths(paths):
        try:
            results.append((path, load_case(path)))
        except InvalidCase as invalid:
            results.append((path, invalid))
    return _catalog(results)


def load_folder(folder: str | os.PathLike[str]) -> Catalog:
    """Every case file of a folder."""
    folder = Path(folder)
    if not folder.is_dir():
        invalid = InvalidCase.single(str(folder), "is not a folder of case files")
        return Catalog(invalid=(invalid,))
    return load_paths([folder])


def _catalog(results: Iterable[tuple[Path, Case | InvalidCase]]) -> Catalog:
    cases: dict[str, CaseFile] = {}
    invalid: list[InvalidCase] = []
    for path, result in results:
        if isinstance(result, InvalidCase):
            invalid.append(result)
        elif path.stem in cases:
            other = cases[path.stem].path.name
            message = f"another file, {other}, already has the case id {path.stem!r}; rename one"
            invalid.append(InvalidCase.single(str(path), message))
        else:
            cases[path.stem] = CaseFile(path.stem, path, result)
    return Catalog(cases, tuple(invalid))
