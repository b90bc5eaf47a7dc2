"""Pilot: a source or an item in pilot is visible only with a preview scope, so editors can
check how it looks before it is public; approval makes it public."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.store import Store
from service.terms import item_iri
from tests.governance.conftest import (
    ADMIN,
    ARCHITECT,
    READER,
    assert_error,
    bearer,
    region_token,
    source_token,
)

BATCH = (Path(__file__).parents[1] / "ingest" / "fixtures" / "nkk-batch.ttl").read_bytes()
KLOKA = "kloka-listan"


def test_source_in_pilot_is_seen_only_through_a_preview_scope(
    gov: TestClient, store: Store
) -> None:
    piloted = gov.post(
        f"/api/sources/{KLOKA}/decisions",
        json={"status": "pilot", "note": "Provdrift: redaktionen granskar visningen."},
        headers=bearer(ADMIN),
    )
    assert piloted.status_code == 200, piloted.text
    assert gov.get("/api/search", params={"source": KLOKA}).json()["total"] == 0

    listed = gov.get(f"/api/preview/sources/{KLOKA}/items", headers=bearer(ARCHITECT))
    assert listed.status_code == 200
    items = [i["id"] for i in listed.json()["items"]]
    assert items and all(i.startswith(f"{KLOKA}:") for i in items)
    item = items[0]

    assert_error(gov.get(f"/api/items/{item}"), 404, "not_found")
    for token in (ADMIN, ARCHITECT, source_token(KLOKA)):
        page = gov.get(f"/api/preview/items/{item}", headers=bearer(token))
        assert page.status_code == 200, page.text
        assert page.json()["preview"] is True and page.json()["pilot"] is True
        assert page.json()["source"]["approvalStatus"] == "pilot"
    for token in (READER, source_token("nkk"), region_token("12")):
        assert_error(gov.get(f"/api/preview/items/{item}", headers=bearer(token)), 403, "forbidden")
    assert_error(gov.get(f"/api/preview/items/{item}"), 401, "unauthorized")
    # Anonymous SPARQL does not see the pilot source's graph.
    graph = f"https://kunskapsgraf.se/graph/source/{KLOKA}"
    assert gov.get("/rdf-graphs", params={"graph": graph}).status_code == 404

    approved = gov.post(
        f"/api/sources/{KLOKA}/decisions",
        json={"status": "godkand-villkor", "note": "Piloten visade korrekt återgivning."},
        headers=bearer(ADMIN),
    )
    assert approved.status_code == 200, approved.text
    assert gov.get(f"/api/items/{item}").status_code == 200
    assert gov.get("/api/search", params={"source": KLOKA}).json()["total"] > 0


def test_item_in_pilot_is_previewed_by_its_source_then_published(
    gov: TestClient, store: Store
) -> None:
    pilot = BATCH.replace(b"lifecycle/gallande", b"lifecycle/pilot")
    turtle = bearer(source_token("nkk")) | {"Content-Type": "text/turtle"}
    assert gov.post("/api/sources/nkk/items", content=pilot, headers=turtle).status_code == 200
    assert store.ask(f"ASK {{ {item_iri('nkk:somnapne-vuxna')} ks:title ?t }}")

    assert_error(gov.get("/api/items/nkk:somnapne-vuxna"), 404, "not_found")
    found = gov.get("/api/search", params={"q": "sömnapné"}).json()
    assert "nkk:somnapne-vuxna" not in {i["id"] for i in found["items"]}
    page = gov.get("/api/preview/items/nkk:somnapne-vuxna", headers=bearer(source_token("nkk")))
    assert page.status_code == 200, page.text
    assert page.json()["pilot"] is True
    assert page.json()["lifecycle"]["id"] == "pilot"
    assert [p["id"] for p in page.json()["parts"]] == ["nkk:somnapne-vuxna.utredning"]
    assert_error(
        gov.get("/api/preview/items/nkk:somnapne-vuxna", headers=bearer(source_token("sbu"))),
        403,
        "forbidden",
    )

    assert gov.post("/api/sources/nkk/items", content=BATCH, headers=turtle).status_code == 200
    assert gov.get("/api/items/nkk:somnapne-vuxna").status_code == 200
    public = gov.get("/api/preview/items/nkk:somnapne-vuxna", headers=bearer(ADMIN)).json()
    assert public["pilot"] is False
