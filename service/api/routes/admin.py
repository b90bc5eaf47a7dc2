"""Operator endpoints: a backup of the running service's store.

The embedded store can be opened by one process only, so a backup of a running service is
taken by the service itself (a RocksDB checkpoint while writes go on); ``kunskapsgraf backup``
calls this endpoint when the store is in use. Needs ``Authorization: Bearer
<KUNSKAPSGRAF_ADMIN_TOKEN>``; without a configured admin token it always refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header
from pydantic import BaseModel, Field

from service.api.deps import SettingsDep, StoreDep
from service.api.models import ErrorResponse
from service.config import Settings
from service.errors import Forbidden, InvalidParameter, Unauthorized
from service.governance.tokens import identify
from service.ops.backup import create_backup

router = APIRouter(prefix="/admin", tags=["operations"])


class BackupRequest(BaseModel):
    target: str = Field(
        description="Absolute path of a new directory on the service's machine.",
        examples=["/srv/backups/kunskapsgraf-2026-11-26"],
    )
    hashed: bool = Field(
        default=False, description="Also record a canonical SHA-256 of every graph."
    )


def authorize_admin(settings: Settings, authorization: str | None) -> None:
    """An administrator's token (``KUNSKAPSGRAF_ADMIN_TOKEN`` or an administrator principal),
    compared in constant time; anything else is refused."""
    given = None
    if authorization and authorization[:7].lower() == "bearer ":
        given = authorization[7:].strip() or None
    principal = identify(settings, given)  # an unknown token: 401
    if principal is not None and principal.role != "administrator":
        raise Forbidden(
            "Bara administratörer får säkerhetskopiera.",
            "Only administrators may take backups.",
        )
    if principal is None:
        raise Unauthorized(
            "Operatörsåtgärder kräver en administratörstoken (KUNSKAPSGRAF_ADMIN_TOKEN).",
            "Operator actions need an administrator's token (KUNSKAPSGRAF_ADMIN_TOKEN).",
        )


@router.post(
    "/backup",
    summary="Säkerhetskopiera / Back up the store",
    responses={code: {"model": ErrorResponse} for code in (400, 401, 403, 503)},
)
def backup(
    body: Annotated[BackupRequest, Body()],
    store: StoreDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    authorize_admin(settings, authorization)
    target = Path(body.target)
    if not target.is_absolute():
        raise InvalidParameter(
            "Målkatalogen måste anges som absolut sökväg.",
            "The target directory must be an absolute path.",
            parameter="target",
        )
    return create_backup(store, settings, target, hashed=body.hashed)
