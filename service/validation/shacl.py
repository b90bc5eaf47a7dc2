"""SHACL validation: one wrapper around pyshacl with our defaults, and a small report type.

The shapes are the information specification in ``shapes/*.ttl``. :func:`validate_graph` runs
pyshacl without inference (``sh:targetClass`` already follows the ``rdfs:subClassOf`` triples of
the data graph), so the caller puts the ontology's subclass axioms and any reference data the
shapes look at (vocabularies, the register, the resources that are linked to) into the data graph.
Never pass reference data as pyshacl's ``ont_graph``: ``sh:class`` does not see it there.

pyshacl sends the same SHACL-SPARQL query text again for every focus node (binding ``$this``
through ``initBindings``), and rdflib parses the text every time: about 50 ms per query, which
made validation of a handful of items take seconds. pyshacl queries the data graph through that
graph's own ``query`` method, so :func:`validate_graph` hands it a view of the caller's graph
(same store, no copy) that parses each distinct query text once.

Every shape carries ``sh:message`` in Swedish and English. pyshacl copies them onto each result,
but for SHACL-SPARQL constraints it substitutes ``{?var}`` placeholders and returns the messages
*without* their language tags; :func:`validate_graph` restores the tags by matching each message
against the shape's message templates.

Even parsed once, rdflib evaluates those queries once per focus node, and pyshacl repeats much
of its other work per focus node too. By default (``engine="fast"``) :func:`validate_graph`
therefore gives pyshacl a rearranged shapes graph (see :class:`_Plan`, cached per shapes graph):

* the ``sh:sparql`` constraints are taken out; :mod:`service.validation.sparql_batch` runs each
  of them once for all focus nodes in pyoxigraph and merges the results into pyshacl's report;
* property shapes that only one targeted node shape uses get that node shape's targets instead
  of being reached through its ``sh:property`` (:func:`_hoisted`), so pyshacl checks each once
  for all focus nodes;
* ``sh:node`` links of such property shapes are validated once per distinct value in a second
  pyshacl run and nested under per-(focus node, value) results as pyshacl nests them
  (:class:`_Flattening`).

pyshacl reads the data and the shapes through plain dict indexes (:class:`_TripleIndex`) rather
than rdflib's context-tracking stores. ``engine="pyshacl"`` is the reference: pyshacl alone, as
before. Both give the same results (``tests/validation/test_fast_validation.py``); whatever the
fast path cannot represent falls back to the reference.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import defaultdict
from collections.abc import Collection as AbstractCollection
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import pyshacl
import rdflib
from pyshacl.entrypoints import meta_validate
from pyshacl.errors import ReportableRuntimeError
from pyshacl.rdfutil.stringify import stringify_node
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.plugins.stores.memory import Memory
from rdflib.query import Processor, Result
from rdflib.store import Store as RdflibStore
from rdflib.term import BNode, Literal, Node, URIRef

from service.errors import KunskapsgrafError
from service.validation import sparql_batch

__all__ = [
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate_graph",
    "validate_shapes_graph",
]

KS_IDENTIFIER = URIRef("https://kunskapsgraf.se/ont/identifier")

_PLACEHOLDER = re.compile(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}")


@dataclass(frozen=True)
class ValidationResult:
    """One sh:ValidationResult, flattened for reports and API responses."""

    focus_node: str  # IRI or blank-node id ("_:…") of the offending node
    identifier: str | None  # the focus node's ks:identifier when it has one
    path: str | None  # property IRI, or a SPARQL-style path for complex paths
    shape: str  # IRI of the sh:sourceShape
    component: str  # sh:sourceConstraintComponent IRI
    severity: str  # "Violation" | "Warning" | "Info"
    message_sv: str
    message_en: str
    value: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one validation run."""

    conforms: bool  # True when there are no Violations (warnings allowed)
    results: list[ValidationResult]
    report_graph: rdflib.Graph  # the sh:ValidationReport as returned by pyshacl

    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]


