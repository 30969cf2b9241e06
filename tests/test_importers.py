"""Import as a whole: odd and hostile sources are refused with a clear message, never a trace."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.cli import cli
from dashboard.importers.build import Options, build, check_time
from dashboard.importers.rows import KINDS, Row, SourcePatient
from dashboard.importers.spreadsheet import EXAMPLE
from dashboard.importers.writer import relative
from dashboard.load import load_case, parse_case
from dashboard.problems import InvalidCase


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


def test_the_template_example_is_a_valid_case(tmp_path: Path) -> None:
    source = tmp_path / "in" / "example.csv"
    source.parent.mkdir()
    pd.DataFrame([{"case": "example"} | row for row in EXAMPLE]).to_csv(source, index=False)
    code, err = run("import", str(source), "-o", str(tmp_path / "out"), "--keep-dates")
    assert code == 0, err
    case = load_case(tmp_path / "out" / "example.yaml")
    assert [t.timing for t in case.treatments] == [
        "given",
        "doses",
        "continuous",
        "continuous",
        "continuous",
    ]
    assert case.treatments[-1].ongoing and case.treatments[-1].every == 28.0
    assert case.day0_date is not None and case.periods


def test_hostile_sources(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    files = {
        "list.json": "[1, 2, 3]",
        "broken.json": '{"resourceType": "Bundle", "entry": [',
        "entries.json": '{"resourceType": "Bundle", "entry": {"not": "a list"}}',
        "odd.ndjson": '"a string"\n{"resourceType": "Observation", "subject": 3}\n'
        '{"resourceType": "Condition", "subject": {"reference": "Patient/1"}, '
        '"onsetDateTime": {"a": 1}, "code": [1]}\n',
        "notes.txt": "just some text\nwith lines\n",
        "empty.csv": "",
        "header.csv": "case,kind,name\n",
        "nul.csv": "case,kind\x00,name\nx,title,y\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "image.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    for name in sorted([*files, "image.xlsx"]):
        code, err = run("import", str(folder / name), "-o", str(tmp_path / "out" / name))
        assert code == 1, (name, err)
        assert err.strip(), name
        assert not list((tmp_path / "out").rglob("*.yaml")), name
    _, err = run("import", str(folder / "notes.txt"), "-o", str(tmp_path / "o2"))
    assert "notes.txt: cannot tell what this file is" in err


def test_no_files_and_conflicting_date_flags(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, err = run("import", str(tmp_path / "empty"), "-o", str(tmp_path / "out"))
    assert code == 1 and "no files to import in" in err
    code, err = run("import", str(tmp_path / "empty"), "-o", str(tmp_path / "o"),
                    "--keep-dates", "--coarse-dates")  # fmt: skip
    assert code == 2 and "choose one of --keep-dates, --shift-dates and --coarse-dates" in err


def test_reading_pauses_the_cycle_search_and_always_resumes_it(tmp_path: Path) -> None:
    import gc

    import pytest

    from dashboard.importers.fhir import read_fhir
    from dashboard.importers.rows import no_cycle_search

    seen: list[bool] = []
    with pytest.raises(RuntimeError), no_cycle_search():
        seen.append(gc.isenabled())
        raise RuntimeError("a reader failing halfway")
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        with no_cycle_search():
            pass
        assert not gc.isenabled()  # paused by someone else: left paused
    finally:
        gc.enable()
    source = tmp_path / "Patient.ndjson"
    source.write_text('{"resourceType": "Patient", "id": "p1", "gender": "female"}\n')
    assert list(read_fhir([source], [])) == ["p1"]
    assert gc.isenabled()


def test_case_files_are_written_as_the_yaml_representer_writes_them() -> None:
    """The writer lays the YAML out itself (faster); the text must be the representer's."""
    import yaml

    from dashboard.importers.build import Draft
    from dashboard.importers.writer import _Dumper, case_yaml

    data = {
        "title": "Ünïcode: 'quoted' \"too\" # not a comment",
        "summary": "a plain text long enough to be folded " * 8 + "twice  at  double spaces",
        "patient": {"age": 32, "sex": "female", "flag": True, "none": None},
        "looks_like": ["yes", "no", "1.0", "~", "null", "2015-04-01", "@x", "- a", "", "a, b"],
        "numbers": [0.0, -0.0, 1e17, 1.5e-9, 12345678901234567890, float("inf"), -3],
        "nested": [{"at": "~day 3", "dose": 60}, {"at": 7.25, "values": [["day 1", 5]]}],
        "deeper": [[{"a": "b" * 70, "c": [{"d": None}]}], {"e": {"f": "x " * 60 + "y"}}],
        "empty": {"list": [], "map": {}},
    }
    draft = Draft("edge", data)
    header, _, _ = case_yaml(draft, "here").partition("title:")
    expected = header + yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    assert case_yaml(draft, "here") == expected
    nan = case_yaml(Draft("nan", {"value": float("nan")}), "here")
    assert nan.endswith("{value: .nan}\n")


