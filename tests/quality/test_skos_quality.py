"""SKOS quality rules: each rule fires on the qSKOS fixture made for it (../shared/data, skipped
when absent) and on a small fixture of our own; our own vocabularies have no errors."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat

from service.config import Settings
from service.corpus import reference_sources
from service.quality.findings import Finding
from service.quality.skos import skos_findings
from service.store import OxigraphStore
from service.store.loading import load_files

QSKOS = Settings(store="memory").shared_data_dir / "qskos-skos-quality-tests"
BASE = "http://qskos.test/"
GRAPH = NamedNode("https://kunskapsgraf.se/graph/vocab/test")


def _findings_in(store: OxigraphStore) -> dict[str, set[str]]:
    by_rule: dict[str, set[str]] = defaultdict(set)
    for finding in skos_findings(store):
        by_rule[finding.rule].add(finding.subject.removeprefix(BASE))
    return by_rule


def qskos(name: str) -> dict[str, set[str]]:
    path = QSKOS / f"{name}.rdf"
    if not path.is_file():
        pytest.skip(f"qSKOS fixtures not available ({path})")
    store = OxigraphStore()
    parsed = pyoxigraph.parse(path=path, format=RdfFormat.RDF_XML, base_iri=BASE)
    store.add_quads(Quad(q.subject, q.predicate, q.object, GRAPH) for q in parsed)
    return _findings_in(store)


def ours(turtle: str) -> list[Finding]:
    prefixes = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix ex: <https://kunskapsgraf.se/vocab/test/> .\n"
    )
    store = OxigraphStore()
    parsed = pyoxigraph.parse(prefixes + turtle, format=RdfFormat.TURTLE)
    store.add_quads(Quad(q.subject, q.predicate, q.object, GRAPH) for q in parsed)
    return skos_findings(store)


def test_cycles_in_the_hierarchy_including_sub_properties_and_mappings() -> None:
    found = qskos("cycles")
    assert found["skos-cycle"] == {
        "http://myvocab.org/conceptA",  # A → B → C → A, the last link through a sub-property
        "http://myvocab.org/conceptF",  # F and H are each other's broader concept
        "http://myvocab.org/conceptG",  # broadMatch and narrowMatch to the same concept
    }


def test_relation_clashes_related_and_hierarchically_linked() -> None:
    found = qskos("relationClashes")
    # Every case the fixture marks as an error, none of the two it marks as fine (11, 14).
    assert found["skos-relation-clash"] == {"1", "3", "5", "10", "26", "31", "34", "36", "38", "41"}
    assert qskos("hierarchicalAndAssociativeRelations")["skos-relation-clash"] == {
        "conceptA",
        "conceptC",
        "conceptE",
        "conceptG",
    }


def test_two_preferred_labels_in_one_language() -> None:
    found = qskos("ambiguousLabels")
    assert found["skos-ambiguous-preflabel"] == {"conceptA", "conceptA2", "conceptA3", "conceptA4"}
    # One label as prefLabel and altLabel/hiddenLabel of the same concept.
    assert found["skos-disjoint-labels"] == {"conceptD", "conceptF"}


def test_concepts_without_preferred_label() -> None:
    found = qskos("missingLabels")
    assert found["skos-missing-preflabel"] == {
        "http://myvocab.org/conceptA",
        "http://myvocab.org/conceptC",  # only an altLabel
        "http://myvocab.org/conceptD",  # implicit concepts, linked by skos:broader
        "http://myvocab.org/conceptE",
        "http://myvocab.org/conceptG",
        "http://myvocab.org/conceptJ",
        "http://myvocab.org/conceptK",
    }


def test_same_label_on_two_concepts() -> None:
    found = qskos("overlappingLabels")
    assert found["skos-duplicate-label"] == {
        "http://mminf.univie.ac.at/vocab/conceptA",  # "Concept Label" / "concept label"
        "http://mminf.univie.ac.at/vocab/conceptC",  # prefLabel of C is altLabel of D
    }


def test_concepts_neither_top_nor_below_a_broader_concept() -> None:
    found = qskos("noBroaderAndNotTopConcepts")
    assert found["skos-orphan-concept"] == {
        "http://localhost/myonto/resourceD",
        "http://localhost/myonto/resourceG",
        "http://localhost/myonto/resourceK",
    }


def test_top_concepts_with_a_broader_concept() -> None:
    found = qskos("topConceptsHavingBroaderConcept")
    assert found["skos-top-concept-with-broader"] == {
        "resourceA",
        "resourceB",
        "resourceE",
        "resourceG",
    }


def test_empty_labels_and_schemes_without_top_concepts() -> None:
    assert qskos("emptyLabels")["skos-empty-label"] == {"conceptA", "conceptB", "conceptD"}
    assert qskos("missingTopConcepts")["skos-scheme-without-top-concept"] == {"conceptSchemeA"}


def test_swedish_and_english_preferred_labels_are_required() -> None:
    found = ours(
        """
        ex: a skos:ConceptScheme .
        ex:a a skos:Concept ; skos:topConceptOf ex: ; skos:inScheme ex: ;
            skos:prefLabel "Astma"@sv, "Asthma"@en .
        ex:b a skos:Concept ; skos:topConceptOf ex: ; skos:inScheme ex: ;
            skos:prefLabel "Diabetes"@en .
        ex:c a skos:Concept ; skos:topConceptOf ex: ; skos:inScheme ex: ;
            skos:prefLabel "Hjärtsvikt"@sv .
        """
    )
    by_rule = {(f.rule, f.subject.rsplit("/", 1)[-1]) for f in found}
    assert by_rule == {
        ("skos-missing-swedish-preflabel", "b"),
        ("skos-missing-english-preflabel", "c"),
    }
    severity = {f.rule: f.severity for f in found}
    assert severity["skos-missing-swedish-preflabel"] == "error"
    assert severity["skos-missing-english-preflabel"] == "warning"
    message = next(f for f in found if f.rule == "skos-missing-swedish-preflabel")
    assert "@sv" in message.message_sv and "Swedish" in message.message_en


def test_same_label_in_one_scheme_but_not_across_schemes_or_with_the_parent() -> None:
    found = ours(
        """
        ex:one a skos:ConceptScheme . ex:two a skos:ConceptScheme .
        ex:a skos:inScheme ex:one ; skos:topConceptOf ex:one ; skos:prefLabel "Astma"@sv .
        ex:b skos:inScheme ex:one ; skos:topConceptOf ex:one ; skos:altLabel "astma"@sv ;
            skos:prefLabel "Allergisk astma"@sv .
        ex:c skos:inScheme ex:two ; skos:topConceptOf ex:two ; skos:prefLabel "Astma"@sv .
        ex:d skos:inScheme ex:one ; skos:broader ex:b ; skos:prefLabel "Allergisk astma"@sv .
        """
    )
    duplicates = [f for f in found if f.rule == "skos-duplicate-label"]
    assert [(f.subject.rsplit("/", 1)[-1], f.related) for f in duplicates] == [
        ("a", ("https://kunskapsgraf.se/vocab/test/b",))
    ]


def test_our_vocabularies_have_no_errors() -> None:
    store = OxigraphStore()
    load_files(store, reference_sources(Settings(store="memory")))
    found = skos_findings(store)
    assert [f for f in found if f.severity == "error"] == []
    # The demo ATC subset really has substances in two groups (acetylsalicylic acid …).
    assert {f.rule for f in found} <= {"skos-duplicate-label"}


def test_fixture_folder_holds_what_the_tests_expect() -> None:
    if not QSKOS.is_dir():
        pytest.skip("qSKOS fixtures not available")
    assert (QSKOS / "LICENSE.txt").is_file()
    assert len(list(Path(QSKOS).glob("*.rdf"))) >= 30


def test_every_rule_fires_on_our_own_fixture_too() -> None:
    """The same rules without the qSKOS files (they are third-party and may be absent)."""
    found = ours(
        """
        ex: a skos:ConceptScheme .
        ex:empty-scheme a skos:ConceptScheme .
        ex:loose skos:inScheme ex:empty-scheme ; skos:prefLabel "Lös"@sv, "Loose"@en .
        ex:a a skos:Concept ; skos:inScheme ex: ; skos:topConceptOf ex: ;
            skos:prefLabel "A"@sv, "A"@en ; skos:broader ex:b .
        ex:b a skos:Concept ; skos:inScheme ex: ; skos:prefLabel "B"@sv, "B"@en ;
            skos:broader ex:a ; skos:related ex:a .
        ex:c a skos:Concept ; skos:inScheme ex: ; skos:prefLabel "C"@sv, "Ce"@sv, "C"@en ;
            skos:altLabel "C"@sv ; skos:hiddenLabel ""@sv ; skos:topConceptOf ex: .
        ex:d a skos:Concept ; skos:inScheme ex: .
        """
    )
    rules = {(f.rule, f.subject.rsplit("/", 1)[-1]) for f in found}
    assert rules >= {
        ("skos-cycle", "a"),
        ("skos-relation-clash", "a"),
        ("skos-top-concept-with-broader", "a"),
        ("skos-ambiguous-preflabel", "c"),
        ("skos-disjoint-labels", "c"),
        ("skos-empty-label", "c"),
        ("skos-missing-preflabel", "d"),
        ("skos-orphan-concept", "d"),
        ("skos-scheme-without-top-concept", "empty-scheme"),
    }
