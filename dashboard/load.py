"""Case files and folders in, validated `Case`s or `CaseError`s with file, line and column out.

The fast path parses with libyaml and validates; only a file with a problem is composed
again (with line marks) to say where each problem is. Knows nothing of plotly or dash.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dashboard.model import Case
from dashboard.problems import (
    CASE_SUFFIXES,
    CaseError,
    InvalidCase,
    pydantic_problems,
    slips,
    yaml_problem,
)
from dashboard.workers import PARSE_PARALLEL_FROM, pool

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 500_000
MAX_DEPTH = 20  # a case nests 7 levels at most (measurements[0].values[3][0])
SUFFIXES = CASE_SUFFIXES
# Explicit tags a file may write when they say what the text would be read as anyway.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}
_LARGEST_FLOAT = 1.7976931348623157e308
SERIES_SUFFIXES = (".series.yaml", ".series.yml")  # a series of cases, never read as a case


def is_series(path: Path) -> bool:
    """True for a series file (`*.series.yaml`), which lists cases rather than being one."""
    return path.name.lower().endswith(SERIES_SUFFIXES)


class _CaseLoader(yaml.CSafeLoader):
    """libyaml with YAML 1.2 habits: dates stay text, only true/false are booleans,
    duplicate keys are noticed rather than silently dropped."""

    found_duplicate_key = False
    found_large_number = False

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            self.found_duplicate_key = True
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        number: int = super().construct_yaml_int(node)
        # (no float holds it, no figure can place it; it takes over 300 digits to write)
        if len(node.value) > 300 and abs(number) > _LARGEST_FLOAT:
            self.found_large_number = True
        return number


_CaseLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
_CaseLoader.add_constructor("tag:yaml.org,2002:int", _CaseLoader.construct_yaml_int)
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
class FolderCases:
    """The cases of a folder (or of files) as read once: the valid cases by id and the files
    that could not be read. (A folder served or indexed, kept current, is a `Catalogue`.)"""

    cases: dict[str, CaseFile] = field(default_factory=dict)
    invalid: tuple[InvalidCase, ...] = ()

    @property
    def errors(self) -> list[CaseError]:
        """Every problem of every invalid file."""
        return [error for invalid in self.invalid for error in invalid.errors]


def inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True when `path`, with every symlink followed, lies inside `folder`."""
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a bad name
        return False


def load_case(path: str | os.PathLike[str], within: str | os.PathLike[str] | None = None) -> Case:
    """Read and validate one case file; raise `InvalidCase` listing every problem in it.

    With `within`, a file that resolves outside that folder (a symlink pointing out) is
    refused without being read. Whatever goes wrong is the file's `InvalidCase`, nothing else.
    """
    path = Path(path)
    shown = str(path)
    if within is not None and not inside(path, within):
        raise InvalidCase.single(
            shown,
            "points outside the folder (a symlink); only files inside the folder are read",
            "outside_folder",
        )
    try:
        return _parse_case(read_text(path), shown)
    except InvalidCase:
        raise
    except Exception as error:  # the boundary: one file's failure stays that file's problem
        raise unexpected(shown, error) from None


def unexpected(shown: str, error: BaseException) -> InvalidCase:
    """Whatever else went wrong while reading a file, as that file's problem."""
    kind = "is nested too deeply" if isinstance(error, RecursionError) else "could not be read"
    detail = str(error)[:120] or type(error).__name__
    return InvalidCase.single(
        shown, f"{kind} ({detail}); check the file around this place", "unreadable"
    )


def size_problem(shown: str, size: int) -> InvalidCase | None:
    """The problem of a case file of `size` bytes, or None when it is small enough to read."""
    if size <= MAX_BYTES:
        return None
    megabytes = size / 1024 / 1024
    return InvalidCase.single(
        shown, f"the file is {megabytes:.1f} MB; a case file may be at most 2 MB", "file_size"
    )


