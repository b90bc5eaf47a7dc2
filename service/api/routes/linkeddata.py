"""Dereferenceable identifiers: ``/id/…``, ``/vocab/…`` and ``/ont/…`` answer with HTML for
browsers and RDF for machines from the same IRI (``Accept``, or ``format=``), ``Vary: Accept``.
Also the JSON-LD context and the VoID/DCAT description of the dataset."""

from __future__ import annotations

import io
import json
from typing import Any

import pyoxigraph
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import RdfFormat, Triple
from starlette.concurrency import run_in_threadpool

from service.api.deps import SettingsDep, StoreDep
from service.api.models import ErrorResponse
from service.api.routes.sparql import sparql_endpoint
from service.ingest.context import jsonld_context
from service.linkeddata import describe_resource, iri_for_path
from service.linkeddata.html import render_description
from service.linkeddata.void import PREFIXES as VOID_PREFIXES
from service.linkeddata.void import void_description
from service.sparql.formats import GRAPH_FORMATS, ResultFormat, negotiate, prefers_html
from service.terms import PREFIXES

router = APIRouter(tags=["linked data"])

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (404, 406)}
RDF_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}, "text/turtle": {}, "application/ld+json": {}}}
}
TEXT_TYPES = ("text/", "application/rdf+xml")


def _choose(request: Request) -> ResultFormat | None:
    """The RDF format asked for, or None for HTML (browsers: text/html preferred)."""
    override = request.query_params.get("format")
    if override == "html":
        return None
    if override:
        return negotiate(None, GRAPH_FORMATS, override)
    accept = request.headers.get("accept")
    if prefers_html(accept):
        return None
    return negotiate(accept, GRAPH_FORMATS)


def _rdf(triples: list[Triple], chosen: ResultFormat, prefixes: dict[str, str]) -> Response:
    out = io.BytesIO()
    assert chosen.rdf is not None
    if chosen.rdf == RdfFormat.N_TRIPLES:
        pyoxigraph.serialize(triples, out, chosen.rdf)
    else:
        pyoxigraph.serialize(triples, out, chosen.rdf, prefixes=prefixes)
    media_type = chosen.media_type
    if media_type.startswith(TEXT_TYPES):
        media_type += "; charset=utf-8"
    return Response(out.getvalue(), media_type=media_type, headers={"Vary": "Accept"})


async def _resource(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    chosen = _choose(request)
    iri = iri_for_path(request.url.path, settings.base_iri)
    endpoint = sparql_endpoint(request)
    view = await run_in_threadpool(endpoint.view, store)
    description = await run_in_threadpool(describe_resource, store, iri, view)
    if chosen is None:
        return HTMLResponse(
            render_description(description, settings.base_iri), headers={"Vary": "Accept"}
        )
    return _rdf(description.triples, chosen, PREFIXES)


@router.get(
    "/id/{path:path}",
    responses={**ERRORS, **RDF_CONTENT},
    summary="En instans / An instance (item, source, agent, licence …)",
    description="E.g. `/id/item/nkk/astma-vuxna`, `/id/source/nkk`: HTML for browsers, "
    "Turtle, JSON-LD, N-Triples or RDF/XML by `Accept` or `format`.",
)
async def instance(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _resource(request, store, settings)


@router.get(
    "/vocab/{path:path}",
    responses={**ERRORS, **RDF_CONTENT},
    summary="Ett begrepp eller begreppssystem / A concept or concept scheme",
    description="E.g. `/vocab/icd-10-se/J45`, `/vocab/audience`.",
)
async def vocabulary(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _resource(request, store, settings)


@router.get(
    "/ont/{term}",
    responses={**ERRORS, **RDF_CONTENT},
    summary="En ontologiterm / An ontology term",
    description="E.g. `/ont/KnowledgeProduct`, `/ont/title`.",
)
async def ontology_term(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _resource(request, store, settings)


@router.get(
    "/ns/context.jsonld",
    summary="JSON-LD-kontexten / The JSON-LD context",
    description="Generated from the ontology; publishers reference it as "
    "`https://kunskapsgraf.se/ns/context.jsonld`.",
)
def context(settings: SettingsDep) -> Response:
    body = jsonld_context(settings.ontology_dir / "kunskapsgraf.ttl")
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1),
        media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get(
    "/.well-known/void",
    responses={**ERRORS, **RDF_CONTENT},
    summary="VoID/DCAT-beskrivning / VoID and DCAT description",
    description="The dataset and each public source: title, licence, publisher, size, "
    "SPARQL endpoint and a dump URL per source graph.",
)
async def void(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    override = request.query_params.get("format")
    chosen = negotiate(request.headers.get("accept"), GRAPH_FORMATS, override)
    endpoint = sparql_endpoint(request)
    visible = await run_in_threadpool(endpoint.visible, store)
    site = str(request.base_url)
    triples = await run_in_threadpool(void_description, store, visible, site, settings.base_iri)
    return _rdf(triples, chosen, {**VOID_PREFIXES, **PREFIXES})
