"""One patient's rows -> a case file's data: day 0 chosen, times de-identified, rows grouped."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic_core import PydanticCustomError

from dashboard.dates import DateKey, coarse_date
from dashboard.importers.rows import ROW_EVENT, Row, SourcePatient, TimeIn
from dashboard.model import EVENT_KINDS, format_number
from dashboard.model.case import TREATMENT_KINDS
from dashboard.model.times import (
    BARE_NUMBER,
    MAX_DAYS,
    is_calendar_text,
    parse_calendar,
    place_time,
)
from dashboard.problems import CourseError

DateMode = Literal["relative", "keep", "shift", "coarse"]


class ImportRefused(CourseError):
    """A problem with the whole import (not one row): said once, nothing written."""


@dataclass(frozen=True)
class Options:
    """How to import: day 0, what to keep, how to treat dates."""

    day0: str | None = None  # a date, or 'condition:TEXT' / a code to match
    dates: DateMode = "relative"
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    key: DateKey = field(default_factory=DateKey)  # what --shift-dates shifts by


@dataclass
class Draft:
    """A case file to write: its name, its data and what the import kept and left out."""

    name: str
    data: dict[str, Any]
    mapped: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    dates_note: str = ""
    hint: str = ""  # said beside the summary: a record far from the rest stretching the axis
    key: str = ""  # the source's own id of the patient: said in the summary, never written


@dataclass(frozen=True, slots=True)
class _When:
    """A time resolved: day offset in the source's own terms and the date when known."""

    offset: float | None
    date: dt.date | None
    approx: bool
    month: bool  # known only to the month
    text: str | None  # the case-format text the source wrote, if it wrote one
    calendar: bool = False  # the source gave a date (else a day offset)


@functools.lru_cache(maxsize=65536, typed=True)  # tables and exports repeat their times ('day 14')
def _read_time(value: TimeIn, day0: dt.date | None) -> _When:
    if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
        raise PydanticCustomError(  # (a workbook's TRUE is no day 1, a time of day no date)
            "time_type", f"expected a time (a date, day 14, ...), found {_cell_shown(value)}"
        )
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        offset = float((value - day0).days) if day0 else None
        return _When(offset, value, False, False, None, calendar=True)
    if isinstance(value, int | float):
        if not abs(value) <= MAX_DAYS:  # (NaN, infinite or centuries: a study day read wrong)
            raise PydanticCustomError(
                "time_range", f"{value!r} days lies more than 200 years from day 0"
            )
        date = day0 + dt.timedelta(days=round(value)) if day0 else None
        return _When(float(value), date, False, False, None)
    text = value.strip()
    # read by the case format's grammar, before day 0 is known: a date keeps its date
    time = place_time(text, None)
    if time.is_calendar and time.anchor is not None:
        date, month = time.anchor, time.precision == "month"
        offset = float((date - day0).days) if day0 else None
        return _When(offset, date, time.approx, month, text, calendar=True)
    date = day0 + dt.timedelta(days=round(time.day)) if day0 else None
    return _When(time.day, date, time.approx, False, text)


def _cell_shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, dt.time):
        return f"the time of day {value.isoformat()}"
    return repr(value)[:40]


@functools.lru_cache(maxsize=65536, typed=True)  # (typed: TRUE is no 1)
def check_time(value: TimeIn) -> str | None:
    """None when `value` reads as a time, else what is wrong with it."""
    try:
        _read_time(value, None)
    except PydanticCustomError as error:
        return error.message()
    return None


def order_problem(start: TimeIn, end: TimeIn, day0: dt.date | None = None) -> str | None:
    """'ends on day 10, before its start on day 20' when `end` comes first, else None."""
    first, last = _read_time(start, day0), _read_time(end, day0)
    if first.month or last.month:
        return None  # (a month may end after the day that starts in it)
    if first.offset is not None and last.offset is not None:
        ends_first = last.offset < first.offset
    elif first.date is not None and last.date is not None:  # two dates, day 0 not yet known
        ends_first = last.date < first.date
    else:
        return None  # a date and a day offset compare only against the case's day 0
    return f"ends on {_shown(end)}, before its start on {_shown(start)}" if ends_first else None


