"""clinical-course: clinical-course figures from small YAML case files."""

from __future__ import annotations

__version__ = "0.1.0"