def test_text_that_needs_quotes_stays_on_one_line_and_reads_back_the_same() -> None:
    """Where the representer would fold quoted text over lines, the writer keeps one line."""
    import yaml

    from dashboard.importers.build import Draft
    from dashboard.importers.writer import case_yaml

    data = {
        "summary": "line one\nline two " + "long " * 40,
        "detail": [{"note": "quoted: " + "word " * 40, "tab": "a\tb", "nel": "a\x85b\u2028"}],
    }
    text = case_yaml(Draft("quoted", data), "here")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == data
    body = text.partition("summary:")[2].splitlines()
    assert len(body) == 5  # one line for each text (summary, detail:, note, tab, nel)
    assert body[3].startswith("  tab: ") and body[4].startswith("  nel: ")


def test_imported_files_are_the_representer_s_text(tmp_path: Path) -> None:
    import yaml

    from dashboard.importers import import_sources
    from dashboard.importers.writer import _Dumper

    source = tmp_path / "in" / "example.csv"
    source.parent.mkdir()
    pd.DataFrame([{"case": "example"} | row for row in EXAMPLE]).to_csv(source, index=False)
    result = import_sources([source], tmp_path / "out")
    [(path, draft)] = result.written.files
    body = yaml.dump(draft.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    assert path.read_text(encoding="utf-8").endswith(body)
    assert "treatments:" in body


def test_a_case_the_model_refuses_is_reported_on_its_line_and_not_written(tmp_path: Path) -> None:
    """Cases are checked in memory; one that fails is read back from its text to place it,
    and said not to be written."""
    source = tmp_path / "in" / "cases.csv"
    source.parent.mkdir()
    source.write_text(
        "case,kind,name,start,value,unit\n"
        "good,drug,prednisolone,day 1,60,mg/day\n"
        "bad,drug,prednisolone,day 0,-5,mg/day\n"
        "bad,relapse,myelitis,day 3,,\n"
    )
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 1
    bad = tmp_path / "out" / "bad.yaml"
    assert f"{bad}:11:23: treatments[0].doses[0].dose: expected a number of at least 0" in err
    assert f"{relative(bad)}: not written: the case above breaks the case format" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.yaml"]
    assert load_case(tmp_path / "out" / "good.yaml").treatments[0].drug == "prednisolone"


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=150)
    # text long enough to fold: words, double spaces and the odd character that needs quotes
    | st.lists(st.sampled_from(["word", "IL-6", "", "30 mg/day", "Müller"]), min_size=20).map(
        " ".join
    )
    | st.lists(st.sampled_from(["word", "", "a:", "#1", "b,"]), max_size=40).map(" ".join)
)
# keys as a case has them (any other key hands the whole case to the representer)
_KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
_PLAIN_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300)  # (each example is quick)
@given(st.dictionaries(_KEYS, _PLAIN_DATA, min_size=1, max_size=6))
def test_any_plain_data_reads_back_from_the_written_text_as_it_was(data: dict[str, object]) -> None:
    import yaml

    from dashboard.importers.build import Draft
    from dashboard.importers.writer import case_yaml

    assert yaml.load(case_yaml(Draft("any", data), "here"), Loader=yaml.CSafeLoader) == data


