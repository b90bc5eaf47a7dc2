"""Concept pages as data over the demo vocabularies and corpus."""

from __future__ import annotations

import pytest

from service.concepts import concept_items, get_concept, get_scheme, list_schemes
from service.config import Settings
from service.errors import NotFound
from service.search import SearchQuery, SearchService, open_index
from service.store import Store


@pytest.fixture(scope="module")
def search(settings: Settings, demo_store: Store) -> SearchService:
    service = SearchService(open_index(settings))
    service.refresh(demo_store)
    return service


def test_concept_page_has_labels_hierarchy_and_item_count(
    demo_store: Store, search: SearchService
) -> None:
    page = get_concept(demo_store, search, "icd-10-se:J45")
    assert page["iri"] == "https://kunskapsgraf.se/vocab/icd-10-se/J45"
    assert page["notation"] == "J45"
    assert page["prefLabel"] == {"sv": "Astma", "en": "Asthma"}
    assert page["scheme"]["id"] == "icd-10-se"
    assert page["scheme"]["label"]["sv"]
    assert [b["id"] for b in page["broader"]] == ["icd-10-se:J40-J47"]
    assert page["broader"][0]["label"]["sv"] == "Kroniska sjukdomar i nedre luftvägarna"
    assert "icd-10-se:J45.0" in {n["id"] for n in page["narrower"]}
    # Items tagged J45 or a narrower code, as the concept's item list counts them.
    listed = concept_items(search, "icd-10-se:J45", SearchQuery(limit=50))
    assert page["itemCount"] == listed["total"] >= 3
    assert "nkk:astma-vuxna" in {i["id"] for i in listed["items"]}


def test_concept_page_lists_alternative_labels_definitions_and_mappings(
    demo_store: Store, search: SearchService
) -> None:
    page = get_concept(demo_store, search, "audience:lakare")
    assert page["prefLabel"]["sv"] == "Läkare"
    assert "BT-läkare" in page["altLabel"]["sv"]
    assert page["definition"]["sv"].startswith("Legitimerad läkare")
    mappings = {(m["type"], m.get("iri")) for m in page["mappings"]}
    assert ("closeMatch", "https://schema.org/Clinician") in mappings
    assert page["itemCount"] > 100


def test_unknown_concept_is_not_found(demo_store: Store, search: SearchService) -> None:
    for identifier in ("icd-10-se:Q99.9", "nonsense", "audience:"):
        with pytest.raises(NotFound):
            get_concept(demo_store, search, identifier)
    with pytest.raises(NotFound):
        concept_items(search, "icd-10-se:Q99.9", SearchQuery())


def test_schemes_with_counts_and_top_concepts(demo_store: Store) -> None:
    schemes = {s["id"]: s for s in list_schemes(demo_store)}
    assert schemes["icd-10-se"]["conceptCount"] > 100
    assert schemes["audience"]["label"] == {"sv": "Målgrupp", "en": "Audience"}
    icd = get_scheme(demo_store, "icd-10-se")
    chapters = {c["id"]: c for c in icd["topConcepts"]}
    assert chapters["icd-10-se:X"]["hasNarrower"]  # Sjukdomar i andningsorganen > J40-J47 …
    assert chapters["icd-10-se:X"]["label"]["sv"]
    audience = get_scheme(demo_store, "audience")
    assert "audience:lakare" in {c["id"] for c in audience["topConcepts"]}
    assert not any(c["hasNarrower"] for c in audience["topConcepts"])
    with pytest.raises(NotFound) as error:
        get_scheme(demo_store, "finns-inte")
    assert "icd-10-se" in error.value.details["valid"]


def test_concept_items_take_search_facets(search: SearchService) -> None:
    everything = concept_items(search, "icd-10-se:N39.0", SearchQuery(limit=50))
    sources = {i["source"]["id"] for i in everything["items"]}
    assert {"nkk", "1177", "vardhandboken"} <= sources
    counts = {
        v["value"]: v["count"]
        for f in everything["facets"]
        if f["name"] == "source"
        for v in f["values"]
    }
    only = concept_items(
        search,
        "icd-10-se:N39.0",
        SearchQuery(filters={"source": frozenset({"vardhandboken"})}, limit=50),
    )
    assert {i["source"]["id"] for i in only["items"]} == {"vardhandboken"}
    assert only["total"] == counts["vardhandboken"]
