"""The fast engine of ``validate_graph`` (SHACL Core in pyshacl, SHACL-SPARQL in batch in
pyoxigraph) gives the same results as pyshacl alone (``engine="pyshacl"``): for every shape case,
for the demo corpus and for the broken items; and it leaves to pyshacl what it cannot batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.term import Node

import service.validation.check as check
from service.config import Settings
from service.store import Store
from service.validation import sparql_batch
from service.validation.check import run_check
from service.validation.shacl import (
    ValidationReport,
    _path_str,
    _plan,
    _to_report,
    _validate_fast,
    load_shapes,
    validate_graph,
)

ROOT = Path(__file__).resolve().parents[2]
EX = rdflib.Namespace("http://example.org/")
SHAPES_DIR = ROOT / "shapes"
CASES_DIR = SHAPES_DIR / "cases"
REFERENCE = CASES_DIR / "_reference.ttl"
BROKEN = ROOT / "data" / "demo" / "broken.trig"
CASE_FILES = sorted(CASES_DIR.glob("*/*.ttl"))

Signature = tuple[Any, ...]


# --- Comparing two runs ----------------------------------------------------------------------


def _signature(graph: rdflib.Graph, node: Node) -> Signature:
    """A result with everything that identifies it, its sh:detail results included."""

    def one(predicate: rdflib.URIRef) -> str | None:
        value = graph.value(node, predicate)
        if value is None:
            return None
        if predicate == SH.resultPath:
            return _path_str(graph, value)
        return str(value)

    details = sorted(_signature(graph, d) for d in graph.objects(node, SH.detail))
    return (
        one(SH.focusNode),
        one(SH.sourceShape),
        one(SH.resultPath),
        one(SH.value),
        one(SH.resultSeverity),
        one(SH.sourceConstraintComponent),
        tuple(details),
    )


def _report_signatures(report: ValidationReport) -> Counter[Signature]:
    graph = report.report_graph
    (node,) = graph.subjects(RDF.type, SH.ValidationReport)
    return Counter(_signature(graph, r) for r in graph.objects(node, SH.result))


def _key(report: ValidationReport) -> Counter[tuple[str | None, ...]]:
    return Counter((r.focus_node, r.shape, r.path, r.value, r.severity) for r in report.results)


def _assert_same(fast: ValidationReport, reference: ValidationReport) -> None:
    # The brief's criterion first (focus, shape, path, value, severity), then everything else:
    # messages and components, the nesting under sh:node results, and sh:conforms.
    assert _key(fast) == _key(reference)
    assert sorted(fast.results, key=repr) == sorted(reference.results, key=repr)
    assert fast.conforms == reference.conforms
    assert _report_signatures(fast) == _report_signatures(reference)
    conforms = [g.value(None, SH.conforms) for g in (fast.report_graph, reference.report_graph)]
    assert conforms[0] == conforms[1]


def _compare(
    data: rdflib.Graph, shapes: rdflib.Graph, focus: set[Node] | None, *, batched: bool = True
) -> tuple[ValidationReport, ValidationReport]:
    fast = validate_graph(data, shapes, focus_nodes=focus)
    reference = validate_graph(data, shapes, focus_nodes=focus, engine="pyshacl")
    _assert_same(fast, reference)
    if batched:
        # The fast path itself, not its fallback to pyshacl (which would prove nothing).
        _assert_same(_to_report(_validate_fast(_plan(shapes), data, focus), data, shapes), fast)
    return fast, reference


# --- Every shape case (built as tests/shapes/test_shapes.py builds it) --------------------------


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return load_shapes(SHAPES_DIR)


@pytest.fixture(scope="module")
def base_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in [
        ROOT / "ontology" / "kunskapsgraf.ttl",
        *sorted((ROOT / "ontology" / "vocabularies").glob("*.ttl")),
        *sorted((ROOT / "data" / "demo" / "codes").glob("*.ttl")),
    ]:
        graph.parse(path, format="turtle")
    graph.parse(REFERENCE, format="turtle")
    return graph


@contextmanager
def _with_case(base: rdflib.Graph, case: rdflib.Graph) -> Iterator[rdflib.Graph]:
    added = [triple for triple in case if triple not in base]
    for triple in added:
        base.add(triple)
    try:
        yield base
    finally:
        for triple in added:
            base.remove(triple)


def test_every_sparql_constraint_of_the_shapes_is_batched(shapes: rdflib.Graph) -> None:
    plan = sparql_batch.plan_sparql(shapes)
    assert plan.fallbacks == ()
    assert len(plan.constraints) == len(list(shapes.objects(None, SH.sparql))) == 28
    # The one nested use: ks:subject → sh:node kss:InSubjectCodeSystem → its property shape.
    nested = [c for c in plan.constraints if any(ctx.node_step() is not None for ctx in c.contexts)]
    assert [str(c.shape).rsplit("/", 1)[-1] for c in nested] == ["InSubjectCodeSystem-inScheme"]


def test_the_reference_data_gives_the_same_results(
    shapes: rdflib.Graph, base_graph: rdflib.Graph
) -> None:
    _compare(base_graph, shapes, None)


@pytest.mark.parametrize(
    "case_file", CASE_FILES, ids=[str(p.relative_to(CASES_DIR)) for p in CASE_FILES]
)
def test_case_gives_the_same_results(
    case_file: Path, shapes: rdflib.Graph, base_graph: rdflib.Graph
) -> None:
    case = rdflib.Graph().parse(case_file, format="turtle")
    with _with_case(base_graph, case) as data:
        fast, _reference = _compare(data, shapes, set(case.subjects()))
    if case_file.name.startswith("invalid"):
        shape = rdflib.URIRef("https://kunskapsgraf.se/shapes/" + case_file.parent.name)
        assert list(fast.report_graph.subjects(SH.sourceShape, shape))


# --- The demo corpus and the broken items (as run_check builds them) --------------------------


@pytest.fixture(scope="module")
def check_inputs(
    demo_store: Store, settings: Settings
) -> dict[str, tuple[rdflib.Graph, rdflib.Graph, set[Node] | None]]:
    """The data, shapes and focus nodes run_check validates, for the corpus and broken.trig."""
    captured: dict[str, tuple[rdflib.Graph, rdflib.Graph, set[Node] | None]] = {}
    name = ""

    def spy(
        data: rdflib.Graph, shapes: rdflib.Graph, *, focus_nodes: Any = None
    ) -> ValidationReport:
        focus = None if focus_nodes is None else set(focus_nodes)
        captured[name] = (data, shapes, focus)
        return validate_graph(data, shapes, focus_nodes=focus)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check, "validate_graph", spy)
        name = "corpus"
        run_check(demo_store, settings, reasoner=False)
        name = "broken"
        run_check(demo_store, settings, [BROKEN], reasoner=False)
    return captured


@pytest.mark.slow
def test_demo_corpus_gives_the_same_results(
    check_inputs: dict[str, tuple[rdflib.Graph, rdflib.Graph, set[Node] | None]],
) -> None:
    data, shapes, focus = check_inputs["corpus"]
    assert focus is None
    fast, _reference = _compare(data, shapes, focus)
    assert fast.conforms and len(fast.warnings()) >= 20


def test_broken_items_give_the_same_results(
    check_inputs: dict[str, tuple[rdflib.Graph, rdflib.Graph, set[Node] | None]],
) -> None:
    data, shapes, focus = check_inputs["broken"]
    assert focus
    fast, _reference = _compare(data, shapes, focus)
    assert not fast.conforms


# --- Constructs the batch must get right, on small graphs ---------------------------------------

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/> .
"""

