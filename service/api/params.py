"""The search parameters, declared once for every route that searches (``/api/search`` and
``/api/concepts/{concept}/items``): the same names, validation, error messages and OpenAPI
documentation wherever they appear.

Used as ``params: SearchParamsDep``. The ``concept`` facet is not here: the search route takes
it as a query parameter, while a concept's items have it in the path.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

from fastapi import Depends, Query

from service.config import Settings
from service.errors import InvalidParameter
from service.search import SearchQuery

# The hard cap of the HTTP layer; the configured limit (search_max_query_chars) is checked in
# ``SearchParams.query`` with a message that names it.
HARD_QUERY_LIMIT = 2000

FacetParam = Annotated[list[str] | None, Query(max_length=100)]


class SearchParams:
    """Query text, facet filters, region, sort and paging (``page``/``size`` or
    ``offset``/``limit``) of one search request."""

    def __init__(
        self,
        q: Annotated[str, Query(max_length=HARD_QUERY_LIMIT, description="Sökfråga / query")] = "",
        source: FacetParam = None,
        contentType: FacetParam = None,
        audience: FacetParam = None,
        careSetting: FacetParam = None,
        knowledgeArea: FacetParam = None,
        patientGroup: FacetParam = None,
        freshness: FacetParam = None,
        region: Annotated[str | None, Query(max_length=20)] = None,
        sort: Literal["relevance", "date"] = "relevance",
        page: Annotated[int | None, Query(ge=1, le=10_000)] = None,
        size: Annotated[int | None, Query(ge=1)] = None,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        limit: Annotated[int, Query(ge=1)] = 10,
    ) -> None:
        self.q = q
        self.facets: dict[str, list[str] | None] = {
            "source": source,
            "contentType": contentType,
            "audience": audience,
            "careSetting": careSetting,
            "knowledgeArea": knowledgeArea,
            "patientGroup": patientGroup,
        }
        self.freshness = freshness
        self.region = region
        self.sort: Literal["relevance", "date"] = sort
        self.page = page
        self.size = size
        self.offset = offset
        self.limit = limit

    def query(self, settings: Settings, concept: list[str] | None = None) -> SearchQuery:
        """The search these parameters ask for, with ``concept`` as one more facet filter.
        Raises ``InvalidParameter`` (400, naming the parameter) for a query text or page size
        above the configured limits."""
        if len(self.q) > settings.search_max_query_chars:
            raise InvalidParameter(
                f"Sökfrågan får vara högst {settings.search_max_query_chars} tecken.",
                f"The query may be at most {settings.search_max_query_chars} characters.",
                parameter="q",
                maximum=settings.search_max_query_chars,
            )
        per_page = self.size if self.size is not None else self.limit
        if per_page > settings.search_max_limit:
            name = "size" if self.size is not None else "limit"
            raise InvalidParameter(
                f"{name} får vara högst {settings.search_max_limit}.",
                f"{name} may be at most {settings.search_max_limit}.",
                parameter=name,
                maximum=settings.search_max_limit,
            )
        offset = self.offset if self.page is None else (self.page - 1) * per_page
        # Filters in the order the search route always had (it decides which unknown value
        # is reported first).
        given = {**self.facets, "concept": concept, "freshness": self.freshness}
        filters = {name: frozenset(values) for name, values in given.items() if values}
        return SearchQuery(
            text=self.q,
            filters=filters,
            region=self.region,
            offset=offset,
            limit=per_page,
            sort=self.sort,
        )


async def _search_params(**values: Any) -> SearchParams:
    return SearchParams(**values)


# FastAPI runs a synchronous dependency, and any class, in its thread pool: one hand-over to a
# worker thread and back per request, about a millisecond at 100,000 items while the facet
# counts keep both cores busy. This coroutine takes the class's parameters (same names,
# validation and documentation) and runs on the event loop.
_search_params.__signature__ = inspect.signature(SearchParams).replace(  # type: ignore[attr-defined]
    return_annotation=SearchParams
)

SearchParamsDep = Annotated[SearchParams, Depends(_search_params)]
