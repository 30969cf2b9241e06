"""What is wrong with a case file, said as `PATH:LINE:COLUMN: key.path: expected ..., found ...`.

Only runs when a file has a problem: the text is composed again with line marks, and each
validation error is walked down the node tree to the line it belongs to.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from dashboard.model import (
    Axis,
    Case,
    Day0,
    DoseStep,
    Event,
    Measurement,
    Patient,
    Period,
    Source,
    Step,
    Teaching,
    Treatment,
)

CASE_SUFFIXES = (".yaml", ".yml")  # the names of case and series files
SHOWN_AT_MOST = 20
# Past this many, the rest of a file's problems are counted rather than placed one by one.
PLACED_AT_MOST = 200

# Which model a key's items are validated by, to suggest the nearest valid key.
_MODEL_UNDER: dict[str, type[BaseModel]] = {
    "": Case,
    "source": Source,
    "patient": Patient,
    "day0": Day0,
    "axis": Axis,
    "treatments": Treatment,
    "doses": DoseStep,
    "events": Event,
    "measurements": Measurement,
    "periods": Period,
    "teaching": Teaching,
    "steps": Step,
}


class CourseError(Exception):
    """A problem the user can put right (a case file, an option, a place to write): its
    message says what and where, and is all a user is shown. Every error this program
    raises for its users is one of these; anything else reaching the command line is a bug."""


class ExportError(CourseError):
    """An output that cannot be written as asked (unknown format, unsafe place, no browser)."""


def names_case_file(path: str | os.PathLike[str]) -> bool:
    """True when `path` is named as a case or series file is (.yaml, .yml)."""
    return os.path.splitext(path)[1].lower() in CASE_SUFFIXES


def output_suffix(path: str | os.PathLike[str], formats: Iterable[str], use: str = "") -> str:
    """The suffix of an output's name, which chooses its format: one of `formats`, in lower
    case. Refused when the name is a case file's, so that nothing the user wrote is ever
    written over, or names no format of `formats` (`use` says which to use instead)."""
    name = os.path.basename(path)
    if names_case_file(path):
        raise ExportError(f"{path} looks like a case file; refusing to write over it")
    suffix = os.path.splitext(name)[1].lower()
    known = tuple(formats)
    if suffix not in known:
        use = use or f"use one of {', '.join(known)}"
        raise ExportError(f"cannot tell the format of {name!r}: {use}")
    return suffix


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """A write the system refuses (no room, no permission, a folder where a file should go)
    as an `ExportError` naming the file and the reason, not as an OSError's traceback."""
    try:
        yield
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error


class ViewError(CourseError):
    """A view that cannot be drawn as asked: an unknown theme, axis or order, a time
    window that ends before it starts."""


class FigureWarning(UserWarning):
    """A figure was drawn, but with something a reader would notice: a size too small for
    its rows, texts that overlap or run off the image. The message names the case."""


@dataclass(frozen=True, slots=True)
class CaseError:
    """One problem in a case file, with where it is."""

    path: str
    line: int | None
    column: int | None
    key: str
    message: str
    rule: str = ""  # the id of the rule broken, one of dashboard.model.rules.RULES

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class InvalidCase(CourseError):
    """A case file that could not be read: every problem found in it, in line order."""

    def __init__(self, path: str, errors: Sequence[CaseError]) -> None:
        self.path = path
        self.errors = tuple(errors)
        super().__init__(self.report())

    def __reduce__(self) -> tuple[type[InvalidCase], tuple[str, tuple[CaseError, ...]]]:
        # read in a worker process, sent back whole to the one that reports it
        return (type(self), (self.path, self.errors))

    @classmethod
    def single(cls, path: str, message: str, rule: str = "") -> InvalidCase:
        """A problem with the file as a whole, placed on its first line."""
        return cls(path, (CaseError(path, 1, 1, "", message, rule),))

    def report(self, at_most: int = SHOWN_AT_MOST) -> str:
        """The problems one per line, capped, with how many more there are."""
        lines = [str(error) for error in self.errors[:at_most]]
        if len(self.errors) > at_most:
            lines.append(f"... and {len(self.errors) - at_most} more problems in {self.path}")
        return "\n".join(lines)


