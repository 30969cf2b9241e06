"""CDISC tables: SDTM domains (DM, EX, CM, AE, MH, LB, VS as .xpt or .csv) and the
ADaM-style timeline table of clinical-timelines (USUBJID, DOMAIN, STDT/STDY, ENDT/ENDY, ONGO).

Study day 1 (DM.RFSTDTC) becomes day 0; SDTM has no day 0, so day -1 stays day -1.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.importers.rows import Reading, Row, SourcePatient, text_encoding, unreadable
from dashboard.problems import CourseError

DOMAINS = ("DM", "EX", "CM", "AE", "MH", "LB", "VS")
_DTC = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# DM's columns that say who someone is or where: never copied.
DM_PRIVATE = ("SUBJID", "SITEID", "INVID", "INVNAM", "BRTHDTC", "COUNTRY", "RACE", "ETHNIC")


class BadRecord(CourseError):
    """A record whose date or study day cannot be read: reported with its place, and the
    other records read on."""


class CutFile(CourseError):
    """A SAS transport file cut short, or no such file at all: reported, and the other files
    read on."""


class YearOnly(BadRecord):
    """A date known only to its year: too coarse to place on a course, so left out."""


def _records(path: Path, reading: Reading) -> Iterator[tuple[int, dict[str, str]]]:
    """Each record with its row number (the header is row 1 of a .csv)."""
    if path.suffix.lower() == ".xpt":
        frame = _xport(path)
        first = 1
    else:
        # (tables exported from R write a missing value as NA)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=["NA"],
                            encoding=text_encoding(path, reading))  # fmt: skip
        first = 2
    frame.columns = [str(column).strip().upper() for column in frame.columns]
    for number, record in enumerate(frame.to_dict("records"), start=first):
        yield number, {str(key): _text(value) for key, value in record.items()}


def _readable(
    paths: list[Path], what: str, problems: list[str], reading: Reading | None
) -> Iterator[tuple[Path, int, dict[str, str]]]:
    """Every record of the files, with its file and row; a file that cannot be read as `what`
    is reported and never stops the others."""
    for path in paths:
        try:
            records = list(_records(path, reading or Reading()))
        except Exception as error:
            problems.append(unreadable(path, what, error))
            continue
        for number, record in records:
            yield path, number, record


def _xport(path: Path) -> pd.DataFrame:
    """A SAS transport file's table; numbers a SAS date or datetime format marks (days or
    seconds from 1960-01-01) become ISO dates, as SDTM writes its dates as text."""
    with warnings.catch_warnings(record=True) as said:  # (pandas says a cut file so only)
        warnings.simplefilter("always")
        try:
            with pd.read_sas(path, format="xport", encoding="utf-8", iterator=True) as reader:
                formats = [field["nform"] for field in getattr(reader, "fields", [])]
                frame = reader.read()
        except ValueError as error:  # ('Observation header not found.': cut in its header)
            raise CutFile(
                f"{str(error).rstrip('.')}: the file is cut short, or is no SAS transport "
                "file; export it again"
            ) from None
    if any("corrupted" in str(warning.message) for warning in said):
        raise CutFile(
            f"the file ends part-way through a record ({path.stat().st_size:,} bytes, where a "
            "SAS transport file is whole records of 80): cut short in copying? Export it again"
        )
    for column, form in zip(list(frame.columns), formats, strict=False):
        if frame[column].dtype.kind == "f":  # pandas reads SAS's zero (all bits 0) as 2**-260
            frame[column] = frame[column].mask(frame[column].abs() == _IBM_ZERO, 0.0)
        name = form.decode("ascii", "replace").strip().upper() if isinstance(form, bytes) else ""
        if _SAS_DATETIME.match(name):
            frame[column] = [_sas_date(value, 86400) for value in frame[column]]
        elif _SAS_DATE.match(name):
            frame[column] = [_sas_date(value, 1) for value in frame[column]]
    return frame


_SAS_DATETIME = re.compile(r"(DATETIME|[EIB]8601DT|IS8601DT|DTDATE|MDYAMPM)")
_SAS_DATE = re.compile(r"(DATE|YYMMDD|MMDDYY|DDMMYY|[EIB]8601DA|IS8601DA|MONYY|YYMM|YYQ|WEEKDATE)")
_SAS_EPOCH = dt.date(1960, 1, 1)
_IBM_ZERO = 2.0**-260  # the smallest IBM float: no study records it, so it is a misread 0


def _sas_date(value: Any, per_day: int) -> str:
    if not isinstance(value, int | float) or math.isnan(value):
        return ""
    return (_SAS_EPOCH + dt.timedelta(days=math.floor(value / per_day))).isoformat()


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _when(
    dtc: str, dy: str, day0: dt.date | None, names: tuple[str, str] = ("DTC", "DY")
) -> dt.date | str | float | None:
    """An ISO 8601 (partial) date or a study day, as a time the builder reads."""
    if dtc:
        match = _DTC.match(dtc)
        if not match:
            raise BadRecord(
                f"{names[0]}: expected an ISO 8601 date (2014-01-02, 2014-01), found {dtc!r}"
            )
        year, month, day = match.groups()
        if month is None:
            raise YearOnly(dtc)
        try:
            date = dt.date(int(year), int(month), int(day or 1))
        except ValueError:
            raise BadRecord(f"{names[0]}: {dtc!r} is not a real date") from None
        return date if day is not None else f"{year}-{month}"
    if dy:
        try:
            study_day = float(dy)
        except ValueError:
            raise BadRecord(f"{names[1]}: expected a study day, found {dy!r}") from None
        return study_day - 1 if study_day > 0 else study_day  # study day 1 is day 0
    return None


def read_sdtm(
    paths: list[Path], problems: list[str], reading: Reading | None = None
) -> dict[str, SourcePatient]:
    """Read SDTM domain files (any order); DM gives each subject's study day 1."""
    tables: dict[str, list[tuple[Path, int, dict[str, str]]]] = {}
    for path, number, record in _readable(paths, "an SDTM domain (.xpt, .csv)", problems, reading):
        domain = (record.get("DOMAIN") or path.stem[:2]).upper()
        tables.setdefault(domain, []).append((path, number, record))
    patients: dict[str, SourcePatient] = {}
    for path, number, record in tables.pop("DM", []):
        patient = patients.setdefault(
            record.get("USUBJID", ""), SourcePatient(record.get("USUBJID", ""))
        )
        _demographics(patient, record, f"{path}:{number}", problems)
    seen: dict[str, set[tuple[Any, ...]]] = {}
    for domain, rows in tables.items():
        for path, number, record in rows:
            key = record.get("USUBJID", "")
            at = f"{path}:{number}"
            if not key:
                problems.append(f"{at}: USUBJID: expected a subject, found nothing")
                continue
            patient = patients.get(key) or patients.setdefault(key, SourcePatient(key))
            patient.lanes = True
            if domain not in DOMAINS:
                patient.drop(f"{domain} records (domain not read)")
                continue
            try:
                row = _sdtm_row(domain, record, patient.day0)
            except YearOnly:
                patient.drop(f"{domain} records dated only to a year")
                continue
            except BadRecord as error:
                problems.append(f"{at}: {error}")
                patient.drop(f"{domain} records with problems, reported")
                continue
            if isinstance(row, str):
                patient.drop(row)
                continue
            same = (row.kind, row.name, row.start, row.end, row.dose, row.value, row.unit)
            if same in seen.setdefault(key, set()):
                patient.drop(f"{domain} records repeating an earlier one (listed at each visit)")
                continue
            seen[key].add(same)
            patient.rows.append(row)
    return patients


