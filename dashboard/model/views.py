"""The words a view is chosen by: one `Literal` each, the tuples derived from it, so that the
case and series formats, the figure, the dashboard and the command line offer the same choices.

Light on purpose: the command line builds its choices from here without loading plotly.
"""

from __future__ import annotations

from typing import Literal, get_args

from dashboard.model.times import Unit

Theme = Literal["screen", "print", "slides"]
THEMES: tuple[Theme, ...] = get_args(Theme)

# The time axis of a case figure: a unit from day 0, or calendar dates.
AxisName = Literal[Unit, "date"]
AXES: tuple[AxisName, ...] = get_args(AxisName)

# The time axis of a teaching slide: the whole course, or the span of its step.
AxisSpan = Literal["course", "step"]
AXIS_SPANS: tuple[AxisSpan, ...] = get_args(AxisSpan)

# A series drawn as aligned rows, one per case, or as the cases' own figures stacked.
SeriesView = Literal["series", "panels"]
SERIES_VIEWS: tuple[SeriesView, ...] = get_args(SeriesView)

Sort = Literal["id", "anchor", "follow-up", "relapses", "arr-before", "arr-after"]
SORTS: tuple[Sort, ...] = get_args(Sort)

Group = Literal["none", "diagnosis"]
GROUPS: tuple[Group, ...] = get_args(Group)
