"""``kunskapsgraf check``: the quality report on the model and the content.

First three checks, in order: the ontology with its vocabularies is consistent under an OWL
reasoner; the shapes are well-formed SHACL; and the content (everything stored, or the given
files in the context of what is stored) conforms to the shapes. Then the sections in
:data:`CHECKS`, each a function of a :class:`CheckContext` returning
:class:`~service.quality.Finding` objects: SKOS quality of the concept schemes, unused classes
and properties, and governance (overdue reviews per source, regional supplements awaiting
re-confirmation, sources past their re-assessment date). Add a section by appending a
:class:`CheckSection` to :data:`CHECKS`; every output format picks it up.

Every finding has a severity: ``error`` fails the check (exit code 1), ``warning`` and
``info`` are reported (``--fail-on warning`` makes warnings fail too). The report is text
(Swedish), JSON or a self-contained HTML page. :func:`run_check_since` reports only what a change
introduced since a git revision: the checks run on the model files of both versions (against
the same stored content) and only findings that are new are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import NamedNode, Quad, Triple

from service.config import Settings
from service.corpus import ontology_files, shape_files, vocabulary_files
from service.quality import SEVERITIES, Finding, Severity, short_iri
from service.quality.governance import (
    FRESHNESS_SHAPES,
    overdue_reviews,
    sources_past_reassessment,
    supplements_to_reconfirm,
    unused_terms,
)
from service.quality.skos import skos_findings
from service.search import index_findings
from service.store.base import Store
from service.store.loading import LoadSource, parse_file, rdf_format
from service.store.oxigraph import OxigraphStore
from service.terms import GRAPH_ONTOLOGY, GRAPH_SHAPES, KS, KSG, KSS, vocab_graph
from service.validation.convert import add_triples
from service.validation.reasoner import ConsistencyResult, check_consistency
from service.validation.shacl import (
    ValidationReport,
    ValidationResult,
    validate_graph,
    validate_shapes_graph,
)

RDFS_LABEL = rdflib.RDFS.label
_SHACL_SEVERITY: dict[str, Severity] = {"Violation": "error", "Warning": "warning", "Info": "info"}


@dataclass
class CheckContext:
    """What a section's check function may read."""

    settings: Settings
    store: Store  # the store whose content is checked
    model: Store  # in memory: ontology + vocabulary files (+ the checked files)
    dataset: Store  # in memory: the model, the stored content (+ the checked files)
    content: ValidationReport  # the SHACL report on the content
    today: dt.date


@dataclass(frozen=True)
class CheckSection:
    key: str
    title_sv: str
    title_en: str
    run: Callable[[CheckContext], list[Finding]]


def _governance(ctx: CheckContext) -> list[Finding]:
    return (
        overdue_reviews(ctx.content.results)
        + supplements_to_reconfirm(ctx.dataset, ctx.today)
        + sources_past_reassessment(ctx.dataset, ctx.today)
    )


# The report's sections after consistency, shapes and content, in order.
CHECKS: list[CheckSection] = [
    CheckSection(
        "skos",
        "Begreppsscheman (SKOS-kvalitet)",
        "Concept schemes (SKOS quality)",
        lambda ctx: skos_findings(ctx.model),
    ),
    CheckSection(
        "model",
        "Oanvända klasser och egenskaper",
        "Unused classes and properties",
        lambda ctx: unused_terms(ctx.dataset),
    ),
    CheckSection(
        "governance",
        "Förvaltning: granskningar, regionala tillägg och källor",
        "Governance: reviews, regional supplements and sources",
        _governance,
    ),
    CheckSection(
        "search-index",
        "Sökindexet jämfört med lagret",
        "Search index vs store",
        lambda ctx: index_findings(ctx.store, ctx.settings),
    ),
]


