"""Codes and keywords in native records become ks:subject links to the concepts of imported
code systems; what names no concept is reported, never a reason to reject the batch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Quad

from service.api.app import create_app
from service.config import Settings
from service.ingest.linking import StoreConcepts
from service.mapping.rules import icd_notation
from service.store import Store
from service.terms import KS, KSG, KSI, KSV

REPO = Path(__file__).resolve().parents[2]
TOKENS = {"who-don": "who-secret", "pubmedqa-swe": "pubmed-secret"}
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    writable = settings.model_copy(update={"tokens": TOKENS})
    with TestClient(create_app(writable, store=store)) as c:
        yield c


def who_record(identifier: str, codes: list[str]) -> dict[str, object]:
    return {
        "id": identifier,
        "date": "2024-03-01",
        "url": f"https://www.who.int/emergencies/disease-outbreak-news/item/2024-{identifier}",
        "text": "Example written for the kunskapsgraf tests: cases of cholera in one district.",
        "countries": ["Exampleland"],
        "diseases": ["Cholera"],
        "icd10": codes,
    }


def subjects(store: Store, item: str) -> set[str]:
    rows = store.select(f"SELECT ?c WHERE {{ GRAPH ?g {{ <{item}> ks:subject ?c }} }}")
    return {row["c"].value for row in rows}


def test_icd_codes_are_written_as_icd_10_se_notations() -> None:
    assert icd_notation("A831") == "A83.1"
    assert icd_notation("a009") == "A00.9"
    assert icd_notation("J45") == "J45"
    assert icd_notation("J45.9") == "J45.9"
    assert icd_notation("A00-A09") == "A00-A09"


def test_known_codes_link_and_unknown_ones_are_reported_not_rejected(
    client: TestClient, store: Store
) -> None:
    lines = [who_record("DON8001", ["A411", "A831"]), who_record("DON8002", ["J450"])]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    headers = {"Authorization": "Bearer who-secret", "Content-Type": "application/x-ndjson"}
    response = client.post("/api/sources/who-don/items", content=body, headers=headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["counts"]["added"] == 2
    # The demo's ICD-10-SE subset has J45.0 and A41 (not A41.1: linked to its broader code),
    # but nothing of A83.
    assert report["codes"]["linked"] == 2
    assert report["codes"]["broadened"] == {"count": 1, "examples": ["icd-10-se: A41.1 → A41"]}
    assert report["codes"]["unlinked"] == {
        "icd-10-se": {"count": 1, "distinct": 1, "examples": ["A83.1"]}
    }
    assert subjects(store, f"{KSI}item/who-don/don8001") == {f"{KSV}icd-10-se/A41"}
    assert subjects(store, f"{KSI}item/who-don/don8002") == {f"{KSV}icd-10-se/J45.0"}
    # The item page shows the linked code with its Swedish label.
    page = client.get("/api/items/who-don:don8002").json()
    assert "J45.0" in json.dumps(page, ensure_ascii=False)


def add_mesh_asthma(store: Store) -> None:
    """A one-concept MeSH scheme with its machine-translated Swedish label, as the importers
    write them (ksv:mesh in ksg:vocab/mesh, the Swedish altLabel in ksg:vocab/mesh-sv)."""
    from pyoxigraph import Literal

    asthma = NamedNode(f"{KSV}mesh/D001249")
    scheme = NamedNode(f"{KSV}mesh")
    mesh, mesh_sv = NamedNode(f"{KSG}vocab/mesh"), NamedNode(f"{KSG}vocab/mesh-sv")
    store.add_quads(
        [
            Quad(asthma, NamedNode(RDF_TYPE), NamedNode(SKOS + "Concept"), mesh),
            Quad(asthma, NamedNode(SKOS + "inScheme"), scheme, mesh),
            Quad(asthma, NamedNode(SKOS + "notation"), Literal("D001249"), mesh),
            Quad(asthma, NamedNode(SKOS + "prefLabel"), Literal("Asthma", language="en"), mesh),
            Quad(scheme, NamedNode(RDF_TYPE), NamedNode(SKOS + "ConceptScheme"), mesh),
            Quad(asthma, NamedNode(SKOS + "altLabel"), Literal("Astma", language="sv"), mesh_sv),
        ]
    )


def test_keywords_written_as_labels_link_to_the_concept(client: TestClient, store: Store) -> None:
    add_mesh_asthma(store)
    body = (REPO / "mappings" / "pubmedqa-swe" / "sample.json").read_bytes()
    headers = {"Authorization": "Bearer pubmed-secret", "Content-Type": "application/json"}
    response = client.post("/api/sources/pubmedqa-swe/items", content=body, headers=headers)
    assert response.status_code == 200, response.text
    codes = response.json()["codes"]
    records = json.loads(body)
    with_asthma = [pmid for pmid, r in records.items() if "Astma" in r["MESHES"]]
    assert with_asthma and codes["linked"] == len(with_asthma)
    assert "Människor" in codes["unlinked"]["mesh"]["examples"]
    for pmid in with_asthma:
        item = f"{KSI}item/pubmedqa-swe/{pmid}"
        assert subjects(store, item) == {f"{KSV}mesh/D001249"}


def test_lookup_matches_labels_case_and_space_insensitively_in_one_language(
    store: Store,
) -> None:
    add_mesh_asthma(store)
    concepts = StoreConcepts(store)
    assert concepts.by_label("mesh", "  ASTMA ", "sv") == [f"{KSV}mesh/D001249"]
    assert concepts.by_label("mesh", "Astma", "en") == []
    assert concepts.by_label("mesh", "Asthma", "en") == [f"{KSV}mesh/D001249"]
    assert concepts.exists(f"{KSV}mesh/D001249")
    assert not concepts.exists(f"{KSV}mesh/D999999")
    assert not concepts.exists(f"{KS}KnowledgeProduct")
