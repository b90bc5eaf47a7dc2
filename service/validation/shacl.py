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
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyshacl
import rdflib
from pyshacl.entrypoints import meta_validate
from pyshacl.errors import ReportableRuntimeError
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor, Result
from rdflib.term import BNode, Literal, Node, URIRef

from service.errors import KunskapsgrafError

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
) -> ValidationReport:
    """Validate ``data`` (items plus ontology axioms and reference data) against ``shapes``.

    ``focus_nodes`` limits validation to those nodes (for example the items of one batch, while
    the register and the linked resources in ``data`` are only context). Each shape is still
    applied only to the focus nodes it targets, and values are still followed through ``sh:node``.
    (pyshacl's own ``focus_nodes`` option cannot be used for this: it also filters the value
    nodes of ``sh:node``, so those checks silently pass. Instead the shapes' targets are
    rewritten to ``sh:targetNode`` for the focus nodes they select.)

    Raises :class:`~service.errors.KunskapsgrafError` when pyshacl cannot use the shapes (for
    example a SHACL-SPARQL query it rejects): that is a fault in the specification, not in the data.
    """
    shacl_graph = shapes if focus_nodes is None else _focused(shapes, data, set(focus_nodes))
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
    return _to_report(report_graph, data, shapes)


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
    implicit = [
        (shape, shape)
        for shape in shapes.subjects(RDF.type, RDFS.Class)
        if (shape, RDF.type, SH.NodeShape) in shapes
    ]
    for shape, cls in [*shapes.subject_objects(SH.targetClass), *implicit]:
        for node in focus:
            if _is_instance(data, node, cls):
                focused.add((shape, SH.targetNode, node))
    for shape, node in shapes.subject_objects(SH.targetNode):
        if node in focus:
            focused.add((shape, SH.targetNode, node))
    for shape, predicate in shapes.subject_objects(SH.targetSubjectsOf):
        for node in focus:
            if (node, predicate, None) in data:
                focused.add((shape, SH.targetNode, node))
    for shape, predicate in shapes.subject_objects(SH.targetObjectsOf):
        for node in focus:
            if (None, predicate, node) in data:
                focused.add((shape, SH.targetNode, node))
    return focused


def _is_instance(data: rdflib.Graph, node: Node, cls: Node) -> bool:
    """SHACL instance: an rdf:type of ``node`` is ``cls`` or has it as rdfs:subClassOf*."""
    for node_type in data.objects(node, RDF.type):
        if node_type == cls or cls in data.transitive_objects(node_type, RDFS.subClassOf):
            return True
    return False


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