class _ParameterList(list[Any]):
    """pyshacl's list of constraint parameters, looked up through a set.

    pyshacl tests every predicate of a shape against this list each time it validates the
    shape, and below ``sh:node`` that is once per value node; comparing rdflib terms one by one
    took a fifth of the validation time. Same members, same answers."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _faster_parameter_lookup() -> None:
    """Seed pyshacl's cache of the parameter list (``pyshacl.shape.CONSTRAINT_PARAMS``, filled
    on first use) with a :class:`_ParameterList`; left alone if pyshacl keeps it elsewhere."""
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    current = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))
    if not isinstance(current, tuple) or isinstance(current[0], _ParameterList):
        return
    if current[0] is not None and list(current[0]) != list(ALL_CONSTRAINT_PARAMETERS):
        return
    shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        _ParameterList(ALL_CONSTRAINT_PARAMETERS),
        CONSTRAINT_PARAMETERS_MAP,
    )


_faster_parameter_lookup()


def load_shapes(shapes_dir: Path) -> rdflib.Graph:
    """Parse every ``*.ttl`` directly in ``shapes_dir`` (not the ``cases/`` below it)."""
    graph = rdflib.Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def validate_graph(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    *,
    focus_nodes: Iterable[Node] | None = None,
    engine: TypingLiteral["fast", "pyshacl"] = "fast",
) -> ValidationReport:
    """Validate ``data`` (items plus ontology axioms and reference data) against ``shapes``.

    ``focus_nodes`` limits validation to those nodes (for example the items of one batch, while
    the register and the linked resources in ``data`` are only context). Each shape is still
    applied only to the focus nodes it targets, and values are still followed through ``sh:node``.
    (pyshacl's own ``focus_nodes`` option cannot be used for this: it also filters the value
    nodes of ``sh:node``, so those checks silently pass. Instead the shapes' targets are
    rewritten to ``sh:targetNode`` for the focus nodes they select.)

    ``engine="pyshacl"`` runs pyshacl alone (the reference the default ``"fast"`` engine is
    tested against); the results are the same.

    Raises :class:`~service.errors.KunskapsgrafError` when pyshacl cannot use the shapes (for
    example a SHACL-SPARQL query it rejects): that is a fault in the specification, not in the data.
    """
    focus = None if focus_nodes is None else set(focus_nodes)
    if engine == "pyshacl" or type(data) is not rdflib.Graph:
        return _validate_reference(data, shapes, focus)
    plan = _plan(shapes)
    try:
        report_graph = _validate_fast(plan, data, focus)
    except sparql_batch.Unbatchable:
        return _validate_reference(data, shapes, focus)
    return _to_report(report_graph, data, shapes)


def _validate_fast(plan: _Plan, data: rdflib.Graph, focus: set[Node] | None) -> rdflib.Graph:
    """pyshacl on the plan's core shapes, the distinct ``sh:node`` values once (see
    :class:`_Flattening`), and the SHACL-SPARQL constraints in batch; one report."""
    index = _TripleIndex.of(data)
    data = rdflib.Graph(store=_IndexStore(index), identifier=data.identifier)
    if focus is None:
        shacl_graph: rdflib.Graph = plan.core
        found: dict[Node, set[Node]] = {}

        def targets(shape: Node) -> set[Node]:
            if shape not in found:
                found[shape] = _shape_targets(plan.core, data, shape)
            return found[shape]
    else:
        by_shape = _focus_targets(plan.core, data, focus)
        shacl_graph = _targeted_view(plan.untargeted, by_shape)

        def targets(shape: Node) -> set[Node]:
            nodes = set(by_shape.get(shape, ()))
            if sparql_batch.implicit_class_target(plan.core, shape):
                # pyshacl still applies the implicit class target kept in the focused graph.
                nodes |= _instances(data, shape)
            return nodes

    report_graph = _run_pyshacl(data, shacl_graph)
    batch = sparql_batch.Batch(plan.shapes, data, index)
    changed = False
    # The distinct values below each flattened sh:node (read from the index by predicate, so
    # that each value is looked at once, not once per focus node).
    values: dict[Node, set[Node]] = defaultdict(set)
    sources: dict[_Flattening, set[Node]] = {}
    for flat in plan.flattenings:
        nodes = sources[flat] = targets(flat.source)
        for value, subjects in index.pos.get(flat.path, {}).items():
            if any(subject in nodes for subject in subjects):
                values[flat.shape].add(value)
    if any(values.values()):
        nested = _run_pyshacl(data, _targeted_view(plan.untargeted, values))
        batch.run(plan.nested_work, values, nested)
        changed |= _nest(plan, index, report_graph, nested, sources)
    # Shapes with the same target declarations share one set, so the batch marks it once.
    shared: dict[Any, set[Node]] = {}
    roots: dict[Node, set[Node]] = {}
    for root, key in plan.root_keys.items():
        if key not in shared:
            shared[key] = targets(root)
        roots[root] = shared[key]
    changed |= batch.run(plan.work, roots, report_graph)
    if changed:
        sparql_batch.set_conforms(report_graph)
    return report_graph


def _nest(
    plan: _Plan,
    index: _TripleIndex,
    report_graph: rdflib.Graph,
    nested: rdflib.Graph,
    sources: Mapping[_Flattening, set[Node]],
) -> bool:
    """Put the results of the separate ``sh:node`` run where pyshacl puts them: under one
    sh:NodeConstraintComponent result per (focus node, value) whose value has results
    (SHACL 4.7.1; pyshacl's wording and fields). Returns whether any were added."""
    report = report_graph.value(None, RDF.type, SH.ValidationReport)
    nested_report = nested.value(None, RDF.type, SH.ValidationReport)
    if report is None or nested_report is None:
        raise sparql_batch.Unbatchable("pyshacl's report has no sh:ValidationReport")
    by_value: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
    for result in nested.objects(nested_report, SH.result):
        source = nested.value(result, SH.sourceShape)
        value = nested.value(result, SH.focusNode)
        owner = plan.owners.get(source) if source is not None else None
        if owner is None or value is None:
            raise sparql_batch.Unbatchable(f"unexpected result of {source} below sh:node")
        by_value[(owner, value)].append(result)
    if not by_value:
        return False
    for triple in nested:
        if triple[0] != nested_report:
            report_graph.add(triple)
    added = False
    for flat, nodes in sources.items():
        with_results = [v for owner, v in by_value if owner == flat.shape]
        by_object = index.pos.get(flat.path, {})
        found_pairs = [(f, v) for v in with_results for f in by_object.get(v, ()) if f in nodes]
        for focus, value in sorted(found_pairs, key=lambda pair: (str(pair[0]), str(pair[1]))):
            details = by_value[(flat.shape, value)]
            node = BNode()
            report_graph.add((report, SH.result, node))
            for triple in _node_result(plan.core, node, flat, focus, value):
                report_graph.add(triple)
            for detail in details:
                report_graph.add((node, SH.detail, detail))
            added = True
    return added


def _node_result(
    shapes: rdflib.Graph, node: Node, flat: _Flattening, focus: Node, value: Node
) -> Iterator[tuple[Node, Node, Node]]:
    """The triples pyshacl writes for a failed ``sh:node`` (without its sh:detail)."""
    yield node, RDF.type, SH.ValidationResult
    yield node, SH.sourceConstraintComponent, SH.NodeConstraintComponent
    yield node, SH.sourceShape, flat.source
    yield node, SH.resultSeverity, shapes.value(flat.source, SH.severity) or SH.Violation
    yield node, SH.focusNode, focus
    yield node, SH.value, value
    yield node, SH.resultPath, flat.path
    messages = list(shapes.objects(flat.source, SH.message))
    if not messages:
        shown = stringify_node(shapes, flat.shape)
        generic = f"Value does not conform to Shape {shown}. See details for more information."
        messages = [Literal(generic)]
    for message in messages:
        yield node, SH.resultMessage, message


def _validate_reference(
    data: rdflib.Graph, shapes: rdflib.Graph, focus: set[Node] | None
) -> ValidationReport:
    """pyshacl alone, every SHACL-SPARQL query run per focus node."""
    shacl_graph = shapes if focus is None else _focused(shapes, data, focus)
    return _to_report(_run_pyshacl(data, shacl_graph), data, shapes)


def _run_pyshacl(data: rdflib.Graph, shacl_graph: rdflib.Graph) -> rdflib.Graph:
    try:
        _conforms, report_graph, _text = pyshacl.validate(
            _with_prepared_queries(data),
            shacl_graph=shacl_graph,
            inference="none",
            allow_warnings=True,
            advanced=False,
            meta_shacl=False,
        )
    except ReportableRuntimeError as error:
        raise _shapes_error(error) from error
    if not isinstance(report_graph, rdflib.Graph):
        # pyshacl returns (rather than raises) a ValidationFailure for some faults.
        raise _shapes_error(report_graph)
    return report_graph


def validate_shapes_graph(shapes: rdflib.Graph) -> ValidationReport:
    """Check ``shapes`` against the SHACL meta-shapes (shacl-shacl, shipped with pyshacl)."""
    try:
        _conforms, report_graph, _text = meta_validate(
            shapes,
            inference="none",
            allow_warnings=True,
            advanced=False,
        )
    except ReportableRuntimeError as error:
        raise _shapes_error(error) from error
    if not isinstance(report_graph, rdflib.Graph):
        raise _shapes_error(report_graph)
    # The meta-shapes carry no sh:message, so there are no message templates to match.
    return _to_report(report_graph, shapes, rdflib.Graph())


class _PreparedQueryGraph(rdflib.Graph):
    """A view of another graph's store that parses each distinct SPARQL text only once."""

    _namespace_key: tuple[tuple[str, str], ...] | None = None

    def query(
        self,
        query_object: str | Query,
        processor: str | Processor = "sparql",
        result: str | type[Result] = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's name)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and processor == "sparql":
            if initNs is not None:
                namespaces = tuple(sorted((str(p), str(n)) for p, n in initNs.items()))
            else:
                # rdflib parses with the graph's prefixes; they do not change during a run.
                if self._namespace_key is None:
                    self._namespace_key = tuple(sorted((p, str(n)) for p, n in self.namespaces()))
                namespaces = self._namespace_key
            query_object = _prepare(query_object, namespaces)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )

    def objects(
        self,
        subject: Node | list[Node] | None = None,
        predicate: Node | RdfPath | None = None,
        unique: bool = False,
    ) -> Generator[Node, None, None]:
        store = self.store
        if (
            isinstance(store, _IndexStore)
            and subject is not None
            and predicate is not None
            and not isinstance(subject, list)
            and not isinstance(predicate, RdfPath)
        ):
            # pyshacl asks this for every value node; the index answers without four layers of
            # generators (and its objects are unique already).
            yield from store.objects(subject, predicate)
            return
        yield from super().objects(subject, predicate, unique)


@functools.lru_cache(maxsize=1024)
def _prepare(text: str, namespaces: tuple[tuple[str, str], ...]) -> Query:
    return prepareQuery(text, initNs=dict(namespaces))


def _with_prepared_queries(data: rdflib.Graph) -> rdflib.Graph:
    """The same triples, seen through :class:`_PreparedQueryGraph` (no copy)."""
    if type(data) is not rdflib.Graph:
        return data  # datasets and other graph kinds are passed through unchanged
    view = _PreparedQueryGraph(store=data.store, identifier=data.identifier)
    view.namespace_manager = data.namespace_manager
    return view


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _focused(shapes: rdflib.Graph, data: rdflib.Graph, focus: set[Node]) -> rdflib.Graph:
    """A copy of ``shapes`` whose targets select exactly the nodes of ``focus`` they selected."""
    focused = rdflib.Graph()
    for prefix, namespace in shapes.namespaces():
        focused.bind(prefix, namespace, override=True)
    focused.addN((s, p, o, focused) for s, p, o in shapes if p not in _TARGETS)
    focused.addN(
        (shape, SH.targetNode, node, focused)
        for shape, nodes in _focus_targets(shapes, data, focus).items()
        for node in nodes
    )
    return focused


def _focus_targets(
    shapes: rdflib.Graph, data: rdflib.Graph, focus: set[Node]
) -> dict[Node, set[Node]]:
    """For each shape, the nodes of ``focus`` its targets select (``sh:targetClass`` through
    the data's rdfs:subClassOf*, implicit class targets of node shapes, ``sh:targetNode``,
    ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``)."""
    targets: dict[Node, set[Node]] = defaultdict(set)
    by_class: dict[Node, list[Node]] = defaultdict(list)
    for shape, cls in shapes.subject_objects(SH.targetClass):
        by_class[cls].append(shape)
    for shape in shapes.subjects(RDF.type, RDFS.Class):
        if (shape, RDF.type, SH.NodeShape) in shapes:
            by_class[shape].append(shape)
    if by_class:
        superclasses: dict[Node, set[Node]] = {}  # a type and its rdfs:subClassOf*, once each
        for node in focus:
            classes: set[Node] = set()
            for node_type in data.objects(node, RDF.type):
                closure = superclasses.get(node_type)
                if closure is None:
                    closure = {
                        c
                        for c in data.transitive_objects(node_type, RDFS.subClassOf)
                        if c is not None
                    }
                    superclasses[node_type] = closure
                classes |= closure
            for cls in classes.intersection(by_class):
                for shape in by_class[cls]:
                    targets[shape].add(node)
    for shape, node in shapes.subject_objects(SH.targetNode):
        if node in focus:
            targets[shape].add(node)
    for shape, predicate in shapes.subject_objects(SH.targetSubjectsOf):
        for node in focus:
            if (node, predicate, None) in data:
                targets[shape].add(node)
    for shape, predicate in shapes.subject_objects(SH.targetObjectsOf):
        for node in focus:
            if (None, predicate, node) in data:
                targets[shape].add(node)
    return targets


def _is_instance(data: rdflib.Graph, node: Node, cls: Node) -> bool:
    """SHACL instance: an rdf:type of ``node`` is ``cls`` or has it as rdfs:subClassOf*."""
    for node_type in data.objects(node, RDF.type):
        if node_type == cls or cls in data.transitive_objects(node_type, RDFS.subClassOf):
            return True
    return False


def _instances(data: rdflib.Graph, cls: Node) -> set[Node]:
    """The SHACL instances of ``cls`` in ``data``, found the way pyshacl finds them."""
    found: set[Node] = set()
    for subclass in data.transitive_subjects(RDFS.subClassOf, cls):
        found.update(data.subjects(RDF.type, subclass))
    return found


def _shape_targets(shapes: rdflib.Graph, data: rdflib.Graph, shape: Node) -> set[Node]:
    """The focus nodes pyshacl gives ``shape`` from its targets (validation without focus)."""
    found: set[Node] = set(shapes.objects(shape, SH.targetNode))
    classes = set(shapes.objects(shape, SH.targetClass))
    if sparql_batch.implicit_class_target(shapes, shape):
        classes.add(shape)
    for cls in classes:
        found |= _instances(data, cls)
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(s for s, _o in data.subject_objects(predicate))
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        found.update(o for _s, o in data.subject_objects(predicate))
    return found


# --- The graph pyshacl sees on the fast path ---------------------------------------------------


@dataclass(frozen=True)
class _Flattening:
    """A top-level property shape ``source`` whose values must conform to node shape ``shape``
    (``sh:node``).

    pyshacl validates ``shape`` once per (focus node, value), and the values are mostly the same
    few vocabulary concepts; the fast path validates each distinct value once, in a second
    pyshacl run, and nests its results under one ``sh:node`` result per (focus node, value).
    """

    source: Node
    path: URIRef
    shape: Node


@dataclass(frozen=True)
class _Plan:
    shapes: rdflib.Graph  # the caller's graph (kept so that its id stays unique in the cache)
    size: int  # len(shapes) when planned: a changed graph is planned again
    sparql: sparql_batch.SparqlPlan
    core: rdflib.Graph  # shapes without the batched sh:sparql and flattened sh:node, hoisted
    untargeted: _TripleIndex  # core without its target triples (focus_nodes runs add them)
    flattenings: tuple[_Flattening, ...]
    owners: Mapping[Node, Node]  # shapes whose results belong to a flattened sh:node shape
    work: tuple[sparql_batch.Work, ...]  # batched SPARQL run with the core
    nested_work: tuple[sparql_batch.Work, ...]  # run with the flattened sh:node shapes
    root_keys: Mapping[Node, Any]  # roots of ``work`` by their target declarations


_SYSTEM_TRIPLES = (
    (OWL.Class, RDFS.subClassOf, RDFS.Class),
    (OWL.DatatypeProperty, RDFS.subClassOf, RDF.Property),
)
_PLANS: dict[int, _Plan] = {}
_PLANS_LOCK = threading.Lock()
_PLANS_MAX = 8


def _plan(shapes: rdflib.Graph) -> _Plan:
    """The split shapes graph, cached per shapes graph object (the ingest pipeline and the
    check command reuse theirs)."""
    size = len(shapes)
    with _PLANS_LOCK:
        cached = _PLANS.get(id(shapes))
        if cached is not None and cached.shapes is shapes and cached.size == size:
            return cached
    sparql = sparql_batch.plan_sparql(shapes)
    core = rdflib.Graph(store="SimpleMemory")  # no contexts: pyshacl reads it a lot
    for prefix, namespace in shapes.namespaces():
        core.bind(prefix, namespace, override=True)
    removed = sparql.batched()
    core.addN((s, p, o, core) for s, p, o in shapes if not (p == SH.sparql and (s, o) in removed))
    # pyshacl adds these to whatever shapes graph it gets; with them in from the start, the
    # cached graphs stay the same from run to run.
    for triple in _SYSTEM_TRIPLES:
        core.add(triple)
    _hoisted(core)
    flattenings, owners = _flattenings(core)
    for flat in flattenings:
        core.remove((flat.source, SH.node, flat.shape))
    untargeted = rdflib.Graph(store="SimpleMemory")
    for prefix, namespace in core.namespaces():
        untargeted.bind(prefix, namespace, override=True)
    untargeted.addN((s, p, o, untargeted) for s, p, o in core if p not in _TARGETS)
    # Batched constraints below a flattened sh:node run on its distinct values instead.
    flat_edges = {(flat.source, flat.shape) for flat in flattenings}
    work: list[sparql_batch.Work] = []
    nested_work: list[sparql_batch.Work] = []
    for constraint in sparql.constraints:
        for context in constraint.contexts:
            index = context.node_step()
            step = context.steps[index] if index is not None else None
            if step is not None and index is not None and (step.source, step.target) in flat_edges:
                below = sparql_batch.Context(step.target, context.steps[index + 1 :])
                nested_work.append((constraint, below))
            else:
                work.append((constraint, context))
    root_keys = {
        root: (
            frozenset((p, o) for p in _TARGETS for o in core.objects(root, p)),
            root if sparql_batch.implicit_class_target(core, root) else None,
        )
        for root in sorted({context.root for _c, context in work}, key=str)
    }
    plan = _Plan(
        shapes,
        size,
        sparql,
        core,
        _TripleIndex.of(untargeted),
        tuple(flattenings),
        owners,
        tuple(work),
        tuple(nested_work),
        root_keys,
    )
    with _PLANS_LOCK:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.pop(next(iter(_PLANS)))
        _PLANS[id(shapes)] = plan
    return plan


_SHAPE_LINKS = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)


