"""``kunskapsgraf check``: is the model sound and does the content meet the specification?

Three checks, in order: the ontology with its vocabularies is consistent under an OWL reasoner;
the shapes are well-formed SHACL; and the content (everything stored, or the given files in the
context of what is stored) conforms to the shapes. Violations fail the check; warnings
(for example overdue reviews) are reported but do not.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from service.config import Settings
from service.corpus import ontology_files, shape_files, vocabulary_files
from service.store.base import Store
from service.store.loading import LoadSource, parse_file, rdf_format
from service.terms import GRAPH_ONTOLOGY, GRAPH_SHAPES, KS, KSG
from service.validation.reasoner import ConsistencyResult, check_consistency
from service.validation.shacl import (
    ValidationReport,
    ValidationResult,
    validate_graph,
    validate_shapes_graph,
)

RDFS_LABEL = rdflib.RDFS.label


@dataclass
class CheckReport:
    consistency: ConsistencyResult | None
    shapes: ValidationReport
    content: ValidationReport
    subject: str
    resources_checked: int
    field_labels: dict[str, str]

    @property
    def ok(self) -> bool:
        consistent = self.consistency is None or self.consistency.consistent
        return bool(consistent and self.shapes.conforms and self.content.conforms)


def _model_graph(settings: Settings) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ontology_files(settings) + vocabulary_files(settings):
        graph.parse(path, format="turtle")
    return graph


def _quads_to_rdflib(quads: Sequence[Quad], graph: rdflib.Graph) -> None:
    """Add the quads' triples to ``graph`` (validation sees one merged graph)."""
    data = io.BytesIO()
    serialize((q.triple for q in quads), data, RdfFormat.N_TRIPLES)
    graph.parse(data=data.getvalue().decode("utf-8"), format="nt")


def _stored_content(store: Store) -> list[Quad]:
    """Everything stored except the model's own graphs (read from the files instead)."""
    skip = {GRAPH_ONTOLOGY.value, GRAPH_SHAPES.value}
    return [
        q
        for q in store.quads()
        if isinstance(q.graph_name, NamedNode)
        and q.graph_name.value not in skip
        and not q.graph_name.value.startswith(KSG + "vocab/")
    ]


def run_check(
    store: Store,
    settings: Settings,
    files: Sequence[Path] = (),
    *,
    reasoner: bool = True,
) -> CheckReport:
    """Check the model and the stored content, or ``files`` as if they were loaded.

    The ontology, vocabularies and shapes are read from their folders (what an information
    architect is editing), not from the store.
    """
    consistency = None
    if reasoner:
        consistency = check_consistency(ontology_files(settings) + vocabulary_files(settings))
    shapes = rdflib.Graph()
    for path in shape_files(settings):
        shapes.parse(path, format="turtle")
    shapes_report = validate_shapes_graph(shapes)

    data = _model_graph(settings)
    field_labels = {
        str(s): str(o)
        for s, o in data.subject_objects(RDFS_LABEL)
        if isinstance(o, rdflib.Literal) and o.language == "sv" and str(s).startswith(KS)
    }
    _quads_to_rdflib(_stored_content(store), data)
    focus: set[rdflib.term.Node] | None = None
    checked = data
    if files:
        # The files are checked as if they were loaded: the stored content is their context,
        # but only the files' own resources are validated and reported.
        file_quads: list[Quad] = []
        for path in files:
            file_quads.extend(parse_file(LoadSource(path, _graph_for(path))))
        file_data = rdflib.Graph()
        _quads_to_rdflib(file_quads, file_data)
        data += file_data
        focus = set(file_data.subjects())
        checked = file_data
        subject = ", ".join(str(p) for p in files)
    else:
        subject = "lagrat innehåll"
    content_report = validate_graph(data, shapes, focus_nodes=focus)
    resources = len(set(checked.subjects(rdflib.URIRef(KS + "identifier"))))
    return CheckReport(consistency, shapes_report, content_report, subject, resources, field_labels)


