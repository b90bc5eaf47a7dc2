"""The authorisation matrix: every region editor against every other region, every source
ingester against every other source, and no one but an administrator deciding. All refused
with 403 and the one JSON error shape; the store is byte-for-byte unchanged afterwards."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat, serialize

from service.governance.roles import REGIONS, region_source
from service.governance.supplements import region_supplements
from service.store import Store
from service.terms import item_iri, source_graph
from tests.governance.conftest import (
    ADMIN,
    ARCHITECT,
    READER,
    assert_error,
    bearer,
    national_sources,
    region_token,
    snapshot,
    source_token,
)

TURTLE = {"Content-Type": "text/turtle"}
BATCH = b"""@prefix ks: <https://kunskapsgraf.se/ont/> .
<https://kunskapsgraf.se/id/item/region-12/x> a ks:RegionalSupplement ."""


def test_every_token_is_refused_outside_its_scope(gov: TestClient, store: Store) -> None:
    before = snapshot(store)
    nationals = national_sources(store)
    # A real supplement id per region where there is one, so nothing but the scope refuses.
    local = {
        r: next((s["id"].split(":", 1)[1] for s in region_supplements(store, r)), "x")
        for r in REGIONS
    }
    refused = 0

    def forbidden(response: object, scope: str) -> None:
        nonlocal refused
        error = assert_error(response, 403, "forbidden")
        assert error["details"]["token_scope"] == scope  # type: ignore[index]
        refused += 1

    # Every region against every other region: writing and confirming supplements.
    for region in REGIONS:
        headers = bearer(region_token(region))
        scope = f"region:{region}"
        for other in REGIONS:
            if other == region:
                continue
            forbidden(gov.post(f"/api/sources/{region_source(other)}/items", content=BATCH,
                               headers=headers | TURTLE), scope)  # fmt: skip
            forbidden(gov.post(f"/api/regions/{other}/supplements/{local[other]}/confirm",
                               headers=headers), scope)  # fmt: skip

    # Every source against every other source, national and regional.
    everyone = nationals + [region_source(r) for r in REGIONS]
    for source in nationals:
        headers = bearer(source_token(source))
        scope = f"source:{source}"
        for other in everyone:
            if other != source:
                forbidden(gov.post(f"/api/sources/{other}/items", content=BATCH,
                                   headers=headers | TURTLE), scope)  # fmt: skip

    # The other scoped routes, each token against a neighbour's scope.
    for n, region in enumerate(REGIONS):
        other = REGIONS[(n + 1) % len(REGIONS)]
        headers, scope, src = bearer(region_token(region)), f"region:{region}", region_source(other)
        forbidden(gov.post(f"/api/sources/{src}/items/{local[other]}/withdraw",
                           headers=headers), scope)  # fmt: skip
        forbidden(gov.get(f"/api/regions/{other}/supplements", headers=headers), scope)
        forbidden(gov.get(f"/api/sources/{src}/runs", headers=headers), scope)
        forbidden(gov.post("/api/sources/nkk/items", content=BATCH,
                           headers=headers | TURTLE), scope)  # fmt: skip
    for n, source in enumerate(nationals):
        other = nationals[(n + 1) % len(nationals)]
        headers, scope = bearer(source_token(source)), f"source:{source}"
        forbidden(gov.post(f"/api/sources/{other}/items/x/withdraw", headers=headers), scope)
        forbidden(gov.post(f"/api/sources/{other}/items/x/supersede",
                           json={"replacedBy": f"{other}:y"}, headers=headers), scope)  # fmt: skip
        forbidden(gov.get(f"/api/sources/{other}/runs", headers=headers), scope)
        forbidden(gov.get(f"/api/preview/sources/{other}/items", headers=headers), scope)
        forbidden(gov.post(f"/api/regions/12/supplements/{local['12']}/confirm",
                           headers=headers), scope)  # fmt: skip

    # Decisions: administrators only; the audit trail: administrators and architects.
    decision = {"status": "pausad", "note": "Försök utan behörighet."}
    others = [ARCHITECT, READER, *(region_token(r) for r in REGIONS)]
    others += [source_token(s) for s in nationals]
    for token in others:
        response = gov.post("/api/sources/nkk/decisions", json=decision, headers=bearer(token))
        assert_error(response, 403, "forbidden")
        refused += 1
        if token != ARCHITECT:
            assert_error(gov.get("/api/audit", headers=bearer(token)), 403, "forbidden")
    # Administrators decide but do not write content.
    assert_error(gov.post("/api/sources/nkk/items", content=BATCH, headers=bearer(ADMIN) | TURTLE),
                 403, "forbidden")  # fmt: skip

    assert refused >= 21 * 20 * 2 + len(nationals) * (len(everyone) - 1)
    assert snapshot(store) == before


def test_tokens_work_inside_their_scope(gov: TestClient, store: Store) -> None:
    """The control for the matrix: the same requests with the right token go through."""
    supplement = region_supplements(store, "12")[0]["id"]
    described = [
        q.triple for q in store.describe([item_iri(supplement)], source_graph("region-12"))
    ]
    body = serialize(described, format=RdfFormat.N_TRIPLES)
    before = snapshot(store)
    pushed = gov.post(
        "/api/sources/region-12/items",
        content=body,
        headers=bearer(region_token("12")) | {"Content-Type": "application/n-triples"},
    )
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["status"] == "unchanged"  # same content: a no-op, not even audited
    assert snapshot(store) == before
    listed = gov.get("/api/regions/12/supplements", headers=bearer(region_token("12")))
    assert supplement in {s["id"] for s in listed.json()["supplements"]}
    runs = gov.get("/api/sources/nkk/runs", headers=bearer(source_token("nkk")))
    assert runs.status_code == 200
    assert gov.get("/api/audit", headers=bearer(ARCHITECT)).status_code == 200
    # No token, an unknown token: 401.
    assert_error(gov.get("/api/regions/12/supplements"), 401, "unauthorized")
    assert_error(gov.get("/api/audit", headers=bearer("tok-nobody")), 401, "unauthorized")