AGE_UNITS = {"MONTHS": "months", "WEEKS": "weeks", "DAYS": "days"}


def _demographics(
    patient: SourcePatient, record: dict[str, str], at: str, problems: list[str]
) -> None:
    start = record.get("RFSTDTC", "")
    if start:
        try:
            when = _when(start, "", None, ("RFSTDTC", ""))
        except BadRecord as error:
            problems.append(f"{at}: {error}")
            return
        if isinstance(when, dt.date):
            patient.day0, patient.day0_label = when, "study day 1"
    age, unit = record.get("AGE", ""), record.get("AGEU", "YEARS").upper()
    number = re.fullmatch(r"\d+(\.\d+)?", age) is not None
    if number and unit in ("YEARS", ""):
        years = float(age)  # ages of 90 and over identify people: written as a band
        patient.rows.append(Row("age", value=int(years) if years < 90 else "90 or older"))
    elif number and unit in AGE_UNITS:
        patient.rows.append(Row("age", value=f"{age} {AGE_UNITS[unit]}"))  # (6 months: a child)
    elif age:
        patient.drop("ages that are not a number of years, months, weeks or days")
    if sex := {"F": "female", "M": "male"}.get(record.get("SEX", "").upper()):
        patient.rows.append(Row("sex", name=sex))
    private = [name for name in DM_PRIVATE if record.get(name)]
    if private:
        patient.drop("identifying demographic fields (" + ", ".join(private) + ")", len(private))