def read_text(path: Path) -> str:
    """A file's text, or `InvalidCase` saying why it cannot be read (size, encoding)."""
    shown = str(path)
    try:
        if (too_large := size_problem(shown, path.stat().st_size)) is not None:
            raise too_large
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidCase.single(
            shown, f"cannot be read: {error.strerror or error}", "unreadable"
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidCase.single(
            shown, f"is not UTF-8 text (byte {error.start}); save it as UTF-8", "not_utf8"
        ) from None


def parse_case(text: str, shown: str = "<case>") -> Case:
    """Validate a case given as YAML text; `shown` names it in error messages."""
    try:
        return _parse_case(text, shown)
    except InvalidCase:
        raise
    except Exception as error:  # the boundary, as in `load_case`
        raise unexpected(shown, error) from None


def _parse_case(text: str, shown: str) -> Case:
    data, duplicate_keys = read_mapping(text, shown, "a case needs at least `title:`")
    try:
        case = Case.model_validate(data)
    except ValidationError as error:
        problems = pydantic_problems(shown, text, error.errors(include_url=False))
        if found := slips(shown, text):  # (an unknown key '“summary”' is the slip's doing)
            on = {slip.line for slip in found}
            problems = [*found, *(problem for problem in problems if problem.line not in on)]
            problems.sort(key=lambda problem: (problem.line or 0, problem.column or 0))
        raise InvalidCase(shown, problems) from None
    if duplicate_keys and (duplicates := pydantic_problems(shown, text, [])):
        raise InvalidCase(shown, duplicates)  # (a merge key `<<` may override without a duplicate)
    return case


def read_mapping(text: str, shown: str, needs: str) -> tuple[dict[Any, Any], bool]:
    """YAML text as a mapping, and whether a key was written twice; `needs` says what an
    empty file lacks. Tags, overflowing numbers and deep nesting are refused with lines."""
    if "\x00" in text:
        raise InvalidCase.single(shown, "is not a text file (it holds NUL bytes)", "nul_bytes")
    if "!" in text and (problems := _written_problems(text, shown)):  # no tag without !
        raise InvalidCase(shown, problems)
    loader = _CaseLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:  # (a full-width colon is the cause of what YAML says)
        raise InvalidCase(
            shown, slips(shown, text) or (yaml_problem(shown, text, error),)
        ) from None
    except RecursionError:
        raise InvalidCase.single(
            shown, "is nested too deeply to be a case file", "nesting"
        ) from None
    finally:
        loader.dispose()
    if data is None:
        raise InvalidCase.single(shown, f"the file is empty; {needs}", "empty")
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"the text {str(data)[:40]!r}"
        raise InvalidCase.single(
            shown,
            f"expected a mapping of keys (title:, treatments:, ...), found {found}",
            "not_mapping",
        )
    if "*" in text and _expanded_size(data) > MAX_NODES:  # no alias can be written without *
        raise InvalidCase.single(
            shown,
            f"expands to more than {MAX_NODES:,} items (through repeated YAML aliases); "
            "write the values out instead",
            "alias_expansion",
        )
    if (loader.found_large_number or _too_deep(data)) and (
        problems := _written_problems(text, shown)
    ):
        raise InvalidCase(shown, problems)
    return data, loader.found_duplicate_key


def _too_deep(data: Any) -> bool:
    """True when the data nests more than MAX_DEPTH deep (walked level by level, without
    recursion, so that no nesting can exhaust the stack; aliases are already bounded)."""
    level = [data]
    for _ in range(MAX_DEPTH + 1):
        below: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item
            below.extend(child for child in children if type(child) in (dict, list))
        if not below:
            return False
        level = below
    return True


def _written_problems(text: str, shown: str) -> list[CaseError]:
    """Tags, nesting and numbers no case can hold, found in the parser's events with their
    lines: these are refused before anything is built from them."""
    problems: list[CaseError] = []
    resolver = _CaseLoader("")
    # Each open mapping or list: [is a mapping, its key path, items seen, the current key].
    frames: list[list[Any]] = []
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionEndEvent):
                frames.pop()
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            path, is_key = _event_path(frames)
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            where = path if not is_key else (path or "(a key)")
            tag = getattr(event, "tag", None)
            if isinstance(event, yaml.ScalarEvent):
                value = event.value
                implicit = resolver.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
                if tag not in (None, "!") and not (
                    tag in _PLAIN_TAGS and tag in (implicit, "tag:yaml.org,2002:str")
                ):
                    problems.append(
                        CaseError(shown, line, column, where, _tag_message(tag), "yaml_tag")
                    )
                elif (tag or implicit) == "tag:yaml.org,2002:int" and _too_large(value):
                    problems.append(
                        CaseError(
                            shown,
                            line,
                            column,
                            where,
                            f"the number {value[:20]}... is too large",
                            "number_too_large",
                        )
                    )
                if is_key:
                    frames[-1][3] = value
            elif tag not in (None, "!"):
                problems.append(
                    CaseError(shown, line, column, where, _tag_message(tag), "yaml_tag")
                )
            if isinstance(event, yaml.CollectionStartEvent):
                if len(frames) >= MAX_DEPTH:
                    message = (
                        f"is nested more than {MAX_DEPTH} levels deep; a case file needs "
                        "far fewer (check the brackets and the indentation)"
                    )
                    problems.append(CaseError(shown, line, column, where, message, "nesting"))
                    break
                frames.append([isinstance(event, yaml.MappingStartEvent), path, 0, None])
    except yaml.YAMLError:
        pass  # reported with its line when the file is loaded
    finally:
        resolver.dispose()
    return problems