def _linked_shapes(core: rdflib.Graph, shape: Node) -> Iterator[Node]:
    for predicate in _SHAPE_LINKS:
        yield from core.objects(shape, predicate)
    for predicate in _SHAPE_LISTS:
        for members in core.objects(shape, predicate):
            yield from Collection(core, members)


def _flattenings(core: rdflib.Graph) -> tuple[list[_Flattening], dict[Node, Node]]:
    """The ``sh:node`` links the fast path may evaluate once per distinct value.

    Only where that gives pyshacl's results exactly: the property shape is validated only on
    its own targets (nothing links to it) and has a plain predicate path and one sh:node; the
    node shape has no targets (it would be validated on its own as well), nothing below it
    leads back to it, and every result of validating a value has that value as focus node and
    the node shape or one of its property shapes as source (so their property shapes have no
    sh:property). No shape may be an implicit class target (the second run would pick it up).
    """
    if any(
        sparql_batch.implicit_class_target(core, shape)
        for shape in {*core.subjects(RDF.type, None)}
    ):
        return [], {}
    found: list[_Flattening] = []
    owners: dict[Node, Node] = {}
    for source in sorted({s for t in _TARGETS for s in core.subjects(t, None)}, key=str):
        paths = list(core.objects(source, SH.path))
        shapes = list(core.objects(source, SH.node))
        if (
            len(paths) != 1
            or not isinstance(paths[0], URIRef)
            or len(shapes) != 1
            or (None, None, source) in core
            or (source, SH.deactivated, None) in core
        ):
            continue
        shape = shapes[0]
        children = list(core.objects(shape, SH.property))
        if (
            (shape, SH.path, None) in core
            or (shape, SH.deactivated, None) in core
            or any((shape, t, None) in core for t in _TARGETS)
            or any((child, SH.property, None) in core for child in children)
            or any(owners.get(child, shape) != shape for child in [shape, *children])
        ):
            continue
        below: set[Node] = set()
        pending = list(_linked_shapes(core, shape))
        while pending:
            current = pending.pop()
            if current not in below:
                below.add(current)
                pending.extend(_linked_shapes(core, current))
        if shape in below or source in below:
            continue
        found.append(_Flattening(source, paths[0], shape))
        for member in [shape, *children]:
            owners[member] = shape
    return found, owners


