"""The series schema: several cases of one folder side by side, as a series file describes them."""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from dashboard import i18n
from dashboard.model import EVENT_KINDS, Time, format_number
from dashboard.model.case import Text
from dashboard.model.language import Language
from dashboard.model.rules import Strict, problem
from dashboard.model.times import UNIT_DAYS
from dashboard.model.views import Group, Sort

ORDINALS = {1: "first", 2: "second", 3: "third"}
_DURATION = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(day|week|month|year)s?", re.IGNORECASE)


def _words(value: Any) -> Any:
    return (
        (value,) if isinstance(value, str | int | float) and not isinstance(value, bool) else value
    )


Words = Annotated[
    tuple[Text, ...],
    BeforeValidator(_words, json_schema_input_type=str | list[str]),
    Field(min_length=1),
]

# Cases and panels are matched against every case id of the folder, pattern by pattern: 10 000
# patterns in a 70 KB file made every load of the index take half a minute.
MAX_NAMED = 1000
MAX_PATTERN = 200


def _named(value: Any) -> Any:
    """Case ids and patterns, at most MAX_NAMED of them, each at most MAX_PATTERN long."""
    value = _words(value)
    if isinstance(value, list | tuple):
        if len(value) > MAX_NAMED:
            raise problem(
                "series_patterns",
                f"names {len(value):,} cases or patterns, more than the {MAX_NAMED:,} a series "
                "takes; name them with fewer patterns ('nmosd-*')",
            )
        for index, word in enumerate(value):
            if isinstance(word, str) and len(word) > MAX_PATTERN:
                raise problem(
                    "series_patterns",
                    f"a case id or pattern of {len(word):,} characters, more than the "
                    f"{MAX_PATTERN} a series takes",
                    index,
                )
    return value


Named = Annotated[
    tuple[Text, ...],
    BeforeValidator(_named, json_schema_input_type=str | list[str]),
    Field(min_length=1),
]


class Match(Strict):
    """What the anchor is: a treatment by drug, abbr or class, or an event by kind and label."""

    drug: Words | None = None
    abbr: Words | None = None
    class_: Words | None = Field(default=None, alias="class")
    kind: Words | None = None
    label: Words | None = None

    def given(self) -> dict[str, tuple[str, ...]]:
        """The keys the file gives, by their written names."""
        names = {"drug": self.drug, "abbr": self.abbr, "class": self.class_}
        names |= {"kind": self.kind, "label": self.label}
        return {name: words for name, words in names.items() if words is not None}

    def describe(self, say: i18n.Words | None = None) -> str:
        """'IL-6 receptor antibody' or 'tocilizumab or satralizumab'; an event kind in words."""
        say = say or i18n.words()
        names = [
            say.kind_in_text(word.lower())
            if key == "kind" and word.lower() in EVENT_KINDS
            else word
            for key, values in self.given().items()
            for word in values
        ]
        return say.t(" or ").join(names)


