"""Drafts -> case files: rendered as YAML, checked by the loader's model, never written over."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from dashboard.importers.build import Draft, ImportError_
from dashboard.importers.rows import no_cycle_search
from dashboard.load import parse_case, size_problem
from dashboard.model import Case
from dashboard.problems import InvalidCase

Existing = Literal["rename", "stop"]


@dataclass
class Written:
    """What an import wrote and what it could not."""

    files: list[tuple[Path, Draft]] = field(default_factory=list)
    invalid: list[InvalidCase] = field(default_factory=list)


def slug(text: str) -> str:
    """A file name from a case name: 'Case 2 (MAS)' -> 'case-2-mas'."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return name[:80] or "case"


def case_yaml(draft: Draft, origin: str) -> str:
    """The file's text: a header saying where it came from and what was left out, then the case."""
    return _header(draft, origin) + _body(draft.data)[0]


def _header(draft: Draft, origin: str) -> str:
    lines = [
        f"Imported by clinical-course from {origin}.",
        f"Kept: {kept(draft)}.",
        f"Left out: {left_out(draft) or 'nothing counted'}; no names, identifiers, addresses "
        "or birth dates are copied.",
        draft.dates_note,
    ]
    return "".join(f"# {line}\n" for line in lines if line)


def _body(data: dict[str, Any]) -> tuple[str, bool]:
    """The case as YAML, and whether it holds only the plain types that text gives back
    exactly as they are (text, numbers, true/false, null, lists and mappings of them)."""
    try:
        tree = _node(data)
    except TypeError:  # a value of another type: the full representer knows it
        body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        return body, False
    return yaml.serialize(tree, Dumper=_Dumper, allow_unicode=True, width=100), True


class _Dumper(yaml.CSafeDumper):
    """Block style, except short items ([day 3, 45000], {at: day 7, dose: 60}) on one line."""


def _short(items: list[object]) -> bool:
    total = 0
    for item in items:  # (stops at the first item that makes the line too long)
        if not isinstance(item, (str, int, float)):
            return False
        total += len(str(item)) + 2
        if total > 60:
            return False
    return True


_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
_BOOL, _INT, _FLOAT, _NULL = _TAG + "bool", _TAG + "int", _TAG + "float", _TAG + "null"


def _node(data: object) -> yaml.Node:
    """The YAML node `_Dumper` represents `data` with (for the few types a draft holds), built
    without the representer's lookups and bookkeeping, which cost more than the writing."""
    if type(data) is str:
        return yaml.ScalarNode(_STR, data)
    if type(data) is dict:
        pairs = [(_node(key), _node(value)) for key, value in data.items()]
        short = _short([*data.keys(), *data.values()])
        return yaml.MappingNode(_MAP, pairs, flow_style=short)
    if type(data) is list:
        values = [_node(value) for value in data]
        return yaml.SequenceNode(_SEQ, values, flow_style=_short(data))
    if type(data) is bool:
        return yaml.ScalarNode(_BOOL, "true" if data else "false")
    if type(data) is int:
        return yaml.ScalarNode(_INT, str(data))
    if type(data) is float:
        return yaml.ScalarNode(_FLOAT, _float(data))
    if data is None:
        return yaml.ScalarNode(_NULL, "null")
    raise TypeError(f"no YAML node for {type(data).__name__}")


def _float(number: float) -> str:
    """A float as `SafeRepresenter.represent_float` writes it."""
    if number != number:
        return ".nan"
    if number in (math.inf, -math.inf):
        return ".inf" if number > 0 else "-.inf"
    text = repr(number).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def _represent_list(dumper: yaml.CSafeDumper, data: list[object]) -> yaml.Node:
    return dumper.represent_sequence(_SEQ, data, flow_style=_short(data))


def _represent_dict(dumper: yaml.CSafeDumper, data: dict[str, object]) -> yaml.Node:
    short = _short([*data.keys(), *data.values()])
    return dumper.represent_mapping(_MAP, data, flow_style=short)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def kept(draft: Draft) -> str:
    """'3 treatments, 1 event, 20 measured values'."""
    shown = [
        f"{count} {what if count == 1 else _plural(what)}" for what, count in draft.mapped.items()
    ]
    return ", ".join(shown) or "nothing"


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def left_out(draft: Draft) -> str:
    """'Observation without a number (2), rows with problems (1)'."""
    return ", ".join(f"{what} ({count})" for what, count in sorted(draft.dropped.items()))


def check_target(folder: Path, sources: Sequence[Path]) -> None:
    """Refuse to write into a folder that holds the sources (nothing of the user's is touched)."""
    target = folder.resolve()
    for source in sources:
        home = source.resolve() if source.is_dir() else source.resolve().parent
        if target == home:
            raise ImportError_(
                f"{folder} holds the source {source}; write the case files to another folder"
            )
    if folder.exists() and not folder.is_dir():
        raise ImportError_(f"{folder} is a file; -o needs a folder")


def write_cases(
    drafts: Sequence[Draft], folder: Path, origin: str, existing: Existing = "rename"
) -> Written:
    """Write each draft as `name.yaml` in `folder` after checking it as the case loader would."""
    result = Written()
    planned: list[tuple[Path, str, Draft]] = []
    taken: set[str] = set()
    with no_cycle_search():  # (a case's YAML nodes hold no cycles either)
        for draft in drafts:
            path = _free(folder, slug(draft.name), taken, existing)
            body, plain = _body(draft.data)
            text = _header(draft, origin) + body
            if (invalid := _problems(draft.data, plain, text, str(path))) is not None:
                result.invalid.append(invalid)
                continue
            planned.append((path, text, draft))
    if planned:
        folder.mkdir(parents=True, exist_ok=True)
    for path, text, draft in planned:
        # 'x' mode: a file that appeared since the check is still never written over
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        result.files.append((path, draft))
    return result


def _problems(data: dict[str, Any], plain: bool, text: str, shown: str) -> InvalidCase | None:
    """What the loader would find wrong with `text`, or None.

    Data of plain types reads back from its text as the same mapping, so the loader's model
    checks it as it is; only a case with a problem (or with other types) is read back from
    its text, for the loader to say on which line each problem is.
    """
    if (too_large := size_problem(shown, len(text.encode("utf-8")))) is not None:
        return too_large
    if plain and _valid(data):
        return None
    try:
        parse_case(text, shown)
    except InvalidCase as invalid:
        return invalid
    return None


def _valid(data: dict[str, Any]) -> bool:
    try:
        Case.model_validate(data)
    except Exception:  # the loader, reading the text, says what is wrong and where
        return False
    return True


def _free(folder: Path, stem: str, taken: set[str], existing: Existing) -> Path:
    name, number = stem, 1
    while name in taken or (folder / f"{name}.yaml").exists():
        if existing == "stop" and (folder / f"{name}.yaml").exists():
            raise ImportError_(
                f"{folder / (name + '.yaml')} exists; nothing was written "
                "(use --existing rename to write beside it as name-2.yaml)"
            )
        number += 1
        name = f"{stem}-{number}"
    taken.add(name)
    return folder / f"{name}.yaml"


def relative(path: Path) -> str:
    """A path as the user would write it from here."""
    try:
        shown = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if shown.startswith("..") else shown
