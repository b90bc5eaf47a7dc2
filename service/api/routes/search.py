"""Faceted search over public content, and reporting which result was opened."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from service.api.deps import SearchDep, SettingsDep
from service.api.models import ErrorResponse, FacetCounts, ItemSummary
from service.errors import InvalidParameter, NotFound
from service.search import SearchQuery

router = APIRouter(prefix="/api", tags=["search"])

FacetParam = Annotated[list[str] | None, Query(max_length=100)]
# The hard cap of the HTTP layer; the configured limit (search_max_query_chars) is checked
# below with a message that names it.
HARD_QUERY_LIMIT = 2000


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
    q: Annotated[str, Query(max_length=HARD_QUERY_LIMIT, description="Sökfråga / query")] = "",
    source: FacetParam = None,
    contentType: FacetParam = None,
    audience: FacetParam = None,
    careSetting: FacetParam = None,
    knowledgeArea: FacetParam = None,
    patientGroup: FacetParam = None,
    concept: FacetParam = None,
    freshness: FacetParam = None,
    region: Annotated[str | None, Query(max_length=20)] = None,
    sort: Literal["relevance", "date"] = "relevance",
    page: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    size: Annotated[int | None, Query(ge=1)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1)] = 10,
) -> dict[str, Any]:
    if len(q) > settings.search_max_query_chars:
        raise InvalidParameter(
            f"Sökfrågan får vara högst {settings.search_max_query_chars} tecken.",
            f"The query may be at most {settings.search_max_query_chars} characters.",
            parameter="q",
            maximum=settings.search_max_query_chars,
        )
    per_page = size if size is not None else limit
    if per_page > settings.search_max_limit:
        name = "size" if size is not None else "limit"
        raise InvalidParameter(
            f"{name} får vara högst {settings.search_max_limit}.",
            f"{name} may be at most {settings.search_max_limit}.",
            parameter=name,
            maximum=settings.search_max_limit,
        )
    if page is not None:
        offset = (page - 1) * per_page
    given = {
        "source": source,
        "contentType": contentType,
        "audience": audience,
        "careSetting": careSetting,
        "knowledgeArea": knowledgeArea,
        "patientGroup": patientGroup,
        "concept": concept,
        "freshness": freshness,
    }
    filters = {name: frozenset(values) for name, values in given.items() if values}
    query = SearchQuery(
        text=q, filters=filters, region=region, offset=offset, limit=per_page, sort=sort
    )
    result = service.search(query, page=page)
    if offset == 0 and not filters:
        # What people look for, not who: only the redacted query text is logged.
        service.gaps.record_search(q, result["total"])
    return result


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
