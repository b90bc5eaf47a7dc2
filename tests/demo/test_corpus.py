"""Tests for the demo corpus in data/demo: freshness, size, shape and referential integrity.

The generated RDF (corpus/*.trig, codes/*.ttl) is loaded into a pyoxigraph store and counted
with SPARQL. SHACL conformance is tested elsewhere. The build script's own validation is tested
on small synthetic inputs in a temporary directory.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo"
BUILD = DEMO / "build.py"

KSG = "https://kunskapsgraf.se/graph/"
PREFIXES = """
PREFIX ks: <https://kunskapsgraf.se/ont/>
PREFIX ksv: <https://kunskapsgraf.se/vocab/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
RESOURCE_CLASSES = "ks:KnowledgeProduct ks:Section ks:Recommendation ks:RegionalSupplement"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store() -> ox.Store:
    st = ox.Store()
    corpus = sorted((DEMO / "corpus").glob("*.trig"))
    assert corpus, "no generated corpus: run `python data/demo/build.py`"
    for path in corpus:
        st.load(path=path, format=ox.RdfFormat.TRIG)
    for path in sorted((DEMO / "codes").glob("*.ttl")):
        graph = ox.NamedNode(f"{KSG}vocab/{path.stem}")
        st.load(path=path, format=ox.RdfFormat.TURTLE, to_graph=graph)
    return st


def select(st: ox.Store, query: str) -> list[dict[str, str]]:
    result = st.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows: list[dict[str, str]] = []
    for solution in result:
        row: dict[str, str] = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows


def count(st: ox.Store, query: str) -> int:
    rows = select(st, query)
    return int(rows[0]["n"])


def load_build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_build", BUILD)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_build"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------
# the generated files
# --------------------------------------------------------------------------------------------


def test_generated_files_are_up_to_date() -> None:
    proc = subprocess.run(
        [sys.executable, str(BUILD), "--check", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"build.py --check failed:\n{proc.stdout}\n{proc.stderr}"


def test_build_is_deterministic() -> None:
    build = load_build_module()
    first = build.build(DEMO)
    second = build.build(DEMO)
    assert not first.errors
    assert first.outputs == second.outputs


def test_broken_file_has_one_item_per_rule() -> None:
    text = (DEMO / "broken.trig").read_text(encoding="utf-8")
    st = ox.Store()
    st.load(input=text, format=ox.RdfFormat.TRIG)
    n = count(
        st,
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              GRAPH <{KSG}source/broken-demo> {{ ?s a ?type }}
              VALUES ?type {{ {RESOURCE_CLASSES} }} }}""",
    )
    rules = len(re.findall(r"^\s*# RULE:", text, flags=re.MULTILINE))
    assert n >= 10
    assert rules == n, f"{n} broken items but {rules} '# RULE:' comments"


# --------------------------------------------------------------------------------------------
# corpus size
# --------------------------------------------------------------------------------------------


def test_at_least_400_items_from_6_sources(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT (COUNT(DISTINCT ?r) AS ?items) (COUNT(DISTINCT ?src) AS ?sources) WHERE {{
              ?r a ?type ; ks:source ?src . VALUES ?type {{ {RESOURCE_CLASSES} }} }}""",
    )
    assert int(rows[0]["items"]) >= 400
    assert int(rows[0]["sources"]) >= 6


def test_at_least_40_conditions() -> None:
    assert len(list((DEMO / "content").glob("*.toml"))) >= 40


def test_at_least_30_supplements_from_5_regions(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?region) AS ?regions) WHERE {
              ?s a ks:RegionalSupplement ; ks:region ?region }""",
    )
    assert int(rows[0]["n"]) >= 30
    assert int(rows[0]["regions"]) >= 5


def test_exactly_one_source_is_not_approved(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?source ?status WHERE {
              ?source a ks:KnowledgeSource ; ks:currentApproval/ks:approvalStatus ?status .
              FILTER (?status NOT IN (<https://kunskapsgraf.se/vocab/approval-status/godkand>,
                  <https://kunskapsgraf.se/vocab/approval-status/godkand-villkor>)) }""",
    )
    assert len(rows) == 1, rows


def test_some_reviews_are_overdue(store: ox.Store) -> None:
    today = date.today().isoformat()
    n = count(
        store,
        f"""SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{
              ?r ks:nextReview ?next . FILTER (?next < "{today}"^^xsd:date) }}""",
    )
    assert n > 0


def test_structured_products_are_split_into_parts(store: ox.Store) -> None:
    """Guidelines, clinical knowledge supports and care programmes are answered at section or
    recommendation level (DOMAIN §4.1), so each of them must have parts; short single-page
    products (method descriptions, patient texts, drug lists) may stand alone."""
    rows = select(
        store,
        """SELECT ?p WHERE {
              ?p a ks:KnowledgeProduct ; ks:contentType ?type .
              VALUES ?type {
                  <https://kunskapsgraf.se/vocab/content-type/kliniskt-kunskapsstod>
                  <https://kunskapsgraf.se/vocab/content-type/nationell-riktlinje>
                  <https://kunskapsgraf.se/vocab/content-type/vardprogram> }
              FILTER NOT EXISTS { ?p ks:hasPart ?part } }
           ORDER BY ?p""",
    )
    assert [r["p"] for r in rows] == []
    split = select(
        store, "SELECT DISTINCT ?p WHERE { ?p a ks:KnowledgeProduct ; ks:hasPart ?part }"
    )
    assert len(split) >= 60


