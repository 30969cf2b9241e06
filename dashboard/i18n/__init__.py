"""The program's own words in the case's language: gettext catalogues, dates and numbers.

Every word the program writes around the user's texts (axis titles, row names, legend
entries, the caption's sentences, slide headings) is looked up here, in the catalogue of the
case's `language` (`locale/<code>/LC_MESSAGES/clinical_course.po`, compiled by Babel when
first needed); dates and numbers are written the language's own way by Babel (CLDR data).
A sentence that holds a user's text is the catalogue's sentence built around it, with the
text as written: never lower-cased, never changed.

Depends on nothing of the program but `model`, so the figure can use it.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_date as format_date_as
from babel.dates import match_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from dashboard.model import LANGUAGES, UNIT_DAYS, Event, Time
from dashboard.model.times import format_date, format_number

DOMAIN = "clinical_course"
SOURCE_LANGUAGE = "en"


def catalogue_path(code: str) -> Any:
    """Where the `.po` catalogue of a language lives in the package."""
    return resources.files("dashboard.i18n").joinpath(f"locale/{code}/LC_MESSAGES/{DOMAIN}.po")


@cache
def _translations(code: str) -> NullTranslations:
    """The language's catalogue, compiled in memory from its `.po` file (English: none)."""
    if code == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalogue_path(code).open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@functools.lru_cache(maxsize=1 << 16)  # a figure writes the same dates again and again
def _written_date(code: str, date: dt.date, precision: str) -> str:
    """A date in the language's medium form, found from CLDR's skeletons once per language."""
    return str(format_date_as(date, _date_patterns(code)[precision], locale=code))


@cache
def _date_patterns(code: str) -> dict[str, Any]:
    skeletons = Locale.parse(code).datetime_skeletons
    return {
        "day": skeletons[match_skeleton("yMMMd", skeletons)],
        "month": skeletons[match_skeleton("yMMM", skeletons)],
    }


