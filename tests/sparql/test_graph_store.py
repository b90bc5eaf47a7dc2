"""The Graph Store Protocol's read side, freshness after writes, and a plain SPARQLWrapper
client against a real HTTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
import uvicorn
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from service.api.app import create_app
from service.config import Settings
from service.store import Store

NKK_GRAPH = "https://kunskapsgraf.se/graph/source/nkk"
BATCH = (Path(__file__).parents[1] / "ingest" / "fixtures" / "nkk-batch.ttl").read_bytes()


def test_get_one_source_graph(sparql: TestClient, demo_store: Store) -> None:
    response = sparql.get("/rdf-graphs", params={"graph": NKK_GRAPH})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = pyoxigraph.Store()
    graph.load(response.content, RdfFormat.TURTLE)
    assert len(graph) == demo_store.quad_count(pyoxigraph.NamedNode(NKK_GRAPH))
    ntriples = sparql.get(
        "/rdf-graphs", params={"graph": NKK_GRAPH}, headers={"Accept": "application/n-triples"}
    )
    assert ntriples.headers["content-type"].startswith("application/n-triples")


def test_graph_store_errors(sparql: TestClient) -> None:
    missing = sparql.get("/rdf-graphs")
    assert missing.status_code == 400
    assert NKK_GRAPH in missing.json()["error"]["details"]["graphs"]
    for graph in (
        "https://kunskapsgraf.se/graph/source/kloka-listan",  # not approved
        "https://kunskapsgraf.se/graph/source/nope",
    ):
        response = sparql.get("/rdf-graphs", params={"graph": graph})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_writes_through_the_api_are_visible_to_the_next_query(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    writable = settings.model_copy(
        update={"tokens": {"nkk": "nkk-secret"}, "data_dir": tmp_path, "max_body_bytes": 200_000}
    )
    ask = {"query": "ASK { ?s ks:identifier 'nkk:somnapne-vuxna' }"}
    with TestClient(create_app(writable, store=store)) as client:
        assert client.get("/sparql", params=ask).json()["boolean"] is False
        pushed = client.post(
            "/api/sources/nkk/items",
            content=BATCH,
            headers={"Authorization": "Bearer nkk-secret", "Content-Type": "text/turtle"},
        )
        assert pushed.status_code == 200, pushed.text
        assert client.get("/sparql", params=ask).json()["boolean"] is True
        assert client.get("/id/item/nkk/somnapne-vuxna").status_code == 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_url(sparql: TestClient) -> Iterator[str]:
    """The started test app behind a real uvicorn on 127.0.0.1 as well, for clients that
    speak plain HTTP (its lifespan already ran in the TestClient)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(sparql.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_sparqlwrapper_client_select_and_construct(live_url: str) -> None:
    client = SPARQLWrapper(f"{live_url}/sparql")
    client.setQuery(
        "PREFIX ks: <https://kunskapsgraf.se/ont/> "
        "SELECT ?title WHERE { ?s ks:identifier 'nkk:astma-vuxna' ; ks:title ?title }"
    )
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert isinstance(result, dict)
    titles = {b["title"]["value"] for b in result["results"]["bindings"]}
    assert "Astma hos vuxna" in titles
    client.setMethod("POST")
    client.setQuery(
        "PREFIX ks: <https://kunskapsgraf.se/ont/> "
        "CONSTRUCT { ?s ks:title ?t } WHERE { ?s ks:identifier 'nkk:astma-vuxna' ; ks:title ?t }"
    )
    client.setReturnFormat(TURTLE)
    graph = client.query().convert()
    assert b"Astma hos vuxna" in graph
