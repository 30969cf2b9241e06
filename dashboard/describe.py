"""The case in words: figure legend, text account, tidy table, detail panel, default steps.

Pure: takes a validated `Case`, returns text and tables. No plotly, no dash, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import pandas as pd

from dashboard.model import Case, Event, Measurement, Period, Step, Time, Treatment
from dashboard.model.times import format_date, format_interval

FRAME_COLUMNS = (
    *("ref", "section", "name", "kind", "start_day", "end_day", "start", "end"),
    *("dose", "detail", "approximate", "source"),
)
# A dose text that already says how often, so the `every` interval is not repeated.
_FREQUENCY = re.compile(r"every|daily|weekly|monthly|yearly|/\s*(day|week|month)|\bq\d", re.I)
_REF = re.compile(
    r"(treatments|events|measurements|periods)\[(\d{1,9})\](?:\.values\[(\d{1,9})\])?"
)
# Ties on one day read best as: what day 0 is, then what happened, then what was given.
_ORDER = {"day0": 0, "event": 1, "period": 2, "treatment": 3, "measurement": 4}


# -- small wording helpers -------------------------------------------------------------------


def format_value(value: float) -> str:
    """A measured value as people write it: 45000, 38.5, 0.05."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def _capital(text: str) -> str:
    """Capitalise the first letter, keeping a leading '~'."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def day0_when(case: Case) -> str:
    """' (Apr 2015)' when day 0 has a date, else ''."""
    date = case.day0.date
    if date is None or date.date is None:
        return ""
    return f" ({format_date(date.date, date.precision)})"


def _name(treatment: Treatment) -> str:
    return f"{treatment.drug} ({treatment.abbr})" if treatment.abbr else treatment.drug


def _taper(treatment: Treatment) -> str:
    """'taper 60 → 40 → 10 mg/day' (or 'dose ...' when it does not only fall)."""
    steps = treatment.doses or ()
    doses = [step.dose for step in steps]
    profile = " → ".join(f"{'~' * s.dose_approx}{format_value(s.dose)}" for s in steps)
    if treatment.unit:
        profile += f" {treatment.unit}"
    falling = len(doses) > 1 and all(b <= a for a, b in pairwise(doses))
    return f"{'taper' if falling else 'dose'} {profile}"


def _dose_text(treatment: Treatment) -> str | None:
    """The written dose, with the `every` interval unless the text already says how often."""
    every = f"every {format_interval(treatment.every)}" if treatment.every else None
    if treatment.dose and every and not _FREQUENCY.search(treatment.dose):
        return f"{treatment.dose} {every}"
    return treatment.dose or every


def _dose(treatment: Treatment) -> str | None:
    """The dose text, or the taper profile; None when there is neither."""
    return _taper(treatment) if treatment.doses is not None else _dose_text(treatment)


def _treatment_approx(treatment: Treatment) -> bool:
    times = [t for t in (treatment.start, treatment.end) if t is not None]
    times += treatment.given or ()
    steps = treatment.doses or ()
    return any(time.approx for time in times) or any(step.approx for step in steps)


def _value_approx(measurement: Measurement) -> bool:
    return any(time.approx or approx for time, (_, approx) in measurement.values)


def _period_name(period: Period) -> str:
    return period.label or "shaded period"


# -- caption ---------------------------------------------------------------------------------


def abbreviations(case: Case) -> list[str]:
    """The case's abbreviation entries ('TCZ: tocilizumab'), each once, in order."""
    seen: set[str] = set()
    entries: list[str] = []
    for treatment in case.treatments:
        if treatment.abbr is None or treatment.abbr in seen:
            continue
        seen.add(treatment.abbr)
        dose = _dose_text(treatment)
        if treatment.abbr.lower() == treatment.drug.lower() and not dose:
            continue  # "IVIG: IVIG" says nothing
        entries.append(f"{treatment.abbr}: {treatment.drug}" + (f" {dose}" if dose else ""))
    for measurement in case.measurements:
        abbr = measurement.abbr
        if abbr is not None and abbr not in seen and abbr.lower() != measurement.name.lower():
            seen.add(abbr)
            entries.append(f"{abbr}: {measurement.name}")
    return entries