def _shown(time: TimeIn) -> str:
    return time.isoformat() if isinstance(time, dt.date) else str(time)


def row_words(row: Row) -> set[str]:
    """What --only and --skip match a row by: its record type, kind and codes, in lower case."""
    return {row.origin.lower(), row.kind.lower(), *(code.lower() for code in row.codes)}


def _matches(row: Row, tokens: tuple[str, ...]) -> bool:
    words = row_words(row)
    return any(token.lower() in words for token in tokens)


class _Clock:
    """Puts every time of one patient against the chosen day 0 and writes it as asked."""

    def __init__(
        self, patient: SourcePatient, options: Options, rows: list[Row], identity: str
    ) -> None:
        self.source_day0 = patient.day0
        if self.source_day0 is None:
            every = self._all(rows)
            dates = [w.date for w in every if w.date is not None]
            offsets = [w.offset for w in every if w.offset is not None]
            if dates and offsets:  # mixed: a spreadsheet with dates and 'day N' needs a day0 row
                raise ImportRefused(
                    "mixes calendar dates with days from day 0 but gives no day 0 date: "
                    "add a day0 row with a date (in a case table) or RFSTDTC (in CDISC's DM)"
                )
            if dates:
                self.source_day0 = min(dates)
        self.label = patient.day0_label
        self.written = patient.day0_text
        self.offset, self.date = 0.0, self.source_day0
        if options.day0:  # (among all the patient's rows: --only may leave the condition out)
            self._choose(options.day0, patient.rows)
        self.mode = options.dates
        self.shift = dt.timedelta(days=options.key.shift_days(identity))
        self.shift_by = "secret" if options.key.given else "random"  # (said in the note)

    def _all(self, rows: list[Row]) -> list[_When]:
        return [
            _read_time(time, self.source_day0)
            for row in rows
            for time in (row.start, row.end)
            if time is not None and not is_ongoing(time)
        ]

    def _choose(self, wanted: str, rows: list[Row]) -> None:
        text = wanted.strip()
        if is_calendar_text(text):
            if self.source_day0 is None:
                raise ImportRefused(
                    f"--day0 {text}: this source has no calendar dates; "
                    "use --day0 condition:TEXT to start at a diagnosis or event"
                )
            date = parse_calendar(text)[0]
            self.date, self.offset = date, float((date - self.source_day0).days)
            if date != self.source_day0 or not self.label:  # (the source's label names its date)
                self.label = "Day 0"
            return
        needle = text.split(":", 1)[1] if text.lower().startswith("condition:") else text
        needle = needle.strip().lower()
        if not needle:
            raise ImportRefused(f"--day0 {wanted}: name the condition or event, as condition:NMOSD")
        found: list[tuple[float, Row, _When]] = []
        for row in rows:
            if row.start is None or row.kind in TREATMENT_KINDS or row.kind == "measurement":
                continue
            words = [row.name.lower(), *(code.lower() for code in row.codes)]
            if any(needle in word for word in words if word):
                when = _read_time(row.start, self.source_day0)
                found.append((when.offset or 0.0, row, when))
        if not found:
            raise ImportRefused(f"--day0 {wanted}: no condition or event matches {needle!r}")
        offset, row, when = min(found, key=lambda item: item[0])
        self.offset, self.date, self.label = offset, when.date, row.name

    def day(self, when: _When) -> float:
        """Days from the chosen day 0."""
        if when.calendar and when.date is not None and self.date is not None:
            return float((when.date - self.date).days)
        return (when.offset or 0.0) - self.offset

    def write(self, value: TimeIn) -> str:
        """The time as the case file will say it: a date, 'day 9', 'month 3' as written, never
        a bare number a reader must know to be days."""
        when = _read_time(value, self.source_day0)
        mark = "~" if when.approx else ""
        keeps = self.mode in ("keep", "shift") and when.calendar
        if keeps and when.date is not None and self.date is not None:
            if self.mode == "keep":
                return mark + (when.date.strftime("%Y-%m") if when.month else when.date.isoformat())
            # a shifted month would round to another month's first day: give the day, approx
            return ("~" if when.month else mark) + (when.date + self.shift).isoformat()
        if when.text is not None and not when.calendar and self.offset == 0:
            return in_days(when.text)  # a time of the case format: as written
        day = self.day(when)
        if when.month:
            mark = "~"  # a month placed on a day is approximate
        if mark:  # ('~month 1' moved to another day 0 is about a day, not day -325.6)
            return f"~day {round(day)}"
        return f"day {_digits(day)}"

    def scrubbed(self, row: Row) -> tuple[Row, int]:
        """The row with the dates its texts mention ('hospitalised 2015-02-21') given as days
        from day 0 (or shifted with the rest), and how many there were."""
        found = 0

        def instead(match: re.Match[str]) -> str:
            nonlocal found
            iso = match.group("iso")
            if iso is None:
                found += 1
                return "[date]"  # (21.02.2015, 2/21/2015: which is the day is not known)
            try:
                written = self.write(iso)
            except PydanticCustomError:  # (2015-13-45 is no date: a code, kept as written)
                return match.group(0)
            found += 1
            return written

        texts: dict[str, Any] = {
            name: _within(value, lambda text: _TEXT_DATE.sub(instead, text))
            for name in _TEXT_FIELDS
            if isinstance(value := getattr(row, name), str | dict)
        }
        return dataclasses.replace(row, **texts), found

    def day0(self) -> dict[str, Any]:
        """The case's day0 mapping."""
        result: dict[str, Any] = {}
        label = self.label
        if self.date is not None and self.mode == "coarse":
            label = f"{label or 'Day 0'} ({coarse_date(self.date)})"
        if label:
            result["label"] = label
        if self.date is not None and self.mode == "shift":
            result["date"] = (self.date + self.shift).isoformat()
        elif self.date is not None and self.mode == "keep":
            kept = self.date == self.source_day0 and self.written
            result["date"] = self.written if kept else self.date.isoformat()
        return result

    def note(self) -> str:
        """What the file says about its dates."""
        if self.date is None:
            return f"Times are days from day 0 ({self.label or 'as in the source'})."
        return {
            "keep": "Calendar dates are kept as in the source.",
            "shift": f"Dates are shifted by a {self.shift_by} number of days (the same for "
            "every date).",
            "coarse": "Times are days from day 0; day 0 is given only as early, mid or late month.",
            "relative": "Times are days from day 0; no calendar dates are kept.",
        }[self.mode]


