"""The facts every surface shows about a case, composed once (a series' are composed the same
way in `dashboard.series.facts`, a layer above).

Pages, the site, the 404 page, the deck and the Dash layout all take their title, patient
line, day 0 text, citation with its DOI and PubMed links, caption and course in words from
here, so they cannot drift apart. Plain text only: each surface escapes (templates
autoescape, Dash escapes every string).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from dashboard.describe import caption, course_account, patient_line
from dashboard.i18n import Words, words
from dashboard.model import Case


@dataclass(frozen=True, slots=True)
class Link:
    """A link: its text and its address (built here, never taken as given)."""

    text: str
    href: str


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a case comes from: the citation, figure, DOI, PubMed id, web page and note."""

    text: str | None
    figure: str | None
    doi: Link | None
    pmid: Link | None
    url: Link | None
    note: str | None

    @property
    def empty(self) -> bool:
        """True when there is nothing to show."""
        return not any((self.text, self.figure, self.doi, self.pmid, self.url, self.note))


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a case's surfaces show beside its chart."""

    title: str
    summary: str | None
    patient: str | None
    diagnoses: tuple[str, ...]
    day0: str
    citation: Citation | None
    caption: str
    account: tuple[str, ...]
    language: str = "en"

    @property
    def words(self) -> Words:
        """The program's words in the case's language, for the page around the facts."""
        return words(self.language)

    @property
    def facts(self) -> list[tuple[str, str]]:
        """(label, text) pairs: patient, diagnoses, day 0."""
        say = self.words
        pairs = [(say.t("Patient"), self.patient)] if self.patient else []
        if self.diagnoses:
            pairs.append((say.t("Diagnoses"), say.t("; ").join(self.diagnoses)))
        return [*pairs, (say.t("Day 0"), self.day0)]


def day0_text(case: Case) -> str:
    """'MAS onset', or 'brainstem attack (Jan 2010)' when day 0 has a date."""
    say = words(case.language)
    label = case.day0.named or say.t("day 0")
    when = case.day0.date
    if when is None or when.anchor is None:
        return label
    mark = "~" if when.approx else ""
    return f"{label} ({mark}{say.date(when.anchor, when.precision)})"


def citation(case: Case) -> Citation | None:
    """The case's source with its links, or None when the case names none."""
    source = case.source
    if source is None:
        return None
    doi = pmid = url = None
    if source.doi:
        doi = Link(source.doi, "https://doi.org/" + quote(source.doi, safe="/:;()._-"))
    if source.pmid:
        pmid = Link(
            source.pmid, "https://pubmed.ncbi.nlm.nih.gov/" + quote(source.pmid, safe="") + "/"
        )
    if source.url and source.url.lower().startswith(("https://", "http://")):
        url = Link(words(case.language).t("source"), source.url)
    found = Citation(source.citation, source.figure, doi, pmid, url, source.note)
    return None if found.empty else found


def case_facts(case: Case) -> CaseFacts:
    """Every fact of a case its surfaces show, composed once."""
    return CaseFacts(
        title=case.title,
        summary=case.summary,
        patient=patient_line(case),
        diagnoses=case.diagnoses,
        day0=day0_text(case),
        citation=citation(case),
        caption=caption(case),
        account=tuple(course_account(case)),
        language=case.language,
    )
