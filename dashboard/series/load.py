"""Series files in, `SeriesFile`s resolved against their folder's cases (or `InvalidCase`) out."""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from dashboard.dates import DatePolicy
from dashboard.load import (
    SERIES_SUFFIXES,
    CaseFile,
    FolderCases,
    inside,
    is_series,
    load_folder,
    read_mapping,
    read_text,
    unexpected,
)
from dashboard.model import Case
from dashboard.problems import InvalidCase, pydantic_problems
from dashboard.series.align import anchor_candidates, anchor_day
from dashboard.series.model import MODELS, Align, Series


@dataclass(frozen=True)
class SeriesFile:
    """A valid series with its cases: the valid ones in order, and the ids of invalid ones."""

    id: str
    path: Path
    series: Series
    cases: tuple[CaseFile, ...]
    panels: tuple[CaseFile, ...]
    invalid: tuple[str, ...]  # ids of case files the series names that could not be read
    language: str = "en"  # of the program's words, which its cases are drawn in too

    @property
    def title(self) -> str:
        """The series' title."""
        return self.series.title


def series_id(path: Path) -> str:
    """'il6.series.yaml' -> 'il6'."""
    name = path.name
    for suffix in SERIES_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def series_paths(folder: Path) -> list[Path]:
    """The series files of a folder, in name order."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if is_series(path) and not path.name.startswith((".", "~", "#")) and path.is_file()
    )


def parse_series(text: str, shown: str) -> Series:
    """Validate a series given as YAML text; every problem at once."""
    data, duplicate_keys = read_mapping(text, shown, "a series needs at least `title:`")
    try:
        series = Series.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        raise InvalidCase(shown, pydantic_problems(shown, text, errors, MODELS)) from None
    if duplicate_keys and (duplicates := pydantic_problems(shown, text, [], MODELS)):
        raise InvalidCase(shown, duplicates)
    return series


def load_series(path: str | os.PathLike[str], catalog: FolderCases | None = None) -> SeriesFile:
    """Read a series file and resolve it against the cases of its folder (or `catalog`).

    A file that resolves outside its folder (a symlink pointing out) is refused unread;
    whatever goes wrong is the file's `InvalidCase`, nothing else.
    """
    path = Path(path)
    shown = str(path)
    if not inside(path, path.parent):
        raise InvalidCase.single(
            shown,
            "points outside the folder (a symlink); only files inside the folder are read",
            "outside_folder",
        )
    try:
        text = read_text(path)
        series = parse_series(text, shown)
        if catalog is None:
            catalog = load_folder(path.parent)
        return resolve(series_id(path), path, series, text, catalog)
    except InvalidCase:
        raise
    except Exception as error:  # the boundary: one file's failure stays that file's problem
        raise unexpected(shown, error) from None


def _problem(
    rule: str, loc: tuple[str | int, ...], message: str, given: Any = None
) -> ErrorDetails:
    return {"type": rule, "loc": loc, "msg": message, "input": given}


def _pick(
    key: str, written: tuple[str, ...], valid: dict[str, CaseFile], invalid: list[str]
) -> tuple[list[str], list[ErrorDetails]]:
    """The case ids `written` names (ids or glob patterns), in order, and what names nothing."""
    known = [*valid, *invalid]
    chosen: list[str] = []
    errors: list[ErrorDetails] = []
    for index, word in enumerate(written):
        if any(mark in word for mark in "*?["):
            found = sorted(name for name in known if fnmatch.fnmatchcase(name, word))
            if not found:
                errors.append(
                    _problem(
                        "series_case",
                        (key, index),
                        f"the pattern {word!r} matches no case file here",
                    )
                )
        elif word in known:
            found = [word]
        else:
            close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append(
                _problem(
                    "series_case", (key, index), f"no case {word!r} in this folder{hint}", word
                )
            )
            found = []
        chosen += [name for name in found if name not in chosen]
    return chosen, errors


def resolve(
    identifier: str, path: Path, series: Series, text: str, catalog: FolderCases
) -> SeriesFile:
    """The series with its cases looked up; `InvalidCase` for ids or matches that find none."""
    shown = str(path)
    invalid_ids = [Path(item.path).stem for item in catalog.invalid]
    errors: list[ErrorDetails] = []
    if series.cases is None:
        ids = sorted([*catalog.cases, *invalid_ids])
    else:
        ids, found = _pick("cases", series.cases, catalog.cases, invalid_ids)
        errors += found
    if series.panels is None:
        panel_ids = ids
    else:
        panel_ids, found = _pick("panels", series.panels, catalog.cases, invalid_ids)
        errors += found
    cases = tuple(catalog.cases[name] for name in ids if name in catalog.cases)
    align = series.align
    if align.by != "day0" and cases and all(anchor_day(c.case, align) is None for c in cases):
        errors.append(_no_anchor(align, {name: catalog.cases[name].case for name in ids
                                         if name in catalog.cases}))  # fmt: skip
    if not ids and not errors:
        errors.append(
            _problem("series_empty", ("cases",), "the series has no cases: the folder has none")
        )
    if errors:
        raise InvalidCase(shown, pydantic_problems(shown, text, errors, MODELS))
    panels = tuple(catalog.cases[name] for name in panel_ids if name in catalog.cases)
    invalid = tuple(name for name in [*ids, *panel_ids] if name not in catalog.cases)
    language = series.language or _common_language([*cases, *panels])
    cases, panels = _in_language(cases, language), _in_language(panels, language)
    unread = tuple(dict.fromkeys(invalid))
    return SeriesFile(identifier, path, series, cases, panels, unread, language)


def _no_anchor(align: Align, cases: dict[str, Case]) -> ErrorDetails:
    """Why no case has an anchor: nothing matches, or none has the occurrence asked for."""
    matching = f"matching {align.match.describe() if align.match else ''}"
    found = {name: len(anchor_candidates(case, align)) for name, case in cases.items()}
    most = max(found, key=lambda name: found[name])
    if isinstance(align.occurrence, int) and found[most]:
        return _problem(
            "series_occurrence",
            ("align", "occurrence"),
            f"{align.occurrence} is out of range: no case of the series has more than "
            f"{found[most]} {align.by}{'s' * (found[most] > 1)} {matching} ({most} has "
            f"{found[most]})",
        )
    what = f"{align.by} {matching}"
    article = "an" if what[0] in "aeiou" else "a"
    return _problem(
        "series_match", ("align", "match"), f"no case of the series has {article} {what}"
    )


def _common_language(cases: list[CaseFile]) -> str:
    """The language every case of a series is written in, else English."""
    languages = {item.case.language for item in cases}
    return languages.pop() if len(languages) == 1 else "en"


def _in_language(cases: tuple[CaseFile, ...], language: str) -> tuple[CaseFile, ...]:
    """The cases with the program's words in the series' language."""
    return tuple(
        item
        if item.case.language == language
        else dataclasses.replace(item, case=item.case.model_copy(update={"language": language}))
        for item in cases
    )


def load_series_folder(
    folder: str | os.PathLike[str], catalog: FolderCases | None = None
) -> tuple[dict[str, SeriesFile], tuple[InvalidCase, ...]]:
    """Every series file of a folder: the valid ones by id, and the files with problems."""
    folder = Path(folder)
    if catalog is None:
        catalog = load_folder(folder)
    return load_series_paths(series_paths(folder), catalog)


def load_series_paths(
    paths: Iterable[Path], catalog: FolderCases | None = None
) -> tuple[dict[str, SeriesFile], tuple[InvalidCase, ...]]:
    """The given series files, each resolved against its own folder (or `catalog`)."""
    found: dict[str, SeriesFile] = {}
    invalid: list[InvalidCase] = []
    catalogs: dict[Path, FolderCases] = {}
    for path in paths:
        if catalog is None and path.parent not in catalogs:
            catalogs[path.parent] = load_folder(path.parent)
        cases = catalog or catalogs[path.parent]
        try:
            loaded = load_series(path, cases)
        except InvalidCase as problem:
            invalid.append(problem)
            continue
        if loaded.id in found:
            other = found[loaded.id].path.name
            invalid.append(
                InvalidCase.single(
                    str(path),
                    f"another file, {other}, is the series {loaded.id!r}",
                    "series_same_id",
                )
            )
        else:
            found[loaded.id] = loaded
    return found, tuple(invalid)


def series_with_dates(series_file: SeriesFile, dates: DatePolicy | str) -> SeriesFile:
    """The series with every case's calendar dates shown as `dates` says."""
    policy = DatePolicy.of(dates)

    def shown(items: tuple[CaseFile, ...]) -> tuple[CaseFile, ...]:
        return tuple(dataclasses.replace(item, case=policy.apply(item.case)) for item in items)

    return dataclasses.replace(
        series_file, cases=shown(series_file.cases), panels=shown(series_file.panels)
    )
