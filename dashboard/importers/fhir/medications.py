"""FHIR R4 medication resources as drug rows: the drug, its times, its dose and schedule."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from dashboard.importers.fhir.fields import (
    Malformed,
    codes_of,
    concept_name,
    json_kind,
    period_of,
    quantity_of,
    reference_id,
    short_name,
    span_of,
    time_of,
)
from dashboard.importers.rows import Row, SourcePatient
from dashboard.model import UNIT_DAYS
from dashboard.model.case import MAX_ADMINISTRATIONS
from dashboard.model.times import format_interval, parse_duration

# UCUM's units of a Timing's period, in days and in the words a schedule is said with.
PERIOD_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0,
               "mo": UNIT_DAYS["month"], "a": UNIT_DAYS["year"]}  # fmt: skip


PERIOD_WORDS = {"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week",
                "mo": "month", "a": "year"}  # fmt: skip


# A dose text that already says how often ('1 g/day', '20 mg twice daily', 'q6h').
SAYS_HOW_OFTEN = re.compile(
    r"\b(daily|every|hourly|weekly|monthly|yearly|once|twice|times|[bt]id|qid|qd|q\d+\w*)\b"
    r"|/\s*(d|day|h|hr|hour|wk|week|mo|month)\b",
    re.I,
)


def fit_ticks(patient: SourcePatient) -> None:
    """Say a schedule in the dose text instead where `every` would tick more than a case draws."""
    if not any(row.every for row in patient.rows):
        return  # most patients: no pass over their rows
    # The model refuses a file with too many ticks: the whole case would be lost for one row.
    days = [_ordinal(time) for row in patient.rows for time in (row.start, row.end)]
    known = [day for day in days if day is not None]
    if not known:
        return
    # the chart runs 3% past the last time; a month may be placed up to a month later
    right = max(known) + max((max(known) - min(known)) * 0.03, 1.0) + 31
    for row in patient.rows:
        start = _ordinal(row.start)
        if row.every is None or start is None:
            continue
        until = _ordinal(row.end) or right
        if (until - start) / parse_duration(row.every) + 1 > MAX_ADMINISTRATIONS:
            often = "every " + row.every.removeprefix("1 ")
            row.dose, row.every = f"{row.dose} {often}" if row.dose else often, None


def _ordinal(time: Any) -> float | None:
    """A date (or a 'YYYY-MM' month) as a day number; None for 'ongoing' or no time."""
    if isinstance(time, dt.date):
        return float(time.toordinal())
    if isinstance(time, str) and re.fullmatch(r"\d{4}-\d{2}", time):
        return float(dt.date(int(time[:4]), int(time[5:]), 1).toordinal())
    return None


def _medication(resource: dict[str, Any], medications: dict[str, str]) -> str:
    """The drug's name: coded in the resource, or in the Medication it refers to, whether
    contained in it ('#med0309'), elsewhere in the Bundle or export ('Medication/123', a
    fullUrl) or, failing those, the reference's own display."""
    name = concept_name(resource.get("medicationCodeableConcept"))
    reference = resource.get("medicationReference")
    if name is None and (ref := reference_id(reference)):
        name = _contained(resource, ref) if ref.startswith("#") else medications.get(ref)
        if name is None and isinstance(reference, dict):
            display = reference.get("display")
            name = display.strip() if isinstance(display, str) and display.strip() else None
    if name is None:
        raise Malformed(
            "medication: expected medicationCodeableConcept, or a medicationReference to a "
            "Medication in the resource, the Bundle or the export"
        )
    return name


def _contained(resource: dict[str, Any], ref: str) -> str | None:
    """The name of the Medication contained in `resource` with the id `ref` names ('#id')."""
    contained = resource.get("contained")
    for item in contained if isinstance(contained, list) else []:
        medication = type(item) is dict and item.get("resourceType") == "Medication"
        if medication and item.get("id") == ref[1:]:
            return concept_name(item.get("code")) or "medication"
    return None