def _hoisted(core: rdflib.Graph) -> None:
    """Give each property shape that exactly one targeted node shape uses (and nothing else)
    that node shape's targets, in place of the ``sh:property`` link.

    pyshacl validates a node shape's property shapes one focus node at a time (building every
    constraint again for each); a property shape with the same targets of its own is validated
    once for all of them, with the same results. Node shapes that are themselves used by other
    shapes, deactivated, or targeted implicitly (as a class) are left alone.
    """
    for root in sorted({s for t in _TARGETS for s in core.subjects(t, None)}, key=str):
        if (
            (root, SH.path, None) in core
            or (None, None, root) in core
            or list(core.objects(root, SH.deactivated))
            or sparql_batch.implicit_class_target(core, root)
        ):
            continue
        targets = [(p, o) for p in _TARGETS for o in core.objects(root, p)]
        for prop in sorted(core.objects(root, SH.property), key=str):
            if (
                len(list(core.subject_predicates(prop))) != 1
                or len(list(core.objects(prop, SH.path))) != 1
                or any((prop, t, None) in core for t in _TARGETS)
                or sparql_batch.implicit_class_target(core, prop)
            ):
                continue
            core.remove((root, SH.property, prop))
            for predicate, target in targets:
                core.add((prop, predicate, target))


