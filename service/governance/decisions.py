"""Approval decisions about knowledge sources: the lifecycle, each decision as a new
``ks:SourceApproval`` in the register (the old ones stay as history), and the one write that
makes it the approval in force.

Lifecycle (DOMAIN 5.4)::

    foreslagen → under-bedomning → godkand | godkand-villkor | pilot | avslagen
    pilot → godkand | godkand-villkor | under-bedomning | avslagen
    godkand, godkand-villkor → (renewed) | pausad | avvecklad | under-bedomning
    pausad → godkand | godkand-villkor | avvecklad | under-bedomning
    avslagen → foreslagen | under-bedomning;  avvecklad → foreslagen

A decision states what it changes; integration level, allowed content types, re-assessment
date, decision maker and criteria not given are carried over from the approval in force (a
suspension keeps the terms of the approval it suspends). Approving needs all nine criteria
assessed and a re-assessment date in the future; the integration level may not exceed what the
source's licence allows. Who may decide is checked by the caller (``roles.require_decide``).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import Literal, NamedNode

from service.config import Settings
from service.corpus import ontology_files, shape_files
from service.errors import Forbidden, InvalidParameter, ValidationFailed
from service.governance import register
from service.store.base import Store
from service.terms import GRAPH_REGISTER, KS, KSI, RDF_TYPE, concept, source_iri

STATUSES = (
    "foreslagen",
    "under-bedomning",
    "godkand",
    "godkand-villkor",
    "pilot",
    "pausad",
    "avvecklad",
    "avslagen",
)
_RENEWABLE = {"godkand", "godkand-villkor", "pausad", "avvecklad", "under-bedomning"}
TRANSITIONS: dict[str, frozenset[str]] = {
    "foreslagen": frozenset({"under-bedomning", "avslagen"}),
    "under-bedomning": frozenset({"godkand", "godkand-villkor", "pilot", "avslagen"}),
    "pilot": frozenset({"godkand", "godkand-villkor", "under-bedomning", "avslagen"}),
    "godkand": frozenset(_RENEWABLE),
    "godkand-villkor": frozenset(_RENEWABLE),
    "pausad": frozenset({"godkand", "godkand-villkor", "avvecklad", "under-bedomning"}),
    "avslagen": frozenset({"foreslagen", "under-bedomning"}),
    "avvecklad": frozenset({"foreslagen"}),
}
# Statuses that admit content (shown, or previewed in pilot): they need a full assessment.
APPROVING = ("godkand", "godkand-villkor", "pilot")
CRITERIA = (
    "ansvarig-utgivare",
    "producentobunden",
    "dokumenterad-metod",
    "granskning-jav",
    "datering",
    "svensk-kontext",
    "licens",
    "maskinlasbar-atkomst",
    "tillganglighet",
)
LEVELS = ("lank", "metadata", "fulltext-index", "fulltext-visning")  # ordered (ks:rank 1–4)
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
_DECIDING = threading.Lock()


@dataclass(frozen=True)
class Criterion:
    fulfilled: bool
    note: str
    evidence: str | None = None


@dataclass(frozen=True)
class Decision:
    """What a decision states; ``None`` / empty = carried over from the approval in force."""

    status: str
    note: str
    integration_level: str | None = None
    allowed_content_types: tuple[str, ...] = ()
    valid_until: dt.date | None = None
    decided_by: str | None = None
    criteria: dict[str, Criterion] = field(default_factory=dict)


def _invalid(sv: str, en: str, **details: Any) -> InvalidParameter:
    return InvalidParameter(sv, en, **details)


def _approval_iri(store: Store, key: str, day: dt.date) -> NamedNode:
    """``ksi:approval/<key>/<date>``, or ``…-2``, ``-3`` for further decisions that day."""
    base = f"{KSI}approval/{key}/{day.isoformat()}"
    existing = {
        q.subject.value
        for q in store.quads(GRAPH_REGISTER)
        if isinstance(q.subject, NamedNode) and q.subject.value.startswith(base)
    }
    if base not in existing:
        return NamedNode(base)
    n = 2
    while f"{base}-{n}" in existing:
        n += 1
    return NamedNode(f"{base}-{n}")


def plan(
    record: dict[str, Any], decision: Decision, today: dt.date
) -> tuple[dict[str, Any], dict[str, Criterion]]:
    """The full terms of the new approval (checked), from ``decision`` over the approval in
    force of the register ``record``."""
    current = record.get("currentApproval") or {}
    before = current.get("status")
    if decision.status not in STATUSES:
        raise _invalid(
            f"Okänd godkännandestatus: {decision.status}.",
            f"Unknown approval status: {decision.status}.",
            parameter="status",
            valid=list(STATUSES),
        )
    allowed = sorted(TRANSITIONS.get(before or "", frozenset(STATUSES)))
    if decision.status not in allowed:
        raise _invalid(
            f"Källan '{record['id']}' har status {before}; därifrån kan beslutet bara bli "
            f"{', '.join(allowed)}, inte {decision.status}.",
            f"Source '{record['id']}' has the status {before}; from there a decision can only be "
            f"{', '.join(allowed)}, not {decision.status}.",
            parameter="status",
            current=before,
            valid=allowed,
        )
    if not decision.note.strip():
        raise _invalid(
            "Ange en motivering till beslutet (note).",
            "Give the reasons for the decision (note).",
            parameter="note",
        )
    level = decision.integration_level or current.get("integrationLevel")
    if level not in LEVELS:
        raise _invalid(
            f"Okänd integrationsnivå: {level}.",
            f"Unknown integration level: {level}.",
            parameter="integrationLevel",
            valid=list(LEVELS),
        )
    licence_max = (record.get("licence") or {}).get("maxIntegrationLevel")
    if licence_max in LEVELS and LEVELS.index(level) > LEVELS.index(licence_max):
        raise _invalid(
            f"Licensen tillåter högst integrationsnivån {licence_max}, inte {level}.",
            f"The licence allows at most the integration level {licence_max}, not {level}.",
            parameter="integrationLevel",
            max=licence_max,
        )
    types = list(decision.allowed_content_types) or list(current.get("allowedContentTypes", []))
    if not types:
        raise _invalid(
            "Ange minst en tillåten innehållstyp (allowedContentTypes).",
            "Give at least one allowed content type (allowedContentTypes).",
            parameter="allowedContentTypes",
        )
    carried_until = current.get("validUntil")
    valid_until = decision.valid_until or (
        dt.date.fromisoformat(carried_until[:10]) if carried_until else None
    )
    if valid_until is None or (decision.status in APPROVING and valid_until <= today):
        raise _invalid(
            "Ange ett omprövningsdatum (validUntil) efter dagens datum.",
            "Give a re-assessment date (validUntil) after today.",
            parameter="validUntil",
        )
    criteria = {
        c["criterion"]: Criterion(bool(c["fulfilled"]), c["note"] or "", c.get("evidence"))
        for c in current.get("criteria", [])
        if c["criterion"] in CRITERIA
    }
    unknown = sorted(set(decision.criteria) - set(CRITERIA))
    if unknown:
        raise _invalid(
            f"Okända kriterier: {', '.join(unknown)}.",
            f"Unknown criteria: {', '.join(unknown)}.",
            parameter="criteria",
            valid=list(CRITERIA),
        )
    criteria.update(decision.criteria)
    missing = [c for c in CRITERIA if c not in criteria]
    if decision.status in APPROVING and missing:
        raise _invalid(
            f"Ett godkännande kräver att alla nio kriterier är bedömda; saknas: "
            f"{', '.join(missing)}.",
            f"An approval needs all nine criteria assessed; missing: {', '.join(missing)}.",
            parameter="criteria",
            missing=missing,
        )
    decided_by = decision.decided_by or (current.get("decidedBy") or {}).get("id")
    if not decided_by:
        raise _invalid(
            "Ange vem som fattade beslutet (decidedBy, en aktör i registret).",
            "Say who took the decision (decidedBy, an agent in the register).",
            parameter="decidedBy",
        )
    terms = {
        "status": decision.status,
        "integrationLevel": level,
        "allowedContentTypes": sorted(set(types)),
        "validUntil": valid_until.isoformat(),
        "decidedBy": decided_by,
        "note": decision.note.strip(),
    }
    return terms, criteria


def _triples(
    key: str,
    approval: NamedNode,
    terms: dict[str, Any],
    criteria: dict[str, Criterion],
    today: dt.date,
) -> list[tuple[NamedNode, NamedNode, NamedNode | Literal]]:
    def ks(local: str) -> NamedNode:
        return NamedNode(KS + local)

    def date(day: str) -> Literal:
        return Literal(day, datatype=NamedNode(XSD + "date"))

    source = source_iri(key)
    out: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (source, ks("hasApproval"), approval),
        (source, ks("currentApproval"), approval),
        (approval, NamedNode(RDF_TYPE), ks("SourceApproval")),
        (approval, ks("approvalStatus"), concept("approval-status", terms["status"])),
        (approval, ks("integrationLevel"), concept("integration-level", terms["integrationLevel"])),
        (approval, ks("decidedBy"), NamedNode(f"{KSI}agent/{terms['decidedBy']}")),
        (approval, ks("decisionDate"), date(today.isoformat())),
        (approval, ks("validUntil"), date(terms["validUntil"])),
        (approval, NamedNode(DCTERMS + "description"), Literal(terms["note"], language="sv")),
    ]
    out += [
        (approval, ks("allowedContentType"), concept("content-type", t))
        for t in terms["allowedContentTypes"]
    ]
    for name, c in sorted(criteria.items()):
        node = NamedNode(f"{approval.value}/{name}")
        out += [
            (approval, ks("hasCriterionAssessment"), node),
            (node, NamedNode(RDF_TYPE), ks("CriterionAssessment")),
            (node, ks("criterion"), concept("assessment-criterion", name)),
            (
                node,
                ks("fulfilled"),
                Literal("true" if c.fulfilled else "false", datatype=NamedNode(XSD + "boolean")),
            ),
            (node, ks("assessmentNote"), Literal(c.note or "–", language="sv")),
        ]
        if c.evidence:
            out.append(
                (node, ks("evidenceUrl"), Literal(c.evidence, datatype=NamedNode(XSD + "anyURI")))
            )
    return out


@cache
def _model(
    ontology: tuple[Path, ...], shapes: tuple[Path, ...]
) -> tuple[rdflib.Graph, rdflib.Graph]:
    onto, shp = rdflib.Graph(), rdflib.Graph()
    for path in ontology:
        onto.parse(path, format="turtle")
    for path in shapes:
        shp.parse(path, format="turtle")
    return onto, shp


def _term(term: NamedNode | Literal) -> rdflib.term.Node:
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _check(
    store: Store,
    settings: Settings,
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]],
    focus: set[str],
) -> None:
    """Validate the new approval against the shapes with what it references as context."""
    from service.validation.shacl import validate_graph

    onto, shapes = _model(tuple(ontology_files(settings)), tuple(shape_files(settings)))
    data = rdflib.Graph()
    data += onto
    referenced = {o for _, _, o in triples if isinstance(o, NamedNode) and o.value not in focus}
    for q in store.describe(sorted(referenced, key=lambda n: n.value)):
        data.add((_term(q.subject), _term(q.predicate), _term(q.object)))  # type: ignore[arg-type]
    for s, p, o in triples:
        data.add((_term(s), _term(p), _term(o)))
    report = validate_graph(data, shapes, focus_nodes={rdflib.URIRef(f) for f in focus})
    if not report.conforms:
        raise ValidationFailed(
            "Beslutet bryter mot informationsspecifikationen; inget sparades.",
            "The decision breaks the information specification; nothing was stored.",
            results=[
                {
                    "focusNode": r.focus_node,
                    "field": r.path,
                    "rule": r.shape,
                    "message": {"sv": r.message_sv, "en": r.message_en},
                    "value": r.value,
                }
                for r in report.violations()
            ],
        )


def decide(
    store: Store,
    settings: Settings,
    key: str,
    decision: Decision,
    *,
    today: dt.date | None = None,
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Record ``decision`` about source ``key`` and make it the approval in force.

    Returns the approval in force before and after (register JSON). Raises ``NotFound`` for an
    unknown source, ``InvalidParameter`` for a transition the lifecycle does not allow or
    incomplete terms, ``ValidationFailed`` when the record would break the shapes; the store is
    unchanged in each case.
    """
    today = today or dt.date.today()
    with _DECIDING:  # one decision at a time: each starts from the approval in force
        record = register.source(store, key, today)
        terms, criteria = plan(record, decision, today)
        approval = _approval_iri(store, key, today)
        triples = _triples(key, approval, terms, criteria, today)
        focus = {approval.value} | {f"{approval.value}/{c}" for c in criteria}
        _check(store, settings, triples, focus)
        _write(store, key, triples)
        after = register.source(store, key, today)
    return record.get("currentApproval"), after["currentApproval"]


