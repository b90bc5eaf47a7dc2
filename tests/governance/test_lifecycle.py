"""Approval decisions through the HTTP API: suspension hides a source's content everywhere at
once without deleting it, re-approval restores it, the lifecycle refuses impossible steps, and
every decision is a record in the register and the audit trail."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.store import Store
from service.terms import GRAPH_REGISTER
from tests.governance.conftest import (
    ADMIN,
    ARCHITECT,
    assert_error,
    bearer,
    snapshot,
    source_token,
    sparql_ask,
)

ITEM = "nkk:astma-vuxna"
BATCH = (Path(__file__).parents[1] / "ingest" / "fixtures" / "nkk-batch.ttl").read_bytes()
ITEM_IRI = "https://kunskapsgraf.se/id/item/nkk/astma-vuxna"
GRAPH = "https://kunskapsgraf.se/graph/source/nkk"


def shown(client: TestClient) -> dict[str, object]:
    """Where nkk's content can be seen by an anonymous reader."""
    search = client.get("/api/search", params={"q": "astma", "limit": 100}).json()
    related = client.get("/api/items/1177:astma/related", params={"limit": 50})
    return {
        "search": any(i["source"]["id"] == "nkk" for i in search["items"]),
        "item": client.get(f"/api/items/{ITEM}").status_code,
        "related": related.status_code == 200
        and any(r["source"]["id"] == "nkk" for r in related.json()["related"]),
        "sparql": sparql_ask(client, f"ASK {{ <{ITEM_IRI}> ks:title ?t }}"),
        "graph": client.get("/rdf-graphs", params={"graph": GRAPH}).status_code,
        "id": client.get("/id/item/nkk/astma-vuxna", headers={"Accept": "text/turtle"}).status_code,
    }


