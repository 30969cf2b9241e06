"""One case file as the index sees it: its facts, or its problems; and reading one file so
that nothing that goes wrong escapes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.load import load_case
from dashboard.model import UNIT_DAYS, Case
from dashboard.model.times import format_number
from dashboard.problems import CaseError, InvalidCase


@dataclass(frozen=True, slots=True)
class Entry:
    """One case file as the index shows it; `problems` is empty for a valid case."""

    id: str
    name: str
    title: str = ""
    diagnoses: str = ""
    day0: str = ""
    start: float = 0.0
    end: float = 0.0
    course: str = ""
    drugs: int = 0
    relapses: int = 0
    citation: str = ""
    doi: str = ""
    search: str = ""
    problems: tuple[CaseError, ...] = ()

    @property
    def valid(self) -> bool:
        """True when the file is a valid case."""
        return not self.problems


def read_case(path: Path, folder: Path) -> Case | InvalidCase:
    """One file as a case or as its problems; whatever goes wrong is this file's problem
    (a file that resolves outside `folder` is one, and is never read)."""
    try:
        return load_case(path, within=folder)
    except InvalidCase as invalid:
        return invalid


def duration(days: float) -> str:
    """A length of time in the unit people would say it in: '3 years', '5 months', '10 days'."""
    for unit, at_least in (("year", 730.5), ("month", 60.0), ("week", 14.0)):
        if days >= at_least:
            count = format_number(round(days / UNIT_DAYS[unit], 1))
            return f"{count} {unit}s"
    count = format_number(round(days))
    return f"{count} day{'s' * (count != '1')}"


def span_text(case: Case) -> str:
    """'day -30 to day 1095 (3 years)': how long the course runs."""
    low, high = case.span
    return f"day {format_number(low)} to day {format_number(high)} ({duration(high - low)})"


def search_text(case: Case) -> str:
    """What the index filter matches: title, diagnoses, drug names and abbreviations."""
    words = [case.title, *case.diagnoses]
    for treatment in case.treatments:
        words += [treatment.drug, treatment.abbr or "", treatment.class_ or ""]
    return " ".join(words).casefold()


def drug_count(case: Case) -> int:
    """How many different drugs a case gives (a drug given in several items counts once)."""
    return len({treatment.drug.casefold().strip() for treatment in case.treatments})


def summarise(case_id: str, name: str, case: Case) -> Entry:
    """The index's facts of a valid case."""
    low, high = case.span
    source = case.source
    return Entry(
        id=case_id,
        name=name,
        title=case.title,
        diagnoses="; ".join(case.diagnoses),
        day0=case.day0.label,
        start=low,
        end=high,
        course=span_text(case),
        drugs=drug_count(case),
        relapses=sum(event.kind == "relapse" for event in case.events),
        citation=(source.citation or "") if source else "",
        doi=(source.doi or "") if source else "",
        search=search_text(case),
    )
