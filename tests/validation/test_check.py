"""``run_check``: the demo corpus conforms; every deliberately broken item is caught by the
rule it was written to break, and only the file's items are reported."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from service.config import Settings
from service.store import Store
from service.validation.check import CheckReport, format_text, run_check

REPO = Path(__file__).resolve().parents[2]
BROKEN = REPO / "data" / "demo" / "broken.trig"

# Each broken item and the shape it was written to break (see the comments in broken.trig).
EXPECTED = {
    "nkk:trasig-saknar-titel": "KnowledgeResource-title",
    "nkk:trasig-tva-titlar": "KnowledgeResource-title",
    "nkk:trasig-http-adress": "KnowledgeResource-url",
    "nkk:trasig-ogiltigt-datum": "KnowledgeResource-issued",
    "nkk:trasig-andrad-fore-publicering": "KnowledgeResource-issuedNotAfterModified",
    "nkk:trasig-fel-malgrupp": "KnowledgeResource-audience",
    "nkk:trasig-saknar-innehallstyp": "KnowledgeProduct-contentType",
    "nkk:trasig-granskad-i-framtiden": "KnowledgeResource-noFutureDates",
    "nkk:trasig-for-lang-sammanfattning": "KnowledgeResource-summary",
    "nkk:trasig-avsnitt-utan-helhet": "Section-isPartOf",
    "region-12:trasig-tva-regioner": "RegionalSupplement-region",
    "region-12:trasig-utan-kompletterar": "RegionalSupplement-supplements",
    "region-12:trasig-fel-utgivare": "RegionalSupplement-publisherRegion",
}


@pytest.fixture(scope="module")
def demo_report(demo_store: Store, settings: Settings) -> CheckReport:
    return run_check(demo_store, settings, reasoner=False)


@pytest.fixture(scope="module")
def broken_report(demo_store: Store, settings: Settings) -> CheckReport:
    return run_check(demo_store, settings, [BROKEN], reasoner=False)


def test_demo_corpus_conforms_to_the_shapes(demo_report: CheckReport) -> None:
    assert demo_report.shapes.conforms
    assert [v.identifier or v.focus_node for v in demo_report.content.violations()] == []
    assert demo_report.ok
    assert demo_report.resources_checked >= 400


def test_overdue_reviews_are_warnings_not_errors(demo_report: CheckReport) -> None:
    warnings = demo_report.content.warnings()
    assert len(warnings) >= 20
    rules = {w.shape.rsplit("/", 1)[-1] for w in warnings}
    assert rules <= {
        "KnowledgeResource-nextReviewPassed",
        "KnowledgeResource-reviewIntervalExceeded",
    }
    assert all(w.message_sv and w.message_en for w in warnings)


def test_every_broken_item_breaks_its_rule(broken_report: CheckReport) -> None:
    found: dict[str, set[str]] = defaultdict(set)
    for result in broken_report.content.violations():
        found[result.identifier or result.focus_node].add(result.shape.rsplit("/", 1)[-1])
    for item, shape in EXPECTED.items():
        assert shape in found[item], f"{item}: expected {shape}, got {sorted(found[item])}"
    assert not broken_report.ok


def test_only_the_files_items_are_reported(broken_report: CheckReport) -> None:
    reported = {r.identifier for r in broken_report.content.results}
    assert reported <= set(EXPECTED)
    assert broken_report.resources_checked == len(EXPECTED)


def test_text_report_names_item_field_rule_and_fix(broken_report: CheckReport) -> None:
    text = format_text(broken_report)
    assert "✗ nkk:trasig-http-adress" in text
    assert "Fält:    kanonisk adress (ks:url)" in text
    assert "Regel:   kss:KnowledgeResource-url" in text
    assert "https://" in text.split("✗ nkk:trasig-http-adress", 1)[1].split("✗", 1)[0]
    assert text.rstrip().endswith("UNDERKÄND")
