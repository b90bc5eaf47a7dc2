"""Item pages as data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from service.api.deps import SearchDep, StoreDep
from service.api.models import ErrorResponse, ItemResponse
from service.items import get_item
from service.search import SearchQuery

router = APIRouter(prefix="/api/items", tags=["items"])


@router.get(
    "/{identifier}",
    response_model=ItemResponse,
    responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
    summary="Ett innehåll / One item",
    description="One public item by its identifier `source:local-id`, e.g. `nkk:astma-vuxna`, "
    "with parts, typed relations and regional supplements (only `region`'s when given).",
)
def item(
    store: StoreDep,
    search: SearchDep,
    identifier: Annotated[str, Path(max_length=300)],
    region: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    if region is not None:
        search.validate(SearchQuery(region=region))
    return get_item(store, search.documents, search.vocabulary, identifier, region=region)
