"""``/ontology``: the generated ontology documentation (the pages ``kunskapsgraf docs`` writes),
built from the model files on first request and again only when a file changes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from service.api.deps import SettingsDep
from service.errors import NotFound
from service.ontodoc import build_site

router = APIRouter(prefix="/ontology", tags=["ontology"])


def _site(request: Request, settings: SettingsDep) -> dict[str, str]:
    # build_site keeps the pages per state of the files; a changed file shows after a reload.
    return build_site(settings)


@router.get("", include_in_schema=False)
def ontology_root() -> RedirectResponse:
    # Pages link to each other relatively, so the index must be served below the slash.
    return RedirectResponse("/ontology/", status_code=308)


@router.get("/", response_class=HTMLResponse, summary="Ontology documentation: overview")
def ontology_index(request: Request, settings: SettingsDep) -> HTMLResponse:
    return HTMLResponse(_site(request, settings)["index.html"])


@router.get(
    "/{page:path}",
    response_class=HTMLResponse,
    summary="Ontology documentation: one class, property, concept scheme or shape",
)
def ontology_page(page: str, request: Request, settings: SettingsDep) -> HTMLResponse:
    pages = _site(request, settings)
    html = pages.get(page) or pages.get(page.removesuffix("/") + ".html")
    if html is None:
        raise NotFound(
            f"Ingen dokumentationssida {page!r}; se /ontology/.",
            f"No documentation page {page!r}; see /ontology/.",
            page=page,
        )
    return HTMLResponse(html)
