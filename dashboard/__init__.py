"""clinical-course: clinical-course figures from small YAML case files.

The package is built in layers, each importing only the layers below it, at module level
or inside a function:

    __main__ -> cli -> cli_import -> app -> export -> series -> facts
    -> catalogue | importers -> figure | describe | dates -> load -> problems -> i18n
    -> model | fonts | cells | plotlyjs | workers

Parts written side by side (`figure | describe | dates`) do not import each other. `model`
is the case schema and its times; `fonts` ships the fonts every output draws with and
measures text in them; `plotlyjs` ships the plotly.js bundle that draws them; `workers`
spreads many files over one worker process per core; `i18n` the program's own words in the
case's language; `load` turns files into cases; `series` builds the figures, captions and
outcomes of case series; `export` writes every file (case and series pages, images, the
site, the decks); `app` and `cli` only present. `cells` keeps the text of every table
written for spreadsheets from running as a formula. The contracts in pyproject.toml
(import-linter) hold the package to this order, and `tests/test_architecture.py` runs them.
"""

from __future__ import annotations

__version__ = "0.1.0"
