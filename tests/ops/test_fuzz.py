"""Fuzzing the two doors into the store: random and mutated bodies through the push API, and
random and mutated queries through /sparql. Whatever comes in, the answer is 2xx or 4xx in
the one error shape, never 5xx; a refused batch leaves the store exactly as it was, and an
accepted one is stored whole (sending it again changes nothing)."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import RdfFormat

from service.api.app import create_app
from service.config import Settings
from service.corpus import load_demo
from service.store import Store, open_store

BATCH = (Path(__file__).parents[1] / "ingest" / "fixtures" / "nkk-batch.ttl").read_bytes()
TOKEN = "nkk-hemlig"
MEDIA_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "text/plain",
    "application/x-nonsense",
]
QUERIES = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    "ASK { ?s a ks:KnowledgeProduct }",
    "CONSTRUCT { ?s ks:title ?t } WHERE { ?s ks:title ?t } LIMIT 3",
    "DESCRIBE <https://kunskapsgraf.se/id/item/nkk/astma-vuxna>",
    'SELECT ?s WHERE { ?s ks:title ?t FILTER(CONTAINS(?t, "astma")) } ORDER BY ?s LIMIT 10',
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
]
SYNTAX = [*"{}?<>\"'.;,()*#:/@^_ \n\\", "SELECT", "WHERE", "GRAPH", "SERVICE", "INSERT"]
FUZZ = settings(
    max_examples=30,
    deadline=None,  # no timing in tests
    derandomize=True,  # the same examples every run: a failure is reproducible, never flaky
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def snapshot(store: Store) -> str:
    """A digest of the whole store: the dump of unchanged content is the same bytes in the
    same order (the store's index order), so no sorting is needed."""
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return hashlib.sha256(out.getvalue()).hexdigest()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    conf = Settings(
        store="memory",
        data_dir=tmp_path_factory.mktemp("fuzz"),
        tokens={"nkk": TOKEN},
        rate_limit_per_minute=0,
        token_rate_limit_per_minute=0,
        max_body_bytes=100_000,
    )
    store = open_store(conf)
    load_demo(store, conf)
    with TestClient(create_app(conf, store=store), raise_server_exceptions=False) as client:
        yield client, store


def mutate(data: st.DataObject, original: bytes) -> bytes:
    """A few random edits: delete, insert or replace a span, or swap two lines."""
    body = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, max(len(body) - 1, 0)))
        edit = data.draw(st.sampled_from(["delete", "insert", "replace", "swap"]))
        if edit == "delete":
            del body[where : where + data.draw(st.integers(1, 40))]
        elif edit == "insert":
            body[where:where] = data.draw(st.binary(min_size=1, max_size=20))
        elif edit == "replace":
            chunk = data.draw(st.sampled_from([b"<", b">", b'"', b";", b".", b"@", b"\\", b"_:b"]))
            body[where : where + 1] = chunk
        else:
            lines = bytes(body).split(b"\n")
            i, j = (
                data.draw(st.integers(0, len(lines) - 1)),
                data.draw(st.integers(0, len(lines) - 1)),
            )
            lines[i], lines[j] = lines[j], lines[i]
            body = bytearray(b"\n".join(lines))
    return bytes(body)


def assert_error_shape(answer: object) -> None:
    from typing import Any

    response: Any = answer
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == response.status_code
    assert error["message"]["sv"] and error["message"]["en"]


@FUZZ
@given(data=st.data())
def test_any_body_pushed_gives_2xx_or_4xx_and_never_a_partial_write(
    fuzzed: tuple[TestClient, Store], data: st.DataObject
) -> None:
    client, store = fuzzed
    kind = data.draw(st.sampled_from(["mutated"] * 4 + ["random"] * 2 + ["valid-variant"]))
    if kind == "random":
        body = data.draw(st.binary(max_size=2_000))
    elif kind == "mutated":
        body = mutate(data, BATCH)
    else:  # a valid batch under a new name, so some examples really write
        suffix = data.draw(st.integers(0, 10_000))
        body = BATCH.replace(b"somnapne-vuxna", f"somnapne-{suffix}".encode())
    media_type = data.draw(st.sampled_from(MEDIA_TYPES))
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": media_type}
    before = snapshot(store)
    answer = client.post("/api/sources/nkk/items", content=body, headers=headers)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert_error_shape(answer)
        assert snapshot(store) == before
        return
    assert answer.status_code == 200
    again = client.post("/api/sources/nkk/items", content=body, headers=headers)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"


@pytest.fixture
def sparql_ready(fuzzed: tuple[TestClient, Store]) -> tuple[TestClient, Store]:
    """The query workers started (a 503 "still starting" is start-up, not an answer to input)."""
    client, _ = fuzzed
    for _ in range(600):
        if client.get("/sparql", params={"query": "ASK {}"}).status_code == 200:
            return fuzzed
        time.sleep(0.1)
    raise AssertionError("the SPARQL workers did not start")


@FUZZ
@given(data=st.data())
def test_any_query_gives_2xx_or_4xx_and_never_writes(
    sparql_ready: tuple[TestClient, Store], data: st.DataObject
) -> None:
    client, store = sparql_ready
    kind = data.draw(st.sampled_from(["mutated", "mutated", "random"]))
    if kind == "random":
        pieces = st.lists(st.sampled_from(SYNTAX) | st.text(max_size=3), max_size=60)
        query = "".join(data.draw(pieces))
    else:
        query = data.draw(st.sampled_from(QUERIES))
        for _ in range(data.draw(st.integers(1, 3))):
            where = data.draw(st.integers(0, len(query)))
            cut = data.draw(st.integers(0, 10))
            query = query[:where] + data.draw(st.sampled_from(SYNTAX)) + query[where + cut :]
    method = data.draw(st.sampled_from(["get", "post-form", "post-query"]))
    before = snapshot(store)
    if method == "get":
        answer = client.get("/sparql", params={"query": query})
    elif method == "post-form":
        answer = client.post("/sparql", data={"query": query})
    else:
        answer = client.post(
            "/sparql",
            content=query.encode("utf-8", errors="surrogatepass"),
            headers={"Content-Type": "application/sparql-query"},
        )
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert_error_shape(answer)
    assert snapshot(store) == before
