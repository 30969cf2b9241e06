"""Every output a valid case can become, built in one call (for the corpus and fuzz tests)."""

from __future__ import annotations

import json
from pathlib import Path

from dashboard.describe import caption, course_account, items_frame
from dashboard.export.deck import deck_html
from dashboard.export.page import case_page
from dashboard.figure import figure_spec
from dashboard.model import Case


def every_output(case: Case, case_id: str = "case", pptx: Path | None = None) -> dict[str, str]:
    """The figure, the page, the deck, the caption, the account and the table of `case`;
    the PowerPoint deck too when `pptx` names a file to write."""
    figure = figure_spec(case)
    outputs = {
        "figure": json.dumps(figure),
        "page": case_page(case, figure),
        "deck": deck_html(case, case_id=case_id),
        "caption": caption(case),
        "account": "\n".join(course_account(case)),
        "table": items_frame(case).to_csv(index=False),
    }
    if pptx is not None:
        from dashboard.export.pptx_deck import write_pptx

        outputs["pptx"] = str(write_pptx(case, pptx))
    return outputs