class _Pair:
    """A key and its value in a mapping written as `time: value` (measurement values)."""

    def __init__(self, key: yaml.Node, value: yaml.Node) -> None:
        self.key, self.value = key, value


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def pydantic_problems(
    path: str,
    text: str,
    errors: list[ErrorDetails],
    models: Mapping[str, type[BaseModel]] | None = None,
) -> list[CaseError]:
    """Validation errors (and any duplicate keys) as `CaseError`s, in line order; `models`
    names the model under each key, for suggestions (a case file's by default)."""
    root = _compose(text)
    problems = list(_duplicates(path, root))
    for error in errors[:PLACED_AT_MOST]:
        loc = tuple(error["loc"]) + tuple((error.get("ctx") or {}).get("at", ()))
        if error["type"] == "invalid_key":
            problems.append(_invalid_key(path, root, loc, error.get("input")))
            continue
        node, key_node, key_path = _walk(root, loc)
        mark_node = key_node if error["type"] == "extra_forbidden" else node
        line, column = _position(mark_node)
        message = _message(error, loc, models or _MODEL_UNDER)
        problems.append(CaseError(path, line, column, key_path, message, error["type"]))
    problems.sort(key=lambda problem: (problem.line or 0, problem.column or 0))
    if len(errors) > PLACED_AT_MOST:
        more = len(errors) - PLACED_AT_MOST
        last = problems[-1] if problems else None
        problems.append(
            CaseError(
                path,
                last.line if last else 1,
                last.column if last else 1,
                "",
                f"and {more:,} more problems after these; fix these first",
                "more_problems",
            )
        )
    return problems


def _invalid_key(path: str, root: yaml.Node | None, loc: tuple[Any, ...], key: Any) -> CaseError:
    """A key that is not text (`~:`, `1:`), at the line it is written on."""
    parent, _, key_path = _walk(root, loc[:-1])
    written = "~" if key is None else str(key)
    line, column = _position(parent)
    if isinstance(parent, yaml.MappingNode):
        for key_node, _value in parent.value:
            if isinstance(key_node, yaml.ScalarNode) and (
                key_node.value == written or (key is None and key_node.tag.endswith(":null"))
            ):
                line, column = _position(key_node)
                break
    message = f"expected a key written as text, found the key {written!r}"
    return CaseError(path, line, column, key_path, message, "invalid_key")


def _position(node: yaml.Node | None) -> tuple[int | None, int | None]:
    if node is None:
        return None, None
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(
    root: yaml.Node | None, loc: tuple[Any, ...]
) -> tuple[yaml.Node | None, yaml.Node | None, str]:
    """Follow a validation location down the node tree: (node, its key node, key path)."""
    node: yaml.Node | _Pair | None = root
    key_node: yaml.Node | None = None
    path = ""
    previous: Any = None
    for part in loc:
        if isinstance(part, int) and isinstance(previous, int):
            # an element of a [time, value] pair: walk into it but do not print it
            if isinstance(node, _Pair):
                node = node.key if part == 0 else node.value
            elif isinstance(node, yaml.SequenceNode) and part < len(node.value):
                node = node.value[part]
        elif isinstance(part, str):
            path = f"{path}.{part}" if path else part
            if isinstance(node, yaml.MappingNode):
                pair = next((p for p in node.value if getattr(p[0], "value", None) == part), None)
                if pair is None:
                    return node, node, path  # a missing key: point at its parent
                key_node, node = pair
        elif isinstance(node, yaml.MappingNode) and part < len(node.value):
            key, value = node.value[part]
            path += f"[{json.dumps(str(key.value), ensure_ascii=False)}]"
            node = _Pair(key, value)
        else:
            path += f"[{part}]"
            if isinstance(node, yaml.SequenceNode) and part < len(node.value):
                node = node.value[part]
        previous = part
    if isinstance(node, _Pair):
        node = node.value
    return node, key_node or node, path


