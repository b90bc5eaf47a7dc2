"""The audit trail, for administrators and information architects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from service.api.deps import SettingsDep, StoreDep
from service.api.models import ErrorResponse
from service.governance import audit
from service.governance.roles import require_audit
from service.governance.tokens import authenticate, bearer

router = APIRouter(prefix="/api/audit", tags=["governance"])


@router.get(
    "",
    responses={code: {"model": ErrorResponse} for code in (400, 401, 403)},
    summary="Granskningslogg / Audit trail",
    description="Every write and decision, newest first: who (principal id, role and scope), "
    "what (`action`, `target`), when, and the state before and after. Filter by `target` "
    "(IRI), `actor` (principal id) or `action`. Needs an administrator's or information "
    "architect's token. Append-only; also in the named graph `https://kunskapsgraf.se/graph/"
    "audit` as PROV, which public SPARQL does not show.",
)
def list_events(
    store: StoreDep,
    settings: SettingsDep,
    target: Annotated[str | None, Query(max_length=500)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    require_audit(authenticate(settings, bearer(authorization)))
    return audit.events(
        store, target=target, actor=actor, action=action, offset=offset, limit=limit
    )


@router.get(
    "/sparql",
    responses={code: {"model": ErrorResponse} for code in (400, 401, 403, 413)},
    summary="SPARQL över granskningsloggen / SPARQL over the audit trail",
    description="A read-only SPARQL query (`query=`) over the audit graph only, as PROV "
    "(`prov:Activity`, `prov:wasAssociatedWith`, `prov:used`, `prov:generated`/`prov:value`). "
    "SELECT/ASK as SPARQL JSON, CONSTRUCT/DESCRIBE as Turtle. Administrators and information "
    "architects.",
)
def audit_sparql(
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[str, Query(min_length=1)],
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    require_audit(authenticate(settings, bearer(authorization)))
    body, media_type = audit.query(store, query, settings.sparql_max_query_chars)
    return Response(body, media_type=media_type)
