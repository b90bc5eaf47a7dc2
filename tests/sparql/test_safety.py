"""A public endpoint: every hostile or broken request ends in time with a 4xx or 503 in the one
JSON error shape, and nothing it asks for changes the store or leaves the machine."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import RdfFormat

from service.config import Settings
from service.errors import Forbidden, InvalidQuery, PayloadTooLarge
from service.sparql.safety import check_query
from service.store import Store

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
UNAPPROVED_GRAPH = "https://kunskapsgraf.se/graph/source/kloka-listan"


def error(response: object, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()["error"]  # type: ignore[attr-defined]
    assert body["status"] == status and body["code"] == code
    assert body["message"]["sv"] and body["message"]["en"]
    return body  # type: ignore[no-any-return]


def dump(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def test_malformed_query_is_400_with_line_and_column(sparql: TestClient) -> None:
    response = sparql.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p \n}"})
    body = error(response, 400, "invalid_query")
    assert body["details"]["line"] == 3 and body["details"]["column"] >= 1  # type: ignore[index]
    assert "rad 3" in body["message"]["sv"]  # type: ignore[index]


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        {"params": {"query": "LOAD <http://127.0.0.1:1/data.ttl>"}},
        {"params": {"query": "CLEAR ALL"}},
        {"params": {"update": "DROP ALL"}},
        {"data": {"update": "DELETE WHERE { ?s ?p ?o }"}, "method": "post"},
        {
            "content": b"DROP ALL",
            "headers": {"Content-Type": "application/sparql-update"},
            "method": "post",
        },
    ],
)
def test_updates_are_refused_and_change_nothing(
    sparql: TestClient, demo_store: Store, request_kwargs: dict[str, object]
) -> None:
    before = demo_store.quad_count()
    method = str(request_kwargs.pop("method", "get"))
    response = getattr(sparql, method)("/sparql", **request_kwargs)
    body = error(response, 403, "forbidden")
    assert body["details"]["reason"] == "update"  # type: ignore[index]
    assert demo_store.quad_count() == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z OPTIONAL { SERVICE ?endpoint { ?s ?p ?o } } } LIMIT 1",
        "ASK { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { SERVICE <http://127.0.0.1:1/x> "
        "{ ?s ?p ?o } } } }",
    ],
)
def test_service_is_refused_before_anything_runs(sparql: TestClient, query: str) -> None:
    body = error(sparql.get("/sparql", params={"query": query}), 403, "forbidden")
    assert body["details"]["reason"] == "service"  # type: ignore[index]


def test_escaped_keywords_cannot_smuggle_service_past_the_check() -> None:
    # \u0053 is "S": SPARQL allows code point escapes in the query text.
    with pytest.raises((Forbidden, InvalidQuery)):
        check_query(r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }", 1000)


def test_words_that_only_contain_service_are_fine() -> None:
    checked = check_query("SELECT ?s WHERE { ?s ks:title 'Servicehund från Skåne' }", 1000)
    assert checked.form == "solutions" and checked.default_graphs is None


def test_from_graphs_are_read_from_the_parse_tree() -> None:
    checked = check_query(
        "PREFIX g: <https://kunskapsgraf.se/graph/> SELECT * FROM g:register "
        "FROM NAMED <https://kunskapsgraf.se/graph/source/nkk> WHERE { ?s ?p ?o }",
        1000,
    )
    assert checked.default_graphs == ("https://kunskapsgraf.se/graph/register",)
    assert checked.named_graphs == ("https://kunskapsgraf.se/graph/source/nkk",)


def test_too_long_query_is_413(sparql: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 6000
    body = error(sparql.get("/sparql", params={"query": query}), 413, "payload_too_large")
    assert body["details"]["limit"] == 5000  # type: ignore[index]
    with pytest.raises(PayloadTooLarge):
        check_query(query, 5000)


def test_huge_post_body_is_413_before_it_is_read_whole(sparql: TestClient) -> None:
    response = sparql.post(
        "/sparql",
        content=b"#" * 100_000,
        headers={"Content-Type": "application/sparql-query"},
    )
    error(response, 413, "payload_too_large")


def test_pathological_query_is_stopped_in_time_and_the_next_one_runs(
    sparql: TestClient, sparql_settings: Settings
) -> None:
    response = sparql.get("/sparql", params={"query": PATHOLOGICAL})
    body = error(response, 503, "query_timeout")
    assert body["details"]["timeout_s"] == sparql_settings.sparql_timeout_s  # type: ignore[index]
    after = sparql.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_query_that_needs_too_much_memory_ends_its_worker_not_the_service(
    sparql: TestClient,
) -> None:
    # Sorting a cross product of the whole store: gigabytes, far over the worker's limit.
    query = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    response = sparql.get("/sparql", params={"query": query})
    assert response.status_code == 503
    assert response.json()["error"]["code"] in ("query_failed", "query_timeout")
    after = sparql.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert after.status_code == 200


def test_result_size_limit_refuses_huge_results(sparql: TestClient) -> None:
    response = sparql.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    body = error(response, 400, "result_too_large")
    assert body["details"]["limit_bytes"] == 300_000  # type: ignore[index]


@pytest.mark.parametrize(
    "params",
    [
        {"query": f"SELECT * WHERE {{ GRAPH <{UNAPPROVED_GRAPH}> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * FROM <{UNAPPROVED_GRAPH}> WHERE {{ ?s ?p ?o }}"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": UNAPPROVED_GRAPH},
        {"query": "SELECT ?s WHERE { ?s ks:identifier ?id FILTER(STRSTARTS(?id, 'kloka')) }"},
    ],
)
def test_unapproved_sources_are_invisible(sparql: TestClient, params: dict[str, str]) -> None:
    response = sparql.get("/sparql", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []


def test_the_store_does_have_the_unapproved_content(demo_store: Store) -> None:
    # The previous test means something only because the content exists.
    assert demo_store.ask("ASK { ?s ks:identifier ?id FILTER(STRSTARTS(?id, 'kloka-listan:')) }")


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"params": {"query": ""}}, 400, "invalid_query"),
        ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "invalid_parameter"),
        (
            {
                "params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                "headers": {"Accept": "image/png"},
            },
            406,
            "not_acceptable",
        ),
        (
            {
                "params": {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
                "headers": {"Accept": "text/csv"},
            },
            406,
            "not_acceptable",
        ),
        (
            {"params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "format": "png"}},
            406,
            "not_acceptable",
        ),
        ({"params": {"query": "SELECT * WHERE { ?s nope:p ?o }"}}, 400, "invalid_query"),
    ],
)
def test_bad_requests_get_the_one_error_shape(
    sparql: TestClient, kwargs: dict[str, object], status: int, code: str
) -> None:
    error(sparql.get("/sparql", **kwargs), status, code)  # type: ignore[arg-type]


def test_post_with_wrong_content_type_or_no_query(sparql: TestClient) -> None:
    error(
        sparql.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"}),
        415,
        "unsupported_media_type",
    )
    error(sparql.post("/sparql", data={"nothing": "here"}), 400, "invalid_parameter")
    error(
        sparql.post(
            "/sparql",
            content=b"\xff\xfe",
            headers={"Content-Type": "application/sparql-query"},
        ),
        400,
        "invalid_parameter",
    )


def test_text_of_sources_without_display_rights_is_withheld(
    sparql: TestClient, demo_store: Store
) -> None:
    # SBU is approved at an integration level below fulltext-visning: metadata yes, text no.
    item = "<https://kunskapsgraf.se/id/item/sbu/trycksar-forebyggande>"
    assert demo_store.ask(f"ASK {{ {item} ks:body ?b }}")
    ask = sparql.get("/sparql", params={"query": f"ASK {{ {item} ks:body ?b }}"})
    assert ask.json()["boolean"] is False
    assert sparql.get("/sparql", params={"query": f"ASK {{ {item} ks:title ?t }}"}).json()[
        "boolean"
    ]
    nkk = "<https://kunskapsgraf.se/id/item/nkk/astma-vuxna>"  # full text allowed
    assert sparql.get("/sparql", params={"query": f"ASK {{ {nkk} ks:body ?b }}"}).json()["boolean"]
    graph = sparql.get(
        "/rdf-graphs",
        params={"graph": "https://kunskapsgraf.se/graph/source/sbu"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.status_code == 200 and b"/ont/body>" not in graph.content
    described = sparql.get("/id/item/sbu/trycksar-forebyggande", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and b"ks:body" not in described.content
