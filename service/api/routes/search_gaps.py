"""Admin routes for information architects: where search fails.

Access: ``Authorization: Bearer <KUNSKAPSGRAF_ADMIN_TOKEN>`` (the operators' admin token);
without that setting the route answers 403, so nothing is open by default.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, Field

from service.api.deps import SearchDep, SettingsDep
from service.api.models import ErrorResponse
from service.api.routes.search import ConceptBrief
from service.config import Settings
from service.errors import Forbidden, Unauthorized

router = APIRouter(prefix="/api/admin", tags=["search"])


def require_admin(settings: Settings, authorization: str | None) -> None:
    if not settings.admin_token:
        raise Forbidden(
            "Administrationen är avstängd (KUNSKAPSGRAF_ADMIN_TOKEN saknas).",
            "Administration is disabled (KUNSKAPSGRAF_ADMIN_TOKEN is not set).",
        )
    token = ""
    if authorization and authorization[:7].lower() == "bearer ":
        token = authorization[7:].strip()
    if not token:
        raise Unauthorized(
            "Kräver Authorization: Bearer <admintoken>.",
            "Needs Authorization: Bearer <admin token>.",
        )
    if not hmac.compare_digest(settings.admin_token, token):
        raise Forbidden("Fel admintoken.", "Wrong admin token.")


class SearchGap(BaseModel):
    query: str = Field(description="The query as logged: normalised and redacted.")
    reason: str = Field(description="zero-results or low-clicks")
    searches: int
    zeroResults: int
    clicks: int
    lastSeen: str
    candidateConcepts: list[ConceptBrief]
    spelling: list[str]


class SearchGapsResponse(BaseModel):
    gaps: list[SearchGap]


@router.get(
    "/search-gaps",
    response_model=SearchGapsResponse,
    responses={code: {"model": ErrorResponse} for code in (400, 401, 403)},
    summary="Sökluckor / Search gaps",
    description="Queries that found nothing and queries whose results are rarely opened, "
    "with candidate concepts to add them to as synonyms. Needs the admin token.",
)
def search_gaps(
    service: SearchDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    require_admin(settings, authorization)
    return {"gaps": service.search_gaps(limit)}
