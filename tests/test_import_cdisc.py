"""CDISC: SDTM domains of a pilot-study layout and the clinical-timelines table."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.figure import build_figure
from dashboard.importers import guess_format
from dashboard.load import load_case

DATA = Path(__file__).resolve().parent / "data" / "import"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stderr


def test_formats_are_recognised() -> None:
    assert {guess_format(p) for p in (DATA / "sdtm").iterdir()} == {"sdtm"}
    assert guess_format(DATA / "clinical-timelines.csv") == "adam"


def test_sdtm_domains_become_one_case_per_subject(tmp_path: Path) -> None:
    code, err = run("import", str(DATA / "sdtm"), "-o", str(tmp_path))
    assert err.splitlines()[0] == (
        f"{DATA / 'sdtm' / 'ex.csv'}:6: EXENDTC: '2012-13-01' is not a real date"
    )
    assert code == 1
    first = load_case(tmp_path / "patient-1.yaml")
    assert first.day0.label == "study day 1" and first.day0_date is None
    assert first.patient is not None and (first.patient.age, first.patient.sex) == ("63", "female")
    drugs = [
        (t.drug, t.dose, t.start.day if t.start else None, t.ongoing) for t in first.treatments
    ]
    assert drugs == [
        ("ACETYLSALICYLIC ACID", "81 mg QD", -13.0, True),  # CMENRF ONGOING
        ("PARACETAMOL", "500 mg PRN", 58.0, False),
        ("PLACEBO", "0 mg QD", 0.0, False),  # EXSTDTC on study day 1 is day 0
        ("PLACEBO", "0 mg QD", 15.0, False),
        ("PLACEBO", "0 mg QD", 168.0, False),
    ]
    assert {t.lane for t in first.treatments[2:]} == {"PLACEBO"}
    events = [(e.kind, e.label, e.at.day, e.end.day if e.end else None) for e in first.events]
    assert events == [
        ("adverse-event", "APPLICATION SITE ERYTHEMA", 1.0, None),
        ("adverse-event", "DIARRHOEA", 7.0, 9.0),
        ("diagnosis", "DEMENTIA ALZHEIMER'S TYPE", -580.0, None),  # MHSTDTC 2012-06, approx
    ]
    assert first.events[2].at.approx and first.diagnoses == ("HYPERTENSION",)
    (alt,) = first.measurements
    assert alt.abbr == "ALT"  # LBTESTCD labels the row
    assert (alt.name, alt.unit, [(p.time.day, p.value) for p in alt.points]) == (
        "Alanine Aminotransferase",
        "U/L",
        [(-7.0, 27.0), (14.0, 41.0)],
    )
    text = (tmp_path / "patient-1.yaml").read_text(encoding="utf-8")
    for private in ("01-701-1015", "1015", "701", "2014-", "HISPANIC", "USA"):
        assert private not in text, private
    assert (
        "# Left out: CM records dated only to a year (1), LB results without a number (2), "
        "identifying demographic fields (SUBJID, SITEID, COUNTRY, RACE, ETHNIC) (5);"
    ) in text
    second = load_case(tmp_path / "patient-2.yaml")
    assert second.patient is not None and second.patient.age == "90 or older"
    assert [e.label for e in second.events] == [
        "ERYTHEMA",
        "ATRIOVENTRICULAR BLOCK SECOND DEGREE",
    ]  # the FALL without a start is counted, not drawn
    assert "AE records without a start (1)" in (tmp_path / "patient-2.yaml").read_text("utf-8")
    build_figure(first)


def test_sdtm_keeps_dates_when_asked(tmp_path: Path) -> None:
    run("import", str(DATA / "sdtm"), "-o", str(tmp_path), "--keep-dates", "--only", "EX")
    case = load_case(tmp_path / "patient-1.yaml")
    assert case.day0_date is not None and case.day0_date.isoformat() == "2014-01-02"
    assert [t.drug for t in case.treatments] == ["PLACEBO"] * 3
    assert not case.events and not case.measurements


def test_clinical_timelines_table(tmp_path: Path) -> None:
    code, err = run("import", str(DATA / "clinical-timelines.csv"), "-o", str(tmp_path))
    assert err.splitlines()[0] == (
        f"{DATA / 'clinical-timelines.csv'}:8: STDT: '2015-11-31' is not a real date"
    )
    assert code == 1
    case = load_case(tmp_path / "patient-1.yaml")
    (medication,) = case.treatments
    assert (medication.drug, medication.start.day, medication.ongoing) == (  # type: ignore[union-attr]
        "Concomitant Medications",
        56.0,
        True,
    )
    assert medication.note == "Ibuprofen 400 mg"
    assert [(e.kind, e.label, e.at.day) for e in case.events] == [
        ("adverse-event", "Adverse Events", 56.0),
        ("note", "Enrollment", 0.0),
        ("note", "Randomization", 57.0),
        ("note", "Study Completion", 354.0),
    ]
    second = load_case(tmp_path / "patient-2.yaml")
    assert [(e.label, e.at.day) for e in second.events] == [
        ("Adverse Events", 33.0),
        ("Enrollment", 0.0),  # STDY 1 alone: day 0
    ]


def _xpt(csv: Path, target: Path, numbers: tuple[str, ...] = ()) -> None:
    """The table written as SAS transport (version 5, as SDTM is submitted): text columns
    stay text (a blank is spaces), the columns named are numbers (a blank is missing)."""
    import pandas as pd
    import pyreadstat

    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    for column in numbers:
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="raise")
    domain = csv.stem.upper()
    pyreadstat.write_xport(frame, str(target), table_name=domain, file_format_version=5)


def test_sdtm_transport_files_read_as_their_csv_twins(tmp_path: Path) -> None:
    """DM, EX and AE as .xpt: numbers come back as numbers, blanks as blanks, and the cases
    are those of the same tables as .csv (only the files named in the header differ)."""
    numeric = {
        "dm": ("AGE", "DMDY"),
        "ex": ("EXSEQ", "EXDOSE", "EXSTDY", "EXENDY", "VISITNUM"),
        "ae": ("AESEQ", "AESTDY", "AEENDY"),
    }
    xpt, csv = tmp_path / "xpt", tmp_path / "csv"
    xpt.mkdir()
    csv.mkdir()
    for name, numbers in numeric.items():
        _xpt(DATA / "sdtm" / f"{name}.csv", xpt / f"{name}.xpt", numbers)
        (csv / f"{name}.csv").write_bytes((DATA / "sdtm" / f"{name}.csv").read_bytes())
    assert {guess_format(p) for p in xpt.iterdir()} == {"sdtm"}
    code, err = run("import", str(xpt), "-o", str(tmp_path / "from-xpt"))
    assert code == 1
    assert err.splitlines()[0] == f"{xpt / 'ex.xpt'}:5: EXENDTC: '2012-13-01' is not a real date"
    run("import", str(csv), "-o", str(tmp_path / "from-csv"))
    for name in ("patient-1.yaml", "patient-2.yaml"):
        from_xpt = (tmp_path / "from-xpt" / name).read_text(encoding="utf-8")
        from_csv = (tmp_path / "from-csv" / name).read_text(encoding="utf-8")
        assert from_xpt.replace(".xpt", ".csv") == from_csv
    case = load_case(tmp_path / "from-xpt" / "patient-1.yaml")
    assert case.patient is not None and case.patient.age == "63"  # 63.0 in the file
    assert [t.dose for t in case.treatments] == ["0 mg QD"] * 3  # EXDOSE 0.0
    assert case.events[0].end is None  # AEENDTC blank, AEENDY missing


def test_sas_dates_in_transport_files_are_dates(tmp_path: Path) -> None:
    """ADaM keeps dates as SAS numbers (days or seconds from 1960) with a date format:
    they are read as the dates they stand for, and a missing one as no date."""
    import datetime as dt

    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(
        {
            "USUBJID": ["01-001", "01-001", "01-001"],
            "RFSTDTC": ["2015-05-21", "2015-05-21", "2015-05-21"],
            "DOMAIN": ["Adverse Events", "Concomitant Medications", "Enrollment"],
            "STDT": [dt.date(2015, 7, 16), dt.date(2015, 5, 20), None],
            "ENDT": [dt.datetime(2015, 8, 14, 23, 30), None, None],
            "STDY": [57.0, None, 1.0],
            "ONGO": ["N", "Y", ""],
        }
    )
    source = tmp_path / "in" / "adtimelines.xpt"
    source.parent.mkdir()
    pyreadstat.write_xport(frame, str(source), table_name="ADTL", file_format_version=5)
    assert guess_format(source) == "adam"  # by its columns: STDT, ENDT, STDY
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    case = load_case(tmp_path / "out" / "patient-1.yaml")
    (medication,) = case.treatments
    assert medication.start is not None and medication.start.day == -1.0 and medication.ongoing
    assert [(e.label, e.at.day, e.end.day if e.end else None) for e in case.events] == [
        ("Adverse Events", 56.0, 85.0),
        ("Enrollment", 0.0, None),  # STDT missing: STDY 1
    ]


def test_a_timeline_table_s_codes_dates_in_text_and_backward_rows(tmp_path: Path) -> None:
    """DOMAIN codes AE and CM read as adverse events and treatments; a row ending before it
    starts neither chooses day 0 nor takes its patient down; dates written in a tooltip are
    given as days, as the file's own times are."""
    source = tmp_path / "in" / "tl.csv"
    source.parent.mkdir()
    source.write_text(
        "USUBJID,DOMAIN,STDT,ENDT,TERM,TOOLTIP,ONGO\n"
        'S1,AE,2015-02-10,2015-02-25,Pneumonia,"hospitalised 2015-02-21, home 28.02.2015",N\n'
        "S1,CM,2015-01-10,,Drug A,,Y\n"
        "S1,CM,2015-03-01,2014-12-01,Drug B,,N\n",
        encoding="utf-8",
    )
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "patient-1.yaml").read_text(encoding="utf-8")
    assert "2015" not in text and "28.02" not in text
    case = load_case(tmp_path / "out" / "patient-1.yaml")
    assert case.day0.label == "Day 0"  # (no study day here: day 0 is the first date)
    (drug,) = case.treatments
    assert drug.drug == "Drug A" and drug.start is not None and drug.start.day == 0 and drug.ongoing
    (event,) = case.events
    assert event.kind == "adverse-event" and event.detail == "hospitalised day 42, home [date]"
    assert "CM ending before it starts (1)" in text