_Index = dict[Node, dict[Node, set[Node]]]


class _TripleIndex:
    """A graph's triples in plain dicts (s→p→o, p→o→s, o→s→p), answered without rdflib's
    per-triple bookkeeping of graph contexts: pyshacl looks triples up hundreds of thousands of
    times per run. The innermost containers are sets or dicts (only ``in`` and iteration)."""

    def __init__(self, spo: Any, pos: Any, osp: Any, size: int, graph: rdflib.Graph) -> None:
        self.spo: Mapping[Node, Mapping[Node, AbstractCollection[Node]]] = spo
        self.pos: Mapping[Node, Mapping[Node, AbstractCollection[Node]]] = pos
        self.osp: Mapping[Node, Mapping[Node, AbstractCollection[Node]]] = osp
        self.size = size
        self.namespaces = {prefix: URIRef(ns) for prefix, ns in graph.namespaces()}

    @classmethod
    def of(cls, graph: rdflib.Graph) -> _TripleIndex:
        store = graph.store
        if type(store) is Memory and len(store) == len(graph):
            # rdflib's Memory store keeps exactly these indexes (dicts of dicts of dicts); when
            # the store holds nothing but this graph they can be read as they are, no copy.
            indexes = [getattr(store, f"_Memory__{name}", None) for name in ("spo", "pos", "osp")]
            if all(isinstance(index, dict) for index in indexes):
                return cls(indexes[0], indexes[1], indexes[2], len(graph), graph)
        spo: _Index = {}
        pos: _Index = {}
        osp: _Index = {}
        size = 0
        for s, p, o in graph:
            size += 1
            spo.setdefault(s, {}).setdefault(p, set()).add(o)
            pos.setdefault(p, {}).setdefault(o, set()).add(s)
            osp.setdefault(o, {}).setdefault(s, set()).add(p)
        return cls(spo, pos, osp, size, graph)

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        for subj, by_predicate in self.spo.items():
            for pred, objects in by_predicate.items():
                for obj in objects:
                    yield subj, pred, obj

    def match(
        self, s: Node | None, p: Node | None, o: Node | None
    ) -> Iterator[tuple[Node, Node, Node]]:
        if s is not None:
            by_predicate = self.spo.get(s)
            if not by_predicate:
                return
            if p is not None:
                objects = by_predicate.get(p)
                if objects:
                    if o is None:
                        for obj in objects:
                            yield s, p, obj
                    elif o in objects:
                        yield s, p, o
                return
            for predicate, objects in by_predicate.items():
                if o is None:
                    for obj in objects:
                        yield s, predicate, obj
                elif o in objects:
                    yield s, predicate, o
        elif p is not None:
            by_object = self.pos.get(p)
            if not by_object:
                return
            if o is not None:
                for subj in by_object.get(o, ()):
                    yield subj, p, o
                return
            for obj, subjects in by_object.items():
                for subj in subjects:
                    yield subj, p, obj
        elif o is not None:
            for subj, predicates in self.osp.get(o, {}).items():
                for pred in predicates:
                    yield subj, pred, o
        else:
            yield from self