def _dose(record: dict[str, str], prefix: str) -> str | None:
    parts = [record.get(prefix + "DOSE", ""), record.get(prefix + "DOSU", "")]
    frequency = record.get(prefix + "DOSFRQ", "")
    text = " ".join(part for part in parts if part)
    return (f"{text} {frequency}".strip() if text else frequency) or None


def _sdtm_row(domain: str, record: dict[str, str], day0: dt.date | None) -> Row | str:
    """A record as a row, or why it was left out."""
    p = domain
    dated = p + "STDTC" if record.get(p + "STDTC") else p + "DTC"
    day = p + "STDY" if record.get(p + "STDY") else p + "DY"
    if domain == "MH":  # MHDTC and MHDY say when the history was taken, not when it began
        dated, day = "MHSTDTC", "MHSTDY"
    start = _when(record.get(dated, ""), record.get(day, ""), day0, (dated, day))
    end = _when(record.get(p + "ENDTC", ""), record.get(p + "ENDY", ""), day0,
                (p + "ENDTC", p + "ENDY"))  # fmt: skip
    codes = tuple(c for c in (domain, _decoded(record, p, ""), record.get(p + "TESTCD", "")) if c)
    if domain in ("EX", "CM"):
        name = _decoded(record, p, "TRT")
        if start is None:
            return f"{domain} records without a start"
        ongoing = record.get(p + "ENRF", "").upper() in ("ONGOING", "AFTER") or (
            record.get(p + "ENRTPT", "").upper() == "ONGOING"
        )
        detail = "; ".join(
            f"{label}: {record[key]}"
            for key, label in ((p + "INDC", "indication"), (p + "ROUTE", "route"))
            if record.get(key)
        )
        stop = "ongoing" if ongoing and end is None else end
        return Row("drug", name=name, start=start, end=stop, dose=_dose(record, p),
                   klass=_coded(record.get("CMCLAS", "")), detail=detail or None, origin=domain,
                   codes=codes)  # fmt: skip
    if domain == "AE":
        if start is None:
            return "AE records without a start"
        facts = (
            ("AESEV", "severity"),
            ("AESER", "serious"),
            ("AEREL", "related"),
            ("AEOUT", "outcome"),
        )
        detail = "; ".join(f"{label}: {record[key]}" for key, label in facts if record.get(key))
        label = _decoded(record, p, "TERM")
        return Row("adverse-event", name=label, start=start, end=end, detail=detail or None,
                   origin=domain, codes=codes)  # fmt: skip
    if domain == "MH":
        name = _decoded(record, p, "TERM")
        return Row("diagnosis", name=name, start=start, origin=domain, codes=codes)
    # LB, VS: numeric results become values; text results are left out and counted
    value = record.get(p + "STRESN", "") or record.get(p + "ORRES", "")
    try:
        number = float(value)
    except ValueError:
        return f"{domain} results without a number"
    if start is None:
        return f"{domain} results without a time"
    name = record.get(p + "TEST") or record.get(p + "TESTCD", "")
    unit = record.get(p + "STRESU") or record.get(p + "ORRESU") or None
    abbr = record.get(p + "TESTCD") or None  # the test's short code (ALT) labels its row
    return Row("measurement", name=name, abbr=abbr if abbr != name else None, start=start,
               value=number, unit=unit, origin=domain, codes=codes)  # fmt: skip


