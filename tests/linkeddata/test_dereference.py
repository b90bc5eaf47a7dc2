"""Every identifier dereferences: HTML for browsers, RDF for machines, from the same IRI; only
public content; the JSON-LD context and the VoID/DCAT description are served."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat

from service.linkeddata import iri_for_path
from service.linkeddata.html import link

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RESOURCES = [
    "/id/item/nkk/astma-vuxna",
    "/id/item/nkk/astma-vuxna.behandling",
    "/id/source/nkk",
    "/vocab/icd-10-se/J45",
    "/vocab/audience",
    "/vocab/audience/lakare",
    "/ont/KnowledgeProduct",
    "/ont/title",
]


def parse(body: bytes, fmt: RdfFormat) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(body, fmt)
    return store


@pytest.mark.parametrize("path", RESOURCES)
def test_machines_get_turtle_about_the_iri(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Accept" in response.headers["vary"]
    iri = NamedNode("https://kunskapsgraf.se" + path)
    assert len(parse(response.content, RdfFormat.TURTLE)) > 0
    assert list(parse(response.content, RdfFormat.TURTLE).quads_for_pattern(iri, None, None))


@pytest.mark.parametrize("path", RESOURCES)
def test_browsers_get_html_from_the_same_iri(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "https://kunskapsgraf.se" + path in response.text


def test_json_ld_n_triples_and_rdf_xml_by_accept_or_format(client: TestClient) -> None:
    path = "/vocab/icd-10-se/J45"
    jsonld = client.get(path, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert json.loads(jsonld.content)
    turtle = parse(client.get(path).content, RdfFormat.TURTLE)  # Turtle when nothing is asked
    for fmt, rdf in (
        ("ntriples", RdfFormat.N_TRIPLES),
        ("rdfxml", RdfFormat.RDF_XML),
        ("jsonld", RdfFormat.JSON_LD),
    ):
        assert len(parse(client.get(path, params={"format": fmt}).content, rdf)) == len(turtle)


def test_html_shows_labels_and_links_that_stay_on_this_server(client: TestClient) -> None:
    page = client.get("/id/item/nkk/astma-vuxna", headers={"Accept": BROWSER}).text
    assert "<title>Astma hos vuxna – Kunskapsgraf</title>" in page
    assert 'href="/id/source/nkk"' in page  # works at http://127.0.0.1:8000 too
    assert 'href="/innehall/nkk:astma-vuxna"' in page
    assert "Nationellt" in page or "nkk" in page


def test_unknown_and_unapproved_identifiers_are_404(client: TestClient) -> None:
    for path in (
        "/id/item/nkk/finns-inte",
        "/id/item/kloka-listan/anafylaxi-akutlakemedel",  # stored, source not approved
        "/vocab/icd-10-se/Z99.99",
        "/ont/NoSuchTerm",
    ):
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_unacceptable_format_is_406(client: TestClient) -> None:
    response = client.get("/id/source/nkk", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


def test_paths_map_to_iris_under_the_configured_base() -> None:
    assert iri_for_path("/id/item/nkk/x", "https://example.org/kg/") == NamedNode(
        "https://example.org/kg/id/item/nkk/x"
    )
    assert link("https://kunskapsgraf.se/vocab/icd-10-se/J45", "https://kunskapsgraf.se/") == (
        "/vocab/icd-10-se/J45"
    )
    assert link("https://schema.org/name", "https://kunskapsgraf.se/") == "https://schema.org/name"


def test_json_ld_context_is_served(client: TestClient) -> None:
    response = client.get("/ns/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    assert context["title"]["@id"] == "https://kunskapsgraf.se/ont/title"


def test_void_describes_the_dataset_and_each_public_source(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    void = parse(response.content, RdfFormat.TURTLE)
    rows = void.query(
        "SELECT ?key ?n ?dump WHERE { ?d a <http://rdfs.org/ns/void#Dataset> ; "
        "<http://rdfs.org/ns/void#subset> ?s . ?s <http://purl.org/dc/terms/identifier> ?key ; "
        "<http://rdfs.org/ns/void#triples> ?n ; <http://rdfs.org/ns/void#dataDump> ?dump ; "
        "a <http://www.w3.org/ns/dcat#Dataset> }"
    )
    found = {row["key"].value: (int(row["n"].value), row["dump"].value) for row in rows}
    assert "nkk" in found and found["nkk"][0] > 100
    assert "kloka-listan" not in found
    dump = found["nkk"][1].replace("http://testserver", "")
    graph = client.get(dump, headers={"Accept": "application/n-triples"})
    assert graph.status_code == 200
    assert len(parse(graph.content, RdfFormat.N_TRIPLES)) == found["nkk"][0]
