"""Result formats and content negotiation (``Accept`` with q-values, parsed by mimeparse).

SELECT and ASK answer in the SPARQL results formats (JSON by default), CONSTRUCT and DESCRIBE
in RDF formats (Turtle by default). A ``format`` parameter (``json``, ``xml``, ``csv``, ``tsv``,
``turtle``, ``ntriples``, ``jsonld``, ``rdfxml`` or a media type) overrides ``Accept``, for
links and tools that cannot set headers.
"""

from __future__ import annotations

from dataclasses import dataclass

import mimeparse
from pyoxigraph import QueryResultsFormat, RdfFormat

from service.errors import KunskapsgrafError


class NotAcceptable(KunskapsgrafError):
    status = 406
    code = "not_acceptable"


@dataclass(frozen=True)
class ResultFormat:
    media_type: str  # what the response says in Content-Type (without charset)
    name: str  # short name for the ``format`` parameter
    results: QueryResultsFormat | None = None  # for SELECT / ASK
    rdf: RdfFormat | None = None  # for CONSTRUCT / DESCRIBE and graphs


SOLUTION_FORMATS = (
    ResultFormat("application/sparql-results+json", "json", results=QueryResultsFormat.JSON),
    ResultFormat("application/sparql-results+xml", "xml", results=QueryResultsFormat.XML),
    ResultFormat("text/csv", "csv", results=QueryResultsFormat.CSV),
    ResultFormat("text/tab-separated-values", "tsv", results=QueryResultsFormat.TSV),
)
GRAPH_FORMATS = (
    ResultFormat("text/turtle", "turtle", rdf=RdfFormat.TURTLE),
    ResultFormat("application/n-triples", "ntriples", rdf=RdfFormat.N_TRIPLES),
    ResultFormat("application/ld+json", "jsonld", rdf=RdfFormat.JSON_LD),
    ResultFormat("application/rdf+xml", "rdfxml", rdf=RdfFormat.RDF_XML),
)
# Accepted as requests for the same formats (older or generic names clients send).
ALIASES = {
    "application/json": "application/sparql-results+json",
    "text/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/x-turtle": "text/turtle",
}


def _accept_with_aliases(accept: str, formats: tuple[ResultFormat, ...]) -> list[str]:
    """The candidate media types (aliases included), least preferred first (mimeparse's order
    for breaking ties), so ``*/*`` and a missing header give the first format."""
    names = [f.media_type for f in formats]
    names += [alias for alias, target in ALIASES.items() if target in names]
    return list(reversed(names))


def negotiate(
    accept: str | None, formats: tuple[ResultFormat, ...], override: str | None = None
) -> ResultFormat:
    """The best of ``formats`` for an ``Accept`` header (the first one when it is missing).

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", SOLUTION_FORMATS).name
    'xml'
    >>> negotiate(None, GRAPH_FORMATS).media_type
    'text/turtle'
    """
    if override:
        for f in formats:
            if override in (f.name, f.media_type) or ALIASES.get(override) == f.media_type:
                return f
        raise _not_acceptable(override, formats)
    if not accept or not accept.strip():
        return formats[0]
    try:
        best = mimeparse.best_match(_accept_with_aliases(accept, formats), accept)
    except (ValueError, mimeparse.MimeTypeParseException):
        best = ""
    if not best:
        raise _not_acceptable(accept, formats)
    best = ALIASES.get(best, best)
    return next(f for f in formats if f.media_type == best)


def _not_acceptable(asked: str, formats: tuple[ResultFormat, ...]) -> NotAcceptable:
    offered = [f.media_type for f in formats]
    return NotAcceptable(
        f"Formatet kan inte levereras: {asked}. Möjliga: {', '.join(offered)}.",
        f"Cannot deliver {asked}. Available: {', '.join(offered)}.",
        accept=asked,
        available=offered,
    )


def prefers_html(accept: str | None) -> bool:
    """A browser: ``text/html`` ranks above every RDF format in ``accept``.

    >>> prefers_html("text/html,application/xhtml+xml,*/*;q=0.8")
    True
    >>> prefers_html("text/turtle, text/html;q=0.5")
    False
    """
    if not accept or "text/html" not in accept:
        return False
    candidates = [f.media_type for f in reversed(GRAPH_FORMATS)] + ["text/html"]
    try:
        return bool(mimeparse.best_match(candidates, accept) == "text/html")
    except (ValueError, mimeparse.MimeTypeParseException):
        return False
