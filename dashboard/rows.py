"""A case file's rows as tables, and edits of those rows written back into its text.

The tables are treatments, events, periods and each measurement's values. An edit changes only
the characters of the item it touches: the text is composed once for the positions of its
nodes (the YAML parser's marks), and the new value, item or order is spliced in there, so the
user's comments, blank lines, quotes and layout everywhere else stay byte for byte. (A round
trip through a YAML library that re-emits the whole file would re-indent lines nobody edited.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dashboard.problems import CourseError

Kind = Literal["text", "time", "flag", "times", "number"]
Action = Literal["set", "add", "delete", "move"]

# Each table's columns in the order shown; the first few are shown even when no row uses them.
COLUMNS: dict[str, dict[str, Kind]] = {
    "treatments": {
        "drug": "text",
        "abbr": "text",
        "dose": "text",
        "start": "time",
        "end": "time",
        "ongoing": "flag",
        "given": "times",
        "every": "text",
        "kind": "text",
        "class": "text",
        "unit": "text",
        "lane": "text",
        "color": "text",
        "note": "text",
        "source": "text",
    },
    "events": {
        "at": "time",
        "kind": "text",
        "label": "text",
        "end": "time",
        "detail": "text",
        "image": "text",
        "marker": "text",
        "color": "text",
        "note": "text",
        "source": "text",
    },
    "periods": {"from": "time", "to": "time", "label": "text", "color": "text", "note": "text"},
    "values": {"at": "time", "value": "number"},
}
ALWAYS_SHOWN = {
    "treatments": ("drug", "dose", "start", "end", "ongoing"),
    "events": ("at", "kind", "label"),
    "periods": ("from", "to", "label"),
    "values": ("at", "value"),
}
NEW_ITEM: dict[str, dict[str, str]] = {
    "treatments": {"drug": "new treatment", "start": "day 0", "end": "day 30"},
    "events": {"at": "day 0", "kind": "note", "label": "new event"},
    "periods": {"from": "day 0", "to": "day 7", "label": "new period"},
}
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_LIST_TABLES = ("treatments", "events", "periods")


class RowsError(CourseError):
    """An edit of the rows that cannot be written into the text, said for the person editing."""


@dataclass(frozen=True, slots=True)
class Change:
    """One edit of a table: set a cell, add a row after `row`, delete `row`, or move `row` to
    position `to`. `measurement` picks the measurement whose values the 'values' table is."""

    table: str
    action: Action
    row: int = -1
    to: int = -1
    column: str = ""
    value: str = ""
    measurement: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """A change as the edit view sends it; anything malformed is a RowsError."""
        action = data.get("action")
        if data.get("table") not in COLUMNS or action not in ("set", "add", "delete", "move"):
            raise RowsError("the edit names no table or action the rows know")
        try:
            return cls(
                table=str(data["table"]),
                action=action,
                row=int(data.get("row", -1)),
                to=int(data.get("to", -1)),
                column=str(data.get("column", "")),
                value=str(data.get("value", "")),
                measurement=int(data.get("measurement", 0)),
            )
        except (TypeError, ValueError):
            raise RowsError("the edit's row numbers are not numbers") from None


# ----------------------------------------------------------------------------------------------
# Reading: the tables the Rows view shows


def tables(text: str) -> dict[str, Any] | None:
    """The rows of a case text as tables of cell texts, or None when the text is not a YAML
    mapping (the view then keeps the last rows it showed)."""
    root = _compose(text, quiet=True)
    if root is None:
        return None
    result: dict[str, Any] = {
        name: _table(name, _rows_of(_get(root, name), name)) for name in _LIST_TABLES
    }
    values = []
    measurements = _get(root, "measurements")
    if isinstance(measurements, SequenceNode):
        for number, item in enumerate(measurements.value):
            name = _cell(_get(item, "name")) if isinstance(item, MappingNode) else ""
            values.append(
                {
                    "name": name or f"measurement {number + 1}",
                    **_table("values", _rows_of(_get(item, "values"), "values")),
                }
            )
    result["values"] = values
    return result


def _table(name: str, rows: list[Row]) -> dict[str, Any]:
    used = {column for row in rows for column in row.fields}
    columns = [c for c in COLUMNS[name] if c in ALWAYS_SHOWN[name] or c in used]
    return {
        "columns": columns,
        "rows": [{column: _cell(row.fields.get(column)) for column in columns} for row in rows],
    }


def _cell(node: Node | None) -> str:
    """A node as the text of its cell: a scalar as written, a list as a flow list."""
    if node is None:
        return ""
    if isinstance(node, ScalarNode):
        return str(node.value)
    if isinstance(node, SequenceNode):
        return "[" + ", ".join(_cell(item) for item in node.value) + "]"
    return "{" + ", ".join(f"{_cell(k)}: {_cell(v)}" for k, v in node.value) + "}"


# ----------------------------------------------------------------------------------------------
# The text's nodes and their spans


@dataclass(slots=True)
class Row:
    """One item of a table: its cells' nodes, and the span of text that is the whole item."""

    fields: dict[str, Node]
    node: Node
    start: int = 0  # where the item's text starts (its comments above it, in a block list)
    end: int = 0  # where it ends (the end of its last line, in a block list)
    keys: dict[str, ScalarNode] = field(default_factory=dict)  # mapping items: each key's node


