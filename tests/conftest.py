"""Shared fixtures: the project's folders and the case files it ships."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMELINES = ROOT / "timelines"
INVALID = Path(__file__).resolve().parent / "data" / "invalid"
CASE_FILES = sorted(TIMELINES.glob("*.yaml"))
INVALID_FILES = sorted(INVALID.glob("*.yaml"))
