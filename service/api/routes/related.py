"""Related content for an item, each with the reason it is there."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from service.api.models import ErrorResponse, ItemSummary, Label
from service.related import DEFAULT_LIMIT, MAX_LIMIT, RelatedService

router = APIRouter(prefix="/api/items", tags=["related"])


async def get_related(request: Request) -> RelatedService:
    related: RelatedService = request.app.state.related
    return related


RelatedDep = Annotated[RelatedService, Depends(get_related)]


class WhyRelation(BaseModel):
    type: str = Field(description="The relation property as seen from the item, e.g. isBasedOn.")
    label: Label
    relationType: str | None = Field(
        default=None, description="The ksv:relation-type concept, e.g. relation-type:is-based-on."
    )
    via: str | None = Field(
        default=None, description="The item the relation was reached through, if indirect."
    )


class WhyConcept(BaseModel):
    id: str = Field(examples=["icd-10-se:J45"])
    notation: str
    label: Label
    weight: float = Field(description="Specificity: rarer concepts weigh more.")


class Why(BaseModel):
    relations: list[WhyRelation]
    concepts: list[WhyConcept]
    path: list[str] = Field(
        description="Concept ids from the item's code up to a shared broader code and down to "
        "the related item's code; empty when there is no hierarchy link."
    )
    text: Label


class RelatedItem(ItemSummary):
    model_config = ConfigDict(extra="allow")
    why: Why


class RelatedResponse(BaseModel):
    item: str
    region: str | None
    related: list[RelatedItem]


@router.get(
    "/{identifier}/related",
    response_model=RelatedResponse,
    responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
    summary="Relaterat innehåll / Related content",
    description="Items related to one public item: explicit relations (part of, regional "
    "supplement, replaces, is based on, implements, patient information, see also), shared "
    "concepts weighted by specificity and closeness in the concept hierarchy, re-ranked for "
    "diversity across sources and content types. Each result says why (`why`). `region` (a "
    "länskod) puts that region's supplements first and leaves other regions' out.",
)
def related(
    service: RelatedDep,
    identifier: Annotated[str, Path(max_length=300)],
    region: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(description=f"1–{MAX_LIMIT}")] = DEFAULT_LIMIT,
) -> dict[str, Any]:
    return service.related(identifier, region=region, limit=limit)
