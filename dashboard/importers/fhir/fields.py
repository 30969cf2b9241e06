"""FHIR R4 datatypes as the import reads them: references, dates and periods, concepts,
quantities; a wrong shape raises `Malformed`, which the reader reports with its place."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from dashboard.problems import CourseError

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


SEMANTIC_TAG = re.compile(
    # (from the first space of a run only: tried inside a long run of spaces, it took time
    # growing with the square of the text's length)
    r"(?<!\s)\s*\((disorder|finding|situation|procedure|observable entity|regime/therapy|event)\)$"
)


class Malformed(CourseError):
    """A resource whose fields do not have the shape FHIR R4 gives them."""


def reference_id(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("reference"), str):
        return None
    reference: str = value["reference"]
    return reference.removeprefix("urn:uuid:").rsplit("/", 1)[-1]


def subject_id(resource: dict[str, Any]) -> str | None:
    """The id of the Patient a resource is about; None when it names none, or names another
    kind of subject (a Group, a Device, a Location), which is nobody's course."""
    for field in ("subject", "patient"):
        value = resource.get(field)
        if (found := reference_id(value)) is None or not isinstance(value, dict):
            continue
        reference: str = value["reference"]
        kind = reference.removeprefix("urn:uuid:").rsplit("/", 2)[-2:-1]
        typed = value.get("type")
        if (kind and kind[0] != "Patient") or (isinstance(typed, str) and typed != "Patient"):
            return None
        return found
    return None


def subject_named(resource: dict[str, Any]) -> str | None:
    """The reference of a subject that is not a Patient ('Group/101'), to say so."""
    for field in ("subject", "patient"):
        value = resource.get(field)
        if reference_id(value) is not None and isinstance(value, dict):
            return str(value["reference"])[:80]
    return None


def time_of(value: Any, field: str) -> dt.date | str:
    """A FHIR date or dateTime as a date ('2015-04' stays a month)."""
    if not isinstance(value, str):
        raise Malformed(f"{field}: expected a date or date-time, found {value!r}")
    try:  # the date part alone: date-times repeat their dates far more than their times
        return date_of(value[:10], field)
    except Malformed:
        return date_of(value, field)  # (fails again, naming the whole value)


@functools.lru_cache(maxsize=65536)  # exports repeat their dates
def date_of(value: str, field: str) -> dt.date | str:
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


def span_of(resource: dict[str, Any], name: str) -> tuple[Any, Any]:
    """Start and end of `nameDateTime` / `namePeriod` (either may be None)."""
    if (value := resource.get(name + "DateTime")) is not None:
        return time_of(value, name + "DateTime"), None
    period = resource.get(name + "Period")
    if period is None:
        return None, None
    return period_of(period, name + "Period")


def period_of(period: Any, field: str) -> tuple[Any, Any]:
    """A Period's start and end (either may be None). An end written in another time zone
    than its start is dated in the start's: a stay from Tokyo, 01:30 on 2 March (+09:00), to
    New York, 20:00 on 1 March (-05:00), ends on 2 March, not a day before it starts."""
    if not isinstance(period, dict):
        raise Malformed(f"{field}: expected a period with start and end")
    start = time_of(period["start"], field + ".start") if period.get("start") else None
    end = time_of(period["end"], field + ".end") if period.get("end") else None
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        end = _in_zone_of(period["start"], period["end"]) or end
    return start, end


def _in_zone_of(start: str, end: str) -> dt.date | None:
    """The date of the date-time `end` where `start` was written; None unless both are
    date-times with their offsets."""
    try:
        first, last = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
    except ValueError:
        return None
    if first.tzinfo is None or last.tzinfo is None:
        return None
    return last.astimezone(first.tzinfo).date()


def concept_name(value: Any) -> str | None:
    """A CodeableConcept's text, else its first coding's display, else its code."""
    if not isinstance(value, dict):
        return None
    text = value.get("text")
    if isinstance(text, str) and (label := label_of(text)) is not None:
        return label
    for coding in value.get("coding") or []:
        if isinstance(coding, dict):
            shown = coding.get("display") or coding.get("code")
            if isinstance(shown, str) and (label := label_of(shown)) is not None:
                return label
    return None


@functools.lru_cache(maxsize=65536)  # exports repeat their concepts
def label_of(text: str) -> str | None:
    """A concept's text without SNOMED CT's semantic tag; None for blank text."""
    return SEMANTIC_TAG.sub("", text).strip() if text.strip() else None


def semantic_tag(value: Any) -> str | None:
    """SNOMED CT's semantic tag of a concept: 'disorder', 'finding', 'situation', ..."""
    text = value.get("text") if isinstance(value, dict) else None
    codings = value.get("coding") if isinstance(value, dict) else None
    if not isinstance(text, str) and isinstance(codings, list) and codings:
        text = codings[0].get("display") if isinstance(codings[0], dict) else None
    match = SEMANTIC_TAG.search(text) if isinstance(text, str) else None
    return match.group(1) if match else None


# Spaces before '[' or a digit, found from the first space of a run only (tried inside a
# long run of spaces, it took time growing with the square of the text's length)
_BEFORE_DETAIL = re.compile(r"(?<!\s)\s+(?=[\[\d])")


@functools.lru_cache(maxsize=65536)
def short_name(name: str) -> str | None:
    """A row label for a long name: 'Ferritin [Mass/volume] in Serum' -> 'Ferritin',
    'tocilizumab 20 MG/ML Injectable Solution' -> 'tocilizumab'."""
    short = _BEFORE_DETAIL.split(name, maxsplit=1)[0].strip().rstrip(",;:").strip()
    return short if short and short != name and len(short) <= 40 else None


def codes_of(value: Any) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    codes = [
        str(coding["code"])
        for coding in value.get("coding") or ()
        if isinstance(coding, dict) and coding.get("code")
    ]
    return tuple(codes)


def quantity_of(value: Any, field: str) -> tuple[float, str | None]:
    if not isinstance(value, dict) or "value" not in value:
        raise Malformed(f"{field}: expected a Quantity with a value")
    number = value["value"]
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise Malformed(f"{field}.value: expected a number, found {number!r}")
    unit = value.get("unit") or value.get("code")
    return float(number), unit if isinstance(unit, str) else None


def json_kind(value: Any) -> str:
    """What a JSON value is, for a message: 'a list', 'an object', '12'."""
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else repr(value)
