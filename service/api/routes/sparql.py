"""``/sparql`` per the SPARQL 1.1 Protocol (read-only), the Graph Store Protocol's read side at
``/rdf-graphs``, and the query page for browsers.

- ``GET /sparql?query=…``, ``POST /sparql`` with a form (``query=…``) or with
  ``Content-Type: application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``
  narrow the dataset; other parameters are ignored. Updates get 403.
- ``GET /sparql`` without a query: the Service Description for machines (by ``Accept``), the
  query page (YASGUI, served from ``service/web/sparql``) for browsers.
- CORS is open on every linked-data and SPARQL path (``CORS_PATHS``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.deps import StoreDep
from service.api.models import ErrorResponse
from service.api.routes.sources import read_body
from service.errors import InvalidParameter, UnsupportedMediaType
from service.sparql.description import serialize, service_description
from service.sparql.endpoint import SparqlEndpoint, SparqlResult
from service.sparql.formats import GRAPH_FORMATS, negotiate, prefers_html
from service.sparql.safety import update_refused

WEB_DIR = Path(__file__).resolve().parents[2] / "web" / "sparql"
YASGUI_DIR = WEB_DIR / "node_modules" / "@zazuko" / "yasgui" / "build"
EXAMPLES_DIR = WEB_DIR / "examples"

router = APIRouter(tags=["sparql"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 403, 406, 413, 415, 503)
}
CORS_PATHS = ("/sparql", "/rdf-graphs", "/id/", "/vocab/", "/ont/", "/ns/", "/.well-known/void")
TEXT_TYPES = ("text/", "application/sparql-results+xml", "application/rdf+xml")


def sparql_endpoint(request: Request) -> SparqlEndpoint:
    endpoint: SparqlEndpoint = request.app.state.sparql
    return endpoint


def _response(result: SparqlResult) -> Response:
    media_type = result.media_type
    if media_type.startswith(TEXT_TYPES):
        media_type += "; charset=utf-8"
    return Response(result.body, media_type=media_type, headers={"Vary": "Accept"})


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise InvalidParameter(
            f"Parametern {name} får bara förekomma en gång.",
            f"The parameter {name} may occur only once.",
            parameter=name,
        )
    return values[0] if values else None


def _all(params: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


async def _run(
    request: Request, store: StoreDep, params: list[tuple[str, str]], query: str
) -> Response:
    endpoint = sparql_endpoint(request)
    result = await run_in_threadpool(
        endpoint.query,
        store,
        query,
        accept=request.headers.get("accept"),
        format_override=_one(params, "format"),
        default_graph_uris=_all(params, "default-graph-uri"),
        named_graph_uris=_all(params, "named-graph-uri"),
    )
    return _response(result)


@router.get(
    "/sparql",
    responses={
        **ERRORS,
        200: {"content": {"application/sparql-results+json": {}, "text/turtle": {}}},
    },
    summary="SPARQL 1.1-fråga / SPARQL 1.1 query (GET)",
    description="`query` runs a read-only query over approved sources (results by `Accept`: "
    "JSON, XML, CSV, TSV; graphs: Turtle, N-Triples, JSON-LD, RDF/XML). Without `query`: the "
    "Service Description (RDF) or, for browsers, the query page.",
)
async def sparql_get(request: Request, store: StoreDep) -> Response:
    params = list(request.query_params.multi_items())
    query = _one(params, "query")
    if _one(params, "update") is not None:
        raise update_refused()
    if query is not None:
        return await _run(request, store, params, query)
    if prefers_html(request.headers.get("accept")):
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")
    endpoint = sparql_endpoint(request)
    chosen = negotiate(request.headers.get("accept"), GRAPH_FORMATS, _one(params, "format"))
    graphs = await run_in_threadpool(endpoint.visible, store)
    assert chosen.rdf is not None
    body = serialize(service_description(str(request.url.replace(query="")), graphs), chosen.rdf)
    return _response(SparqlResult(body, chosen.media_type))


@router.post(
    "/sparql",
    responses=ERRORS,
    summary="SPARQL 1.1-fråga / SPARQL 1.1 query (POST)",
    description="Form (`application/x-www-form-urlencoded`, `query=`) or the query itself "
    "(`application/sparql-query`). Updates (`update=`, `application/sparql-update`) get 403.",
)
async def sparql_post(request: Request, store: StoreDep) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    settings = request.app.state.settings
    # A query is text; 4 bytes per character is the most UTF-8 needs.
    body = await read_body(request, settings.sparql_max_query_chars * 4 + 10_000)
    params = list(request.query_params.multi_items())
    if content_type == "application/sparql-update":
        raise update_refused()
    if content_type == "application/x-www-form-urlencoded":
        params += parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        if _one(params, "update") is not None:
            raise update_refused()
        query = _one(params, "query")
        if query is None:
            raise InvalidParameter(
                "Formuläret saknar parametern query.",
                "The form has no query parameter.",
                parameter="query",
            )
    elif content_type == "application/sparql-query":
        try:
            query = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidParameter(
                "Frågan är inte UTF-8.", "The query is not UTF-8.", parameter="body"
            ) from exc
    else:
        raise UnsupportedMediaType(
            f"Innehållstypen {content_type or '(saknas)'} stöds inte för SPARQL.",
            f"The content type {content_type or '(missing)'} is not supported for SPARQL.",
            supported=["application/sparql-query", "application/x-www-form-urlencoded"],
        )
    return await _run(request, store, params, query)


@router.get(
    "/sparql/examples",
    summary="Exempelfrågor / Example queries",
    description="The query page's example queries: `[{name, title, query}]`.",
)
def sparql_examples() -> JSONResponse:
    examples = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = text.splitlines()[0].lstrip("# ").strip() if text.startswith("#") else path.stem
        examples.append({"name": path.stem, "title": title, "query": text})
    return JSONResponse(examples)


@router.get(
    "/rdf-graphs",
    responses={**ERRORS, 404: {"model": ErrorResponse}},
    summary="En publik graf / One public graph (Graph Store Protocol, GET)",
    description="`graph=<IRI>`: the named graph, e.g. one source's "
    "`https://kunskapsgraf.se/graph/source/nkk`, as Turtle, N-Triples, JSON-LD or RDF/XML.",
)
async def rdf_graph(request: Request, store: StoreDep) -> Response:
    params = list(request.query_params.multi_items())
    graph = _one(params, "graph")
    endpoint = sparql_endpoint(request)
    if not graph:
        graphs = await run_in_threadpool(endpoint.visible, store)
        raise InvalidParameter(
            "Ange grafen med graph=<IRI>.",
            "Name the graph with graph=<IRI>.",
            parameter="graph",
            graphs=[g.value for g in graphs],
        )
    result = await run_in_threadpool(
        endpoint.graph, store, graph, accept=request.headers.get("accept")
    )
    return _response(result)


class ScopedCors:
    """CORS (any origin, no credentials) on the public read paths only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Accept", "Content-Type"],
            expose_headers=["Content-Type", "Vary"],
            max_age=3600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CORS_PATHS):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class InvalidateAfterWrites:
    """After every successful write request, public readers must see the new state: the
    SPARQL snapshot and the visible graphs are rebuilt on their next use."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        status = 500

        async def remember(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, remember)
        if status < 400 and not scope["path"].startswith("/sparql"):
            scope["app"].state.sparql.invalidate()


def install(app: FastAPI) -> None:
    """The endpoint's state, routes, static assets and middleware on ``app``."""
    app.state.sparql = SparqlEndpoint(app.state.settings)
    app.include_router(router)
    if YASGUI_DIR.is_dir():
        app.mount("/sparql/assets", StaticFiles(directory=YASGUI_DIR), name="sparql-assets")
    app.add_middleware(InvalidateAfterWrites)
    app.add_middleware(ScopedCors)
