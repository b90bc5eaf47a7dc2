"""Ontology documentation: a page for every class, property, concept scheme and shape, in
Swedish and English, linked to each other, self-contained; served at /ontology and written as
static files by ``kunskapsgraf docs``."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import OWL, RDF, SH, SKOS

from service.cli import main
from service.config import Settings
from service.ontodoc import build_site

REPO = Path(__file__).resolve().parents[2]
KS = "https://kunskapsgraf.se/ont/"


class _Page(HTMLParser):
    """Links, resource references, headings and language attributes of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.tags: list[str] = []
        self.langs: list[str] = []
        self.h1 = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if values.get("src") or tag in ("link", "script", "img", "iframe", "object", "embed"):
            self.resources.append(tag)
        if values.get("lang"):
            self.langs.append(values["lang"] or "")
        if tag == "h1":
            self.h1 += 1


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return build_site(Settings(store="memory"))


@pytest.fixture(scope="module")
def model() -> tuple[rdflib.Graph, rdflib.Graph]:
    graph = rdflib.Graph().parse(REPO / "ontology" / "kunskapsgraf.ttl")
    for folder in (REPO / "ontology" / "vocabularies", REPO / "data" / "demo" / "codes"):
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path)
    shapes = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        shapes.parse(path)
    return graph, shapes


def _local(node: rdflib.term.Node) -> str:
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def test_a_page_for_every_class_property_scheme_and_shape(
    pages: dict[str, str], model: tuple[rdflib.Graph, rdflib.Graph]
) -> None:
    graph, shapes = model
    expected = {"index.html"}
    expected |= {
        f"class/{_local(c)}.html"
        for c in graph.subjects(RDF.type, OWL.Class)
        if str(c).startswith(KS)
    }
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        expected |= {
            f"property/{_local(p)}.html"
            for p in graph.subjects(RDF.type, kind)
            if str(p).startswith(KS)
        }
    expected |= {f"scheme/{_local(s)}.html" for s in graph.subjects(RDF.type, SKOS.ConceptScheme)}
    expected |= {
        f"shape/{_local(s)}.html"
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, rdflib.URIRef)
    }
    assert set(pages) == expected


def test_pages_are_accessible_self_contained_and_link_only_to_existing_pages(
    pages: dict[str, str],
) -> None:
    for path, html in pages.items():
        page = parse(html)
        assert '<html lang="sv">' in html, path
        assert page.h1 == 1, path
        assert {"header", "nav", "main", "footer"} <= set(page.tags), path
        assert page.resources == [], f"{path} loads {page.resources}"
        assert "url(" not in html and "@import" not in html
        for link in page.links:
            if link.startswith(("http://", "https://", "#")):
                continue
            target = urljoin(path, link).split("#", 1)[0]
            assert target in pages, f"{path} links to missing {link}"


def test_class_page_has_both_languages_definition_shapes_and_example(pages: dict[str, str]) -> None:
    html = pages["class/KnowledgeProduct.html"]
    assert "<h1>Kunskapsprodukt</h1>" in html
    assert '<p lang="en" class="en">Knowledge product</p>' in html
    assert "En publicerad helhet som en utgivare ansvarar för" in html  # skos:definition @sv
    assert "A published whole that a publisher is accountable for" in html  # @en
    assert 'href="../class/KnowledgeResource.html"' in html  # superclass
    assert 'href="../shape/KnowledgeProduct.html"' in html  # the shape that targets it
    assert "shapes/cases/KnowledgeProduct/valid.ttl" in html  # an example
    assert "&lt;item/nkk/kol&gt;" in html  # example Turtle, escaped


def test_property_page_names_domain_range_and_constraining_shapes(pages: dict[str, str]) -> None:
    html = pages["property/audience.html"]
    assert "målgrupp" in html
    assert 'href="../shape/KnowledgeProduct-audience.html"' in html
    assert "Värdemängd" in html


def test_scheme_page_lists_concepts_with_labels_in_both_languages(pages: dict[str, str]) -> None:
    html = pages["scheme/care-setting.html"]
    assert '<tr id="slutenvard">' in html
    assert "under specialiserad-vard" in html  # its broader concept
    assert re.search(r'<td lang="en">[^<]*[Ii]npatient', html)


def test_shape_page_shows_rule_message_and_cases(pages: dict[str, str]) -> None:
    html = pages["shape/KnowledgeResource-title.html"]
    assert 'href="../property/title.html"' in html
    assert "invalid-two-swedish.ttl" in html and "valid.ttl" in html
    assert "<code>sh:minCount</code>" in html or "sh:minCount" in html


def test_served_at_ontology_with_404_for_unknown_pages(client: TestClient) -> None:
    redirect = client.get("/ontology", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/ontology/"
    index = client.get("/ontology/")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    assert 'href="class/KnowledgeProduct.html"' in index.text
    page = client.get("/ontology/class/KnowledgeProduct.html")
    assert page.status_code == 200 and "<h1>Kunskapsprodukt</h1>" in page.text
    missing = client.get("/ontology/class/NoSuchClass.html")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_static_build_writes_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pages: dict[str, str]
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_STORE", "memory")
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path / "var"))
    out = tmp_path / "site"
    assert main(["docs", str(out)]) == 0
    written = {str(p.relative_to(out)) for p in out.rglob("*.html")}
    assert written == set(pages)
    assert (out / "index.html").read_text(encoding="utf-8") == pages["index.html"]
