"""Regional supplements and their re-confirmation (DOMAIN R9, R10).

Each supplement pins the national version it was written against (``ks:supplementsVersion``).
When the national item gets a new version in force (its clinical content changed), the
supplement "behöver bekräftas" (needs re-confirmation) until the region confirms it, which
re-pins it to the version in force through the ordinary ingestion pipeline (validated,
recorded as a run).
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import NamedNode, Triple

from service.config import Settings
from service.errors import InvalidParameter, NotFound
from service.governance.roles import REGIONS, region_source
from service.ingest.pipeline import PROVENANCE, IngestReport, ingest_batch
from service.ingest.runs import RunLog
from service.queries import load_query
from service.store.base import Row, Store
from service.terms import KS, concept, item_iri, source_graph

NEEDS_CONFIRMATION = "behover-bekraftas"
CONFIRMED = "bekraftad"
STATUS_LABELS = {
    NEEDS_CONFIRMATION: {"sv": "Behöver bekräftas", "en": "Needs re-confirmation"},
    CONFIRMED: {"sv": "Bekräftad", "en": "Confirmed"},
}
_HIDDEN_STATES = ("ersatt", "tillbakadragen", "arkiverad")


def check_region(region: str) -> None:
    if region not in REGIONS:
        raise InvalidParameter(
            f"Okänd region: {region}. Ange en länskod.",
            f"Unknown region: {region}. Give a county code (länskod).",
            parameter="region",
            valid=list(REGIONS),
        )


def _text(row: Row, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _tail(value: str | None) -> str | None:
    return value.rsplit("/", 1)[-1] if value else None


def region_supplements(store: Store, region: str) -> list[dict[str, Any]]:
    """The region's current supplements, each with ``status`` ``behover-bekraftas`` (the
    national version it pins is no longer the one in force) or ``bekraftad``."""
    check_region(region)
    found: dict[str, dict[str, Any]] = {}
    for row in store.select(
        load_query("governance-region-supplements"), {"region": concept("region", region)}
    ):
        identifier = row["identifier"].value
        lifecycle = _tail(_text(row, "lifecycle"))
        if identifier in found or lifecycle in _HIDDEN_STATES:
            continue
        pinned, current = _text(row, "pinned"), _text(row, "current")
        status = NEEDS_CONFIRMATION if pinned and current and pinned != current else CONFIRMED
        found[identifier] = {
            "id": identifier,
            "title": _text(row, "title"),
            "supplements": _text(row, "targetIdentifier"),
            "nationalItem": _text(row, "nationalIdentifier"),
            "pinnedVersion": pinned,
            "currentVersion": current,
            "currentVersionReviewed": _text(row, "currentReviewed"),
            "lifecycle": lifecycle,
            "status": status,
            "statusLabel": STATUS_LABELS[status],
        }
    return list(found.values())


def to_confirm(store: Store, region: str) -> list[dict[str, Any]]:
    return [s for s in region_supplements(store, region) if s["status"] == NEEDS_CONFIRMATION]


def confirm(
    store: Store,
    settings: Settings,
    region: str,
    local_id: str,
    *,
    run_log: RunLog | None = None,
) -> tuple[dict[str, Any], dict[str, Any], IngestReport]:
    """Re-pin supplement ``region-<region>:<local_id>`` to the national version in force.
    Returns the supplement's entry before and after, and the ingestion report (``unchanged``
    when it already pinned that version)."""
    identifier = f"{region_source(region)}:{local_id}"
    entry = next((s for s in region_supplements(store, region) if s["id"] == identifier), None)
    if entry is None:
        raise NotFound(
            f"Region {region} har inget gällande regionalt tillägg med id '{identifier}'.",
            f"Region {region} has no current regional supplement with id '{identifier}'.",
            id=identifier,
        )
    if not entry["currentVersion"]:
        raise InvalidParameter(
            f"Det nationella innehållet för '{identifier}' har ingen gällande version att "
            "bekräfta mot.",
            f"The national item of '{identifier}' has no version in force to confirm against.",
            id=identifier,
        )
    item = item_iri(identifier)
    pinned = KS + "supplementsVersion"
    triples = [
        q.triple
        for q in store.describe([item], source_graph(region_source(region)))
        if q.predicate.value not in PROVENANCE and q.predicate.value != pinned
    ]
    triples.append(Triple(item, NamedNode(pinned), NamedNode(entry["currentVersion"])))
    report = ingest_batch(
        store,
        settings,
        region_source(region),
        triples,
        mapping_version="confirm-supplement",
        run_log=run_log,
    )
    after = next(s for s in region_supplements(store, region) if s["id"] == identifier)
    return entry, after, report
