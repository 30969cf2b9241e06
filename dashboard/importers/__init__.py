"""Bring data in: spreadsheets, cBioPortal timelines, CDISC tables and FHIR exports -> case files.

Each source module reads its files into `Patient`s (rows of the long table); `build` picks
day 0 and de-identifies; `writer` checks each case with the loader and writes it, never over
an existing file.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.importers.build import Draft, ImportRefused, Options, build, row_words
from dashboard.importers.rows import Reading, SourcePatient, no_cycle_search
from dashboard.importers.writer import Existing, Written, check_target, left_out, write_cases

Reader = Callable[[list[Path], list[str], Reading], dict[str, SourcePatient]]
NAMES = {
    "spreadsheet": "a case table",
    "cbioportal": "cBioPortal timeline files",
    "sdtm": "CDISC SDTM domains",
    "adam": "a clinical-timelines table",
    "fhir": "a FHIR R4 export",
}
FORMATS = tuple(NAMES)
DRAWN = ("treatments", "events", "measurements", "periods")


@dataclass
class Imported:
    """What an import did: files written, cases that failed the check, rows reported, and
    notes on how the sources were read (an encoding, an order of day and month)."""

    written: Written = field(default_factory=Written)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _reader(fmt: str) -> Reader:
    from dashboard.importers import cbioportal, cdisc, fhir, spreadsheet

    readers: dict[str, Reader] = {
        "spreadsheet": spreadsheet.read_tables,
        "cbioportal": cbioportal.read_timelines,
        "sdtm": cdisc.read_sdtm,
        "adam": cdisc.read_adam,
        "fhir": lambda paths, problems, _: fhir.read_fhir(paths, problems),  # (JSON: UTF-8)
    }
    return readers[fmt]


def files_of(sources: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The files named and the files inside folders named, and the folders inside those,
    which are not read (a study's files sit side by side); hidden ones are passed over."""
    files: list[Path] = []
    folders: list[Path] = []
    for source in sources:
        if not source.is_dir():
            files.append(source)
            continue
        inside = sorted(p for p in source.iterdir() if not p.name.startswith("."))
        files += [p for p in inside if p.is_file()]
        folders += [p for p in inside if p.is_dir()]
    return files, folders


