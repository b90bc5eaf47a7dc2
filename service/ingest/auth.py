"""Write scopes: a token may write to exactly one source (a region writes its supplements
through its own source, ``region-<länskod>``). Roles, scopes and hashed tokens live in
``service.governance``; this is the check the ingestion routes call."""

from __future__ import annotations

from service.config import Settings
from service.errors import Unauthorized
from service.governance.roles import Principal, require_write
from service.governance.tokens import authenticate


def authorize(settings: Settings, source: str, token: str | None) -> Principal:
    """The principal of ``token`` if it may write to ``source``.

    No or an unknown token → ``Unauthorized`` (401); a known token of another scope →
    ``Forbidden`` (403), saying the token's scope so an integrator sees the mistake at once.
    """
    if not token:
        raise Unauthorized(
            "Skrivning kräver en token (Authorization: Bearer <token>).",
            "Writing needs a token (Authorization: Bearer <token>).",
        )
    principal = authenticate(settings, token)
    require_write(principal, source)
    return principal
