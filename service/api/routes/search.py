"""Faceted search over public content."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from service.api.deps import SearchDep, SettingsDep
from service.api.models import ErrorResponse, SearchResponse
from service.errors import InvalidParameter
from service.search import SearchQuery

router = APIRouter(prefix="/api", tags=["search"])

FacetParam = Annotated[list[str] | None, Query(max_length=100)]


@router.get(
    "/search",
    response_model=SearchResponse,
    responses={400: {"model": ErrorResponse}},
    summary="Sök / Search",
    description="Full-text search with facet counts. Repeat a facet parameter to combine "
    "values (OR within a facet, AND across facets). `region` (a länskod) shows national "
    "content plus that region's supplements.",
)
def search(
    service: SearchDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=500, description="Sökfråga / query")] = "",
    source: FacetParam = None,
    contentType: FacetParam = None,
    audience: FacetParam = None,
    careSetting: FacetParam = None,
    knowledgeArea: FacetParam = None,
    patientGroup: FacetParam = None,
    region: Annotated[str | None, Query(max_length=20)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1)] = 10,
) -> dict[str, Any]:
    if limit > settings.search_max_limit:
        raise InvalidParameter(
            f"limit får vara högst {settings.search_max_limit}.",
            f"limit may be at most {settings.search_max_limit}.",
            parameter="limit",
            maximum=settings.search_max_limit,
        )
    given = {
        "source": source,
        "contentType": contentType,
        "audience": audience,
        "careSetting": careSetting,
        "knowledgeArea": knowledgeArea,
        "patientGroup": patientGroup,
    }
    filters = {name: frozenset(values) for name, values in given.items() if values}
    query = SearchQuery(text=q, filters=filters, region=region, offset=offset, limit=limit)
    return service.search(query)
