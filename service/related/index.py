"""The related-content index: everything ``related()`` and the concept pages need, built once
when the service refreshes so that a request only does a sparse dot product and a re-ranking.

What is precomputed, and why:

* **Explicit relations** (``ks:isBasedOn``, ``ks:supplements``, ``ks:seeAlso`` …) as adjacency
  lists, with inverses added from the ontology (``owl:inverseOf``, symmetric properties), so
  stored data may carry one direction only.
* **The concept hierarchy** as a networkx ``DiGraph`` (child → broader). Ancestors with their
  distance are a whole-graph traversal (ICD-10 and MeSH are DAGs with several parents per
  code); networkx does it once per refresh and also gives the shortest path through the
  shared ancestor that explains a hierarchy match.
* **Concept specificity**: an IDF over the hierarchy, ``ln((N+1)/(df+1))`` where ``df`` counts
  the public items tagged with the concept *or any narrower concept* (the information content
  of Resnik similarity). A rare ICD-10 code weighs more than its chapter, and far more than
  the patient group "vuxna".
* **Item profiles** as a scipy CSR matrix (items × concepts): an item's own concepts with
  weight 1 and their ancestors with ``0.5 ** distance``, so J45.0 and J45.1 meet at J45. The
  relatedness of two items is the specificity-weighted cosine of their profiles; one row
  against all items is a sparse product (≈ 3 ms at 100k items, ../shared/MEASUREMENTS.md §5).

Personalized PageRank over the item–concept graph was considered and left out: at 100k items it
costs ≈ 1 s per item with networkx, so precomputing it for every item would take about a day,
and per request it is far over budget. The weighted cosine above captures the same one- and
two-step neighbourhood (shared concepts, shared ancestors) at a fraction of the cost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from service.queries import load_query
from service.search.documents import SearchDocument
from service.search.facets import NATIONAL
from service.store.base import Store
from service.terms import KSV
from service.vocabulary import Vocabulary

# How much a shared concept says about two items being related, by the property that tags
# them: codes (ICD-10, ATC, MeSH …) name the topic; a knowledge area or patient group only
# narrows it. Audience and content type are not topics (they weigh nothing; they stay in the
# index for the concept pages).
SUBJECT_FACTOR = 1.0
FACET_CONCEPTS: dict[str, tuple[str, float]] = {
    "knowledgeArea": ("knowledge-area", 0.4),
    "patientGroup": ("patient-group", 0.25),
    "careSetting": ("care-setting", 0.25),
    "audience": ("audience", 0.0),
    "contentType": ("content-type", 0.0),
}
# Ancestors further up than this add nothing to a profile (0.5 ** 4 is noise next to an own
# concept) but still count for concept pages.
PROFILE_DEPTH = 3
ANCESTOR_DECAY = 0.5

# Relations not offered as "related": parts are listed on the item page itself, and a
# conflict flag is an editorial review signal, not a reading suggestion.
EXCLUDED_RELATIONS = frozenset({"hasPart", "conflictsWith"})
# Inverses the ontology does not name, so that a FASS text or a cited report relates back.
EXTRA_INVERSES = {
    "hasProductInformation": "isProductInformationFor",
    "references": "isReferencedBy",
}
SUPPLEMENT_RELATION = "hasRegionalSupplement"


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def concept_id(iri: str) -> str | None:
    """The API id ``<scheme>:<notation>`` of one of our concepts, None for another IRI."""
    if not iri.startswith(KSV):
        return None
    scheme, _, local = iri[len(KSV) :].partition("/")
    return f"{scheme}:{local}" if scheme and local else None


@dataclass(frozen=True)
class RelationType:
    key: str  # the property's local name as seen from the item: isBasedOn, isBasisFor …
    sv: str
    en: str
    concept: str | None  # id of the ksv:relation-type concept, e.g. relation-type:is-based-on


@dataclass
class Hierarchy:
    """The SKOS hierarchy with each concept's ancestors and their distance."""

    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    ancestors: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store) -> Hierarchy:
        graph = nx.DiGraph()
        for row in store.select(load_query("related-concept-hierarchy")):
            child, parent = row["concept"].value, row["broader"].value
            if child != parent:
                graph.add_edge(child, parent)
        return cls(graph)

    def up(self, concept: str) -> dict[str, int]:
        """Every ancestor of ``concept`` (itself at 0) with its shortest distance."""
        found = self.ancestors.get(concept)
        if found is None:
            if concept in self.graph:
                # BFS up the broader edges; tolerant of cycles in imported data.
                found = dict(nx.single_source_shortest_path_length(self.graph, concept))
            else:
                found = {concept: 0}
            self.ancestors[concept] = found
        return found

    def path(self, start: str, ancestor: str) -> list[str]:
        if start == ancestor:
            return [start]
        path: list[str] = nx.shortest_path(self.graph, start, ancestor)
        return path