SHAPES = (
    PREFIXES
    + """
ex: a owl:Ontology ;
    sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .

# A node shape: the value is the focus node when ?value is not selected; messages in two
# languages with placeholders; $currentShape pre-bound.
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:message "{?this} har {?n} ({?cs})"@sv, "{?this} has {?n} ({?cs})"@en ;
    sh:sparql [
        a sh:SPARQLConstraint ; sh:prefixes ex: ;
        sh:select \"\"\"SELECT $this ?n ?cs WHERE {
            $this ex:n ?n . FILTER (?n > 1) BIND (STR($currentShape) AS ?cs)
        }\"\"\" ;
    ] ;
    sh:property ex:ThingShape-label, ex:ThingShape-link .

# A property shape with a sequence path; ?value from the data (decimals, dateTimes: literals
# that oxigraph writes in another canonical form than rdflib).
ex:ThingShape-label a sh:PropertyShape ;
    sh:path ( ex:part ex:amount ) ;
    sh:message "För stort: {?value}"@sv, "Too big: {?value}"@en ;
    sh:sparql [
        a sh:SPARQLConstraint ; sh:prefixes ex: ;
        sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER (?value > 10) }" ;
    ] .

# sh:node from a property shape: the SPARQL results nest under the sh:node result, which
# pyshacl makes itself when the core constraints of ex:LinkShape fail too (sh:class).
ex:ThingShape-link a sh:PropertyShape ;
    sh:path ex:link ;
    sh:node ex:LinkShape ;
    sh:message "Fel länk"@sv, "Bad link"@en .

ex:LinkShape a sh:NodeShape ;
    sh:class ex:Link ;
    sh:property ex:LinkShape-code ;
    sh:message "Fel länk"@sv, "Bad link"@en .

ex:LinkShape-code a sh:PropertyShape ;
    sh:path ex:code ;
    sh:message "Ingen kod"@sv, "No code"@en ;
    sh:sparql [
        a sh:SPARQLConstraint ; sh:prefixes ex: ;
        sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this $PATH ?code } }" ;
    ] .

# Anchored nested group: $this in a FILTER of a group that binds it first (batched).
ex:DateShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:message "Datum {?value}"@sv, "Date {?value}"@en ;
    sh:sparql [
        a sh:SPARQLConstraint ; sh:prefixes ex: ;
        sh:select \"\"\"SELECT $this ?path ?value WHERE {
            { $this ex:when ?value . FILTER NOT EXISTS { $this ex:ok true } }
            BIND (ex:when AS ?path)
        }\"\"\" ;
    ] .

# Deactivated: neither engine reports it.
ex:OffShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:deactivated true ;
    sh:message "Av"@sv, "Off"@en ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex: ; sh:select "SELECT $this WHERE { }" ] .

# Not batchable: $this in a BIND of a nested group that does not bind it (pyshacl pre-binds
# it there, a join would not); left to pyshacl.
ex:UnboundShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:message "Obunden {?s}"@sv, "Unbound {?s}"@en ;
    sh:sparql [
        a sh:SPARQLConstraint ; sh:prefixes ex: ;
        sh:select \"\"\"SELECT $this ?s WHERE {
            OPTIONAL { BIND (STR($this) AS ?s) } FILTER (BOUND(?s))
        }\"\"\" ;
    ] .

# Not batchable: aggregates.
ex:CountShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:message "Många"@sv, "Many"@en ;
    sh:sparql [
        a sh:SPARQLConstraint ; sh:prefixes ex: ;
        sh:select \"\"\"SELECT $this (COUNT(?p) AS ?c) WHERE { $this ex:part ?p }
            GROUP BY $this HAVING (COUNT(?p) > 1)\"\"\" ;
    ] .

# Not batchable: only reached through sh:not (only its conformance matters there).
ex:NotShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:not ex:InnerShape ;
    sh:message "Inte"@sv, "Not"@en .
ex:InnerShape a sh:NodeShape ;
    sh:message "Inre"@sv, "Inner"@en ;
    sh:sparql [
        a sh:SPARQLConstraint ; sh:prefixes ex: ;
        sh:select "SELECT $this WHERE { $this ex:n 99 }" ;
    ] .
"""
)

