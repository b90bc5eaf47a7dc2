"""Concept pages and concept schemes as data, and a concept's items with search facets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import SearchDep, SettingsDep, StoreDep
from service.api.models import ErrorResponse, Label
from service.api.params import SearchParamsDep
from service.api.responses import ShapedJSONResponse
from service.api.routes.search import SearchResults
from service.concepts import ensure_concept, get_concept, get_scheme, list_schemes

router = APIRouter(prefix="/api", tags=["concepts"])

ConceptId = Annotated[str, Path(max_length=300, examples=["icd-10-se:J45"])]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
}


class ConceptLink(BaseModel):
    id: str
    notation: str
    label: Label


class Mapping(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = Field(description="exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch")
    id: str | None = None
    iri: str | None = None
    label: Label | None = None


class SchemeRef(BaseModel):
    id: str
    iri: str
    label: Label


class ConceptPage(BaseModel):
    id: str
    iri: str
    scheme: SchemeRef
    notation: str
    prefLabel: dict[str, str]
    altLabel: dict[str, list[str]]
    definition: dict[str, str]
    broader: list[ConceptLink]
    narrower: list[ConceptLink]
    related: list[ConceptLink]
    mappings: list[Mapping]
    itemCount: int = Field(
        description="Public items tagged with the concept or a narrower concept."
    )


class SchemeSummary(BaseModel):
    id: str
    iri: str
    label: Label
    conceptCount: int


class TopConcept(ConceptLink):
    hasNarrower: bool


class SchemePage(SchemeSummary):
    definition: dict[str, str]
    topConcepts: list[TopConcept]


@router.get(
    "/concepts/{concept}",
    response_model=ConceptPage,
    responses=ERRORS,
    summary="Begrepp / Concept",
    description="One concept by id `<scheme>:<notation>` (e.g. `icd-10-se:J45`): labels per "
    "language, notation, definition, broader and narrower concepts, mappings to other schemes "
    "and the number of public items tagged with it or a narrower concept.",
)
def concept(store: StoreDep, search: SearchDep, concept: ConceptId) -> dict[str, Any]:
    return get_concept(store, search, concept)


@router.get(
    "/concepts/{concept}/items",
    response_model=SearchResults,
    responses=ERRORS,
    summary="Begreppets innehåll / A concept's items",
    description="Public items tagged with the concept or a narrower one: `/api/search` with "
    "the concept as a filter, so the same facet parameters, counts, paging (`page`/`size` or "
    "`offset`/`limit`), `sort` and `q` apply.",
)
def items(
    service: SearchDep,
    settings: SettingsDep,
    concept: ConceptId,
    params: SearchParamsDep,
) -> ShapedJSONResponse:
    ensure_concept(service, concept)
    return ShapedJSONResponse(
        service.search(params.query(settings, concept=[concept]), page=params.page)
    )


@router.get(
    "/concept-schemes",
    response_model=list[SchemeSummary],
    summary="Begreppssystem / Concept schemes",
    description="Every concept scheme with its labels and number of concepts.",
)
def schemes(store: StoreDep) -> list[dict[str, Any]]:
    return list_schemes(store)


@router.get(
    "/concept-schemes/{scheme}",
    response_model=SchemePage,
    responses=ERRORS,
    summary="Ett begreppssystem / One concept scheme",
    description="One scheme (e.g. `icd-10-se`, `audience`) with its top concepts, each saying "
    "whether it has narrower concepts.",
)
def scheme(store: StoreDep, scheme: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
    return get_scheme(store, scheme)
