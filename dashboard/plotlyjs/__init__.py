"""The plotly.js every page, site, deck, image and dashboard route draws figures with.

Not plotly's full bundle (4.8 MB, with maps, 3-D and WebGL traces no figure here uses) but
one built for these figures from plotly.js's own sources (`plotlyjs/` at the root of the
repository): the trace types `scatter` and `bar` and the parts of the core the figures use
(axes of every type, shapes, annotations, hover, legends), about a fifth of the size, so
that a standalone page is light enough to be mailed. Its version is the one the installed
plotly (Python) builds figures for; `files/README.md` records how the file was built, and
`files/LICENSE-plotly.js.txt` is its licence (MIT).
"""

from __future__ import annotations

import functools
from pathlib import Path

FILE = Path(__file__).resolve().parent / "files" / "plotly-course.min.js"
VERSION = "4.1.1"
TRACE_TYPES = frozenset({"scatter", "bar"})  # what the bundle can draw


@functools.cache
def plotly_js() -> str:
    """The bundle's text, to be inlined in a page or served as one file."""
    return FILE.read_text(encoding="utf-8")