def _decoded(record: dict[str, str], prefix: str, verbatim: str) -> str:
    """The dictionary term (--DECOD), else the term as reported."""
    decoded = _coded(record.get(prefix + "DECOD", ""))
    return decoded or (record.get(prefix + verbatim, "") if verbatim else "")


def _coded(term: str) -> str | None:
    """A dictionary's term, or None for none ('UNCODED' is what a study writes for none)."""
    return term if term and term.upper() != "UNCODED" else None


ADAM_TREATMENTS = re.compile(r"medication|exposure|dos|treatment|therap|drug|^(CM|EX|EC)$", re.I)
ADAM_ADVERSE = re.compile(r"adverse|^AE$", re.I)


def read_adam(
    paths: list[Path], problems: list[str], reading: Reading | None = None
) -> dict[str, SourcePatient]:
    """Read the clinical-timelines table: one row per event or span of a subject."""
    patients: dict[str, SourcePatient] = {}
    for path, number, record in _readable(paths, "a clinical-timelines table", problems, reading):
        key = record.get("USUBJID", "")
        if not key:
            problems.append(f"{path}:{number}: USUBJID: expected a subject, found nothing")
            continue
        patient = patients.get(key)
        if patient is None:
            patient = patients[key] = SourcePatient(key, lanes=True)
            _demographics(patient, record, f"{path}:{number}", problems)
            if patient.day0 is None and record.get("STDY"):  # study days count from day 1
                patient.day0_label = "study day 1"
        try:
            start = _when(record.get("STDT", ""), record.get("STDY", ""), patient.day0,
                          ("STDT", "STDY"))  # fmt: skip
            end = _when(record.get("ENDT", ""), record.get("ENDY", ""), patient.day0,
                        ("ENDT", "ENDY"))  # fmt: skip
        except YearOnly:
            patient.drop("timeline rows dated only to a year")
            continue
        except BadRecord as error:
            problems.append(f"{path}:{number}: {error}")
            patient.drop("timeline rows with problems, reported")
            continue
        domain = record.get("DOMAIN", "") or "event"
        if start is None:
            problems.append(f"{path}:{number}: STDT: expected a date or STDY a study day")
            patient.drop("timeline rows with problems, reported")
            continue
        term = record.get("TERM") or record.get("EVENT") or domain
        detail = record.get("TOOLTIP") or None
        ongoing = record.get("ONGO", "").upper() in ("Y", "YES")
        if ADAM_TREATMENTS.search(domain):
            patient.rows.append(Row("drug", name=term, start=start,
                                    end="ongoing" if ongoing else end, detail=detail,
                                    origin=domain, codes=(domain,)))  # fmt: skip
            continue
        kind = "adverse-event" if ADAM_ADVERSE.search(domain) else "note"
        if ongoing:
            detail = "; ".join(filter(None, (detail, "ongoing")))
        patient.rows.append(Row(kind, name=term, start=start, end=end if end != start else None,
                                detail=detail, origin=domain, codes=(domain,)))  # fmt: skip
    return patients