def test_an_end_known_to_the_month_of_its_start_ends_with_that_month(tmp_path: Path) -> None:
    """EXSTDTC 2014-03-05 and EXENDTC 2014-03: placed on 1 March the end came before the start,
    and the model refused the subject's whole case."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "dm.csv").write_text(
        "STUDYID,DOMAIN,USUBJID,RFSTDTC,AGE,AGEU,SEX\nS,DM,S-1,2014-03-05,40,YEARS,F\n"
    )
    (folder / "ex.csv").write_text(
        "STUDYID,DOMAIN,USUBJID,EXTRT,EXDOSE,EXDOSU,EXSTDTC,EXENDTC\n"
        "S,EX,S-1,DRUG X,10,mg,2014-03-05T09:15,2014-03\n"
    )
    code, err = run("import", str(folder), "-o", str(tmp_path / "out"))
    assert code == 0, err
    (drug,) = load_case(tmp_path / "out" / "patient-1.yaml").treatments
    assert drug.start is not None and drug.end is not None
    assert (drug.start.day, drug.end.day, drug.end.approx) == (0.0, 26.0, True)  # ~31 March


def test_subjects_with_nothing_to_draw_are_said_and_do_not_fail_the_import(
    tmp_path: Path,
) -> None:
    """The CDISC pilot's 52 screen failures have a DM row and nothing else: they are left out
    by rule, said in the summary, and the import exits 0 when everything else was read;
    only a record that could not be read makes it exit 1."""
    source = tmp_path / "sdtm"
    source.mkdir()
    for name in ("dm.csv", "cm.csv", "lb.csv", "mh.csv", "ae.csv"):
        (source / name).write_bytes((DATA / "sdtm" / name).read_bytes())
    with open(source / "dm.csv", "a", encoding="utf-8") as dm:
        dm.write("CDISCPILOT01,DM,01-701-9999,9999,,,701,70,YEARS,F,WHITE,,Scrnfail,Screen "
                 "Failure,USA,2013-12-26,\n")  # fmt: skip
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    lines = err.splitlines()
    said = lines.index(
        "1 of the cases, patients or subjects read had nothing to draw (no treatment, event, "
        "value or period: a screen failure, say) and were not written:"
    )
    assert (
        lines[said + 1].startswith("  patient-")
        and "(01-701-9999): nothing to draw" in (lines[said + 1])
    )
    (source / "ex.csv").write_bytes((DATA / "sdtm" / "ex.csv").read_bytes())  # a bad date
    code, err = run("import", str(source), "-o", str(tmp_path / "again"))
    assert code == 1 and "EXENDTC: '2012-13-01' is not a real date" in err


def test_a_study_day_that_cannot_be_placed_costs_only_its_row(tmp_path: Path) -> None:
    """An infinite, NaN or huge study day aborted the whole import ('unexpected problem: 0');
    each now leaves out its own row, counted in the file's header."""
    source = tmp_path / "in" / "adtl.csv"
    source.parent.mkdir()
    source.write_text("USUBJID,DOMAIN,TERM,STDY,ENDY\nS1,AE,headache,1,3\nS1,AE,rash,inf,\n"
                      "S1,AE,fever,1e300,\nS1,AE,chills,nan,\nS1,AE,cough,5,\n")  # fmt: skip
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    text = (tmp_path / "out" / "patient-1.yaml").read_text(encoding="utf-8")
    assert "# Left out: AE with a time that cannot be placed (3);" in text
    case = load_case(tmp_path / "out" / "patient-1.yaml")
    assert [e.label for e in case.events] == ["headache", "cough"]


