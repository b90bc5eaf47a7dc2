"""Related content for one item: explicit relations, shared concepts weighted by specificity,
closeness in the concept hierarchy, re-ranked for diversity, each with its ``why``."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

import numpy as np

from service.errors import InvalidParameter, NotFound
from service.related.explain import Reason, explain
from service.related.index import SUPPLEMENT_RELATION, Hierarchy, RelatedIndex, build_index
from service.search import SearchQuery, SearchService
from service.store.base import Store

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
SPARE = 3

# How strongly each explicit relation says "read this too" (1 = as strong as it gets); a
# relation reached indirectly is damped by the factors below.
RELATION_WEIGHTS: dict[str, float] = {
    "isPartOf": 0.9,
    "supplements": 1.0,
    "hasRegionalSupplement": 1.0,
    "isBasedOn": 1.0,
    "isBasisFor": 0.9,
    "implements": 1.0,
    "isImplementedBy": 0.9,
    "hasPatientInformation": 1.0,
    "isPatientInformationFor": 1.0,
    "hasProductInformation": 0.9,
    "isProductInformationFor": 0.8,
    "replaces": 0.8,
    "isReplacedBy": 1.0,
    "seeAlso": 1.0,
    "references": 0.7,
    "isReferencedBy": 0.6,
}
VIA_PRODUCT = 0.6  # a relation of the product a section belongs to
VIA_PART = 0.9  # a supplement written to one of the item's own parts
VIA_NEIGHBOUR = 0.6  # a supplement of an explicitly related item
# Concept candidates considered next to the explicit ones, per requested result.
POOL_PER_RESULT = 4
MIN_POOL = 30
# Below this weighted cosine, shared concepts alone are too generic to suggest an item
# (two items that only share "primärvård" and "vuxna").
MIN_CONCEPT_SCORE = 0.1
# Concepts weighing less than this share of the item's strongest concept do not propose
# candidates (the candidates are then scored with every concept).
PRUNE = 0.25
# Maximal marginal relevance: 1 = relevance only, 0 = diversity only.
MMR_LAMBDA = 0.7


def _not_found(identifier: str) -> NotFound:
    return NotFound(
        f"Det finns inget publicerat innehåll med id '{identifier}'.",
        f"There is no published item with id '{identifier}'.",
        id=identifier,
    )


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter(
            f"limit ska vara mellan 1 och {MAX_LIMIT}.",
            f"limit must be between 1 and {MAX_LIMIT}.",
            parameter="limit",
            minimum=1,
            maximum=MAX_LIMIT,
        )


class RelatedService:
    """Related content over the search service's public documents. ``refresh(store)`` must
    run after the search service's refresh (it reads its documents and vocabulary)."""

    def __init__(self, search: SearchService) -> None:
        self.search = search
        self.index: RelatedIndex | None = None
        self._pending: Store | None = None
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

    def refresh(self, store: Store) -> None:
        """Rebuild the index now (start-up, full reloads); requests keep using the previous
        one until the new one is swapped in."""
        old = self.index
        # The hierarchy depends on the vocabularies only; a content write keeps them.
        hierarchy: Hierarchy | None = None
        if old is not None and old.vocabulary is self.search.vocabulary:
            hierarchy = old.hierarchy
        self.index = build_index(
            store, self.search.documents, self.search.vocabulary, hierarchy=hierarchy
        )

    def refresh_soon(self, store: Store) -> None:
        """Rebuild in a background thread, after a content write: at 100,000 items a rebuild
        takes seconds, which a push should not wait for. Writes that arrive during a rebuild
        are folded into one more rebuild. Until it is done, ``related()`` still drops items
        that stopped being public (it checks the search service's live documents)."""
        with self._lock:
            self._pending = store
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._drain, name="related-refresh", daemon=True
                )
                self._worker.start()

    def wait(self, timeout: float | None = None) -> None:
        """Block until background rebuilds are done (tests, benchmarks, shutdown)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _drain(self) -> None:
        while True:
            with self._lock:
                store, self._pending = self._pending, None
                if store is None:
                    self._worker = None
                    return
            try:
                self.refresh(store)
            except Exception:  # keep serving the previous index; the next write retries
                log.exception("rebuilding the related-content index failed")

    def current(self) -> RelatedIndex:
        if self.index is None:
            raise RuntimeError("RelatedService.refresh(store) has not run")
        return self.index

    def related(
        self,
        identifier: str,
        *,
        region: str | None = None,
        limit: int = DEFAULT_LIMIT,
        today: dt.date | None = None,
    ) -> dict[str, Any]:
        """The API's related response for one public item."""
        check_limit(limit)
        if region is not None:
            self.search.validate(SearchQuery(region=region))
        index = self.current()
        live = self.search.documents
        item = index.pos.get(identifier)
        current = live.get(identifier)
        if item is None or current is None or not current.public:
            raise _not_found(identifier)
        today = today or dt.date.today()
        # A few spare results stand in for items withdrawn since the last rebuild.
        ranked = rank(index, item, region=region, limit=limit + SPARE)
        shown = []
        for c, score, reasons in ranked:
            doc = live.get(index.docs[c].identifier)
            if doc is None or not doc.public:
                continue
            shown.append(
                self.search.summary(doc, today)
                | {"why": explain(index, item, c, reasons), "score": round(score, 3)}
            )
            if len(shown) == limit:
                break
        return {"item": identifier, "region": region, "related": shown}


