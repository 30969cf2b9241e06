"""Series files: validated like cases, resolved against their folder, never read as a case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.load import load_folder, load_paths
from dashboard.problems import InvalidCase
from dashboard.series.load import load_series, load_series_folder, series_id

DATA = Path(__file__).parent / "data"
SERIES = DATA / "series"
BAD = DATA / "series-invalid"

EXPECTED = {
    "bad-keys.series.yaml": [
        "2:1: algin: unknown key 'algin'; did you mean 'align'?",
        "3:7: sort: 'anchr' is not one of the allowed words; did you mean 'anchor'?",
        "4:9: window: expected a window around the anchor, from a time before it to one after "
        "it (such as [year -3, year 3]); found day 365.2 to day -365.2",
        "6:17: outcomes.merge_within: expected an interval such as '30 days' or '4 weeks' "
        "(or 0), found 'a month or so'",
        "9:17: align.match.drug: aligning by event, match takes kind and label, not drug",
    ],
    "no-match.series.yaml": [
        "4:10: align.match: no case of the series has a treatment matching JAK inhibitor",
    ],
    # (a huge occurrence was reported as no case having a relapse at all)
    "occurrence-out-of-range.series.yaml": [
        "5:15: align.occurrence: 99999999999999999999 is out of range: no case of the series "
        "has more than 7 events matching relapse (alpha has 7)",
    ],
    # (10 000 patterns in a 70 KB file made every load of the index take half a minute)
    "too-many-cases.series.yaml": [
        "3:8: cases: names 1,001 cases or patterns, more than the 1,000 a series takes; name "
        "them with fewer patterns ('nmosd-*')",
    ],
    "pattern-too-long.series.yaml": [
        "4:5: cases[1]: a case id or pattern of 202 characters, more than the 200 a series takes",
    ],
    "not-an-event-kind.series.yaml": [
        "3:10: outcomes.count: 'relaps' is not an event kind; did you mean 'relapse'?",
    ],
    "unknown-case.series.yaml": [
        "4:5: cases[1]: no case 'alpah' in this folder; did you mean 'alpha'?",
        "5:5: cases[2]: the pattern 'zeta-*' matches no case file here",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_series_gives_every_problem_with_its_line(name: str) -> None:
    with pytest.raises(InvalidCase) as raised:
        load_series(BAD / name)
    assert [str(error) for error in raised.value.errors] == [
        f"{BAD / name}:{message}" for message in EXPECTED[name]
    ]


def test_every_invalid_series_has_expectations() -> None:
    assert sorted(path.name for path in BAD.glob("*.series.yaml")) == sorted(EXPECTED)


def test_a_series_is_never_read_as_a_case() -> None:
    catalog = load_folder(SERIES)
    assert sorted(catalog.cases) == ["alpha", "beta", "delta", "gamma"]
    assert [Path(item.path).name for item in catalog.invalid] == ["broken.yaml"]
    assert load_paths([SERIES / "il6.series.yaml"]).cases == {}


def test_series_resolves_ids_and_globs_and_names_invalid_cases() -> None:
    loaded = load_series(SERIES / "il6.series.yaml")
    assert loaded.id == "il6" and series_id(SERIES / "x.series.yml") == "x"
    assert [item.id for item in loaded.cases] == ["alpha", "beta", "gamma", "delta"]
    assert [item.id for item in loaded.panels] == ["alpha", "beta"]
    assert loaded.invalid == ("broken",)
    globbed = load_series(SERIES / "second-attack.series.yaml")
    assert [item.id for item in globbed.cases] == ["alpha", "beta", "delta", "gamma"]
    assert globbed.series.align.label() == "Second relapse"
    assert loaded.series.align.label() == "Start of IL-6 receptor antibody"


def test_a_folder_of_series() -> None:
    found, invalid = load_series_folder(SERIES)
    assert sorted(found) == ["il6", "second-attack", "window"]
    assert invalid == ()
    found, invalid = load_series_folder(BAD)
    assert found == {} and len(invalid) == 7


def test_follow_up_sets_the_end_of_a_case(tmp_path: Path) -> None:
    from dashboard.load import load_case
    from dashboard.series.align import follow_up

    alpha = load_case(SERIES / "alpha.yaml")
    assert alpha.follow_up is not None and alpha.follow_up.day == 1000
    assert follow_up(alpha) == (0, 1000)
    delta = load_case(SERIES / "delta.yaml")
    assert follow_up(delta) == (0, 365.25)
    beta = load_case(SERIES / "beta.yaml")
    assert follow_up(beta) == (-200, 300)


def test_validate_lists_series_with_cases(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(BAD)])
    assert result.exit_code == 1
    assert (
        result.stdout.splitlines()[0]
        == f"{BAD}/bad-keys.series.yaml:{EXPECTED['bad-keys.series.yaml'][0]}"
    )
    assert result.stderr == "7 of 8 files have problems (12 problems); 1 valid.\n"
    for name in ("alpha.yaml", "beta.yaml", "il6.series.yaml"):
        shutil.copy(SERIES / name, tmp_path / name)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "il6.series.yaml")])
    assert result.exit_code == 1
    assert "cases[2]: no case 'gamma' in this folder" in result.stdout


def test_outcomes_command_writes_csv_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["outcomes", str(SERIES / "il6.series.yaml")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["case", "anchor_day", "before_years"]
    assert [line.split()[0] for line in lines[1:]] == ["alpha", "beta", "gamma", "delta", "all"]
    assert "left out, as their files have problems: broken" in result.stderr
    out = tmp_path / "outcomes.csv"
    assert (
        runner.invoke(cli, ["outcomes", str(SERIES / "il6.series.yaml"), "-o", str(out)]).exit_code
        == 0
    )
    assert out.read_text().splitlines()[-1].startswith("all,,1.834,5,2.726,0.8850,6.361,")
    result = runner.invoke(
        cli, ["outcomes", str(SERIES / "il6.series.yaml"), "-o", str(tmp_path / "x.txt")]
    )
    assert result.exit_code == 1 and "use .csv or .json" in result.stderr
    result = runner.invoke(cli, ["outcomes", str(BAD / "no-match.series.yaml")])
    assert result.exit_code == 1 and "align.match: no case of the series" in result.stderr


def test_a_series_symlinked_out_of_the_folder_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("title: the content of a file outside the folder\n", encoding="utf-8")
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "case.yaml").write_text("title: A case\n", encoding="utf-8")
    (folder / "out.series.yaml").symlink_to(secret)
    found, invalid = load_series_folder(folder)
    assert found == {}
    assert [str(problem) for problem in invalid[0].errors] == [
        f"{folder / 'out.series.yaml'}:1:1: points outside the folder (a symlink); "
        "only files inside the folder are read"
    ]
    assert "content of a file outside" not in invalid[0].report()
