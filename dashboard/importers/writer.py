"""Drafts -> case files: rendered as YAML, checked by the loader's model, never written over."""

from __future__ import annotations

import functools
import math
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from dashboard.importers.build import Draft, ImportRefused
from dashboard.importers.rows import no_cycle_search
from dashboard.load import parse_case, size_problem
from dashboard.model import Case
from dashboard.problems import InvalidCase, writing

Existing = Literal["rename", "stop"]


@dataclass
class Written:
    """What an import wrote and what it could not."""

    files: list[tuple[Path, Draft]] = field(default_factory=list)
    invalid: list[InvalidCase] = field(default_factory=list)


def slug(text: str) -> str:
    """A file name from a case name: 'Case 2 (MAS)' -> 'case-2-mas', 'Müller' -> 'müller',
    '病例一' -> '病例一' (letters of any script are kept; names Windows reserves are not used)."""
    name = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")[:80]
    while len(name.encode("utf-8")) > 160:  # (file names hold 255 bytes; a letter up to 4)
        name = name[:-1]
    name = name.strip("-") or "case"
    return f"{name}-case" if name.upper() in _RESERVED else name


# Names Windows gives to devices: a file called con.yaml cannot be opened there
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)]
)


def case_yaml(draft: Draft, origin: str) -> str:
    """The file's text: a header saying where it came from and what was left out, then the case."""
    return _header(draft, origin) + _body(draft.data)[0]


def _header(draft: Draft, origin: str) -> str:
    lines = [
        f"Imported by clinical-course from {origin}.",
        f"Kept: {kept(draft)}.",
        f"Left out: {left_out(draft) or 'nothing counted'}; no names, identifiers, addresses "
        "or birth dates are copied.",
        "Texts are kept as the source wrote them, less the patient's own names, record numbers, "
        "phones, e-mails and address lines it gives; other names in them are not looked for.",
        draft.dates_note,
    ]
    return "".join(f"# {line}\n" for line in lines if line)


def _body(data: dict[str, Any]) -> tuple[str, bool]:
    """The case as YAML, and whether it holds only the plain types that text gives back
    exactly as they are (text, numbers, true/false, null, lists and mappings of them)."""
    out: list[str] = []
    try:
        if _is_block(data):
            _block(data, "", "", out)
        else:
            out.append(f"{_flow(data)}\n")
    except TypeError:  # a value of another type: the full representer knows it
        body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        return body, False
    return "".join(out), True


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


# The layout `_Dumper` gives, written directly: PyYAML's emitter asks its pure-Python resolver
# about every scalar, which took longer than everything else an import does. Text is written
# plain where that reads back as the same text, else quoted as PyYAML quotes it; long text
# stays on one line (PyYAML would fold it at 100 columns, which reads back the same).


def _is_block(data: object) -> bool:
    """Whether `data` is written as a block (below its key or dash), not on one line."""
    if type(data) is dict:
        return bool(data) and not _short([*data.keys(), *data.values()])
    return type(data) is list and bool(data) and not _short(data)


def _block(data: object, indent: str, first: str, out: list[str]) -> None:
    """`data` (a block) as lines: `first` starts its first line, `indent` the others."""
    if type(data) is dict:
        prefix = first
        for key, value in data.items():
            if type(key) is not str or not _PLAIN.fullmatch(key) or key in _WORDS:
                raise TypeError("a key the representer writes")  # (not one of a case's own)
            out.append(f"{prefix}{key}:")
            _value(value, indent, out)
            prefix = indent
    else:
        assert type(data) is list
        for item in data:
            out.append(f"{first}-")
            _value(item, indent + "  ", out, item=True)
            first = indent


def _value(value: object, indent: str, out: list[str], *, item: bool = False) -> None:
    """What follows `key:` or `-`: on the same line when flow or a scalar, else the block below
    (a mapping indented under its key, a sequence at the key's own indent, as PyYAML writes;
    under a dash, a block starts on the dash's line)."""
    if _is_block(value):
        if item:
            _block(value, indent, " ", out)
        else:
            below = indent + "  " if type(value) is dict else indent
            out.append("\n")
            _block(value, below, below, out)
    elif type(value) is str:
        text = _scalar(value, False)
        column = len(out[-1]) + 1
        if column + len(text) > _WIDTH and text[0] not in "'\"":
            text = _folded(text, column, indent + "  ")
        out.append(f" {text}\n")
    else:
        out.append(f" {_flow(value)}\n")


_WIDTH = 100


def _folded(text: str, column: int, indent: str) -> str:
    """Plain text folded as libyaml folds it: at a single space once past the width."""
    words = text.split(" ")
    lines, line = [], words[0]
    column += len(line)
    for word in words[1:]:
        if column > _WIDTH and word and line[-1:] != " ":  # (a space between two words)
            lines.append(line)
            line, column = indent + word, len(indent) + len(word)
        else:
            line += " " + word
            column += 1 + len(word)
    return "\n".join([*lines, line])


def _flow(data: object) -> str:
    """A scalar, or a short list or mapping of scalars, on one line."""
    if type(data) is list:
        return "[" + ", ".join(_scalar(item, True) for item in data) + "]"
    if type(data) is dict:
        pairs = (f"{_scalar(key, True)}: {_scalar(value, True)}" for key, value in data.items())
        return "{" + ", ".join(pairs) + "}"
    return _scalar(data, False)


def _scalar(data: object, flow: bool) -> str:
    if type(data) is str:
        if _PLAIN.fullmatch(data) and data not in _WORDS:
            return data
        return _quoted(data, flow)
    if type(data) is bool:
        return "true" if data else "false"
    if type(data) is int:
        return str(data)
    if type(data) is float:
        return _float(data)
    if data is None:
        return "null"
    raise TypeError(f"no YAML scalar for {type(data).__name__}")


# Text that is plain in every place and reads back as text (not a number, date, true or null)
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/()%+'-]*(?<! )")
_WORDS = frozenset(
    word
    for base in ("yes", "no", "true", "false", "on", "off", "null")
    for word in (base, base.title(), base.upper())
)
_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


@functools.lru_cache(maxsize=65536)
def _quoted(text: str, flow: bool) -> str:
    """`text` as PyYAML writes it in a flow or block place, on one line."""
    if _BREAKS.search(text):  # double quotes keep a line break on one line, as \n
        return _dumped(text, default_style='"').rstrip("\n")
    if flow:
        return _dumped([text], default_flow_style=True)[1:-2]  # '[...]\n'
    return _dumped({"k": text}, default_flow_style=False)[3:-1]  # 'k: ...\n'


def _dumped(data: object, **style: Any) -> str:
    return str(yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, width=1 << 30, **style))


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


_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
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
            holds = "is the folder being imported" if source.is_dir() else f"holds {source}"
            raise ImportRefused(
                f"{folder} {holds}; write the case files to another folder (-o cases/, say)"
            )
    if folder.exists() and not folder.is_dir():
        raise ImportRefused(f"{folder} is a file; -o needs a folder")


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
        with writing(folder):
            folder.mkdir(parents=True, exist_ok=True)
    for path, text, draft in planned:
        # 'x' mode: a file that appeared since the check is still never written over
        with writing(path), open(path, "x", encoding="utf-8", newline="\n") as handle:
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
            raise ImportRefused(
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
