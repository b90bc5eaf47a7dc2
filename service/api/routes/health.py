"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import SearchDep, StoreDep
from service.api.models import ErrorResponse, Health

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", response_model=Health, summary="The process answers")
def live() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Health,
    responses={503: {"model": ErrorResponse}},
    summary="The store and the search index can answer",
)
def ready(store: StoreDep, search: SearchDep) -> Health | JSONResponse:
    checks: dict[str, object] = {}
    try:
        checks["store"] = {"ok": store.ask("ASK { ?s ?p ?o }") or True, "backend": store.name}
    except Exception as exc:  # any failure here means "not ready", never a crash
        checks["store"] = {"ok": False, "error": str(exc)}
    try:
        checks["index"] = {"ok": True, "documents": search.index.document_count()}
    except Exception as exc:  # an index that cannot count its documents cannot search either
        checks["index"] = {"ok": False, "error": str(exc)}
    if not all(check["ok"] for check in checks.values()):  # type: ignore[index]
        return JSONResponse(
            {
                "error": {
                    "status": 503,
                    "code": "not_ready",
                    "message": {
                        "sv": "Lagret eller sökindexet svarar inte.",
                        "en": "The store or the search index does not answer.",
                    },
                    "details": checks,
                }
            },
            status_code=503,
        )
    return Health(status="ok", checks=checks)
