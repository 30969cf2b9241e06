"""cBioPortal timeline files (data_timeline*.txt): tab-separated, days from diagnosis.

Required columns PATIENT_ID, START_DATE, STOP_DATE, EVENT_TYPE; the suggested columns of
the event types TREATMENT (TREATMENT_TYPE, SUBTYPE, AGENT, AGENT_CLASS), LAB_TEST (TEST,
RESULT), IMAGING (DIAGNOSTIC_TYPE, DIAGNOSTIC_TYPE_DETAILED, RESULT), STATUS (STATUS) and
SPECIMEN (SPECIMEN_SITE, SPECIMEN_TYPE) are read; SOURCE (where the datum came from: a
medical record, a pathology report) becomes the item's source; other columns go into an
event's detail.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from dashboard.importers.rows import Reading, Row, SourcePatient, text_encoding, unreadable
from dashboard.model import read_number

REQUIRED = ("PATIENT_ID", "START_DATE", "EVENT_TYPE")
# Columns that identify a person or a sample, say where to reach them or when they were born,
# or only style cBioPortal's own drawing.
PRIVATE = re.compile(
    r"(^|_)(ID|IDS|NAME|MRN|NUMBER|ADDRESS|STREET|CITY|ZIP|ZIPCODE|POSTCODE|PHONE|TELEPHONE|"
    r"TEL|FAX|MOBILE|EMAIL|E_MAIL|MAIL|DOB|SSN)$|IDENTIFIER|BIRTH|HYPERLINK|^STYLE_"
)
# An e-mail address in any other column: tried only where a word starts, so a long cell
# without one is passed over in one step
E_MAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SPECIMENS = ("SPECIMEN", "SAMPLE ACQUISITION", "SAMPLE_ACQUISITION", "SEQUENCING")
STATUS_KINDS = (
    (re.compile(r"death|deceased|died", re.I), "death"),
    (re.compile(r"recur|relapse|progress", re.I), "relapse"),
    (re.compile(r"diagnos", re.I), "diagnosis"),
)


def read_timelines(
    paths: list[Path], problems: list[str], reading: Reading | None = None
) -> dict[str, SourcePatient]:
    """Read timeline files into patients; rows that cannot be read go to `problems`."""
    patients: dict[str, SourcePatient] = {}
    for path in paths:
        try:
            _read(path, patients, problems, reading or Reading())
        except Exception as error:  # one unreadable file never stops the others
            problems.append(unreadable(path, "a cBioPortal timeline file", error))
    for patient in patients.values():
        patient.day0_label = patient.day0_label or "diagnosis"
    return patients


def _read(
    path: Path, patients: dict[str, SourcePatient], problems: list[str], reading: Reading
) -> None:
    with open(path, encoding=text_encoding(path, reading), newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1) if not line.startswith("#")]
    if not lines:
        problems.append(f"{path}: is empty")
        return
    header_at = lines[0][0]
    # (cells split at tabs, nothing quoted, as cBioPortal reads them: no cell is too long,
    # where the csv module's limit of 128 KB dropped every row after a long one)
    reader = (line.rstrip("\r\n").split("\t") for _, line in lines)
    columns = [cell.strip().upper() for cell in next(reader)]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        problems.append(
            f"{path}:{header_at}: expected the columns {', '.join(REQUIRED)} of a cBioPortal "
            f"timeline file; missing {', '.join(missing)}"
        )
        return
    for (number, _), cells in zip(lines[1:], reader, strict=False):
        if not any(cell.strip() for cell in cells):
            continue
        record = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(columns)
        }
        key = record["PATIENT_ID"]
        if not key:
            problems.append(f"{path}:{number}: PATIENT_ID: expected a patient, found nothing")
            continue
        patient = patients.get(key) or patients.setdefault(key, SourcePatient(key, lanes=True))
        private = [n for n in columns if n != "PATIENT_ID" and _private(n, record[n])]
        found = _row({name: "" if name in private else text for name, text in record.items()})
        if isinstance(found, str):
            problems.append(f"{path}:{number}: {found}")
            patient.drop(f"{record['EVENT_TYPE'] or 'timeline'} rows with problems, reported")
            continue
        if private:
            patient.drop("sample identifiers and other private values", len(private))
        patient.rows.append(found)


def _private(column: str, text: str) -> bool:
    """Whether a cell identifies a person or a sample (by its column, or an e-mail in it)."""
    return bool(text) and (
        PRIVATE.search(column) is not None or ("@" in text and E_MAIL.search(text) is not None)
    )


def _day(text: str, column: str) -> float | str | None:
    if not text:
        return None
    try:
        day = float(text)
    except ValueError:
        return f"{column}: expected days from diagnosis (a number), found {text!r}"
    return day if math.isfinite(day) else f"{column}: expected a finite number, found {text!r}"


def _number(text: str) -> float | None:
    try:
        value = read_number(text)  # (not '10,8': left as the lab event's text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _row(record: dict[str, str]) -> Row | str:
    start = _day(record["START_DATE"], "START_DATE")
    end = _day(record.get("STOP_DATE", ""), "STOP_DATE")
    for value in (start, end):
        if isinstance(value, str):
            return value
    if start is None:
        return "START_DATE: expected days from diagnosis, found nothing"
    kind = record["EVENT_TYPE"].upper().replace("_", " ").strip()
    if not kind:
        return "EVENT_TYPE: expected the kind of event, found nothing"
    detail, source = _detail(record), record.get("SOURCE") or None
    origin, code = record["EVENT_TYPE"], kind
    if kind in ("TREATMENT", "SURGERY", "RADIATION"):
        subtype = record.get("SUBTYPE")
        name = record.get("AGENT") or subtype or record.get("TREATMENT_TYPE")
        procedure = kind != "TREATMENT" or "radiation" in record.get("TREATMENT_TYPE", "").lower()
        return Row(
            "procedure" if procedure else "drug",
            name=name or kind.lower(),
            start=start,
            end=end,
            klass=record.get("AGENT_CLASS") or (subtype if subtype != name else None) or None,
            detail=detail,
            source=source,
            origin=origin,
            codes=(code,),
        )
    if kind in ("LAB TEST", "LAB") and (value := _number(record.get("RESULT", ""))) is not None:
        name = record.get("TEST") or "lab test"
        unit = record.get("UNIT") or None
        return Row("measurement", name=name, start=start, value=value, unit=unit,
                   source=source, origin=origin, codes=(code, name))  # fmt: skip
    label, event = kind.lower(), "note"
    if kind in ("LAB TEST", "LAB"):
        label, event = record.get("TEST") or "lab test", "lab"
    elif kind == "IMAGING":
        label, event = record.get("DIAGNOSTIC_TYPE") or "imaging", "imaging"
    elif kind == "STATUS":
        label = record.get("STATUS") or "status"
        event = next((k for pattern, k in STATUS_KINDS if pattern.search(label)), "note")
    elif kind == "DIAGNOSIS":  # (the GDC's studies give each diagnosis a row of its own)
        event = "diagnosis"
    elif kind in SPECIMENS:
        site = record.get("SPECIMEN_SITE") or ""
        label, event = " ".join(filter(None, (kind.lower(), site))), "procedure-event"
    return Row(event, name=label, start=start, end=end, detail=detail, source=source,
               origin=origin, codes=(code, label))  # fmt: skip


def _detail(record: dict[str, str]) -> str | None:
    used = {"PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE", "AGENT", "AGENT_CLASS", "TEST"}
    used |= {"STATUS", "DIAGNOSTIC_TYPE", "SOURCE"}
    shown = [
        f"{name.replace('_', ' ').lower()}: {value}"
        for name, value in record.items()
        if value and name not in used
    ]
    return "; ".join(shown) or None
