"""Faceted search over public content, and reporting which result was opened."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from service.api.deps import SearchDep, SettingsDep
from service.api.models import ErrorResponse, FacetCounts, ItemSummary
from service.api.params import HARD_QUERY_LIMIT, FacetParam, SearchParamsDep
from service.api.responses import ShapedJSONResponse
from service.errors import NotFound

router = APIRouter(prefix="/api", tags=["search"])


class ConceptBrief(BaseModel):
    id: str = Field(examples=["icd-10-se:J45"])
    iri: str
    notation: str | None
    scheme: str | None
    label: dict[str, str]


class Freshness(BaseModel):
    value: str = Field(description="aktuell, granskning-snart or granskning-forsenad")
    label: dict[str, str]
    overdue: bool


class Licence(BaseModel):
    iri: str
    title: str | None
    url: str | None


class SearchHitSummary(ItemSummary):
    snippet: str | None = Field(
        default=None,
        description="A fragment of the text with <mark>…</mark> around the query's words "
        "(HTML-escaped); null when the text does not contain them or may not be shown.",
    )
    freshness: Freshness
    modified: str | None = None
    licence: Licence | None = None
    attribution: str | None = None
    regional: bool = Field(
        default=False, description="A supplement of the region given as `region`."
    )


class ZeroResultSuggestions(BaseModel):
    spelling: list[str]
    concepts: list[ConceptBrief]


class SearchResults(BaseModel):
    query: str
    total: int
    offset: int
    limit: int
    page: int
    size: int
    pages: int
    sort: str
    region: str | None
    items: list[SearchHitSummary]
    facets: list[FacetCounts]
    concepts: list[ConceptBrief] = Field(
        description="Concepts the query names (labels, abbreviations, codes): items tagged "
        "with them or a narrower concept are found too."
    )
    matchedAll: bool = Field(
        default=True,
        description="False when no item had every word and results match some of them.",
    )
    suggestions: ZeroResultSuggestions | None = Field(
        default=None, description="Only when nothing was found."
    )


@router.get(
    "/search",
    response_model=SearchResults,
    responses={400: {"model": ErrorResponse}},
    summary="Sök / Search",
    description="Full-text search in Swedish with concept expansion and facet counts. Repeat a "
    "facet parameter to combine values (OR within a facet, AND across facets); each facet's "
    "counts ignore its own filter. `concept` (e.g. `icd-10-se:J45`) includes narrower "
    "concepts; `freshness` is aktuell, granskning-snart or granskning-forsenad. `region` (a "
    "länskod) shows national content plus that region's supplements. Page with `page`/`size` "
    "or `offset`/`limit`.",
)
def search(
    service: SearchDep,
    settings: SettingsDep,
    params: SearchParamsDep,
    concept: FacetParam = None,
) -> ShapedJSONResponse:
    query = params.query(settings, concept=concept)
    result = service.search(query, page=params.page)
    if query.offset == 0 and not query.filters:
        # What people look for, not who: only the redacted query text is logged.
        service.gaps.record_search(params.q, result["total"])
    return ShapedJSONResponse(result)


class Click(BaseModel):
    query: str = Field(max_length=HARD_QUERY_LIMIT, examples=["astma"])
    id: str = Field(max_length=300, examples=["nkk:astma-vuxna"])


@router.post(
    "/search/click",
    status_code=204,
    responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
    summary="Öppnad träff / A result was opened",
    description="Report that the result `id` of the search `query` was opened (no user data). "
    "Queries that are searched often but rarely opened show up in the search gaps.",
)
def click(service: SearchDep, body: Annotated[Click, Body()]) -> None:
    doc = service.documents.get(body.id)
    if doc is None or not doc.public:
        raise NotFound(
            f"Det finns inget publicerat innehåll med id '{body.id}'.",
            f"There is no published item with id '{body.id}'.",
            id=body.id,
        )
    service.gaps.record_click(body.query)
