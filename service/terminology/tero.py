"""TERO (THL/Finto, YSO-style OWL) → the SKOS scheme ``ksv:tero``.

TERO has no ``skos:Concept`` or ``skos:broader``: concepts are ``tero-meta:Concept`` classes,
the hierarchy is ``rdfs:subClassOf`` and alignments are ``owl:equivalentClass`` and
``dc:source``. The mapping:

* every ``tero-meta:Concept`` with at least one SKOS label → ``ksv:tero/<local id>`` (notation =
  the local id, ``D003424``, ``TTL123``); the structuring marker ``tero:tarkistettu``
  ("checked"), which has no SKOS label, is not a concept and ``subClassOf`` it is ignored;
* ``skos:prefLabel``/``skos:altLabel`` per language (fi, sv, en) as they are, whitespace
  collapsed; untagged or empty labels are dropped; ``tero-meta:hiddenLabel`` →
  ``skos:hiddenLabel``;
* ``rdfs:subClassOf`` another TERO concept → ``skos:broader`` (+ ``narrower``); a concept with
  no TERO superclass is a top concept; ``subClassOf`` a YSO concept → ``skos:broadMatch``;
* ``tero-meta:related`` → ``skos:related`` (both ways; dropped where the two are also
  hierarchically related, which SKOS forbids), or ``skos:relatedMatch`` to YSO;
* ``owl:equivalentClass`` to YSO → ``skos:exactMatch`` to the YSO IRI;
* MeSH: a concept whose local id is a MeSH descriptor UI (``D003424``; the IRI keeps it and
  ``dc:source`` points to ``…/mesh/D003424``) → ``skos:exactMatch ksv:mesh/D003424``. A
  qualified split of a descriptor (``D006400b`` "hematokriitti (laboratoriomenetelmät)") →
  ``skos:closeMatch``. TERO's own duplicates of a MeSH concept from other source vocabularies
  (``owl:equivalentClass`` between TERO concepts, e.g. a ``TTL`` or ``T`` entry) →
  ``skos:closeMatch`` to that descriptor (SKOS mapping properties are not used inside one
  scheme, so the duplicates are not linked to each other directly; most share a YSO
  ``exactMatch``). Where ``dc:source`` names another descriptor than the IRI, the IRI wins
  (``D007973b`` "leukorrhea" has ``dc:source …/D007937``, Leukapheresis) and a warning says so.

The IRI typo ``<ttp://www.yso.fi/onto/tero/TNR748b>`` in the source is read as the ``http`` IRI.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from pyoxigraph import Literal, NamedNode, RdfFormat

from service.errors import InvalidRdf
from service.terminology.base import (
    BROAD_MATCH,
    CC_BY_3,
    CLOSE_MATCH,
    EXACT_MATCH,
    RELATED,
    RELATED_MATCH,
    ImportResult,
    Known,
    SchemeBuilder,
    SourceInfo,
    TerminologyImporter,
    require_file,
)
from service.terms import KSV, SKOS

SCHEME = "tero"
TERO = "http://www.yso.fi/onto/tero/"
TERO_TYPO = "ttp://www.yso.fi/onto/tero/"
YSO = "http://www.yso.fi/onto/yso/"
MESH = "http://www.yso.fi/onto/mesh/"
TERO_CONCEPT = "http://www.yso.fi/onto/tero-meta/Concept"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_EQUIVALENT = "http://www.w3.org/2002/07/owl#equivalentClass"
_DC_SOURCE = "http://purl.org/dc/elements/1.1/source"
_PREF = SKOS + "prefLabel"
_ALT = SKOS + "altLabel"
_HIDDEN = "http://www.yso.fi/onto/tero-meta/hiddenLabel"
_RELATED = "http://www.yso.fi/onto/tero-meta/related"
_MESH_UI = re.compile(r"D\d{6,9}")
_MESH_SPLIT = re.compile(r"(D\d{6,9})[a-z]")
_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")


@dataclass
class _Entry:
    concept: bool = False
    labels: list[tuple[str, Literal]] = field(default_factory=list)
    supers: list[str] = field(default_factory=list)
    yso_supers: list[str] = field(default_factory=list)
    equivalents: list[str] = field(default_factory=list)
    yso_equivalents: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    yso_related: list[str] = field(default_factory=list)
    mesh_source: str | None = None


def info(version: str) -> SourceInfo:
    return SourceInfo(
        label_sv="TERO – ontologi för hälsa och välfärd",
        label_en="TERO – Finnish Ontology of Health and Welfare",
        description_sv=(
            "THL:s och Nationalbibliotekets ontologi för hälsa och välfärd (Finto), med "
            "finska, svenska och engelska benämningar, hierarki och kopplingar till MeSH och YSO."
        ),
        description_en=(
            "The health and welfare ontology of THL and the National Library of Finland "
            "(Finto), with Finnish, Swedish and English labels, hierarchy and links to MeSH "
            "and YSO."
        ),
        sources=(
            "https://finto.fi/tero/",
            "https://github.com/NatLibFi/Finto-data/tree/master/vocabularies/tero",
        ),
        licence=CC_BY_3,
        rights_sv="TERO, Terveyden ja hyvinvoinnin laitos (THL) / Finto. CC BY 3.0.",
        rights_en="TERO, Finnish Institute for Health and Welfare (THL) / Finto. CC BY 3.0.",
        version=version,
    )


def _tero_local(iri: str) -> str | None:
    for base in (TERO, TERO_TYPO):
        if iri.startswith(base):
            local = iri[len(base) :]
            return local if _LOCAL.fullmatch(local) else None
    return None


def _read(path: Path) -> tuple[dict[str, _Entry], int]:
    """One pass over the Turtle file, keeping only what the mapping needs."""
    entries: dict[str, _Entry] = defaultdict(_Entry)
    untagged = 0
    try:
        for t in pyoxigraph.parse(path=path, format=RdfFormat.TURTLE):
            s, p, o = t.subject, t.predicate.value, t.object
            if not isinstance(s, NamedNode):
                continue
            local = _tero_local(s.value)
            if local is None:
                # yso:pN owl:equivalentClass tero:X — read it from the TERO side.
                if p == _EQUIVALENT and s.value.startswith(YSO) and isinstance(o, NamedNode):
                    target = _tero_local(o.value)
                    if target is not None:
                        entries[target].yso_equivalents.append(s.value)
                continue
            entry = entries[local]
            if isinstance(o, Literal):
                if p in (_PREF, _ALT, _HIDDEN):
                    if o.language:
                        entry.labels.append((p, o))
                    else:
                        untagged += 1
                elif p == _DC_SOURCE and o.value.startswith(MESH):
                    entry.mesh_source = o.value[len(MESH) :]
                continue
            if not isinstance(o, NamedNode):
                continue
            if p == _RDF_TYPE:
                entry.concept = entry.concept or o.value == TERO_CONCEPT
                continue
            other = _tero_local(o.value)
            yso = o.value if o.value.startswith(YSO) else None
            if p == _SUBCLASS:
                if other is not None:
                    entry.supers.append(other)
                elif yso:
                    entry.yso_supers.append(yso)
            elif p == _EQUIVALENT:
                if other is not None:
                    entry.equivalents.append(other)
                elif yso:
                    entry.yso_equivalents.append(yso)
            elif p == _RELATED:
                if other is not None:
                    entry.related.append(other)
                elif yso:
                    entry.yso_related.append(yso)
    except SyntaxError as exc:
        raise InvalidRdf(
            f"{path} rad {exc.lineno}, kolumn {exc.offset}: {exc.msg}",
            f"{path} line {exc.lineno}, column {exc.offset}: {exc.msg}",
            file=str(path),
            line=exc.lineno,
            column=exc.offset,
        ) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRdf(
            f"{path} kan inte läsas: {exc}",
            f"{path} cannot be read: {exc}",
            file=str(path),
        ) from exc
    return entries, untagged


def _groups(entries: dict[str, _Entry], concepts: set[str]) -> dict[str, str]:
    """Union-find over TERO-internal owl:equivalentClass: concept → group representative."""
    parent = {c: c for c in concepts}

    def find(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for c in concepts:
        for other in entries[c].equivalents:
            if other in parent:
                a, b = find(c), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {c: find(c) for c in concepts}


def _ancestors(supers: dict[str, list[str]]) -> dict[str, set[str]]:
    """All broader concepts of each concept (a cycle is cut where it closes)."""
    memo: dict[str, set[str]] = {}

    def visit(node: str, path: frozenset[str]) -> set[str]:
        if node in memo:
            return memo[node]
        found: set[str] = set()
        for parent in supers.get(node, []):
            if parent not in path:
                found.add(parent)
                found |= visit(parent, path | {parent})
        memo[node] = found
        return found

    for node in supers:
        visit(node, frozenset({node}))
    return memo


def parse(path: Path, known: Known | None = None) -> ImportResult:
    """Parse ``tero.ttl`` into the ``ksv:tero`` scheme."""
    del known
    require_file(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    entries, untagged = _read(path)
    b = SchemeBuilder(SCHEME, info(f"sha256:{digest}"))
    mesh = NamedNode(KSV + "mesh/")

    labelled = {
        local
        for local, e in entries.items()
        if e.concept and any(lit.value.strip() for _, lit in e.labels)
    }
    skipped = sorted(local for local, e in entries.items() if e.concept and local not in labelled)
    if skipped:
        b.warnings.append(f"{len(skipped)} concepts without labels not created: {skipped}.")
    if untagged:
        b.warnings.append(f"{untagged} labels without a language tag were dropped.")

    supers: dict[str, list[str]] = {}
    for local in sorted(labelled):
        e = entries[local]
        b.concept(local)
        for predicate, lit in e.labels:
            language = lit.language or ""
            if predicate == _PREF:
                b.pref_label(local, lit.value, language)
            elif predicate == _ALT:
                b.alt_label(local, lit.value, language)
            else:
                b.hidden_label(local, lit.value, language)
        supers[local] = [s for s in dict.fromkeys(e.supers) if s in labelled and s != local]
        for parent in supers[local]:
            b.broader(local, parent)

    # MeSH: the descriptor a concept stands for (exact) or is a qualified split of (close).
    exact: dict[str, str] = {}
    close: dict[str, set[str]] = defaultdict(set)
    mismatched: list[str] = []
    for local in labelled:
        source = entries[local].mesh_source
        if _MESH_UI.fullmatch(local):
            exact[local] = local
            ui: str | None = local
        elif found := _MESH_SPLIT.fullmatch(local):
            ui = found[1]
            close[local].add(ui)
        else:
            ui = source if source and _MESH_UI.fullmatch(source) else None
            if ui:
                close[local].add(ui)
        if source and ui and source != ui:
            mismatched.append(f"{local} (dc:source {source})")
    if mismatched:
        b.warnings.append(
            f"dc:source names another MeSH descriptor than the IRI; the IRI was used: "
            f"{', '.join(sorted(mismatched))}."
        )
    group = _groups(entries, labelled)
    members: dict[str, list[str]] = defaultdict(list)
    for local, rep in group.items():
        members[rep].append(local)
    for local in labelled:
        for other in members[group[local]]:
            if other in exact and exact.get(local) != exact[other]:
                close[local].add(exact[other])

    ancestors = _ancestors(supers)
    dropped_related = 0
    for local in sorted(labelled):
        e = entries[local]
        if local in exact:
            b.link(local, EXACT_MATCH, NamedNode(mesh.value + exact[local]))
        for ui in sorted(close[local]):
            b.link(local, CLOSE_MATCH, NamedNode(mesh.value + ui))
        equivalents = set(e.yso_equivalents)
        for yso in sorted(equivalents):
            b.link(local, EXACT_MATCH, NamedNode(yso))
        for yso in sorted(set(e.yso_supers) - equivalents):
            b.link(local, BROAD_MATCH, NamedNode(yso))
        for yso in sorted(set(e.yso_related) - equivalents):
            b.link(local, RELATED_MATCH, NamedNode(yso))
        for other in e.related:
            if other not in labelled or other == local:
                continue
            if other in ancestors.get(local, set()) or local in ancestors.get(other, set()):
                dropped_related += 1
                continue
            b.link(local, RELATED, b.iri(other))
            b.link(other, RELATED, b.iri(local))
    if dropped_related:
        b.warnings.append(
            f"{dropped_related} tero-meta:related links between hierarchically related "
            "concepts were dropped (SKOS: related is disjoint with broaderTransitive)."
        )
    return b.build()


IMPORTER = TerminologyImporter(
    name=SCHEME,
    scheme=SCHEME,
    graph=SCHEME,
    location="tero/tero.ttl",
    parse=parse,
    title="TERO, Finnish Ontology of Health and Welfare (Finto)",
)