def test_suspension_hides_everywhere_and_reapproval_restores(gov: TestClient, store: Store) -> None:
    visible = {
        "search": True, "item": 200, "related": True, "sparql": True, "graph": 200, "id": 200
    }  # fmt: skip
    assert shown(gov) == visible

    suspended = gov.post(
        "/api/sources/nkk/decisions",
        json={"status": "pausad", "note": "Licensfrågan utreds."},
        headers=bearer(ADMIN),
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["previous"]["status"] == "godkand"
    assert suspended.json()["approval"]["status"] == "pausad"
    hidden = {
        "search": False, "item": 404, "related": False, "sparql": False, "graph": 404, "id": 404
    }  # fmt: skip
    assert shown(gov) == hidden
    # Hidden, not deleted.
    assert store.ask(f"ASK {{ <{ITEM_IRI}> ks:title ?t }}")
    # A suspended source's ingestion is stopped: new content is refused, nothing changes.
    before = snapshot(store)
    refused = gov.post(
        "/api/sources/nkk/items",
        content=BATCH,
        headers=bearer(source_token("nkk")) | {"Content-Type": "text/turtle"},
    )
    assert assert_error(refused, 403, "forbidden")["details"]["approvalStatus"] == "pausad"  # type: ignore[index]
    assert snapshot(store) == before

    record = gov.get("/api/sources/nkk").json()
    assert record["approvalStatus"] == "pausad" and record["public"] is False
    # A suspension keeps the terms of the approval it suspends, criteria included.
    assert record["integrationLevel"] == "fulltext-visning"
    assert len(record["currentApproval"]["criteria"]) == 9
    assert [a["status"] for a in record["approvals"]][:2] == ["pausad", "godkand"]

    restored = gov.post(
        "/api/sources/nkk/decisions",
        json={"status": "godkand", "note": "Licensfrågan är löst."},
        headers=bearer(ADMIN),
    )
    assert restored.status_code == 200, restored.text
    gov.app.state.related.wait()  # type: ignore[attr-defined]
    assert shown(gov) == visible
    # Two decisions on one day get distinct records.
    ids = [a["id"] for a in gov.get("/api/sources/nkk").json()["approvals"]]
    assert len(ids) == len(set(ids)) >= 3

    events = gov.get("/api/audit", params={"action": "approval-decision"}, headers=bearer(ADMIN))
    steps = [(e["before"]["status"], e["after"]["status"]) for e in events.json()["events"]]
    assert steps == [("pausad", "godkand"), ("godkand", "pausad")]  # newest first
    assert {e["actor"]["id"] for e in events.json()["events"]} == {"admin-1"}


def test_impossible_or_incomplete_decisions_change_nothing_and_approval_publishes(
    gov: TestClient, store: Store
) -> None:
    before = snapshot(store)
    # kloka-listan is under assessment: it cannot be suspended, only decided.
    wrong_step = gov.post(
        "/api/sources/kloka-listan/decisions",
        json={"status": "pausad", "note": "x"},
        headers=bearer(ADMIN),
    )
    error = assert_error(wrong_step, 400, "invalid_parameter")
    assert error["details"]["current"] == "under-bedomning"  # type: ignore[index]
    assert "godkand" in error["details"]["valid"]  # type: ignore[index]
    # fass's licence allows links only.
    too_much = gov.post(
        "/api/sources/fass/decisions",
        json={"status": "godkand", "note": "x", "integrationLevel": "fulltext-visning"},
        headers=bearer(ADMIN),
    )
    assert assert_error(too_much, 400, "invalid_parameter")["details"]["max"] == "lank"  # type: ignore[index]
    past = gov.post(
        "/api/sources/nkk/decisions",
        json={"status": "godkand", "note": "x", "validUntil": "2020-01-01"},
        headers=bearer(ADMIN),
    )
    assert_error(past, 400, "invalid_parameter")
    unknown_agent = gov.post(
        "/api/sources/nkk/decisions",
        json={"status": "godkand-villkor", "note": "x", "decidedBy": "ingen-alls"},
        headers=bearer(ADMIN),
    )
    assert_error(unknown_agent, 422, "validation_failed")
    assert_error(
        gov.post("/api/sources/okand/decisions", json={"status": "pausad", "note": "x"},
                 headers=bearer(ADMIN)),
        404,
        "not_found",
    )  # fmt: skip
    # Only administrators decide.
    for token in (ARCHITECT, source_token("nkk")):
        refused = gov.post(
            "/api/sources/nkk/decisions",
            json={"status": "pausad", "note": "x"},
            headers=bearer(token),
        )
        assert_error(refused, 403, "forbidden")
    assert_error(
        gov.post("/api/sources/nkk/decisions", json={"status": "pausad", "note": "x"}),
        401,
        "unauthorized",
    )
    assert snapshot(store) == before

    # A complete decision goes through: kloka-listan's items, stored but hidden while it is
    # under assessment, become public.
    assert gov.get("/api/search", params={"source": "kloka-listan"}).json()["total"] == 0
    criteria = {
        c: {"fulfilled": True, "note": "Bedömt i källrådet."} for c in ("svensk-kontext", "licens")
    }
    approved = gov.post(
        "/api/sources/kloka-listan/decisions",
        json={
            "status": "godkand-villkor",
            "note": "Godkänd för Region Stockholms tillägg med källangivelse.",
            "integrationLevel": "metadata",
            "validUntil": "2099-01-01",
            "criteria": criteria,
        },
        headers=bearer(ADMIN),
    )
    assert approved.status_code == 200, approved.text
    approval = approved.json()["approval"]
    assert approval["integrationLevel"] == "metadata"
    assert {c["criterion"]: c["fulfilled"] for c in approval["criteria"]}["licens"] is True
    assert gov.get("/api/search", params={"source": "kloka-listan"}).json()["total"] > 0
    # The decision is RDF in the register graph and passes the shapes (it was validated).
    assert store.ask(
        "ASK { GRAPH ?g { ?s ks:currentApproval ?a . ?a ks:approvalStatus "
        "<https://kunskapsgraf.se/vocab/approval-status/godkand-villkor> ; "
        "ks:integrationLevel <https://kunskapsgraf.se/vocab/integration-level/metadata> } "
        f"FILTER(?g = {GRAPH_REGISTER}) }}"
    )


def test_audit_trail_is_queryable_by_authorised_users_only(gov: TestClient) -> None:
    decided = gov.post(
        "/api/sources/sbu/decisions",
        json={"status": "pausad", "note": "Flödet uppdateras inte."},
        headers=bearer(ADMIN),
    )
    assert decided.status_code == 200, decided.text
    query = (
        "SELECT ?action ?who WHERE { ?e a prov:Activity ; rdfs:label ?action ; "
        "prov:wasAssociatedWith/rdfs:label ?who ; "
        "prov:used <https://kunskapsgraf.se/id/source/sbu> }"
    )
    found = gov.get("/api/audit/sparql", params={"query": query}, headers=bearer(ARCHITECT))
    assert found.status_code == 200, found.text
    rows = found.json()["results"]["bindings"]
    assert [(r["action"]["value"], r["who"]["value"]) for r in rows] == [
        ("approval-decision", "admin-1")
    ]
    assert_error(
        gov.get("/api/audit/sparql", params={"query": query}, headers=bearer(source_token("sbu"))),
        403,
        "forbidden",
    )
    # Append-only: no updates through the audit endpoint; public SPARQL does not see the graph.
    update = "DELETE WHERE { ?s ?p ?o }"
    assert_error(
        gov.get("/api/audit/sparql", params={"query": update}, headers=bearer(ADMIN)),
        403,
        "forbidden",
    )
    audit_graph = "https://kunskapsgraf.se/graph/audit"
    assert not sparql_ask(gov, f"ASK {{ GRAPH <{audit_graph}> {{ ?s ?p ?o }} }}")
    events = gov.get("/api/audit", headers=bearer(ADMIN)).json()
    assert events["total"] == 1
    # Nor do the dereferenceable identifiers.
    event = decided.json()["audit"]
    assert event == events["events"][0]["id"]
    assert gov.get(event.removeprefix("https://kunskapsgraf.se")).status_code == 404
