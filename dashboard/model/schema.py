"""The case file format as JSON Schema, for editors (VS Code's YAML extension) and tools."""

from __future__ import annotations

from typing import Any

from dashboard.model.case import Case

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file, as written (aliases such as `class` and `from`)."""
    schema = Case.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema}
