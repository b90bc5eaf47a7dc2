"""read → map → validate → store → index, for one batch from one source.

``ingest_batch`` is the one write path for content: the push API, the CLI and (later) the
harvesters call it. A batch is stored whole or rejected whole; re-sending unchanged content
writes nothing; the call returns only after the write is flushed.

Validation scales with the batch, not the store: the data graph given to SHACL is the batch,
what it references (one hop, two along structural links) and the ontology's axioms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph
import rdflib
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from service.config import Settings
from service.corpus import ontology_files, shape_files
from service.errors import Forbidden, InvalidParameter, NotFound, ValidationFailed
from service.ingest.runs import RunLog
from service.store.base import Store
from service.terms import KS, KSI, RDF_TYPE, source_graph, source_iri
from service.validation.convert import add_triples
from service.validation.shacl import ValidationResult, validate_graph

XSD = "http://www.w3.org/2001/XMLSchema#"
RESOURCE_CLASSES = {
    KS + "KnowledgeProduct",
    KS + "Section",
    KS + "Recommendation",
    KS + "RegionalSupplement",
}
# Written by the pipeline, never part of an item's content (nor of its hash).
PROVENANCE = {
    KS + "ingestionRun",
    KS + "ingestedAt",
    KS + "contentHash",
    KS + "wasDerivedFrom",
}
# Links along which validation needs the linked node's own links too (second hop).
STRUCTURAL = {
    KS + "source",
    KS + "isPartOf",
    KS + "supplements",
    KS + "publisher",
    KS + "currentApproval",
}
# One writer at a time: the diff against the store and the write must not interleave.
_WRITE_LOCK = threading.Lock()


@dataclass
class IngestReport:
    run: str
    source: str
    status: str  # stored | unchanged | rejected
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    violations: list[ValidationResult] = field(default_factory=list)
    mapping_version: str = "rdf"
    started: str = ""
    ended: str = ""
    # For mapped input: subject codes linked to concepts and those that named none.
    codes: dict[str, Any] | None = None

    def counts(self) -> dict[str, int]:
        rejected = len(self.added) + len(self.updated) if self.status == "rejected" else 0
        return {
            "added": 0 if self.status == "rejected" else len(self.added),
            "updated": 0 if self.status == "rejected" else len(self.updated),
            "unchanged": len(self.unchanged),
            "rejected": rejected,
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "source": self.source,
            "status": self.status,
            "mappingVersion": self.mapping_version,
            "started": self.started,
            "ended": self.ended,
            "counts": self.counts(),
            "items": [{"iri": i, "outcome": "added"} for i in self.added]
            + [{"iri": i, "outcome": "updated"} for i in self.updated]
            + [{"iri": i, "outcome": "unchanged"} for i in self.unchanged],
        } | ({"codes": self.codes} if self.codes is not None else {})


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _canonical(triples: Iterable[Triple]) -> str:
    """N-Triples lines, sorted: the same content always gives the same text."""
    out = io.BytesIO()
    pyoxigraph.serialize(
        (t for t in triples if t.predicate.value not in PROVENANCE), out, RdfFormat.N_TRIPLES
    )
    return "\n".join(sorted(out.getvalue().decode("utf-8").splitlines()))


def content_hash(triples: Iterable[Triple]) -> str:
    return hashlib.sha256(_canonical(triples).encode("utf-8")).hexdigest()


def as_stored(triples: Iterable[Triple]) -> list[Triple]:
    """The triples in the form the store keeps them (pyoxigraph normalises some literals, e.g.
    ``+00:00`` → ``Z``), so comparing a batch with stored content compares like with like."""
    scratch = pyoxigraph.Store()
    scratch.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
    return [q.triple for q in scratch]


def _owned_prefixes(source: str) -> tuple[str, ...]:
    return tuple(f"{KSI}{kind}/{source}/" for kind in ("item", "version", "review"))


@cache
def _model(
    ontology: tuple[Path, ...], shapes: tuple[Path, ...]
) -> tuple[rdflib.Graph, rdflib.Graph]:
    """The ontology (for subclass axioms) and the shapes, parsed once per process."""
    onto = rdflib.Graph()
    for path in ontology:
        onto.parse(path, format="turtle")
    shp = rdflib.Graph()
    for path in shapes:
        shp.parse(path, format="turtle")
    return onto, shp


def _context(store: Store, batch: list[Triple], subjects: set[str]) -> list[Triple]:
    """What the batch references, as stored: one hop, and two along structural links."""
    first = {
        t.object.value
        for t in batch
        if isinstance(t.object, NamedNode)
        and t.predicate.value != RDF_TYPE
        and t.object.value not in subjects
    }
    hop1 = [q.triple for q in store.describe(NamedNode(i) for i in sorted(first))]
    second = {
        t.object.value
        for t in hop1
        if isinstance(t.object, NamedNode)
        and t.predicate.value in STRUCTURAL
        and t.object.value not in first | subjects
    }
    hop2 = [q.triple for q in store.describe(NamedNode(i) for i in sorted(second))]
    return hop1 + hop2


def ingest_batch(
    store: Store,
    settings: Settings,
    source: str,
    triples: list[Triple],
    *,
    mapping_version: str = "rdf",
    record_url: str | None = None,
    run_log: RunLog | None = None,
    on_change: Callable[[], None] | None = None,
    codes: dict[str, Any] | None = None,
) -> IngestReport:
    """Validate and store one batch of ``source``'s content, whole or not at all.

    Raises ``NotFound`` for an unknown source, ``Forbidden`` when the batch describes nodes
    outside the source's own namespace (another source's items), ``InvalidParameter`` for a
    batch without items or with blank nodes, and ``ValidationFailed`` (422, with the results)
    when the batch breaks the information specification. The store is untouched in each case.
    """
    started = _now()
    triples = as_stored(triples)
    report = IngestReport(
        run=f"{KSI}run/{source}/{uuid.uuid4()}",
        source=source,
        status="stored",
        mapping_version=mapping_version,
        started=started,
        codes=codes,
    )
    source_node = source_iri(source)
    if not store.describe([source_node]):
        raise NotFound(
            f"Okänd kunskapskälla: '{source}'.",
            f"Unknown knowledge source: '{source}'.",
            source=source,
        )
    by_subject: dict[str, list[Triple]] = defaultdict(list)
    for t in triples:
        if not isinstance(t.subject, NamedNode) or isinstance(t.object, pyoxigraph.BlankNode):
            raise InvalidParameter(
                "Satsen innehåller tomma noder; ge varje resurs en IRI.",
                "The batch contains blank nodes; give every resource an IRI.",
            )
        by_subject[t.subject.value].append(t)
    owned = _owned_prefixes(source)
    foreign = sorted(s for s in by_subject if not s.startswith(owned))
    if foreign:
        raise Forbidden(
            f"Satsen beskriver resurser utanför källan '{source}': {', '.join(foreign[:5])}.",
            f"The batch describes resources outside source '{source}': {', '.join(foreign[:5])}.",
            source=source,
            resources=foreign[:20],
        )
    items = sorted(
        s
        for s, ts in by_subject.items()
        if any(
            t.predicate.value == RDF_TYPE
            and isinstance(t.object, NamedNode)
            and t.object.value in RESOURCE_CLASSES
            for t in ts
        )
    )
    if not items:
        raise InvalidParameter(
            "Satsen innehåller inga kunskapsresurser (ks:KnowledgeProduct, ks:Section, …).",
            "The batch contains no knowledge resources (ks:KnowledgeProduct, ks:Section, …).",
        )
    graph = source_graph(source)

    with _WRITE_LOCK:
        stored: dict[str, list[Triple]] = defaultdict(list)
        for q in store.describe((NamedNode(s) for s in by_subject), graph):
            if isinstance(q.subject, NamedNode):
                stored[q.subject.value].append(q.triple)
        changed: list[str] = []
        for subject in sorted(by_subject):
            new_text = _canonical(by_subject[subject])
            if subject in stored and _canonical(stored[subject]) == new_text:
                if subject in items:
                    report.unchanged.append(subject)
            else:
                changed.append(subject)
                if subject in items:
                    (report.updated if subject in stored else report.added).append(subject)

        if not changed:
            report.status = "unchanged"
            report.ended = _now()
            _log(run_log, report)
            return report

        onto, shapes = _model(tuple(ontology_files(settings)), tuple(shape_files(settings)))
        data = rdflib.Graph()
        data += onto
        add_triples(_context(store, triples, set(by_subject)), data)
        add_triples(triples, data)
        validation = validate_graph(data, shapes, focus_nodes={rdflib.URIRef(s) for s in changed})
        if not validation.conforms:
            report.status = "rejected"
            report.violations = validation.violations()
            report.ended = _now()
            _log(run_log, report)
            raise ValidationFailed(
                f"Satsen avvisades: {len(report.violations)} fel mot informationsspecifikationen. "
                "Inget sparades.",
                f"The batch was rejected: {len(report.violations)} violations of the information "
                "specification. Nothing was stored.",
                run=report.run,
                results=[_result_json(r) for r in report.violations],
                report=_report_jsonld(validation.report_graph),
            )

        ended = _now()
        report.ended = ended
        store.update(
            _write_update(graph, changed, by_subject, items, report, source_node, record_url)
        )
        store.flush()
    _log(run_log, report)
    if on_change is not None:
        on_change()
    return report


def _write_update(
    graph: NamedNode,
    changed: list[str],
    by_subject: dict[str, list[Triple]],
    items: list[str],
    report: IngestReport,
    source_node: NamedNode,
    record_url: str | None,
) -> str:
    """One SPARQL UPDATE (one transaction): drop the changed subjects, insert the new content
    and its provenance. Terms are serialised by pyoxigraph, which escapes them."""
    run = NamedNode(report.run)
    xsd_datetime, xsd_integer = NamedNode(XSD + "dateTime"), NamedNode(XSD + "integer")
    ended = Literal(report.ended, datatype=xsd_datetime)
    counts = report.counts()
    written: list[Triple] = [
        Triple(run, NamedNode(RDF_TYPE), NamedNode(KS + "IngestionRun")),
        Triple(run, NamedNode(KS + "runOf"), source_node),
        Triple(run, NamedNode(KS + "mappingVersion"), Literal(report.mapping_version)),
        Triple(run, NamedNode(KS + "startedAt"), Literal(report.started, datatype=xsd_datetime)),
        Triple(run, NamedNode(KS + "endedAt"), ended),
    ]
    for name, key in (("itemsAdded", "added"), ("itemsUpdated", "updated")):
        written.append(
            Triple(run, NamedNode(KS + name), Literal(str(counts[key]), datatype=xsd_integer))
        )
    written.append(
        Triple(
            run,
            NamedNode(KS + "itemsUnchanged"),
            Literal(str(counts["unchanged"]), datatype=xsd_integer),
        )
    )
    for subject in changed:
        node = NamedNode(subject)
        written.extend(by_subject[subject])
        if subject in items:
            digest = Literal(content_hash(by_subject[subject]))
            written.append(Triple(node, NamedNode(KS + "ingestionRun"), run))
            written.append(Triple(node, NamedNode(KS + "ingestedAt"), ended))
            written.append(Triple(node, NamedNode(KS + "contentHash"), digest))
            if record_url:
                written.append(
                    Triple(node, NamedNode(KS + "wasDerivedFrom"), NamedNode(record_url))
                )
    data = io.BytesIO()
    pyoxigraph.serialize(written, data, RdfFormat.N_TRIPLES)
    deletes = "".join(
        f"DELETE WHERE {{ GRAPH {graph} {{ {NamedNode(s)} ?p ?o }} }} ;\n" for s in changed
    )
    return f"{deletes}INSERT DATA {{ GRAPH {graph} {{\n{data.getvalue().decode()}\n}} }}"


def _result_json(r: ValidationResult) -> dict[str, Any]:
    return {
        "item": r.identifier,
        "focusNode": r.focus_node,
        "field": r.path,
        "rule": r.shape,
        "severity": r.severity,
        "message": {"sv": r.message_sv, "en": r.message_en},
        "value": r.value,
    }


def _report_jsonld(report: rdflib.Graph) -> Any:
    return json.loads(report.serialize(format="json-ld"))


def _log(run_log: RunLog | None, report: IngestReport) -> None:
    if run_log is not None:
        run_log.append(
            {
                "run": report.run,
                "source": report.source,
                "status": report.status,
                "started": report.started,
                "ended": report.ended,
                "mappingVersion": report.mapping_version,
                "counts": report.counts(),
            }
        )
