"""``run_check``: the demo corpus conforms; every deliberately broken item is caught by the
rule it was written to break, and only the file's items are reported."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from service.cli import main
from service.config import Settings
from service.store import Store
from service.validation.check import (
    CheckReport,
    format_html,
    format_json,
    format_text,
    run_check,
    run_check_since,
)

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


# --- The quality report: sections, severities, formats, --since -----------------------------


def test_report_has_the_quality_sections_and_passes_on_the_demo(demo_report: CheckReport) -> None:
    keys = [section.key for section, _found in demo_report.sections]
    assert keys[:3] == ["skos", "model", "governance"]
    found = {section.key: found for section, found in demo_report.sections}
    assert [f for f in found["skos"] if f.severity == "error"] == []
    # Overdue reviews come once per source, listing the items the freshness shapes warned about.
    overdue = [f for f in found["governance"] if f.rule == "review-overdue"]
    assert sum(len(f.related) for f in overdue) == len(demo_report.content.warnings())
    assert all(f.related and all(i.startswith(f.subject + ":") for i in f.related) for f in overdue)
    assert {f.severity for f in found["model"]} <= {"info"}
    assert demo_report.counts()["error"] == 0
    assert not demo_report.failed("error") and demo_report.failed("warning")


def test_json_report_lists_findings_per_section(broken_report: CheckReport) -> None:
    data = json.loads(format_json(broken_report))
    assert data["ok"] is False
    assert data["counts"]["error"] >= len(EXPECTED)
    assert {s["key"] for s in data["sections"]} >= {"skos", "model", "governance"}
    item = next(v for v in data["violations"] if v["item"] == "nkk:trasig-http-adress")
    assert item["message"]["sv"] and item["message"]["en"]


def test_html_report_is_self_contained(broken_report: CheckReport) -> None:
    page = format_html(broken_report)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    assert "UNDERKÄND" in page and "nkk:trasig-http-adress" in page
    assert_self_contained(page)


def assert_self_contained(page: str) -> None:
    """No scripts, stylesheets, images, frames or fonts fetched from anywhere."""
    lowered = page.lower()
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in lowered, tag
    assert re.findall(r'\ssrc="', lowered) == []


def test_cli_html_report_to_a_file_and_fail_on_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_STORE", "memory")
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path))
    cases = REPO / "shapes" / "cases"
    overdue = cases / "KnowledgeResource-nextReviewPassed" / "invalid.ttl"
    out = tmp_path / "report.html"
    args = ["check", "--no-reasoner", "--format", "html", "-o", str(out)]
    # The item's review is overdue: a warning, which fails the check only with --fail-on warning.
    assert main([*args, "--fail-on", "warning", str(cases / "_reference.ttl"), str(overdue)]) == 1
    page = out.read_text(encoding="utf-8")
    assert "review-overdue" in page and "nkk:kol" in page
    assert_self_contained(page)


def test_since_reports_only_what_the_change_introduced(tmp_path: Path, empty_store: Store) -> None:
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("cases"))
    shutil.copytree(REPO / "data" / "demo" / "codes", tmp_path / "data" / "demo" / "codes")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "before"], cwd=tmp_path, check=True)
    audience = tmp_path / "ontology" / "vocabularies" / "audience.ttl"
    text = audience.read_text(encoding="utf-8")
    # A second Swedish preferred label on one concept: a new SKOS error.
    audience.write_text(
        text.replace('"Läkare"@sv', '"Läkare"@sv, "Doktor"@sv', 1), encoding="utf-8"
    )
    settings = Settings(
        store="memory",
        data_dir=tmp_path / "var",
        ontology_dir=tmp_path / "ontology",
        shapes_dir=tmp_path / "shapes",
        demo_dir=tmp_path / "data" / "demo",
    )
    introduced_only = run_check_since(empty_store, settings, "HEAD", reasoner=False)
    assert introduced_only.since == "HEAD"
    new = [(f.rule, f.subject) for f in introduced_only.findings()]
    assert new == [("skos-ambiguous-preflabel", "https://kunskapsgraf.se/vocab/audience/lakare")]
    # Findings that were there before (the ATC duplicates, unused terms) are left out.
    assert introduced_only.failed("error")
    assert "sedan HEAD" in format_text(introduced_only)