class Align(Strict):
    """Time 0 of every row: each case's day 0, or a matching treatment's start or event."""

    by: Literal["day0", "treatment", "event"] = "day0"
    match: Match | None = None
    occurrence: Literal["first", "last"] | Annotated[int, Field(ge=1)] = "first"

    @model_validator(mode="after")
    def _match_fits(self) -> Align:
        given = self.match.given() if self.match is not None else {}
        if self.by == "day0":
            if given:
                raise problem(
                    "series_align", "match goes with by: treatment or by: event, not day0", "match"
                )
            return self
        if not given:
            keys = "drug, abbr or class" if self.by == "treatment" else "kind or label"
            raise problem(
                "series_align", f"expected match: with {keys} to say what to align on, found none"
            )
        allowed = ("drug", "abbr", "class") if self.by == "treatment" else ("kind", "label")
        for name in given:
            if name not in allowed:
                raise problem(
                    "series_align",
                    f"aligning by {self.by}, match takes {' and '.join(allowed)}, not {name}",
                    "match",
                    name,
                )
        return self

    def label(self, say: i18n.Words | None = None) -> str:
        """What time 0 is: 'Start of IL-6 receptor antibody', 'First relapse', 'Day 0'."""
        say = say or i18n.words()
        if self.by == "day0" or self.match is None:
            return say.t("Day 0")
        what = self.match.describe(say)
        treatment = self.by == "treatment"
        if self.occurrence == "first":
            return (
                say.t("Start of {name}", name=what)
                if treatment
                else say.t("First {event}", event=what)
            )
        if self.occurrence == "last":
            return (
                say.t("Start of last {name}", name=what)
                if treatment
                else say.t("Last {event}", event=what)
            )
        # English writes 'second', '4th'; other languages the number their sentence holds
        number = self.occurrence
        ordinal = ORDINALS.get(number, f"{number}th") if say.english else say.number(number)
        if treatment:
            return say.t("Start of {ordinal} {name}", ordinal=ordinal, name=what)
        text = say.t("{ordinal} {event}", ordinal=ordinal, event=what)
        return text[:1].upper() + text[1:]


def _days(value: Any) -> Any:
    """'30 days', '4 weeks', 0 or a number of days -> days."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())):
        return float(match.group(1)) * UNIT_DAYS[match.group(2).lower()]
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise problem(
        "series_interval",
        f"expected an interval such as '30 days' or '4 weeks' (or 0), found {value!r}",
    )


class OutcomeRules(Strict):
    """What the outcome table counts: attack kinds, the merge interval, an optional score
    (the file's `outcomes:`; what is counted by them is `series.outcomes.Outcomes`)."""

    count: Words = ("relapse",)
    merge_within: Annotated[
        float, BeforeValidator(_days, json_schema_input_type=str | float), Field(ge=0)
    ] = 0.0
    score: Text | None = None

    @field_validator("count")
    @classmethod
    def _kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        from dashboard.model import EVENT_KINDS

        for kind in kinds:
            if kind.lower() not in EVENT_KINDS:
                kinds_text = ", ".join(EVENT_KINDS)
                close = difflib.get_close_matches(kind.lower(), EVENT_KINDS, n=1, cutoff=0.6)
                hint = (
                    f"; did you mean {close[0]!r}?"
                    if close
                    else f"; expected some of: {kinds_text}"
                )
                raise problem("series_kind", f"{kind!r} is not an event kind{hint}")
        return tuple(kind.lower() for kind in kinds)


class Series(Strict):
    """A series file: which cases, how they are aligned, sorted and grouped, what is counted."""

    model_config = ConfigDict(title="clinical-course series file")

    title: Text
    summary: Text | None = None
    cases: Named | None = None
    label: Literal["id", "title"] = "id"
    align: Align = Align()
    window: tuple[Time, Time] | None = None
    sort: Sort = "id"
    group: Group = "none"
    outcomes: OutcomeRules = OutcomeRules()
    panels: Named | None = None
    language: Language | None = None  # default: the cases' common language, else English

    @field_validator("window")
    @classmethod
    def _window(cls, window: tuple[Time, Time] | None) -> tuple[Time, Time] | None:
        if window is None:
            return None
        start, end = window
        for time in window:
            if time.is_calendar:
                raise problem(
                    "series_window",
                    f"the window is counted from the anchor: write 'year -3' or 'month 6', "
                    f"not the date {time.text!r}",
                )
        if not start.day <= 0 <= end.day or end.day <= start.day:
            raise problem(
                "series_window",
                f"expected a window around the anchor, from a time before it to one after it "
                f"(such as [year -3, year 3]); found day {format_number(start.day)} to day "
                f"{format_number(end.day)}",
            )
        return window


MODELS: dict[str, type[BaseModel]] = {
    "": Series,
    "align": Align,
    "match": Match,
    "outcomes": OutcomeRules,
}