def _explicit(index: RelatedIndex, item: int) -> dict[int, list[Reason]]:
    """Candidates reached through explicit relations, with every reason found."""
    found: dict[int, list[Reason]] = {}

    def add(target: int, key: str, factor: float, via: int | None) -> None:
        if target == item:
            return
        weight = RELATION_WEIGHTS.get(key, 0.5) * factor
        reasons = found.setdefault(target, [])
        for k, r in enumerate(reasons):
            if r.key == key:
                if weight > r.weight:
                    reasons[k] = Reason(key, weight, via)
                return
        reasons.append(Reason(key, weight, via))

    direct = index.edges.get(item, [])
    for target, key in direct:
        add(target, key, 1.0, None)
    for supplement, attached in index.supplements_of.get(item, []):
        add(supplement, SUPPLEMENT_RELATION, 1.0 if attached == item else VIA_PART, attached)
    product = int(index.root[item])
    if product != item:
        for target, key in index.edges.get(product, []):
            add(target, key, VIA_PRODUCT, product)
        for supplement, attached in index.supplements_of.get(product, []):
            add(supplement, SUPPLEMENT_RELATION, VIA_PRODUCT, attached)
    for neighbour, key in direct:
        if key in ("supplements", SUPPLEMENT_RELATION):
            continue
        for supplement, attached in index.supplements_of.get(neighbour, []):
            add(supplement, SUPPLEMENT_RELATION, VIA_NEIGHBOUR, attached)
    for reasons in found.values():
        # A supplement attached right here needs no "via".
        for k, r in enumerate(reasons):
            if r.key == SUPPLEMENT_RELATION and r.via == item:
                reasons[k] = Reason(r.key, r.weight, None)
    return found


