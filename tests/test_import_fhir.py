"""FHIR R4: a Synthea-style Bundle and the same patient as a bulk (NDJSON) export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.figure import build_figure
from dashboard.importers import guess_format
from dashboard.load import load_case
from dashboard.model import Treatment

FHIR = Path(__file__).resolve().parent / "data" / "import" / "fhir"
BUNDLE = FHIR / "synthea-nmosd.json"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


def test_bundle_and_ndjson_are_recognised() -> None:
    assert guess_format(BUNDLE) == "fhir"
    assert {guess_format(p) for p in (FHIR / "bulk").iterdir()} == {"fhir"}


@pytest.mark.parametrize("source", [BUNDLE, FHIR / "bulk"], ids=["bundle", "bulk"])
def test_everything_is_mapped_or_listed(tmp_path: Path, source: Path) -> None:
    code, err = run("import", str(source), "-o", str(tmp_path), "--day0", "condition:25044007")
    assert code == 1  # malformed resources were reported; the rest was written
    reported = [line for line in err.splitlines() if not line.startswith(str(tmp_path))]
    where = "entry 19" if source == BUNDLE else "Observation.ndjson:9"
    assert any(
        where in line and "valueQuantity.value: expected a number, found {'bad': 'value'}" in line
        for line in reported
    ), reported
    assert any("performedDateTime: '2015-04-33T10:00:00+09:00' is not a real date" in line
               for line in reported)  # fmt: skip
    case = load_case(tmp_path / "patient-1.yaml")
    assert case.day0.label == "Neuromyelitis optica"  # onset 2015-04-10
    assert case.patient is not None and case.patient.sex == "female"
    treatments = [
        (t.drug, t.kind, t.dose, t.start.day if t.start else None, t.ongoing)
        for t in case.treatments
    ]
    assert sorted(treatments, key=str) == sorted(
        [
            ("methylprednisolone 1000 MG Injection", "drug", "1000 mg daily", -8.0, False),
            ("prednisoLONE 5 MG Oral Tablet", "drug", "60 mg daily", -5.0, True),  # active
            ("azathioprine 50 MG Oral Tablet", "drug", "100 mg daily", 21.0, False),
            ("tocilizumab 20 MG/ML Injectable Solution", "drug", "8 mg/kg", None, False),
            ("tocilizumab 20 MG/ML Injectable Solution", "drug", None, 367.0, True),
            ("Plasmapheresis", "procedure", None, 163.0, False),
            ("Influenza, seasonal, injectable, preservative free", "drug", None, None, False),
        ],
        key=str,
    )
    given = {t.drug: [time.day for time in t.given] for t in case.treatments if t.given}
    assert given == {
        "tocilizumab 20 MG/ML Injectable Solution": [367.0],
        "Influenza, seasonal, injectable, preservative free": [-158.0],  # an Immunization
    }
    events = sorted((e.at.day, e.kind, e.label) for e in case.events)
    assert events == [
        (-158.0, "note", "Full-time employment"),  # a social finding, not a diagnosis
        (-9.0, "diagnosis", "Optic neuritis"),
        (-8.0, "admission", "Hospital admission"),
        (0.0, "diagnosis", "Neuromyelitis optica"),
        (161.0, "admission", "Emergency room admission"),
        (161.0, "diagnosis", "Transverse myelitis"),
        (162.0, "imaging", "Magnetic resonance imaging of spine"),
    ]
    assert case.diagnoses == ("Optic neuritis", "Neuromyelitis optica", "Transverse myelitis")
    assert {t.abbr for t in case.treatments if t.kind == "drug"} == {
        None,  # the vaccine's name has no shorter form
        "methylprednisolone",
        "prednisoLONE",
        "azathioprine",
        "tocilizumab",
    }
    assert {m.abbr for m in case.measurements} == {None, "Albumin", "Ferritin"}
    values = {
        (m.name, m.unit): [(p.time.day, p.value) for p in m.points] for m in case.measurements
    }
    assert values == {
        ("Body Height", "cm"): [(-158.0, 158.2)],
        ("Systolic blood pressure", "mm[Hg]"): [(-158.0, 118.0), (-8.0, 132.0)],
        ("Diastolic blood pressure", "mm[Hg]"): [(-158.0, 76.0), (-8.0, 84.0)],
        ("Albumin [Mass/volume] in Serum or Plasma", "g/dL"): [(-8.0, 3.9)],
        ("Ferritin [Mass/volume] in Serum or Plasma", "ng/mL"): [
            (-8.0, 412.0),
            (162.0, 2380.0),
            (367.0, 95.0),
        ],
    }
    text = (tmp_path / "patient-1.yaml").read_text(encoding="utf-8")
    header = text.split("\ntitle:")[0]
    for counted in (
        "Encounters other than admissions (AMB) (2)",
        "Observations without a numeric value (1)",
        "Observation resources with problems, reported (1)",
        "Procedure resources with problems, reported (1)",
        "MedicationRequest resources with problems, reported (1)",
        "identifying Patient fields (name, identifier, address, telecom, birthDate) (5)",
    ):
        assert counted in header, counted
    for private in ("Tanaka", "Hanako", "999-41", "Kessler", "Worcester", "1978", "555-867",
                    "8f1b2c3d", "Sato", "Yamada", "Osaka", "OSAKA"):  # fmt: skip
        assert private not in text, private
    assert not re.search(r"20\d\d-\d\d", text), "no calendar date unless asked"
    build_figure(case)


def test_keep_dates_and_patient_choice(tmp_path: Path) -> None:
    patient = "8f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    code, _ = run("import", str(BUNDLE), "-o", str(tmp_path), "--keep-dates",
                  "--patient", patient, "--only", "Observation")  # fmt: skip
    assert code == 1  # the malformed Observation is still reported
    case = load_case(tmp_path / "patient-1.yaml")
    assert case.day0_date is not None and case.day0_date.isoformat() == "2014-11-03"
    assert not case.treatments and not case.events and len(case.measurements) == 5
    assert "Tanaka" not in (tmp_path / "patient-1.yaml").read_text(encoding="utf-8")


def test_day0_as_a_date_matches_day0_as_a_condition(tmp_path: Path) -> None:
    run("import", str(BUNDLE), "-o", str(tmp_path / "a"), "--day0", "2015-04-10")
    run("import", str(BUNDLE), "-o", str(tmp_path / "b"), "--day0", "condition:neuromyelitis")
    by_date = load_case(tmp_path / "a" / "patient-1.yaml")
    by_condition = load_case(tmp_path / "b" / "patient-1.yaml")
    assert [t.day for t in by_date.times] == [t.day for t in by_condition.times]
    assert by_date.day0.label == "Day 0" and by_date.day0_date is None
    code, err = run("import", str(BUNDLE), "-o", str(tmp_path / "c"), "--day0", "condition:MOGAD")
    assert code == 1 and "--day0 condition:MOGAD: no condition or event matches 'mogad'" in err


def test_ndjson_lines_that_are_not_one_resource_are_named_by_line(tmp_path: Path) -> None:
    """Each line is one resource; blanks around it are fine, anything else is said with the
    JSON parser's own words and the line, and the other lines are still read."""
    from dashboard.importers.fhir import read_fhir

    source = tmp_path / "Observation.ndjson"
    good = '{"resourceType": "Patient", "id": "p%d", "gender": "female"}'
    source.write_text(
        "\n".join(
            [
                "  " + good % 1 + "  ",
                good % 2 + ' {"resourceType": "Patient"}',
                '{"resourceType": "Patient", "id": ',
                "",
                "[" + good % 3 + "]",
                good % 4,
            ]
        )
        + "\n"
    )
    problems: list[str] = []
    assert list(read_fhir([source], problems)) == ["p1", "p4"]
    assert problems == [
        f"{source}:2: expected one JSON resource a line "
        "(unexpected content after document: line 1 column 61 (char 60))",
        f"{source}:3: expected one JSON resource a line "
        "(unexpected end of data: line 2 column 1 (char 35))",
        f"{source}:5: expected a FHIR resource (an object with resourceType)",
    ]


PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female"}


def medicine(kind: str, number: int, **fields: object) -> dict[str, object]:
    """A medication resource of patient p1, its drug named 'drug <number>'."""
    return {
        "resourceType": kind,
        "id": f"m{number}",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": f"drug {number}"},
    } | fields


def import_bundle(tmp_path: Path, *resources: dict[str, object]) -> tuple[int, str, str]:
    """Import a Bundle of `resources` through the CLI: exit code, errors, the written case."""
    bundle = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    source = tmp_path / "bundle.json"
    source.write_text(json.dumps(bundle), encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"), "--day0", "2020-01-01")
    written = tmp_path / "out" / "patient-1.yaml"
    return code, err, written.read_text(encoding="utf-8") if written.exists() else ""


def drugs(tmp_path: Path) -> dict[str, Treatment]:
    """The imported case's treatments by drug name."""
    return {t.drug: t for t in load_case(tmp_path / "out" / "patient-1.yaml").treatments}


def repeat(frequency: int, period: float, unit: str, **bounds: str) -> dict[str, object]:
    """A Dosage's timing: `frequency` doses every `period` `unit`, within `bounds`."""
    every = {"frequency": frequency, "period": period, "periodUnit": unit}
    return {"repeat": every | ({"boundsPeriod": bounds} if bounds else {})}


def test_each_medication_resource_keeps_its_dose(tmp_path: Path) -> None:
    """A Statement's dosage is a list, an Administration's one object with a dose or a rate."""
    during = {"effectivePeriod": {"start": "2020-01-01", "end": "2020-03-01"}}
    code, err, _ = import_bundle(
        tmp_path,
        PATIENT,
        medicine("MedicationStatement", 1, status="completed", **during,
                 dosage=[{"doseAndRate": [{"doseQuantity": {"value": 100, "unit": "mg"}}]}]),
        medicine("MedicationStatement", 2, status="completed", **during,
                 dosage=[{"text": "20 mg daily"}]),
        medicine("MedicationAdministration", 3, status="completed", **during,
                 dosage={"dose": {"value": 1, "unit": "g"}, "route": {"text": "IV"}}),
        medicine("MedicationAdministration", 4, status="completed", **during,
                 dosage={"rateQuantity": {"value": 50, "unit": "mL/h"}}),
    )  # fmt: skip
    assert code == 0, err
    doses = {name: t.dose for name, t in drugs(tmp_path).items()}
    assert doses == {"drug 1": "100 mg", "drug 2": "20 mg daily", "drug 3": "1 g",
                     "drug 4": "50 mL/h"}  # fmt: skip


@pytest.mark.parametrize(
    ("frequency", "period", "unit", "every", "days"),
    [
        (1, 6, "mo", "6 months", 182.625),
        (1, 4, "wk", "4 weeks", 28.0),
        (2, 8, "wk", "4 weeks", 28.0),
        (1, 1, "a", "1 year", 365.25),
    ],
)
def test_a_repeat_of_a_week_or_longer_is_repeated_dosing(
    tmp_path: Path, frequency: int, period: float, unit: str, every: str, days: float
) -> None:
    """With an end (or while active) the bar gets a tick per dose, written as `every`."""
    dose = {"doseAndRate": [{"doseQuantity": {"value": 1000, "unit": "mg"}}]}
    code, err, text = import_bundle(
        tmp_path,
        PATIENT,
        medicine("MedicationRequest", 1, status="completed", authoredOn="2020-01-01",
                 dosageInstruction=[dose | {"timing": repeat(
                     frequency, period, unit, start="2020-01-01", end="2022-01-01")}]),
        medicine("MedicationRequest", 2, status="active", authoredOn="2020-01-01",
                 dosageInstruction=[dose | {"timing": repeat(frequency, period, unit)}]),
    )  # fmt: skip
    assert code == 0, err
    assert f"every: {every}" in text
    ended, ongoing = drugs(tmp_path)["drug 1"], drugs(tmp_path)["drug 2"]
    assert (ended.every, ended.dose, ended.end is not None) == (days, "1000 mg", True)
    assert (ongoing.every, ongoing.dose, ongoing.ongoing) == (days, "1000 mg", True)


def test_daily_or_more_often_stays_a_bar_with_its_schedule_in_the_dose(tmp_path: Path) -> None:
    """Doses too close for ticks draw one bar; how often is said once in its dose text."""
    dose = {"doseAndRate": [{"doseQuantity": {"value": 20, "unit": "mg"}}]}
    schedules = [
        (dose, repeat(1, 1, "d")),
        (dose, repeat(2, 1, "d")),
        (dose, repeat(1, 8, "h")),
        (dose, repeat(3, 1, "wk")),
        ({"text": "20 mg twice daily"}, repeat(2, 1, "d")),
    ]
    code, err, _ = import_bundle(
        tmp_path,
        PATIENT,
        *(
            medicine("MedicationRequest", number, status="active", authoredOn="2020-01-01",
                     dosageInstruction=[written | {"timing": timing}])
            for number, (written, timing) in enumerate(schedules, start=1)
        ),
    )  # fmt: skip
    assert code == 0, err
    rows = {name: (t.dose, t.every, t.ongoing) for name, t in drugs(tmp_path).items()}
    assert rows == {
        "drug 1": ("20 mg daily", None, True),
        "drug 2": ("20 mg twice daily", None, True),
        "drug 3": ("20 mg every 8 hours", None, True),
        "drug 4": ("20 mg 3 times per week", None, True),
        "drug 5": ("20 mg twice daily", None, True),
    }


def test_a_schedule_without_an_end_is_said_in_the_dose(tmp_path: Path) -> None:
    """A completed request with no end is one mark: `every` would need an end, so the
    schedule stays in its dose text and the case still loads."""
    code, err, _ = import_bundle(
        tmp_path,
        PATIENT,
        medicine("MedicationRequest", 1, status="completed", authoredOn="2020-01-01",
                 dosageInstruction=[{"text": "1000 mg", "timing": repeat(1, 6, "mo")}]),
    )  # fmt: skip
    assert code == 0, err
    drug = drugs(tmp_path)["drug 1"]
    assert (drug.dose, drug.every, drug.given is not None) == ("1000 mg every 6 months", None, True)


def test_a_dosage_with_nothing_readable_is_counted(tmp_path: Path) -> None:
    code, err, text = import_bundle(
        tmp_path,
        PATIENT,
        medicine("MedicationStatement", 1, status="active", effectiveDateTime="2020-01-01",
                 dosage=[{"route": {"text": "oral"}}, {"text": "5 mg"}]),
        medicine("MedicationRequest", 2, status="active", authoredOn="2020-01-01",
                 dosageInstruction=[{"asNeededBoolean": True}]),
    )  # fmt: skip
    assert code == 0, err
    header = text.split("\ntitle:")[0]
    assert "MedicationStatement dosages without a dose or schedule that could be read (1)" in header
    assert "MedicationRequest dosages without a dose or schedule that could be read (1)" in header
    assert drugs(tmp_path)["drug 1"].dose == "5 mg"


def test_a_dosage_of_the_wrong_shape_is_reported(tmp_path: Path) -> None:
    """Each type's dosage has one shape in R4; another is named with its place, not a crash."""
    code, err, text = import_bundle(
        tmp_path,
        PATIENT,
        medicine("MedicationStatement", 1, status="active", effectiveDateTime="2020-01-01",
                 dosage={"text": "5 mg"}),
        medicine("MedicationAdministration", 2, status="completed",
                 effectiveDateTime="2020-01-01", dosage=[{"text": "5 mg"}]),
        medicine("MedicationRequest", 3, status="active", authoredOn="2020-01-01",
                 dosageInstruction={"text": "5 mg"}),
        medicine("MedicationRequest", 4, status="active", authoredOn="2020-01-01",
                 dosageInstruction=[{"timing": repeat(1, 2, "weeks")}]),
        medicine("MedicationStatement", 5, status="active", effectiveDateTime="2020-01-01",
                 dosage=[{"doseAndRate": [{"doseQuantity": {"value": "5", "unit": "mg"}}]}]),
        medicine("MedicationStatement", 6, status="active", effectiveDateTime="2020-01-01"),
    )  # fmt: skip
    assert code == 1
    reported = [line.split(": ", 1)[1] for line in err.splitlines() if "bundle.json" in line]
    assert reported == [
        "entry 2 (MedicationStatement/m1): dosage: expected a list of Dosage, found an object",
        "entry 3 (MedicationAdministration/m2): dosage: expected one dosage (an object), "
        "found a list",
        "entry 4 (MedicationRequest/m3): dosageInstruction: expected a list of Dosage, "
        "found an object",
        "entry 5 (MedicationRequest/m4): dosageInstruction[0].timing.repeat.periodUnit: "
        "expected one of s, min, h, d, wk, mo, a; found 'weeks'",
        "entry 6 (MedicationStatement/m5): dosage[0].doseAndRate[0].doseQuantity.value: "
        "expected a number, found '5'",
    ]
    assert list(drugs(tmp_path)) == ["drug 6"]
    assert "MedicationStatement resources with problems, reported (2)" in text


def test_more_doses_than_a_chart_draws_are_said_in_the_dose(tmp_path: Path) -> None:
    """Weekly since 1905 would be more ticks than a case may draw: the schedule is said in
    words instead, and the file is written; since 1930 it still fits."""
    weekly = [{"text": "1 mg", "timing": repeat(1, 1, "wk")}]
    code, err, _ = import_bundle(
        tmp_path,
        PATIENT,
        medicine("MedicationRequest", 1, status="active", authoredOn="1905-01-01",
                 dosageInstruction=weekly),
        medicine("MedicationRequest", 2, status="active", authoredOn="1930-01-01",
                 dosageInstruction=weekly),
        {"resourceType": "Observation", "subject": {"reference": "Patient/p1"},
         "code": {"text": "weight"}, "effectiveDateTime": "2020-01-01",
         "valueQuantity": {"value": 60, "unit": "kg"}},
    )  # fmt: skip
    assert code == 0, err
    rows = {name: (t.dose, t.every, t.ongoing) for name, t in drugs(tmp_path).items()}
    assert rows == {"drug 1": ("1 mg every week", None, True), "drug 2": ("1 mg", 7.0, True)}


def test_a_record_years_away_from_the_rest_is_pointed_out(tmp_path: Path) -> None:
    """An old diagnosis of hypertension five years before the course squeezed the whole course
    into a corner of the chart, without a word."""
    subject = {"reference": "Patient/p1"}
    coding = {"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"}
    old = {"resourceType": "Condition", "id": "c0", "subject": subject}
    old |= {"onsetDateTime": "2010-03-01", "code": {"coding": [coding]}}
    course = [
        {"resourceType": "Observation", "id": f"o{day}", "subject": subject}
        | {"effectiveDateTime": f"2015-06-{day:02d}", "code": {"text": "Ferritin"}}
        | {"valueQuantity": {"value": 300 - day, "unit": "ng/mL"}}
        for day in (1, 9, 20)
    ]
    source = tmp_path / "in" / "far.json"
    source.parent.mkdir()
    entries = [{"resource": resource} for resource in [old, *course]]
    source.write_text(json.dumps({"resourceType": "Bundle", "entry": entries}), encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "a"))
    said = "patient-1.yaml: Hypertension lies 5.3 years before every other record and squeezes"
    assert code == 0 and said in err and "(--skip 38341003 leaves it out)" in err
    code, err = run("import", str(source), "-o", str(tmp_path / "b"), "--skip", "38341003")
    assert code == 0 and "lies" not in err
    assert load_case(tmp_path / "b" / "patient-1.yaml").measurements[0].points[0].time.day == 0


