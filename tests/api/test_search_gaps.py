"""GET /api/admin/search-gaps: what searches fail, behind the admin token."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.store import Store


def test_gaps_need_the_admin_token(client: TestClient) -> None:
    # The session client has no admin token configured: the route is closed.
    assert client.get("/api/admin/search-gaps").status_code == 403


def test_zero_result_queries_are_listed_with_candidate_concepts(
    settings: Settings, demo_store: Store
) -> None:
    admin = settings.model_copy(update={"admin_token": "hemligt"})
    with TestClient(create_app(admin, store=demo_store)) as client:
        client.get("/api/search", params={"q": "astmabehandlingsprogrammet 19121212-1212"})
        assert client.get("/api/admin/search-gaps").status_code == 401
        wrong = {"Authorization": "Bearer fel"}
        assert client.get("/api/admin/search-gaps", headers=wrong).status_code == 403
        right = {"Authorization": "Bearer hemligt"}
        response = client.get("/api/admin/search-gaps", headers=right)
        assert response.status_code == 200, response.text
        gap = response.json()["gaps"][0]
        assert gap["reason"] == "zero-results"
        assert "1912" not in gap["query"]
        assert any(c["id"] == "icd-10-se:J45" for c in gap["candidateConcepts"])
