"""The long table every importer reads into: one row per treatment, event or value of a patient."""

from __future__ import annotations

import datetime as dt
import gc
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from dashboard.model import EVENT_KINDS

# A time as read from a source: a case-format text ('day 14', '~2015-04'), a number of days
# from the source's own day 0, or a calendar date.
TimeIn = str | float | dt.date

TREATMENT_KINDS = ("drug", "procedure")
CASE_KINDS = ("title", "summary", "diagnosis", "day0", "age", "sex", "citation", "step")
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
        "citation; step (a teaching step)."
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
    "detail": "Longer text shown on hover and in the details (an event's detail, a summary).",
    "note": "A teaching note; for step rows the speaker notes.",
    "source": "Where the datum came from (Table 2, discharge letter).",
    "question": "For step rows: the question asked at that step.",
}


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
        reason = "it is not UTF-8 text"
    elif isinstance(error, zipfile.BadZipFile):  # what openpyxl says of a file that is no .xlsx
        reason = "it is not an Excel workbook (saved as .xls or .ods? save it as .xlsx)"
    return f"{path}: cannot be read as {what}: {reason}"


@dataclass(slots=True)
class Row:
    """One treatment, event, value or case fact, as read from a source."""

    kind: str
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
    origin: str = ""  # the source's record type (Observation, EX, TREATMENT) for --only/--skip
    codes: tuple[str, ...] = ()  # codes for --only/--skip and --day0 matching


@dataclass
class Patient:
    """What one source says about one patient, before it becomes a case file."""

    key: str  # the source's patient identifier: used to pick and merge, never written
    rows: list[Row] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    day0: dt.date | None = None  # the source's own day 0 (a study's first dose)
    day0_label: str | None = None
    day0_text: str | None = None  # day 0 as the source wrote it ('2010-01'), kept with the dates
    name: str | None = None  # the case name a spreadsheet gives; none for records of people
    lanes: bool = False  # give repeated entries of one drug a shared row

    def drop(self, reason: str, count: int = 1) -> None:
        """Count one thing left out and why."""
        self.dropped[reason] += count
