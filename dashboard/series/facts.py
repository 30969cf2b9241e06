"""The facts every surface shows about a series, composed once, as `dashboard.facts` does
for a case."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.i18n import words
from dashboard.series.caption import series_caption_for
from dashboard.series.load import SeriesFile


@dataclass(frozen=True, slots=True)
class SeriesFacts:
    """What a series' surfaces show beside its view."""

    id: str
    title: str
    summary: str | None
    anchor: str
    cases: tuple[tuple[str, str], ...]  # (id, title) of the valid cases, in order
    panels: tuple[tuple[str, str], ...]
    invalid: tuple[str, ...]
    caption: str  # of the view asked for


def series_facts(series_file: SeriesFile, view: str = "series") -> SeriesFacts:
    """Every fact of a series its surfaces show, composed once; the caption of `view`."""
    return SeriesFacts(
        id=series_file.id,
        title=series_file.title,
        summary=series_file.series.summary,
        anchor=series_file.series.align.label(words(series_file.language)),
        cases=tuple((item.id, item.case.title) for item in series_file.cases),
        panels=tuple((item.id, item.case.title) for item in series_file.panels),
        invalid=series_file.invalid,
        caption=series_caption_for(series_file, view),
    )
