"""A figure revealed up to a day: the case as it stood then, and refs back to the whole."""

from __future__ import annotations

import re
from typing import Any

from dashboard.model import Case

_REF = re.compile(r"(treatments|events|measurements|periods)\[(\d+)\]")


def as_known_on(case: Case, day: float) -> tuple[Case, dict[str, list[int]]]:
    """The case as it stood on `day`: what begins later is left out, so that no row, legend
    entry or label gives away what comes next; with the index each kept item had."""
    kept = {
        "treatments": [i for i, item in enumerate(case.treatments) if item.first.day <= day],
        "events": [i for i, event in enumerate(case.events) if event.at.day <= day],
        "measurements": [
            i
            for i, measurement in enumerate(case.measurements)
            if min(time.day for time, _ in measurement.values) <= day
        ],
        "periods": [i for i, period in enumerate(case.periods) if period.from_.day <= day],
    }
    items = {name: tuple(getattr(case, name)[i] for i in indices) for name, indices in kept.items()}
    return case.model_copy(update=items), kept


def restore_refs(data: list[dict[str, Any]], kept: dict[str, list[int]]) -> None:
    """Point the refs of a revealed figure back at the items of the whole case."""
    for trace in data:
        rows = trace.get("customdata") or []
        for number, row in enumerate(rows):
            if row and isinstance(row[0], str):
                # a new row: segments share one row list between their points
                rows[number] = [restored(row[0], kept), *row[1:]]


def restored(ref: str, kept: dict[str, list[int]]) -> str:
    """A ref of a revealed figure (`events[2]`, `treatments[1].doses[0]`) pointed back at
    its item of the whole case."""

    def original(match: re.Match[str]) -> str:
        return f"{match[1]}[{kept[match[1]][int(match[2])]}]"

    return _REF.sub(original, ref, count=1)
