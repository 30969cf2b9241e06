"""FHIR R4: a Bundle (.json) or a bulk export (.ndjson, one resource a line), read as JSON.

Each resource is checked for the fields read from it (a wrong shape is reported with its
file, entry or line, and the resource left out); resources of other types are counted.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from dashboard.importers.fhir.fields import (
    Malformed,
    codes_of,
    concept_name,
    period_of,
    quantity_of,
    reference_id,
    semantic_tag,
    short_name,
    span_of,
    subject_id,
    subject_named,
    time_of,
)
from dashboard.importers.fhir.medications import fit_ticks, medicine
from dashboard.importers.rows import Row, SourcePatient, no_cycle_search, unreadable

THERAPY = re.compile(
    r"plasma|apheres|exchange|immunoadsorp|dialysis|radiat|radiother|transfus|chemother|infusion",
    re.I,
)


IMAGING = re.compile(r"imaging|\bMRI\b|tomograph|\bCT\b|radiograph|x-ray|ultrason|scan\b", re.I)


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


PRIVATE = ("name", "identifier", "address", "telecom", "birthDate", "photo", "contact")


def _resources(path: Path, problems: list[str]) -> Iterator[tuple[str | int, Any, str]]:
    """Each resource of a file with where it is: its line (NDJSON), its entry number (a
    Bundle; 'entry 2.3' in a Bundle inside one) or '' (a file of one resource), which
    `_place` says as 'file:3' or 'file: entry 3'; and its entry's fullUrl, which references
    may name it by."""
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
                if type(resource) is dict and resource.get("resourceType") == "Bundle":
                    yield from _entries(path, resource, f"line {number}, entry ", problems, 1)
                    continue
                yield number, resource, ""
        return
    try:
        data = orjson.loads(path.read_bytes().removeprefix(codecs.BOM_UTF8))
    except orjson.JSONDecodeError as error:
        problems.append(f"{path}: is not JSON ({error})")
        return
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        yield "", data, ""
        return
    yield from _entries(path, data, "entry ", problems, 1)


_NESTED_AT_MOST = 4  # Bundles inside Bundles (a search result holding documents), so deep


def _entries(
    path: Path, bundle: dict[str, Any], prefix: str, problems: list[str], depth: int
) -> Iterator[tuple[str, Any, str]]:
    """The resources of a Bundle's entries, those of the Bundles among them too."""
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        problems.append(f"{path}: {prefix.strip()}: expected a list of entries")
        return
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
        where = f"{prefix}{number}"
        if type(resource) is dict and resource.get("resourceType") == "Bundle":
            if depth >= _NESTED_AT_MOST:
                problems.append(f"{path}: {where}: a Bundle nested more than "
                                f"{_NESTED_AT_MOST} deep; left out")  # fmt: skip
                continue
            yield from _entries(path, resource, f"{where}.", problems, depth + 1)
            continue
        yield where, resource, full_url if isinstance(full_url, str) else ""


def _place(path: Path, where: str | int) -> str:
    """'file:3' (a line), 'file: entry 3' (a Bundle's entry) or 'file'; said only for a problem."""
    if isinstance(where, int):
        return f"{path}:{where}"
    return f"{path}: {where}" if where else str(path)


def read_fhir(paths: list[Path], problems: list[str]) -> dict[str, SourcePatient]:
    """Read Bundles and NDJSON files into one patient per Patient resource or reference."""
    with no_cycle_search():
        return _read_fhir(paths, problems)