def test_case_names_in_any_script_keep_their_letters_in_the_file_name(tmp_path: Path) -> None:
    """'病例一' and '病例二' were both written as case.yaml and case-2.yaml, names lost."""
    source = tmp_path / "in" / "t.csv"
    source.parent.mkdir()
    names = ["Müller case 1", "病例一", "病例二", "CON", "a/b.case.v2"]
    rows = [f"{name},relapse,myelitis,day {day}" for day, name in enumerate(names)]
    source.write_text("case,kind,name,start\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, err = run("import", str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    files = [
        "müller-case-1.yaml",
        "病例一.yaml",
        "病例二.yaml",
        "con-case.yaml",
        "a-b-case-v2.yaml",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(files)
    for name, file in zip(names, files, strict=True):
        assert load_case(tmp_path / "out" / file).title == name


def test_long_runs_of_spaces_are_read_like_any_other_text(tmp_path: Path) -> None:
    """A 30 KB run of spaces in a cell of a semicolon CSV or in a FHIR name is read as text:
    the bad number is reported on its line and the other files are written. (Three patterns
    once took time growing with the square of such a text: 52 s, 16 s; how the time grows
    is measured by benchmarks/bench_import.py, not here.)"""
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    spaces = " " * 30_000
    (folder / "semi.csv").write_text(
        f"case;kind;name;start;value\nx;measurement;CRP;day 1;{spaces}1,5x\n"
        "x;measurement;CRP;day 2;1,5\n",
        encoding="utf-8",
    )
    named = {"text": f"tocilizumab{spaces}x"}
    coded = {"text": f"neuromyelitis optica{spaces}x"}
    bundle = {"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "MedicationStatement", "status": "active",
                      "medicationCodeableConcept": named, "subject": {"reference": "Patient/1"},
                      "effectiveDateTime": "2015-04-01"}},
        {"resource": {"resourceType": "Condition", "code": coded,
                      "subject": {"reference": "Patient/1"}, "onsetDateTime": "2015-04-01"}},
    ]}  # fmt: skip
    (folder / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
    code, err = run("import", str(folder), "-o", str(tmp_path / "out"))
    assert code == 1 and f"{folder / 'semi.csv'}:2: value: expected a number" in err
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "patient-1.yaml",
        "x.yaml",
    ]


def test_every_kind_of_row_a_table_names_lands_in_the_case() -> None:
    """Each kind of row an import accepts (KINDS) has its place in the case it builds: the
    case's own keys, its patient, diagnoses, treatments, events, measurements, periods or
    teaching steps. None is passed over in silence (a day0 row is read as day 0 itself)."""
    case_keys = ("title", "summary", "citation", "age", "sex", "diagnosis")
    rows = [
        Row(
            kind,
            name=f"mark-{kind}",
            start=None if kind in case_keys else f"day {number}",
            value=1 if kind == "measurement" else None,
        )
        for number, kind in enumerate(KINDS)
    ]
    draft = build(SourcePatient("p", rows=rows), Options(), "p", "Imported", "a table")
    written = json.dumps(draft.data)
    placed = [kind for kind in KINDS if f'"mark-{kind}"' in written]
    assert draft.data["follow_up"] == f"day {KINDS.index('follow-up')}"
    assert set(KINDS) - set(placed) == {"day0", "follow-up"}
    assert not draft.dropped
    kinds = {event["kind"] for event in draft.data["events"]}
    assert "procedure" in kinds  # a procedure-event row is an event, a procedure row a treatment
    assert {item["drug"] for item in draft.data["treatments"]} >= {"mark-drug", "mark-procedure"}


@pytest.mark.parametrize(
    "text",
    [
        "2015-04-01",
        "~2015-4",
        "2015-4-1",
        "2015-04",
        "~ 2015-04-07",
        "day 14",
        "~week -2",
        "month 1.5",
        "years 2",
        "3",
        "-2.5",
        "2015-13-01",
        "2015-02-30",
        "~~2015-04",
        "14.03.2021",
        "2015/04/01",
        "day",
        "soon",
    ],
)
def test_an_import_reads_a_time_as_a_case_file_does(text: str) -> None:
    """An import accepts exactly the times a case file accepts (one grammar, the model's),
    and refuses the others with the same message."""
    case = f"title: t\nday0: {{date: 2015-01-01}}\nevents: [{{at: '{text}', kind: note}}]\n"
    try:
        parse_case(case)
    except InvalidCase as invalid:
        [error] = invalid.errors
        assert check_time(text) == error.message
    else:
        assert check_time(text) is None
