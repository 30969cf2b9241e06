"""FHIR R4 exports (a Bundle, or the NDJSON files of a bulk export) -> patients' rows:
`reader` reads the resources, `fields` their datatypes, `medications` the drugs' doses."""

from __future__ import annotations

from dashboard.importers.fhir.reader import read_fhir

__all__ = ["read_fhir"]