def test_only_or_skip_naming_nothing_in_the_sources_is_said(tmp_path: Path) -> None:
    code, err = run("import", str(BUNDLE), "-o", str(tmp_path / "a"), "--skip", "Observaton")
    said = "--skip Observaton: no record of that type, kind or code in the sources (left out none)"
    assert code == 1 and said in err.splitlines()
    code, err = run("import", str(BUNDLE), "-o", str(tmp_path / "b"), "--only", "Observation")
    assert "--only Observation: no record" not in err


R4 = FHIR / "r4"


def test_the_official_r4_medication_statement_imports_its_drug_and_dose(tmp_path: Path) -> None:
    """HL7's own MedicationStatement example names its drug in a contained Medication
    ('#med0309'): it was refused as having no medication, and no case was written."""
    code, err = run("import", str(R4 / "medicationstatement-example1.json"), "-o",
                    str(tmp_path / "out"), "--keep-dates")  # fmt: skip
    assert code == 0, err
    (treatment,) = load_case(tmp_path / "out" / "patient-1.yaml").treatments
    assert treatment.drug == "Tylenol PM"
    assert treatment.dose == "1-2 tablets once daily at bedtime as needed for restless legs"
    assert treatment.start is not None and str(treatment.start.date) == "2015-01-23"
    assert treatment.ongoing  # (status active, no end)