def medicine(
    kind: str, resource: dict[str, Any], medications: dict[str, str], patient: SourcePatient
) -> list[Row] | str:
    """A medication resource's drug row: its times, dose and schedule."""
    name = _medication(resource, medications)
    codes = (*codes_of(resource.get("medicationCodeableConcept")), kind)
    dosages = _dosages(kind, resource)
    if kind == "MedicationRequest":
        start = (
            time_of(resource["authoredOn"], "authoredOn") if resource.get("authoredOn") else None
        )
        start, end = _bounds(*dosages[0], start) if dosages else (start, None)
    else:
        start, end = span_of(resource, "effective")
    if start is None:
        return f"{kind} without a time"
    if end is None and resource.get("status") == "active":
        end = "ongoing"  # stopped or completed without an end: one mark at its start
    read = [_dosage(kind, at, dosage) for at, dosage in dosages]
    if unread := sum(dose is None and interval is None for dose, interval in read):
        patient.drop(f"{kind} dosages without a dose or schedule that could be read", unread)
    dose, every = _dose_and_every(read, repeats=end is not None)
    return [Row("drug", name=name, abbr=short_name(name), start=start, end=end, every=every,
                dose=dose, origin=kind, codes=codes)]  # fmt: skip


def _dosages(kind: str, resource: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each dosage with its field: an Administration has one, a Statement or Request a list."""
    field = "dosageInstruction" if kind == "MedicationRequest" else "dosage"
    value = resource.get(field)
    if value is None:
        return []
    if kind == "MedicationAdministration":
        if not isinstance(value, dict):
            raise Malformed(f"dosage: expected one dosage (an object), found {json_kind(value)}")
        return [("dosage", value)]
    if not isinstance(value, list):
        raise Malformed(f"{field}: expected a list of Dosage, found {json_kind(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise Malformed(
                f"{field}[{index}]: expected a Dosage (an object), found {json_kind(item)}"
            )
    return [(f"{field}[{index}]", item) for index, item in enumerate(value)]


def _bounds(at: str, dosage: dict[str, Any], start: Any) -> tuple[Any, Any]:
    """A request's start and end: its first dosage's boundsPeriod, else when it was written."""
    repeat = _repeat(at, dosage)
    bounds = repeat.get("boundsPeriod") if repeat else None
    if bounds is None:
        return start, None
    first, end = period_of(bounds, at + ".timing.repeat.boundsPeriod")
    return first or start, end


class Interval(NamedTuple):
    """How often a dosage repeats: days between doses, and in words ('twice daily')."""

    days: float
    words: str


def _dosage(kind: str, at: str, dosage: dict[str, Any]) -> tuple[str | None, Interval | None]:
    """The dose text of one dosage, and how often it repeats when its timing says so."""
    text = dosage.get("text")
    if isinstance(text, str) and text.strip():
        dose: str | None = text.strip()  # the prescriber's words say most
    elif kind == "MedicationAdministration":  # R4 gives it a dose and a rate, no doseAndRate
        dose = _amount(dosage.get("dose"), at + ".dose")
        dose = dose or _amount(dosage.get("rateQuantity"), at + ".rateQuantity")
    else:
        dose = _dose_and_rate(dosage.get("doseAndRate"), at + ".doseAndRate")
    repeat = None if kind == "MedicationAdministration" else _repeat(at, dosage)
    return dose, _interval(repeat, at + ".timing.repeat") if repeat else None


def _dose_and_rate(value: Any, at: str) -> str | None:
    """The first dose (else rate) quantity of a Dosage's doseAndRate list."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Malformed(f"{at}: expected a list of objects with doseQuantity or rateQuantity")
    for field in ("doseQuantity", "doseRange", "rateQuantity"):
        for index, item in enumerate(value):
            where = f"{at}[{index}].{field}"
            if field == "doseRange" and isinstance(item.get(field), dict):  # '1-2 TAB'
                low, high = (
                    _amount(item[field].get(end), f"{where}.{end}") for end in ("low", "high")
                )
                if low and high:
                    low_number, _, unit = low.partition(" ")
                    return f"{low_number}–{high}" if high.endswith(unit) else f"{low}–{high}"
            elif amount := _amount(item.get(field), where):
                return amount
    return None


def _amount(value: Any, field: str) -> str | None:
    """A Quantity as dose text ('100 mg'); None when there is none or it holds no value."""
    if value is None or (isinstance(value, dict) and value.get("value") is None):
        return None
    number, unit = quantity_of(value, field)
    return f"{number:g} {unit or ''}".strip()


def _repeat(at: str, dosage: dict[str, Any]) -> dict[str, Any] | None:
    """A Dosage's timing.repeat, when it has one."""
    timing = dosage.get("timing")
    if timing is None:
        return None
    if not isinstance(timing, dict):
        raise Malformed(f"{at}.timing: expected a Timing (an object), found {json_kind(timing)}")
    repeat = timing.get("repeat")
    if repeat is not None and not isinstance(repeat, dict):
        raise Malformed(f"{at}.timing.repeat: expected an object, found {json_kind(repeat)}")
    return repeat


def _interval(repeat: dict[str, Any], at: str) -> Interval | None:
    """Days between doses: `frequency` times each `period` `periodUnit`; None if unsaid."""
    period, unit = repeat.get("period"), repeat.get("periodUnit")
    if period is None or unit is None:
        return None
    if isinstance(period, bool) or not isinstance(period, int | float) or period <= 0:
        raise Malformed(f"{at}.period: expected a number above 0, found {period!r}")
    if unit not in PERIOD_DAYS:
        units = ", ".join(PERIOD_DAYS)
        raise Malformed(f"{at}.periodUnit: expected one of {units}; found {unit!r}")
    frequency = repeat.get("frequency", 1)
    if isinstance(frequency, bool) or not isinstance(frequency, int) or frequency < 1:
        raise Malformed(f"{at}.frequency: expected a whole number above 0, found {frequency!r}")
    days = period * PERIOD_DAYS[unit] / frequency
    return Interval(days, _how_often(frequency, period, unit))


def _how_often(frequency: int, period: float, unit: str) -> str:
    """'daily', 'twice daily', 'every 8 hours', '3 times per week'."""
    times = {1: "", 2: "twice "}.get(frequency, f"{frequency} times ")
    if (period, unit) == (1, "d"):
        return times + "daily"
    span = PERIOD_WORDS[unit] if period == 1 else f"{period:g} {PERIOD_WORDS[unit]}s"
    return times + (f"every {span}" if frequency == 1 else f"per {span}")


def _dose_and_every(
    read: list[tuple[str | None, Interval | None]], repeats: bool
) -> tuple[str | None, str | None]:
    """The row's dose, and `every` for one schedule of a week or longer on a bar with an end."""
    # Closer doses would be a comb of ticks, and `every` without an end is refused: such a
    # schedule is said in the dose text instead.
    if len(read) == 1 and (interval := read[0][1]) and interval.days >= 7 and repeats:
        return read[0][0], _every(interval.days)
    texts = [_with_schedule(dose, interval) for dose, interval in read]
    return "; ".join(text for text in texts if text) or None, None


def _with_schedule(dose: str | None, interval: Interval | None) -> str | None:
    """'20 mg' and 'twice daily' -> '20 mg twice daily', unless the dose already says how often."""
    if interval is None or (dose and SAYS_HOW_OFTEN.search(dose)):
        return dose
    return f"{dose} {interval.words}" if dose else interval.words


def _every(days: float) -> str:
    """An interval as `every` writes it: 28 -> '4 weeks', 365.25 -> '1 year' (with its count,
    where the words of a page say 'every year')."""
    text = format_interval(days)
    return text if text[0].isdigit() else f"1 {text}"