def _read_fhir(paths: list[Path], problems: list[str]) -> dict[str, SourcePatient]:
    patients: dict[str, SourcePatient] = {}
    medications: dict[str, str] = {}
    pending: list[tuple[Path, str | int, dict[str, Any]]] = []
    for path in paths:
        try:
            resources = list(_resources(path, problems))
        except Exception as error:  # one unreadable file never stops the others
            problems.append(unreadable(path, "FHIR JSON", error))
            continue
        for where, resource, full_url in resources:
            kind = resource.get("resourceType") if type(resource) is dict else None
            if not isinstance(kind, str):
                problems.append(
                    f"{_place(path, where)}: expected a FHIR resource (an object with resourceType)"
                )
                continue
            if kind == "Medication":  # named by its id or its entry's fullUrl, as referenced
                name = concept_name(resource.get("code")) or "medication"
                for key in (resource.get("id"), reference_id({"reference": full_url})):
                    if isinstance(key, str) and key:
                        medications[key] = name
            elif kind == "Patient":
                try:
                    _patient(patients, resource)
                except Malformed as error:
                    problems.append(f"{_place(path, where)} (Patient): {error}")
            else:
                pending.append((path, where, resource))
    for path, where, resource in pending:  # after every Patient and Medication has been seen
        kind = resource["resourceType"]
        key = subject_id(resource)
        if key is None and kind not in READ:
            continue  # an organisation, a practitioner, a location: nobody's course
        if key is None:
            named = subject_named(resource)
            other = f"{named}, which is not a Patient; left out" if named else "none"
            problems.append(
                f"{_place(path, where)} ({kind}): expected subject or patient: a Patient "
                f"reference, found {other}"
            )
            continue
        patient = patients.get(key) or patients.setdefault(key, SourcePatient(key, lanes=True))
        for field in ("subject", "patient"):  # ('display': the patient's name, as a rule)
            shown = resource.get(field)
            if isinstance(shown, dict) and isinstance(shown.get("display"), str):
                _hide(patient.private, shown["display"], "[name]")
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
        fit_ticks(patient)
    return patients


def _patient(patients: dict[str, SourcePatient], resource: dict[str, Any]) -> None:
    key = resource.get("id")
    if not isinstance(key, str):
        raise Malformed("id: expected the patient's id")
    patient = patients.setdefault(key, SourcePatient(key, lanes=True))
    sex = resource.get("gender")
    if sex in ("female", "male"):
        patient.rows.append(Row("sex", name=sex))
    private = [name for name in PRIVATE if resource.get(name)]
    if private:
        patient.drop("identifying Patient fields (" + ", ".join(private) + ")", len(private))
    patient.private |= _words_of(resource)
    if died := resource.get("deceasedDateTime"):
        patient.rows.append(
            Row("death", name="death", start=time_of(died, "deceasedDateTime"), origin="Patient")
        )


def _words_of(resource: dict[str, Any]) -> dict[str, str]:
    """The words of a Patient resource that name or reach the patient, and their stand-ins:
    names (the patient's and contacts'), record numbers, phones, e-mails, address lines."""
    found: dict[str, str] = {}
    names = _items(resource.get("name"))
    names += [item.get("name") for item in _items(resource.get("contact"))]
    for name in names:
        if isinstance(name, dict):
            for word in [name.get("text"), name.get("family"), *_items(name.get("given"))]:
                _hide(found, word, "[name]")
    for identifier in _items(resource.get("identifier")):
        if isinstance(identifier, dict):
            _hide(found, identifier.get("value"), "[record number]")
    for telecom in _items(resource.get("telecom")):
        if isinstance(telecom, dict):
            _hide(
                found, telecom.get("value"), _TELECOM.get(str(telecom.get("system")), "[contact]")
            )
    for address in _items(resource.get("address")):
        if isinstance(address, dict):
            for line in [address.get("text"), *_items(address.get("line"))]:
                _hide(found, line, "[address]")
    return found


_TELECOM = {"phone": "[phone]", "fax": "[phone]", "sms": "[phone]", "email": "[e-mail]"}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _hide(found: dict[str, str], word: Any, instead: str) -> None:
    """Take `word` out of texts as `instead` (a word of one letter would take out too much)."""
    if isinstance(word, str) and len(word.strip()) > 1:
        found.setdefault(word.strip().lower(), instead)


