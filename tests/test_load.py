"""Loading files and folders: every broken file is refused with its exact messages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dashboard.load import inside, load_case, load_folder, load_paths, parse_case
from dashboard.problems import InvalidCase
from tests.conftest import CASE_FILES, INVALID_FILES, ROOT


def _expected(path: Path, shown: str) -> list[str]:
    prefix = "# expect: "
    # (read as bytes: some of these files are deliberately not UTF-8)
    lines = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff").splitlines()
    return [
        line[len(prefix) :].replace("{file}", shown) for line in lines if line.startswith(prefix)
    ]


def test_every_invalid_file_has_expectations() -> None:
    assert len(INVALID_FILES) >= 15
    for path in INVALID_FILES:
        assert _expected(path, "x"), f"{path.name} says no `# expect:` line"


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda path: path.stem)
def test_invalid_file_gives_its_exact_messages(path: Path) -> None:
    shown = os.path.relpath(path, ROOT)
    with pytest.raises(InvalidCase) as raised:
        load_case(shown if Path(shown).exists() else path)
    assert [str(error) for error in raised.value.errors] == _expected(path, shown)
    assert not Path("/tmp/clinical-course-owned").exists(), "a YAML tag ran a command"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda path: path.stem)
def test_shipped_cases_load(path: Path) -> None:
    case = load_case(path)
    assert case.title and case.treatments


def test_dates_stay_text_and_only_true_false_are_booleans() -> None:
    case = parse_case("title: t\nday0: {date: 2015-04-01, label: no}\npatient: {sex: no}\n")
    assert case.day0.label == "no" and case.patient is not None and case.patient.sex == "no"
    assert case.day0_date is not None and case.day0_date.isoformat() == "2015-04-01"


def test_report_caps_a_long_list() -> None:
    events = "".join(f"  - {{at: day {i}, kind: flare}}\n" for i in range(30))
    with pytest.raises(InvalidCase) as raised:
        parse_case(f"title: t\nevents:\n{events}", "many.yaml")
    report = raised.value.report().splitlines()
    assert len(raised.value.errors) == 30
    assert len(report) == 21 and report[-1] == "... and 10 more problems in many.yaml"


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("w") as file:
        file.write("title: t\nsummary: " + "x" * (3 * 1024 * 1024) + "\n")
    with pytest.raises(InvalidCase, match="may be at most 2 MB"):
        load_case(huge)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000, "not valid YAML"),
        ("title: t\x00", "NUL bytes"),
        ("a: &a [*a]\ntitle: t\n", "expands to more than"),
    ],
)
def test_hostile_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidCase, match=message):
        parse_case(text)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Café\n".encode("latin-1"))
    with pytest.raises(InvalidCase, match="is not UTF-8 text"):
        load_case(path)


def test_one_bad_file_never_stops_a_folder(tmp_path: Path) -> None:
    shutil.copy(CASE_FILES[0], tmp_path / "good.yaml")
    shutil.copy(INVALID_FILES[0], tmp_path / "bad.yaml")
    (tmp_path / "good.yml").write_text("title: same id as good.yaml\n")
    (tmp_path / ".hidden.yaml").write_text("not: read\n")
    (tmp_path / "notes.txt").write_text("not a case\n")
    catalog = load_folder(tmp_path)
    assert list(catalog.cases) == ["good"]
    assert sorted(Path(invalid.path).name for invalid in catalog.invalid) == [
        "bad.yaml",
        "good.yml",
    ]
    assert "already has the case id 'good'" in str(catalog.invalid[1])


def test_load_paths_takes_files_and_folders(tmp_path: Path) -> None:
    catalog = load_paths([CASE_FILES[0], ROOT / "timelines"])
    assert len(catalog.cases) == len(CASE_FILES)
    assert catalog.invalid == ()  # the same file named twice is one file, not a collision


def test_a_symlink_out_of_the_folder_is_never_read(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(CASE_FILES[0], folder / "good.yaml")
    (folder / "passwd.yaml").symlink_to("/etc/passwd")
    (folder / "inside.yaml").symlink_to(folder / "good.yaml")
    catalog = load_folder(folder)
    assert sorted(catalog.cases) == ["good", "inside"]
    [invalid] = catalog.invalid
    assert [str(error) for error in invalid.errors] == [
        f"{folder}/passwd.yaml:1:1: points outside the folder (a symlink); only files inside "
        "the folder are read"
    ]
    assert "root:x:0:0" not in invalid.report() and "/bin/" not in invalid.report()
    assert [error.rule for error in load_paths([folder / "passwd.yaml"]).errors] == [
        "outside_folder"
    ]


def test_inside_follows_symlinks(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "out").symlink_to(tmp_path)
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a" / "loop")
    assert inside(tmp_path / "a" / "x.yaml", tmp_path / "a")
    assert not inside(tmp_path / "a" / "out" / "b.yaml", tmp_path / "a")
    assert not inside(tmp_path / "a" / "../b.yaml", tmp_path / "a")
    assert not inside(tmp_path / "a" / "loop", tmp_path / "a")


def test_whatever_fails_inside_stays_the_files_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A failure no rule foresaw (here: the validator itself breaking) is still a file:line.
    def broken(data: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("dashboard.load.Case.model_validate", broken)
    path = tmp_path / "case.yaml"
    path.write_text("title: t\n")
    with pytest.raises(InvalidCase) as raised:
        load_case(path)
    assert [str(error) for error in raised.value.errors] == [
        f"{path}:1:1: could not be read (division by zero); check the file around this place"
    ]
    catalog = load_folder(tmp_path)
    assert not catalog.cases and len(catalog.invalid) == 1