class _NamespaceStore(RdflibStore):
    """The namespace bindings of the read-only stores below, kept in a plain dict."""

    _namespaces: dict[str, URIRef]

    def bind(self, prefix: str, namespace: Any, override: bool = True) -> None:
        if override or prefix not in self._namespaces:
            self._namespaces[prefix] = URIRef(namespace)

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespaces.get(prefix)

    def prefix(self, namespace: Any) -> str | None:
        for prefix, known in self._namespaces.items():
            if known == namespace:
                return prefix
        return None

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from list(self._namespaces.items())


class _IndexStore(_NamespaceStore):
    """A read-only rdflib store over a :class:`_TripleIndex`, for the data graph pyshacl reads.

    pyshacl wraps the data graph in an rdflib Dataset, which insists on a context- and
    graph-aware store; all triples are in the one default graph."""

    context_aware = True
    graph_aware = True

    def __init__(self, index: _TripleIndex) -> None:
        super().__init__()
        self._index = index
        self._namespaces = dict(index.namespaces)

    def triples(
        self, triple_pattern: tuple[Node | None, Node | None, Node | None], context: Any = None
    ) -> Iterator[tuple[tuple[Node, Node, Node], Iterator[Any]]]:
        for triple in self._index.match(*triple_pattern):
            yield triple, _NO_CONTEXTS

    def objects(self, subject: Node, predicate: Node) -> AbstractCollection[Node]:
        by_predicate = self._index.spo.get(subject)
        return by_predicate.get(predicate, ()) if by_predicate else ()

    def __len__(self, context: Any = None) -> int:
        return self._index.size

    def contexts(self, triple: Any = None) -> Generator[Any, None, None]:
        yield from ()

    def add_graph(self, graph: Any) -> None:
        pass

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        raise TypeError("the indexed data graph is read-only")

    def remove(self, triple: Any, context: Any = None) -> None:
        raise TypeError("the indexed data graph is read-only")