@dataclass
class CheckReport:
    consistency: ConsistencyResult | None
    shapes: ValidationReport
    content: ValidationReport
    subject: str
    resources_checked: int
    field_labels: dict[str, str]
    sections: list[tuple[CheckSection, list[Finding]]] = field(default_factory=list)
    since: str | None = None  # the revision a --since report compares with
    consistency_unchanged: bool = False  # --since: inconsistent before the change too

    def findings(self) -> list[Finding]:
        """Every finding: consistency, shapes, content and the sections."""
        found: list[Finding] = []
        if self.consistency is not None and not self.consistency.consistent:
            found.append(
                Finding(
                    "owl-consistency",
                    "error",
                    KS,
                    self.consistency.message,
                    self.consistency.message_en,
                    related=tuple(self.consistency.inconsistent_classes),
                )
            )
        found += [_shacl_finding(r, "shapes-valid-shacl") for r in self.shapes.violations()]
        found += self.content_findings()
        for _section, section_findings in self.sections:
            found += section_findings
        return found

    def content_findings(self) -> list[Finding]:
        """The SHACL results on the content (overdue reviews are summed up per source in the
        governance section instead)."""
        return [_shacl_finding(r) for r in self.content.results if r.shape not in FRESHNESS_SHAPES]

    def counts(self) -> dict[str, int]:
        counted = Counter(f.severity for f in self.findings())
        return {severity: counted.get(severity, 0) for severity in SEVERITIES}

    @property
    def ok(self) -> bool:
        """No errors (warnings and information allowed)."""
        return self.failed("error") is False

    def failed(self, fail_on: Severity = "error") -> bool:
        """True when there is a finding at ``fail_on`` or more severe."""
        worst = SEVERITIES.index(fail_on)
        return any(SEVERITIES.index(f.severity) <= worst for f in self.findings())


def _shacl_finding(result: ValidationResult, rule: str | None = None) -> Finding:
    return Finding(
        rule or result.shape.rsplit("/", 1)[-1],
        _SHACL_SEVERITY.get(result.severity, "error"),
        result.identifier or result.focus_node,
        result.message_sv,
        result.message_en,
        field=result.path,
        value=result.value,
    )


def _model_graph(settings: Settings) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ontology_files(settings) + vocabulary_files(settings):
        graph.parse(path, format="turtle")
    return graph


def _quads_to_rdflib(quads: Sequence[Quad], graph: rdflib.Graph) -> None:
    """Add the quads' triples to ``graph`` (validation sees one merged graph)."""
    add_triples((q.triple for q in quads), graph)


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


_SHAPES_CACHE: dict[str, tuple[rdflib.Graph, ValidationReport]] = {}
_SHAPES_LOCK = threading.Lock()