@dataclass
class RelatedIndex:
    """Read-only after ``build``; a refresh builds a new one and swaps it in."""

    docs: list[SearchDocument]
    pos: dict[str, int]
    root: NDArray[np.int32]
    source: NDArray[np.int32]
    content_type: NDArray[np.int32]
    # region code per item: -1 national, otherwise an index into ``regions``
    region: NDArray[np.int32]
    regions: dict[str, int]
    supplement: NDArray[np.bool_]
    edges: dict[int, list[tuple[int, str]]]
    # item -> supplements attached to it or to any of its parts: (supplement, attached to)
    supplements_of: dict[int, list[tuple[int, int]]]
    relation_types: dict[str, RelationType]
    concepts: list[str]
    concept_pos: dict[str, int]
    # items × concepts: 1 where the item is tagged with a weighted concept
    own: sparse.csr_matrix
    profile: sparse.csr_matrix
    profile_t: sparse.csr_matrix
    weight: NDArray[np.float64]
    norm: NDArray[np.float64]
    subject_concepts: NDArray[np.bool_]
    hierarchy: Hierarchy
    vocabulary: Vocabulary
    source_titles: dict[str, tuple[str, str]]

    def __len__(self) -> int:
        return len(self.docs)

    def own_row(self, item: int) -> set[int]:
        """The weighted concepts the item is tagged with (columns)."""
        start, end = self.own.indptr[item], self.own.indptr[item + 1]
        return set(self.own.indices[start:end].tolist())

    def profile_row(self, item: int) -> dict[int, float]:
        """The item's profile: concept column -> 1 for own concepts, 0.5 ** distance for
        ancestors (read straight from the CSR arrays; scipy's getrow is slow per call)."""
        start, end = self.profile.indptr[item], self.profile.indptr[item + 1]
        return dict(
            zip(
                self.profile.indices[start:end].tolist(),
                self.profile.data[start:end].tolist(),
                strict=True,
            )
        )


def _codes(values: list[str]) -> tuple[NDArray[np.int32], dict[str, int]]:
    table: dict[str, int] = {}
    codes = np.array([table.setdefault(v, len(table)) for v in values], dtype=np.int32)
    return codes, table


