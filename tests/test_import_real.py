"""Real files published by others (tests/data/import/real/README.md says whose): each imports
into case files that load and render, accounts for every record and keeps no identifier or date."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.figure import build_figure
from dashboard.importers import import_sources
from dashboard.importers.build import Draft
from dashboard.load import load_case, parse_case

REAL = Path(__file__).resolve().parent / "data" / "import" / "real"
# A calendar date or month as the sources write them (2015-05-21, 2013-12, 2017-02-13T03:37).
DATE = re.compile(r"(19|20)\d\d-[01]\d")
# What a header counts that is not a record: values or fields taken out of a kept record.
NOT_RECORDS = ("identifying", "sample identifiers")
IDENTIFYING = ("USUBJID", "PATIENT_ID", "SPECIMEN_REFERENCE_NUMBER", "ACCESSION_NUMBER")


def _records(source: str) -> tuple[int, set[str]]:
    """How many records (rows or entries) the source holds, and the identifiers in it."""
    records, identifiers = 0, set()
    for path in sorted((REAL / source).iterdir()):
        if path.suffix == ".json":
            entries = json.loads(path.read_text(encoding="utf-8"))["entry"]
            records += len(entries)
            for entry in entries:
                resource = entry["resource"]
                if resource["resourceType"] == "Patient":
                    identifiers |= {item["value"] for item in resource["identifier"]}
                    identifiers |= {resource["name"][0]["family"], resource["birthDate"]}
                    identifiers |= {resource["telecom"][0]["value"]}
                    identifiers |= {resource["address"][0]["line"][0]}
            continue
        delimiter = "\t" if path.suffix == ".txt" else ","
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=delimiter))
        records += len(rows)
        for row in rows:
            for column in (
                "USUBJID",
                "PATIENT_ID",
                "SPECIMEN_REFERENCE_NUMBER",
                "ACCESSION_NUMBER",
            ):
                if row.get(column):
                    identifiers.add(row[column])
    return records, identifiers


def _accounted(draft: Draft, text: str) -> int:
    """Records a case file took in: drawn, listed as a diagnosis, or counted as left out."""
    kept = sum(draft.mapped.values())
    left = sum(n for what, n in draft.dropped.items() if not what.startswith(NOT_RECORDS))
    return kept + left + len(parse_case(text).diagnoses)


# source folder -> (the format guessed, patients, records that are the patient itself)
SOURCES = {
    "cbioportal": ("cbioportal", 3, 0),
    "cdisc-pilot": ("sdtm", 2, 0),
    "rho-sdtm": ("sdtm", 2, 0),
    "clinical-timelines": ("adam", 5, 0),
    "synthea": ("fhir", 1, 1),  # the Patient resource gives the sex, not a record of the course
}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_real_files_import_whole_and_de_identified(tmp_path: Path, source: str) -> None:
    _, patients, themselves = SOURCES[source]
    result = import_sources([REAL / source], tmp_path / "cases")
    assert result.problems == [] and result.written.invalid == []
    assert len(result.written.files) == patients
    records, identifiers = _records(source)
    accounted = 0
    for path, draft in result.written.files:
        text = path.read_text(encoding="utf-8")
        case = load_case(path)
        build_figure(case)
        accounted += _accounted(draft, text)
        assert not DATE.search(text), (path.name, DATE.search(text))
        leaked = [identifier for identifier in identifiers if identifier in text]
        assert not leaked, (path.name, leaked)
    assert accounted == records - themselves


def test_what_the_real_files_revealed(tmp_path: Path) -> None:
    """Tables exported from R write NA for a missing value; studies write UNCODED for a
    term a dictionary lacks and list a medication again at each visit; MHDTC is when the
    history was taken, not when the condition began; Synthea records vaccines."""
    result = import_sources([REAL / "cdisc-pilot"], tmp_path / "sdtm")
    first = {path.name: (path, draft) for path, draft in result.written.files}["patient-1.yaml"]
    case = load_case(first[0])
    assert [(t.drug, t.class_, [g.day for g in t.given]) for t in case.treatments] == [
        ("HYDROCORTISONE", "SYSTEMIC HORMONAL PREPARATIONS, EXCL.", [1427.0]),
        ("NEOSPORIN /USA/", None, [1344.0]),  # CMDECOD and CMCLAS UNCODED
    ]
    assert first[1].dropped["CM records repeating an earlier one (listed at each visit)"] == 12
    assert [(e.label, e.at.day) for e in case.events] == [
        ("ALZHEIMER'S DISEASE", 0.0),  # MHDECOD NA: the reported term
        ("PHARYNGOLARYNGEAL PAIN", 1311.0),  # MHSTDTC 2013-12
    ]
    # conditions with no MHSTDTC are the case's diagnoses, not events at the screening visit
    assert case.diagnoses == ("PALPITATIONS", "HEADACHE", "TINNITUS", "DYSPEPSIA", "HYPOAESTHESIA")
    assert not re.search(r"\bNA\b", first[0].read_text(encoding="utf-8"))

    result = import_sources([REAL / "synthea"], tmp_path / "fhir")
    [(path, draft)] = result.written.files
    vaccines = {t.drug: [g.day for g in t.given] for t in load_case(path).treatments}
    assert vaccines == {
        "Influenza, seasonal, injectable, preservative free": [0.0, 1099.0, 2198.0],
        "Td (adult), 5 Lf tetanus toxoid, preservative free, adsorbed": [2198.0],
    }
    assert draft.dropped["Encounters other than admissions (AMB)"] == 3

    result = import_sources([REAL / "cbioportal"], tmp_path / "cbioportal")
    kinds = Counter(e.kind for path, _ in result.written.files for e in load_case(path).events)
    assert kinds == {"procedure": 5, "diagnosis": 2, "note": 1}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_a_real_case_renders_to_png(tmp_path: Path, source: str) -> None:
    import_sources([REAL / source], tmp_path / "cases")
    image = tmp_path / f"{source}.png"
    result = CliRunner().invoke(
        cli, ["render", str(tmp_path / "cases" / "patient-1.yaml"), "-o", str(image)]
    )
    assert result.exit_code == 0, result.output
    data = image.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
