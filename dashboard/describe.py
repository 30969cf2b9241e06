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

from dashboard.i18n import Words, words
from dashboard.model import Case, Event, Measurement, Period, Step, Time, Treatment

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
    """Capitalise the first letter, keeping a leading '~' (lines begin with the program's
    own words or a time, never with the user's text)."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def day0_when(case: Case) -> str:
    """' (Apr 2015)' when day 0 has a date, else ''."""
    date = case.day0.date
    if date is None or date.date is None:
        return ""
    return f" ({words(case.language).date(date.date, date.precision)})"


def drug_name(treatment: Treatment) -> str:
    """'prednisolone (PSL)'; a name said once when the abbreviation is the name itself."""
    abbr = treatment.abbr
    if abbr and abbr.casefold() != treatment.drug.casefold():
        return f"{treatment.drug} ({abbr})"
    return treatment.drug


def _taper(treatment: Treatment, say: Words) -> str:
    """'taper 60 → 40 → 10 mg/day' (or 'dose ...' when it does not only fall); a dose that
    stays as it was is not written again (60 → 50, not 60 → 60 → 50)."""
    steps = [
        step
        for number, step in enumerate(treatment.doses or ())
        if number == 0 or step.dose != (treatment.doses or ())[number - 1].dose
    ]
    doses = [step.dose for step in steps]
    profile = " → ".join(f"{'~' * s.dose_approx}{say.value(s.dose)}" for s in steps)
    if treatment.unit:
        profile += f" {treatment.unit}"
    falling = len(doses) > 1 and all(b <= a for a, b in pairwise(doses))
    if falling:
        return say.t("taper {profile}", profile=profile)
    return say.t("dose {profile}", profile=profile)


def _dose_text(treatment: Treatment, say: Words) -> str | None:
    """The written dose, with the `every` interval unless the text already says how often."""
    every = say.every(treatment.every) if treatment.every else None
    if treatment.dose and every and not _FREQUENCY.search(treatment.dose):
        return f"{treatment.dose} {every}"
    return treatment.dose or every


def _dose(treatment: Treatment, say: Words) -> str | None:
    """The dose text, or the taper profile; None when there is neither."""
    return _taper(treatment, say) if treatment.doses is not None else _dose_text(treatment, say)


def _treatment_approx(treatment: Treatment) -> bool:
    times = [t for t in (treatment.start, treatment.end) if t is not None]
    times += treatment.given or ()
    steps = treatment.doses or ()
    return any(time.approx for time in times) or any(step.approx for step in steps)


def _value_approx(measurement: Measurement) -> bool:
    return any(time.approx or approx for time, (_, approx) in measurement.values)


def _period_name(period: Period, say: Words) -> str:
    return period.label or say.t("shaded period")


# -- caption ---------------------------------------------------------------------------------


def abbreviations(case: Case) -> list[str]:
    """The case's abbreviation entries ('TCZ: tocilizumab'), each once, in order."""
    say = words(case.language)
    seen: set[str] = set()
    entries: list[str] = []
    for treatment in case.treatments:
        if treatment.abbr is None or treatment.abbr in seen:
            continue
        seen.add(treatment.abbr)
        dose = _dose_text(treatment, say)
        if treatment.abbr.casefold() == treatment.drug.casefold() and not dose:
            continue  # "IVIG: IVIG" says nothing
        drug = treatment.drug + (f" {dose}" if dose else "")
        entries.append(say.t("{abbr}: {name}", abbr=treatment.abbr, name=drug))
    for measurement in case.measurements:
        abbr = measurement.abbr
        if abbr is not None and abbr not in seen and abbr.casefold() != measurement.name.casefold():
            seen.add(abbr)
            entries.append(say.t("{abbr}: {name}", abbr=abbr, name=measurement.name))
    return entries


