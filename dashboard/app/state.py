"""The view of a case page as its URL holds it: read defensively, written back canonically.

`/case/<id>?axis=date&theme=print&reveal=day%2012&hide=Platelets&window=-10,200`. Everything a
user can change on the page lives here, so a reload, a shared link or the back button gives
the same view, and the server keeps no per-user state. A value that does not make sense for
the case is dropped (the default is used); reading a URL never fails.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from dash import Input, State
from pydantic_core import PydanticCustomError

from dashboard.figure import AXES, THEMES, FigureOptions
from dashboard.model import UNIT_DAYS, Case, Time, validate_time
from dashboard.model.times import DAY0_DATE, MAX_DAYS

MAX_SEARCH = 2000  # characters of a query string worth reading
MAX_FIELDS = 60
MAX_TIME_TEXT = 40
EVERYTHING = "all"  # the reveal control's value for "show the whole course"
CHART_WIDTHS = (200, 8000)  # px: a chart width measured outside these is not believed


@dataclass(frozen=True, slots=True)
class View:
    """What a case page shows; None and () mean the case's own default."""

    axis: str | None = None
    theme: str = "screen"
    hide: tuple[str, ...] = ()
    reveal: str | None = None  # a case time as written: "day 12", "week 3", "2015-06-01"
    window: tuple[float, float] | None = None  # from, to in days


def default_axis(case: Case) -> str:
    """The axis a case opens with: its own `axis.unit`, else one that suits its length."""
    return case.default_unit


def shown_axis(view: View, case: Case) -> str:
    """The axis a view draws: the one it names, else the case's own."""
    return view.axis or default_axis(case)


def axis_choices(case: Case) -> list[str]:
    """The axes a case can be drawn on; calendar dates only when day 0 has a date."""
    return [axis for axis in AXES if axis != "date" or case.day0_date is not None]


def panel_names(case: Case) -> list[str]:
    """The panels a user may hide, top to bottom, as `build_figure(hide=...)` names them."""
    names = ["treatments"] if case.treatments else []
    names += ["events"] if case.events else []
    for measurement in case.measurements:
        if measurement.panel_name not in names:
            names.append(measurement.panel_name)
    return names


def read_time(text: str, case: Case) -> Time | None:
    """A time written in a URL, placed against the case's day 0; None when it cannot be read."""
    text = text.strip()
    if not text or len(text) > MAX_TIME_TEXT:
        return None
    token = DAY0_DATE.set(case.day0_date)
    try:
        time = validate_time(text)
    except (PydanticCustomError, ValueError, OverflowError):
        return None
    finally:
        DAY0_DATE.reset(token)
    return time if math.isfinite(time.day) else None


def time_text(time: Time) -> str:
    """How a time is written in the URL and the reveal control: as the file wrote it, no '~'."""
    return time.text.lstrip("~").strip()


def query_fields(search: str | None) -> dict[str, list[str]]:
    """The fields of a page's query string, read no further than a view can need: the case
    and series pages alike, so that no address can make either read more."""
    text = (search or "").lstrip("?")[:MAX_SEARCH]
    try:
        return parse_qs(text, max_num_fields=MAX_FIELDS)
    except ValueError:  # more fields than anyone writes by hand
        return {}


def first_field(fields: dict[str, list[str]], key: str) -> str:
    """The first value of a query field, trimmed; '' when there is none."""
    values = fields.get(key) or [""]
    return values[0].strip()


def _window(text: str) -> tuple[float, float] | None:
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        start, end = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(start) and math.isfinite(end)):
        return None
    # A link may not ask for more than a case may hold (times lie within 200 years of day 0).
    start, end = max(start, -MAX_DAYS), min(end, MAX_DAYS)
    return (start, end) if start < end else None


def parse_view(search: str | None, case: Case) -> View:
    """The view a query string asks for; anything unreadable or unknown falls back to default."""
    fields = query_fields(search)
    axis = first_field(fields, "axis")
    theme = first_field(fields, "theme")
    panels = panel_names(case)
    hidden = {name for name in fields.get("hide", []) if name in panels}
    reveal = first_field(fields, "reveal")
    return View(
        axis=axis if axis in axis_choices(case) and axis != default_axis(case) else None,
        theme=theme if theme in THEMES else "screen",
        hide=tuple(name for name in panels if name in hidden),
        reveal=reveal if read_time(reveal, case) is not None else None,
        window=_window(first_field(fields, "window")),
    )


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


