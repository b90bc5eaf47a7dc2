"""The HTML pages staff use: search (``/``, ``/sok``), item pages (``/innehall/{id}``) and
concept browsing (``/begrepp``, ``/begrepp/{scheme}``, ``/begrepp/{scheme}/{notation}``).
Server-rendered and complete without JavaScript.

The page's whole state is in its URL. The chosen region is also remembered in a cookie: a
request without ``region`` is redirected to the same URL with the remembered one, so what is
in the address bar is always what is shown (and can be shared); ``region=`` (empty) forgets it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SearchDep, StoreDep
from service.errors import KunskapsgrafError
from service.related import RelatedService
from service.search import SearchQuery, SearchService
from service.web.render import render
from service.web.state import SearchState
from service.web.views import concept_view, item_view, scheme_view, schemes_view, search_view

router = APIRouter(include_in_schema=False)

REGION_COOKIE = "kg_region"
ONE_YEAR = 365 * 24 * 3600
# Everything comes from this server: no fonts, scripts or analytics from anywhere else.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
RELATED_LIMIT = 8
HEADINGS = {400: "Felaktig adress", 404: "Sidan finns inte"}


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = defaultdict(list)
    for key, value in request.query_params.multi_items():
        params[key].append(value)
    return params


def _page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _error_page(error: KunskapsgrafError) -> HTMLResponse:
    heading = HEADINGS.get(error.status, "Något gick fel")
    html = render(
        "error.html",
        heading=heading,
        message_sv=error.message_sv,
        message_en=error.message_en,
        section=None,
    )
    return _page(html, error.status)


def _related(request: Request) -> RelatedService | None:
    """The related-content service, when the application has one."""
    related = getattr(request.app.state, "related", None)
    return related if isinstance(related, RelatedService) else None


def _remembered_region(request: Request, search: SearchService) -> Response | None:
    """A redirect adding the remembered region when the URL does not name one."""
    if "region" in request.query_params:
        return None
    remembered = request.cookies.get(REGION_COOKIE, "")
    if not remembered or remembered not in search.facet_values("region"):
        return None
    url = request.url.include_query_params(region=remembered)
    return RedirectResponse(str(url.path) + "?" + url.query, status_code=303)


def _remember(response: Response, request: Request, region: str | None) -> Response:
    if "region" not in request.query_params:
        return response
    if region:
        response.set_cookie(
            REGION_COOKIE,
            region,
            max_age=ONE_YEAR,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.url.scheme == "https",
        )
    else:
        response.delete_cookie(REGION_COOKIE, path="/")
    return response


def _search_page(request: Request, search: SearchService) -> Response:
    redirect = _remembered_region(request, search)
    if redirect is not None:
        return redirect
    state = SearchState.from_params(_params(request))
    try:
        context = search_view(search, state)
    except KunskapsgrafError as error:
        return _error_page(error)
    return _remember(
        _page(render("search.html", section="search", **context)), request, state.region
    )


@router.get("/")
def home(request: Request, search: SearchDep) -> Response:
    return _search_page(request, search)


@router.get("/sok")
def search_page(request: Request, search: SearchDep) -> Response:
    return _search_page(request, search)


@router.get("/innehall/{identifier}")
def item_page(
    request: Request,
    store: StoreDep,
    search: SearchDep,
    identifier: Annotated[str, Path(max_length=300)],
) -> Response:
    redirect = _remembered_region(request, search)
    if redirect is not None:
        return redirect
    region = request.query_params.get("region", "").strip() or None
    try:
        if region is not None:
            search.validate(SearchQuery(region=region))
        related = _related(request)
        context = item_view(
            store,
            search,
            identifier,
            region,
            related=(
                (
                    lambda ident, reg: related.related(ident, region=reg, limit=RELATED_LIMIT)[
                        "related"
                    ]
                )
                if related is not None
                else None
            ),
        )
    except KunskapsgrafError as error:
        return _error_page(error)
    return _remember(_page(render("item.html", section="search", **context)), request, region)


@router.get("/begrepp")
def schemes_page(store: StoreDep) -> Response:
    return _page(render("concepts.html", section="concepts", **schemes_view(store)))


@router.get("/begrepp/{scheme}")
def scheme_page(store: StoreDep, scheme: Annotated[str, Path(max_length=100)]) -> Response:
    try:
        context = scheme_view(store, scheme)
    except KunskapsgrafError as error:
        return _error_page(error)
    return _page(render("scheme.html", section="concepts", **context))


@router.get("/begrepp/{scheme}/{notation}")
def concept_page(
    request: Request,
    store: StoreDep,
    search: SearchDep,
    scheme: Annotated[str, Path(max_length=100)],
    notation: Annotated[str, Path(max_length=200)],
) -> Response:
    redirect = _remembered_region(request, search)
    if redirect is not None:
        return redirect
    region = request.query_params.get("region", "").strip() or None
    try:
        if region is not None:
            search.validate(SearchQuery(region=region))
        context = concept_view(store, search, f"{scheme}:{notation}", region)
    except KunskapsgrafError as error:
        return _error_page(error)
    return _remember(_page(render("concept.html", section="concepts", **context)), request, region)