def _shading(case: Case) -> str | None:
    """What the shaded areas mean: reference ranges in the panels, periods across them."""
    parts = []
    if any(m.normal is not None for m in case.measurements):
        parts.append("Pale bands in a panel, in its series' colour, are reference ranges")
    named = list(dict.fromkeys(period.label for period in case.periods if period.label))
    if case.periods:
        which = " (" + ", ".join(f"“{name}”" for name in named) + ")" if named else ""
        parts.append(f"grey shading across all panels marks periods{which}")
    return _sentence(_capital("; ".join(parts))) if parts else None


def is_approximate(case: Case) -> bool:
    """True when any time or value in the case was written with ~."""
    # Teaching steps are not drawn, so a '~' on a step does not make the figure approximate.
    drawn = case.times[: len(case.times) - len(case.teaching.steps)]
    return (
        any(time.approx for time in drawn)
        or any(_value_approx(measurement) for measurement in case.measurements)
        or any(_treatment_approx(treatment) for treatment in case.treatments)
    )


def patient_line(case: Case) -> str | None:
    """'45 years, female, note' from the case's patient, or None when it says nothing."""
    patient = case.patient
    if patient is None:
        return None
    number = patient.age and patient.age.replace(".", "", 1).isdigit()
    age = f"{patient.age} years" if number else patient.age  # ('90 or older' as written)
    parts = (age, patient.sex, patient.note)
    return ", ".join(part for part in parts if part) or None


def caption(case: Case) -> str:
    """A figure legend generated from the case, worded like the papers' legends."""
    parts = ["Clinical course."]
    if entries := abbreviations(case):
        parts.append("; ".join(entries) + ".")
    if any(event.kind == "relapse" for event in case.events):
        parts.append("▼ relapses.")
    if shading := _shading(case):
        parts.append(shading)
    if _day0_said(case):
        parts.append(f"Day 0 is {case.day0.label}{day0_when(case)}.")
    if is_approximate(case):
        parts.append("Values marked ~ are approximate.")
    source = case.source
    if source is not None and source.citation:
        cited = f"Adapted from: {source.citation.rstrip('. ')}."
        if source.figure:
            cited += f" {_sentence(source.figure)}"
        parts.append(cited)
    return " ".join(parts)


# -- the account in words --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    day: float
    order: int
    text: str


def _treatment_line(treatment: Treatment) -> _Line:
    name = _name(treatment)
    dose = _dose(treatment)
    if treatment.given is not None:
        times = sorted(treatment.given, key=lambda time: time.day)
        text = f"{_join([time.describe() for time in times])}: {name}"
        text += f" {dose}" if dose else ""
        return _Line(times[0].day, _ORDER["treatment"], _sentence(_capital(text)))
    first = treatment.first
    what = name + (f" {dose}" if dose else "")
    if treatment.end is not None and treatment.end.describe() == first.describe():
        text = f"{first.describe()}: {what}"  # (one day: not 'day 125 to day 125')
    elif treatment.end is not None:
        text = f"{first.describe()} to {treatment.end.describe()}: {what}"
    elif treatment.ongoing:
        text = f"from {first.describe()}: {what}, ongoing"
    else:
        text = f"from {first.describe()}: {what}"
    return _Line(first.day, _ORDER["treatment"], _sentence(_capital(text)))


def _event_what(event: Event) -> str:
    kind = event.kind.replace("-", " ")
    if event.label is None:
        return kind
    if kind.split()[0].lower() in event.label.lower():
        return event.label
    return f"{kind}, {event.label}"


def _event_line(event: Event) -> _Line:
    when = event.at.describe()
    if event.end is not None:
        when += f" to {event.end.describe()}"
    text = _sentence(_capital(f"{when}: {_event_what(event)}"))
    if event.detail:
        text += " " + _sentence(event.detail)
    return _Line(event.at.day, _ORDER["event"], text)


def measurement_summary(measurement: Measurement) -> str:
    """'Ferritin (ng/mL): 2340 on day 0, peak 45000 on day 3, last 300 on day 60.'"""
    points = sorted(
        ((time, value, approx) for time, (value, approx) in measurement.values),
        key=lambda point: point[0].day,
    )

    def shown(point: tuple[Time, float, bool]) -> str:
        time, value, approx = point
        return f"{'~' if approx else ''}{format_value(value)} on {time.describe()}"

    title = measurement.name + (f" ({measurement.unit})" if measurement.unit else "")
    if len(points) > 3:
        title += f", {len(points)} values"
    first, last = points[0], points[-1]
    parts = [shown(first)]
    peak = max(points, key=lambda point: point[1])
    if peak[1] > max(first[1], last[1]):
        parts.append("peak " + shown(peak))
    if len(points) > 1:
        parts.append("last " + shown(last))
    return f"{title}: {', '.join(parts)}."