def _shading(case: Case, say: Words) -> list[str]:
    """What the shaded areas mean: reference ranges in the panels, periods across them."""
    parts = []
    if any(m.normal is not None for m in case.measurements):
        parts.append(say.t("Pale bands in a panel, in its series' colour, are reference ranges."))
    named = list(dict.fromkeys(period.label for period in case.periods if period.label))
    if case.periods and named:
        quoted = say.t(", ").join(say.t("“{text}”", text=name) for name in named)
        parts.append(say.t("Grey shading across all panels marks periods ({names}).", names=quoted))
    elif case.periods:
        parts.append(say.t("Grey shading across all panels marks periods."))
    return parts


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
    say = words(case.language)
    number = patient.age and patient.age.replace(".", "", 1).isdigit()
    # ('90 or older' stays as written)
    age = say.tc("age", "{age} years", age=patient.age) if number else patient.age
    parts = (age, patient.sex, patient.note)
    return say.t(", ").join(part for part in parts if part) or None


def caption(case: Case) -> str:
    """A figure legend generated from the case, worded like the papers' legends."""
    say = words(case.language)
    parts = [say.t("Clinical course.")]
    if entries := abbreviations(case):
        parts.append(say.sentence(say.t("; ").join(entries)))
    if any(event.kind == "relapse" for event in case.events):
        parts.append(say.t("▼ relapses."))
    parts += _shading(case, say)
    if _day0_said(case):
        label = case.day0.named or say.t("day 0")
        parts.append(say.t("Day 0 is {label}.", label=label + day0_when(case)))
    if is_approximate(case):
        parts.append(say.t("Values marked ~ are approximate."))
    source = case.source
    if source is not None and source.citation:
        cited = say.t("Adapted from: {citation}.", citation=source.citation.rstrip(". "))
        if source.figure:
            cited += f" {say.sentence(source.figure)}"
        parts.append(cited)
    return say.t(" ").join(parts)


# -- the account in words --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    """One sentence of the account: when, what, and anything said after it."""

    day: float
    order: int
    what: str
    start: str | None = None  # None: `what` is the whole sentence
    end: str | None = None  # a span's end ('day 0 to day 21: ...')
    since: bool = False  # 'from day 3: ..., ongoing'
    on_day0: bool = False  # begins on day 0 written as a day: later ones say 'the same day'
    approx: bool = False
    after: str = ""  # a further sentence (an event's detail)


def _text(line: _Line, say: Words, same_day: bool) -> str:
    """The line as a sentence; on day 0 after the first, 'The same day' stands for its time."""
    if line.start is None:
        return line.what
    if same_day and line.end is not None:
        text = say.t("From then to {end}: {what}", end=line.end, what=line.what)
    elif same_day:
        lead = say.t("About the same day") if line.approx else say.t("The same day")
        text = say.t("{when}: {what}", when=lead, what=line.what)
    elif line.since:
        text = say.t("From {start}: {what}", start=line.start, what=line.what)
    elif line.end is not None:
        text = say.t("{start} to {end}: {what}", start=line.start, end=line.end, what=line.what)
    else:
        text = say.t("{when}: {what}", when=line.start, what=line.what)
    text = say.sentence(_capital(text))
    return text + (" " + say.sentence(line.after) if line.after else "")


def _starts_day0(time: Time) -> bool:
    return time.day == 0 and not time.is_calendar


def _treatment_line(treatment: Treatment, say: Words) -> _Line:
    name = drug_name(treatment)
    dose = _dose(treatment, say)
    what = name + (f" {dose}" if dose else "")
    order = _ORDER["treatment"]
    if treatment.given is not None:
        times = sorted(treatment.given, key=lambda time: time.day)
        when = say.join([say.when(time) for time in times])
        return _Line(times[0].day, order, what, when)
    first = treatment.first
    end = say.when(treatment.end) if treatment.end is not None else None
    if end == say.when(first):
        end = None  # one day: not 'day 125 to day 125'
    elif treatment.end is None and treatment.ongoing:
        what = say.t("{what}, ongoing", what=what)
    return _Line(
        first.day,
        order,
        what,
        say.when(first),
        end,
        since=treatment.end is None,
        on_day0=_starts_day0(first),
        approx=first.approx,
    )


