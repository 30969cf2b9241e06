"""The case schema and its times: YAML data in, a validated, frozen `Case` out."""

from __future__ import annotations

from dashboard.model.case import (
    EVENT_KINDS,
    MARKERS,
    Axis,
    Case,
    Day0,
    DoseStep,
    Event,
    Measurement,
    Patient,
    Period,
    Point,
    Source,
    Step,
    Teaching,
    Treatment,
)
from dashboard.model.language import LANGUAGES
from dashboard.model.times import (
    UNIT_DAYS,
    Time,
    format_date,
    format_number,
    read_number,
    validate_time,
)

__all__ = [
    "EVENT_KINDS",
    "LANGUAGES",
    "MARKERS",
    "UNIT_DAYS",
    "Axis",
    "Case",
    "Day0",
    "DoseStep",
    "Event",
    "Measurement",
    "Patient",
    "Period",
    "Point",
    "Source",
    "Step",
    "Teaching",
    "Time",
    "Treatment",
    "format_date",
    "format_number",
    "read_number",
    "validate_time",
]
