"""Hypothesis strategies for case files: cases built from the format's keys, and mutations of
valid files; shared by the property tests and `benchmarks/bench_fuzz.py`."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from dashboard.model import EVENT_KINDS, MARKERS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "timelines").glob("*.yaml"))

UNITS = ("day", "week", "month", "year")
# Text as people paste it: plain words, accents, other scripts, markup, quotes, braces.
WORDS = st.sampled_from(
    [
        "NMOSD onset",
        "optic neuritis",
        "Müller",
        "IL-6",
        "ферритин",
        "发热",
        "<b>bold</b>",
        "%{x}",
        "{0}",
        "a: b",
        "50% off",
        "'quoted'",
        '"double"',
        "~approx",
        "#hash",
        "\\back\\slash",
        "=SUM(A1)",
        "x" * 300,
    ]
)
TEXT = st.one_of(
    WORDS,
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
    ).filter(lambda text: text.strip() != ""),
)


@st.composite
def times(draw: st.DrawFn, low: float = -400, high: float = 4000, dated: bool = False) -> Any:
    """A time in any written form, with its day offset: (written, day)."""
    day = draw(st.floats(low, high, allow_nan=False).map(lambda value: round(value, 2)))
    form = draw(st.sampled_from(["number", "text-number", "unit", "approx", "date"]))
    if form == "number":
        return day, day
    if form == "text-number":
        return f"{day:g}", float(f"{day:g}")
    if form == "date" and dated:
        import datetime as dt

        date = dt.date(2015, 4, 1) + dt.timedelta(days=round(day))
        return date.isoformat(), float(round(day))
    unit = draw(st.sampled_from(UNITS))
    spelt = draw(st.sampled_from(["{u} {n}", "{U} {n}", "{u}s {n}", "{u}{n}"]))
    per = {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}[unit]
    number = round(day / per, 3)
    text = spelt.format(u=unit, U=unit.upper(), n=f"{number:g}")
    written_day = float(f"{number:g}") * per
    return (f"~{text}" if form == "approx" else text), written_day


@st.composite
def treatments(draw: st.DrawFn, dated: bool) -> dict[str, Any]:
    """One treatment in one of the four timing forms, valid."""
    item: dict[str, Any] = {"drug": draw(TEXT)}
    if draw(st.booleans()):
        item["abbr"] = draw(TEXT.map(lambda text: text[:40]))
    if draw(st.booleans()):
        item["class"] = draw(st.sampled_from(["corticosteroid", "antibody", "other"]))
    if draw(st.booleans()):
        item["kind"] = draw(st.sampled_from(["drug", "procedure"]))
    if draw(st.booleans()):
        item["lane"] = draw(st.sampled_from(["steroids", "biologics"]))
    form = draw(st.sampled_from(["continuous", "ongoing", "every", "given", "doses"]))
    if form == "given":
        item["given"] = [draw(times(dated=dated))[0] for _ in range(draw(st.integers(1, 6)))]
        return item
    if form == "doses":
        steps = sorted(
            (draw(times(dated=dated)) for _ in range(draw(st.integers(1, 6)))), key=lambda t: t[1]
        )
        item["unit"] = "mg/day"
        item["doses"] = [
            {"at": written, "dose": draw(st.one_of(st.integers(0, 1000), st.just("~20")))}
            for written, _ in steps
        ]
        if draw(st.booleans()):
            item["end"] = f"day {steps[-1][1] + draw(st.integers(0, 300)):g}"
        return item
    (start, _), (end, _) = sorted(
        [draw(times(dated=dated)), draw(times(dated=dated))], key=lambda t: t[1]
    )
    item["start"] = start
    if form == "ongoing" or (form == "every" and draw(st.booleans())):
        item["ongoing"] = True
    else:
        item["end"] = end
    if form == "every":
        item["every"] = draw(st.sampled_from(["4 weeks", "1 month", "2 days", 14, "week"]))
    if draw(st.booleans()):
        item["dose"] = draw(TEXT)
    return item


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """A case file's data that the format accepts."""
    dated = draw(st.booleans())
    case: dict[str, Any] = {"title": draw(TEXT)}
    if dated:
        case["day0"] = {"label": draw(TEXT), "date": "2015-04-01"}
    if draw(st.booleans()):
        case["summary"] = draw(TEXT)
    if draw(st.booleans()):
        case["source"] = draw(
            st.one_of(TEXT, st.fixed_dictionaries({"citation": TEXT, "doi": st.just("10.1/x")}))
        )
    if draw(st.booleans()):
        case["patient"] = {"age": draw(st.integers(0, 99)), "sex": draw(TEXT)}
    if draw(st.booleans()):
        case["diagnoses"] = draw(st.lists(TEXT, max_size=3))
    if draw(st.booleans()):
        case["axis"] = {"unit": draw(st.sampled_from(UNITS))}
    case["treatments"] = draw(st.lists(treatments(dated), max_size=5))
    events = []
    for _ in range(draw(st.integers(0, 6))):
        at, day = draw(times(dated=dated))
        event: dict[str, Any] = {"at": at, "kind": draw(st.sampled_from(EVENT_KINDS))}
        if draw(st.booleans()):
            event["label"] = draw(TEXT)
        if draw(st.booleans()):
            event["detail"] = draw(TEXT)
        if draw(st.booleans()):
            event["marker"] = draw(st.sampled_from(MARKERS))
        if draw(st.booleans()):
            event["end"] = f"day {day + draw(st.integers(0, 30)):g}"
        events.append(event)
    case["events"] = events
    measurements = []
    for _ in range(draw(st.integers(0, 3))):
        log = draw(st.booleans())
        low = 0.001 if log else -1e6
        values = {
            draw(times(dated=dated))[0]: draw(st.floats(low, 1e6, allow_nan=False))
            for _ in range(draw(st.integers(1, 30)))
        }
        values = {str(key): value for key, value in values.items()}
        measurement: dict[str, Any] = {"name": draw(TEXT), "values": values}
        if log:
            measurement["scale"] = "log"
        if draw(st.booleans()):
            measurement["style"] = draw(st.sampled_from(["line", "step", "markers"]))
        if draw(st.booleans()):
            measurement["normal"] = sorted([draw(st.floats(1, 100)), draw(st.floats(1, 100))])
        if draw(st.booleans()):
            measurement["unit"] = draw(TEXT)
        measurements.append(measurement)
    case["measurements"] = measurements
    periods = []
    for _ in range(draw(st.integers(0, 2))):
        (start, _), (end, _) = sorted(
            [draw(times(dated=dated)), draw(times(dated=dated))], key=lambda t: t[1]
        )
        periods.append({"from": start, "to": end, "label": draw(TEXT)})
    case["periods"] = periods
    if draw(st.booleans()):
        steps = sorted(
            (draw(times(dated=dated)) for _ in range(draw(st.integers(1, 4)))), key=lambda t: t[1]
        )
        case["teaching"] = {
            "steps": [{"at": at, "title": draw(TEXT), "question": draw(TEXT)} for at, _ in steps]
        }
    return case


