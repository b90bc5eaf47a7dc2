"""Tokens: only their SHA-256 is configured or kept in memory; a presented token is hashed and
compared in constant time with every known hash.

Tokens are long random strings (``new_token``), so an unsalted SHA-256 cannot be reversed by
guessing; salting would only matter for low-entropy secrets such as passwords.

The older setting ``tokens`` (source key → token in clear) still works: ``region-<länskod>``
keys become region editors, other keys source ingesters. ``admin_token`` is an administrator.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from service.config import PrincipalSetting, Settings
from service.errors import Unauthorized
from service.governance.roles import REGIONS, Principal


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def principals(settings: Settings) -> list[tuple[str, Principal]]:
    """Every configured principal with the SHA-256 of its token."""
    found: list[tuple[str, Principal]] = [
        (p.token_sha256, Principal(p.id, p.role, p.source, p.region)) for p in settings.principals
    ]
    for key, token in settings.tokens.items():
        if not token:
            continue
        region = key.removeprefix("region-")
        if key.startswith("region-") and region in REGIONS:
            found.append((hash_token(token), Principal(key, "region-editor", region=region)))
        else:
            found.append((hash_token(token), Principal(key, "source-ingester", source=key)))
    if settings.admin_token:
        found.append((hash_token(settings.admin_token), Principal("admin", "administrator")))
    return found


def principal_entry(
    id: str, role: str, token: str, *, source: str | None = None, region: str | None = None
) -> PrincipalSetting:
    """The ``principals`` entry for a token (checked like the setting itself)."""
    return PrincipalSetting.model_validate(
        {
            "id": id,
            "role": role,
            "source": source,
            "region": region,
            "tokenSha256": hash_token(token),
        }
    )


def identify(settings: Settings, token: str | None) -> Principal | None:
    """The principal of ``token``, or None for no token. Unknown tokens raise 401."""
    if not token:
        return None
    digest = hash_token(token)
    match: Principal | None = None
    for known, principal in principals(settings):
        # Compare with every entry so the time does not say how many were tried.
        if hmac.compare_digest(known, digest) and match is None:
            match = principal
    if match is None:
        raise Unauthorized("Okänd token.", "Unknown token.")
    return match


def authenticate(settings: Settings, token: str | None) -> Principal:
    """The principal of ``token``; 401 without a token or with an unknown one."""
    principal = identify(settings, token)
    if principal is None:
        raise Unauthorized(
            "Åtgärden kräver en token (Authorization: Bearer <token>).",
            "This needs a token (Authorization: Bearer <token>).",
        )
    return principal


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return None