def _event_what(event: Event, say: Words) -> str:
    kind = say.kind_in_text(event.kind)
    if event.label is None:
        return kind
    if kind.split()[0].casefold() in event.label.casefold():
        return event.label
    return say.t("{kind}, {label}", kind=kind, label=event.label)


def _event_line(event: Event, say: Words, order: int) -> _Line:
    end = say.when(event.end) if event.end is not None else None
    return _Line(
        event.at.day,
        order,
        _event_what(event, say),
        say.when(event.at),
        end,
        on_day0=_starts_day0(event.at),
        approx=event.at.approx,
        after=event.detail or "",
    )


def measurement_summary(measurement: Measurement, say: Words | None = None) -> str:
    """'Ferritin (ng/mL): 2340 on day 0, peak 45000 on day 3, last 300 on day 60.'"""
    say = say or words()
    points = sorted(
        ((time, value, approx) for time, (value, approx) in measurement.values),
        key=lambda point: point[0].day,
    )

    def shown(point: tuple[Time, float, bool]) -> str:
        time, value, approx = point
        value_text = f"{'~' if approx else ''}{say.value(value)}"
        return say.t("{value} on {when}", value=value_text, when=say.when(time))

    title = measurement.name + (f" ({measurement.unit})" if measurement.unit else "")
    if len(points) > 3:
        title = say.tn("{name}, {count} value", "{name}, {count} values", len(points), name=title)
    first, last = points[0], points[-1]
    parts = [shown(first)]
    peak = max(points, key=lambda point: point[1])
    if peak[1] > max(first[1], last[1]):
        parts.append(say.t("peak {value}", value=shown(peak)))
    if len(points) > 1:
        parts.append(say.t("last {value}", value=shown(last)))
    return say.sentence(say.t("{when}: {what}", when=title, what=say.t(", ").join(parts)))


def _day0_said(case: Case) -> bool:
    """Whether day 0 has anything to say: a name or a date ('Day 0 is Day 0.' says nothing)."""
    return case.day0.named is not None or bool(day0_when(case))


def _lines(case: Case, say: Words) -> Iterator[_Line]:
    label = case.day0.named
    day0_events = [
        e
        for e in case.events
        if e.at.day == 0 and label is not None and say.event_title(e).casefold() == label.casefold()
    ]
    if not day0_events and _day0_said(case):
        lead = say.t("Day 0") + day0_when(case)
        yield _Line(0.0, _ORDER["day0"], label or say.t("day 0"), lead)
    for treatment in case.treatments:
        yield _treatment_line(treatment, say)
    for event in case.events:
        order = _ORDER["day0"] if event in day0_events else _ORDER["event"]
        yield _event_line(event, say, order)
    for measurement in case.measurements:
        first_day = min(time.day for time, _ in measurement.values)
        yield _Line(first_day, _ORDER["measurement"], measurement_summary(measurement, say))
    for period in case.periods:
        yield _Line(
            period.from_.day,
            _ORDER["period"],
            _period_name(period, say),
            say.when(period.from_),
            say.when(period.to),
            on_day0=_starts_day0(period.from_),
            approx=period.from_.approx,
        )


def course_account(case: Case) -> list[str]:
    """The course as plain sentences in time order: the figure's text alternative."""
    say = words(case.language)
    lines = sorted(_lines(case, say), key=lambda line: (line.day, line.order))
    # Day 0 is named once: later lines of that day say "the same day" instead.
    named = False
    texts = []
    for line in lines:
        at_day0 = line.on_day0 or (line.order == _ORDER["day0"] and line.start is not None)
        texts.append(_text(line, say, same_day=named and at_day0))
        named = named or at_day0
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
    say = words(case.language)
    for index, item in enumerate(case.treatments):
        end = item.end or (item.last if item.start is None else None)
        approx = _treatment_approx(item)
        row = _row(f"treatments[{index}]", drug_name(item), item.kind, item.first, end, approx)
        if item.ongoing:
            row["end"] = "ongoing"
        yield row | {"dose": _dose(item, say), "detail": item.note, "source": item.source}
    for index, event in enumerate(case.events):
        approx = event.at.approx or bool(event.end and event.end.approx)
        row = _row(
            f"events[{index}]", say.event_title(event), event.kind, event.at, event.end, approx
        )
        yield row | {"detail": event.detail, "source": event.source}
    for index, series in enumerate(case.measurements):
        first, last = series.points[0].time, series.points[-1].time
        row = _row(f"measurements[{index}]", series.name, "measurement", first, last, False)
        row["approximate"] = _value_approx(series)
        yield row | {"detail": measurement_summary(series, say), "source": series.source}
    for index, period in enumerate(case.periods):
        approx = period.from_.approx or period.to.approx
        name = _period_name(period, say)
        row = _row(f"periods[{index}]", name, "period", period.from_, period.to, approx)
        yield row | {"detail": period.note}


