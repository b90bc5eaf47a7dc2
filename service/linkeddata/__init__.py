"""Linked data: what an identifier of ours says about itself, and the dataset's VoID/DCAT.

Every item (``/id/item/<source>/<local>``), source (``/id/source/<key>``), agent, licence,
concept (``/vocab/<scheme>/<notation>``), concept scheme (``/vocab/<scheme>``) and ontology
term (``/ont/<term>``) is an HTTP IRI under ``Settings.base_iri``. ``describe_resource`` gives
the triples behind one of them: its own statements in the public graphs (our data names its
nodes, it has no blank nodes), and the labels of what they point at, so a reader needs no
second request to show names. The API turns them into HTML, Turtle, JSON-LD, N-Triples or RDF/XML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Quad, Triple

from service.errors import NotFound
from service.sparql.visibility import PublicView
from service.store.base import Store
from service.terms import KS, SKOS

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABEL_PROPERTIES = (SKOS + "prefLabel", KS + "title", KS + "name", RDFS_LABEL)
# Paths under the base IRI that name resources (everything else is not ours to describe).
RESOURCE_PREFIXES = ("id/", "vocab/", "ont/")


@dataclass
class Description:
    """One resource: its triples, and the labels of the IRIs they mention (for display)."""

    iri: NamedNode
    triples: list[Triple]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # IRI → language → label

    def label(self, iri: str, language: str = "sv") -> str | None:
        by_language = self.labels.get(iri, {})
        return by_language.get(language) or by_language.get("en") or by_language.get("")


def iri_for_path(path: str, base_iri: str) -> NamedNode:
    """The IRI a request path names: ``/id/item/nkk/x`` → ``<base>id/item/nkk/x``."""
    local = path.lstrip("/")
    if not local.startswith(RESOURCE_PREFIXES) or any(c in local for c in '<>"{}|\\^` '):
        raise _not_found(base_iri + local)
    return NamedNode(base_iri + local)


def _not_found(iri: str) -> NotFound:
    return NotFound(
        f"Det finns inget publikt om {iri}.",
        f"Nothing public is known about {iri}.",
        iri=iri,
    )


def _in(quads: Iterable[Quad], view: PublicView) -> list[Triple]:
    return [q.triple for q in quads if view.shows(q)]


def describe_resource(store: Store, iri: NamedNode, view: PublicView) -> Description:
    """What the public graphs say about ``iri`` (raises ``NotFound`` when nothing)."""
    triples = _in(store.describe([iri]), view)
    if not triples:
        raise _not_found(iri.value)
    mentioned = {t.object for t in triples if isinstance(t.object, NamedNode)}
    mentioned |= {t.predicate for t in triples}
    labels: dict[str, dict[str, str]] = {}
    label_properties = {NamedNode(p) for p in LABEL_PROPERTIES}
    for triple in _in(store.describe(sorted(mentioned | {iri}, key=str)), view):
        if (
            triple.predicate in label_properties
            and isinstance(triple.object, Literal)
            and isinstance(triple.subject, NamedNode)
        ):
            language = triple.object.language or ""
            labels.setdefault(triple.subject.value, {}).setdefault(language, triple.object.value)
    return Description(iri, triples, labels)
