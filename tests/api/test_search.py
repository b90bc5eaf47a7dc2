"""GET /api/search over the demo corpus."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def search(client: TestClient, query: str) -> dict[str, Any]:
    response = client.get("/api/search?" + query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def facet(body: dict[str, Any], name: str) -> dict[str, int]:
    block = next(f for f in body["facets"] if f["name"] == name)
    return {v["value"]: v["count"] for v in block["values"]}


def test_astma_finds_the_clinical_support_first(client: TestClient) -> None:
    body = search(client, "q=astma")
    assert body["total"] >= 5
    top = body["items"][0]
    assert "astma" in top["title"].lower()
    assert {"id", "title", "summary", "source", "contentType", "reviewStatus"} <= set(top)
    assert facet(body, "source")["nkk"] >= 1


def test_facet_counts_add_up_and_filters_narrow(client: TestClient) -> None:
    everything = search(client, "q=astma&limit=100")
    per_source = facet(everything, "source")
    assert sum(per_source.values()) == everything["total"]
    only_1177 = search(client, "q=astma&source=1177&limit=100")
    assert only_1177["total"] == per_source["1177"]
    assert {i["source"]["id"] for i in only_1177["items"]} == {"1177"}
    # Values of one facet combine with OR, and its own counts ignore its own filter.
    both = search(client, "q=astma&source=1177&source=nkk&limit=100")
    assert both["total"] == per_source["1177"] + per_source["nkk"]
    assert facet(both, "source") == per_source


def test_facets_have_swedish_and_english_labels(client: TestClient) -> None:
    body = search(client, "q=astma")
    audience = next(f for f in body["facets"] if f["name"] == "audience")
    assert audience["label"] == {"sv": "Målgrupp", "en": "Audience"}
    lakare = next(v for v in audience["values"] if v["value"] == "lakare")
    assert lakare["label"]["sv"] == "Läkare"


def test_content_of_unapproved_source_is_never_found(client: TestClient) -> None:
    body = search(client, "limit=100")
    assert "kloka-listan" not in facet(body, "source")
    assert all(i["source"]["id"] != "kloka-listan" for i in body["items"])


def test_region_context_shows_only_that_regions_supplements(client: TestClient) -> None:
    skane = search(client, "q=astma&region=12&limit=100")
    ids = {i["id"] for i in skane["items"]}
    assert "region-12:astma-vuxna-skane" in ids
    assert "region-14:astma-vuxna-vgr" not in ids
    assert "nkk:astma-vuxna" in ids
    everywhere = search(client, "q=astma&limit=100")
    assert "region-14:astma-vuxna-vgr" in {i["id"] for i in everywhere["items"]}


def test_a_code_finds_its_items(client: TestClient) -> None:
    body = search(client, "q=J45&limit=100")
    assert "nkk:astma-vuxna" in {i["id"] for i in body["items"]}


def test_paging_is_consistent(client: TestClient) -> None:
    first = search(client, "q=behandling&limit=5")
    second = search(client, "q=behandling&limit=5&offset=5")
    assert first["total"] == second["total"] > 10
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_no_hits_is_an_empty_list_not_an_error(client: TestClient) -> None:
    body = search(client, "q=xyzzyqwerty")
    assert body["total"] == 0 and body["items"] == []


def test_overdue_review_is_flagged(client: TestClient) -> None:
    body = search(client, "limit=100&source=vardhandboken")
    statuses = {i["reviewStatus"] for i in body["items"]}
    assert "granskning-forsenad" in statuses