def test_a_transport_file_cut_short_is_refused_naming_it(tmp_path: Path) -> None:
    """An .xpt cut short in copying imported the records before the cut, with exit 0 and only
    a library's warning; it is refused, naming the file, and the whole files are still read."""
    folder = tmp_path / "xpt"
    folder.mkdir()
    _xpt(DATA / "sdtm" / "dm.csv", folder / "dm.xpt", ("AGE", "DMDY"))
    _xpt(DATA / "sdtm" / "ae.csv", tmp_path / "ae.xpt", ("AESEQ", "AESTDY", "AEENDY"))
    whole = (tmp_path / "ae.xpt").read_bytes()
    (folder / "ae.xpt").write_bytes(whole[:-100])
    (folder / "ex.xpt").write_bytes(whole[:1000])  # (cut inside its header)
    code, err = run("import", str(folder), "-o", str(tmp_path / "out"))
    assert code == 1
    assert err.splitlines()[:2] == [
        f"{folder / 'ae.xpt'}: cannot be read as an SDTM domain (.xpt, .csv): the file ends "
        f"part-way through a record ({len(whole) - 100:,} bytes, where a SAS transport file "
        "is whole records of 80): cut short in copying? Export it again",
        f"{folder / 'ex.xpt'}: cannot be read as an SDTM domain (.xpt, .csv): Observation "
        "header not found: the file is cut short, or is no SAS transport file; export it again",
    ]
    assert "Warning" not in err