def test_references_by_full_url_and_type_and_id_nested_bundles_and_other_subjects(
    tmp_path: Path,
) -> None:
    """A Medication named by its entry's fullUrl (urn:uuid) or as Medication/id, a Condition
    inside a Bundle inside the Bundle, all read; an Observation about a Group is no
    patient's: reported, not a phantom patient."""
    code, err = run("import", str(R4 / "references-bundle.json"), "-o", str(tmp_path / "out"),
                    "--keep-dates")  # fmt: skip
    assert code == 1
    assert err.splitlines()[0] == (
        f"{R4 / 'references-bundle.json'}: entry 7 (Observation): expected subject or patient: "
        "a Patient reference, found Group/g1, which is not a Patient; left out"
    )
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["patient-1.yaml"]
    case = load_case(tmp_path / "out" / "patient-1.yaml")
    assert [(t.drug, t.dose) for t in case.treatments] == [
        ("tocilizumab 20 MG/ML Injectable Solution", "8 mg/kg"),
        ("rituximab", "1000 mg"),
    ]
    assert case.diagnoses == ("neuromyelitis optica",)


def test_a_stay_across_time_zones_ends_after_it_starts(tmp_path: Path) -> None:
    """An admission from Tokyo at 01:30 on 2 March (+09:00) to New York at 20:00 on 1 March
    (-05:00) lasts four and a half hours; dated by their local days it seemed to end a day
    before it starts and was left out. The end is dated in the start's time zone, in every
    kind of FHIR period."""
    across = {"start": "2020-03-02T01:30:00+09:00", "end": "2020-03-01T20:00:00-05:00"}
    code, err, text = import_bundle(
        tmp_path,
        PATIENT,
        {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "IMP"},
         "subject": {"reference": "Patient/p1"}, "period": across},
        {"resourceType": "Procedure", "id": "r1", "status": "completed",
         "subject": {"reference": "Patient/p1"}, "code": {"text": "plasma exchange"},
         "performedPeriod": across},
        medicine("MedicationRequest", 1, status="completed", authoredOn="2020-03-01",
                 dosageInstruction=[{"timing": {"repeat": {"boundsPeriod": across}}}]),
    )  # fmt: skip
    assert code == 0, err
    assert "ending before it starts" not in text
    case = load_case(tmp_path / "out" / "patient-1.yaml")
    (admission,) = case.events
    assert admission.kind == "admission" and admission.end is not None
    assert (admission.at.day, admission.end.day) == (61.0, 61.0)  # 2 March, day 0 1 January
    assert [(t.start.day, t.end.day) for t in case.treatments if t.start and t.end] == [
        (61.0, 61.0),
        (61.0, 61.0),
    ]


