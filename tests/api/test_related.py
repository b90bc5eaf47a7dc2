"""GET /api/items/{id}/related over the demo corpus."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_related_items_carry_summary_why_and_score(client: TestClient) -> None:
    response = client.get("/api/items/vardhandboken:kateterisering-urinblasa/related")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["item"] == "vardhandboken:kateterisering-urinblasa"
    assert body["region"] is None
    assert 0 < len(body["related"]) <= 10
    first = body["related"][0]
    for key in ("id", "title", "source", "contentType", "reviewStatus", "score", "why"):
        assert key in first
    assert set(first["why"]) >= {"relations", "concepts", "path", "text"}
    assert first["why"]["text"]["sv"] and first["why"]["text"]["en"]
    by_id = {r["id"]: r for r in body["related"]}
    supplement = by_id["region-14:urinvagsinfektion-vgr"]["why"]
    assert supplement["relations"][0]["label"] == {
        "sv": "har regionalt tillägg",
        "en": "has regional supplement",
    }


def test_region_and_limit(client: TestClient) -> None:
    response = client.get("/api/items/nkk:astma-vuxna/related?region=12&limit=3")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["region"] == "12"
    assert len(body["related"]) == 3
    assert body["related"][0]["id"] == "region-12:astma-vuxna-skane"


def test_bad_input_gets_the_error_shape(client: TestClient) -> None:
    missing = client.get("/api/items/nkk:finns-inte/related")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    region = client.get("/api/items/nkk:astma-vuxna/related?region=99")
    assert region.status_code == 400
    assert "12" in region.json()["error"]["details"]["valid"]
    for limit in ("0", "51", "x"):
        bad = client.get(f"/api/items/nkk:astma-vuxna/related?limit={limit}")
        assert bad.status_code == 400, limit
        assert bad.json()["error"]["message"]["sv"]
