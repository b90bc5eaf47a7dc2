"""GET /api/suggest over the demo corpus."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def suggest(client: TestClient, q: str, limit: int = 10) -> list[dict[str, Any]]:
    response = client.get("/api/suggest", params={"q": q, "limit": limit})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == q
    found: list[dict[str, Any]] = body["suggestions"]
    return found


def test_from_the_first_character_with_swedish_letters(client: TestClient) -> None:
    found = suggest(client, "ö")
    assert found and all("<mark>ö" in s["highlight"].lower() for s in found), found  # never o-words
    assert {s["kind"] for s in suggest(client, "a")} <= {"concept", "title"}


def test_concepts_carry_their_code(client: TestClient) -> None:
    found = suggest(client, "hjärtsvikt")
    concept = next(s for s in found if s["kind"] == "concept")
    assert concept["scheme"] == "icd-10-se" and concept["notation"].startswith("I50")
    assert concept["id"] == f"icd-10-se:{concept['notation']}"


def test_titles_link_to_items(client: TestClient) -> None:
    title = next(s for s in suggest(client, "astma") if s["kind"] == "title")
    assert client.get(f"/api/items/{title['id']}").status_code == 200


def test_bad_input_is_400(client: TestClient) -> None:
    assert client.get("/api/suggest?q=").status_code == 400
    assert client.get("/api/suggest?q=a&limit=500").status_code == 400