def _compose(text: str, quiet: bool = False) -> MappingNode | None:
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as error:
        if quiet:
            return None
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RowsError(f"the text has a YAML problem{where}; mend it there first") from None
    if not isinstance(root, MappingNode):
        if quiet:
            return None
        raise RowsError("the text is not a case (a mapping of keys); mend it there first")
    return root


def _get(node: Node | None, key: str) -> Node | None:
    pair = _pair(node, key)
    return None if pair is None else pair[1]


def _pair(node: Node | None, key: str) -> tuple[ScalarNode, Node] | None:
    if not isinstance(node, MappingNode):
        return None
    for key_node, value in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value
    return None


def _rows_of(container: Node | None, table: str) -> list[Row]:
    """The items of a table's container node, each with its cells' nodes."""
    rows: list[Row] = []
    if isinstance(container, SequenceNode):
        for item in container.value:
            if isinstance(item, MappingNode):
                keys = {k.value: k for k, _ in item.value if isinstance(k, ScalarNode)}
                fields = {k.value: v for k, v in item.value if isinstance(k, ScalarNode)}
                rows.append(Row(fields, item, keys=keys))
            elif isinstance(item, SequenceNode) and table == "values" and len(item.value) == 2:
                rows.append(Row({"at": item.value[0], "value": item.value[1]}, item))
            else:
                rows.append(Row({}, item))
    elif isinstance(container, MappingNode) and table == "values":
        for key, value in container.value:
            rows.append(Row({"at": key, "value": value}, key))
            rows[-1].end = _last_end(value)
    return rows


def _flow(node: Node) -> bool:
    """True for a collection written in brackets on one line ({...} or [...])."""
    return bool(getattr(node, "flow_style", False))


def _last_end(node: Node) -> int:
    """Where the last character of a node is written (a block collection's end mark lies past
    the comments and blank lines after it)."""
    if isinstance(node, ScalarNode) or _flow(node):
        return int(node.end_mark.index)
    if isinstance(node, MappingNode) and node.value:
        return _last_end(node.value[-1][1])
    if isinstance(node, SequenceNode) and node.value:
        return _last_end(node.value[-1])
    return int(node.end_mark.index)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The index just past the end of the line holding `index` (past its newline)."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _spans(text: str, container: Node, rows: list[Row]) -> None:
    """Set each row's span: in a block list its whole lines with the comment lines directly
    above it; in a flow list the item itself."""
    floor = int(container.start_mark.index)
    for row in rows:
        first = int(row.node.start_mark.index)
        last = row.end or _last_end(row.node)
        if _flow(container):
            row.start, row.end = first, last
            continue
        if isinstance(container, SequenceNode):
            first = text.rfind("-", floor, first)  # the item's dash
        start = _line_start(text, first)
        while start > floor:  # comment lines directly above belong to the item
            above = _line_start(text, start - 1)
            if above < floor or not text[above:start].strip().startswith("#"):
                break
            start = above
        row.start, row.end = max(start, _line_start(text, floor)), _line_end(text, last)
        floor = row.end


# ----------------------------------------------------------------------------------------------
# Writing: a change spliced into the text