def concept_scores(
    index: RelatedIndex, item: int, *, prune: float = 0.0
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Specificity-weighted cosine between the item's concept profile and the profiles of the
    items sharing a concept with it: (item positions, ascending; scores).

    Only the rows of the transposed profile matrix for this item's concepts are touched, so the
    cost grows with how many items share them, not with the corpus. With ``prune``, concepts
    weighing less than that share of the item's strongest one (``vuxna`` next to an ICD-10
    code) are left out: they touch many items and barely move a score (``rank`` rescores its
    candidates exactly)."""
    start, end = index.profile.indptr[item], index.profile.indptr[item + 1]
    columns = index.profile.indices[start:end]
    values = index.profile.data[start:end] * index.weight[columns]
    if len(values) == 0 or values.max() <= 0 or index.norm[item] <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    keep = values >= prune * values.max()
    dots = np.asarray(index.profile_t[columns[keep]].T @ values[keep]).ravel()
    touched = np.flatnonzero(dots)
    scores = dots[touched] / np.sqrt(index.norm[touched] * index.norm[item])
    return touched, scores


def exact_scores(index: RelatedIndex, item: int, candidates: list[int]) -> dict[int, float]:
    """The full weighted cosine for a few candidates, row by row."""
    mine = {c: v * float(index.weight[c]) for c, v in index.profile_row(item).items()}
    if index.norm[item] <= 0:
        return dict.fromkeys(candidates, 0.0)
    found: dict[int, float] = {}
    for c in candidates:
        dot = sum(mine.get(col, 0.0) * v for col, v in index.profile_row(c).items())
        norm = float(index.norm[c] * index.norm[item])
        found[c] = dot / norm**0.5 if norm > 0 else 0.0
    return found


def rank(
    index: RelatedIndex, item: int, *, region: str | None, limit: int
) -> list[tuple[int, float, list[Reason]]]:
    """(candidate, relevance, explicit reasons) in display order."""
    explicit = _explicit(index, item)
    touched, scores = concept_scores(index, item, prune=PRUNE)
    code = index.regions.get(region or "", -2)

    def in_region(positions: np.ndarray[Any, np.dtype[np.int64]]) -> np.ndarray[Any, Any]:
        regions = index.region[positions]
        inside: np.ndarray[Any, Any] = (
            (regions == -1) | (regions == code) if region is not None else regions > -2
        )
        return inside

    # Concept candidates: not the item, not another part of the same product (those are on
    # the item's own page and would crowd the list), in the region's context.
    ok = (
        (scores >= MIN_CONCEPT_SCORE / 2)  # pruned scores are lower bounds
        & (touched != item)
        & (index.root[touched] != index.root[item])
        & in_region(touched)
    )
    found = np.flatnonzero(ok)
    pool = max(MIN_POOL, POOL_PER_RESULT * limit)
    if len(found) > pool:
        found = found[np.argpartition(-scores[found], pool)[:pool]]
    candidates = set(touched[found].tolist())
    # Explicit relations survive the same-product rule (a section's product), not the region.
    targets = np.array(sorted(explicit), dtype=np.int64)
    if len(targets):
        candidates.update(targets[in_region(targets)].tolist())

    exact = exact_scores(index, item, sorted(candidates))
    relevance = {
        c: max((r.weight for r in explicit.get(c, [])), default=0.0) + exact[c]
        for c in candidates
        if c in explicit or exact[c] >= MIN_CONCEPT_SCORE
    }
    chosen = _mmr(index, relevance, limit)
    if region is not None:
        # That region's supplements first (DOMAIN R11), otherwise in MMR order.
        chosen.sort(key=lambda c: not (index.supplement[c] and index.region[c] == code))
    return [(c, relevance[c], explicit.get(c, [])) for c in chosen]


def _mmr(index: RelatedIndex, relevance: dict[int, float], limit: int) -> list[int]:
    """Maximal marginal relevance re-ranking (Carbonell & Goldstein 1998): each pick trades
    relevance against similarity to what is already picked (same document 0.6, same source
    0.25, same content type 0.15), so the list spans sources and content types instead of
    five sections of one document."""
    if not relevance:
        return []
    pool = np.array(
        sorted(relevance, key=lambda c: (-relevance[c], index.docs[c].identifier)), dtype=np.int64
    )
    gain = np.array([relevance[int(c)] for c in pool], dtype=np.float64)
    gain = MMR_LAMBDA * gain / (gain.max() or 1.0)
    roots, sources, types = index.root[pool], index.source[pool], index.content_type[pool]
    redundancy = np.zeros(len(pool), dtype=np.float64)
    open_ = np.ones(len(pool), dtype=np.bool_)
    chosen: list[int] = []
    while len(chosen) < min(limit, len(pool)):
        # argmax keeps the first of equal values: the pool is sorted by relevance, then id.
        k = int(np.argmax(np.where(open_, gain - (1 - MMR_LAMBDA) * redundancy, -np.inf)))
        open_[k] = False
        chosen.append(int(pool[k]))
        similarity = (
            0.6 * (roots == roots[k]) + 0.25 * (sources == sources[k]) + 0.15 * (types == types[k])
        )
        np.maximum(redundancy, similarity, out=redundancy)
    return chosen