DATA = (
    PREFIXES
    + """
ex:Special rdfs:subClassOf ex:Thing .
ex:a a ex:Thing ; ex:n 2 ; ex:part ex:p1, ex:p2 ;
    ex:link ex:l1, ex:l2, ex:l3 ; ex:when "2025-03-01T10:00:00.000+00:00"^^xsd:dateTime .
ex:p1 ex:amount "12.50"^^xsd:decimal .
ex:p2 ex:amount "3"^^xsd:integer .
ex:l1 a ex:Link ; ex:code "x" .
ex:l2 a ex:Link .
ex:l3 ex:other "y" .
ex:b a ex:Special ; ex:n 1 ; ex:when "2024-01-01"^^xsd:date ; ex:ok true ; ex:link ex:l2 .
[] a ex:Thing ; ex:n 5 ; ex:part [ ex:amount 11 ] .
ex:c ex:n 7 .
"""
)


@pytest.fixture
def small() -> tuple[rdflib.Graph, rdflib.Graph]:
    return (
        rdflib.Graph().parse(data=DATA, format="turtle"),
        rdflib.Graph().parse(data=SHAPES, format="turtle"),
    )


def test_what_cannot_be_batched_is_left_to_pyshacl(
    small: tuple[rdflib.Graph, rdflib.Graph],
) -> None:
    _data, shapes = small
    plan = sparql_batch.plan_sparql(shapes)
    reasons = {str(f.shape).rsplit("/", 1)[-1]: f.reason for f in plan.fallbacks}
    assert set(reasons) == {"UnboundShape", "CountShape", "InnerShape"}
    assert "nested group" in reasons["UnboundShape"]
    assert reasons["CountShape"] == "aggregates"
    assert "sh:not" in reasons["InnerShape"]
    batched = {str(c.shape).rsplit("/", 1)[-1] for c in plan.constraints}
    assert batched == {"ThingShape", "ThingShape-label", "LinkShape-code", "DateShape", "OffShape"}
    # The fallbacks stay in the graph pyshacl sees; the batched ones do not.
    core = _plan(shapes).core
    assert len(list(core.objects(None, SH.sparql))) == 3