def build_index(
    store: Store,
    documents: Mapping[str, SearchDocument],
    vocabulary: Vocabulary,
    hierarchy: Hierarchy | None = None,
) -> RelatedIndex:
    """Build the index over the public documents. Pass the previous ``hierarchy`` to reuse it
    when the vocabularies did not change (content writes)."""
    hierarchy = hierarchy or Hierarchy.from_store(store)
    # A snapshot: the search service updates its documents in place after writes.
    docs = sorted((d for d in list(documents.values()) if d.public), key=lambda d: d.identifier)
    pos = {d.identifier: i for i, d in enumerate(docs)}
    by_iri = {d.iri: i for i, d in enumerate(docs)}
    n = len(docs)

    root = np.array([pos.get(d.product or "", i) for i, d in enumerate(docs)], dtype=np.int32)
    source, _ = _codes([d.source_key for d in docs])
    content_type, _ = _codes([(d.facets.get("contentType") or ("",))[0] for d in docs])
    regions: dict[str, int] = {}
    region_values = []
    for d in docs:
        values = d.facets.get("region", (NATIONAL,))
        local = [r for r in values if r != NATIONAL]
        region_values.append(
            -1 if NATIONAL in values or not local else regions.setdefault(local[0], len(regions))
        )
    region = np.array(region_values, dtype=np.int32)
    supplement = np.array([d.kind == "supplement" for d in docs], dtype=np.bool_)

    relation_types, inverse = _relation_types(store)
    edges = _edges(store, by_iri, inverse)
    supplements_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, out in edges.items():
        for j, key in out:
            if key == SUPPLEMENT_RELATION:
                supplements_of[i].append((j, i))
                if root[i] != i:
                    supplements_of[int(root[i])].append((j, i))

    # The item–concept graph, read from the search documents (whose facets parts already
    # inherit from their product; subject codes are inherited here the same way).
    concept_pos: dict[str, int] = {}
    used_factor: list[float] = []
    used_subject: set[int] = set()
    o_rows: list[int] = []
    o_cols: list[int] = []
    facet_concepts = [
        (facet, f"{KSV}{scheme}/", f) for facet, (scheme, f) in FACET_CONCEPTS.items()
    ]

    def column(iri: str, f: float) -> int:
        col = concept_pos.get(iri)
        if col is None:
            col = concept_pos[iri] = len(concept_pos)
            used_factor.append(f)
        return col

    for i, d in enumerate(docs):
        codes = d.subjects or docs[int(root[i])].subjects
        cols = [column(iri, SUBJECT_FACTOR) for iri in codes]
        used_subject.update(cols)
        for facet, prefix, f in facet_concepts:
            cols += [column(prefix + v, f) for v in d.facets.get(facet, ())]
        o_rows += [i] * len(cols)
        o_cols += cols

    # Concept × ancestor matrices from the hierarchy: one BFS per concept in use, not per item.
    a_rows: list[int] = []
    a_cols: list[int] = []
    a_decay: list[float] = []
    factor: dict[int, float] = defaultdict(float)
    subject_cols: set[int] = set()
    for iri, col in list(concept_pos.items()):
        if col >= len(used_factor):
            break  # an ancestor added below, not a concept items are tagged with
        for ancestor, dist in hierarchy.up(iri).items():
            anc = concept_pos.setdefault(ancestor, len(concept_pos))
            a_rows.append(col)
            a_cols.append(anc)
            a_decay.append(ANCESTOR_DECAY**dist if dist <= PROFILE_DEPTH else 0.0)
            if dist <= PROFILE_DEPTH:
                factor[anc] = max(factor[anc], used_factor[col])
                if col in used_subject:
                    subject_cols.add(anc)
    c = len(concept_pos)
    scored = np.array(used_factor) > 0
    tagged = sparse.csr_matrix((scored[o_cols].astype(np.float64), (o_rows, o_cols)), shape=(n, c))
    tagged.sum_duplicates()
    up_all = sparse.csr_matrix((np.ones(len(a_rows)), (a_rows, a_cols)), shape=(c, c))
    up_decay = sparse.csr_matrix((np.array(a_decay), (a_rows, a_cols)), shape=(c, c))
    up_decay.eliminate_zeros()
    # Document frequency with narrower concepts included: an item counts for every ancestor
    # of every concept it is tagged with.
    every = sparse.csr_matrix((np.ones(len(o_rows)), (o_rows, o_cols)), shape=(n, c))
    membership = (every @ up_all).tocsc()
    df = np.diff(membership.indptr).astype(np.float64)
    idf = np.log((n + 1) / (df + 1))
    weight = idf * np.array([factor.get(k, 0.0) for k in range(c)], dtype=np.float64)
    own = tagged.copy()
    own.data = (own.data > 0).astype(np.float64)
    own.eliminate_zeros()
    # Two codes under one parent add up there (J45.0 and J45.1 give J45 weight 1).
    profile = (tagged @ up_decay).tocsr()
    profile.data = np.minimum(profile.data, 1.0)
    norm = np.asarray(profile.multiply(profile) @ weight).ravel()
    subject_concepts = np.zeros(c, dtype=np.bool_)
    subject_concepts[list(subject_cols)] = True

    return RelatedIndex(
        docs=docs,
        pos=pos,
        root=root,
        source=source,
        content_type=content_type,
        region=region,
        regions=regions,
        supplement=supplement,
        edges=dict(edges),
        supplements_of=dict(supplements_of),
        relation_types=relation_types,
        concepts=list(concept_pos),
        concept_pos=concept_pos,
        own=own,
        profile=profile,
        profile_t=profile.T.tocsr(),
        weight=weight,
        norm=norm,
        subject_concepts=subject_concepts,
        hierarchy=hierarchy,
        vocabulary=vocabulary,
        source_titles=_source_titles(store),
    )