def build(patient: SourcePatient, options: Options, name: str, title: str, origin: str) -> Draft:
    """Turn one patient's rows into a case file's data."""
    draft = Draft(name, {}, dropped=Counter(patient.dropped))
    rows = _near_the_rest(_kept(patient, options, draft), draft)
    # keyed by the source's own id: one patient shifts alike in every import with one key
    clock = _Clock(patient, options, rows, patient.key or title)
    draft.dates_note = clock.note()
    if clock.mode != "keep" and clock.label and _TEXT_DATE.search(clock.label):
        label, found = clock.scrubbed(Row("day0", name=clock.label))  # ('Admission 2015-03-02')
        clock.label = label.name
        draft.dropped["dates written in text (given as days, or as [date])"] += found
    private = _private(patient.private)
    if private is not None and private.search(clock.label or ""):
        label, found = _unnamed(Row("day0", name=clock.label or ""), private, patient.private)
        clock.label = label.name
        draft.dropped[_UNNAMED] += found
    data = draft.data
    data["title"] = title
    course = _Course(draft)
    drawn: list[Row] = []  # (with a time: what the axis spans)
    for row in rows:
        ongoing = is_ongoing(row.end)
        if clock.mode != "keep" and _TEXT_DATE.search(_texts(row)):
            row, found = clock.scrubbed(row)
            draft.dropped["dates written in text (given as days, or as [date])"] += found
        if private is not None and private.search(_texts(row)):
            row, found = _unnamed(row, private, patient.private)
            draft.dropped[_UNNAMED] += found
        if row.start is not None and row.kind not in ("day0", "title", "summary", "citation"):
            drawn.append(row)
        start = clock.write(row.start) if row.start is not None else None
        end = None
        if row.end is not None and not ongoing:
            end = clock.write(_month_end(row.start, row.end, clock.source_day0))
        place = _PLACES.get(row.kind)
        if place is not None:
            place(course, _Placed(row, start, end, ongoing))
    draft.hint = _far_off(
        [(clock.day(_read_time(row.start, clock.source_day0)), row) for row in drawn]
    )
    if patient.lanes:
        _share_rows(course.treatments)
    course.write(clock.day0())
    if patient.name is None and "note" not in data.get("source", {}):  # (not a case table's)
        data["source"] = {
            **data.get("source", {}),
            "note": f"Imported from {origin}. {clock.note()}",
        }
    draft.data, cut = _cut(data)
    if cut:
        draft.dropped[f"texts longer than {_LONGEST} characters (abbreviations 40), cut"] += cut
    return draft