@pytest.mark.parametrize("focused", [False, True], ids=["all", "focus_nodes"])
def test_small_graph_gives_the_same_results(
    small: tuple[rdflib.Graph, rdflib.Graph], focused: bool
) -> None:
    data, shapes = small
    focus: set[Node] = {EX.a, EX.b}
    focus |= {s for s in data.subjects(RDF.type, None) if isinstance(s, rdflib.BNode)}
    fast, _reference = _compare(data, shapes, focus if focused else None)
    by_shape = Counter(r.shape.rsplit("/", 1)[-1] for r in fast.results)
    # ex:a and the blank node (n > 1); the decimal 12.50 and the 11; ex:l2 (no code, so only
    # the batch finds it) from ex:a and ex:b, ex:l3 (no code and not a link); one date.
    assert by_shape["ThingShape"] == 2
    assert by_shape["ThingShape-label"] == 2
    assert by_shape["ThingShape-link"] == 3
    assert by_shape["DateShape"] == 1
    assert "OffShape" not in by_shape
    label = next(
        r for r in fast.results if r.shape.endswith("ThingShape-label") and "12" in (r.value or "")
    )
    assert label.value == "12.50" and label.message_en == "Too big: 12.50"
    thing = next(
        r
        for r in fast.results
        if r.focus_node == "http://example.org/a" and r.shape.endswith("/ThingShape")
    )
    assert thing.message_sv == "http://example.org/a har 2 (http://example.org/ThingShape)"
    assert thing.value == "http://example.org/a"


def test_literal_focus_nodes_are_batched_too(small: tuple[rdflib.Graph, rdflib.Graph]) -> None:
    data, shapes = small
    shapes.parse(
        data=PREFIXES
        + """
        ex:CodeShape a sh:NodeShape ;
            sh:targetObjectsOf ex:code ;
            sh:message "Kod {?this}"@sv, "Code {?this}"@en ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex: ;
                sh:select "SELECT $this WHERE { FILTER (STR($this) = 'x') }" ] .
        """,
        format="turtle",
    )
    fast, _reference = _compare(data, shapes, None)  # batched: a VALUES block, not marks
    (code,) = [r for r in fast.results if r.shape.endswith("CodeShape")]
    assert code.focus_node == "x" and code.message_en == "Code x"


def test_what_the_marks_cannot_hold_falls_back_to_pyshacl(
    small: tuple[rdflib.Graph, rdflib.Graph],
) -> None:
    data, shapes = small
    # Literal values (12.50, 3, 11) through a sequence path into sh:node: the batch would have
    # to mark them as focus nodes of ex:SmallShape.
    shapes.parse(
        data=PREFIXES
        + """
        ex:AmountShape a sh:NodeShape ;
            sh:targetClass ex:Thing ;
            sh:property ex:AmountShape-amount .
        ex:AmountShape-amount a sh:PropertyShape ;
            sh:path ( ex:part ex:amount ) ;
            sh:node ex:SmallShape .
        ex:SmallShape a sh:NodeShape ;
            sh:message "Stor"@sv, "Big"@en ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex: ;
                sh:select "SELECT $this WHERE { FILTER ($this > 10) }" ] .
        """,
        format="turtle",
    )
    with pytest.raises(sparql_batch.Unbatchable, match="literal value"):
        _validate_fast(_plan(shapes), data, None)
    fast, _reference = _compare(data, shapes, None, batched=False)
    assert len([r for r in fast.results if r.shape.endswith("AmountShape-amount")]) == 2


def test_the_split_shapes_graph_is_reused(shapes: rdflib.Graph) -> None:
    assert _plan(shapes) is _plan(shapes)
    copy = rdflib.Graph()
    copy += shapes
    assert _plan(copy) is not _plan(shapes)
