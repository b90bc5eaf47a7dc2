"""Regional supplements: a new national version flags the supplements written against the old
one as "behöver bekräftas" in the region's list; the region's editor re-confirms them; item
pages and search in a region's context show that region's supplements only."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from service.ingest.pipeline import PROVENANCE
from service.store import Store
from service.terms import KS, KSI, RDF_TYPE, item_iri, source_graph
from tests.governance.conftest import (
    ADMIN,
    assert_error,
    bearer,
    region_token,
    snapshot,
    source_token,
)

SUPPLEMENT = "region-12:astma-vuxna-skane"
NATIONAL = "nkk:astma-vuxna"


def new_national_version(store: Store) -> bytes:
    """nkk's item with a new version in force, as nkk would push it (N-Triples)."""
    item = item_iri(NATIONAL)
    today = dt.date.today().isoformat()
    version = NamedNode(f"{KSI}version/nkk/astma-vuxna/{today}")
    xsd_date = NamedNode("http://www.w3.org/2001/XMLSchema#date")
    triples = [
        q.triple
        for q in store.describe([item], source_graph("nkk"))
        if q.predicate.value not in PROVENANCE and q.predicate.value != KS + "currentVersion"
    ]
    triples += [
        Triple(item, NamedNode(KS + "currentVersion"), version),
        Triple(version, NamedNode(RDF_TYPE), NamedNode(KS + "Version")),
        Triple(version, NamedNode(KS + "versionOf"), item),
        Triple(version, NamedNode(KS + "versionLabel"), Literal("4.0")),
        Triple(version, NamedNode(KS + "lastReviewed"), Literal(today, datatype=xsd_date)),
    ]
    return serialize(triples, format=RdfFormat.N_TRIPLES)


def statuses(client: TestClient, region: str, token: str) -> dict[str, str]:
    response = client.get(f"/api/regions/{region}/supplements", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {s["id"]: s["status"] for s in response.json()["supplements"]}


def test_new_national_version_flags_supplements_until_the_region_confirms(
    gov: TestClient, store: Store
) -> None:
    editor = region_token("12")
    assert statuses(gov, "12", editor)[SUPPLEMENT] == "bekraftad"

    pushed = gov.post(
        "/api/sources/nkk/items",
        content=new_national_version(store),
        headers=bearer(source_token("nkk")) | {"Content-Type": "application/n-triples"},
    )
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["counts"]["updated"] == 1

    assert statuses(gov, "12", editor)[SUPPLEMENT] == "behover-bekraftas"
    flagged = gov.get(
        "/api/regions/12/supplements",
        params={"status": "behover-bekraftas"},
        headers=bearer(editor),
    ).json()["supplements"]
    entry = next(s for s in flagged if s["id"] == SUPPLEMENT)
    assert entry["statusLabel"] == {"sv": "Behöver bekräftas", "en": "Needs re-confirmation"}
    assert entry["nationalItem"] == NATIONAL
    assert entry["pinnedVersion"].endswith("/2024-11-20")
    assert entry["currentVersion"].endswith(dt.date.today().isoformat())
    # Administrators and information architects see the list too (read only).
    assert SUPPLEMENT in statuses(gov, "12", ADMIN)

    confirmed = gov.post(
        "/api/regions/12/supplements/astma-vuxna-skane/confirm", headers=bearer(editor)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["supplement"]["status"] == "bekraftad"
    assert statuses(gov, "12", editor)[SUPPLEMENT] == "bekraftad"
    again = gov.post(
        "/api/regions/12/supplements/astma-vuxna-skane/confirm", headers=bearer(editor)
    )
    assert again.json()["run"]["status"] == "unchanged" and again.json()["audit"] is None
    pinned = store.select(
        "SELECT ?id ?v WHERE { ?s ks:identifier ?id ; ks:supplementsVersion ?v }",
        {"id": Literal(SUPPLEMENT)},
    )
    assert [r["v"].value for r in pinned] == [entry["currentVersion"]]

    events = gov.get("/api/audit", headers=bearer(ADMIN)).json()["events"]
    assert [e["action"] for e in events[:2]] == ["supplement-confirmed", "items-pushed"]
    assert events[0]["actor"]["id"] == "region-12-editor"
    assert events[0]["before"]["status"] == "behover-bekraftas"
    assert events[0]["after"]["pinnedVersion"] == entry["currentVersion"]
    assert events[1]["after"]["updated"] == [str(item_iri(NATIONAL).value)]


def test_region_context_shows_that_regions_supplements_only(client: TestClient) -> None:
    skane = client.get(f"/api/items/{NATIONAL}", params={"region": "12"}).json()
    assert SUPPLEMENT in {s["id"] for s in skane["regionalSupplements"]}
    assert {s["region"]["id"] for s in skane["regionalSupplements"]} == {"12"}
    stockholm = client.get(f"/api/items/{NATIONAL}", params={"region": "01"}).json()
    assert SUPPLEMENT not in {s["id"] for s in stockholm["regionalSupplements"]}
    assert {s["region"]["id"] for s in stockholm["regionalSupplements"]} <= {"01"}

    def regions(region: str) -> set[str]:
        found = client.get(
            "/api/search", params={"q": "astma", "region": region, "limit": 100}
        ).json()
        return {i["region"]["id"] for i in found["items"] if i["region"]}

    assert regions("12") == {"12"}
    assert "12" not in regions("01")


def test_a_region_cannot_write_a_supplement_for_another_region(
    gov: TestClient, store: Store
) -> None:
    """Region Skåne's editor, in Skåne's own source, claiming a supplement for Stockholm."""
    item = item_iri(SUPPLEMENT)
    region, publisher = NamedNode(KS + "region"), NamedNode(KS + "publisher")
    triples = [
        q.triple
        for q in store.describe([item], source_graph("region-12"))
        if q.predicate not in (region, publisher)
    ]
    triples += [
        Triple(item, region, NamedNode("https://kunskapsgraf.se/vocab/region/01")),
        Triple(item, publisher, NamedNode(f"{KSI}agent/region-stockholm")),
    ]
    before = snapshot(store)
    response = gov.post(
        "/api/sources/region-12/items",
        content=serialize(triples, format=RdfFormat.N_TRIPLES),
        headers=bearer(region_token("12")) | {"Content-Type": "application/n-triples"},
    )
    error = assert_error(response, 422, "validation_failed")
    rules = {r["rule"] for r in error["details"]["results"]}  # type: ignore[index]
    assert "https://kunskapsgraf.se/shapes/RegionalSupplement-sourceRegion" in rules
    assert snapshot(store) == before