def _row(
    kind: str, resource: dict[str, Any], medications: dict[str, str], patient: SourcePatient
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
        name = concept_name(vaccine) or "vaccine"
        start, _ = span_of(resource, "occurrence")
        if start is None:
            return "Immunizations without a time"
        return [Row("drug", name=name, abbr=short_name(name), start=start, klass="vaccine",
                    origin=kind, codes=codes_of(vaccine))]  # fmt: skip
    if kind == "Condition":
        name = concept_name(code) or "condition"
        if semantic_tag(code) in ("finding", "situation"):  # social findings: not diagnoses
            start, end = span_of(resource, "onset")
            if start is None:
                return "Conditions that are findings, without a time"
            return [Row("note", name=name, start=start, origin=kind, codes=codes_of(code))]
        start, _ = span_of(resource, "onset")
        if start is None and resource.get("recordedDate"):
            start = time_of(resource["recordedDate"], "recordedDate")
        end, _ = span_of(resource, "abatement")
        rows = [Row("diagnosis", name=name, origin=kind, codes=codes_of(code))]
        if start is not None:
            rows.append(
                Row("diagnosis", name=name, start=start, end=end, origin=kind, codes=codes_of(code))
            )
        return rows
    if kind.startswith("Medication"):
        return medicine(kind, resource, medications, patient)
    if kind == "Procedure":
        name = concept_name(code) or "procedure"
        start, end = span_of(resource, "performed")
        if start is None:
            return "Procedure without a time"
        row_kind = "procedure" if THERAPY.search(name) else "procedure-event"
        if IMAGING.search(name):
            row_kind = "imaging"
        return [Row(row_kind, name=name, start=start, end=end, origin=kind, codes=codes_of(code))]
    if kind == "Encounter":
        klass = resource.get("class")
        klass_code = klass.get("code") if isinstance(klass, dict) else None
        if klass_code not in ADMISSIONS:
            return f"Encounters other than admissions ({klass_code or 'no class'})"
        start, end = period_of(resource.get("period") or {}, "period")
        if start is None:
            return "Encounter without a time"
        name = concept_name((resource.get("type") or [None])[0]) or "admission"
        return [Row("admission", name=name, start=start, end=end, origin=kind, codes=(klass_code,))]
    return _observation(resource)


def _observation(resource: dict[str, Any]) -> list[Row] | str:
    start, _ = span_of(resource, "effective")
    if start is None and resource.get("issued"):
        start = time_of(resource["issued"], "issued")
    code = resource.get("code")
    if "valueQuantity" in resource and not resource.get("component"):  # most observations
        value, unit = quantity_of(resource["valueQuantity"], "valueQuantity")
        if start is None:
            return "Observations without a time"
        name = concept_name(code) or "observation"
        return [Row("measurement", name=name, abbr=short_name(name), start=start, value=value,
                    unit=unit, origin="Observation", codes=codes_of(code))]  # fmt: skip
    parts: list[tuple[Any, dict[str, Any], str]] = [(code, resource, "")]
    parts += [
        (component.get("code"), component, f"component[{index}].")
        for index, component in enumerate(resource.get("component") or [])
        if isinstance(component, dict)
    ]
    rows: list[Row] = []
    for code, holder, where in parts:
        if "valueQuantity" in holder:
            value, unit = quantity_of(holder["valueQuantity"], where + "valueQuantity")
        elif isinstance(holder.get("valueInteger"), int):
            value, unit = float(holder["valueInteger"]), None
        else:
            continue
        name = concept_name(code) or "observation"
        rows.append(Row("measurement", name=name, abbr=short_name(name), start=start, value=value,
                        unit=unit, origin="Observation", codes=codes_of(code)))  # fmt: skip
    if not rows:
        return "Observations without a numeric value"
    if start is None:
        return "Observations without a time"
    return rows
