"""Search: the index seam (``SearchIndex``), its backends, Swedish analysis and facets.

``SearchService`` ties an index to the vocabulary so results carry labels; ``open_index`` is
the one place a backend is chosen.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from service.config import Settings
from service.errors import InvalidParameter
from service.search.documents import SearchDocument, build_documents
from service.search.facets import FACETS, NATIONAL
from service.search.index import MemorySearchIndex, SearchIndex, SearchQuery
from service.store.base import Store
from service.terms import KSV
from service.vocabulary import Vocabulary

__all__ = ["SearchDocument", "SearchIndex", "SearchQuery", "SearchService", "open_index"]

FACET_SCHEMES = {
    "contentType": "content-type",
    "audience": "audience",
    "careSetting": "care-setting",
    "knowledgeArea": "knowledge-area",
    "patientGroup": "patient-group",
    "region": "region",
}


def open_index(settings: Settings) -> SearchIndex:
    """The search index backend (the in-memory index for now)."""
    return MemorySearchIndex()


class SearchService:
    """Search over the store's public content, with labelled facets.

    >>> from service.store import OxigraphStore
    >>> service = SearchService(MemorySearchIndex())
    >>> service.refresh(OxigraphStore())
    >>> service.search(SearchQuery(text="astma"))["total"]
    0
    """

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.vocabulary = Vocabulary({})
        self.documents: dict[str, SearchDocument] = {}
        self.source_titles: dict[str, str] = {}
        self._lock = threading.Lock()

    def refresh(self, store: Store, *, vocabulary_changed: bool = True) -> None:
        """Rebuild the index from the store (after a load, and at start-up). Content writes
        pass ``vocabulary_changed=False``: the concept labels (which grow to ~100,000 with the
        terminologies loaded) are then reused."""
        vocabulary = Vocabulary.from_store(store) if vocabulary_changed else self.vocabulary
        documents = build_documents(store, vocabulary)
        with self._lock:
            self.index.rebuild(documents)
            self.vocabulary = vocabulary
            self.documents = {d.identifier: d for d in documents}
            self.source_titles = {d.source_key: d.source_title for d in documents}

    def facet_values(self, facet: str) -> set[str]:
        """Every value a facet can take (for validating filters)."""
        if facet == "source":
            return set(self.source_titles)
        scheme = FACET_SCHEMES[facet]
        return {c.notation for c in self.vocabulary.in_scheme(KSV + scheme)}

    def validate(self, query: SearchQuery) -> None:
        """Reject unknown facet values and regions with the list of valid ones."""
        for name, wanted in query.filters.items():
            unknown = sorted(wanted - self.facet_values(name))
            if unknown:
                valid = sorted(self.facet_values(name))
                bad, good = ", ".join(unknown), ", ".join(valid)
                raise InvalidParameter(
                    f"Okänt värde för {name}: {bad}. Giltiga värden: {good}.",
                    f"Unknown value for {name}: {bad}. Valid values: {good}.",
                    parameter=name,
                    unknown=unknown,
                    valid=valid,
                )
        if query.region is not None and query.region not in self.facet_values("region"):
            valid = sorted(self.facet_values("region") - {NATIONAL})
            raise InvalidParameter(
                f"Okänd region: {query.region}. Ange en länskod: {', '.join(valid)}.",
                f"Unknown region: {query.region}. Give a county code: {', '.join(valid)}.",
                parameter="region",
                valid=valid,
            )

    def label(self, facet: str, value: str) -> dict[str, str]:
        if facet == "source":
            title = self.source_titles.get(value, value)
            return {"sv": title, "en": title}
        concept = self.vocabulary.get(f"{KSV}{FACET_SCHEMES[facet]}/{value}")
        return {"sv": concept.sv, "en": concept.en}

    def concept(self, facet: str, value: str) -> dict[str, object]:
        return self.vocabulary.get(f"{KSV}{FACET_SCHEMES[facet]}/{value}").as_json()

    def search(self, query: SearchQuery) -> dict[str, Any]:
        """Run a query; the result is JSON-ready (the API's ``SearchResponse``)."""
        self.validate(query)
        with self._lock:
            result = self.index.search(query)
        return {
            "query": query.text,
            "total": result.total,
            "offset": query.offset,
            "limit": query.limit,
            "region": query.region,
            "items": [
                self.summary(h.document, query.today) | {"score": round(h.score, 3)}
                for h in result.hits
            ],
            "facets": [
                {
                    "name": f.name,
                    "label": {"sv": f.label_sv, "en": f.label_en},
                    "values": [
                        {
                            "value": value,
                            "label": self.label(f.name, value),
                            "count": count,
                            "selected": value in query.filters.get(f.name, frozenset()),
                        }
                        for value, count in result.facets.get(f.name, {}).items()
                    ],
                }
                for f in FACETS
            ],
        }

    def summary(self, doc: SearchDocument, today: dt.date) -> dict[str, Any]:
        """The short form of an item used in result lists."""

        def labelled(facet: str) -> list[dict[str, Any]]:
            return [self.concept(facet, v) for v in doc.facets.get(facet, ())]

        content_types = labelled("contentType")
        return {
            "id": doc.identifier,
            "iri": doc.iri,
            "kind": doc.kind,
            "title": doc.title,
            "summary": doc.summary or _snippet(doc.body),
            "url": doc.url,
            "source": {"id": doc.source_key, "title": doc.source_title},
            "contentType": content_types[0] if content_types else None,
            "audience": labelled("audience"),
            "region": None if doc.facets.get("region") == (NATIONAL,) else labelled("region")[0],
            "partOf": doc.parent,
            "supplements": doc.supplements,
            "lastReviewed": doc.last_reviewed.isoformat() if doc.last_reviewed else None,
            "nextReview": doc.next_review.isoformat() if doc.next_review else None,
            "reviewStatus": doc.review_status(today),
        }


def _snippet(text: str, length: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + " …"
