"""Suggestions for a search box: concepts and titles for what was typed so far."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.api.deps import SearchDep
from service.api.models import ErrorResponse

router = APIRouter(prefix="/api", tags=["search"])


class Suggestion(BaseModel):
    kind: str = Field(description="concept or title")
    label: str
    id: str = Field(description="Concept id (scheme:notation) or item identifier.")
    notation: str | None
    scheme: str | None
    highlight: str = Field(description="The label with <mark>…</mark> around the match.")


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[Suggestion]


@router.get(
    "/suggest",
    response_model=SuggestResponse,
    responses={400: {"model": ErrorResponse}},
    summary="Förslag / Suggestions",
    description="Concepts and titles with a word starting with `q`, from the first character "
    "(å, ä and ö are letters of their own).",
)
def suggest(
    service: SearchDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Början / prefix")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    return service.suggest(q, limit)