def _day0_said(case: Case) -> bool:
    """Whether day 0 has anything to say: a name or a date ('Day 0 is Day 0.' says nothing)."""
    return case.day0.label != "Day 0" or bool(day0_when(case))


def _lines(case: Case) -> Iterator[_Line]:
    day0_events = [
        e for e in case.events if e.at.day == 0 and e.title.lower() == case.day0.label.lower()
    ]
    if not day0_events and _day0_said(case):
        text = f"Day 0{day0_when(case)}: {_sentence(case.day0.label)}"
        yield _Line(0.0, _ORDER["day0"], text)
    for treatment in case.treatments:
        yield _treatment_line(treatment)
    for event in case.events:
        line = _event_line(event)
        yield _Line(line.day, _ORDER["day0"] if event in day0_events else line.order, line.text)
    for measurement in case.measurements:
        first_day = min(time.day for time, _ in measurement.values)
        yield _Line(first_day, _ORDER["measurement"], measurement_summary(measurement))
    for period in case.periods:
        text = f"{period.from_.describe()} to {period.to.describe()}: {_period_name(period)}"
        yield _Line(period.from_.day, _ORDER["period"], _sentence(_capital(text)))


def course_account(case: Case) -> list[str]:
    """The course as plain sentences in time order: the figure's text alternative."""
    lines = sorted(_lines(case), key=lambda line: (line.day, line.order))
    texts = [line.text for line in lines]
    # Day 0 is named once: later lines of that day say "the same day" instead.
    day0 = re.compile(r"^(~?)Day 0(?: \([^)]*\))?( to |: )")
    named = False
    for number, text in enumerate(texts):
        match = day0.match(text)
        if match is None:
            continue
        if named:
            approx = "About the same day" if match[1] else "The same day"
            lead = "From then to " if match[2] == " to " else f"{approx}: "
            texts[number] = lead + text[match.end() :]
        named = True
    return texts


# -- the tidy table --------------------------------------------------------------------------


def _row(
    ref: str,
    name: str,
    kind: str,
    start: Time,
    end: Time | None,
    approximate: bool,
    **texts: str | None,
) -> dict[str, Any]:
    section = ref.split("[")[0].removesuffix("s")
    row: dict[str, Any] = dict.fromkeys(FRAME_COLUMNS)
    row.update(ref=ref, section=section, name=name, kind=kind, start_day=start.day)
    row.update(start=start.describe(), end=end.describe() if end else None)
    row["end_day"] = end.day if end else math.nan
    row.update(approximate=approximate, **texts)
    return row


def _rows(case: Case) -> Iterator[dict[str, Any]]:
    for index, item in enumerate(case.treatments):
        end = item.end or (item.last if item.start is None else None)
        approx = _treatment_approx(item)
        row = _row(f"treatments[{index}]", _name(item), item.kind, item.first, end, approx)
        if item.ongoing:
            row["end"] = "ongoing"
        yield row | {"dose": _dose(item), "detail": item.note, "source": item.source}
    for index, event in enumerate(case.events):
        approx = event.at.approx or bool(event.end and event.end.approx)
        row = _row(f"events[{index}]", event.title, event.kind, event.at, event.end, approx)
        yield row | {"detail": event.detail, "source": event.source}
    for index, series in enumerate(case.measurements):
        first, last = series.points[0].time, series.points[-1].time
        row = _row(f"measurements[{index}]", series.name, "measurement", first, last, False)
        row["approximate"] = _value_approx(series)
        yield row | {"detail": measurement_summary(series), "source": series.source}
    for index, period in enumerate(case.periods):
        approx = period.from_.approx or period.to.approx
        name = _period_name(period)
        row = _row(f"periods[{index}]", name, "period", period.from_, period.to, approx)
        yield row | {"detail": period.note}


def items_frame(case: Case) -> pd.DataFrame:
    """Every item of the case as one row of a tidy table, sorted by start day."""
    frame = pd.DataFrame(list(_rows(case)), columns=list(FRAME_COLUMNS))
    frame = frame.astype({"start_day": float, "end_day": float, "approximate": bool})
    return frame.sort_values("start_day", kind="stable").reset_index(drop=True)