def _kept(patient: SourcePatient, options: Options, draft: Draft) -> list[Row]:
    """The rows chosen and placeable; each row left out counted in the draft, by reason."""
    rows: list[Row] = []
    for row in patient.rows:
        if options.only and not _matches(row, options.only):
            draft.dropped[f"{row.origin or row.kind} (not chosen by --only)"] += 1
        elif options.skip and _matches(row, options.skip):
            draft.dropped[f"{row.origin or row.kind} (left out by --skip)"] += 1
        # the model would refuse the case; and before day 0 is chosen, which it must not do
        # (a case without a day 0 may not mix dates with days, so none is needed to compare)
        elif _unplaced(row):
            draft.dropped[f"{row.origin or row.kind} with a time that cannot be placed"] += 1
        elif _ends_first(row, is_ongoing(row.end), patient.day0):
            draft.dropped[f"{row.origin or row.kind} ending before it starts"] += 1
        else:
            rows.append(row)
    return rows


@dataclass
class _Course:
    """A case's data as its rows are placed: the case's own keys in `draft.data`, and the
    items of each section gathered in order."""

    draft: Draft
    treatments: list[dict[str, Any]] = field(default_factory=list)
    merged: dict[tuple[object, ...], dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    series: dict[tuple[str, str | None], dict[str, Any]] = field(default_factory=dict)
    periods: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    patient: dict[str, Any] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)  # the case's keys a title row gives

    def write(self, day0: dict[str, Any] | None) -> None:
        """The sections gathered, written into the case's data in the case format's order."""
        data = self.draft.data
        if self.patient:
            data["patient"] = self.patient
        if self.diagnoses:
            data["diagnoses"] = self.diagnoses
        if day0:
            data["day0"] = day0
        for key, items in (
            ("treatments", self.treatments),
            ("events", self.events),
            ("measurements", list(self.series.values())),
            ("periods", self.periods),
        ):
            if items:
                data[key] = items
        if self.steps:
            data["teaching"] = {"steps": self.steps}
        for key, value in self.own.items():  # (the case's own note wins over the import's)
            mine = data.get(key)
            data[key] = {**mine, **value} if type(mine) is dict and type(value) is dict else value


@dataclass(frozen=True, slots=True)
class _Placed:
    """A row with its times as the case file writes them."""

    row: Row
    start: str | float | None
    end: str | float | None
    ongoing: bool


def _title(course: _Course, placed: _Placed) -> None:
    course.draft.data["title"] = placed.row.name
    course.own |= placed.row.more or {}  # (source: {doi: ...})


def _summary(course: _Course, placed: _Placed) -> None:
    course.draft.data["summary"] = placed.row.detail or placed.row.name


def _citation(course: _Course, placed: _Placed) -> None:
    data = course.draft.data
    data["source"] = {**data.get("source", {}), "citation": placed.row.name}


def _day0(course: _Course, placed: _Placed) -> None:
    """Read by the importer as the patient's day 0."""


def _follow_up(course: _Course, placed: _Placed) -> None:
    course.draft.data["follow_up"] = placed.start


def _patient_fact(course: _Course, placed: _Placed) -> None:
    row = placed.row
    course.patient[row.kind] = plain(row.value) if row.value is not None else row.name


