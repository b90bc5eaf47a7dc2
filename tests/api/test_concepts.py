"""GET /api/concepts/{id}, /api/concepts/{id}/items and /api/concept-schemes."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_concept_page(client: TestClient) -> None:
    response = client.get("/api/concepts/icd-10-se:J45")
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["id"] == "icd-10-se:J45"
    assert page["scheme"]["id"] == "icd-10-se"
    assert page["prefLabel"]["sv"] == "Astma"
    assert page["broader"][0]["label"]["en"]
    assert page["itemCount"] >= 3


def test_concept_items_have_the_search_shape(client: TestClient) -> None:
    response = client.get("/api/concepts/icd-10-se:J45/items?limit=2")
    assert response.status_code == 200, response.text
    body = response.json()
    search = client.get("/api/search?concept=icd-10-se:J45&limit=2").json()
    assert set(body) == set(search)
    assert (
        body["total"]
        == search["total"]
        == client.get("/api/concepts/icd-10-se:J45").json()["itemCount"]
    )
    assert len(body["items"]) == 2
    filtered = client.get("/api/concepts/icd-10-se:J45/items?source=1177").json()
    assert [i["source"]["id"] for i in filtered["items"]] == ["1177"]


def test_concept_schemes(client: TestClient) -> None:
    schemes = client.get("/api/concept-schemes")
    assert schemes.status_code == 200
    ids = {s["id"]: s for s in schemes.json()}
    assert ids["icd-10-se"]["conceptCount"] > 0
    scheme = client.get("/api/concept-schemes/care-setting")
    assert scheme.status_code == 200, scheme.text
    top = {c["id"]: c for c in scheme.json()["topConcepts"]}
    assert top["care-setting:specialiserad-vard"]["hasNarrower"] is True
    assert top["care-setting:primarvard"]["hasNarrower"] is False


def test_unknown_concepts_and_schemes_are_404(client: TestClient) -> None:
    for path in (
        "/api/concepts/icd-10-se:Q99.9",
        "/api/concepts/nonsense",
        "/api/concepts/icd-10-se:Q99.9/items",
        "/api/concept-schemes/finns-inte",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/concepts/icd-10-se:J45/items?limit=1000").status_code == 400