# -- the detail panel ------------------------------------------------------------------------


def _treatment_details(treatment: Treatment) -> dict[str, str | None]:
    given = sorted(treatment.given or (), key=lambda time: time.day)
    steps = [
        f"{'~' * s.dose_approx}{format_value(s.dose)} from {s.at.describe()}"
        for s in treatment.doses or ()
    ]
    end = treatment.end.describe() if treatment.end else None
    return {
        "Name": _name(treatment),
        "Kind": treatment.kind,
        "Class": treatment.class_,
        "Dose": _dose(treatment),
        "Every": format_interval(treatment.every) if treatment.every else None,
        "Start": treatment.start.describe() if treatment.start else None,
        "Given": ", ".join(time.describe() for time in given),
        "Steps": ", ".join(steps),
        "End": "ongoing" if treatment.ongoing else end,
        "Note": treatment.note,
        "Source": treatment.source,
    }


def _event_details(event: Event) -> dict[str, str | None]:
    return {
        "Name": event.title,
        "Kind": event.kind.replace("-", " "),
        "Time" if event.end is None else "Start": event.at.describe(),
        "End": event.end.describe() if event.end else None,
        "Detail": event.detail,
        "Note": event.note,
        "Source": event.source,
        "Image": event.image,
    }


def _measurement_details(
    measurement: Measurement, value_index: int | None
) -> dict[str, str | None] | None:
    unit = f" {measurement.unit}" if measurement.unit else ""
    common = {"Name": measurement.name, "Kind": "measurement"}
    if value_index is None:
        return common | {
            "Unit": measurement.unit,
            "Values": measurement_summary(measurement),
            "Note": measurement.note,
            "Source": measurement.source,
        }
    if value_index >= len(measurement.values):
        return None
    time, (value, approx) = measurement.values[value_index]
    return common | {
        "Value": f"{'~' if approx else ''}{format_value(value)}{unit}",
        "Time": time.describe(),
        "Approximate": "yes" if approx or time.approx else None,
        "Note": measurement.note,
        "Source": measurement.source,
    }


def item_details(case: Case, ref: str) -> dict[str, str] | None:
    """The fields for a detail panel, for a ref such as 'events[5]'; None for an unknown ref."""
    match = _REF.fullmatch(ref.strip()) if isinstance(ref, str) else None
    if match is None:
        return None
    section, index, value = match.group(1), int(match.group(2)), match.group(3)
    if value is not None and section != "measurements":
        return None
    items: tuple[Any, ...] = getattr(case, section)
    if index >= len(items):
        return None
    item = items[index]
    details: dict[str, str | None] | None
    if isinstance(item, Treatment):
        details = _treatment_details(item)
    elif isinstance(item, Event):
        details = _event_details(item)
    elif isinstance(item, Measurement):
        details = _measurement_details(item, int(value) if value is not None else None)
    else:
        details = {
            "Name": _period_name(item),
            "Kind": "period",
            "Start": item.from_.describe(),
            "End": item.to.describe(),
            "Note": item.note,
        }
    if details is None:
        return None
    return {label: text for label, text in details.items() if text}


# -- default teaching steps ------------------------------------------------------------------


def default_steps(case: Case) -> list[Step]:
    """Steps for a case without teaching steps: day 0, each relapse, each treatment start."""
    day0 = case.day0.date or Time(0.0, None, False, "relative", "day 0")
    candidates: list[tuple[float, int, Time, str]] = [(0.0, 0, day0, f"Day 0: {case.day0.label}")]
    for event in case.events:
        if event.kind == "relapse":
            title = f"Relapse: {event.label}" if event.label else "Relapse"
            candidates.append((event.at.day, 1, event.at, title))
    for treatment in case.treatments:
        candidates.append((treatment.first.day, 2, treatment.first, f"Start of {_name(treatment)}"))
    steps: list[Step] = []
    seen: set[float] = set()
    for day, _, time, title in sorted(candidates, key=lambda item: (item[0], item[1])):
        if day in seen:
            continue
        seen.add(day)
        steps.append(Step.model_validate({"at": time, "title": _clipped(title)}))
    return steps


STEP_TITLE = 120  # characters: a slide heading, not the label's whole text


def _clipped(text: str, limit: int = STEP_TITLE) -> str:
    """`text`, cut at a word with an ellipsis when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip() + "…"