def as_yaml(data: dict[str, Any]) -> str:
    """The data written as a case file would be."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


HOSTILE_TOKENS = [
    "",
    "~",
    "!!float x",
    "!!binary aGk=",
    "!!set {a}",
    "!!python/object:os.system x",
    "*missing",
    "&a",
    "1e308",
    "-.inf",
    ".nan",
    "9" * 400,
    "20150401",
    "9999-12-31",
    "0000-01-01",
    "2013-02-30",
    "day -99999",
    "0.000001 day",
    "[" * 50,
    "{",
    "'",
    '"',
    "\t",
    ": :",
    "- -",
    "null",
    "true",
    "[]",
    "{}",
    "кind",
    "~: x",
    "<<: *a",
    "%{x}",
    "\u202e",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid case file's text with one to four edits a person (or an attacker) might make."""
    text = draw(st.sampled_from(SEEDS)).read_text(encoding="utf-8")
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["token", "delete", "duplicate", "indent", "chars", "swap"]))
        line = lines[index]
        if action == "token":
            cut = draw(st.integers(0, len(line)))
            token = draw(st.sampled_from(HOSTILE_TOKENS))
            keep = draw(st.booleans())
            lines[index] = line[:cut] + token + (line[cut:] if keep else "")
        elif action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "indent":
            lines[index] = " " * draw(st.integers(0, 8)) + line.lstrip()
        elif action == "chars":
            noise = draw(st.text(alphabet=string.printable + "äж€🧠\u00a0", max_size=6))
            cut = draw(st.integers(0, len(line)))
            lines[index] = line[:cut] + noise + line[cut:]
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        if not lines:
            lines = ["title: t"]
    return "\n".join(lines) + "\n"


def summary(data: dict[str, Any]) -> str:
    """A short description of generated data, for a failure report."""
    return json.dumps(data, ensure_ascii=False, default=str)[:2000]