_TARGET_NODE = SH.targetNode  # rdflib's namespace attribute lookup is slow in hot loops
_NO_CONTEXTS: Iterator[Any] = iter(())  # rdflib's Graph.triples ignores them; one empty iterator


class _TargetedStore(_NamespaceStore):
    """A shapes graph for one run: the plan's shapes (without targets) plus ``sh:targetNode``
    triples kept in sets.

    With ``focus_nodes`` each shape targets its focus nodes by ``sh:targetNode``; for a big batch
    that is hundreds of thousands of triples, which rdflib adds slowly, and pyshacl reads the
    shapes graph all the time, which plain dicts answer faster than rdflib's stores.

    The sh:targetNode triples are only given to lookups that name sh:targetNode, which is how
    pyshacl finds targets. pyshacl also reads all of a shape's triples (any predicate) every time
    it validates the shape, to find its constraints; walking thousands of targets there would
    be wasted, as sh:targetNode is not a constraint parameter."""

    def __init__(self, base: _TripleIndex, targets: Mapping[Node, set[Node]]) -> None:
        super().__init__()
        self._base = base
        self._targets = {shape: nodes for shape, nodes in targets.items() if nodes}
        self._namespaces = dict(base.namespaces)
        self._added: set[tuple[Node, Node, Node]] = set()

    def triples(
        self, triple_pattern: tuple[Node | None, Node | None, Node | None], context: Any = None
    ) -> Iterator[tuple[tuple[Node, Node, Node], Iterator[Any]]]:
        s, p, o = triple_pattern
        for triple in self._base.match(s, p, o):
            yield triple, _NO_CONTEXTS
        if self._added:
            for triple in self._added:
                if all(
                    want is None or want == got
                    for want, got in zip(triple_pattern, triple, strict=True)
                ):
                    yield triple, _NO_CONTEXTS
        if p != _TARGET_NODE:
            return
        shapes = [s] if s is not None else list(self._targets)
        for shape in shapes:
            nodes = self._targets.get(shape, ())
            if o is not None:
                if o in nodes:
                    yield (shape, _TARGET_NODE, o), _NO_CONTEXTS
            else:
                for node in nodes:
                    yield (shape, _TARGET_NODE, node), _NO_CONTEXTS

    def __len__(self, context: Any = None) -> int:
        targets = sum(len(nodes) for nodes in self._targets.values())
        return self._base.size + len(self._added) + targets

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        # pyshacl adds its system triples (already in the plan's shapes); anything else goes
        # into this run's own set, never into the shared index.
        if not any(True for _ in self._base.match(*triple)):
            self._added.add(triple)

    def remove(self, triple: Any, context: Any = None) -> None:
        raise TypeError("the focused shapes graph is read-only")


