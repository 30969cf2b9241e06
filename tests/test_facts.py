"""The facts of a case and a series, composed once, and the templates that show them."""

from __future__ import annotations

from pathlib import Path

from dashboard.app.routes import missing_html
from dashboard.export.page import citation_html, facts_html
from dashboard.facts import case_facts
from dashboard.load import load_case, parse_case
from dashboard.series.facts import series_facts
from dashboard.series.load import load_series
from tests.conftest import TIMELINES

SERIES = Path(__file__).parent / "data" / "series"


def test_case_facts_compose_day0_citation_and_patient() -> None:
    facts = case_facts(load_case(TIMELINES / "lauenstein-2014.yaml"))
    assert facts.day0 == "brainstem attack (Jan 2010)"
    assert facts.citation is not None and facts.citation.doi is not None
    assert facts.citation.doi.href == f"https://doi.org/{facts.citation.doi.text}"
    assert facts.facts[-1] == ("Day 0", "brainstem attack (Jan 2010)")


def test_hostile_text_is_escaped_in_every_template() -> None:
    case = parse_case(
        "title: x\npatient: {note: '<img src=x onerror=alert(1)>'}\n"
        "source: {citation: '<script>x</script>', doi: '10.1/\"><script>'}\n"
    )
    html = citation_html(case) + facts_html(case)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'href="https://doi.org/10.1/%22%3E%3Cscript%3E"' in html
    page = missing_html("<b>id</b>")
    assert "<code>&lt;b&gt;id&lt;/b&gt;</code>" in page


def test_series_facts() -> None:
    facts = series_facts(load_series(SERIES / "il6.series.yaml"))
    assert facts.anchor == "Start of IL-6 receptor antibody"
    assert [case_id for case_id, _ in facts.cases] == ["alpha", "beta", "gamma", "delta"]
    assert facts.invalid == ("broken",)
    assert "ARR 2.7 before vs 0.9 on treatment" in facts.caption