def _duplicates(path: str, root: yaml.Node | None, key_path: str = "") -> Iterator[CaseError]:
    """Every key written twice in one mapping (PyYAML would silently keep the last)."""
    if isinstance(root, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key, value in root.value:
            name = str(key.value)
            child = f"{key_path}.{name}" if key_path else name
            if name in first_line:
                line, column = _position(key)
                yield CaseError(
                    path,
                    line,
                    column,
                    child,
                    f"the key {name!r} is written twice (first on line {first_line[name]}); "
                    "keep one",
                    "duplicate_key",
                )
            else:
                first_line[name] = key.start_mark.line + 1
            yield from _duplicates(path, value, child)
    elif isinstance(root, yaml.SequenceNode):
        for index, item in enumerate(root.value):
            yield from _duplicates(path, item, f"{key_path}[{index}]")


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def _suggest(word: Any, choices: Sequence[str]) -> str:
    return _suggestion(str(word)[:100], tuple(choices))


@functools.lru_cache(maxsize=1024)
def _suggestion(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _model_at(
    loc: tuple[Any, ...], models: Mapping[str, type[BaseModel]]
) -> type[BaseModel] | None:
    names = [part for part in loc[:-1] if isinstance(part, str)]
    return models.get(names[-1] if names else "")


def _message(
    error: ErrorDetails, loc: tuple[Any, ...], models: Mapping[str, type[BaseModel]]
) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "extra_forbidden":
        model = _model_at(loc, models)
        fields = [f.alias or name for name, f in model.model_fields.items()] if model else []
        hint = _suggest(loc[-1], fields) or (f"; expected one of: {', '.join(fields)}")
        return f"unknown key {loc[-1]!r}{hint}"
    if kind == "missing":
        return f"expected a value for the required key {loc[-1]!r}, found none"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = _suggest(value, choices) or f"; expected one of: {', '.join(choices)}"
        return f"{_found(value)} is not one of the allowed words{hint}"
    messages = {
        "float_parsing": "expected a number, found {found}",
        "float_type": "expected a number, found {found}",
        "finite_number": "expected a finite number, found {found}",
        "string_type": "expected text, found {found}",
        "string_too_short": "expected some text, found an empty value",
        "string_too_long": "expected at most {max_length} characters, found a longer text",
        "bool_parsing": "expected true or false, found {found}",
        "bool_type": "expected true or false, found {found}",
        "tuple_type": "expected a list, found {found}",
        "list_type": "expected a list, found {found}",
        "model_type": "expected a mapping of keys, found {found}",
        "model_attributes_type": "expected a mapping of keys, found {found}",
        "dict_type": "expected a mapping of keys, found {found}",
        "too_long": "expected at most {max_length} {items}, found {actual_length}",
        "too_short": "expected at least {min_length} {items}, found {actual_length}",
        "greater_than_equal": "expected a number of at least {ge}, found {found}",
    }
    if kind in messages:
        items = "characters" if isinstance(value, str) else "items"
        return messages[kind].format(found=_found(value), items=items, **ctx)
    return str(error["msg"])


def yaml_problem(path: str, text: str, error: yaml.YAMLError) -> CaseError:
    """A YAML error (syntax, or a tag that would construct an object) as a `CaseError`."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    problem = str(getattr(error, "problem", None) or error)
    tag = re.search(r"tag '([^']*)'|tag:yaml\.org,2002:(\S+)", problem)
    rule = "yaml_syntax"
    if "constructor" in problem and tag:
        rule = "yaml_tag"
        name = (tag.group(1) or tag.group(2)).replace("tag:yaml.org,2002:", "!!")
        message = (
            f"YAML tags are not allowed (found {name.rstrip(chr(39))}); case files hold only "
            "plain text, numbers, true/false, lists and mappings"
        )
    else:
        message = f"this is not valid YAML: {problem}{_syntax_hint(problem)}"
    if rule == "yaml_syntax" and "\t" in text and (tab := tab_problem(path, text, line or 1)):
        return tab
    key = _key_near(text, line) if line else ""
    return CaseError(path, line or 1, column or 1, key, message, rule)


def slips(path: str, text: str) -> list[CaseError]:
    """Characters an input method types where YAML wants its own, on the lines they are on: a
    full-width colon after a key (`title： ...`), a full-width space in the indentation, a
    full-width or curly quote around a key. YAML reads none of them as what they look like, and
    says so lines later, if at all; this says it where they are."""
    if not _FULL_WIDTH.search(text):
        return []
    found: list[CaseError] = []
    mended = text.translate(_ORDINARY)  # (for the keys above a slip; as long as `text`)
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SLIP.match(line)
        if match is None:
            continue
        if match.group("space"):
            column, word = match.start("space") + 1, match.group("spaced") or ""
            message = "a full-width space (U+3000) in the indentation; indent with ordinary spaces"
        elif match.group("quote"):
            column, word = match.start("quote") + 1, match.group("quoted")
            quote = match.group("quote")
            message = (
                f'a full-width quote ({quote}) around a key; write an ordinary quote (") or none'
            )
        else:
            column, word = match.start("colon") + 1, match.group("key")
            message = f"a full-width colon (：) after {word!r}; write an ordinary colon (:)"
        key = _key_near(mended, number, (column - 1, word))
        found.append(CaseError(path, number, column, key, message, "full_width"))
    return found


_FULL_WIDTH = re.compile("[：\u3000“”＂‘’＇]")
_ORDINARY = str.maketrans("：\u3000“”＂‘’＇", ": \"\"\"'''")
_SLIP = re.compile(
    r"[ \t]*(?:-[ \t]+)?(?:(?P<space>\u3000)[\u3000 ]*(?P<spaced>[A-Za-z_][\w-]*)?"
    r"|(?P<quote>[“”＂‘’＇])(?P<quoted>[^“”＂‘’＇\"':：]*)"
    r"|(?P<key>[A-Za-z_][\w-]*)[ \u3000]*(?P<colon>：))"
)


def tab_problem(path: str, text: str, before: int) -> CaseError | None:
    """The first line up to line `before` indented with a tab, which YAML does not allow (its
    own message, 'found character that cannot start any token', never says tab)."""
    for number, line in enumerate(text.splitlines()[:before], start=1):
        indent = len(line) - len(line.lstrip(" \t-"))
        if "\t" in line[:indent]:
            return CaseError(
                path,
                number,
                line.index("\t") + 1,
                _key_near(text, number),
                "a tab in the indentation; indent with spaces (YAML does not allow tabs)",
                "yaml_tab",
            )
    return None


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return " (a colon inside text? put the whole text in quotes)"
    if "found character '\\t'" in problem or "\\t" in problem:
        return " (indent with spaces, not tabs)"
    if "could not find expected ':'" in problem or "expected <block end>" in problem:
        return " (check the indentation of this line and the one before)"
    return ""


_PREFIX_AT_MOST = 512 * 1024
_KEY_ON_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:")


def _key_near(text: str, line: int, at: tuple[int, str] | None = None) -> str:
    """The key path of a line the YAML parser stopped on, from the part of the file before it;
    `at` gives the line's indentation and key where YAML would not see them (`“summary”:`)."""
    lines = text.splitlines()
    root = None
    # A few tries only: when the text before the line does not parse either (an unclosed
    # bracket far above), trying every shorter prefix would take quadratic time.
    for end in range(min(line - 1, len(lines)), max(min(line - 1, len(lines)) - 5, 0), -1):
        prefix = "\n".join(lines[:end])
        if len(prefix) > _PREFIX_AT_MOST:
            break
        root = _compose(prefix)
        if root is not None:
            break
    written = _KEY_ON_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
    indent = len(written.group(1)) if written else len(lines[line - 1]) if line <= len(lines) else 0
    own = written.group(2) if written else ""
    if at is not None:
        indent, own = at
    parent = ""
    for column, key_path in _key_columns(root, ""):
        if column < indent:
            parent = key_path
    return ".".join(part for part in (parent, own) if part)


def _key_columns(node: yaml.Node | None, path: str) -> Iterator[tuple[int, str]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            yield key.start_mark.column, child
            yield from _key_columns(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            # lines indented as far as the item's first key belong to the item
            yield item.start_mark.column - 1, f"{path}[{index}]"
            yield from _key_columns(item, f"{path}[{index}]")
