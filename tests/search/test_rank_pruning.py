"""Re-ranking looks only at candidates that a boost could lift into the requested page; the
page must be exactly the page of the full re-ranked window, for every page and context."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from service.search import RERANK_WINDOW, SearchService
from service.search.documents import SearchDocument
from service.search.index import Candidate, SearchQuery
from service.search.tantivy_index import TantivySearchIndex

TODAY = dt.date(2026, 11, 26)
KINDS = ("product", "recommendation", "section", "supplement")


def _documents(rng: random.Random, n: int) -> dict[str, SearchDocument]:
    docs = {}
    for i in range(n):
        overdue = rng.random() < 0.3
        docs[f"s:{i}"] = SearchDocument(
            iri=f"https://kunskapsgraf.se/id/item/s/{i}",
            identifier=f"s:{i}",
            kind=rng.choice(KINDS),
            # Repeated titles exercise the tie-break.
            title=f"Titel {rng.randrange(n // 3)}",
            next_review=TODAY - dt.timedelta(days=10 if overdue else -400),
            facets={"region": (rng.choice(["nationell", "01", "12"]),)},
        )
    return docs


def _full_sort(
    service: SearchService, candidates: list[Candidate], query: SearchQuery
) -> list[str]:
    hits = [
        (c.score * service._boost(service.documents[c.identifier], query), c.identifier)
        for c in candidates
        if c.identifier in service.documents
    ]
    hits.sort(key=lambda h: (-h[0], service.documents[h[1]].title, h[1]))
    return [i for _, i in hits][query.offset : query.offset + query.limit]


@pytest.mark.parametrize("seed", range(20))
def test_every_page_equals_the_page_of_the_fully_reranked_window(seed: int) -> None:
    rng = random.Random(seed)
    service = SearchService(TantivySearchIndex())
    service.documents = _documents(rng, 600)
    ids = list(service.documents)
    rng.shuffle(ids)
    # Scores best first, with runs of equal scores; a few ids the service no longer has.
    scores = sorted((round(rng.uniform(0, 20), 1) for _ in range(RERANK_WINDOW)), reverse=True)
    candidates = [
        Candidate(i if rng.random() > 0.02 else "gone:" + i, s)
        for i, s in zip(ids, scores, strict=False)
    ]
    for region in (None, "01"):
        for offset, limit in ((0, 10), (10, 10), (40, 20), (480, 20), (0, 100)):
            query = SearchQuery(text="x", offset=offset, limit=limit, region=region, today=TODAY)
            got = [d.identifier for _, d in service._rank(candidates, query)]
            assert got == _full_sort(service, candidates, query)
