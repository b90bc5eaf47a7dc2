"""Writing content: push a batch, withdraw or supersede an item, list a source's runs.

Writes need ``Authorization: Bearer <token>`` with the token of that one source.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request
from pydantic import BaseModel, Field

from service.api.deps import SearchDep, SettingsDep, StoreDep
from service.api.models import ErrorResponse
from service.errors import PayloadTooLarge
from service.governance import audit
from service.governance.decisions import require_ingestible
from service.ingest import RDF_MEDIA_TYPES, authorize, ingest_batch, media_type, parse_rdf
from service.ingest.lifecycle import change_lifecycle
from service.ingest.native import map_native
from service.ingest.runs import RunLog

router = APIRouter(prefix="/api/sources", tags=["ingestion"])

SourceKey = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
LocalId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=200)]
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 413, 415, 422)
}


def _token(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Innehållet är större än gränsen {limit} byte.",
        f"The body is larger than the limit of {limit} bytes.",
        limit=limit,
    )


def _run_log(request: Request) -> RunLog:
    log: RunLog = request.app.state.run_log
    return log


@router.post(
    "/{source}/items",
    responses=ERRORS,
    summary="Skicka in innehåll / Push a batch",
    description="A batch of items as Turtle, N-Triples, JSON-LD (our context: "
    "`https://kunskapsgraf.se/ns/context.jsonld`) or RDF/XML, or in the source's native format "
    "through its mapping. Validated against the information specification and stored whole "
    "(200) or rejected whole (422 with the results and the sh:ValidationReport as JSON-LD). "
    "Sending the same content again changes nothing (status `unchanged`).",
)
async def push_items(
    request: Request,
    source: SourceKey,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
    content_type: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    principal = authorize(settings, source, _token(authorization))
    require_ingestible(store, source)  # suspended, rejected or retired: no new content
    body = await read_body(request, settings.max_body_bytes)
    kind = media_type(content_type)
    mapping_version = "rdf"
    codes = None
    if kind in RDF_MEDIA_TYPES:
        ontology = settings.ontology_dir / "kunskapsgraf.ttl"
        triples = parse_rdf(body, kind, ontology_file=ontology)
    else:
        native = map_native(settings, source, [(body, None)], kind or None, store=store)
        triples, mapping_version = native.triples, native.mapping_version
        codes = native.links.as_json()
    report = ingest_batch(
        store,
        settings,
        source,
        triples,
        mapping_version=mapping_version,
        codes=codes,
        run_log=_run_log(request),
    )
    # The index follows in the same request: only the items this write touched.
    search.update_items(store, report.added + report.updated)
    request.app.state.related.refresh_soon(store)  # rebuilt from the search documents
    audit.record_write(store, principal, "items-pushed", report)
    return report.as_json()


class Supersede(BaseModel):
    replacedBy: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9._-]*$",
        description="Identifier of the item that replaces this one.",
        examples=["nkk:astma-vuxna"],
    )


@router.post(
    "/{source}/items/{local_id}/withdraw",
    responses=ERRORS,
    summary="Dra tillbaka / Withdraw an item",
)
def withdraw(
    request: Request,
    source: SourceKey,
    local_id: LocalId,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    principal = authorize(settings, source, _token(authorization))
    report = change_lifecycle(
        store,
        settings,
        source,
        f"{source}:{local_id}",
        "tillbakadragen",
        run_log=_run_log(request),
    )
    # The index follows in the same request: only the items this write touched.
    search.update_items(store, report.added + report.updated)
    request.app.state.related.refresh_soon(store)  # rebuilt from the search documents
    audit.record_write(store, principal, "item-withdrawn", report)
    return report.as_json()


@router.post(
    "/{source}/items/{local_id}/supersede",
    responses=ERRORS,
    summary="Ersätt / Supersede an item",
)
def supersede(
    request: Request,
    source: SourceKey,
    local_id: LocalId,
    body: Annotated[Supersede, Body()],
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    principal = authorize(settings, source, _token(authorization))
    report = change_lifecycle(
        store,
        settings,
        source,
        f"{source}:{local_id}",
        "ersatt",
        replaced_by=body.replacedBy,
        run_log=_run_log(request),
    )
    # The index follows in the same request: only the items this write touched.
    search.update_items(store, report.added + report.updated)
    request.app.state.related.refresh_soon(store)  # rebuilt from the search documents
    audit.record_write(store, principal, "item-superseded", report)
    return report.as_json()


@router.get("/{source}/runs", responses=ERRORS, summary="Inläsningar / Ingestion runs")
def runs(
    request: Request,
    source: SourceKey,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """The source's runs, newest first, rejected ones included (the source's token)."""
    authorize(settings, source, _token(authorization))
    return {"source": source, "runs": _run_log(request).runs(source)}
