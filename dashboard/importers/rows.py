"""The long table every importer reads into: one row per treatment, event or value of a patient."""

from __future__ import annotations

import codecs
import datetime as dt
import gc
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer

from dashboard.model import EVENT_KINDS
from dashboard.model.case import TREATMENT_KINDS
from dashboard.model.localdates import DateOrder

# A time as read from a source: a case-format text ('day 14', '~2015-04'), a number of days
# from the source's own day 0, or a calendar date.
TimeIn = str | float | dt.date

CASE_KINDS: tuple[str, ...] = ("title", "summary", "diagnosis", "day0", "age", "sex")
CASE_KINDS += ("citation", "follow-up", "step")
# Event kinds that are also other kinds of row: the table names them apart.
EVENT_ROW = {"procedure": "procedure-event"}
ROW_EVENT = {row: kind for kind, row in EVENT_ROW.items()}
KINDS = (
    *CASE_KINDS[:2],
    *TREATMENT_KINDS,
    *(EVENT_ROW.get(kind, kind) for kind in EVENT_KINDS if kind != "diagnosis"),
    "diagnosis",
    "measurement",
    "period",
    *CASE_KINDS[3:],
)

# The spreadsheet's columns, in order, with what a person filling it in needs to know.
COLUMNS: dict[str, str] = {
    "case": "The case's name, used as its file name (e.g. nmosd-case-1). Same name, same case.",
    "kind": (
        "What the row is: drug or procedure (a treatment such as plasma exchange); onset, "
        "relapse, symptom, diagnosis, imaging, lab, procedure-event (a biopsy, a lumbar "
        "puncture), admission, discharge, adverse-event, death or note (an event); "
        "measurement (one value of a lab or score); period (a shaded span); title, summary, "
        "diagnosis without a start (the case's diagnoses), day0 (its label and date), age, sex, "
        "citation, follow-up (the end of follow-up, in start); step (a teaching step)."
    ),
    "name": (
        "The drug, event label, measurement name, period label, title or diagnosis. For step: "
        "the step's title."
    ),
    "abbr": "Short name shown as the row label (TCZ, EDSS).",
    "class": "Drug class; drugs of one class share a colour (corticosteroid).",
    "lane": "Treatments with the same lane share one row (Corticosteroids).",
    "start": (
        "When: a date (2015-04-01), a month (2015-04), day 14, week -2, month 6, year 1.5 or a "
        "number of days; a leading ~ marks it approximate. A drug with a start and no end is "
        "one administration (rows of the same drug become its courses)."
    ),
    "end": "When it ended (same forms as start), or 'ongoing'.",
    "every": "Repeated dosing of a drug: 4 weeks, 6 months.",
    "dose": "A drug's dose as text (8 mg/kg, 1 g/day).",
    "unit": "A measurement's unit (ng/mL), or a taper's dose unit (mg/day).",
    "value": (
        "A measurement's number (~8600 if approximate); on a drug row with a start and no end, "
        "the dose of a taper from that time on; the patient's age on an age row."
    ),
    "detail": (
        "Longer text shown on hover and in the details (an event's detail, a summary); on a "
        "drug row with a value, that dose's note."
    ),
    "note": "A teaching note; for step rows the speaker notes.",
    "source": "Where the datum came from (Table 2, discharge letter).",
    "question": "For step rows: the question asked at that step.",
    "more": (
        "Any other key of the case format for this row's item, written as in a case file: "
        "{scale: log, normal: [0, 5]} on a measurement, {color: '#1f77b4'} on a drug, "
        "{marker: star} on an event; on the title row the case's own: {source: {doi: "
        "10.1000/x}, axis: {unit: month}, patient: {note: ...}, teaching: {objectives: [...]}}."
    ),
}


@dataclass
class Reading:
    """How to read the sources' text and dates, and what was said about how they were read
    (said in the summary; unlike a problem, no reason for a failing exit status)."""

    date_order: DateOrder | None = None  # --date-order, when a file's dates do not show it
    encoding: str | None = None  # --encoding, when the one found is wrong
    notes: list[str] = field(default_factory=list)


# The encodings Excel's "CSV" takes from Windows' language settings: Western, Central European,
# Cyrillic, Greek, Turkish, Baltic, Japanese, Simplified and Traditional Chinese, Korean
_WINDOWS = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257"]
_WINDOWS += ["cp932", "cp936", "cp950", "cp949"]
_LOOK = 1 << 18  # how much of a file the encoding is told from