class Words:
    """The program's words, dates and numbers in one language."""

    def __init__(self, code: str) -> None:
        if code not in LANGUAGES:
            raise ValueError(
                f"no words for language {code!r}; expected one of {', '.join(LANGUAGES)}"
            )
        self.code = code
        self.locale = Locale.parse(code)
        self._catalogue = _translations(code)
        self._decimal = str(self.locale.number_symbols["latn"]["decimal"])
        # looked up once: a figure asks for these for every mark it draws
        self._offsets = {
            "day": self.t("day {number}"),
            "week": self.t("week {number}"),
            "month": self.t("month {number}"),
            "year": self.t("year {number}"),
        }
        self._kinds = {
            "onset": self.t("Onset"),
            "relapse": self.t("Relapse"),
            "symptom": self.t("Symptom"),
            "diagnosis": self.t("Diagnosis"),
            "imaging": self.t("Imaging"),
            "lab": self.t("Lab"),
            "procedure": self.t("Procedure"),
            "admission": self.t("Admission"),
            "discharge": self.t("Discharge"),
            "adverse-event": self.t("Adverse event"),
            "death": self.t("Death"),
            "note": self.t("Note"),
        }
        self._kinds_in_text = {
            "onset": self.tc("in a sentence", "onset"),
            "relapse": self.tc("in a sentence", "relapse"),
            "symptom": self.tc("in a sentence", "symptom"),
            "diagnosis": self.tc("in a sentence", "diagnosis"),
            "imaging": self.tc("in a sentence", "imaging"),
            "lab": self.tc("in a sentence", "lab"),
            "procedure": self.tc("in a sentence", "procedure"),
            "admission": self.tc("in a sentence", "admission"),
            "discharge": self.tc("in a sentence", "discharge"),
            "adverse-event": self.tc("in a sentence", "adverse event"),
            "death": self.tc("in a sentence", "death"),
            "note": self.tc("in a sentence", "note"),
        }

    def __repr__(self) -> str:
        return f"Words({self.code!r})"

    @property
    def english(self) -> bool:
        """True for the source language, whose dates and numbers keep their long-standing form."""
        return self.code == SOURCE_LANGUAGE

    # -- messages -------------------------------------------------------------------------

    def t(self, message: str, **values: Any) -> str:
        """The catalogue's `message` with `values` (user texts as written) filled in."""
        text = self._catalogue.gettext(message)
        return text.format(**values) if values else text

    def tn(self, singular: str, plural: str, count: float, **values: Any) -> str:
        """The singular or plural `message` the language's plural rule picks for `count`
        (written as `{count}`); a fraction takes the form of a whole number above one."""
        whole = int(count) if count == int(count) else 2
        text = self._catalogue.ngettext(singular, plural, whole)
        return text.format(count=self.number(count), **values)

    def tc(self, context: str, message: str, **values: Any) -> str:
        """A `message` whose translation depends on where it stands (`context`)."""
        text = str(self._catalogue.pgettext(context, message))
        return text.format(**values) if values else text

    # -- numbers, dates, times ------------------------------------------------------------

    def number(self, value: float) -> str:
        """A number as the language writes it: 38.5, 38,5; whole numbers without grouping."""
        text = format_number(value)
        return text if self.english else text.replace(".", self._decimal)

    def fixed(self, value: float, places: int = 1) -> str:
        """A number to `places` decimals, as the language writes it: 1.8, 1,8, 0.0."""
        if self.english:
            return f"{value:.{places}f}"
        pattern = "0." + "0" * places if places else "0"
        return str(format_decimal(value, format=pattern, locale=self.locale))

    def value(self, value: float) -> str:
        """A measured value to four significant digits: 45000, 0.05, 38,5."""
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        text = f"{value:.4g}"
        return text if self.english or "e" in text else text.replace(".", self._decimal)

    def date(self, date: dt.date, precision: str = "day") -> str:
        """'2 Apr 2015', '2. Apr. 2015', '2015年4月2日'; a month alone: 'Apr. 2015'."""
        if self.english:
            return format_date(date, precision)
        return _written_date(self.code, date, "month" if precision == "month" else "day")

    def offset(self, day: float, unit: str = "day") -> str:
        """A time counted from day 0: 'day 14', 'Tag 14', '14日目'."""
        return self._offsets[unit].format(number=self.number(day))

    def when(self, time: Time) -> str:
        """Both times of `time`: '~day 14 (29 Oct 2012)', 'Okt. 2012 (Tag 120)'."""
        if self.english:  # (the figure asks for every mark: the fast path)
            return time.describe()
        return time.describe(offset=self.offset, date=self.date)

    def day(self, day: float, day0: dt.date | None) -> str:
        """A computed time for hover, to the whole day: 'day 28 (29 Oct 2012)'."""
        text = self.offset(round(day))
        if day0 is None:
            return text
        return f"{text} ({self.date(day0 + dt.timedelta(days=round(day)))})"

    def interval(self, days: float) -> str:
        """28 -> '4 weeks', 30.4375 -> 'month', 10 -> '10 days'."""
        for unit in ("year", "month", "week", "day"):
            count = days / UNIT_DAYS[unit]
            if count >= 1 and math.isclose(count, round(count), abs_tol=1e-6):
                return self.units(round(count), unit, alone=True)
        return self.units(days, "day")

    def every(self, days: float) -> str:
        """'every 4 weeks', 'every week' ('alle 4 Wochen', 'wöchentlich', '4週ごと')."""
        for unit in ("year", "month", "week", "day"):
            if math.isclose(days, UNIT_DAYS[unit], abs_tol=1e-6):
                once = {"day": self.t("every day"), "week": self.t("every week")}
                once |= {"month": self.t("every month"), "year": self.t("every year")}
                return once[unit]
        return self.t("every {interval}", interval=self.interval(days))

    def units(self, count: float, unit: str, *, alone: bool = False) -> str:
        """'4 weeks', '1 day'; with `alone`, one of a unit is the unit's name: 'month'."""
        if alone and count == 1:
            names = {"day": self.t("day"), "week": self.t("week")}
            names |= {"month": self.t("month"), "year": self.t("year")}
            return names[unit]
        if unit == "week":
            return self.tn("{count} week", "{count} weeks", count)
        if unit == "month":
            return self.tn("{count} month", "{count} months", count)
        if unit == "year":
            return self.tn("{count} year", "{count} years", count)
        return self.tn("{count} day", "{count} days", count)

    def join(self, parts: list[str]) -> str:
        """'a', 'a and b', 'a, b and c' in the language's own way."""
        if len(parts) == 1:
            return parts[0]
        head = self.t(", ").join(parts[:-1])
        return self.t("{first} and {last}", first=head, last=parts[-1])

    def sentence(self, text: str) -> str:
        """`text` ending with the language's full stop unless it already ends a sentence."""
        text = text.strip()
        return text if text.endswith((".", "!", "?", "。", "！", "？")) else text + self.t(".")

    def kind(self, kind: str) -> str:
        """An event kind's name as a row label: 'Adverse event', 'Unerwünschtes Ereignis'."""
        return self._kinds.get(kind, kind)

    def kind_in_text(self, kind: str) -> str:
        """An event kind's name inside a sentence: 'adverse event', 'unerwünschtes Ereignis'."""
        return self._kinds_in_text.get(kind, kind)

    def event_title(self, event: Event) -> str:
        """The event's label as written, else its kind in words."""
        return event.label or self.kind_in_text(event.kind)

    @property
    def separators(self) -> str:
        """plotly's `separators`: the decimal sign, then the thousands sign."""
        symbols = self.locale.number_symbols["latn"]
        return str(symbols["decimal"]) + str(symbols["group"]).replace("\u202f", "\u00a0")


@cache
def words(code: str = SOURCE_LANGUAGE) -> Words:
    """The words of the language `code` (one object per language, shared)."""
    return Words(code)


__all__ = ["DOMAIN", "LANGUAGES", "Words", "catalogue_path", "words"]
