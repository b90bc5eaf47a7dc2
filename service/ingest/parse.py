"""Reading a pushed batch of RDF: our JSON-LD, Turtle, N-Triples or RDF/XML, safely.

Never fetches anything: a JSON-LD document may name our context by its URL (substituted from
the local copy) or inline its own; any other remote context is refused. RDF/XML with a DOCTYPE
(entities) is refused before parsing. Errors name line and column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import DefaultGraph, RdfFormat, Triple

from service.errors import InvalidParameter, InvalidRdf
from service.ingest.context import CONTEXT_URL, jsonld_context
from service.store.oxigraph import syntax_position

RDF_MEDIA_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}


def media_type(content_type: str | None) -> str:
    """``text/turtle; charset=utf-8`` → ``text/turtle``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidRdf(
            f"Innehållet är inte giltig UTF-8 (rad {line}, byte {exc.start}).",
            f"The body is not valid UTF-8 (line {line}, byte {exc.start}).",
            line=line,
            byte=exc.start,
        ) from exc


def _with_local_context(text: str, ontology_file: Path) -> str:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRdf(
            f"Ogiltig JSON (rad {exc.lineno}, kolumn {exc.colno}): {exc.msg}",
            f"Invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
            line=exc.lineno,
            column=exc.colno,
        ) from exc
    local = jsonld_context(ontology_file)["@context"]

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            fixed = {k: fix(v) for k, v in node.items() if k != "@context"}
            if "@context" in node:
                fixed["@context"] = fix_context(node["@context"])
            return fixed
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    def fix_context(ctx: Any) -> Any:
        if isinstance(ctx, list):
            return [fix_context(c) for c in ctx]
        if isinstance(ctx, str):
            if ctx == CONTEXT_URL:
                return local
            raise InvalidRdf(
                f"Fjärrkontexter hämtas aldrig ({ctx}). "
                f"Använd {CONTEXT_URL} eller en inbäddad kontext.",
                f"Remote contexts are never fetched ({ctx}). "
                f"Use {CONTEXT_URL} or an inline context.",
                context=ctx,
            )
        return ctx

    return json.dumps(fix(document))


def parse_rdf(data: bytes, content_type: str, *, ontology_file: Path) -> list[Triple]:
    """Parse a pushed body into triples. Named graphs are refused: the service decides the
    graph (the source's)."""
    fmt = RDF_MEDIA_TYPES.get(media_type(content_type))
    if fmt is None:
        raise InvalidParameter(
            f"Okänt RDF-format: {content_type}.", f"Unknown RDF format: {content_type}."
        )
    text = _decode(data)
    if fmt == RdfFormat.RDF_XML and re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise InvalidRdf(
            "RDF/XML med DOCTYPE eller entiteter tas inte emot.",
            "RDF/XML with a DOCTYPE or entities is not accepted.",
        )
    if fmt == RdfFormat.JSON_LD:
        text = _with_local_context(text, ontology_file)
    try:
        quads = list(pyoxigraph.parse(text, format=fmt, base_iri=None))
    except SyntaxError as exc:
        line, column = syntax_position(exc)
        raise InvalidRdf(
            f"RDF kan inte tolkas (rad {line}, kolumn {column}): {exc.msg}",
            f"The RDF cannot be parsed (line {line}, column {column}): {exc.msg}",
            line=line,
            column=column,
        ) from exc
    triples: list[Triple] = []
    for q in quads:
        if not isinstance(q.graph_name, DefaultGraph):
            raise InvalidRdf(
                "Namngivna grafer tas inte emot: tjänsten lägger satsen i källans graf.",
                "Named graphs are not accepted: the service puts the batch in the source's graph.",
            )
        triples.append(q.triple)
    return triples