def text_encoding(path: Path, reading: Reading) -> str:
    """The encoding a text file is in: --encoding when given, UTF-8 (with or without its
    mark) or UTF-16 (Excel's "Unicode text") by their marks or content, else the Windows
    encoding a detector finds; a note says which, when not UTF-8, so a wrong guess is seen."""
    if reading.encoding:
        return reading.encoding
    with open(path, "rb") as handle:
        head = handle.read(_LOOK)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 4 and len(head) == _LOOK:
            return "utf-8-sig"  # (a character cut at the end of the look)
    else:
        return "utf-8-sig"
    best = charset_normalizer.from_bytes(head, cp_isolation=_WINDOWS).best()
    found = "cp1252" if best is None else best.encoding
    if found != "cp1252" and _decodes(head, "cp1252") == str(best):
        found = "cp1252"  # (the same letters either way: name the common one)
    reading.notes.append(
        f"{path}: read as {_LANGUAGES.get(found, found)} text ({found}), not UTF-8; if letters "
        "look wrong in the case files, name the file's encoding with --encoding"
    )
    return found


_LANGUAGES = {
    "cp1252": "Western European",
    "cp1250": "Central European",
    "cp1251": "Cyrillic",
    "cp1253": "Greek",
    "cp1254": "Turkish",
    "cp1257": "Baltic",
    "cp932": "Japanese",
    "cp936": "Simplified Chinese",
    "cp950": "Traditional Chinese",
    "cp949": "Korean",
}


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


@contextmanager
def no_cycle_search() -> Iterator[None]:
    """Pause Python's search for reference cycles while a source is read into rows.

    Parsed resources and rows hold no cycles, but each few hundred new objects the search
    walks all of them again: on a large export that took a third of the reading time.
    Memory is still freed as usual when the last reference goes.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def unreadable(path: object, what: str, error: Exception) -> str:
    """The message for a file that cannot be read at all (the other files still are)."""
    reason = str(error).strip() or type(error).__name__
    if isinstance(error, UnicodeDecodeError):
        encoding = "UTF-8" if error.encoding.startswith("utf-8") else error.encoding
        reason = f"it is not {encoding} text (name its encoding with --encoding, as cp1252)"
    elif isinstance(error, zipfile.BadZipFile):  # what openpyxl says of a file that is no .xlsx
        reason = "it is not an Excel workbook (saved as .xls or .ods? save it as .xlsx)"
    return f"{path}: cannot be read as {what}: {reason}"


@dataclass(slots=True)
class Row:
    """One treatment, event, value or case fact, as read from a source."""

    kind: str
    _: KW_ONLY  # (every field but the kind by name: fifteen in a row are read by position)
    name: str = ""
    start: TimeIn | None = None
    end: TimeIn | None = None
    abbr: str | None = None
    klass: str | None = None
    lane: str | None = None
    every: str | None = None
    dose: str | None = None
    unit: str | None = None
    value: float | str | None = None
    detail: str | None = None
    note: str | None = None
    source: str | None = None
    question: str | None = None
    more: dict[str, Any] | None = None  # other keys of the case format for the row's item
    origin: str = ""  # the source's record type (Observation, EX, TREATMENT) for --only/--skip
    codes: tuple[str, ...] = ()  # codes for --only/--skip and --day0 matching


@dataclass
class SourcePatient:
    """What one source says about one patient, before it becomes a case file."""

    key: str  # the source's patient identifier: used to pick and merge, never written
    rows: list[Row] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    day0: dt.date | None = None  # the source's own day 0 (a study's first dose)
    day0_label: str | None = None
    day0_text: str | None = None  # day 0 as the source wrote it ('2010-01'), kept with the dates
    name: str | None = None  # the case name a spreadsheet gives; none for records of people
    lanes: bool = False  # give repeated entries of one drug a shared row
    # words that name or reach the patient (names, record numbers, phones, e-mails), each with
    # what stands for it where a text mentions it ('[name]'); keyed in lower case
    private: dict[str, str] = field(default_factory=dict)

    def drop(self, reason: str, count: int = 1) -> None:
        """Count one thing left out and why."""
        self.dropped[reason] += count
