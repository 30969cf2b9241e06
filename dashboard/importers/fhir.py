"""FHIR R4: a Bundle (.json) or a bulk export (.ndjson, one resource a line), read as JSON.

Each resource is checked for the fields read from it (a wrong shape is reported with its
file, entry or line, and the resource left out); resources of other types are counted.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from dashboard.importers.rows import Patient, Row, no_cycle_search, unreadable
from dashboard.model import UNIT_DAYS
from dashboard.model.case import MAX_ADMINISTRATIONS
from dashboard.model.times import parse_duration

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
THERAPY = re.compile(
    r"plasma|apheres|exchange|immunoadsorp|dialysis|radiat|radiother|transfus|chemother|infusion",
    re.I,
)
IMAGING = re.compile(r"imaging|\bMRI\b|tomograph|\bCT\b|radiograph|x-ray|ultrason|scan\b", re.I)
SEMANTIC_TAG = re.compile(
    r"\s*\((disorder|finding|situation|procedure|observable entity|regime/therapy|event)\)$"
)
ADMISSIONS = {"IMP", "ACUTE", "NONAC", "EMER", "OBSENC", "SS", "inpatient", "emergency"}
READ = (
    "Patient",
    "Condition",
    "MedicationRequest",
    "MedicationAdministration",
    "MedicationStatement",
    "Procedure",
    "Observation",
    "Encounter",
    "Medication",
    "Immunization",
)
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
PRIVATE = ("name", "identifier", "address", "telecom", "birthDate", "photo", "contact")


class Malformed(ValueError):
    """A resource whose fields do not have the shape FHIR R4 gives them."""


def _resources(path: Path, problems: list[str]) -> Iterator[tuple[str | int, Any]]:
    """Each resource of a file with where it is: its line (NDJSON), its entry number (a
    Bundle) or '' (a file of one resource); `_place` says it as 'file:3' or 'file: entry 3'."""
    if path.suffix.lower() == ".ndjson":
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                if number == 1:
                    line = line.removeprefix(codecs.BOM_UTF8)
                if not line or line.isspace():
                    continue
                try:
                    resource = orjson.loads(line)
                except orjson.JSONDecodeError as error:
                    problems.append(f"{path}:{number}: expected one JSON resource a line ({error})")
                    continue
                yield number, resource
        return
    try:
        data = orjson.loads(path.read_bytes().removeprefix(codecs.BOM_UTF8))
    except orjson.JSONDecodeError as error:
        problems.append(f"{path}: is not JSON ({error})")
        return
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        yield "", data
        return
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        problems.append(f"{path}: entry: expected a list of entries")
        return
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        yield f"entry {number}", resource


def _place(path: Path, where: str | int) -> str:
    """'file:3' (a line), 'file: entry 3' (a Bundle's entry) or 'file'; said only for a problem."""
    if isinstance(where, int):
        return f"{path}:{where}"
    return f"{path}: {where}" if where else str(path)


def read_fhir(paths: list[Path], problems: list[str]) -> dict[str, Patient]:
    """Read Bundles and NDJSON files into one patient per Patient resource or reference."""
    with no_cycle_search():
        return _read_fhir(paths, problems)


def _read_fhir(paths: list[Path], problems: list[str]) -> dict[str, Patient]:
    patients: dict[str, Patient] = {}
    medications: dict[str, str] = {}
    pending: list[tuple[Path, str | int, dict[str, Any]]] = []
    for path in paths:
        try:
            resources = list(_resources(path, problems))
        except Exception as error:  # one unreadable file never stops the others
            problems.append(unreadable(path, "FHIR JSON", error))
            continue
        for where, resource in resources:
            kind = resource.get("resourceType") if type(resource) is dict else None
            if not isinstance(kind, str):
                problems.append(
                    f"{_place(path, where)}: expected a FHIR resource (an object with resourceType)"
                )
                continue
            if kind == "Medication" and isinstance(resource.get("id"), str):
                medications[resource["id"]] = _concept(resource.get("code")) or "medication"
            elif kind == "Patient":
                try:
                    _patient(patients, resource)
                except Malformed as error:
                    problems.append(f"{_place(path, where)} (Patient): {error}")
            else:
                pending.append((path, where, resource))
    for path, where, resource in pending:  # after every Patient and Medication has been seen
        kind = resource["resourceType"]
        key = _subject(resource)
        if key is None and kind not in READ:
            continue  # an organisation, a practitioner, a location: nobody's course
        if key is None:
            problems.append(
                f"{_place(path, where)} ({kind}): expected subject or patient: a Patient reference"
            )
            continue
        patient = patients.get(key) or patients.setdefault(key, Patient(key, lanes=True))
        if kind not in READ:
            patient.drop(f"{kind} resources (not read)")
            continue
        try:
            found = _row(kind, resource, medications, patient)
        except Malformed as error:
            at = _place(path, where)
            problems.append(f"{at} ({kind}/{resource.get('id', '?')}): {error}")
            patient.drop(f"{kind} resources with problems, reported")
            continue
        if isinstance(found, str):
            patient.drop(found)
        else:
            patient.rows.extend(found)
    for patient in patients.values():
        _fit_ticks(patient)
    return patients


def _fit_ticks(patient: Patient) -> None:
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


def _reference(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("reference"), str):
        return None
    reference: str = value["reference"]
    return reference.removeprefix("urn:uuid:").rsplit("/", 1)[-1]


def _subject(resource: dict[str, Any]) -> str | None:
    return _reference(resource.get("subject")) or _reference(resource.get("patient"))


def _patient(patients: dict[str, Patient], resource: dict[str, Any]) -> None:
    key = resource.get("id")
    if not isinstance(key, str):
        raise Malformed("id: expected the patient's id")
    patient = patients.setdefault(key, Patient(key, lanes=True))
    sex = resource.get("gender")
    if sex in ("female", "male"):
        patient.rows.append(Row("sex", name=sex))
    private = [name for name in PRIVATE if resource.get(name)]
    if private:
        patient.drop("identifying Patient fields (" + ", ".join(private) + ")", len(private))
    if died := resource.get("deceasedDateTime"):
        patient.rows.append(
            Row("death", name="death", start=_time(died, "deceasedDateTime"), origin="Patient")
        )


def _time(value: Any, field: str) -> dt.date | str:
    """A FHIR date or dateTime as a date ('2015-04' stays a month)."""
    if not isinstance(value, str):
        raise Malformed(f"{field}: expected a date or date-time, found {value!r}")
    try:  # the date part alone: date-times repeat their dates far more than their times
        return _date(value[:10], field)
    except Malformed:
        return _date(value, field)  # (fails again, naming the whole value)


@functools.lru_cache(maxsize=65536)  # exports repeat their dates
def _date(value: str, field: str) -> dt.date | str:
    match = _DATE.match(value)
    if match is None:
        raise Malformed(f"{field}: expected a date or date-time, found {value!r}")
    year, month, day = match.groups()
    if month is None:
        raise Malformed(f"{field}: {value!r} is known only to the year")
    try:
        date = dt.date(int(year), int(month), int(day or 1))
    except ValueError:
        raise Malformed(f"{field}: {value!r} is not a real date") from None
    return date if day else f"{year}-{month}"


def _span(resource: dict[str, Any], name: str) -> tuple[Any, Any]:
    """Start and end of `nameDateTime` / `namePeriod` (either may be None)."""
    if (value := resource.get(name + "DateTime")) is not None:
        return _time(value, name + "DateTime"), None
    period = resource.get(name + "Period")
    if period is None:
        return None, None
    if not isinstance(period, dict):
        raise Malformed(f"{name}Period: expected a period with start and end")
    start = _time(period["start"], name + "Period.start") if period.get("start") else None
    end = _time(period["end"], name + "Period.end") if period.get("end") else None
    return start, end


def _concept(value: Any) -> str | None:
    """A CodeableConcept's text, else its first coding's display, else its code."""
    if not isinstance(value, dict):
        return None
    text = value.get("text")
    if isinstance(text, str) and (label := _label(text)) is not None:
        return label
    for coding in value.get("coding") or []:
        if isinstance(coding, dict):
            shown = coding.get("display") or coding.get("code")
            if isinstance(shown, str) and (label := _label(shown)) is not None:
                return label
    return None


@functools.lru_cache(maxsize=65536)  # exports repeat their concepts
def _label(text: str) -> str | None:
    """A concept's text without SNOMED CT's semantic tag; None for blank text."""
    return SEMANTIC_TAG.sub("", text).strip() if text.strip() else None


def _tag(value: Any) -> str | None:
    """SNOMED CT's semantic tag of a concept: 'disorder', 'finding', 'situation', ..."""
    text = value.get("text") if isinstance(value, dict) else None
    codings = value.get("coding") if isinstance(value, dict) else None
    if not isinstance(text, str) and isinstance(codings, list) and codings:
        text = codings[0].get("display") if isinstance(codings[0], dict) else None
    match = SEMANTIC_TAG.search(text) if isinstance(text, str) else None
    return match.group(1) if match else None


@functools.lru_cache(maxsize=65536)
def _short(name: str) -> str | None:
    """A row label for a long name: 'Ferritin [Mass/volume] in Serum' -> 'Ferritin',
    'tocilizumab 20 MG/ML Injectable Solution' -> 'tocilizumab'."""
    short = re.split(r"\s+\[|\s+\d", name, maxsplit=1)[0].strip().rstrip(",;:").strip()
    return short if short and short != name and len(short) <= 40 else None


def _codes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    codes = [
        str(coding["code"])
        for coding in value.get("coding") or ()
        if isinstance(coding, dict) and coding.get("code")
    ]
    return tuple(codes)


def _quantity(value: Any, field: str) -> tuple[float, str | None]:
    if not isinstance(value, dict) or "value" not in value:
        raise Malformed(f"{field}: expected a Quantity with a value")
    number = value["value"]
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise Malformed(f"{field}.value: expected a number, found {number!r}")
    unit = value.get("unit") or value.get("code")
    return float(number), unit if isinstance(unit, str) else None


def _medication(resource: dict[str, Any], medications: dict[str, str]) -> str:
    name = _concept(resource.get("medicationCodeableConcept"))
    if name is None and (ref := _reference(resource.get("medicationReference"))):
        name = medications.get(ref)
    if name is None:
        raise Malformed("medication: expected medicationCodeableConcept or medicationReference")
    return name


def _row(
    kind: str, resource: dict[str, Any], medications: dict[str, str], patient: Patient
) -> list[Row] | str:
    """The rows one resource gives, or why it is left out."""
    if kind == "Observation":  # most of an export
        return _observation(resource)
    code = resource.get("code")
    start: Any
    end: Any
    if kind == "Immunization":  # a vaccine given: one administration of it
        if resource.get("status") in ("not-done", "entered-in-error"):
            return "Immunizations not given"
        vaccine = resource.get("vaccineCode")
        name = _concept(vaccine) or "vaccine"
        start, _ = _span(resource, "occurrence")
        if start is None:
            return "Immunizations without a time"
        return [Row("drug", name=name, abbr=_short(name), start=start, klass="vaccine",
                    origin=kind, codes=_codes(vaccine))]  # fmt: skip
    if kind == "Condition":
        name = _concept(code) or "condition"
        if _tag(code) in ("finding", "situation"):  # social and other findings: not diagnoses
            start, end = _span(resource, "onset")
            if start is None:
                return "Conditions that are findings, without a time"
            return [Row("note", name=name, start=start, origin=kind, codes=_codes(code))]
        start, _ = _span(resource, "onset")
        if start is None and resource.get("recordedDate"):
            start = _time(resource["recordedDate"], "recordedDate")
        end, _ = _span(resource, "abatement")
        rows = [Row("diagnosis", name=name, origin=kind, codes=_codes(code))]
        if start is not None:
            rows.append(
                Row("diagnosis", name=name, start=start, end=end, origin=kind, codes=_codes(code))
            )
        return rows
    if kind.startswith("Medication"):
        return _medicine(kind, resource, medications, patient)
    if kind == "Procedure":
        name = _concept(code) or "procedure"
        start, end = _span(resource, "performed")
        if start is None:
            return "Procedure without a time"
        row_kind = "procedure" if THERAPY.search(name) else "procedure-event"
        if IMAGING.search(name):
            row_kind = "imaging"
        return [Row(row_kind, name=name, start=start, end=end, origin=kind, codes=_codes(code))]
    if kind == "Encounter":
        klass = resource.get("class")
        klass_code = klass.get("code") if isinstance(klass, dict) else None
        if klass_code not in ADMISSIONS:
            return f"Encounters other than admissions ({klass_code or 'no class'})"
        start = end = None
        period = resource.get("period")
        if isinstance(period, dict) and period.get("start"):
            start = _time(period["start"], "period.start")
            end = _time(period["end"], "period.end") if period.get("end") else None
        if start is None:
            return "Encounter without a time"
        name = _concept((resource.get("type") or [None])[0]) or "admission"
        return [Row("admission", name=name, start=start, end=end, origin=kind, codes=(klass_code,))]
    return _observation(resource)


def _medicine(
    kind: str, resource: dict[str, Any], medications: dict[str, str], patient: Patient
) -> list[Row] | str:
    """A medication resource's drug row: its times, dose and schedule."""
    name = _medication(resource, medications)
    codes = (*_codes(resource.get("medicationCodeableConcept")), kind)
    dosages = _dosages(kind, resource)
    if kind == "MedicationRequest":
        start = _time(resource["authoredOn"], "authoredOn") if resource.get("authoredOn") else None
        start, end = _bounds(*dosages[0], start) if dosages else (start, None)
    else:
        start, end = _span(resource, "effective")
    if start is None:
        return f"{kind} without a time"
    if end is None and resource.get("status") == "active":
        end = "ongoing"  # stopped or completed without an end: one mark at its start
    read = [_dosage(kind, at, dosage) for at, dosage in dosages]
    if unread := sum(dose is None and interval is None for dose, interval in read):
        patient.drop(f"{kind} dosages without a dose or schedule that could be read", unread)
    dose, every = _dose_and_every(read, repeats=end is not None)
    return [Row("drug", name=name, abbr=_short(name), start=start, end=end, every=every,
                dose=dose, origin=kind, codes=codes)]  # fmt: skip


def _dosages(kind: str, resource: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each dosage with its field: an Administration has one, a Statement or Request a list."""
    field = "dosageInstruction" if kind == "MedicationRequest" else "dosage"
    value = resource.get(field)
    if value is None:
        return []
    if kind == "MedicationAdministration":
        if not isinstance(value, dict):
            raise Malformed(f"dosage: expected one dosage (an object), found {_kind(value)}")
        return [("dosage", value)]
    if not isinstance(value, list):
        raise Malformed(f"{field}: expected a list of Dosage, found {_kind(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise Malformed(f"{field}[{index}]: expected a Dosage (an object), found {_kind(item)}")
    return [(f"{field}[{index}]", item) for index, item in enumerate(value)]


def _kind(value: Any) -> str:
    """What a JSON value is, for a message: 'a list', 'an object', '12'."""
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else repr(value)


def _bounds(at: str, dosage: dict[str, Any], start: Any) -> tuple[Any, Any]:
    """A request's start and end: its first dosage's boundsPeriod, else when it was written."""
    repeat = _repeat(at, dosage)
    bounds = repeat.get("boundsPeriod") if repeat else None
    if bounds is None:
        return start, None
    at += ".timing.repeat.boundsPeriod"
    if not isinstance(bounds, dict):
        raise Malformed(f"{at}: expected a period with start and end")
    if bounds.get("start"):
        start = _time(bounds["start"], at + ".start")
    return start, _time(bounds["end"], at + ".end") if bounds.get("end") else None


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
    for field in ("doseQuantity", "rateQuantity"):
        for index, item in enumerate(value):
            if amount := _amount(item.get(field), f"{at}[{index}].{field}"):
                return amount
    return None


def _amount(value: Any, field: str) -> str | None:
    """A Quantity as dose text ('100 mg'); None when there is none or it holds no value."""
    if value is None or (isinstance(value, dict) and value.get("value") is None):
        return None
    number, unit = _quantity(value, field)
    return f"{number:g} {unit or ''}".strip()


def _repeat(at: str, dosage: dict[str, Any]) -> dict[str, Any] | None:
    """A Dosage's timing.repeat, when it has one."""
    timing = dosage.get("timing")
    if timing is None:
        return None
    if not isinstance(timing, dict):
        raise Malformed(f"{at}.timing: expected a Timing (an object), found {_kind(timing)}")
    repeat = timing.get("repeat")
    if repeat is not None and not isinstance(repeat, dict):
        raise Malformed(f"{at}.timing.repeat: expected an object, found {_kind(repeat)}")
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
    """An interval as the case format writes it: 28 -> '4 weeks', 182.625 -> '6 months'."""
    for word in ("year", "month", "week", "day"):
        count = days / UNIT_DAYS[word]
        if count >= 1 and math.isclose(count, round(count), abs_tol=1e-6):
            return f"{round(count)} {word}" + ("s" if round(count) != 1 else "")
    return f"{days:g} days"


def _observation(resource: dict[str, Any]) -> list[Row] | str:
    start, _ = _span(resource, "effective")
    if start is None and resource.get("issued"):
        start = _time(resource["issued"], "issued")
    code = resource.get("code")
    if "valueQuantity" in resource and not resource.get("component"):  # most observations
        value, unit = _quantity(resource["valueQuantity"], "valueQuantity")
        if start is None:
            return "Observations without a time"
        name = _concept(code) or "observation"
        return [Row("measurement", name=name, abbr=_short(name), start=start, value=value,
                    unit=unit, origin="Observation", codes=_codes(code))]  # fmt: skip
    parts: list[tuple[Any, dict[str, Any], str]] = [(code, resource, "")]
    parts += [
        (component.get("code"), component, f"component[{index}].")
        for index, component in enumerate(resource.get("component") or [])
        if isinstance(component, dict)
    ]
    rows: list[Row] = []
    for code, holder, where in parts:
        if "valueQuantity" in holder:
            value, unit = _quantity(holder["valueQuantity"], where + "valueQuantity")
        elif isinstance(holder.get("valueInteger"), int):
            value, unit = float(holder["valueInteger"]), None
        else:
            continue
        name = _concept(code) or "observation"
        rows.append(Row("measurement", name=name, abbr=_short(name), start=start, value=value,
                        unit=unit, origin="Observation", codes=_codes(code)))  # fmt: skip
    if not rows:
        return "Observations without a numeric value"
    if start is None:
        return "Observations without a time"
    return rows
