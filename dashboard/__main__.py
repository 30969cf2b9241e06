"""`python -m dashboard` runs the `clinical-course` command."""

from __future__ import annotations

from dashboard.cli import main

if __name__ == "__main__":
    main()
