"""POST /api/sources/{source}/items and the lifecycle operations, against a real in-memory
store with the demo corpus: whole batches in, whole batches out, idempotent, scoped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat

from service.api.app import create_app
from service.config import Settings
from service.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
BATCH = (FIXTURES / "nkk-batch.ttl").read_bytes()
TOKENS = {"nkk": "nkk-secret", "region-12": "skane-secret"}
NKK = {"Authorization": "Bearer nkk-secret", "Content-Type": "text/turtle"}


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    writable = settings.model_copy(update={"tokens": TOKENS, "max_body_bytes": 200_000})
    with TestClient(create_app(writable, store=store)) as c:
        yield c


def snapshot(store: Store) -> bytes:
    """The whole store, canonically: equal bytes = nothing changed."""
    import io

    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def test_push_stores_a_valid_batch_and_search_finds_it(client: TestClient) -> None:
    response = client.post("/api/sources/nkk/items", content=BATCH, headers=NKK)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "stored"
    assert report["counts"] == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    found = client.get("/api/search?q=sömnapné").json()
    assert "nkk:somnapne-vuxna" in {i["id"] for i in found["items"]}
    page = client.get("/api/items/nkk:somnapne-vuxna").json()
    assert page["parts"][0]["id"] == "nkk:somnapne-vuxna.utredning"


def test_same_batch_twice_is_a_no_op(client: TestClient, store: Store) -> None:
    assert client.post("/api/sources/nkk/items", content=BATCH, headers=NKK).status_code == 200
    before = snapshot(store)
    again = client.post("/api/sources/nkk/items", content=BATCH, headers=NKK).json()
    assert again["status"] == "unchanged"
    assert again["counts"]["unchanged"] == 2 and again["counts"]["added"] == 0
    assert snapshot(store) == before


def test_changed_item_is_updated_with_provenance(client: TestClient, store: Store) -> None:
    client.post("/api/sources/nkk/items", content=BATCH, headers=NKK)
    changed = BATCH.replace("dagtrötthet.".encode(), "dagtrötthet och snarkning.".encode())
    report = client.post("/api/sources/nkk/items", content=changed, headers=NKK).json()
    assert report["counts"] == {"added": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    rows = store.select(
        """SELECT ?run ?hash ?mapping WHERE {
             <https://kunskapsgraf.se/id/item/nkk/somnapne-vuxna> ks:ingestionRun ?run ;
                 ks:contentHash ?hash .
             ?run ks:mappingVersion ?mapping ; ks:runOf ?src . }"""
    )
    assert len(rows) == 1  # the old version's provenance was replaced, not added to
    assert rows[0]["run"].value == report["run"]
    assert len(rows[0]["hash"].value) == 64


def test_invalid_batch_is_rejected_whole_with_a_report(client: TestClient, store: Store) -> None:
    before = snapshot(store)
    broken = BATCH.replace('ks:title "Utredning av sömnapné"@sv ;'.encode(), b"")
    response = client.post("/api/sources/nkk/items", content=broken, headers=NKK)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    first = error["details"]["results"][0]
    assert first["item"] == "nkk:somnapne-vuxna.utredning"
    assert first["field"] == "https://kunskapsgraf.se/ont/title"
    assert first["rule"].endswith("KnowledgeResource-title")
    assert first["message"]["sv"] and first["message"]["en"]
    report = error["details"]["report"]
    assert "ValidationReport" in json.dumps(report)
    # The valid product in the same batch was not stored either.
    assert snapshot(store) == before
    runs = client.get("/api/sources/nkk/runs", headers=NKK).json()["runs"]
    assert runs[0]["status"] == "rejected" and runs[0]["counts"]["rejected"] == 2


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Content-Type": "text/turtle"}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong", "Content-Type": "text/turtle"}, 401, "unauthorized"),
        ({"Authorization": "Bearer skane-secret", "Content-Type": "text/turtle"}, 403, "forbidden"),
    ],
)
def test_writes_need_the_sources_own_token(
    client: TestClient, store: Store, headers: dict[str, str], status: int, code: str
) -> None:
    before = snapshot(store)
    response = client.post("/api/sources/nkk/items", content=BATCH, headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert snapshot(store) == before


BAD_BODIES = [
    ("malformed turtle", b'<https://e/a> <https://e/p> "x .', "text/turtle", 400, "invalid_rdf"),
    (
        "invalid utf-8",
        b'<https://e/a> <https://e/p> "\xff\xfe" .',
        "text/turtle",
        400,
        "invalid_rdf",
    ),
    (
        "xml entities",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r/>',
        "application/rdf+xml",
        400,
        "invalid_rdf",
    ),
    (
        "remote json-ld context",
        b'{"@context": "https://example.org/ctx.jsonld", "@id": "https://e/a"}',
        "application/ld+json",
        400,
        "invalid_rdf",
    ),
    ("broken json", b'{"@context": {', "application/ld+json", 400, "invalid_rdf"),
    ("wrong media type", b"hello", "text/plain", 415, "unsupported_media_type"),
    ("too large", b"#" * 300_000, "text/turtle", 413, "payload_too_large"),
    (
        "another source's item",
        BATCH.replace(b"/item/nkk/", b"/item/sbu/"),
        "text/turtle",
        403,
        "forbidden",
    ),
    (
        "named graph",
        b"<https://e/a> <https://e/p> <https://e/o> <https://e/g> .",
        "application/n-triples",
        400,
        "invalid_rdf",
    ),
    (
        "no items",
        b"<https://kunskapsgraf.se/id/item/nkk/x> <https://e/p> 1 .",
        "text/turtle",
        400,
        "invalid_parameter",
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "ctype", "status", "code"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
def test_bad_input_changes_nothing(
    client: TestClient, store: Store, name: str, body: bytes, ctype: str, status: int, code: str
) -> None:
    before = snapshot(store)
    response = client.post(
        "/api/sources/nkk/items",
        content=body,
        headers={"Authorization": "Bearer nkk-secret", "Content-Type": ctype},
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]["sv"] and error["message"]["en"]
    assert snapshot(store) == before


def test_parse_errors_give_line_and_column(client: TestClient) -> None:
    body = b'<https://e/a> <https://e/p> "ok" .\n<https://e/a> <https://e/p> .\n'
    error = client.post("/api/sources/nkk/items", content=body, headers=NKK).json()["error"]
    assert error["details"]["line"] == 2
    assert error["details"]["column"] is not None


def test_unknown_source_is_404(settings: Settings, store: Store) -> None:
    writable = settings.model_copy(update={"tokens": {"okand": "t"}})
    with TestClient(create_app(writable, store=store)) as c:
        response = c.post(
            "/api/sources/okand/items",
            content=BATCH,
            headers={"Authorization": "Bearer t", "Content-Type": "text/turtle"},
        )
    assert response.status_code in (403, 404)
    assert response.json()["error"]["code"] in ("forbidden", "not_found")


def test_json_ld_with_our_context(client: TestClient) -> None:
    document = {
        "@context": "https://kunskapsgraf.se/ns/context.jsonld",
        "@id": "ksi:item/nkk/halsbranna",
        "@type": "KnowledgeProduct",
        "identifier": "nkk:halsbranna",
        "title": "Halsbränna hos vuxna",
        "summary": "Kort om halsbränna.",
        "audience": "ksv:audience/lakare",
        "contentType": "ksv:content-type/kliniskt-kunskapsstod",
        "knowledgeArea": "ksv:knowledge-area/mag-och-tarmsjukdomar",
        "lifecycleState": "ksv:lifecycle/gallande",
        "publisher": "ksi:agent/npo-mag-och-tarmsjukdomar",
        "source": "ksi:source/nkk",
        "language": "sv",
        "issued": "2025-01-10",
        "modified": "2025-01-10T08:00:00+01:00",
        "lastReviewed": "2025-01-10",
        "url": "https://vardpersonal.1177.se/kunskapsstod/halsbranna/",
    }
    response = client.post(
        "/api/sources/nkk/items",
        content=json.dumps(document),
        headers={"Authorization": "Bearer nkk-secret", "Content-Type": "application/ld+json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["added"] == 1


def test_withdraw_hides_the_item_without_deleting_it(client: TestClient, store: Store) -> None:
    auth = {"Authorization": "Bearer nkk-secret"}
    response = client.post("/api/sources/nkk/items/astma-vuxna.uppfoljning/withdraw", headers=auth)
    assert response.status_code == 200, response.text
    assert client.get("/api/items/nkk:astma-vuxna.uppfoljning").status_code == 404
    assert store.ask(
        "ASK { <https://kunskapsgraf.se/id/item/nkk/astma-vuxna.uppfoljning> ks:lifecycleState "
        "<https://kunskapsgraf.se/vocab/lifecycle/tillbakadragen> }"
    )


def test_supersede_points_to_the_replacement(client: TestClient, store: Store) -> None:
    client.post("/api/sources/nkk/items", content=BATCH, headers=NKK)
    auth = {"Authorization": "Bearer nkk-secret"}
    response = client.post(
        "/api/sources/nkk/items/astma-vuxna/supersede",
        json={"replacedBy": "nkk:somnapne-vuxna"},
        headers=auth,
    )
    assert response.status_code == 200, response.text
    assert store.ask(
        "ASK { <https://kunskapsgraf.se/id/item/nkk/astma-vuxna> ks:isReplacedBy "
        "<https://kunskapsgraf.se/id/item/nkk/somnapne-vuxna> }"
    )
    missing = client.post(
        "/api/sources/nkk/items/astma-vuxna/supersede",
        json={"replacedBy": "nkk:finns-inte"},
        headers=auth,
    )
    assert missing.status_code == 404
    unknown = client.post("/api/sources/nkk/items/finns-inte/withdraw", headers=auth)
    assert unknown.status_code == 404


def test_runs_list_counts(client: TestClient) -> None:
    client.post("/api/sources/nkk/items", content=BATCH, headers=NKK)
    client.post("/api/sources/nkk/items", content=BATCH, headers=NKK)
    runs = client.get("/api/sources/nkk/runs", headers=NKK).json()["runs"]
    assert [r["status"] for r in runs[:2]] == ["unchanged", "stored"]
    assert runs[1]["counts"]["added"] == 2


def test_runs_need_the_sources_token(client: TestClient) -> None:
    assert client.get("/api/sources/nkk/runs").status_code == 401
    other = {"Authorization": "Bearer skane-secret"}
    assert client.get("/api/sources/nkk/runs", headers=other).status_code == 403
