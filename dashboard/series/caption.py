"""Figure legends of a series, worded like the papers': one caption for all its panels."""

from __future__ import annotations

from dashboard.describe import abbreviations, day0_when, is_approximate
from dashboard.i18n import words
from dashboard.series.load import SeriesFile
from dashboard.series.marks import lower_first as _lower
from dashboard.series.outcomes import Outcomes, compute, summary
from dashboard.series.panels import panel_label


def _abbreviation_list(series_file: SeriesFile, panels: bool) -> str:
    seen: dict[str, str] = {}
    for item in series_file.panels if panels else series_file.cases:
        for entry in abbreviations(item.case):
            seen.setdefault(entry.split(":", 1)[0], entry)
    say = words(series_file.language)
    return say.t("Abbreviations: {list}.", list=say.t("; ").join(seen.values())) if seen else ""


def panels_caption(series_file: SeriesFile) -> str:
    """'Clinical course in Cases 1 and 2. (a) …: day 0 is …. (b) … Abbreviations: …'."""
    say = words(series_file.language)
    parts = [say.sentence(series_file.title)]
    cases = [item.case for item in series_file.panels]
    for index, case in enumerate(cases):
        label = (case.day0.named or say.t("day 0")) + day0_when(case)
        panel = panel_label(series_file, index)
        parts.append(say.t("{panel}: day 0 is {label}.", panel=panel, label=label))
    parts.append(_abbreviation_list(series_file, panels=True))
    if any(event.kind == "relapse" for case in cases for event in case.events):
        parts.append(say.t("▼ relapses."))
    if any(is_approximate(case) for case in cases):
        parts.append(say.t("Values marked ~ are approximate."))
    citations = []
    for case in cases:
        source = case.source
        if source is not None and source.citation:
            cited = source.citation.rstrip(". ")
            if cited not in citations:
                citations.append(cited)
    if citations:
        parts.append(say.t("Adapted from: {citation}.", citation=say.t("; ").join(citations)))
    return say.t(" ").join(part for part in parts if part)


def series_caption(series_file: SeriesFile, outcomes: Outcomes) -> str:
    """What the rows, marks and time 0 of the case-series view are, and the outcome summary."""
    series = series_file.series
    say = words(series_file.language)
    merge = series.outcomes.merge_within
    kinds = say.join([say.kind_in_text(kind) for kind in series.outcomes.count])
    if merge:
        interval = say.interval(merge)
        marks = say.t(
            "▼ {kinds} (counted as attacks; open: less than {interval} after the previous one)",
            kinds=kinds,
            interval=interval,
        )
    else:
        marks = say.t("▼ {kinds} (counted as attacks)", kinds=kinds)
    anchor = series.align.label(say)
    parts = [
        say.sentence(series.title),
        say.t(
            "One row per case, aligned at time 0: {anchor}.",
            anchor=_lower(anchor) if say.english else anchor,
        ),
        say.t(
            "{marks}; | end of follow-up; ▶ treatment ongoing; bars coloured by treatment class.",
            marks=marks,
        ),
        say.sentence(summary(series, outcomes, say)),
    ]
    missing = [row.case for row in outcomes.rows if row.anchor is None]
    if missing:
        parts.append(
            say.t("Without an anchor, not drawn: {cases}.", cases=say.t(", ").join(missing))
        )
    if series_file.invalid:
        unread = say.t(", ").join(series_file.invalid)
        parts.append(say.t("Left out (their files have problems): {cases}.", cases=unread))
    parts.append(_abbreviation_list(series_file, panels=False))
    return say.t(" ").join(part for part in parts if part)


def series_caption_for(series_file: SeriesFile, view: str) -> str:
    """The figure legend of the view."""
    if view == "panels":
        return panels_caption(series_file)
    return series_caption(series_file, compute(series_file))