def _event_path(frames: list[list[Any]]) -> tuple[str, bool]:
    """The key path of the next node inside the open frames, and whether it is a key."""
    if not frames:
        return "", False
    frame = frames[-1]
    is_map, path, count, key = frame
    frame[2] += 1
    if not is_map:
        return f"{path}[{count}]", False
    if count % 2 == 0:
        return path, True
    name = str(key)
    if re.fullmatch(r"[A-Za-z_][\w-]*", name):
        return (f"{path}.{name}" if path else name), False
    return f'{path}["{name}"]', False


def _too_large(text: str) -> bool:
    try:
        return abs(int(text.replace("_", ""), 0)) > _LARGEST_FLOAT
    except ValueError:
        return len(text) > 310


def _tag_message(tag: str) -> str:
    name = tag.replace("tag:yaml.org,2002:", "!!")
    return (
        f"YAML tags are not allowed (found {name}); case files hold only plain text, "
        "numbers, true/false, lists and mappings"
    )


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


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, Path]]:
    """Each case file with the folder it must stay inside: files as given (in their own
    folder), folders as their case files; a file named twice (`a.yaml folder/`) comes once.
    Series files are left to the series loader."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            pairs = [(file, path) for file in case_paths(path)]
        else:
            pairs = [] if is_series(path) else [(path, path.parent)]
        for file, folder in pairs:
            key = Path(os.path.abspath(file))
            if key not in seen:
                seen.add(key)
                yield file, folder


def load_paths(
    paths: Iterable[str | os.PathLike[str]], progress: Callable[[int], None] | None = None
) -> FolderCases:
    """Load files and folders; one bad file never stops the others. `progress` is told of
    each file read."""
    results: list[tuple[Path, Case | InvalidCase]] = []
    files = list(expand_paths(paths))
    with pool(None, len(files), PARSE_PARALLEL_FROM) as run:  # many files: one worker per core
        for (path, _), result in zip(files, run(_load_one, files), strict=True):
            results.append((path, result))
            if progress is not None:
                progress(1)
    return _catalog(results)


def _load_one(path: Path, folder: Path) -> Case | InvalidCase:
    try:
        return load_case(path, within=folder)
    except InvalidCase as invalid:
        return invalid


def load_folder(folder: str | os.PathLike[str]) -> FolderCases:
    """Every case file of a folder."""
    folder = Path(folder)
    if not folder.is_dir():
        invalid = InvalidCase(
            str(folder), (CaseError(str(folder), None, None, "", "is not a folder of case files"),)
        )
        return FolderCases(invalid=(invalid,))
    return load_paths([folder])


def _catalog(results: Iterable[tuple[Path, Case | InvalidCase]]) -> FolderCases:
    cases: dict[str, CaseFile] = {}
    invalid: list[InvalidCase] = []
    for path, result in results:
        if isinstance(result, InvalidCase):
            invalid.append(result)
        elif path.stem in cases:
            other = cases[path.stem].path.name
            message = f"another file, {other}, already has the case id {path.stem!r}; rename one"
            invalid.append(InvalidCase.single(str(path), message, "same_id"))
        else:
            cases[path.stem] = CaseFile(path.stem, path, result)
    return FolderCases(cases, tuple(invalid))
