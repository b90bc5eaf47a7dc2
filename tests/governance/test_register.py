"""The source register (GET /api/sources, /api/sources/{id}), attribution on every response
that shows content, and the integration level limiting what is shown."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from service.store import Store
from tests.governance.conftest import ADMIN, assert_error, bearer


def test_register_lists_every_source_with_its_terms(client: TestClient) -> None:
    records = {s["id"]: s for s in client.get("/api/sources").json()["sources"]}
    assert {"nkk", "fass", "kloka-listan", "region-12"} <= set(records)
    nkk = records["nkk"]
    assert nkk["publisher"] == {"id": "inera", "name": "Inera AB"}
    assert nkk["licence"]["attributionRequired"] is True
    assert nkk["attribution"].startswith("Källa: 1177 för vårdpersonal")
    assert nkk["integrationLevel"] == "fulltext-visning" and nkk["public"] is True
    assert "kliniskt-kunskapsstod" in nkk["allowedContentTypes"]
    assert nkk["channels"][0]["type"] == "push-api" and nkk["contact"]
    assert records["fass"]["integrationLevel"] == "lank"
    assert records["kloka-listan"]["public"] is False
    assert records["region-12"]["region"] == "12"
    today = dt.date.today()
    for record in records.values():
        due = dt.date.fromisoformat(record["validUntil"]) < today
        assert record["reassessmentDue"] == (due and record["approvalStatus"] != "avvecklad")


def test_source_record_has_its_decision_history(client: TestClient) -> None:
    record = client.get("/api/sources/1177").json()
    assert [a["status"] for a in record["approvals"]] == ["godkand", "godkand-villkor"]
    current = record["currentApproval"]
    assert current == record["approvals"][0]
    assert current["decidedBy"]["name"] == "Ineras källråd"
    assert len(current["criteria"]) == 9
    assert {"criterion", "fulfilled", "note"} <= set(current["criteria"][0])
    assert_error(client.get("/api/sources/finns-inte"), 404, "not_found")


def test_content_responses_carry_source_licence_and_attribution(client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "astma", "limit": 50}).json()["items"]
    assert found
    for item in found:
        assert item["source"]["id"] and item["licence"]["title"] and item["attribution"]
    page = client.get(f"/api/items/{found[0]['id']}").json()
    assert page["source"]["attribution"] and page["source"]["licence"]["title"]


def lower_nkk_to_link_only(gov: TestClient) -> None:
    lowered = gov.post(
        "/api/sources/nkk/decisions",
        json={"status": "godkand-villkor", "note": "Endast länk tills avtalet förnyats.",
              "integrationLevel": "lank"},
        headers=bearer(ADMIN),
    )  # fmt: skip
    assert lowered.status_code == 200, lowered.text


def test_link_only_item_pages_show_no_text(gov: TestClient) -> None:
    assert gov.get("/api/items/nkk:astma-vuxna.behandling").json()["body"]
    lower_nkk_to_link_only(gov)
    page = gov.get("/api/items/nkk:astma-vuxna.behandling").json()
    assert page["textAvailable"] is False and page["body"] is None
    assert page["source"]["integrationLevel"] == "lank"


def test_link_only_search_results_show_no_text(gov: TestClient, store: Store) -> None:
    lower_nkk_to_link_only(gov)
    body = store.select(
        "SELECT ?b WHERE { ?s ks:identifier 'nkk:astma-vuxna.behandling' ; ks:body ?b }"
    )[0]["b"].value
    found = gov.get("/api/search", params={"q": "astma", "source": "nkk", "limit": 50}).json()
    for item in found["items"]:
        assert body[:60] not in (item.get("summary") or "") + (item.get("snippet") or "")
