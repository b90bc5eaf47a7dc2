"""The search-index seam and its first implementation.

``SearchIndex`` is what the service needs from a text index: rebuild it from documents, and
answer a query with ranked hits and facet counts. ``MemorySearchIndex`` keeps an inverted
index in memory; it is exact and instant at demo scale (hundreds to a few thousand items).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from service.search.analysis import normalise, tokens
from service.search.documents import SearchDocument
from service.search.facets import FACET_NAMES, NATIONAL

# How much a query word found in each field counts; the title wins (DOMAIN §6: staff scan
# titles first).
FIELD_WEIGHTS: dict[str, float] = {
    "title": 8.0,
    "alt_titles": 6.0,
    "subjects": 4.0,
    "summary": 2.0,
    "body": 1.0,
}
KIND_BOOST = {"product": 1.1, "recommendation": 1.05, "section": 1.0, "supplement": 1.0}
OVERDUE_FACTOR = 0.85


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # A region's context shows national content plus that region's supplements (DOMAIN R11).
    region: str | None = None
    offset: int = 0
    limit: int = 10
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True)
class SearchHit:
    document: SearchDocument
    score: float


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    # facet name -> value -> number of matching documents (counted with every other facet's
    # filter applied but not its own, so values of one facet can be combined with OR).
    facets: dict[str, dict[str, int]]


class SearchIndex(Protocol):
    def rebuild(self, documents: Sequence[SearchDocument]) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def document_count(self) -> int: ...


class MemorySearchIndex:
    """An in-memory inverted index over the public documents, with prefix matching."""

    def __init__(self) -> None:
        self._docs: list[SearchDocument] = []
        # field -> token -> document positions
        self._postings: dict[str, dict[str, set[int]]] = {}
        self._vocabulary: list[str] = []
        self._title_norm: list[str] = []

    def rebuild(self, documents: Sequence[SearchDocument]) -> None:
        docs = [d for d in documents if d.public]
        postings: dict[str, dict[str, set[int]]] = {f: defaultdict(set) for f in FIELD_WEIGHTS}
        for pos, doc in enumerate(docs):
            for name, text in _fields(doc):
                for token in tokens(text):
                    postings[name][token].add(pos)
        self._docs = docs
        self._postings = {f: dict(p) for f, p in postings.items()}
        self._vocabulary = sorted({t for p in self._postings.values() for t in p})
        self._title_norm = [normalise(d.title) for d in docs]

    def document_count(self) -> int:
        return len(self._docs)

    def _expand(self, word: str) -> list[str]:
        """Index tokens that start with ``word`` (a cheap stand-in for stemming)."""
        start = bisect.bisect_left(self._vocabulary, word)
        found: list[str] = []
        for token in self._vocabulary[start:]:
            if not token.startswith(word):
                break
            found.append(token)
        return found

    def _scores(self, text: str) -> dict[int, float] | None:
        """Score of every document matching all words; None for an empty query (all match)."""
        words = tokens(text)
        if not words:
            return None
        scores: dict[int, float] | None = None
        for word in words:
            word_scores: dict[int, float] = defaultdict(float)
            for token in self._expand(word):
                exact = 1.0 if token == word else 0.7
                for name, weight in FIELD_WEIGHTS.items():
                    for pos in self._postings[name].get(token, ()):
                        word_scores[pos] = max(word_scores[pos], weight * exact)
            if scores is None:
                scores = dict(word_scores)
            else:
                scores = {p: s + word_scores[p] for p, s in scores.items() if p in word_scores}
            if not scores:
                return {}
        assert scores is not None
        phrase = normalise(text.strip())
        for pos in scores:
            if self._title_norm[pos] == phrase:
                scores[pos] += 20.0
            elif self._title_norm[pos].startswith(phrase):
                scores[pos] += 8.0
        return scores

    def search(self, query: SearchQuery) -> SearchResult:
        scores = self._scores(query.text)
        candidates = range(len(self._docs)) if scores is None else scores.keys()
        in_context = [p for p in candidates if _in_region(self._docs[p], query.region)]

        def passes(pos: int, skip: str | None = None) -> bool:
            doc = self._docs[pos]
            for name, wanted in query.filters.items():
                if name != skip and wanted and not wanted.intersection(doc.facets.get(name, ())):
                    return False
            return True

        matching = [p for p in in_context if passes(p)]
        facets: dict[str, dict[str, int]] = {}
        for name in FACET_NAMES:
            counts: Counter[str] = Counter()
            for pos in in_context:
                if passes(pos, skip=name):
                    counts.update(self._docs[pos].facets.get(name, ()))
            facets[name] = dict(counts.most_common())

        def rank(pos: int) -> tuple[float, str]:
            doc = self._docs[pos]
            score = (scores or {}).get(pos, 1.0) * KIND_BOOST.get(doc.kind, 1.0)
            if doc.review_status(query.today) == "granskning-forsenad":
                score *= OVERDUE_FACTOR
            return (-score, doc.title)

        ordered = sorted(matching, key=rank)
        page = ordered[query.offset : query.offset + query.limit]
        return SearchResult(
            total=len(ordered),
            hits=[SearchHit(self._docs[p], -rank(p)[0]) for p in page],
            facets=facets,
        )


def _in_region(doc: SearchDocument, region: str | None) -> bool:
    regions = doc.facets.get("region", (NATIONAL,))
    if region is None:
        return True
    return NATIONAL in regions or region in regions


def _fields(doc: SearchDocument) -> Iterable[tuple[str, str]]:
    yield "title", doc.title
    yield "alt_titles", " ".join(doc.alt_titles)
    yield "subjects", doc.subject_text
    yield "summary", doc.summary
    yield "body", doc.body
