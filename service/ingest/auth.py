"""Write scopes: a token may write to exactly one source (a region writes its supplements
through its own source, ``region-<länskod>``)."""

from __future__ import annotations

import hmac

from service.config import Settings
from service.errors import Forbidden, Unauthorized


def authorize(settings: Settings, source: str, token: str | None) -> None:
    """Raise unless ``token`` is the write token of ``source``.

    Tokens are compared in constant time; a token of another source is refused with 403 and
    says which source it belongs to, so an integrator sees the mistake at once.
    """
    if not token:
        raise Unauthorized(
            "Skrivning kräver en token (Authorization: Bearer <token>).",
            "Writing needs a token (Authorization: Bearer <token>).",
        )
    if hmac.compare_digest(settings.tokens.get(source, "\0no-token\0"), token):
        return
    for other, other_token in settings.tokens.items():
        if hmac.compare_digest(other_token, token):
            raise Forbidden(
                f"Token gäller källan '{other}', inte '{source}'.",
                f"The token is for source '{other}', not '{source}'.",
                source=source,
                token_scope=other,
            )
    raise Unauthorized("Okänd token.", "Unknown token.")