def _diagnosis(course: _Course, placed: _Placed) -> None:
    """A diagnosis without a time is one of the case's diagnoses; with one, an event."""
    if placed.start is not None:
        _event(course, placed)
    elif placed.row.name not in course.diagnoses:
        course.diagnoses.append(placed.row.name)


def _treatment_row(course: _Course, placed: _Placed) -> None:
    start, end, ongoing = placed.start, placed.end, placed.ongoing
    _treatment(placed.row, start, end, ongoing, course.treatments, course.merged)
    course.draft.mapped["treatment entry"] += 1


def _event(course: _Course, placed: _Placed) -> None:
    row = placed.row
    event = _clean(
        {
            "at": placed.start,
            "end": placed.end,
            "kind": ROW_EVENT.get(row.kind, row.kind),
            "label": row.name or None,
        }
        | {"detail": row.detail, "note": row.note, "source": row.source}
    )
    course.events.append(event | (row.more or {}))
    course.draft.mapped["event"] += 1


def _measurement(course: _Course, placed: _Placed) -> None:
    row = placed.row
    item = course.series.get((row.name, row.unit))
    if item is None:
        item = course.series[(row.name, row.unit)] = _clean(
            {"name": row.name, "abbr": row.abbr, "unit": row.unit, "values": []}
        )
    if row.note and "note" not in item:
        item["note"] = row.note
    if row.source and "source" not in item:
        item["source"] = row.source
    for key, value in (row.more or {}).items():
        item.setdefault(key, value)
    item["values"].append([placed.start, plain(row.value)])
    course.draft.mapped["measured value"] += 1


def _period(course: _Course, placed: _Placed) -> None:
    row = placed.row
    period = _clean(
        {"from": placed.start, "to": placed.end, "label": row.name or None, "note": row.note}
    )
    course.periods.append(period | (row.more or {}))


def _step(course: _Course, placed: _Placed) -> None:
    row = placed.row
    course.steps.append(
        _clean({"at": placed.start, "title": row.name or None, "question": row.question})
        | _clean({"answer": row.detail, "note": row.note})
    )


# Where each kind of row goes in the case; a kind not here adds nothing.
_PLACES: dict[str, Callable[[_Course, _Placed], None]] = {
    **dict.fromkeys((*EVENT_KINDS, *ROW_EVENT), _event),
    # (a kind that is also an event's is placed as its own: a procedure is a treatment)
    **dict.fromkeys(TREATMENT_KINDS, _treatment_row),
    "diagnosis": _diagnosis,
    "title": _title,
    "summary": _summary,
    "citation": _citation,
    "day0": _day0,
    "follow-up": _follow_up,
    "age": _patient_fact,
    "sex": _patient_fact,
    "measurement": _measurement,
    "period": _period,
    "step": _step,
}


_WRITTEN_NUMBER = re.compile(rf"(~?)\s*({BARE_NUMBER.pattern})")


def in_days(text: str) -> str:
    """A time as written, a bare number of days ('9', '~9') said to be days ('day 9')."""
    match = _WRITTEN_NUMBER.fullmatch(text.strip())
    return f"{match.group(1)}day {_digits(float(match.group(2)))}" if match else text.strip()


def _digits(day: float) -> str:
    """A day offset with the digits it has (2234.91, not 2234.9), to the millionth."""
    return f"{day:.6f}".rstrip("0").rstrip(".") if day != int(day) else str(int(day))