def items_frame(case: Case) -> pd.DataFrame:
    """Every item of the case as one row of a tidy table, sorted by start day."""
    frame = pd.DataFrame(list(_rows(case)), columns=list(FRAME_COLUMNS))
    frame = frame.astype({"start_day": float, "end_day": float, "approximate": bool})
    return frame.sort_values("start_day", kind="stable").reset_index(drop=True)


# -- the detail panel ------------------------------------------------------------------------


def _treatment_details(treatment: Treatment, say: Words) -> dict[str, str | None]:
    given = sorted(treatment.given or (), key=lambda time: time.day)
    steps = [
        say.t(
            "{dose} from {when}",
            dose=f"{'~' * s.dose_approx}{say.value(s.dose)}",
            when=say.when(s.at),
        )
        for s in treatment.doses or ()
    ]
    end = treatment.end.describe() if treatment.end else None
    return {
        "Name": drug_name(treatment),
        "Kind": treatment.kind,
        "Class": treatment.class_,
        "Dose": _dose(treatment, say),
        "Every": say.interval(treatment.every) if treatment.every else None,
        "Start": treatment.start.describe() if treatment.start else None,
        "Given": ", ".join(time.describe() for time in given),
        "Steps": ", ".join(steps),
        "End": "ongoing" if treatment.ongoing else end,
        "Note": treatment.note,
        "Source": treatment.source,
    }


def _event_details(event: Event, say: Words) -> dict[str, str | None]:
    return {
        "Name": say.event_title(event),
        "Kind": event.kind.replace("-", " "),
        "Time" if event.end is None else "Start": event.at.describe(),
        "End": event.end.describe() if event.end else None,
        "Detail": event.detail,
        "Note": event.note,
        "Source": event.source,
        "Image": event.image,
    }


def _measurement_details(
    measurement: Measurement, value_index: int | None, say: Words
) -> dict[str, str | None] | None:
    unit = f" {measurement.unit}" if measurement.unit else ""
    common = {"Name": measurement.name, "Kind": "measurement"}
    if value_index is None:
        return common | {
            "Unit": measurement.unit,
            "Values": measurement_summary(measurement, say),
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
    say = words(case.language)
    details: dict[str, str | None] | None
    if isinstance(item, Treatment):
        details = _treatment_details(item, say)
    elif isinstance(item, Event):
        details = _event_details(item, say)
    elif isinstance(item, Measurement):
        details = _measurement_details(item, int(value) if value is not None else None, say)
    else:
        details = {
            "Name": _period_name(item, say),
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
    say = words(case.language)
    day0 = case.day0.date or Time(0.0, None, False, "relative", "day 0")
    label = case.day0.named
    first = say.t("Day 0: {label}", label=label) if label else say.t("Day 0")
    candidates: list[tuple[float, int, Time, str]] = [(0.0, 0, day0, first)]
    for event in case.events:
        if event.kind == "relapse":
            title = (
                say.t("Relapse: {label}", label=event.label) if event.label else say.t("Relapse")
            )
            candidates.append((event.at.day, 1, event.at, title))
    for treatment in case.treatments:
        title = say.t("Start of {name}", name=drug_name(treatment))
        candidates.append((treatment.first.day, 2, treatment.first, title))
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