def _write(
    store: Store, key: str, triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]]
) -> None:
    source = str(source_iri(key))
    # One update: the old approval stays in the history, the new one is in force.
    store.update(
        f"DELETE {{ GRAPH {GRAPH_REGISTER} {{ {source} <{KS}currentApproval> ?old }} }} "
        f"WHERE {{ GRAPH {GRAPH_REGISTER} {{ {source} <{KS}currentApproval> ?old }} }} ; "
        f"INSERT DATA {{ GRAPH {GRAPH_REGISTER} {{ "
        + " ".join(f"{s} {p} {o} ." for s, p, o in triples)
        + " } }"
    )
    store.flush()


# Statuses under which a source's ingestion is stopped (ksv:approval-status definitions).
STOPPED = ("pausad", "avslagen", "avvecklad")


def require_ingestible(store: Store, key: str) -> None:
    """Refuse new content from a source that is suspended, rejected or retired; withdrawing
    or superseding what is already stored stays possible."""
    status = register.source(store, key).get("approvalStatus")
    if status in STOPPED:
        raise Forbidden(
            f"Källan '{key}' har status {status}: inläsning av nytt innehåll är stoppad.",
            f"Source '{key}' has the status {status}: ingestion of new content is stopped.",
            source=key,
            approvalStatus=status,
        )