def edit(text: str, change: Change) -> str:
    """The text with one change of its rows written in, every other character unchanged."""
    root = _compose(text)
    assert root is not None
    if change.table == "values":
        measurements = _get(root, "measurements")
        if not isinstance(measurements, SequenceNode) or not (
            0 <= change.measurement < len(measurements.value)
        ):
            raise RowsError("there is no such measurement; it may have been removed in the text")
        owner = measurements.value[change.measurement]
        container, key = _get(owner, "values"), "values"
    else:
        owner, key = root, change.table
        container = _get(root, key)
    rows = _rows_of(container, change.table)
    if change.action == "add":
        new = _add(text, owner, key, container, rows, change)
    elif not 0 <= change.row < len(rows):
        raise RowsError(f"there is no row {change.row + 1}; the text may have changed meanwhile")
    else:
        assert container is not None
        _spans(text, container, rows)
        if change.action == "set":
            new = _set(text, rows[change.row], change)
        elif change.action == "delete":
            new = _delete(text, owner, key, container, rows, change.row)
        else:
            new = _move(text, rows, change.row, change.to)
    if _compose(new, quiet=True) is None:  # (never hand back a text broken by the splice)
        raise RowsError(
            "this edit cannot be written into the text as it is laid out; make it there"
        )
    return new


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _scalar(value: Any, style: str | None = None) -> str:
    """A value as YAML that may stand in a flow or a block context, in the given quoting
    style (dumped as the item of a flow list, so that a plain scalar is flow-safe)."""
    dumped = yaml.dump(
        [value],
        Dumper=yaml.SafeDumper,
        default_flow_style=True,
        default_style=style or None,
        allow_unicode=True,
        width=1 << 30,
    ).strip()
    return dumped[1:-1]


def parse_cell(kind: Kind, text: str, column: str) -> Any:
    """The value a cell's text stands for in a column of this kind; RowsError when it is none."""
    text = text.strip()
    if kind == "number":
        if text.startswith("~") and _NUMBER.match(text[1:]):
            return text  # an approximate value, as the case format writes it
        try:
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            raise RowsError(f"{column}: expected a number, found {text!r}") from None
    if kind == "flag":
        if text.lower() in ("true", "yes"):
            return True
        if text.lower() in ("false", "no"):
            return False
        raise RowsError(f"{column}: expected true or false, found {text!r}")
    if kind == "time" and _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    if kind == "times":
        inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
        return [parse_cell("time", part, column) for part in inner.split(",") if part.strip()]
    return text


def _set(text: str, row: Row, change: Change) -> str:
    kinds = COLUMNS[change.table]
    if change.column not in kinds:
        raise RowsError(f"{change.column!r} is not a column of {change.table}")
    node = row.fields.get(change.column)
    if _cell(node) == change.value.strip():  # (unchanged: a wrapped text stays wrapped)
        return text
    if not change.value.strip():
        if change.table == "values":
            raise RowsError("a value needs both its time and its number")
        return text if node is None else _remove_key(text, row, change.column)
    value = parse_cell(kinds[change.column], change.value, change.column)
    if isinstance(node, ScalarNode):
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        if node.style in ("|", ">"):  # a block of text stays one: its header, then the text
            written = text[start:end]
            header, lines = written.split("\n", 1)
            indent = lines[: len(lines) - len(lines.lstrip(" "))]
            tail = written[len(written.rstrip("\n")) :] or "\n"
            return _splice(text, start, end, f"{header}\n{indent}{value}{tail}")
        style = node.style if node.style in ("'", '"') and isinstance(value, str) else None
        return _splice(text, start, end, _scalar(value, style))
    if node is not None:  # a list written as a block or flow: the new one as a flow list
        key_end = row.keys[change.column].end_mark.index
        colon = text.index(":", key_end) + 1
        return _splice(text, colon, _last_end(node), " " + _scalar(value))
    return _add_key(text, row, change.column, _scalar(value))


def _add_key(text: str, row: Row, column: str, value: str) -> str:
    item = row.node
    if not isinstance(item, MappingNode):
        raise RowsError("this row is not written as keys and values; edit it in the text")
    if _flow(item):
        if not item.value:
            return _splice(
                text, item.start_mark.index + 1, item.start_mark.index + 1, column + ": " + value
            )
        at = _last_end(item.value[-1][1])
        return _splice(text, at, at, f", {column}: {value}")
    indent = " " * item.value[0][0].start_mark.column
    at = _line_end(text, _last_end(item))
    line = f"{indent}{column}: {value}\n"
    if not text[:at].endswith("\n"):
        line = "\n" + line.rstrip("\n")
    return _splice(text, at, at, line)


