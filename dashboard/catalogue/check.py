"""Checking files and folders as `validate` does, each folder through its cached catalogue:
an unchanged file's problems (or its being valid) come from the cache, not from parsing it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dashboard.catalogue import Catalogue, read_case
from dashboard.load import case_paths, is_series
from dashboard.problems import CaseError, InvalidCase

_UNKNOWN = object()  # a file whose state the catalogue does not give: read it


@dataclass(frozen=True)
class Checked:
    """What the checked paths hold: the valid case files and the files with problems."""

    valid: tuple[Path, ...] = ()
    invalid: tuple[InvalidCase, ...] = ()

    @property
    def errors(self) -> list[CaseError]:
        """Every problem of every invalid file."""
        return [error for invalid in self.invalid for error in invalid.errors]


def check_paths(
    paths: Iterable[str | os.PathLike[str]], progress: Callable[[int], None] | None = None
) -> Checked:
    """Files and folders checked like `load_paths`, folders through their catalogue; files
    named one by one are parsed. `progress` is told of each file checked."""
    results: list[tuple[Path, InvalidCase | None]] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            pairs = _folder(path, progress)
        else:
            pairs = [] if is_series(path) else [(path, _UNKNOWN)]
        for file, known in pairs:
            key = Path(os.path.abspath(file))
            if key in seen:
                continue
            seen.add(key)
            if known is _UNKNOWN:
                result = read_case(file, file.parent)
                known = result if isinstance(result, InvalidCase) else None
                if progress is not None and not path.is_dir():
                    progress(1)
            results.append((file, known if isinstance(known, InvalidCase) else None))
    return _by_id(results)


def _folder(
    folder: Path, progress: Callable[[int], None] | None
) -> list[tuple[Path, InvalidCase | object | None]]:
    """Each case file of a folder: its problems, None when valid, _UNKNOWN when the
    catalogue missed it (it changed while being listed) and it must be read here."""
    files = case_paths(folder)
    parsed = 0

    def advance(count: int) -> None:
        nonlocal parsed
        parsed += count
        if progress is not None:
            progress(count)

    catalogue = Catalogue(folder)
    try:
        catalogue.refresh(advance)
        entries = catalogue.files()
    finally:
        catalogue.close()
    if progress is not None and len(files) > parsed:
        progress(len(files) - parsed)  # the unchanged files, known from the cache
    pairs: list[tuple[Path, InvalidCase | object | None]] = []
    for file in files:
        entry = entries.get(file.name)
        if entry is None:
            pairs.append((file, _UNKNOWN))
        elif entry.valid:
            pairs.append((file, None))
        else:
            pairs.append((file, InvalidCase(str(file), entry.problems)))
    return pairs


def _by_id(results: list[tuple[Path, InvalidCase | None]]) -> Checked:
    valid: dict[str, Path] = {}
    invalid: list[InvalidCase] = []
    for path, problems in results:
        if problems is not None:
            invalid.append(problems)
        elif path.stem in valid:
            other = valid[path.stem].name
            message = f"another file, {other}, already has the case id {path.stem!r}; rename one"
            invalid.append(InvalidCase.single(str(path), message, "same_id"))
        else:
            valid[path.stem] = path
    return Checked(tuple(valid.values()), tuple(invalid))
