"""The whole state of a search page lives in its URL: query, facet filters, region and page.

``SearchState`` reads it from query parameters and writes the links the page needs (toggle a
facet value, remove a filter, go to page n), so every view can be shared and bookmarked.

>>> s = SearchState.from_params({"q": ["astma"], "audience": ["lakare"]})
>>> s.url()
'/sok?q=astma&audience=lakare'
>>> s.toggle("audience", "lakare").url()
'/sok?q=astma'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from service.search.facets import SEARCH_FACET_NAMES

# Facets the page filters on (region is the context selector, not a filter); "concept" holds
# concept ids such as icd-10-se:J45 and includes narrower concepts.
FILTER_FACETS = tuple(name for name in SEARCH_FACET_NAMES if name != "region")
PAGE_SIZE = 10
SORTS = {"relevance": "Relevans", "date": "Senast ändrad"}
MAX_PAGE = 500


@dataclass(frozen=True)
class SearchState:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    region: str | None = None
    page: int = 1
    # "relevance" (the default, left out of the URL) or "date" (newest first).
    sort: str = "relevance"

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> SearchState:
        """From parsed query parameters (each name → its values). Unparseable pages become 1;
        unknown facet values are left for the search service to reject."""

        def values(name: str) -> tuple[str, ...]:
            seen: dict[str, None] = {}
            for v in params.get(name, ()):
                if v.strip():
                    seen[v.strip()[:100]] = None
            return tuple(seen)

        raw_page = (params.get("page") or ["1"])[0]
        page = int(raw_page) if raw_page.isdigit() else 1
        region = (params.get("region") or [""])[0].strip() or None
        filters = {name: values(name) for name in FILTER_FACETS if values(name)}
        sort = (params.get("sort") or ["relevance"])[0]
        return cls(
            q=(params.get("q") or [""])[0].strip()[:500],
            filters=filters,
            region=region,
            page=min(max(page, 1), MAX_PAGE),
            sort=sort if sort in SORTS else "relevance",
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)

    def params(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in FILTER_FACETS:
            pairs.extend((name, v) for v in self.filters.get(name, ()))
        if self.region:
            pairs.append(("region", self.region))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def url(self, path: str = "/sok") -> str:
        query = urlencode(self.params())
        return f"{path}?{query}" if query else path

    def toggle(self, facet: str, value: str) -> SearchState:
        """The state with ``value`` added to or removed from ``facet``, back on page 1."""
        current = self.filters.get(facet, ())
        chosen = tuple(v for v in current if v != value)
        if value not in current:
            chosen = (*current, value)
        filters = {k: v for k, v in self.filters.items() if k != facet}
        if chosen:
            filters[facet] = chosen
        return replace(self, filters=filters, page=1)

    def with_concept(self, concept: str) -> SearchState:
        """A search for everything about one concept (and narrower ones), other filters kept."""
        filters = {k: v for k, v in self.filters.items() if k != "concept"}
        return replace(self, q="", filters={**filters, "concept": (concept,)}, page=1)

    def without_filters(self) -> SearchState:
        return replace(self, filters={}, page=1)

    def with_query(self, q: str) -> SearchState:
        return replace(self, q=q, page=1)

    def at_page(self, page: int) -> SearchState:
        return replace(self, page=page)

    def sorted_by(self, sort: str) -> SearchState:
        return replace(self, sort=sort, page=1)
