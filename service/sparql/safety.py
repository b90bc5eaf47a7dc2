"""What a public query may do, decided by parsing it before anything runs.

``check_query`` accepts read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) and refuses, with a
Swedish and English message:

- text longer than the limit (413),
- text that does not parse (400 with pyoxigraph's message, line and column),
- updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR`` ... 403),
- ``SERVICE`` (federated queries reach out to other servers; 403).

Two parsers do this. pyoxigraph (the engine that runs the query) parses every query: on an
empty store it only parses and plans (≈ 0.05 ms), which gives the query form and the exact
syntax error. rdflib's SPARQL parser (≈ 25 ms) is needed for what pyoxigraph does not expose:
whether the query contains ``SERVICE`` and which graphs ``FROM`` / ``FROM NAMED`` name. It runs
only when the query text, with ``\\u`` escapes decoded, contains the letters ``service`` or
``from``: a query without them cannot contain those keywords, so skipping the slow parse there
decides nothing. A query that mentions ``service`` but that rdflib cannot parse is refused:
what cannot be checked does not run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import pyoxigraph
from pyoxigraph import QueryBoolean, QuerySolutions
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from service.errors import Forbidden, InvalidQuery, PayloadTooLarge
from service.store.oxigraph import syntax_position
from service.terms import PREFIXES

QueryForm = Literal["solutions", "boolean", "graph"]

# SPARQL 1.1 §19.2: \uXXXX and \UXXXXXXXX may stand for any character of the query text.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the checks. ``default_graphs``/``named_graphs`` are the IRIs of the
    query's own ``FROM`` / ``FROM NAMED`` clauses (None: the query has none)."""

    text: str
    form: QueryForm
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


def _decoded(text: str) -> str:
    return _CODEPOINT.sub(lambda m: chr(int(m[1] or m[2], 16)), text).casefold()


def _nodes(value: Any) -> Iterator[CompValue]:
    """Every rule node of an rdflib parse tree."""
    if isinstance(value, CompValue):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list | tuple) or hasattr(value, "asList"):
        for child in value:
            yield from _nodes(child)


def _parse_error(exc: SyntaxError) -> InvalidQuery:
    line, column = syntax_position(exc)
    return InvalidQuery(
        f"Frågan kan inte tolkas (rad {line}, kolumn {column}): {exc.msg}",
        f"The query cannot be parsed (line {line}, column {column}): {exc.msg}",
        line=line,
        column=column,
    )


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:  # rdflib raises pyparsing errors and others: not an update then
        return False
    return True


def update_refused() -> Forbidden:
    return Forbidden(
        "Den publika SPARQL-ändpunkten är skrivskyddad: uppdateringar (INSERT, DELETE, LOAD, "
        "CLEAR …) tas inte emot. Innehåll läses in via inläsnings-API:t.",
        "The public SPARQL endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR …) are "
        "not accepted. Content is written through the ingestion API.",
        reason="update",
    )


def service_refused() -> Forbidden:
    return Forbidden(
        "SERVICE (federerade frågor) är inte tillåtet: ändpunkten kontaktar inga andra servrar.",
        "SERVICE (federated queries) is not allowed: the endpoint contacts no other servers.",
        reason="service",
    )


def _deep_check(text: str, mentions_service: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """rdflib's parse: refuse SERVICE, return the FROM / FROM NAMED IRIs."""
    try:
        parsed = parseQuery(text)
    except Exception as exc:  # pyparsing's ParseException, rdflib's own errors
        if mentions_service:
            raise InvalidQuery(
                f"Frågan kan inte kontrolleras och körs därför inte: {exc}",
                f"The query cannot be checked, so it is not run: {exc}",
                line=getattr(exc, "lineno", None),
                column=getattr(exc, "col", None),
            ) from exc
        return (), ()
    if any(node.name == "ServiceGraphPattern" for node in _nodes(parsed)):
        raise service_refused()
    if not any(node.name == "DatasetClause" for node in _nodes(parsed)):
        return (), ()
    try:
        algebra = translateQuery(parsed, initNs=PREFIXES).algebra
    except Exception:  # an unknown prefix: pyoxigraph reports it below
        return (), ()
    clauses = algebra.get("datasetClause") or []
    # CompValue.get resolves values in its own way: read the plain dict.
    default = tuple(str(dict.get(c, "default")) for c in clauses if "default" in c)
    named = tuple(str(dict.get(c, "named")) for c in clauses if "named" in c)
    return default, named


def _query_form(text: str) -> QueryForm:
    """pyoxigraph's parse of ``text``: ASK is evaluated at once (on an empty store here),
    SELECT and CONSTRUCT only when iterated, which never happens. The result object lives only
    in this frame: pyoxigraph's results must be dropped by the thread that made them."""
    try:
        result = pyoxigraph.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        if _is_update(text):
            raise update_refused() from exc
        raise _parse_error(exc) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        # Parsed but not runnable, e.g. a call of a function pyoxigraph does not know.
        raise InvalidQuery(
            f"Frågan kan inte köras: {exc}", f"The query cannot be run: {exc}"
        ) from exc
    form: QueryForm = (
        "solutions"
        if isinstance(result, QuerySolutions)
        else "boolean"
        if isinstance(result, QueryBoolean)
        else "graph"
    )
    del result
    return form


def check_query(text: str, max_chars: int) -> CheckedQuery:
    """Check a public query; raise ``PayloadTooLarge``, ``InvalidQuery`` or ``Forbidden``.

    >>> check_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", 1000).form
    'solutions'
    """
    if len(text) > max_chars:
        raise PayloadTooLarge(
            f"Frågan är för lång: {len(text)} tecken, högst {max_chars}.",
            f"The query is too long: {len(text)} characters, at most {max_chars}.",
            limit=max_chars,
            length=len(text),
        )
    if not text.strip():
        raise InvalidQuery("Frågan är tom.", "The query is empty.")
    decoded = _decoded(text)
    mentions_service = "service" in decoded
    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()
    if mentions_service or "from" in decoded:
        default, named = _deep_check(text, mentions_service)
    # Only now, with SERVICE ruled out, may pyoxigraph see the query.
    form = _query_form(text)
    return CheckedQuery(text, form, default or None, named or None)
