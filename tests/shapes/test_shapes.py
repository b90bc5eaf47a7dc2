"""The information specification (shapes/*.ttl).

The shapes graph must be well-formed SHACL, every shape must be named and explain itself in
Swedish and English, and every shape must have at least one valid and one invalid case under
shapes/cases/<ShapeLocalName>/. Each case is validated together with the ontology, the
vocabularies, the demo code lists (when built) and shapes/cases/_reference.ttl.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node, URIRef

from service.validation.shacl import (
    ValidationReport,
    load_shapes,
    validate_graph,
    validate_shapes_graph,
)

ROOT = Path(__file__).resolve().parents[2]
SHAPES_DIR = ROOT / "shapes"
CASES_DIR = SHAPES_DIR / "cases"
REFERENCE = CASES_DIR / "_reference.ttl"
KSS = "https://kunskapsgraf.se/shapes/"

CASE_FILES = sorted(CASES_DIR.glob("*/*.ttl"))


def _model_files() -> list[Path]:
    """Ontology, vocabularies and the demo code lists (absent until the demo is built)."""
    return [
        ROOT / "ontology" / "kunskapsgraf.ttl",
        *sorted((ROOT / "ontology" / "vocabularies").glob("*.ttl")),
        *sorted((ROOT / "data" / "demo" / "codes").glob("*.ttl")),
    ]


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return load_shapes(SHAPES_DIR)


@pytest.fixture(scope="module")
def base_graph() -> rdflib.Graph:
    """Ontology + vocabularies + codes + reference data, parsed once per module."""
    graph = rdflib.Graph()
    for path in _model_files():
        graph.parse(path, format="turtle")
    graph.parse(REFERENCE, format="turtle")
    return graph


@pytest.fixture(scope="module")
def reference_subjects() -> set[Node]:
    return set(rdflib.Graph().parse(REFERENCE, format="turtle").subjects())


@contextmanager
def _with_case(base: rdflib.Graph, case: rdflib.Graph) -> Iterator[rdflib.Graph]:
    """Temporarily add the case's triples to the shared base graph."""
    added = [triple for triple in case if triple not in base]
    for triple in added:
        base.add(triple)
    try:
        yield base
    finally:
        for triple in added:
            base.remove(triple)


def _shape_nodes(shapes: rdflib.Graph) -> set[Node]:
    nodes: set[Node] = set()
    nodes.update(shapes.subjects(RDF.type, SH.NodeShape))
    nodes.update(shapes.subjects(RDF.type, SH.PropertyShape))
    nodes.update(shapes.subjects(SH.path, None))
    nodes.update(shapes.objects(None, SH.property))
    nodes.update(shapes.objects(None, SH.node))
    for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        nodes.update(shapes.subjects(target, None))
    return nodes


def _named_shapes(shapes: rdflib.Graph) -> list[str]:
    return sorted(
        str(node)[len(KSS) :]
        for node in _shape_nodes(shapes)
        if isinstance(node, URIRef) and str(node).startswith(KSS)
    )


def _languages(graph: rdflib.Graph, node: Node, predicate: URIRef) -> set[str]:
    return {
        (literal.language or "").lower()
        for literal in graph.objects(node, predicate)
        if isinstance(literal, rdflib.Literal)
    }


def _describe(report: ValidationReport) -> str:
    return "\n".join(
        f"  {r.severity} {r.shape} focus={r.focus_node} path={r.path} value={r.value}: "
        f"{r.message_en}"
        for r in report.results
    )


# --- The shapes graph itself -----------------------------------------------------------------


def test_shapes_graph_is_valid_shacl(shapes: rdflib.Graph) -> None:
    report = validate_shapes_graph(shapes)
    assert report.conforms, _describe(report)
    assert report.results == []