def _remove_key(text: str, row: Row, column: str) -> str:
    item = row.node
    assert isinstance(item, MappingNode)
    pairs = item.value
    number = next(n for n, (k, _) in enumerate(pairs) if k.value == column)
    key, value = pairs[number]
    start, end = int(key.start_mark.index), _last_end(value)
    if _flow(item):
        if number + 1 < len(pairs):
            return _splice(text, start, pairs[number + 1][0].start_mark.index, "")
        if number > 0:
            return _splice(text, _last_end(pairs[number - 1][1]), end, "")
        return _splice(text, start, end, "")
    if text[_line_start(text, start) : start].strip() == "":  # the key starts its line
        return _splice(text, _line_start(text, start), _line_end(text, end), "")
    if number + 1 < len(pairs):  # first key after a dash: the next key moves up to the dash
        return _splice(text, start, pairs[number + 1][0].start_mark.index, "")
    return _splice(text, start, end, "{}")


def _new_item(change: Change, rows: list[Row]) -> tuple[str, str]:
    """A new row as flow YAML, and its first key's text (for a mapping of values)."""
    if change.table == "values":
        taken = {row.fields["at"].value for row in rows if "at" in row.fields}
        day = next(n for n in range(len(taken) + 1) if f"day {n}" not in taken)
        return f"[day {day}, 0]", f"day {day}"
    pairs = ", ".join(f"{k}: {_scalar(v)}" for k, v in NEW_ITEM[change.table].items())
    return "{" + pairs + "}", ""


def _add(
    text: str, owner: Node, key: str, container: Node | None, rows: list[Row], change: Change
) -> str:
    item, time = _new_item(change, rows)
    if rows:
        entry = f"{time}: 0" if isinstance(container, MappingNode) else item
        assert container is not None
        _spans(text, container, rows)
        after = rows[change.row] if 0 <= change.row < len(rows) else rows[-1]
        if _flow(container):
            return _splice(text, after.end, after.end, ", " + entry)
        first = after.node.start_mark
        dash = "" if isinstance(container, MappingNode) else "- "
        indent = " " * (first.column - len(dash))
        line = f"{indent}{dash}{entry}\n"
        if not text[: after.end].endswith("\n"):
            line = "\n" + line.rstrip("\n")
        return _splice(text, after.end, after.end, line)
    # an empty, null or missing list: written as a block list under its key
    pair = _pair(owner, key)
    if pair is None:
        if not isinstance(owner, MappingNode) or _flow(owner):
            raise RowsError("this part of the case is written on one line; edit it in the text")
        indent = " " * owner.value[0][0].start_mark.column
        block = f"{indent}{key}:\n{indent}  - {item}\n"
        at = _line_end(text, _last_end(owner))
        if at == len(text) and not text.endswith("\n"):
            block = "\n" + block
        return _splice(text, at, at, block)
    key_node, value = pair
    indent = " " * (key_node.start_mark.column + 2)
    colon = text.index(":", key_node.end_mark.index) + 1
    end = _last_end(value) if value.end_mark.index > value.start_mark.index else colon
    return _splice(text, colon, end, f"\n{indent}- {item}")


def _delete(text: str, owner: Node, key: str, container: Node, rows: list[Row], number: int) -> str:
    row = rows[number]
    if len(rows) == 1:  # the list becomes empty: written as []
        pair = _pair(owner, key)
        assert pair is not None
        colon = text.index(":", pair[0].end_mark.index) + 1
        end = row.end - 1 if text[row.end - 1 : row.end] == "\n" else row.end
        if _flow(container):
            end = int(container.end_mark.index)
        empty = " {}" if isinstance(container, MappingNode) else " []"
        return _splice(text, colon, end, empty)
    if _flow(container):
        if number + 1 < len(rows):
            return _splice(text, row.start, rows[number + 1].start, "")
        return _splice(text, rows[number - 1].end, row.end, "")
    return _splice(text, row.start, row.end, "")


def _move(text: str, rows: list[Row], number: int, to: int) -> str:
    if not 0 <= to < len(rows):
        raise RowsError(f"there is no position {to + 1} to move the row to")
    order = list(range(len(rows)))
    order.insert(to, order.pop(number))
    pieces = [text[row.start : row.end] for row in rows]
    final = not pieces[-1].endswith("\n") and rows[-1].end == len(text)
    if final:  # (the file ends without a newline: whichever row comes last keeps that)
        pieces[-1] += "\n"
    moved = [pieces[n] for n in order]
    if final:
        moved[-1] = moved[-1].removesuffix("\n")
    for row, piece in reversed(list(zip(rows, moved, strict=True))):
        text = _splice(text, row.start, row.end, piece)
    return text


__all__ = ["COLUMNS", "Change", "RowsError", "edit", "parse_cell", "tables"]