def _relation_types(store: Store) -> tuple[dict[str, RelationType], dict[str, str]]:
    types: dict[str, RelationType] = {}
    inverse: dict[str, str] = {}
    concept_of: dict[str, str] = {}
    rows = store.select(load_query("related-relation-properties"))
    for row in rows:
        key = _local(row["property"].value)
        if "relationType" in row:
            concept_of[key] = concept_id(row["relationType"].value) or ""
        if "inverse" in row:
            inverse[key] = _local(row["inverse"].value)
        if "symmetric" in row:
            inverse[key] = key
    for row in rows:
        key = _local(row["property"].value)
        sv = row["sv"].value if "sv" in row else key
        en = row["en"].value if "en" in row else key
        concept = concept_of.get(key) or concept_of.get(inverse.get(key, "")) or None
        types[key] = RelationType(key, sv, en, concept)
    extra_labels = {
        "isProductInformationFor": ("är produktinformation för", "is product information for"),
        "isReferencedBy": ("refereras av", "is referenced by"),
    }
    for key, inv in EXTRA_INVERSES.items():
        if key in types and key not in inverse:
            inverse[key] = inv
            sv, en = extra_labels[inv]
            types[inv] = RelationType(inv, sv, en, types[key].concept)
    return types, inverse


def _edges(
    store: Store, by_iri: Mapping[str, int], inverse: Mapping[str, str]
) -> dict[int, list[tuple[int, str]]]:
    seen: set[tuple[int, int, str]] = set()
    for row in store.select(load_query("related-edges")):
        i, j = by_iri.get(row["item"].value), by_iri.get(row["target"].value)
        if i is None or j is None or i == j:
            continue  # one end is not public (unapproved source, withdrawn, replaced …)
        key = _local(row["property"].value)
        seen.add((i, j, key))
        if key in inverse:
            seen.add((j, i, inverse[key]))
    edges: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for i, j, key in sorted(seen):
        if key not in EXCLUDED_RELATIONS:
            edges[i].append((j, key))
    return edges


def _source_titles(store: Store) -> dict[str, tuple[str, str]]:
    titles: dict[str, tuple[str, str]] = {}
    for row in store.select(load_query("related-source-titles")):
        key = row["key"].value
        sv = row["sv"].value if "sv" in row else key
        titles[key] = (sv, row["en"].value if "en" in row else sv)
    return titles


def specificity(index: RelatedIndex, iri: str) -> float:
    """The concept's weight in relatedness (0 when no public item uses it)."""
    col = index.concept_pos.get(iri)
    return 0.0 if col is None else float(index.weight[col])
