"""/sparql per the SPARQL 1.1 Protocol: the three ways to send a query, every result format by
Accept (q-values), defaults, the service description and the query page."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat

SELECT = "SELECT ?s ?title WHERE { ?s ks:identifier 'nkk:astma-vuxna' ; ks:title ?title }"
CONSTRUCT = (
    "CONSTRUCT { ?s ks:title ?t } WHERE { ?s ks:identifier 'nkk:astma-vuxna' ; ks:title ?t }"
)
ITEM = "https://kunskapsgraf.se/id/item/nkk/astma-vuxna"


def solutions(body: bytes, fmt: QueryResultsFormat) -> list[dict[str, str]]:
    if fmt == QueryResultsFormat.CSV:  # lossy by design: pyoxigraph does not read it back
        return list(csv.DictReader(io.StringIO(body.decode())))
    result = pyoxigraph.parse_query_results(body, fmt)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def test_get_select_defaults_to_json_and_varies_on_accept(sparql: TestClient) -> None:
    response = sparql.get("/sparql", params={"query": SELECT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert "Accept" in response.headers["vary"]
    rows = response.json()["results"]["bindings"]
    assert {r["s"]["value"] for r in rows} == {ITEM}


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "JSON"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("text/csv", "text/csv", "CSV"),
        ("text/tab-separated-values", "text/tab-separated-values", "TSV"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("application/sparql-results+json;q=0.2, text/csv;q=0.9", "text/csv", "CSV"),
        ("*/*", "application/sparql-results+json", "JSON"),
    ],
)
def test_select_in_every_results_format_by_accept(
    sparql: TestClient, accept: str, media_type: str, fmt: str
) -> None:
    response = sparql.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    rows = solutions(response.content, getattr(QueryResultsFormat, fmt))
    assert {r["s"] for r in rows} == {ITEM}


def test_ask_answers_a_boolean(sparql: TestClient) -> None:
    response = sparql.get("/sparql", params={"query": f"ASK {{ <{ITEM}> ?p ?o }}"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True
    xml = sparql.get(
        "/sparql",
        params={"query": "ASK { ?s ks:identifier 'nope:nope' }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    result = pyoxigraph.parse_query_results(xml.content, QueryResultsFormat.XML)
    assert isinstance(result, QueryBoolean) and not bool(result)


@pytest.mark.parametrize(
    ("accept", "media_type", "fmt"),
    [
        (None, "text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml", RdfFormat.RDF_XML),
        ("application/ld+json;q=0.4, text/turtle;q=0.8", "text/turtle", RdfFormat.TURTLE),
    ],
)
def test_construct_in_every_graph_format(
    sparql: TestClient, accept: str | None, media_type: str, fmt: RdfFormat
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = sparql.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    quads = list(pyoxigraph.parse(response.content, fmt))
    assert {q.subject.value for q in quads} == {ITEM}
    assert len(quads) >= 1


def test_describe_answers_turtle(sparql: TestClient) -> None:
    response = sparql.get("/sparql", params={"query": f"DESCRIBE <{ITEM}>"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert len(list(pyoxigraph.parse(response.content, RdfFormat.TURTLE))) > 5


def test_post_form_and_post_query_body_and_unknown_parameters(sparql: TestClient) -> None:
    form = sparql.post("/sparql", data={"query": SELECT, "timeout": "5", "whatever": "x"})
    assert form.status_code == 200
    direct = sparql.post(
        "/sparql?unknown=1",
        content=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/csv"},
    )
    assert direct.status_code == 200
    assert direct.headers["content-type"].startswith("text/csv")
    assert form.json() == sparql.get("/sparql", params={"query": SELECT, "x": "y"}).json()


def test_format_parameter_overrides_accept(sparql: TestClient) -> None:
    response = sparql.get(
        "/sparql", params={"query": SELECT, "format": "tsv"}, headers={"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/tab-separated-values")


def test_dataset_parameters_narrow_the_default_graph(sparql: TestClient) -> None:
    query = "SELECT DISTINCT ?id WHERE { ?s ks:identifier ?id } ORDER BY ?id"
    nkk = sparql.get(
        "/sparql",
        params={"query": query, "default-graph-uri": "https://kunskapsgraf.se/graph/source/nkk"},
    ).json()["results"]["bindings"]
    ids = {row["id"]["value"] for row in nkk}
    assert ids and all(i.startswith("nkk:") for i in ids)
    named = sparql.get(
        "/sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": [
                "https://kunskapsgraf.se/graph/source/sbu",
                "https://kunskapsgraf.se/graph/register",
            ],
        },
    ).json()["results"]["bindings"]
    assert {r["g"]["value"] for r in named} == {
        "https://kunskapsgraf.se/graph/source/sbu",
        "https://kunskapsgraf.se/graph/register",
    }


def test_from_clause_of_the_query_is_honoured(sparql: TestClient) -> None:
    query = (
        "SELECT DISTINCT ?id FROM <https://kunskapsgraf.se/graph/source/sbu> "
        "WHERE { ?s ks:identifier ?id }"
    )
    rows = sparql.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert rows and all(r["id"]["value"].startswith("sbu:") for r in rows)


def test_service_description_for_machines(sparql: TestClient) -> None:
    response = sparql.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"]
    graph = pyoxigraph.Store()
    graph.load(response.content, RdfFormat.TURTLE)
    assert graph.query(
        "ASK { ?s a <http://www.w3.org/ns/sparql-service-description#Service> ; "
        "<http://www.w3.org/ns/sparql-service-description#supportedLanguage> "
        "<http://www.w3.org/ns/sparql-service-description#SPARQL11Query> ; "
        "<http://www.w3.org/ns/sparql-service-description#resultFormat> "
        "<http://www.w3.org/ns/formats/SPARQL_Results_CSV> }"
    )
    assert not graph.query(
        "ASK { ?s <http://www.w3.org/ns/sparql-service-description#feature> "
        "<http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery> }"
    )
    default = sparql.get("/sparql")
    assert default.headers["content-type"].startswith("text/turtle")
    jsonld = sparql.get("/sparql", headers={"Accept": "application/ld+json"})
    assert json.loads(jsonld.content)


def test_query_page_for_browsers_is_served_locally(sparql: TestClient) -> None:
    page = sparql.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/sparql/assets/yasgui.min.js" in page.text
    assert "https://" not in page.text.split("<body>")[0]  # no CDN in the head
    script = sparql.get("/sparql/assets/yasgui.min.js")
    assert script.status_code == 200, "run `make web` to install YASGUI"
    assert sparql.get("/sparql/assets/yasgui.min.css").status_code == 200


def test_example_queries_all_run_and_find_something(sparql: TestClient) -> None:
    examples = sparql.get("/sparql/examples").json()
    assert len(examples) >= 5
    for example in examples:
        assert example["title"] and not example["title"].startswith("#")
        response = sparql.get("/sparql", params={"query": example["query"]})
        assert response.status_code == 200, (example["name"], response.text)
        if response.headers["content-type"].startswith("application/sparql-results+json"):
            assert response.json()["results"]["bindings"], example["name"]
        else:
            assert list(pyoxigraph.parse(io.BytesIO(response.content), RdfFormat.TURTLE))


def test_cors_is_open_on_the_endpoint(sparql: TestClient) -> None:
    response = sparql.get(
        "/sparql", params={"query": SELECT}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = sparql.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
