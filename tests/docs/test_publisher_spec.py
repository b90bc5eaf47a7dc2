"""The publisher specification (docs/spec/) cannot fall behind the service.

* ``fields.md`` is what ``docs/spec/build.py`` generates from the shapes today;
* every term it and the README's examples use is a real property;
* every required property of the item shapes is listed as required;
* the README's examples (fenced blocks after ``<!-- example: NAME -->``) parse, are accepted by
  the push API over the demo corpus, and its error examples are what the API really answers.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode
from rdflib.namespace import OWL, RDF, SH

from service import errors as service_errors
from service.api import errors as api_errors
from service.api.app import create_app
from service.api.routes.sources import Supersede
from service.config import Settings
from service.ingest import parse_rdf
from service.ingest.pipeline import PROVENANCE
from service.store import Store

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "docs" / "spec"
BUILD = SPEC / "build.py"
README = (SPEC / "README.md").read_text(encoding="utf-8")
FIELDS = (SPEC / "fields.md").read_text(encoding="utf-8")
ONTOLOGY = REPO / "ontology" / "kunskapsgraf.ttl"
KS = "https://kunskapsgraf.se/ont/"
KSS = "https://kunskapsgraf.se/shapes/"

TOKENS = {"nkk": "nkk-secret", "region-12": "skane-secret"}
MEDIA = {"json": "application/ld+json", "turtle": "text/turtle"}
# The README's item examples: example name -> source it is pushed to.
ITEM_EXAMPLES = {
    "product-jsonld": "nkk",
    "product-turtle": "nkk",
    "product-full": "nkk",
    "supplement": "region-12",
}
# The anchors of fields.md for the item classes and the shapes whose required fields they list.
CLASS_SECTIONS = {
    "kunskapsprodukt": ("KnowledgeProduct", "KnowledgeResource"),
    "avsnitt": ("Section", "KnowledgeResource"),
    "rekommendation": ("Recommendation", "KnowledgeResource"),
    "regionalt-tillagg": ("RegionalSupplement", "KnowledgeResource"),
}


def _examples() -> dict[str, tuple[str, str]]:
    """``name -> (language, text)`` of every marked fenced block in the README."""
    pattern = re.compile(r"<!-- example: ([\w-]+) -->\s*\n```(\w+)\n(.*?)\n```", re.DOTALL)
    found: dict[str, tuple[str, str]] = {}
    for name, language, text in pattern.findall(README):
        assert name not in found, f"example {name} is marked twice"
        found[name] = (language, text)
    return found


EXAMPLES = _examples()


@functools.cache
def _load_build() -> ModuleType:
    """docs/spec/build.py as a module (it is a script, not part of a package)."""
    spec = importlib.util.spec_from_file_location("docs_spec_build", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def _shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _known_properties() -> set[str]:
    """Every property the ontology declares or a shape constrains (sh:path)."""
    onto = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    props = {
        str(p)
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for p in onto.subjects(RDF.type, kind)
    }
    props.update(str(p) for p in _shapes().objects(None, SH.path) if isinstance(p, rdflib.URIRef))
    return props


def _known_classes() -> set[str]:
    onto = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    return {str(c) for c in onto.subjects(RDF.type, OWL.Class)}


def _field_rows(text: str) -> list[tuple[str, str, list[str]]]:
    """``(term, curie, cells)`` of every field row in a fields.md table."""
    rows = []
    for line in text.splitlines():
        found = re.match(r"^\| `([^`]+)` \| `(ks:[A-Za-z]+)` \|(.*)\|$", line)
        if found:
            rows.append((found[1], found[2], [c.strip() for c in found[3].split(" | ")]))
    return rows


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r'<a id="([\w-]+)"></a>', text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


# -- fields.md ------------------------------------------------------------------------------------


def test_fields_md_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(BUILD), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr or result.stdout


def test_check_fails_when_fields_md_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _load_build()
    stale = tmp_path / "fields.md"
    stale.write_text(FIELDS.replace("obligatorisk", "valfri", 1), encoding="utf-8")
    monkeypatch.setattr(build, "OUTPUT", stale)
    monkeypatch.setattr(build, "REPO", tmp_path)
    assert build.main(["--check"]) == 1
    stale.write_text(FIELDS, encoding="utf-8")
    assert build.main(["--check"]) == 0


def test_every_term_in_fields_md_is_a_real_property() -> None:
    known = _known_properties()
    rows = _field_rows(FIELDS.split("## Tillåtna värden")[0])
    assert len(rows) > 100
    for term, curie, _cells in rows:
        assert curie == f"ks:{term}", (term, curie)
        assert KS + term in known, f"{term} in fields.md is neither in the ontology nor a sh:path"


@pytest.mark.parametrize("anchor", sorted(CLASS_SECTIONS))
def test_every_required_property_is_listed_as_required(anchor: str) -> None:
    shapes = _shapes()
    section = _sections(FIELDS)[anchor]
    status = {term: cells[1] for term, _curie, cells in _field_rows(section)}
    required: set[str] = set()
    for shape_name in CLASS_SECTIONS[anchor]:
        for prop in shapes.objects(rdflib.URIRef(KSS + shape_name), SH.property):
            minimum = shapes.value(prop, SH.minCount)
            path = shapes.value(prop, SH.path)
            severity = shapes.value(prop, SH.severity)
            if not isinstance(minimum, rdflib.Literal) or severity not in (None, SH.Violation):
                continue
            if int(minimum) >= 1:
                assert isinstance(path, rdflib.URIRef)
                required.add(str(path)[len(KS) :])
    assert required, f"no required properties found for {anchor}"
    for term in sorted(required):
        assert status.get(term) == "obligatorisk", f"{term} should be required in #{anchor}"


def test_service_written_properties_are_the_pipelines() -> None:
    build = _load_build()
    assert {KS + p for p in build.SET_BY_SERVICE} == PROVENANCE


def test_recommendations_name_real_fields() -> None:
    build = _load_build()
    known = _known_properties()
    for cls, prop in build.RECOMMENDED:
        assert KS + prop in known and KS + cls in _known_classes(), (cls, prop)


def _github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(text: str) -> set[str]:
    explicit = set(re.findall(r'<a id="([\w-]+)"></a>', text))
    headings = {_github_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}
    return explicit | headings


@pytest.mark.parametrize(("name", "text"), [("README.md", README), ("fields.md", FIELDS)])
def test_links_between_the_documents_resolve(name: str, text: str) -> None:
    anchors = {"README.md": _anchors(README), "fields.md": _anchors(FIELDS)}
    for target, anchor in re.findall(r"\]\(((?:README|fields)\.md)?#([^)]+)\)", text):
        assert anchor in anchors[target or name], f"{name} links to {target or name}#{anchor}"


# -- the README's examples -----------------------------------------------------------------------


def test_the_examples_are_all_there() -> None:
    expected = {*ITEM_EXAMPLES, "response-200", "runs", "supersede-body", "bad-turtle"}
    expected |= {f"error-{c}" for c in ("401", "403", "413", "415", "404", "422")}
    expected |= {"error-400-invalid-rdf", "error-400-invalid-parameter"}
    assert expected <= set(EXAMPLES)
    assert "https://kunskapsgraf.se/ns/context.jsonld" in README
    assert "fields.md" in README


@pytest.mark.parametrize("name", sorted(ITEM_EXAMPLES))
def test_example_uses_only_real_terms(name: str) -> None:
    language, text = EXAMPLES[name]
    known, classes = _known_properties(), _known_classes()
    if language == "json":
        for key in _json_keys(json.loads(text)):
            assert key.startswith("@") or KS + key in known, f"{key} in example {name}"
    triples = parse_rdf(text.encode(), MEDIA[language], ontology_file=ONTOLOGY)
    for t in triples:
        if t.predicate.value == str(RDF.type):
            assert isinstance(t.object, NamedNode)
            assert t.object.value in classes, f"class {t.object.value} in example {name}"
        elif t.predicate.value.startswith(KS):
            assert t.predicate.value in known, f"{t.predicate.value} in example {name}"


def _json_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                yield key
                yield from _json_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _json_keys(value)


def test_json_ld_and_turtle_products_are_the_same_triples() -> None:
    parsed = []
    for name in ("product-jsonld", "product-turtle"):
        language, text = EXAMPLES[name]
        parsed.append(set(parse_rdf(text.encode(), MEDIA[language], ontology_file=ONTOLOGY)))
    assert parsed[0] == parsed[1]


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    writable = settings.model_copy(update={"tokens": TOKENS})
    with TestClient(create_app(writable, store=store)) as c:
        yield c


def push(client: TestClient, name: str) -> Any:
    language, text = EXAMPLES[name]
    source = ITEM_EXAMPLES[name]
    return client.post(
        f"/api/sources/{source}/items",
        content=text.encode(),
        headers={"Authorization": f"Bearer {TOKENS[source]}", "Content-Type": MEDIA[language]},
    )


@pytest.mark.parametrize("name", sorted(ITEM_EXAMPLES))
def test_example_is_accepted(client: TestClient, name: str) -> None:
    response = push(client, name)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "stored"
    assert report["counts"]["added"] >= 1


def test_response_examples_are_what_the_api_answers(client: TestClient) -> None:
    assert push(client, "product-turtle").status_code == 200
    real = push(client, "product-full").json()
    documented = json.loads(EXAMPLES["response-200"][1])
    assert set(real) == set(documented)
    assert real["counts"] == documented["counts"]
    assert sorted(map(json.dumps, real["items"])) == sorted(map(json.dumps, documented["items"]))
    runs = client.get("/api/sources/nkk/runs", headers=NKK).json()
    documented_runs = json.loads(EXAMPLES["runs"][1])
    assert set(runs) == set(documented_runs)
    assert set(runs["runs"][0]) == set(documented_runs["runs"][0])
    assert runs["runs"][0]["counts"] == documented_runs["runs"][0]["counts"]


def test_supersede_body_is_valid() -> None:
    body = Supersede.model_validate_json(EXAMPLES["supersede-body"][1])
    product = json.loads(EXAMPLES["product-jsonld"][1])
    assert body.replacedBy == product["identifier"]


# -- errors ---------------------------------------------------------------------------------------


def _error_codes() -> dict[str, int]:
    """Every error code the service can answer with, and its HTTP status."""
    codes: dict[str, int] = {}
    pending: list[type[service_errors.KunskapsgrafError]] = [service_errors.KunskapsgrafError]
    while pending:
        cls = pending.pop()
        codes[cls.code] = cls.status
        pending.extend(cls.__subclasses__())
    for status, (code, _sv, _en) in api_errors.HTTP_MESSAGES.items():
        codes.setdefault(code, status)
    return codes


ERROR_EXAMPLES = sorted(n for n in EXAMPLES if n.startswith("error-"))


@pytest.mark.parametrize("name", ERROR_EXAMPLES)
def test_error_example_has_the_real_shape_and_code(name: str) -> None:
    error = json.loads(EXAMPLES[name][1])["error"]
    assert set(error) == {"status", "code", "message", "details"}
    codes = _error_codes()
    assert error["code"] in codes, f"{error['code']} is not an error code of the service"
    assert codes[error["code"]] == error["status"]
    assert name.startswith(f"error-{error['status']}")
    assert set(error["message"]) == {"sv", "en"}


def _blank_node_batch() -> bytes:
    language, text = EXAMPLES["product-turtle"]
    assert language == "turtle"
    return text.rstrip().rstrip(".").encode() + b";\n    ks:hasReview [ a ks:Review ] .\n"


Request = Callable[[TestClient], Any]
NKK = {"Authorization": "Bearer nkk-secret"}
REQUESTS: dict[str, Request] = {
    "error-401": lambda c: c.post(
        "/api/sources/nkk/items", content=b"", headers={"Content-Type": "text/turtle"}
    ),
    "error-403": lambda c: c.post(
        "/api/sources/nkk/items",
        content=EXAMPLES["product-turtle"][1].encode(),
        headers={"Authorization": "Bearer skane-secret", "Content-Type": "text/turtle"},
    ),
    "error-413": lambda c: c.post(
        "/api/sources/nkk/items",
        content=b"#" * 10_000_001,
        headers={**NKK, "Content-Type": "text/turtle"},
    ),
    "error-415": lambda c: c.post(
        "/api/sources/nkk/items", content=b"<r/>", headers={**NKK, "Content-Type": "text/xml"}
    ),
    "error-400-invalid-rdf": lambda c: c.post(
        "/api/sources/nkk/items",
        content=EXAMPLES["bad-turtle"][1].encode() + b"\n",
        headers={**NKK, "Content-Type": "text/turtle"},
    ),
    "error-400-invalid-parameter": lambda c: c.post(
        "/api/sources/nkk/items",
        content=_blank_node_batch(),
        headers={**NKK, "Content-Type": "text/turtle"},
    ),
    "error-404": lambda c: c.post("/api/sources/nkk/items/finns-inte/withdraw", headers=NKK),
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_error_example_is_what_the_api_answers(client: TestClient, name: str) -> None:
    response = REQUESTS[name](client)
    documented = json.loads(EXAMPLES[name][1])
    assert response.status_code == documented["error"]["status"], response.text
    assert response.json() == documented


def test_validation_error_example_is_what_the_api_answers(client: TestClient) -> None:
    product = json.loads(EXAMPLES["product-jsonld"][1])
    del product["lastReviewed"]
    product["issued"] = "2099-03-02"
    response = client.post(
        "/api/sources/nkk/items",
        content=json.dumps(product),
        headers={**NKK, "Content-Type": "application/ld+json"},
    )
    assert response.status_code == 422, response.text
    real = response.json()["error"]
    documented = json.loads(EXAMPLES["error-422"][1])["error"]
    assert {k: real[k] for k in ("status", "code", "message")} == {
        k: documented[k] for k in ("status", "code", "message")
    }
    assert set(real["details"]) == set(documented["details"])

    def key(result: dict[str, Any]) -> str:
        return json.dumps(result, sort_keys=True, ensure_ascii=False)

    assert sorted(map(key, real["details"]["results"])) == sorted(
        map(key, documented["details"]["results"])
    )
    assert "ValidationReport" in json.dumps(real["details"]["report"])
    assert "ValidationReport" in json.dumps(documented["details"]["report"])
