"""One app per test over a fresh demo store, with hashed tokens for every role: an
administrator, an information architect, a reader, an editor for each of the 21 regions and an
ingester for each national and external source."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat

from service.api.app import create_app
from service.config import Settings
from service.governance.register import sources
from service.governance.roles import REGIONS, region_source
from service.governance.tokens import principal_entry
from service.store import Store

ADMIN = "tok-admin"
ARCHITECT = "tok-architect"
READER = "tok-reader"


def region_token(region: str) -> str:
    return f"tok-region-{region}"


def source_token(source: str) -> str:
    return f"tok-source-{source}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def national_sources(store: Store) -> list[str]:
    return [s["id"] for s in sources(store) if not s["id"].startswith("region-")]


def principals(store: Store) -> list[object]:
    entries = [
        principal_entry("admin-1", "administrator", ADMIN),
        principal_entry("ia-1", "information-architect", ARCHITECT),
        principal_entry("reader-1", "reader", READER),
    ]
    entries += [
        principal_entry(f"{region_source(r)}-editor", "region-editor", region_token(r), region=r)
        for r in REGIONS
    ]
    entries += [
        principal_entry(f"{s}-ingest", "source-ingester", source_token(s), source=s)
        for s in national_sources(store)
    ]
    return entries


def governed(settings: Settings, store: Store, data_dir: Path) -> Settings:
    return settings.model_copy(
        update={"principals": principals(store), "data_dir": data_dir, "tokens": {}}
    )


@pytest.fixture
def gov(settings: Settings, store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(governed(settings, store, tmp_path), store=store)) as client:
        yield client


def snapshot(store: Store) -> bytes:
    """The whole store, canonically: equal bytes = nothing changed."""
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def assert_error(response: object, status: int, code: str) -> dict[str, object]:
    """The one JSON error shape, with Swedish and English messages."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status and error["code"] == code
    assert error["message"]["sv"] and error["message"]["en"]
    assert isinstance(error["details"], dict)
    return error  # type: ignore[no-any-return]


def sparql_ask(client: TestClient, query: str) -> bool:
    """An anonymous ASK through /sparql. The first query may meet a SPARQL worker that is
    still loading its snapshot (503 ``endpoint_busy``): ask again until it is ready."""
    for _ in range(30):
        response = client.get(
            "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        if response.status_code != 503:
            break
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])
