"""GET /api/items/{id} over the demo corpus."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def item(client: TestClient, path: str) -> dict[str, Any]:
    response = client.get("/api/items/" + path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_product_page_has_parts_in_order_and_labels(client: TestClient) -> None:
    page = item(client, "nkk:astma-vuxna")
    assert page["title"] == "Astma hos vuxna"
    assert page["kind"] == "product"
    assert [p["id"] for p in page["parts"]][:2] == [
        "nkk:astma-vuxna.utredning",
        "nkk:astma-vuxna.behandling",
    ]
    assert page["contentType"]["id"] == "kliniskt-kunskapsstod"
    assert page["contentType"]["label"]["sv"] == "Kliniskt kunskapsstöd"
    assert {a["id"] for a in page["audience"]} >= {"lakare", "sjukskoterska"}
    assert "J45" in {s["id"] for s in page["subjects"]}
    assert page["source"]["id"] == "nkk"
    assert page["publisher"]["name"]


def test_relations_are_typed_and_labelled(client: TestClient) -> None:
    page = item(client, "nkk:astma-vuxna")
    relations = {r["type"]: r for r in page["relations"]}
    patient = relations["hasPatientInformation"]
    assert patient["label"]["sv"]
    assert "1177:astma" in {i["id"] for i in patient["items"]}


def test_regional_supplements_in_place_and_by_region(client: TestClient) -> None:
    page = item(client, "nkk:astma-vuxna")
    regions = {s["region"]["id"] for s in page["regionalSupplements"]}
    assert {"12", "14"} <= regions
    skane = item(client, "nkk:astma-vuxna?region=12")
    assert {s["region"]["id"] for s in skane["regionalSupplements"]} == {"12"}
    assert skane["regionalSupplements"][0]["attachedTo"] == "nkk:astma-vuxna.behandling"


def test_section_inherits_from_its_product(client: TestClient) -> None:
    page = item(client, "nkk:astma-vuxna.behandling")
    assert page["kind"] == "section"
    assert page["partOf"]["id"] == "nkk:astma-vuxna"
    assert page["contentType"]["id"] == "kliniskt-kunskapsstod"
    assert page["knowledgeArea"][0]["id"] == "lung-och-allergisjukdomar"


def test_supplement_points_to_the_national_item(client: TestClient) -> None:
    page = item(client, "region-12:astma-vuxna-skane")
    assert page["kind"] == "supplement"
    assert page["supplements"]["id"] == "nkk:astma-vuxna.behandling"
    assert page["region"]["id"] == "12"


def test_link_only_source_shows_no_text(client: TestClient) -> None:
    body = client.get("/api/search?source=fass&limit=1").json()
    assert body["total"] >= 1
    page = item(client, body["items"][0]["id"])
    assert page["source"]["integrationLevel"] == "lank"
    assert page["textAvailable"] is False
    assert page["body"] is None
    assert page["url"].startswith("https://")


def test_health(client: TestClient) -> None:
    assert client.get("/health/live").json()["status"] == "ok"
    ready = client.get("/health/ready").json()
    assert ready["status"] == "ok"
    assert ready["checks"]["index"]["documents"] > 400
    assert client.get("/docs").status_code == 200
    assert "/api/search" in client.get("/openapi.json").json()["paths"]
