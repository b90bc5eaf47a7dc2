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


def test_results_carry_snippet_freshness_and_attribution(client: TestClient) -> None:
    top = search(client, "q=inhalationsteknik")["items"][0]
    assert "<mark>" in (top["snippet"] or "")
    assert top["freshness"]["value"] == top["reviewStatus"]
    assert top["source"]["id"] and "attribution" in top and "licence" in top


def test_page_and_size_page_like_offset_and_limit(client: TestClient) -> None:
    by_page = search(client, "q=behandling&page=2&size=5")
    by_offset = search(client, "q=behandling&offset=5&limit=5")
    assert [i["id"] for i in by_page["items"]] == [i["id"] for i in by_offset["items"]]
    assert by_page["page"] == 2 and by_page["pages"] == -(-by_page["total"] // 5)


def test_concept_and_freshness_facets_are_listed(client: TestClient) -> None:
    body = search(client, "q=astma")
    assert facet(body, "concept")["icd-10-se:J45"] >= 1
    assert set(facet(body, "freshness")) == {"aktuell", "granskning-snart", "granskning-forsenad"}
    filtered = search(client, "q=astma&concept=icd-10-se:J45")
    assert 0 < filtered["total"] <= body["total"]


def test_a_selected_concept_outside_the_listed_top_is_counted(client: TestClient) -> None:
    # The facet lists the most frequent concepts; one selected from further down (a link,
    # a concept page) still shows how many results are tagged with it, not 0.
    listed = facet(search(client, "q="), "concept")
    service = client.app.state.search  # type: ignore[attr-defined]
    tagged: dict[str, set[str]] = {}
    for doc in service.documents.values():
        for iri in doc.subjects:
            tagged.setdefault(service._concept_id(iri), set()).add(doc.identifier)
    unlisted = sorted(c for c in tagged if c not in listed)
    assert unlisted, "the demo corpus has more concepts than the facet lists"
    checked = 0
    for concept in unlisted[:5]:
        body = search(client, f"q=&concept={concept}&limit=100")
        if body["total"] == 0:
            continue  # tagged only on content out of the default scope
        found = {i["id"] for i in body["items"]}
        block = next(f for f in body["facets"] if f["name"] == "concept")
        shown = [v for v in block["values"] if v["selected"]]
        assert [(v["value"], v["count"]) for v in shown] == [
            (concept, len(found & tagged[concept]))
        ]
        checked += 1
    assert checked > 0
    # A listed concept keeps its count when selected (counts ignore their own filter).
    top, count = next(iter(listed.items()))
    body = search(client, f"q=&concept={top}")
    assert facet(body, "concept")[top] == count


def test_a_code_query_reports_the_concept_it_expanded(client: TestClient) -> None:
    body = search(client, "q=J45")
    assert [c["id"] for c in body["concepts"]] == ["icd-10-se:J45"]


def test_zero_results_come_with_suggestions(client: TestClient) -> None:
    body = search(client, "q=astmabehandlingsprogrammet")
    assert body["total"] == 0
    assert "icd-10-se:J45" in {c["id"] for c in body["suggestions"]["concepts"]}
    assert search(client, "q=astma")["suggestions"] is None


def test_sort_by_date_is_newest_first(client: TestClient) -> None:
    items = search(client, "q=astma&sort=date&limit=20")["items"]
    dates = [i["modified"] or "" for i in items]
    assert dates == sorted(dates, reverse=True)


def bad(client: TestClient, query: str) -> dict[str, Any]:
    response = client.get("/api/search?" + query)
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["message"]["sv"] and error["message"]["en"]
    return error


def test_bad_values_are_clear_400s(client: TestClient) -> None:
    assert bad(client, "q=astma&audience=astronaut")["details"]["parameter"] == "audience"
    assert bad(client, "q=astma&concept=icd-10-se:XYZ")["details"]["parameter"] == "concept"
    assert bad(client, "q=astma&freshness=gammal")["details"]["parameter"] == "freshness"
    assert bad(client, "q=astma&page=999")["details"]["pages"] >= 1
    assert bad(client, "q=" + "a" * 201)["details"]["parameter"] == "q"
    assert bad(client, "q=astma&size=1000")["details"]["parameter"] == "size"
    bad(client, "q=astma&sort=random")


def test_a_click_on_an_unknown_item_is_404(client: TestClient) -> None:
    response = client.post("/api/search/click", json={"query": "astma", "id": "nkk:finns-inte"})
    assert response.status_code == 404
    ok = client.post("/api/search/click", json={"query": "astma", "id": "nkk:astma-vuxna"})
    assert ok.status_code == 204


def test_the_demo_codes_synonyms_find_content_by_abbreviation(client: TestClient) -> None:
    # data/demo/codes/icd-10-se.toml gives J44 "KOL", N39.0 "UVI", I21 "myokardinfarkt"
    # and the hidden abbreviation "AMI".
    for query, concept, item in [
        ("KOL", "icd-10-se:J44", "nkk:kol"),
        ("UVI", "icd-10-se:N39.0", "nkk:urinvagsinfektion"),
        ("myokardinfarkt", "icd-10-se:I21", "nkk:akut-koronart-syndrom"),
        ("AMI", "icd-10-se:I21", "nkk:akut-koronart-syndrom"),
    ]:
        body = client.get("/api/search", params={"q": query}).json()
        assert concept in {c["id"] for c in body["concepts"]}, query
        assert item in {i["id"] for i in body["items"]}, query


def test_pages_neither_repeat_nor_skip_results(client: TestClient) -> None:
    # Re-ranking (overdue lower, own region higher) must use the same pool on every page;
    # "behandling" has a few hundred hits, more than the first pages' worth.
    first = client.get("/api/search", params={"q": "behandling", "limit": 50}).json()
    total = first["total"]
    assert total > 150
    seen: list[str] = []
    for offset in range(0, total, 50):
        page = client.get("/api/search", params={"q": "behandling", "offset": offset, "limit": 50})
        seen += [i["id"] for i in page.json()["items"]]
    assert len(seen) == len(set(seen)) == total
