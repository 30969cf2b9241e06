"""The marks of the case-series view: every row's follow-up, bars, doses, attacks and end, in
a fixed handful of traces however many cases the series holds.

A thousand rows hold tens of thousands of marks, so each trace carries its hover facts as
short `customdata` lists filled into one hover template per trace, not as a text per mark.
"""

from __future__ import annotations

import functools
from typing import Any

from dashboard.figure.parts import esc, joined, template_text
from dashboard.figure.themes import BLACK, GREY, Theme
from dashboard.i18n import Words
from dashboard.model import Treatment, format_number
from dashboard.series.align import attack_days
from dashboard.series.model import Series
from dashboard.series.rows import SeriesRow, class_colours, class_names, lanes, treatment_class

OTHER = "#9a9a9a"
BAR = 0.62  # the height of a row's bars, in rows
TOP = "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"


def lower_first(text: str) -> str:
    """'Start of IL-6 ...' -> 'start of IL-6 ...': only an ordinary first word is lowered."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first[1:].islower() else text


def _when(anchor: str, at: int, since: int, say: Words) -> str:
    """The hover line of one time: 'day −30 from the anchor · day 370 since onset', with the
    numbers and the name of day 0 taken from customdata[at], [at + 1] and [since]."""
    aligned = say.t("day {days} from {anchor}", days=f"%{{customdata[{at}]}}", anchor=anchor)
    own = say.t(
        "day {days} since {day0}",
        days=f"%{{customdata[{at + 1}]}}",
        day0=f"%{{customdata[{since}]}}",
    )
    return f"{aligned} · {own}"


class Marks:
    """Collects every row's marks into one list per trace; `traces` turns them into traces."""

    def __init__(
        self,
        unit: float,
        theme: Theme,
        rows: list[SeriesRow],
        anchor: str,
        series: Series,
        classes: tuple[str, ...],
        say: Words,
    ) -> None:
        self.unit, self.theme, self.say = unit, theme, say
        self.anchor = template_text(lower_first(anchor) if say.english else anchor)
        self.names = class_names(rows)  # every class the rows show, by its colour key
        self.colours = {
            key: colour for key, colour in class_colours(classes).items() if key in self.names
        }
        self.facts: dict[tuple[str, str | None, str | None, str | None], str] = {}
        self.kinds, self.merge = series.outcomes.count, series.outcomes.merge_within
        self.follow: dict[str, list[Any]] = {"x": [], "y": []}
        self.bars: dict[str, dict[str, list[Any]]] = {}  # by colour
        self.given: dict[str, list[Any]] = {k: [] for k in ("x", "y", "c", "d")}
        self.ongoing: dict[str, list[Any]] = {k: [] for k in ("x", "y", "c", "d")}
        self.ends: dict[str, list[Any]] = {k: [] for k in ("x", "y", "d")}
        self.attacks: dict[str, list[Any]] = {k: [] for k in ("x", "y", "s", "d")}

    def x(self, day: float, anchor: float) -> float:
        """A day of a case on the aligned axis, in the axis' unit."""
        return round((day - anchor) / self.unit, 4)

    def add_row(self, row: SeriesRow, y: float) -> None:
        """Every mark of one row, centred on `y`."""
        start, end = row.span
        anchor = row.anchor
        since = esc(row.case.day0.named or self.say.t("day 0"))
        label = esc(row.label)
        self.follow["x"] += [self.x(start, anchor), self.x(end, anchor), None]
        self.follow["y"] += [y, y, None]
        self.ends["x"].append(self.x(end, anchor))
        self.ends["y"].append(y)
        self.ends["d"].append([label, *_days(end, anchor), since])
        self._treatments(row, y, label, since, end)
        counted = set(attack_days(row.case, self.kinds, self.merge))
        for event in row.case.events:
            if event.kind not in self.kinds:
                continue
            day = event.at.day
            merged = day not in counted
            self.attacks["x"].append(self.x(day, anchor))
            self.attacks["y"].append(round(y - BAR / 2 - 0.08, 4))
            self.attacks["s"].append("triangle-down-open" if merged else "triangle-down")
            note = "<br>" + self.say.t(
                "(within the merge interval of the attack before: not counted)"
            )
            title = esc(self.say.event_title(event))
            self.attacks["d"].append(
                [label, title, *_days(day, anchor), since, note if merged else ""]
            )

    def _treatments(self, row: SeriesRow, y: float, label: str, since: str, end: float) -> None:
        anchor = row.anchor
        spans = []
        for item in row.case.treatments:
            last = end if item.ongoing else item.last.day
            spans.append((item.first.day, max(last, item.first.day)))
        chosen, count = lanes(spans)
        height = BAR / count
        for item, (first, last), lane in zip(row.case.treatments, spans, chosen, strict=True):
            colour = self.colours.get(treatment_class(item), OTHER)
            centre = round(y - BAR / 2 + height * (lane + 0.5), 4)
            what = self._what(item)
            if item.given is not None:
                for time in item.given:
                    self.given["x"].append(self.x(time.day, anchor))
                    self.given["y"].append(centre)
                    self.given["c"].append(colour)
                    self.given["d"].append([label, what, *_days(time.day, anchor), since])
                continue
            facts = [
                label,
                what,
                *_days(first, anchor),
                since,
                *_days(last, anchor),
                " " + self.say.t("(ongoing)") if item.ongoing else "",
            ]
            bars = self.bars.get(colour)
            if bars is None:
                bars = self.bars[colour] = {k: [] for k in ("x", "base", "y", "w", "d")}
            bars["x"].append(round((last - first) / self.unit, 4))
            bars["base"].append(self.x(first, anchor))
            bars["y"].append(centre)
            bars["w"].append(round(height * 0.86, 4))
            bars["d"].append(facts)
            if item.ongoing:
                self.ongoing["x"].append(self.x(last, anchor))
                self.ongoing["y"].append(centre)
                self.ongoing["c"].append(colour)
                self.ongoing["d"].append(facts)

    def _what(self, item: Treatment) -> str:
        """'tocilizumab · IL-6 receptor antibody · 8 mg/kg', made once for every row that
        gives the same drug, class and dose."""
        key = (item.drug, item.class_, item.dose, item.unit)
        what = self.facts.get(key)
        if what is None:
            dose = joined(item.dose, item.unit) if item.dose else None
            what = joined(esc(item.drug), esc(item.class_ or ""), esc(dose or ""))
            self.facts[key] = what
        return what

    def traces(self, marker: float) -> list[dict[str, Any]]:
        """The traces, marks `marker` px tall; one bar trace per treatment class, which is
        also the class' legend entry."""
        look, anchor, say = self.theme, self.anchor, self.say
        span = (
            TOP
            + say.t("from {when}", when=_when(anchor, 2, 4, say))
            + "<br>"
            + say.t("to {when}", when=_when(anchor, 5, 4, say))
            + "%{customdata[7]}"
        )
        traces: list[dict[str, Any]] = [
            {
                "type": "scatter",
                "name": say.t("Follow-up"),
                "x": self.follow["x"],
                "y": self.follow["y"],
                "mode": "lines",
                "line": {"color": "#c8c8c8", "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
            },
            _points(
                say.t("Given"),
                self.given,
                {"symbol": "line-ns", "size": marker * 0.9, "line": {"width": 2}},
                TOP + _when(anchor, 2, 4, say),
            ),
            _points(
                say.t("Ongoing"), self.ongoing, {"symbol": "triangle-right", "size": marker}, span
            ),
            {
                "type": "scatter",
                "name": say.t("End of follow-up"),
                "mode": "markers",
                "x": self.ends["x"],
                "y": self.ends["y"],
                "marker": {
                    "symbol": "line-ns",
                    "size": marker * 1.1,
                    "line": {"color": look.ink, "width": 2},
                },
                "customdata": self.ends["d"],
                "hovertemplate": f"<b>%{{customdata[0]}}</b><br>{say.t('End of follow-up')}<br>"
                f"{_when(anchor, 1, 3, say)}<extra></extra>",
            },
            {
                "type": "scatter",
                "name": say.t("Relapse (open: merged)"),
                "mode": "markers",
                "x": self.attacks["x"],
                "y": self.attacks["y"],
                "marker": {
                    "symbol": self.attacks["s"],
                    "size": marker,
                    "color": BLACK,
                    "line": {"color": BLACK, "width": 1},
                },
                "customdata": self.attacks["d"],
                "hovertemplate": TOP + _when(anchor, 2, 4, say) + "%{customdata[5]}<extra></extra>",
            },
        ]
        if "triangle-down-open" not in self.attacks["s"]:
            traces[-1]["name"] = say.t("Relapse")
        named = {**{key: self.names[key] for key in self.colours}, OTHER: say.t("other treatments")}
        given = set(self.given["c"])
        for key, name in named.items():
            colour = self.colours.get(key, OTHER)
            bars = self.bars.get(colour)
            if bars is not None:
                traces.append(_bars(name, colour, bars, span))
            elif colour in given:
                traces.append(_legend_only(name, {"symbol": "square", "color": colour}))
        if self.ongoing["x"]:
            traces.append(
                _legend_only(say.t("ongoing"), {"symbol": "triangle-right", "color": GREY})
            )
        return traces


def _days(day: float, anchor: float) -> tuple[str, str]:
    """A day as the hover writes it: from the anchor, and since the case's day 0."""
    return _number(day - anchor), _number(day)


# most days recur from case to case: each is written out once
_number = functools.lru_cache(maxsize=1 << 16)(format_number)


def _bars(name: str, colour: str, bars: dict[str, list[Any]], hover: str) -> dict[str, Any]:
    """The bars of one treatment class, from their start (`base`) for their length (`x`)."""
    return {
        "type": "bar",
        "orientation": "h",
        "name": esc(name),
        "x": bars["x"],
        "base": bars["base"],
        "y": bars["y"],
        "width": bars["w"],
        "marker": {"color": colour, "line": {"width": 0}},
        "customdata": bars["d"],
        "hovertemplate": hover + "<extra></extra>",
    }


def _points(
    name: str, marks: dict[str, list[Any]], marker: dict[str, Any], hover: str
) -> dict[str, Any]:
    """Markers coloured by treatment class, each explained by its customdata."""
    line = marker.pop("line", {})
    return {
        "type": "scatter",
        "name": name,
        "mode": "markers",
        "x": marks["x"],
        "y": marks["y"],
        "marker": marker | {"color": marks["c"], "line": line | {"color": marks["c"]}},
        "customdata": marks["d"],
        "hovertemplate": hover + "<extra></extra>",
        "showlegend": False,
    }


def _legend_only(name: str, marker: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "scatter",
        "name": esc(name),
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": marker | {"size": 11},
        "hoverinfo": "skip",
    }