def plain(value: Any) -> Any:
    """A number as a case file writes it: 60.0 and '60' as 60, '12.5' as 12.5; '~3', text and
    anything else as it is."""
    if isinstance(value, str) and BARE_NUMBER.fullmatch(value.strip()):
        number = float(value)
        return plain(number) if abs(number) < 1e15 else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _far_off(times: list[tuple[float, Row]]) -> str:
    """What to say when the first or last record lies years away from all the others (an old
    diagnosis of hypertension before a course of NMOSD): it squeezes the course into a corner."""
    if len(times) < 3:
        return ""
    times.sort(key=lambda pair: pair[0])
    span = times[-1][0] - times[0][0]
    for (day, row), (near, _), where in (
        (times[0], times[1], "before"),
        (times[-1], times[-2], "after"),
    ):
        gap = abs(near - day)
        if gap > 365 and gap > span / 2:
            years = format_number(round(gap / 365.25, 1))
            token = next((code for code in row.codes if " " not in code), row.origin or row.kind)
            remedy = "delete its row" if row.origin == "row" else f"--skip {token} leaves it out"
            return (
                f"{row.name or row.kind} lies {years} years {where} every other record and "
                f"squeezes the course into a corner of the chart ({remedy})"
            )
    return ""


def _month_end(start: TimeIn | None, end: TimeIn, day0: dt.date | None) -> TimeIn:
    """An end known only to the month its start falls in ('2014-03' after 2014-03-05) placed
    on that month's last day, approximate: on its first it would end before it starts."""
    if start is None:
        return end
    first, last = _read_time(start, day0), _read_time(end, day0)
    if not last.month or last.date is None or first.date is None or last.date > first.date:
        return end
    if (last.date.year, last.date.month) != (first.date.year, first.date.month):
        return end
    days = calendar.monthrange(last.date.year, last.date.month)[1]
    return f"~{last.date.replace(day=days).isoformat()}"


# A date written in free text: ISO (2015-02-21, or 2015-2-21 as a case file may write it),
# day.month.year or month/day/year, or with a month's name (21 Feb 2015, February 21, 2015);
# a text is searched only when it has digits.
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_TEXT_DATE = re.compile(
    r"\b(?P<iso>\d{4}-\d{1,2}-\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b"
    r"|\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b"
    rf"|\b\d{{1,2}}\.? {_MONTH_NAME} \d{{4}}\b|\b{_MONTH_NAME} \d{{1,2}},? \d{{4}}\b",
    re.IGNORECASE,
)
# (every text of a row: a date in a drug's row label or a unit is as telling as in a detail)
_TEXT_FIELDS: tuple[str, ...] = ("name", "detail", "note", "source", "question", "dose", "abbr")
_TEXT_FIELDS += ("klass", "lane", "unit", "every", "more")


def _texts(row: Row) -> str:
    return " ".join(map(str, (getattr(row, name) or "" for name in _TEXT_FIELDS)))


_UNNAMED = "the patient's names, numbers and addresses in text (given as [name], ...)"


def _private(words: dict[str, str]) -> re.Pattern[str] | None:
    """One pattern finding any of `words` as a whole word, whatever its case; None for none."""
    if not words:
        return None
    longest_first = sorted(words, key=len, reverse=True)  # ('Hanako Tanaka' before 'Tanaka')
    return re.compile(
        r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)", re.IGNORECASE
    )


def _unnamed(row: Row, private: re.Pattern[str], words: dict[str, str]) -> tuple[Row, int]:
    """The row with each of `words` in its texts given as its stand-in, and how many there were."""
    found = 0

    def instead(match: re.Match[str]) -> str:
        nonlocal found
        found += 1
        return words.get(match.group(0).lower(), "[name]")

    texts: dict[str, Any] = {
        name: _within(value, lambda text: private.sub(instead, text))
        for name in _TEXT_FIELDS
        if isinstance(value := getattr(row, name), str | dict)
    }
    return dataclasses.replace(row, **texts), found


