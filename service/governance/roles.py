"""Roles and their scopes, and the one authorisation matrix every write goes through.

=====================  ============================================================
role                   may
=====================  ============================================================
administrator          record approval decisions; read the audit trail; preview
information-architect  read the audit trail; preview every source
source-ingester        write (push, withdraw, supersede) its one source; preview it
region-editor          write its region's supplements (source ``region-<länskod>``),
                       confirm them; preview them
reader                 read what anonymous readers read (a known, rate-limited caller)
=====================  ============================================================

Content writes are deliberately not open to administrators: an administrator decides about
sources, the source itself delivers its content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from service.errors import Forbidden

Role = Literal[
    "administrator", "information-architect", "source-ingester", "region-editor", "reader"
]

ROLE_LABELS: dict[str, dict[str, str]] = {
    "administrator": {"sv": "administratör", "en": "administrator"},
    "information-architect": {"sv": "informationsarkitekt", "en": "information architect"},
    "source-ingester": {"sv": "källinläsare", "en": "source ingester"},
    "region-editor": {"sv": "regionredaktör", "en": "region editor"},
    "reader": {"sv": "läsare", "en": "reader"},
}

# The 21 regions (länskoder, docs/model.md `ksv:region`).
REGIONS = (
    "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
    "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
)  # fmt: skip


def region_source(region: str) -> str:
    """The source key a region's supplements live in."""
    return f"region-{region}"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: who (``id``), in which role, with which scope."""

    id: str
    role: Role
    source: str | None = None
    region: str | None = None

    @property
    def scope(self) -> str:
        """The scope in words for messages and the audit trail: ``source:nkk``, ``region:12``."""
        if self.source:
            return f"source:{self.source}"
        if self.region:
            return f"region:{self.region}"
        return self.role

    def as_json(self) -> dict[str, str | None]:
        return {"id": self.id, "role": self.role, "source": self.source, "region": self.region}

    def writes(self, source: str) -> bool:
        """May write content (items, supplements) of ``source``."""
        if self.role == "source-ingester":
            return self.source == source
        if self.role == "region-editor":
            return self.region is not None and region_source(self.region) == source
        return False

    def edits_region(self, region: str) -> bool:
        return self.role == "region-editor" and self.region == region

    def previews(self, source: str) -> bool:
        """May see ``source``'s content before it is public (pilot)."""
        return self.role in ("administrator", "information-architect") or self.writes(source)

    @property
    def decides(self) -> bool:
        return self.role == "administrator"

    @property
    def reads_audit(self) -> bool:
        return self.role in ("administrator", "information-architect")


def _forbidden(principal: Principal, what_sv: str, what_en: str, **details: str) -> Forbidden:
    label = ROLE_LABELS[principal.role]
    return Forbidden(
        f"Token för {label['sv']} ({principal.scope}) får inte {what_sv}.",
        f"The token of a {label['en']} ({principal.scope}) may not {what_en}.",
        role=principal.role,
        token_scope=principal.scope,
        **details,
    )


def require_write(principal: Principal, source: str) -> None:
    if not principal.writes(source):
        raise _forbidden(
            principal,
            f"skriva till källan '{source}'",
            f"write to source '{source}'",
            source=source,
        )


def require_region(principal: Principal, region: str) -> None:
    if not principal.edits_region(region):
        raise _forbidden(
            principal,
            f"ändra region {region}s tillägg",
            f"change the supplements of region {region}",
            region=region,
        )


def require_region_reader(principal: Principal, region: str) -> None:
    """The region's own editor, administrators and information architects."""
    if not (principal.edits_region(region) or principal.reads_audit):
        raise _forbidden(
            principal,
            f"läsa region {region}s arbetslista",
            f"read the work list of region {region}",
            region=region,
        )


def require_decide(principal: Principal, source: str) -> None:
    if not principal.decides:
        raise _forbidden(
            principal,
            f"fatta beslut om källan '{source}' (kräver administratör)",
            f"record decisions about source '{source}' (needs an administrator)",
            source=source,
        )


def require_audit(principal: Principal) -> None:
    if not principal.reads_audit:
        raise _forbidden(principal, "läsa granskningsloggen", "read the audit trail")


def require_preview(principal: Principal, source: str) -> None:
    if not principal.previews(source):
        raise _forbidden(
            principal,
            f"förhandsgranska källan '{source}'",
            f"preview source '{source}'",
            source=source,
        )
