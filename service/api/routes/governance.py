"""Governance: approval decisions about sources, regional supplements awaiting
re-confirmation, and the preview of pilot content. Every write here is scoped by the caller's
token (``service.governance.roles``) and recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import SearchDep, SettingsDep, StoreDep
from service.api.models import ErrorResponse
from service.governance import audit, decisions, supplements
from service.governance.roles import (
    require_decide,
    require_preview,
    require_region,
    require_region_reader,
)
from service.governance.tokens import authenticate, bearer
from service.governance.visibility import PreviewDocuments, in_pilot, pilot_items
from service.items import get_item
from service.search import SearchQuery
from service.store.base import Store
from service.terms import item_iri, source_iri

router = APIRouter(tags=["governance"])

SourceKey = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
Region = Annotated[str, Path(pattern=r"^[0-9]{2}$")]
LocalId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=200)]
Authorization = Annotated[str | None, Header()]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 422)
}


def refresh_visibility(request: Request, store: Store, source: str) -> None:
    """After a source's approval changed: search (and through it item pages), related
    content and anonymous SPARQL follow at once."""
    request.app.state.search.update_source(store, source)
    request.app.state.related.refresh_soon(store)
    sparql = getattr(request.app.state, "sparql", None)
    if sparql is not None:
        sparql.invalidate()


class CriterionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fulfilled: bool
    note: str = Field(min_length=1, max_length=2000)
    evidence: str | None = Field(default=None, pattern=r"^https://\S+$", max_length=1000)


class DecisionBody(BaseModel):
    """A decision about a source. What is left out is carried over from the approval in force."""

    model_config = ConfigDict(extra="forbid")
    status: str = Field(
        description="New approval status: " + ", ".join(decisions.STATUSES),
        examples=["pausad"],
        max_length=40,
    )
    note: str = Field(
        min_length=1, max_length=4000, description="The reasons for the decision (Swedish)."
    )
    integrationLevel: str | None = Field(
        default=None, description="lank, metadata, fulltext-index or fulltext-visning"
    )
    allowedContentTypes: list[str] = Field(default_factory=list, max_length=50)
    validUntil: dt.date | None = Field(default=None, description="Re-assessment date.")
    decidedBy: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Key of the deciding agent in the register, e.g. inera-kallrad.",
    )
    criteria: dict[str, CriterionBody] = Field(
        default_factory=dict,
        description="Criterion notation (ansvarig-utgivare, …) → {fulfilled, note, evidence}.",
    )


@router.post(
    "/api/sources/{source}/decisions",
    responses=ERRORS,
    summary="Beslut om en källa / Record a decision about a source",
    description="Records an approval decision (administrators only) and makes it the approval "
    "in force: suspending (`pausad`), rejecting or retiring hides the source's content "
    "everywhere at once (search, related content, item pages, public SPARQL) without deleting "
    "it; approving again restores it; `pilot` shows it only with a preview scope.",
)
def record_decision(
    request: Request,
    source: SourceKey,
    body: Annotated[DecisionBody, Body()],
    store: StoreDep,
    settings: SettingsDep,
    authorization: Authorization = None,
) -> dict[str, Any]:
    principal = authenticate(settings, bearer(authorization))
    require_decide(principal, source)
    decision = decisions.Decision(
        status=body.status,
        note=body.note,
        integration_level=body.integrationLevel,
        allowed_content_types=tuple(body.allowedContentTypes),
        valid_until=body.validUntil,
        decided_by=body.decidedBy,
        criteria={
            k: decisions.Criterion(v.fulfilled, v.note, v.evidence)
            for k, v in body.criteria.items()
        },
    )
    before, after = decisions.decide(store, settings, source, decision)
    event = audit.record(
        store,
        principal,
        "approval-decision",
        source_iri(source).value,
        before=before,
        after=after,
    )
    refresh_visibility(request, store, source)
    return {"source": source, "previous": before, "approval": after, "audit": event}


@router.get(
    "/api/regions/{region}/supplements",
    responses=ERRORS,
    summary="Regionens tillägg / A region's supplements",
    description="The region's current supplements, each with `status` `behover-bekraftas` "
    "(the national item has a new version since the supplement was written) or `bekraftad`; "
    "`status=behover-bekraftas` lists only those awaiting re-confirmation. Needs the region's "
    "editor token (or an administrator's or information architect's).",
)
def list_region_supplements(
    region: Region,
    store: StoreDep,
    settings: SettingsDep,
    status: Annotated[str | None, Query(pattern=r"^(behover-bekraftas|bekraftad)$")] = None,
    authorization: Authorization = None,
) -> dict[str, Any]:
    require_region_reader(authenticate(settings, bearer(authorization)), region)
    found = supplements.region_supplements(store, region)
    if status:
        found = [s for s in found if s["status"] == status]
    return {"region": region, "supplements": found}


@router.post(
    "/api/regions/{region}/supplements/{local_id}/confirm",
    responses=ERRORS,
    summary="Bekräfta ett tillägg / Re-confirm a supplement",
    description="The region's editor confirms that the supplement still holds for the national "
    "version in force: it is re-pinned to that version (validated and stored like any write).",
)
def confirm_supplement(
    request: Request,
    region: Region,
    local_id: LocalId,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    authorization: Authorization = None,
) -> dict[str, Any]:
    principal = authenticate(settings, bearer(authorization))
    require_region(principal, region)
    before, after, report = supplements.confirm(
        store, settings, region, local_id, run_log=request.app.state.run_log
    )
    event = None
    if report.status == "stored":  # a confirmation that changed nothing is not a write
        event = audit.record(
            store,
            principal,
            "supplement-confirmed",
            item_iri(after["id"]).value,
            before={"pinnedVersion": before["pinnedVersion"], "status": before["status"]},
            after={"pinnedVersion": after["pinnedVersion"], "status": after["status"]},
        )
    search.update_items(store, report.added + report.updated)
    request.app.state.related.refresh_soon(store)
    return {"supplement": after, "run": report.as_json(), "audit": event}


@router.get(
    "/api/preview/items/{identifier}",
    responses=ERRORS,
    summary="Förhandsgranska / Preview an item",
    description="An item page as it will look once public, including content in pilot (source "
    "approval `pilot` or lifecycle `pilot`). Needs a preview scope: an administrator, an "
    "information architect, the source's own ingester or the region's editor.",
)
def preview_item(
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    identifier: Annotated[str, Path(max_length=300)],
    region: Annotated[str | None, Query(max_length=20)] = None,
    authorization: Authorization = None,
) -> dict[str, Any]:
    principal = authenticate(settings, bearer(authorization))
    require_preview(principal, identifier.split(":", 1)[0])
    if region is not None:
        search.validate(SearchQuery(region=region))
    doc = search.documents.get(identifier)
    page = get_item(
        store,
        PreviewDocuments(search.documents, principal),
        search.vocabulary,
        identifier,
        region=region,
    )
    return page | {"preview": True, "pilot": bool(doc and in_pilot(doc))}


@router.get(
    "/api/preview/sources/{source}/items",
    responses=ERRORS,
    summary="Innehåll i pilot / A source's pilot content",
    description="The source's items that are in pilot, for those with a preview scope.",
)
def preview_source_items(
    source: SourceKey,
    search: SearchDep,
    settings: SettingsDep,
    authorization: Authorization = None,
) -> dict[str, Any]:
    principal = authenticate(settings, bearer(authorization))
    require_preview(principal, source)
    today = dt.date.today()
    items = pilot_items(search.documents, principal, source)
    return {"source": source, "items": [search.summary(d, today) for d in items]}
