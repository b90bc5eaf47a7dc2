"""The search routes send their body without FastAPI's response validation
(service/api/responses.py): these tests prove that validating it against the documented model
would change nothing, for every kind of answer the routes give."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.routes.search import SearchResults

ANSWERS = [
    "/api/search?q=astma",
    "/api/search?q=astma&limit=100",
    "/api/search?q=",
    "/api/search?q=astma&source=1177&audience=lakare&freshness=aktuell",
    "/api/search?q=astma&region=12&limit=50",
    "/api/search?q=diabetes&sort=date&page=2&size=3",
    "/api/search?q=J45",
    "/api/search?q=astmma",  # a typo: the corrected word
    "/api/search?q=xqzvyt",  # nothing found: suggestions
    "/api/concepts/icd-10-se:J45/items",
    "/api/concepts/icd-10-se:J45/items?q=barn&source=1177",
]


@pytest.mark.parametrize("path", ANSWERS)
def test_the_body_sent_is_exactly_what_the_model_would_send(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    sent: dict[str, Any] = response.json()
    assert SearchResults.model_validate(sent).model_dump(mode="json") == sent


def test_the_answers_above_cover_hits_facets_snippets_and_suggestions(
    client: TestClient,
) -> None:
    bodies = [client.get(path).json() for path in ANSWERS]
    items = [i for b in bodies for i in b["items"]]
    assert any(i["snippet"] for i in items)
    assert any(i["regional"] for i in items)
    assert any(i["licence"] for i in items)
    assert any(i["region"] for i in items)
    assert any(b["suggestions"] for b in bodies)
    assert any(b["concepts"] for b in bodies)
    assert all(b["facets"] for b in bodies)