# --------------------------------------------------------------------------------------------
# referential integrity and shape of the generated RDF
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prop",
    [
        "publisher",
        "source",
        "supplements",
        "supplementsVersion",
        "approvedBy",
        "reviewer",
        "decidedBy",
        "licence",
        "currentVersion",
        "currentApproval",
        "hasPart",
        "isPartOf",
        "hasPatientInformation",
        "isBasedOn",
        "implements",
        "seeAlso",
        "references",
        "replaces",
        "subject",
    ],
)
def test_reference_targets_resolve(store: ox.Store, prop: str) -> None:
    """Every IRI used as the object of the property is described (typed) in the corpus."""
    rows = select(
        store,
        f"SELECT DISTINCT ?o WHERE {{ ?s ks:{prop} ?o . FILTER NOT EXISTS {{ ?o a ?t }} }}",
    )
    dangling = sorted(r["o"] for r in rows)
    assert not dangling, f"ks:{prop} targets not in the corpus: {dangling[:10]}"


def test_identifiers_match_iris(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?r ?id ?src WHERE {{
              ?r a ?type ; ks:identifier ?id ; ks:source ?src .
              VALUES ?type {{ {RESOURCE_CLASSES} }} }}""",
    )
    bad = []
    for row in rows:
        source, local = row["id"].split(":", 1)
        if row["r"] != f"https://kunskapsgraf.se/id/item/{source}/{local}":
            bad.append(row["r"])
        if row["src"] != f"https://kunskapsgraf.se/id/source/{source}":
            bad.append(row["r"])
    assert not bad, bad[:10]


def test_supplements_pin_the_current_national_version(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?s WHERE {
              ?s a ks:RegionalSupplement ; ks:supplements ?target ; ks:supplementsVersion ?v .
              OPTIONAL { ?target ks:isPartOf ?parent }
              BIND (COALESCE(?parent, ?target) AS ?product)
              FILTER NOT EXISTS { ?product ks:currentVersion ?v }
              FILTER NOT EXISTS { ?target ks:hasRegionalSupplement ?s } }""",
    )
    assert not rows, rows[:10]


def test_every_source_has_an_assessed_current_approval(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?source (COUNT(DISTINCT ?ca) AS ?n) WHERE {
              ?source a ks:KnowledgeSource ; ks:currentApproval ?a ; ks:hasApproval ?a .
              ?a ks:validUntil ?until ; ks:decidedBy ?who ; ks:hasCriterionAssessment ?ca .
              ?ca ks:fulfilled ?f ; ks:criterion ?c }
           GROUP BY ?source""",
    )
    sources = count(store, "SELECT (COUNT(?s) AS ?n) WHERE { ?s a ks:KnowledgeSource }")
    assert len(rows) == sources
    assert all(int(r["n"]) == 9 for r in rows), rows


def test_register_has_history_and_overdue_reassessment(store: ox.Store) -> None:
    with_history = count(
        store,
        """SELECT (COUNT(*) AS ?n) WHERE {
              { SELECT ?s WHERE { ?s ks:hasApproval ?a } GROUP BY ?s HAVING (COUNT(?a) > 1) } }""",
    )
    overdue = count(
        store,
        f"""SELECT (COUNT(?s) AS ?n) WHERE {{
              ?s ks:currentApproval/ks:validUntil ?d .
              FILTER (?d < "{date.today().isoformat()}"^^xsd:date) }}""",
    )
    assert with_history >= 1
    assert overdue >= 1


def test_code_systems_form_trees(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?c WHERE {
              VALUES ?scheme { ksv:icd-10-se ksv:atc }
              ?c skos:inScheme ?scheme .
              FILTER NOT EXISTS { ?c skos:topConceptOf ?scheme }
              FILTER NOT EXISTS { ?c skos:broader ?b . ?b skos:inScheme ?scheme } }""",
    )
    assert not rows, rows[:10]
    subjects = select(
        store,
        """SELECT DISTINCT ?o WHERE { ?s ks:subject ?o .
              FILTER NOT EXISTS { ?o skos:inScheme ?scheme
                                  VALUES ?scheme { ksv:icd-10-se ksv:atc } } }""",
    )
    assert not subjects, subjects[:10]


# --------------------------------------------------------------------------------------------
# the build's own validation, on a minimal synthetic corpus
# --------------------------------------------------------------------------------------------