def _within(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` made to each text in it, in lists and mappings too (`more`)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _within(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_within(item, change) for item in value]
    return value


def is_ongoing(end: object) -> bool:
    """Whether an end cell or field says the item goes on ('ongoing', 'Ongoing')."""
    return isinstance(end, str) and end.strip().lower() == "ongoing"


def _unplaced(row: Row) -> bool:
    """Whether a time of the row cannot be read at all (NaN, infinite, a study day of
    centuries); every importer's rows pass here, a table's were checked as they were read."""
    return any(
        check_time(time) is not None
        for time in (row.start, row.end)
        if time is not None and not is_ongoing(time)
    )


def _near_the_rest(rows: list[Row], draft: Draft) -> list[Row]:
    """The rows without a date more than 200 years from the middle of the others: hospital
    exports write 0001-01-01 and 9999-12-31 for a date not known, and one such row would
    otherwise become day 0, or cost the case, since no case spans 200 years."""
    dates = sorted(
        when.date
        for row in rows
        for time in (row.start, row.end)
        if time is not None
        and not is_ongoing(time)
        and (when := _read_time(time, None)).calendar
        and when.date is not None
    )
    if not dates or (dates[-1] - dates[0]).days <= MAX_DAYS:
        return rows
    middle = dates[len(dates) // 2]

    def far(row: Row) -> bool:
        for time in (row.start, row.end):
            if time is None or is_ongoing(time):
                continue
            when = _read_time(time, None)
            if (
                when.calendar
                and when.date is not None
                and abs((when.date - middle).days) > MAX_DAYS
            ):
                return True
        return False

    kept = [row for row in rows if not far(row)]
    draft.dropped["rows dated centuries from the others (0001-01-01, 9999-12-31: a date not "
                  "known?)"] += len(rows) - len(kept)  # fmt: skip
    return kept


def _ends_first(row: Row, ongoing: bool, day0: dt.date | None) -> bool:
    if row.start is None or row.end is None or ongoing:
        return False
    return order_problem(row.start, row.end, day0) is not None


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if value is not None and value != ""}


_LONGEST = 4000  # characters of a text in a case file
_LONGEST_UNDER = {"abbr": 40}  # (a row label)


def _cut(data: Any, key: str = "") -> tuple[Any, int]:
    """`data` with each text longer than the case format holds cut at its limit with '…',
    and how many were cut: said in the header, never done silently."""
    if isinstance(data, str):
        longest = _LONGEST_UNDER.get(key, _LONGEST)
        return (data[: longest - 1] + "…", 1) if len(data) > longest else (data, 0)
    if isinstance(data, dict):
        pairs = {name: _cut(value, name) for name, value in data.items()}
        total = sum(count for _, count in pairs.values())
        return {name: value for name, (value, _) in pairs.items()}, total
    if isinstance(data, list):
        items = [_cut(value, key) for value in data]
        return [value for value, _ in items], sum(count for _, count in items)
    return data, 0


def _treatment(
    row: Row,
    start: str | float | None,
    end: str | float | None,
    ongoing: bool,
    treatments: list[dict[str, Any]],
    merged: dict[tuple[object, ...], dict[str, Any]],
) -> None:
    taper = row.value is not None and start is not None
    common = _clean(
        {"drug": row.name, "abbr": row.abbr, "class": row.klass}
        | {"kind": row.kind if row.kind != "drug" else None, "dose": row.dose, "unit": row.unit}
        | {"lane": row.lane, "note": row.note if taper else row.note or row.detail}
        | {"source": row.source}
    ) | (row.more or {})
    # rows of one drug alike in all but their times are one treatment's courses or doses
    alike = tuple(sorted((key, repr(value)) for key, value in common.items()))
    if taper:  # a taper step (the row's detail is that dose's note); an end ends the taper
        steps = merged.get((row.kind, "taper", alike))
        if steps is None:
            steps = merged[(row.kind, "taper", alike)] = common | {"doses": []}
            treatments.append(steps)
        steps["doses"].append(_clean({"at": start, "dose": plain(row.value), "note": row.detail}))
        if end is not None:
            steps["end"] = end
    elif end is not None or ongoing or start is None:
        item = common | _clean({"start": start, "end": end, "every": row.every})
        if ongoing:
            item["ongoing"] = True
        treatments.append(item)
    else:  # one administration: the courses of one drug share an item
        given = merged.get((row.kind, "given", alike))
        if given is None:
            given = merged[(row.kind, "given", alike)] = common | {"given": []}
            treatments.append(given)
        given["given"].append(start)


def _share_rows(treatments: list[dict[str, Any]]) -> None:
    counts = Counter(item["drug"] for item in treatments)
    for item in treatments:
        if counts[item["drug"]] > 1 and "lane" not in item:
            item["lane"] = item.get("abbr") or item["drug"]