def test_the_patients_names_and_numbers_are_taken_out_of_texts(tmp_path: Path) -> None:
    """A concept's text, a dosage's words or a reference's display may name the patient or
    give their record number, phone or e-mail, and were copied so under a header saying no
    names or identifiers are copied. Each of the Patient's own (and a display naming them) is
    given as a stand-in, counted; the header says what is not looked for."""
    patient = PATIENT | {
        "name": [{"text": "Hanako Tanaka", "family": "Tanaka", "given": ["Hanako"]}],
        "identifier": [{"system": "urn:oid:1.2.3", "value": "MRN-4471-09"}],
        "telecom": [{"system": "phone", "value": "+81 3 5555 0101"},
                    {"system": "email", "value": "hanako@example.jp"}],
        "address": [{"line": ["1-2-3 Hongo"], "city": "Bunkyo"}],
        "text": {"status": "generated", "div": "<div>Hanako Tanaka, MRN-4471-09</div>"},
    }  # fmt: skip
    code, err, text = import_bundle(
        tmp_path,
        patient,
        {"resourceType": "Condition", "id": "c1", "onsetDateTime": "2020-01-01",
         "subject": {"reference": "Patient/p1", "display": "Ms H. Tanaka-Sato"},
         "code": {"text": "myelitis in Hanako (MRN-4471-09), seen at 1-2-3 Hongo"},
         "note": [{"text": "Tanaka called from +81 3 5555 0101"}]},
        medicine("MedicationStatement", 1, status="active", effectiveDateTime="2020-01-05",
                 dosage=[{"text": "1000 mg; mail hanako@example.jp; Ms H. Tanaka-Sato and "
                                  "TANAKA agreed; +81 3 5555 0101"}]),
    )  # fmt: skip
    assert code == 0, err
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    for private in ("Hanako", "Tanaka", "4471", "5555", "example.jp", "Hongo"):
        assert private.lower() not in body.lower(), private
    case = load_case(tmp_path / "out" / "patient-1.yaml")
    assert case.diagnoses == ("myelitis in [name] ([record number]), seen at [address]",)
    assert [t.dose for t in case.treatments] == [
        "1000 mg; mail [e-mail]; [name] and [name] agreed; [phone]"
    ]
    assert "the patient's names, numbers and addresses in text (given as [name], ...) (10)" in text
    assert "other names in them are not looked for." in text