def guess_format(path: Path) -> str | None:
    """The source format a file's name and first bytes say it is, or None."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "spreadsheet"
    if suffix in (".ndjson", ".json"):
        return "fhir"
    if suffix == ".xpt":
        return _cdisc(_xport_columns(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    # (the header's names are ASCII in every encoding but Excel's "Unicode text", UTF-16)
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    first = head.decode("utf-16" if utf16 else "utf-8-sig", errors="replace").split("\n", 1)[0]
    if first.lstrip().startswith("{"):
        try:
            return "fhir" if "resourceType" in json.loads(first) else None
        except ValueError:
            return "fhir" if '"resourceType"' in first else None
    cells = first.replace("\t", ",").replace(";", ",").split(",")
    header = {cell.strip().strip('"').upper() for cell in cells}
    if {"PATIENT_ID", "EVENT_TYPE"} <= header:
        return "cbioportal"
    if "USUBJID" in header:
        return _cdisc(header)
    if "KIND" in header:
        return "spreadsheet"
    return None


def _cdisc(columns: set[str]) -> str:
    """A clinical-timelines table has its start and end days; an SDTM domain has its own
    (EXSTDTC, AESTDY) under its two-letter prefix."""
    return "adam" if columns & {"STDY", "STDT", "ENDY", "ENDT"} else "sdtm"


def _xport_columns(path: Path) -> set[str]:
    """The column names of a SAS transport file, from its header (an unreadable file is
    guessed SDTM, and its reader says what is wrong with it)."""
    import pandas as pd

    try:
        with warnings.catch_warnings():  # (a file cut short: its reader says so, naming it)
            warnings.simplefilter("ignore")
            with pd.read_sas(path, format="xport", encoding="utf-8", iterator=True) as reader:
                columns = getattr(reader, "columns", [])  # (from the header; not in the stubs)
    except Exception:  # a header pandas cannot read: the reader reports it with its file
        return set()
    return {str(column).strip().upper() for column in columns}


def import_sources(
    sources: Sequence[Path],
    folder: Path,
    *,
    fmt: str | None = None,
    options: Options | None = None,
    patients: Sequence[str] = (),
    existing: Existing = "rename",
    reading: Reading | None = None,
) -> Imported:
    """Read every source, build one case per patient and write them into `folder`."""
    reading = reading or Reading()
    with no_cycle_search():  # (sources, rows and cases hold no cycles: see there)
        result = _import(sources, folder, fmt, options or Options(), patients, existing, reading)
    result.notes[:0] = reading.notes  # (how the files were read, before what became of them)
    return result


def _import(
    sources: Sequence[Path],
    folder: Path,
    fmt: str | None,
    options: Options,
    patients: Sequence[str],
    existing: Existing,
    reading: Reading,
) -> Imported:
    check_target(folder, sources)
    files, inner = files_of(sources)
    if not files:
        unread = " (folders inside are not read: name them)" if inner else ""
        raise ImportRefused("no files to import in " + ", ".join(map(str, sources)) + unread)
    groups: dict[str, list[Path]] = {}
    result = Imported()
    files, twice = _once(files)
    result.notes += twice
    result.problems += [f"{path}: a folder inside a source is not read; name it to import it"
                        for path in inner]  # fmt: skip
    for path in files:
        if _empty(path):
            result.problems.append(f"{path}: the file is empty; left out")
            continue
        found = fmt or guess_format(path)
        if found is None:
            result.problems.append(
                f"{path}: cannot tell what this file is (a case table, cBioPortal timeline, "
                "CDISC table or FHIR export); name it with --from, or leave it out"
            )
            continue
        groups.setdefault(found, []).append(path)
    drafts: list[Draft] = []
    empty: list[str] = []  # left out by rule, not a problem: said, with exit status 0
    words: set[str] = set()  # every record type, kind and code read: what --only/--skip name
    for found, paths in groups.items():
        read = _reader(found)
        by_key = read(paths, result.problems, reading)
        if options.only or options.skip:
            words |= {word for patient in by_key.values() for row in patient.rows
                      for word in row_words(row)}  # fmt: skip
        missing = [key for key in patients if key not in by_key]
        if patients and missing and len(groups) == 1:
            raise ImportRefused(f"no patient {', '.join(missing)} in {_names(paths)}")
        origin = f"{_names(paths)} ({NAMES[found]})"
        # numbered in the order of their keys: a new export with its rows in another order
        # gives each subject the file it had
        ordered = sorted(by_key.values(), key=lambda patient: patient.key)
        for number, patient in enumerate(ordered, start=1):
            if patients and patient.key not in patients:
                continue
            name = patient.name or f"patient-{number}"
            title = patient.name or f"Patient {number}, imported from {NAMES[found]}"
            try:
                draft = build(patient, options, name, title, origin)
            except ImportRefused as error:
                result.problems.append(f"{_who(name, patient)}: {error}; not written")
                continue
            if not any(key in draft.data for key in DRAWN):  # (a screen failure, say)
                left = left_out(draft) or "nothing"
                empty.append(f"{_who(name, patient)}: nothing to draw (left out: {left})")
                continue
            draft.key = patient.key
            drafts.append(draft)
        written = write_cases(drafts, folder, origin, existing)
        result.written.files += written.files
        result.written.invalid += written.invalid
        drafts = []
    if empty:
        result.notes.append(
            f"{len(empty)} of the cases, patients or subjects read had nothing to draw (no "
            "treatment, event, value or period: a screen failure, say) and were not written:"
        )
        result.notes += [f"  {line}" for line in empty[:_LISTED]]
        result.notes += [f"  ... and {len(empty) - _LISTED} more"] * (len(empty) > _LISTED)
    for flag, tokens, did in (
        ("--only", options.only, "chose"),
        ("--skip", options.skip, "left out"),
    ):
        result.problems += [
            f"{flag} {token}: no record of that type, kind or code in the sources ({did} none)"
            for token in tokens
            if token.lower() not in words
        ]
    return result


_LISTED = 20


def _who(name: str, patient: SourcePatient) -> str:
    """'patient-4 (TRIAL9-101-0004)': the source's id too, to find the patient there."""
    return name if patient.key == name else f"{name} ({patient.key})"


def _once(files: list[Path]) -> tuple[list[Path], list[str]]:
    """The files with each read once, and a note on each not read again: named twice, as a
    file and in its folder, through another link to it, or as a copy with the same bytes
    ('cases (1).csv'), its rows would count twice."""
    sizes = Counter(_size(path) for path in files)
    seen: dict[object, Path] = {}
    once: list[Path] = []
    said: list[str] = []
    for path in files:
        key = _identity(path, copies=sizes[_size(path)] > 1)
        if key not in seen:
            seen[key] = path
            once.append(path)
        elif _identity(seen[key], copies=False) == _identity(path, copies=False):
            said.append(f"{path}: named more than once; read once")
        else:
            said.append(f"{path}: the same bytes as {seen[key]}; read once (a copy: its rows "
                        "would count twice)")  # fmt: skip
    return once, said


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1  # (its reader says why it cannot be read)


def _identity(path: Path, *, copies: bool) -> object:
    """What makes two names one file: the file itself (whatever link names it), or with
    `copies` its bytes, so a copy is the same too."""
    try:
        if copies and path.stat().st_size > 0:
            with open(path, "rb") as handle:
                return hashlib.file_digest(handle, "sha256").digest()
        found = path.stat()
        return (found.st_dev, found.st_ino)
    except OSError:  # (a symlink loop, a file gone: its reader says what is wrong)
        return path


def _empty(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            start = handle.read(4096)
        return len(start) < 4096 and not start.strip()  # (blank lines alone are empty too)
    except OSError:
        return False  # (the reader says why it cannot be read)


def _names(paths: Sequence[Path]) -> str:
    shown = ", ".join(path.name for path in paths[:4])
    return shown + (f" and {len(paths) - 4} more" if len(paths) > 4 else "")


__all__ = [
    "FORMATS",
    "ImportRefused",
    "Imported",
    "Options",
    "Reading",
    "guess_format",
    "import_sources",
]
