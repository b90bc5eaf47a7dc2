"""The source register as data (DCAT catalogue records in ``ksg:register``): every source
with publisher, licence and attribution, integration level, allowed content types, contact,
channels and its approval history with the criteria assessed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from pyoxigraph import Literal

from service.errors import NotFound
from service.queries import load_query
from service.store.base import Row, Store
from service.terms import PUBLIC_APPROVAL_STATUSES

# Statuses that are no longer re-assessed (a wound-up or refused source).
CLOSED_STATUSES = ("avvecklad", "avslagen")


def _tail(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value.rstrip("/").rsplit("/", 1)[-1] if term is not None else None


def _text(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _bind(key: str | None) -> dict[str, Any] | None:
    return {"key": Literal(key)} if key is not None else None


def _approvals(store: Store, key: str | None, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    details: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(load_query("register-approval-details"), _bind(key)):
        approval = row["approval"].value
        value = _tail(row, "value")
        if row["field"].value == "allowedContentType":
            details[approval]["allowedContentTypes"].append(value)
        else:
            fulfilled = _text(row, "fulfilled")
            details[approval]["criteria"].append(
                {
                    "criterion": value,
                    "fulfilled": None if fulfilled is None else fulfilled == "true",
                    "note": _text(row, "note"),
                    "evidence": _text(row, "evidence"),
                }
            )
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in store.select(load_query("register-approvals"), _bind(key)):
        approval = row["approval"].value
        status = _tail(row, "status")
        valid_until = _text(row, "validUntil")
        by_source[row["key"].value].append(
            {
                "id": approval,
                "status": status,
                "integrationLevel": _tail(row, "level"),
                "allowedContentTypes": sorted(details[approval]["allowedContentTypes"]),
                "decidedBy": {"id": _tail(row, "decidedBy"), "name": _text(row, "decidedByName")},
                "decisionDate": _text(row, "date"),
                "validUntil": valid_until,
                "reassessmentDue": bool(
                    valid_until
                    and status not in CLOSED_STATUSES
                    and dt.date.fromisoformat(valid_until[:10]) < today
                ),
                "note": _text(row, "note"),
                "criteria": sorted(details[approval]["criteria"], key=lambda c: c["criterion"]),
            }
        )
    return by_source


def _channels(store: Store, key: str | None) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in store.select(load_query("register-channels"), _bind(key)):
        found[row["key"].value].append(
            {
                "type": _tail(row, "type"),
                "accessUrl": _text(row, "accessUrl"),
                "mediaType": _text(row, "mediaType"),
                "schedule": _text(row, "schedule"),
            }
        )
    return found


def sources(
    store: Store, *, key: str | None = None, history: bool = False, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Register records, sorted by key; ``history`` adds every decision with its criteria."""
    today = today or dt.date.today()
    approvals = _approvals(store, key, today)
    channels = _channels(store, key)
    records: list[dict[str, Any]] = []
    for row in store.select(load_query("register-sources"), _bind(key)):
        source_key = row["key"].value
        decisions = approvals.get(source_key, [])
        current_iri = _text(row, "approval")
        current = next((a for a in decisions if a["id"] == current_iri), None)
        attribution_required = _text(row, "attributionRequired")
        record: dict[str, Any] = {
            "id": source_key,
            "iri": row["source"].value,
            "title": {"sv": _text(row, "titleSv"), "en": _text(row, "titleEn")},
            "summary": _text(row, "summary"),
            "publisher": {"id": _tail(row, "publisher"), "name": _text(row, "publisherName")},
            "url": _text(row, "url"),
            "licence": {
                "id": _tail(row, "licence"),
                "title": _text(row, "licenceTitle"),
                "url": _text(row, "licenceUrl"),
                "attributionRequired": attribution_required == "true",
                "maxIntegrationLevel": _tail(row, "licenceMaxLevel"),
            },
            "attribution": _text(row, "attribution"),
            "contact": _text(row, "contact"),
            "region": _tail(row, "region"),
            "channels": channels.get(source_key, []),
            "approvalStatus": current["status"] if current else None,
            "public": bool(current and current["status"] in PUBLIC_APPROVAL_STATUSES),
            "integrationLevel": current["integrationLevel"] if current else None,
            "allowedContentTypes": current["allowedContentTypes"] if current else [],
            "decisionDate": current["decisionDate"] if current else None,
            "validUntil": current["validUntil"] if current else None,
            "reassessmentDue": bool(current and current["reassessmentDue"]),
        }
        if history:
            record["currentApproval"] = current
            record["approvals"] = decisions
        records.append(record)
    return records


def source(store: Store, key: str, today: dt.date | None = None) -> dict[str, Any]:
    """One register record with its approval history; 404 for an unknown key."""
    found = sources(store, key=key, history=True, today=today)
    if not found:
        raise NotFound(
            f"Det finns ingen kunskapskälla med id '{key}'.",
            f"There is no knowledge source with id '{key}'.",
            id=key,
        )
    return found[0]