MINIMAL = """
slug = "testfall"
name = "Testfall"
knowledge_area = "lung-och-allergisjukdomar"
patient_groups = ["vuxna"]
codes = [{ system = "icd-10-se", code = "J45", sv = "Astma", en = "Asthma" }]

[[items]]
source = "nkk"
id = "testfall"
kind = "product"
content_type = "kliniskt-kunskapsstod"
title = "Testfall"
summary = "SUMMARY"
audience = ["lakare"]
subjects = ["J45"]
issued = "ISSUED"
modified = "2021-01-01T10:00:00+01:00"
last_reviewed = "2021-01-01"
see_also = ["SEE_ALSO"]

  [[items.sections]]
  slug = "behandling"
  title = "Behandling"
  body = "Text."

[[items]]
source = "SUPPLEMENT_SOURCE"
id = "testfall-region"
kind = "supplement"
supplements = "TARGET"
title = "Regionalt tillägg – Testfall"
summary = "Kort."
audience = ["AUDIENCE"]
issued = "2022-01-01"
modified = "2022-01-01T10:00:00+01:00"
last_reviewed = "2022-01-01"
"""

DEFAULTS = {
    "SUMMARY": "Kort sammanfattning.",
    "ISSUED": "2020-01-01",
    "SEE_ALSO": "nkk:testfall.behandling",
    "SUPPLEMENT_SOURCE": "region-12",
    "TARGET": "nkk:testfall.behandling",
    "AUDIENCE": "lakare",
}


def content_text(**changes: str) -> str:
    text = MINIMAL
    for key, value in {**DEFAULTS, **changes}.items():
        text = text.replace(key, value)
    return text


def run_build(tmp_path: Path, files: dict[str, str] | None = None, **changes: str) -> Any:
    demo = tmp_path / "demo"
    (demo / "content").mkdir(parents=True, exist_ok=True)
    (demo / "codes").mkdir(exist_ok=True)
    shutil.copy(DEMO / "register.toml", demo / "register.toml")
    for path in (DEMO / "codes").glob("*.toml"):
        shutil.copy(path, demo / "codes" / path.name)
    if files is None:
        files = {"testfall": content_text(**changes)}
    for stem, text in files.items():
        (demo / "content" / f"{stem}.toml").write_text(text, encoding="utf-8")
    return load_build_module().build(demo, today=date(2026, 11, 26))


def test_build_accepts_minimal_corpus(tmp_path: Path) -> None:
    result = run_build(tmp_path)
    assert result.errors == []
    register = next(t for p, t in result.outputs.items() if p.name == "register.trig")
    assert "<https://kunskapsgraf.se/id/agent/npo-lung-och-allergisjukdomar>" in register


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SUPPLEMENT_SOURCE": "regionx"}, "unknown source key 'regionx'"),
        ({"SUPPLEMENT_SOURCE": "region-02"}, "unknown source key 'region-02'"),
        ({"TARGET": "nkk:finns-inte"}, "supplements target 'nkk:finns-inte' does not exist"),
        ({"TARGET": "nkk:testfall"}, ""),  # a product is a valid target
        ({"SEE_ALSO": "sbu:saknas"}, "see_also: target 'sbu:saknas' does not exist"),
        ({"SUMMARY": "x" * 301}, "summary is 301 characters (max 300)"),
        ({"ISSUED": "2020-13-45"}, "not a valid calendar date"),
        ({"ISSUED": "2020/01/01"}, "not an ISO 8601 date"),
        ({"ISSUED": "2021-06-01"}, "is before issued"),
        ({"AUDIENCE": "trollkarl"}, "unknown audience 'trollkarl'"),
    ],
)
def test_build_reports_data_errors(tmp_path: Path, changes: dict[str, str], message: str) -> None:
    result = run_build(tmp_path, **changes)
    if not message:
        assert result.errors == []
        return
    assert any(message in e for e in result.errors), result.errors
    assert all("content/testfall.toml" in e for e in result.errors), result.errors


def test_build_reports_duplicate_identifiers(tmp_path: Path) -> None:
    text = content_text()
    duplicate = "\n[[items]]" + text.split("[[items]]")[1]
    result = run_build(tmp_path, files={"testfall": text + duplicate})
    assert any("duplicate identifier" in e for e in result.errors), result.errors


def test_build_reports_conflicting_code_labels(tmp_path: Path) -> None:
    other = (
        content_text()
        .replace("testfall", "annan")
        .replace('sv = "Astma", en = "Asthma"', 'sv = "Annat", en = "Other"')
    )
    result = run_build(tmp_path, files={"testfall": content_text(), "annan": other})
    assert any("declared with different labels" in e for e in result.errors), result.errors


def test_build_generates_unlisted_regional_source(tmp_path: Path) -> None:
    result = run_build(tmp_path, SUPPLEMENT_SOURCE="region-20")
    assert result.errors == []
    assert any("region-20" in w for w in result.warnings)
    register = next(t for p, t in result.outputs.items() if p.name == "register.trig")
    assert "<https://kunskapsgraf.se/id/source/region-20>" in register
    assert '"Region Dalarna"@sv' in register


def test_check_mode_reports_stale_files(tmp_path: Path) -> None:
    run_build(tmp_path)  # prepares the directory
    demo = str(tmp_path / "demo")
    build = load_build_module()
    assert build.main(["--check", "--quiet", "--demo-dir", demo]) == 1
    assert build.main(["--quiet", "--demo-dir", demo]) == 0
    assert build.main(["--check", "--quiet", "--demo-dir", demo]) == 0
