"""Dates as local spreadsheets and habits write them: day-first (01.02.2021), month-first
(2/1/2021) and year-first (2019/04/01, 2019年4月1日), read in a known order into the ISO date
a case file writes (2021-02-01).

One reader for every place that meets them: the import decides a column's order here, and a
case file's message suggests the ISO date from here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

DateOrder = Literal["dmy", "mdy", "ymd"]
DATE_ORDERS: tuple[DateOrder, ...] = get_args(DateOrder)
ORDER_WORDS: dict[DateOrder, str] = {
    "dmy": "day first",
    "mdy": "month first",
    "ymd": "year first",
}

# A time of day after the date (Excel writes '01.02.2021 00:00'): a case keeps only the day.
_CLOCK = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YEAR_LAST = re.compile(rf"(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}){_CLOCK}")
# (a month alone only with a slash, 2019/04: 2019.04 is a number of days)
_YEAR_FIRST = re.compile(rf"(\d{{4}})([./])(\d{{1,2}})\2(\d{{1,2}}){_CLOCK}|(\d{{4}})/(\d{{1,2}})")
_KANJI = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")


@dataclass(frozen=True, slots=True)
class LocalDate:
    """The numbers of a local date as written; `first` and `second` are day and month in
    an order the text alone may not tell (year-first dates tell: month, then day)."""

    year: int
    first: int
    second: int  # 0: a month without its day (2019/04, 2019年4月)
    year_first: bool
    approx: bool

    def order(self) -> DateOrder | None:
        """The order this date alone shows: a part above 12 cannot be the month."""
        if self.year_first:
            return "ymd"
        if self.first > 12 >= self.second:
            return "dmy"
        if self.second > 12 >= self.first:
            return "mdy"
        return None

    def iso(self, order: DateOrder) -> str | None:
        """'2021-02-01' (with its ~) read in `order`, or None when that order makes no date."""
        if self.year_first:
            month, day = self.first, self.second
        elif order == "dmy":
            day, month = self.first, self.second
        elif order == "mdy":
            month, day = self.first, self.second
        else:
            return None  # (a year-last date is not read year-first)
        mark = "~" if self.approx else ""
        if day == 0:
            return f"{mark}{self.year:04d}-{month:02d}" if 1 <= month <= 12 else None
        try:
            return mark + dt.date(self.year, month, day).isoformat()
        except ValueError:
            return None


def local_date(text: str) -> LocalDate | None:
    """The local date `text` is written as ('~ 01.02.2021', '2019年4月1日'), or None."""
    body = text.strip()
    approx = body.startswith("~")
    body = body.lstrip("~").strip()
    if len(body) > 40:  # (no date is longer: a long text is not looked through)
        return None
    if match := _YEAR_LAST.fullmatch(body):
        first, _, second, year = match.groups()
        return LocalDate(int(year), int(first), int(second), False, approx)
    if match := _YEAR_FIRST.fullmatch(body):
        year, _, month, day, year_alone, month_alone = match.groups()
        if year is None:
            year, month, day = year_alone, month_alone, None
        return LocalDate(int(year), int(month), int(day or 0), True, approx)
    if match := _KANJI.fullmatch(body):
        year, month, day = match.groups()
        return LocalDate(int(year), int(month), int(day or 0), True, approx)
    return None


def suggestion(text: str) -> str:
    """' (did you mean 2021-03-14?)' for a local date, naming both readings when its order
    cannot be told; '' for anything else."""
    found = local_date(text)
    if found is None:
        return ""
    order = found.order()
    if order is not None:
        iso = found.iso(order)
        return f" (did you mean {iso}?)" if iso else ""
    readings = [
        f"{iso} ({ORDER_WORDS[each]})" for each in ("dmy", "mdy") if (iso := found.iso(each))
    ]
    if len(set(readings)) == 1 or found.first == found.second:
        return f" (did you mean {found.iso('dmy')}?)"
    return f" (did you mean {' or '.join(readings)}?)" if readings else ""


@dataclass(frozen=True)
class ColumnOrder:
    """The order a set of cells is read in, and why, in words for the summary."""

    order: DateOrder | None  # None: every local date there is year-first, or there is none
    said: str  # 'day first: '14.03.2021' can only be 2021-03-14'


def column_order(
    cells: Iterable[str],
    asked: DateOrder | None,
    usual: tuple[DateOrder, str] | None,
    where: str,
) -> ColumnOrder:
    """The order of day and month in the local dates among `cells`: shown by their content (a
    day above 12 anywhere), else `asked` (--date-order), else `usual` (the file's language,
    with the reason in words). Raises ValueError naming `where` when the content contradicts
    itself or nothing decides."""
    shown: dict[DateOrder, tuple[str, LocalDate]] = {}
    first: tuple[str, LocalDate] | None = None
    for cell in cells:
        found = local_date(cell)
        if found is None or found.year_first:
            continue
        first = first or (cell.strip(), found)
        order = found.order()
        if order is not None:
            shown.setdefault(order, (cell.strip(), found))
    if first is None:
        return ColumnOrder(None, "")
    if len(shown) == 2:
        raise ValueError(
            f"{where}: {shown['dmy'][0]!r} can only be read day first and {shown['mdy'][0]!r} "
            "only month first; write the dates of one file in one order (or as 2021-02-01)"
        )
    if shown:
        ((order, (cell, found)),) = shown.items()
        return ColumnOrder(order, f"{ORDER_WORDS[order]}: {cell!r} can only be {found.iso(order)}")
    cell, found = first
    if asked == "ymd":
        raise ValueError(
            f"{where}: {cell!r} has its year last, not first as --date-order ymd says; name the "
            "order with --date-order dmy (day first) or --date-order mdy (month first)"
        )
    if asked is not None:
        reason = f"as --date-order {asked} says"
    elif usual is not None:
        asked, reason = usual
    else:
        raise ValueError(
            f"{where}: dates such as {cell!r} can be read day first or month first and no day "
            "above 12 shows which; name the order with --date-order dmy (day first) or "
            "--date-order mdy (month first)"
        )
    read = found.iso(asked) or "no date"
    return ColumnOrder(asked, f"{ORDER_WORDS[asked]} ({cell!r} as {read}), {reason}")