def format_view(view: View) -> str:
    """The query string of a view ('' for the default view), defaults left out."""
    fields: list[tuple[str, str]] = []
    if view.axis is not None:
        fields.append(("axis", view.axis))
    if view.theme != "screen":
        fields.append(("theme", view.theme))
    if view.reveal is not None:
        fields.append(("reveal", view.reveal))
    if view.window is not None:
        fields.append(("window", f"{_number(view.window[0])},{_number(view.window[1])}"))
    fields += [("hide", name) for name in view.hide]
    return "?" + urlencode(fields, safe=",~", quote_via=quote) if fields else ""


def with_control(view: View, case: Case, control: str, value: Any) -> View:
    """The view after one control changed, checked as strictly as a URL.

    Controls edit only their own part of the view; a control without a value yet (None,
    while the page is being built) changes nothing.
    """
    if value is None and control not in ("window-from", "window-to"):
        return view
    if control == "axis" and value in axis_choices(case):
        view = replace(view, axis=value)
    elif control == "theme" and value in THEMES:
        view = replace(view, theme=value)
    elif control == "panels" and isinstance(value, list):
        view = replace(view, hide=tuple(name for name in panel_names(case) if name not in value))
    elif control == "reveal" and value == EVERYTHING:
        view = replace(view, reveal=None)
    elif control == "reveal" and isinstance(value, str) and read_time(value, case) is not None:
        view = replace(view, reveal=value)
    elif control in ("window-from", "window-to"):
        view = replace(view, window=_window_edit(view, case, control, value))
    return parse_view(format_view(view), case)


def _window_edit(view: View, case: Case, control: str, value: Any) -> tuple[float, float] | None:
    """The window with one end set (or cleared), written in the axis' unit (a date on a
    dates axis); the other end stays, or is the course's."""
    low, high = view.window or case.span
    day = window_day(value, shown_axis(view, case), case)
    if day is None:
        return None  # an end cleared or unreadable: the whole course again
    start = day if control == "window-from" else low
    end = day if control == "window-to" else high
    return float(start), float(end)


def window_day(value: Any, axis: str, case: Case) -> float | None:
    """A window end as typed (a number in the axis' unit, or a date on a dates axis) in days."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if axis == "date" and case.day0_date is not None:
        try:
            return float((dt.date.fromisoformat(text) - case.day0_date).days)
        except ValueError:
            pass
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return number * (1.0 if axis == "date" else UNIT_DAYS[axis])


def window_text(day: float, axis: str, case: Case) -> str:
    """A window end in days as the control shows it: in the axis' unit, a date on dates."""
    if axis == "date" and case.day0_date is not None:
        return (case.day0_date + dt.timedelta(days=round(day))).isoformat()
    value = day / (1.0 if axis == "date" else UNIT_DAYS[axis])
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def figure_options(view: View, case: Case, *, width: int | None = None) -> FigureOptions:
    """The view as the figure's frozen options, the figure cache's key; `width`: the chart's
    width in the browser, which its labels are placed for."""
    reveal = read_time(view.reveal, case) if view.reveal is not None else None
    return FigureOptions.of(
        axis=shown_axis(view, case),
        theme=view.theme,
        hide=view.hide,
        reveal=reveal.day if reveal is not None else None,
        window=view.window,
        width=width,
        fluid=True,  # the chart fills its card in every look
    )


def chart_width(value: Any) -> int | None:
    """The chart's width as the browser measured it, when it is a width a screen can have."""
    if not _is_number(value) or not CHART_WIDTHS[0] <= value <= CHART_WIDTHS[1]:
        return None
    return int(value)


WINDOW_ENDS = ("window-from", "window-to")


def view_dependencies(url: str, stamp: str, controls: Sequence[str]) -> dict[str, Any]:
    """What a page's view callback reads, by name: its address (`search`, and the `pathname`
    as state), the stamp of its files (`_stamp`) and its `controls`' values."""
    return {
        "inputs": {
            "search": Input(url, "search"),
            "_stamp": Input(stamp, "data"),
            "controls": {name: Input(name, "value") for name in controls},
        },
        "state": {"pathname": State(url, "pathname")},
    }


def edited_controls(
    triggered: Iterable[str], controls: Mapping[str, Any], together: Sequence[str]
) -> list[str]:
    """The controls a callback must apply: those that changed, and with either end of a
    window both of them, so that two quick edits (the address not yet updated by the first)
    cannot undo each other."""
    edited = [name for name in (prop.rsplit(".", 1)[0] for prop in triggered) if name in controls]
    if any(name in together for name in edited):
        edited = [name for name in edited if name not in together] + list(together)
    return edited
