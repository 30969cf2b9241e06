"""cBioPortal timeline files: treatments, events and lab values of each patient, days kept."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.figure import build_figure
from dashboard.importers import guess_format
from dashboard.load import load_case

STUDY = Path(__file__).resolve().parent / "data" / "import" / "cbioportal"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


def test_timeline_files_are_recognised() -> None:
    assert {guess_format(path) for path in STUDY.iterdir()} == {"cbioportal"}


def test_every_row_is_mapped_or_reported(tmp_path: Path) -> None:
    code, err = run("import", str(STUDY), "-o", str(tmp_path))
    assert err.splitlines()[0] == (
        f"{STUDY / 'data_timeline_treatment.txt'}:8: START_DATE: expected days from diagnosis "
        "(a number), found 'twelve'"
    )
    assert code == 1  # one row reported; both patients written
    first = load_case(tmp_path / "patient-1.yaml")
    assert first.day0.label == "diagnosis"
    treatments = [(t.drug, t.kind, t.class_, t.timing) for t in first.treatments]
    assert treatments == [
        ("Temozolomide", "drug", "Alkylating agent", "continuous"),
        ("WPRT", "procedure", None, "continuous"),
        ("Bevacizumab", "drug", "VEGF antibody", "given"),
        ("Temozolomide", "drug", "Alkylating agent", "continuous"),
    ]
    assert first.treatments[0].lane == first.treatments[3].lane == "Temozolomide"
    assert [t.day for t in first.treatments[2].given or ()] == [401.0, 429.0]
    events = sorted((e.at.day, e.kind, e.label) for e in first.events)
    assert events == [
        (-3.0, "imaging", "MRI"),
        (0.0, "diagnosis", "Initial diagnosis"),
        (2.0, "procedure", "specimen brain"),
        (200.0, "lab", "IDH1 R132H"),
        (635.0, "imaging", "MRI"),
        (640.0, "relapse", "Recurrence"),
        (645.0, "procedure", "specimen brain"),
        (900.0, "death", "Deceased"),
    ]
    sources = {e.label: (e.source, e.detail) for e in first.events if e.kind != "imaging"}
    assert sources["Initial diagnosis"] == ("Pathology report", None)  # SOURCE: where from
    assert sources["Recurrence"] == ("MRI", None) and sources["Deceased"] == (None, None)
    (ca125,) = first.measurements
    assert [(p.time.day, p.value) for p in ca125.points] == [(0, 35), (90, 120.5), (200, 18)]
    text = (tmp_path / "patient-1.yaml").read_text(encoding="utf-8")
    assert "P04" not in text and "P05" not in text, "patient and sample identifiers stay out"
    assert "# Kept: 8 events, 3 measured values, 5 treatment entries." in text
    assert "# Left out: sample identifiers and other private values (2);" in text
    second = (tmp_path / "patient-2.yaml").read_text(encoding="utf-8")
    assert "TREATMENT rows with problems, reported (1)" in second
    build_figure(first)


def test_day0_moves_to_a_matching_event(tmp_path: Path) -> None:
    code, err = run("import", str(STUDY), "-o", str(tmp_path), "--day0", "condition:recurrence",
                    "--patient", "P04", "--skip", "LAB_TEST")  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["patient-1.yaml"]
    case = load_case(tmp_path / "patient-1.yaml")
    assert case.day0.label == "Recurrence"
    assert sorted(e.at.day for e in case.events)[-1] == 260.0  # death on day 900 - 640
    assert not case.measurements and all(e.kind != "lab" for e in case.events)
    assert "LAB_TEST (left out by --skip) (4)" in (tmp_path / "patient-1.yaml").read_text("utf-8")
    code, err = run("import", str(STUDY), "-o", str(tmp_path / "x"), "--patient", "P99")
    assert code == 1 and "no patient P99 in" in err


def test_files_follow_the_patients_ids_and_the_summary_says_which_is_which(
    tmp_path: Path,
) -> None:
    """Numbered by order of appearance, P-0003 became patient-2 and a new export with its rows
    in another order gave a subject another file; nothing said which file held whom."""
    source = tmp_path / "in" / "data_timeline.txt"
    source.parent.mkdir()
    rows = ["PATIENT_ID\tSTART_DATE\tSTOP_DATE\tEVENT_TYPE\tSTATUS"]
    rows += [f"P-000{n}\t{n}\t\tSTATUS\tRecurrence" for n in (3, 1, 2)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    for n in (1, 2, 3):
        assert f"patient-{n}.yaml (P-000{n}): kept 1 event" in err
        assert load_case(tmp_path / "out" / f"patient-{n}.yaml").events[0].at.day == n
        assert f"P-000{n}" not in (tmp_path / "out" / f"patient-{n}.yaml").read_text("utf-8")


def test_a_long_cell_is_read_and_rows_after_it_are_kept(tmp_path: Path) -> None:
    """A cell longer than the csv module's 128 KB limit made every row after it vanish; the
    cell is read (its text cut to a case's length and counted) and the rows after it kept."""
    source = tmp_path / "in" / "data_timeline_long.txt"
    source.parent.mkdir()
    rows = ["PATIENT_ID\tSTART_DATE\tSTOP_DATE\tEVENT_TYPE\tSTATUS\tCOMMENT"]
    rows += ["P1\t0\t\tSTATUS\tdiagnosis\t" + "long remark " * 20_000]
    rows += [f"P1\t{day}\t\tSTATUS\trecurrence\t" for day in (100, 200)]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    case = load_case(tmp_path / "out" / "patient-1.yaml")
    assert [(e.at.day, e.label) for e in case.events] == [
        (0.0, "diagnosis"),
        (100.0, "recurrence"),
        (200.0, "recurrence"),
    ]
    text = (tmp_path / "out" / "patient-1.yaml").read_text(encoding="utf-8")
    assert "texts longer than 4000 characters (abbreviations 40), cut (1)" in text


def test_contact_details_and_birth_dates_are_left_out_and_counted(tmp_path: Path) -> None:
    """Address, phone, e-mail and birth-date columns were copied into details (a birth date
    as 'dob: day 0'), and an e-mail in any other column too, under a header saying that no
    address or birth date is copied: each is left out and counted."""
    source = tmp_path / "in" / "data_timeline_reached.txt"
    source.parent.mkdir()
    rows = [
        "PATIENT_ID\tSTART_DATE\tSTOP_DATE\tEVENT_TYPE\tAGENT\tADDRESS\tPHONE\tEMAIL\tDOB\t"
        "DATE_OF_BIRTH\tCONTACT\tRESPONSE",
        "P1\t0\t10\tTREATMENT\trituximab\t12 Main St, Springfield\t+1 555 0100\t"
        "jane@example.org\t1970-01-02\t1970-01-02\twrite to j.doe+x@mail.example.com\tpartial",
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "patient-1.yaml").read_text(encoding="utf-8")
    body = "".join(line for line in text.splitlines() if not line.startswith("#")).lower()
    for private in ("main st", "555", "example", "1970", "dob", "birth", "contact"):
        assert private not in body, private
    assert "# Left out: sample identifiers and other private values (6);" in text
    (treatment,) = load_case(tmp_path / "out" / "patient-1.yaml").treatments
    assert treatment.note == "response: partial"
