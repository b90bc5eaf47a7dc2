"""What anonymous readers (public SPARQL, the Graph Store Protocol, linked data) may see.

The declarative model (ontology, vocabularies, shapes, register) is public; a source's graph is
public while its approval in force has a public status (DOMAIN R2); and of a public source
whose integration level does not allow showing text (DOMAIN 3.8: below ``fulltext-visning``)
the text properties (body, rationale, practical advice) are withheld, as on item pages. This
is the one place that decides it: change ``visible_graphs`` (e.g. for suspended sources) or
``public_view`` and every public reader follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import NamedNode, Quad

from service.queries import load_query
from service.store.base import Store
from service.terms import (
    GRAPH_ONTOLOGY,
    GRAPH_REGISTER,
    GRAPH_SHAPES,
    KSG,
    PUBLIC_APPROVAL_STATUSES,
    concept,
    ks,
    source_graph,
)

PUBLIC_STATUSES = {concept("approval-status", s) for s in PUBLIC_APPROVAL_STATUSES}
# Integration levels at which a source's text may be shown (as service.items.TEXT_LEVELS).
TEXT_LEVELS = {concept("integration-level", "fulltext-visning")}
TEXT_PROPERTIES = frozenset({ks("body"), ks("rationale"), ks("practicalAdvice")})


def _public_sources(store: Store) -> dict[str, bool]:
    """Key → whether its text may be shown, for every source whose content is public now."""
    public: dict[str, bool] = {}
    for row in store.select(load_query("public-sources")):
        if "key" in row and row.get("status") in PUBLIC_STATUSES:
            key = row["key"].value
            public[key] = public.get(key, False) or row.get("level") in TEXT_LEVELS
    return public


def public_source_keys(store: Store) -> set[str]:
    """Keys of the sources whose content is public now."""
    return set(_public_sources(store))


def visible_graphs(store: Store) -> list[NamedNode]:
    """The named graphs anonymous readers see, sorted.

    >>> from service.store import OxigraphStore
    >>> visible_graphs(OxigraphStore())
    []
    """
    public = {source_graph(key) for key in public_source_keys(store)}
    model = {GRAPH_ONTOLOGY, GRAPH_SHAPES, GRAPH_REGISTER}
    return [
        g
        for g in store.named_graphs()
        if g in model or g in public or g.value.startswith(KSG + "vocab/")
    ]


@dataclass(frozen=True)
class PublicView:
    """The visible graphs, and those of them whose text properties are withheld."""

    graphs: list[NamedNode]
    text_withheld: frozenset[NamedNode]

    def shows(self, quad: Quad) -> bool:
        return quad.graph_name in self.graphs and not (
            quad.predicate in TEXT_PROPERTIES and quad.graph_name in self.text_withheld
        )

    def quads(self, store: Store, graph: NamedNode) -> Iterator[Quad]:
        """The public quads of one visible graph."""
        withheld = graph in self.text_withheld
        for quad in store.quads(graph):
            if not (withheld and quad.predicate in TEXT_PROPERTIES):
                yield quad


def public_view(store: Store) -> PublicView:
    """What anonymous readers see now (``visible_graphs`` plus the text rule)."""
    graphs = visible_graphs(store)
    hidden = {source_graph(k) for k, text in _public_sources(store).items() if not text}
    return PublicView(graphs, frozenset(g for g in graphs if g in hidden))