def _checked_shapes(paths: Sequence[Path]) -> tuple[rdflib.Graph, ValidationReport]:
    """The shapes graph and its check against the SHACL meta-shapes, kept per content of the
    files: the meta-check takes seconds, and ``--since`` and the tests check the same shapes
    again (the same graph object also lets ``validate_graph`` reuse its plan)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    key = digest.hexdigest()
    with _SHAPES_LOCK:
        cached = _SHAPES_CACHE.get(key)
        if cached is not None:
            return cached
        shapes = rdflib.Graph()
        for path in paths:
            shapes.parse(path, format="turtle")
        checked = (shapes, validate_shapes_graph(shapes))
        if len(_SHAPES_CACHE) >= 4:
            _SHAPES_CACHE.pop(next(iter(_SHAPES_CACHE)))
        _SHAPES_CACHE[key] = checked
        return checked


def _model_quads(settings: Settings) -> list[Quad]:
    quads: list[Quad] = []
    for path in ontology_files(settings):
        quads += parse_file(LoadSource(path, GRAPH_ONTOLOGY))
    for path in vocabulary_files(settings):
        quads += parse_file(LoadSource(path, vocab_graph(path.stem)))
    return quads


def run_check(
    store: Store,
    settings: Settings,
    files: Sequence[Path] = (),
    *,
    reasoner: bool = True,
    today: dt.date | None = None,
) -> CheckReport:
    """Check the model and the stored content, or ``files`` as if they were loaded.

    The ontology, vocabularies and shapes are read from their folders (what an information
    architect is editing), not from the store. With ``files``, only findings about the files'
    own resources are reported.
    """
    consistency = None
    if reasoner:
        consistency = check_consistency(ontology_files(settings) + vocabulary_files(settings))
    shapes, shapes_report = _checked_shapes(shape_files(settings))

    data = _model_graph(settings)
    field_labels = {
        str(s): str(o)
        for s, o in data.subject_objects(RDFS_LABEL)
        if isinstance(o, rdflib.Literal) and o.language == "sv" and str(s).startswith(KS)
    }
    stored = _stored_content(store)
    _quads_to_rdflib(stored, data)
    focus: set[rdflib.term.Node] | None = None
    checked = data
    file_quads: list[Quad] = []
    if files:
        # The files are checked as if they were loaded: the stored content is their context,
        # but only the files' own resources are validated and reported.
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

    model_quads = _model_quads(settings)
    model = OxigraphStore()
    model.add_quads(model_quads + file_quads)
    dataset = OxigraphStore()
    dataset.add_quads(model_quads + stored + file_quads)
    ctx = CheckContext(settings, store, model, dataset, content_report, today or dt.date.today())
    sections = [(section, section.run(ctx)) for section in CHECKS]
    if files:
        sections = [(section, _about_files(found, file_quads)) for section, found in sections]
    return CheckReport(
        consistency,
        shapes_report,
        content_report,
        subject,
        resources,
        field_labels,
        sections,
    )


def _about_files(findings: list[Finding], quads: Sequence[Quad]) -> list[Finding]:
    """The findings about a resource (or item identifier) of the checked files, as subject or
    as one of the related subjects (overdue reviews are reported per source)."""
    subjects = {q.subject.value for q in quads if not isinstance(q.subject, Triple)}
    subjects |= {
        q.object.value
        for q in quads
        if q.predicate.value == KS + "identifier" and not isinstance(q.object, Triple)
    }
    return [f for f in findings if f.subject in subjects or subjects.intersection(f.related)]


def _graph_for(path: Path) -> NamedNode | None:
    if rdf_format(path).supports_datasets:
        return None
    return NamedNode(KSG + "check/" + path.name)


# --- --since REV ---------------------------------------------------------------------------


def run_check_since(
    store: Store,
    settings: Settings,
    revision: str,
    *,
    reasoner: bool = True,
    today: dt.date | None = None,
) -> CheckReport:
    """Only what the model files changed since git ``revision`` introduced: both versions are
    checked against the same stored content, and findings already there before are dropped."""
    from service.diff.versions import settings_at_revision

    new = run_check(store, settings, reasoner=reasoner, today=today)
    with settings_at_revision(settings, revision) as old_settings:
        # The reasoner is slow: run it on the old version only when the new one fails it.
        old_reasoner = bool(new.consistency is not None and not new.consistency.consistent)
        old = run_check(store, old_settings, reasoner=old_reasoner, today=today)
    return introduced(new, old, revision)


def introduced(new: CheckReport, old: CheckReport, revision: str) -> CheckReport:
    """``new`` without what ``old`` already had."""
    consistency = new.consistency
    unchanged = bool(
        consistency is not None
        and not consistency.consistent
        and old.consistency is not None
        and not old.consistency.consistent
    )
    if unchanged:
        consistency = None  # inconsistent before too: not introduced by the change

    def new_results(now: ValidationReport, before: ValidationReport) -> ValidationReport:
        seen = {_result_key(r) for r in before.results}
        kept = [r for r in now.results if _result_key(r) not in seen]
        conforms = not any(r.severity == "Violation" for r in kept)
        return ValidationReport(conforms, kept, now.report_graph)

    old_keys = {f.key for _section, found in old.sections for f in found}
    sections = [
        (section, [f for f in found if f.key not in old_keys]) for section, found in new.sections
    ]
    return replace(
        new,
        consistency=consistency,
        shapes=new_results(new.shapes, old.shapes),
        content=new_results(new.content, old.content),
        sections=sections,
        since=revision,
        consistency_unchanged=unchanged,
    )


def _result_key(r: ValidationResult) -> tuple[str, str, str | None, str | None]:
    return (r.shape, r.identifier or r.focus_node, r.path, r.value)


# --- Output formats -------------------------------------------------------------------------

_MARK = {"error": "✗", "warning": "!", "info": "i"}
_SEVERITY_SV = {"error": "fel", "warning": "varningar", "info": "information"}


def _field(result: ValidationResult, labels: dict[str, str]) -> str:
    if result.path is None:
        return "–"
    label = labels.get(result.path)
    short = result.path.replace(KS, "ks:")
    return f"{label} ({short})" if label else short


def format_text(report: CheckReport) -> str:
    """A readable report in Swedish: item, field, rule and what to do."""
    lines = ["Kunskapsgraf – kontrollrapport", ""]
    if report.since:
        lines += [f"Endast det som ändringarna sedan {report.since} har infört.", ""]
    if report.consistency is None:
        lines.append(
            "1. Ontologin: inkonsistent redan före ändringarna (ingen ny anmärkning)."
            if report.consistency_unchanged
            else "1. Ontologin: inte kontrollerad (--no-reasoner)."
        )
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
    listed_warnings = [w for w in warnings if w.shape not in FRESHNESS_SHAPES]
    for title, results, mark in (
        ("FEL (måste åtgärdas innan innehållet kan publiceras)", violations, "✗"),
        ("VARNINGAR", listed_warnings, "!"),
    ):
        if not results:
            continue
        lines += ["", title + ":"]
        for r in sorted(results, key=lambda r: (r.identifier or r.focus_node, r.shape)):
            lines.append(f"  {mark} {r.identifier or r.focus_node}")
            if r.identifier:
                lines.append(f"      Resurs:  {r.focus_node}")
            lines.append(f"      Fält:    {_field(r, report.field_labels)}")
            lines.append(f"      Regel:   {r.shape.replace(KSS, 'kss:')}")
            lines.append(f"      Åtgärd:  {r.message_sv}")
            if r.value is not None:
                lines.append(f"      Värde:   {r.value}")
    if warnings:
        per_rule = Counter(r.shape.rsplit("/", 1)[-1] for r in warnings)
        lines += [
            "",
            "Varningar per regel: " + ", ".join(f"{k} {v}" for k, v in per_rule.most_common()),
        ]
        if len(listed_warnings) < len(warnings):
            lines.append("Försenade granskningar visas per källa under Förvaltning nedan.")
    for number, (section, found) in enumerate(report.sections, start=4):
        counted = Counter(f.severity for f in found)
        summary = ", ".join(f"{counted[s]} {_SEVERITY_SV[s]}" for s in SEVERITIES if counted[s])
        lines += ["", f"{number}. {section.title_sv}: {summary or 'inga anmärkningar'}."]
        for finding in _ordered(found):
            lines.append(
                f"  {_MARK[finding.severity]} [{finding.rule}] {short_iri(finding.subject)}"
            )
            lines.append(f"      {finding.message_sv}")
    counts = report.counts()
    lines += [
        "",
        "Sammanfattning: " + ", ".join(f"{counts[s]} {_SEVERITY_SV[s]}" for s in SEVERITIES),
        "Resultat: " + ("GODKÄND" if report.ok else "UNDERKÄND"),
    ]
    return "\n".join(lines)


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.subject))


def report_data(report: CheckReport) -> dict[str, Any]:
    """The report as JSON-ready data (what ``--format json`` prints and the HTML page shows)."""

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

    return {
        "ok": report.ok,
        "since": report.since,
        "counts": report.counts(),
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
        "sections": [
            {
                "key": section.key,
                "title": {"sv": section.title_sv, "en": section.title_en},
                "findings": [f.as_json() for f in _ordered(found)],
            }
            for section, found in report.sections
        ],
    }


def format_json(report: CheckReport) -> str:
    return json.dumps(report_data(report), ensure_ascii=False, indent=2)


def format_html(report: CheckReport) -> str:
    """A self-contained HTML page (no external requests) for CI artefacts and e-mail."""
    from service.quality.html import render_report

    return render_report(report_data(report), report.content_findings())
