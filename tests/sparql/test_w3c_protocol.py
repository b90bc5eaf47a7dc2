"""The W3C SPARQL 1.1 Protocol tests (sparql11/protocol/manifest.ttl) that apply to a read-only
endpoint, one per name, with our graphs in place of the suite's data files (the suite describes
its requests in prose). Not applicable: the 14 ``update_*`` and ``bad_update_*`` tests, except
that every update must be refused (403), which ``test_safety`` checks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

NKK = "https://kunskapsgraf.se/graph/source/nkk"
SBU = "https://kunskapsgraf.se/graph/source/sbu"
SELECT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
FORM = "application/x-www-form-urlencoded"

# name → (method, request keyword arguments, accepted statuses, content-type prefixes)
CASES: dict[str, tuple[str, dict[str, Any], set[int], tuple[str, ...]]] = {
    "query_post_form": ("post", {"data": {"query": SELECT}}, {200}, ("application/sparql",)),
    "query_get": ("get", {"params": {"query": SELECT}}, {200}, ("application/sparql",)),
    "query_post_direct": (
        "post",
        {"content": SELECT, "headers": {"Content-Type": "application/sparql-query"}},
        {200},
        ("application/sparql",),
    ),
    "query_dataset_default_graphs_get": (
        "get",
        {"params": {"query": SELECT, "default-graph-uri": [NKK, SBU]}},
        {200},
        ("application/sparql",),
    ),
    "query_dataset_default_graphs_post": (
        "post",
        {"data": {"query": SELECT, "default-graph-uri": [NKK, SBU]}},
        {200},
        ("application/sparql",),
    ),
    "query_dataset_named_graphs_post": (
        "post",
        {"data": {"query": GRAPHS, "named-graph-uri": [NKK, SBU]}},
        {200},
        ("application/sparql",),
    ),
    "query_dataset_named_graphs_get": (
        "get",
        {"params": {"query": GRAPHS, "named-graph-uri": [NKK, SBU]}},
        {200},
        ("application/sparql",),
    ),
    "query_dataset_full": (
        "get",
        {"params": {"query": GRAPHS, "default-graph-uri": NKK, "named-graph-uri": SBU}},
        {200},
        ("application/sparql",),
    ),
    "query_content_type_select": (
        "get",
        {"params": {"query": SELECT}},
        {200},
        (
            "application/sparql-results+xml",
            "application/sparql-results+json",
            "text/csv",
            "text/tab-separated-values",
        ),
    ),
    "query_content_type_ask": (
        "get",
        {"params": {"query": "ASK { ?s ?p ?o }"}},
        {200},
        ("application/sparql-results+xml", "application/sparql-results+json"),
    ),
    "query_content_type_describe": (
        "get",
        {"params": {"query": "DESCRIBE <https://kunskapsgraf.se/id/source/nkk>"}},
        {200},
        ("application/rdf+xml", "text/turtle", "application/n-triples"),
    ),
    "query_content_type_construct": (
        "get",
        {"params": {"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"}},
        {200},
        ("application/rdf+xml", "text/turtle", "application/n-triples"),
    ),
    "bad_query_method": ("put", {"params": {"query": SELECT}}, {405}, ()),
    "bad_multiple_queries": (
        "get",
        {"params": [("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")]},
        {400},
        (),
    ),
    "bad_query_wrong_media_type": (
        "post",
        {"content": SELECT, "headers": {"Content-Type": "text/plain"}},
        {415},
        (),
    ),
    "bad_query_missing_form_type": ("post", {"content": f"query={SELECT}"}, {415}, ()),
    "bad_query_missing_direct_type": ("post", {"content": SELECT}, {415}, ()),
    "bad_query_non_utf8": (
        "post",
        {
            "content": SELECT.encode("utf-16"),
            "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
        },
        {400},
        (),
    ),
    "bad_query_syntax": ("get", {"params": {"query": "ASK { ?s ?p ?o"}}, {400}, ()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_w3c_protocol(sparql: TestClient, name: str) -> None:
    method, kwargs, statuses, media_types = CASES[name]
    response = getattr(sparql, method)("/sparql", **kwargs)
    assert response.status_code in statuses, response.text
    if media_types:
        assert response.headers["content-type"].startswith(media_types)
    else:
        assert response.json()["error"]["status"] == response.status_code


def test_query_multiple_dataset_uses_the_protocol_dataset(sparql: TestClient) -> None:
    """query_multiple_dataset: FROM in the query and default-graph-uri: the protocol wins."""
    query = f"SELECT DISTINCT ?id FROM <{SBU}> WHERE {{ ?s ks:identifier ?id }}"
    rows = sparql.get("/sparql", params={"query": query, "default-graph-uri": NKK}).json()
    ids = {r["id"]["value"] for r in rows["results"]["bindings"]}
    assert ids and all(i.startswith("nkk:") for i in ids)