def _targeted_view(base: _TripleIndex, targets: Mapping[Node, set[Node]]) -> rdflib.Graph:
    return rdflib.Graph(store=_TargetedStore(base, targets))


def _shapes_error(failure: object) -> KunskapsgrafError:
    return KunskapsgrafError(
        f"SHACL-formerna kunde inte användas för validering: {failure}",
        f"The SHACL shapes could not be used for validation: {failure}",
        reason=str(failure),
    )


def _to_report(
    report_graph: rdflib.Graph, data: rdflib.Graph, shapes: rdflib.Graph
) -> ValidationReport:
    results: list[ValidationResult] = []
    for report in report_graph.subjects(RDF.type, SH.ValidationReport):
        for node in report_graph.objects(report, SH.result):
            results.append(_to_result(report_graph, node, data, shapes))
    results.sort(key=lambda r: (r.focus_node, r.shape, r.path or "", r.value or "", r.component))
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms=conforms, results=results, report_graph=report_graph)


def _to_result(
    report: rdflib.Graph, node: Node, data: rdflib.Graph, shapes: rdflib.Graph
) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    shape = report.value(node, SH.sourceShape)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    severity = report.value(node, SH.resultSeverity)
    identifier = data.value(focus, KS_IDENTIFIER) if focus is not None else None
    templates = list(shapes.objects(shape, SH.message)) if shape is not None else []
    constraint = report.value(node, SH.sourceConstraint)
    if constraint is not None:
        templates.extend(report.objects(constraint, SH.message))
    message_sv, message_en = _pick_messages(
        [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)],
        [t for t in templates if isinstance(t, Literal)],
    )
    return ValidationResult(
        focus_node=_node_str(focus),
        identifier=str(identifier) if identifier is not None else None,
        path=_path_str(report, path) if path is not None else None,
        shape=_node_str(shape),
        component=_node_str(report.value(node, SH.sourceConstraintComponent)),
        severity=_local_name(severity) if severity is not None else "Violation",
        message_sv=message_sv,
        message_en=message_en,
        value=_node_str(value) if value is not None else None,
    )


def _pick_messages(messages: list[Literal], templates: list[Literal]) -> tuple[str, str]:
    """The Swedish and English message of a result, falling back to the other language and
    then to pyshacl's generic message."""
    by_lang: dict[str, str] = {}
    untagged: list[str] = []
    for message in sorted(messages, key=str):
        lang = (message.language or "").lower()
        if lang:
            by_lang.setdefault(lang.split("-")[0], str(message))
        else:
            untagged.append(str(message))
    generic: list[str] = []
    for text in untagged:
        template_lang = _template_language(text, templates)
        if template_lang is None:
            generic.append(text)
        else:
            by_lang.setdefault(template_lang, text)
    fallback = generic[0] if generic else ""
    sv = by_lang.get("sv") or by_lang.get("en") or fallback
    en = by_lang.get("en") or by_lang.get("sv") or fallback
    return sv, en


def _template_language(text: str, templates: Iterable[Literal]) -> str | None:
    """The language of the message template that ``text`` was made from, if any."""
    for template in templates:
        if template.language and _template_regex(str(template)).fullmatch(text):
            return template.language.lower().split("-")[0]
    return None


@functools.lru_cache(maxsize=1024)
def _template_regex(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)
    return re.compile("(.*?)".join(re.escape(part) for part in parts), re.DOTALL)


def _node_str(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _local_name(iri: Node) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def _path_str(graph: rdflib.Graph, path: Node) -> str:
    """A property IRI as is; a complex SHACL path in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return str(path)
    return _sparql_path(graph, path)


def _sparql_path(graph: rdflib.Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        return str(path)
    if graph.value(path, RDF.first) is not None:
        return "/".join(_sparql_path(graph, step) for step in Collection(graph, path))
    for predicate, render in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return render.format(_sparql_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_sparql_path(graph, a) for a in Collection(graph, alternatives)) + ")"
    return f"_:{path}"
