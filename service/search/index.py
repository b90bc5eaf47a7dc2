"""The search-index seam: what the service needs from a text index, and the types it speaks.

An index holds ``IndexDocument``s (public items only, flattened by ``projection``), keeps them
in step with the store (``sync``, ``upsert``, ``delete``; each document carries a fingerprint
so drift can be found), and answers a ``QueryPlan`` with filters: the total, the best
candidates with scores, and facet counts where each facet's counts ignore its own filter.
``TantivySearchIndex`` is the implementation; ``tests/search/test_index_contract.py`` runs the
contract against every configuration of every implementation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Protocol

from service.search.analysis import QueryPlan

Sort = Literal["relevance", "date"]


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    # facet name -> wanted values (OR within a facet, AND across facets). Besides the item
    # facets: "concept" (concept ids; includes narrower concepts) and "freshness".
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # A region's context shows national content plus that region's supplements (DOMAIN R11).
    region: str | None = None
    offset: int = 0
    limit: int = 10
    today: dt.date = field(default_factory=dt.date.today)
    sort: Sort = "relevance"


@dataclass(frozen=True)
class IndexDocument:
    """One public item as the index stores it (see ``projection.project``)."""

    identifier: str
    fingerprint: int
    kind: str
    title: str
    alt_titles: str
    subjects: str
    summary: str
    body: str
    # Normalised title and alternative titles, for exact-match ranking.
    exact: tuple[str, ...]
    facets: Mapping[str, tuple[str, ...]]
    # Subject concept IRIs (the concept facet), every concept IRI the item is tagged with, and
    # those plus all their broader concepts (a filter "concept X" matches X and narrower).
    subject_concepts: tuple[str, ...]
    direct_concepts: tuple[str, ...]
    concept_tree: tuple[str, ...]
    next_review: int | None  # date.toordinal(), None when not planned
    modified: int  # date.toordinal() of the last change, 0 when unknown


class Candidate(NamedTuple):
    """One hit, best first (a tuple: hundreds are made per search)."""

    identifier: str
    score: float


@dataclass(frozen=True)
class IndexResult:
    total: int
    # Best first. A sequence rather than a list: an index may resolve identifiers lazily,
    # since re-ranking mostly stops long before the end of the window.
    candidates: Sequence[Candidate]
    # facet name -> value -> count; concept values are IRIs. A mapping rather than a dict: an
    # index may still be counting when it returns, so that the caller ranks, makes snippets
    # and summaries meanwhile; the first read waits for the counts.
    facets: Mapping[str, Mapping[str, int]]


class SearchIndex(Protocol):
    name: str

    def sync(self, documents: Sequence[IndexDocument]) -> int:
        """Make the index hold exactly ``documents``, writing only what differs (by
        fingerprint); returns how many documents were written or deleted."""
        ...

    def upsert(self, documents: Sequence[IndexDocument]) -> None: ...

    def delete(self, identifiers: Sequence[str]) -> None: ...

    def clear(self) -> None:
        """Remove every document."""
        ...

    def fingerprints(self) -> dict[str, int]:
        """identifier -> fingerprint of every indexed document."""
        ...

    def document_count(self) -> int: ...

    def word_frequency(self, word: str, stemmed: bool = True) -> int:
        """In how many documents the lower-cased surface word occurs (or, with ``stemmed`` and
        when it does not, its stem)."""
        ...

    def search(
        self, plan: QueryPlan, query: SearchQuery, window: int, facets: bool = True
    ) -> IndexResult:
        """The total, the best ``window`` candidates (relevance) or the page (date), and the
        facet counts (when ``facets``)."""
        ...

    def snippets(self, plan: QueryPlan, texts: Mapping[str, str]) -> dict[str, str]:
        """identifier -> a fragment of its text with <mark> around the query's words (HTML
        escaped); items whose text does not contain them are left out."""
        ...

    def prefix_words(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Indexed words starting with ``prefix`` with their document frequencies."""
        ...

    def close(self) -> None: ...