def test_meta_check_rejects_a_malformed_shape() -> None:
    broken = rdflib.Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kss: <https://kunskapsgraf.se/shapes/> .
        @prefix ks: <https://kunskapsgraf.se/ont/> .
        kss:Broken a sh:NodeShape ;
            sh:targetClass ks:KnowledgeProduct ;
            sh:property kss:Broken-title .
        kss:Broken-title a sh:PropertyShape ;
            sh:path ks:title ;
            sh:minCount "one" .
        """,
        format="turtle",
    )
    report = validate_shapes_graph(broken)
    assert not report.conforms
    assert any(r.focus_node == KSS + "Broken-title" for r in report.violations())


def test_every_shape_is_a_typed_named_iri(shapes: rdflib.Graph) -> None:
    nodes = _shape_nodes(shapes)
    unnamed = [node for node in nodes if not isinstance(node, URIRef)]
    assert unnamed == [], "blank-node shapes are not allowed"
    foreign = [str(node) for node in nodes if not str(node).startswith(KSS)]
    assert foreign == []
    untyped = [
        str(node)
        for node in nodes
        if (node, RDF.type, SH.NodeShape) not in shapes
        and (node, RDF.type, SH.PropertyShape) not in shapes
    ]
    assert untyped == []


def test_every_shape_has_swedish_and_english_message_and_label(shapes: rdflib.Graph) -> None:
    missing = []
    for node in _shape_nodes(shapes):
        for predicate in (SH.message, RDFS.label):
            if not {"sv", "en"} <= _languages(shapes, node, predicate):
                missing.append(f"{node} {predicate}")
    assert missing == []


def test_every_sparql_constraint_has_prefixes_and_bilingual_messages(
    shapes: rdflib.Graph,
) -> None:
    constraints = list(shapes.objects(None, SH.sparql))
    assert constraints, "expected SHACL-SPARQL constraints"
    problems = []
    for constraint in constraints:
        if shapes.value(constraint, SH.prefixes) is None:
            problems.append(f"{constraint}: no sh:prefixes")
        if not {"sv", "en"} <= _languages(shapes, constraint, SH.message):
            problems.append(f"{constraint}: sh:message needs sv and en")
    assert problems == []


# --- Cases -----------------------------------------------------------------------------------


def test_every_shape_has_a_valid_and_an_invalid_case(shapes: rdflib.Graph) -> None:
    missing = []
    for name in _named_shapes(shapes):
        folder = CASES_DIR / name
        for kind in ("valid", "invalid"):
            if not list(folder.glob(f"{kind}*.ttl")):
                missing.append(f"shapes/cases/{name}/{kind}*.ttl")
    assert missing == []


def test_every_case_folder_names_a_shape(shapes: rdflib.Graph) -> None:
    names = set(_named_shapes(shapes))
    orphans = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir() and p.name not in names)
    assert orphans == []


def test_every_case_file_starts_with_a_comment() -> None:
    silent = [
        str(p.relative_to(ROOT))
        for p in [REFERENCE, *CASE_FILES]
        if not p.read_text(encoding="utf-8").startswith("# ")
    ]
    assert silent == []


def test_reference_data_conforms(base_graph: rdflib.Graph, shapes: rdflib.Graph) -> None:
    report = validate_graph(base_graph, shapes)
    assert report.violations() == [], _describe(report)


@pytest.mark.parametrize(
    "case_file", CASE_FILES, ids=[str(p.relative_to(CASES_DIR)) for p in CASE_FILES]
)
def test_case(
    case_file: Path,
    shapes: rdflib.Graph,
    base_graph: rdflib.Graph,
    reference_subjects: set[Node],
) -> None:
    shape = URIRef(KSS + case_file.parent.name)
    case = rdflib.Graph().parse(case_file, format="turtle")
    # Only the case's own nodes are validated; the reference data is checked once above.
    with _with_case(base_graph, case) as data:
        report = validate_graph(data, shapes, focus_nodes=set(case.subjects()))
    graph = report.report_graph
    # Nested results (sh:detail under an sh:node result) count as results of their shape.
    from_shape = list(graph.subjects(SH.sourceShape, shape))
    if case_file.name.startswith("invalid"):
        assert from_shape, f"{shape} reported nothing:\n{_describe(report)}"
        for result in report.results:
            if result.shape == str(shape):
                assert result.message_sv and result.message_en
                assert result.message_sv != result.message_en
    else:
        assert report.violations() == [], _describe(report)
        about_case = [
            r for r in from_shape if graph.value(r, SH.focusNode) not in reference_subjects
        ]
        assert about_case == [], _describe(report)