def _graph_for(path: Path) -> NamedNode | None:
    if rdf_format(path).supports_datasets:
        return None
    return NamedNode(KSG + "check/" + path.name)


def _field(result: ValidationResult, labels: dict[str, str]) -> str:
    if result.path is None:
        return "–"
    label = labels.get(result.path)
    short = result.path.replace(KS, "ks:")
    return f"{label} ({short})" if label else short


def format_text(report: CheckReport) -> str:
    """A readable report in Swedish: item, field, rule and what to do."""
    lines = ["Kunskapsgraf – kontrollrapport", ""]
    if report.consistency is None:
        lines.append("1. Ontologin: inte kontrollerad (--no-reasoner).")
    elif report.consistency.consistent:
        lines.append("1. Ontologin och vokabulären är konsistenta (OWL-resonerare HermiT).")
    else:
        lines.append(f"1. FEL: {report.consistency.message}")
        lines += [
            f"   - otillfredsställbar klass: {c}" for c in report.consistency.inconsistent_classes
        ]
    if report.shapes.conforms:
        lines.append("2. Informationsspecifikationen (SHACL-formerna) är giltig SHACL.")
    else:
        lines.append("2. FEL: SHACL-formerna är inte giltig SHACL:")
        lines += [f"   - {r.focus_node}: {r.message_sv}" for r in report.shapes.violations()]
    violations = report.content.violations()
    warnings = report.content.warnings()
    lines.append(
        f"3. Innehåll ({report.subject}): {report.resources_checked} resurser kontrollerade, "
        f"{len(violations)} fel, {len(warnings)} varningar."
    )
    for title, results, mark in (
        ("FEL (måste åtgärdas innan innehållet kan publiceras)", violations, "✗"),
        ("VARNINGAR", warnings, "!"),
    ):
        if not results:
            continue
        lines += ["", title + ":"]
        for r in sorted(results, key=lambda r: (r.identifier or r.focus_node, r.shape)):
            lines.append(f"  {mark} {r.identifier or r.focus_node}")
            if r.identifier:
                lines.append(f"      Resurs:  {r.focus_node}")
            lines.append(f"      Fält:    {_field(r, report.field_labels)}")
            lines.append(
                f"      Regel:   {r.shape.replace('https://kunskapsgraf.se/shapes/', 'kss:')}"
            )
            lines.append(f"      Åtgärd:  {r.message_sv}")
            if r.value is not None:
                lines.append(f"      Värde:   {r.value}")
    if warnings:
        per_rule = Counter(r.shape.rsplit("/", 1)[-1] for r in warnings)
        lines += [
            "",
            "Varningar per regel: " + ", ".join(f"{k} {v}" for k, v in per_rule.most_common()),
        ]
    lines += ["", "Resultat: " + ("GODKÄND" if report.ok else "UNDERKÄND")]
    return "\n".join(lines)


def format_json(report: CheckReport) -> str:
    def result(r: ValidationResult) -> dict[str, Any]:
        return {
            "item": r.identifier,
            "focusNode": r.focus_node,
            "field": r.path,
            "fieldLabel": report.field_labels.get(r.path or ""),
            "rule": r.shape,
            "severity": r.severity,
            "message": {"sv": r.message_sv, "en": r.message_en},
            "value": r.value,
        }

    return json.dumps(
        {
            "ok": report.ok,
            "consistency": None
            if report.consistency is None
            else {
                "consistent": report.consistency.consistent,
                "inconsistentClasses": report.consistency.inconsistent_classes,
                "message": {"sv": report.consistency.message, "en": report.consistency.message_en},
            },
            "shapesValid": report.shapes.conforms,
            "shapesProblems": [result(r) for r in report.shapes.results],
            "checked": report.subject,
            "resourcesChecked": report.resources_checked,
            "violations": [result(r) for r in report.content.violations()],
            "warnings": [result(r) for r in report.content.warnings()],
        },
        ensure_ascii=False,
        indent=2,
    )
