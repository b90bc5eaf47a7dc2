"""A ``Store`` on any SPARQL 1.1 server: Query and Update over HTTP, Graph Store Protocol reads.

Tested against ``oxigraph serve --union-default-graph``; Fuseki, GraphDB and Virtuoso work the
same way when their default graph is the union of the named graphs (README: "Remote store").

Every query is first parsed locally by pyoxigraph (on an empty store, which costs ~0.05 ms):
syntax errors get the same message, line and column as on the embedded store, and the query
form is known before anything is sent. Our prefixes (``ks:``, ``skos:`` ...) are declared in
front of the text; substitutions become a trailing ``VALUES`` block (the join SPARQL defines
for it binds the variables before grouping and projection), so no server needs SEP-0007.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from typing import BinaryIO

import httpx
import pyoxigraph
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
)

from service.errors import InvalidQuery, StoreUnavailable
from service.store.base import Row, Substitutions, Term, solution_rows
from service.store.bindings import with_values
from service.store.oxigraph import syntax_position
from service.terms import PREFIXES

PROLOGUE = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in sorted(PREFIXES.items()))
SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


def term_sparql(term: Term) -> str:
    """A term in SPARQL syntax (N-Triples is a subset of it), escaped by pyoxigraph."""
    return str(term)


def values_clause(substitutions: Substitutions | None) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` for the substituted variables, or ''."""
    if not substitutions:
        return ""
    names = " ".join(f"?{name}" for name in substitutions)
    terms = " ".join(term_sparql(term) for term in substitutions.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}"


def _bound(query: str, substitutions: Substitutions | None) -> str:
    """The query with its bindings: a VALUES block opening the WHERE clause where that can be
    done (:mod:`service.store.bindings`), else a trailing VALUES clause."""
    if not substitutions:
        return query
    return with_values(query, substitutions) or query + values_clause(substitutions)


def _local_form(query: str) -> type:
    """Parse ``query`` with pyoxigraph and return its result type (form), or raise."""
    try:
        result = pyoxigraph.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        line, column = syntax_position(exc)
        raise InvalidQuery(
            f"Frågan kan inte tolkas (rad {line}, kolumn {column}): {exc.msg}",
            f"The query cannot be parsed (line {line}, column {column}): {exc.msg}",
            line=line,
            column=column,
        ) from exc
    form = type(result)
    del result  # pyoxigraph results must be dropped by the thread that made them
    return form


def _chunks(quads: Iterable[Quad], graph_key: bool = True) -> dict[str, list[Quad]]:
    by_graph: dict[str, list[Quad]] = {}
    for quad in quads:
        g = quad.graph_name
        key = "" if isinstance(g, DefaultGraph) else str(g)
        by_graph.setdefault(key, []).append(quad)
    return by_graph


def _triples_text(triples: Iterable[Triple]) -> str:
    out = io.BytesIO()
    pyoxigraph.serialize(triples, out, RdfFormat.N_TRIPLES)
    return out.getvalue().decode()


def _insert_data(quads: Iterable[Quad]) -> str:
    """One ``INSERT DATA`` for quads in any graphs (blank nodes keep their identity within it)."""
    blocks: list[str] = []
    for key, group in _chunks(quads).items():
        text = _triples_text(q.triple for q in group)
        blocks.append(text if not key else f"GRAPH {key} {{\n{text}}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}" if blocks else ""


class RemoteSparqlStore:
    """A ``Store`` speaking SPARQL 1.1 Query/Update and the Graph Store Protocol over HTTP.

    >>> store = RemoteSparqlStore("http://127.0.0.1:7878/query",  # doctest: +SKIP
    ...     "http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store")
    """

    def __init__(
        self,
        query_url: str,
        update_url: str,
        store_url: str,
        *,
        timeout_s: float = 60,
        client: httpx.Client | None = None,
    ) -> None:
        self.name = "remote"
        self.query_url = query_url
        self.update_url = update_url
        self.store_url = store_url
        # One keep-alive client: ~0.5 ms per request instead of a new connection each time.
        self._client = client or httpx.Client(timeout=timeout_s)

    # -- HTTP ---------------------------------------------------------------------------------

    def _post(self, url: str, content: str, content_type: str, accept: str | None) -> bytes:
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        try:
            response = self._client.post(url, content=content.encode(), headers=headers)
        except httpx.HTTPError as exc:
            raise self._unavailable(url, str(exc)) from exc
        if response.status_code >= 400:
            self._raise_for(response, url)
        return response.content

    def _get(self, url: str, params: Mapping[str, str], accept: str) -> bytes | None:
        try:
            response = self._client.get(url, params=params, headers={"Accept": accept})
        except httpx.HTTPError as exc:
            raise self._unavailable(url, str(exc)) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            self._raise_for(response, url)
        return response.content

    @staticmethod
    def _unavailable(url: str, why: str) -> StoreUnavailable:
        return StoreUnavailable(
            f"SPARQL-servern {url} svarar inte: {why}",
            f"The SPARQL server {url} does not answer: {why}",
            url=url,
        )

    def _raise_for(self, response: httpx.Response, url: str) -> None:
        text = response.text[:500]
        if response.status_code == 400:
            raise InvalidQuery(
                f"SPARQL-servern avvisade förfrågan: {text}",
                f"The SPARQL server rejected the request: {text}",
                status=response.status_code,
            )
        raise StoreUnavailable(
            f"SPARQL-servern {url} svarade {response.status_code}: {text}",
            f"The SPARQL server {url} answered {response.status_code}: {text}",
            url=url,
            status=response.status_code,
        )

    def _query(self, query: str, substitutions: Substitutions | None, accept: str) -> bytes:
        return self._post(
            self.query_url,
            PROLOGUE + _bound(query, substitutions),
            "application/sparql-query",
            accept,
        )

    # -- Store protocol ----------------------------------------------------------------------

    def select(self, query: str, substitutions: Substitutions | None = None) -> list[Row]:
        if _local_form(query) is not QuerySolutions:
            raise InvalidQuery(
                "Frågan är inte en SELECT-fråga.", "The query is not a SELECT query."
            )
        body = self._query(query, substitutions, SPARQL_JSON)
        result = pyoxigraph.parse_query_results(body, QueryResultsFormat.JSON)
        assert isinstance(result, QuerySolutions)
        return solution_rows(result)

    def ask(self, query: str, substitutions: Substitutions | None = None) -> bool:
        if _local_form(query) is not QueryBoolean:
            raise InvalidQuery("Frågan är inte en ASK-fråga.", "The query is not an ASK query.")
        body = self._query(query, substitutions, SPARQL_JSON)
        result = pyoxigraph.parse_query_results(body, QueryResultsFormat.JSON)
        return bool(result)

    def construct(self, query: str, substitutions: Substitutions | None = None) -> list[Triple]:
        if _local_form(query) is not QueryTriples:
            raise InvalidQuery(
                "Frågan är inte en CONSTRUCT- eller DESCRIBE-fråga.",
                "The query is not a CONSTRUCT or DESCRIBE query.",
            )
        body = self._query(query, substitutions, N_TRIPLES)
        return [q.triple for q in pyoxigraph.parse(body, RdfFormat.N_TRIPLES)]

    def update(self, update: str) -> None:
        try:
            self._post(self.update_url, PROLOGUE + update, "application/sparql-update", accept=None)
        except InvalidQuery:
            # The server's message has its own positions (shifted by our prologue): parse
            # locally for the same message as the embedded store. Only on this error path.
            try:
                pyoxigraph.Store().update(update, prefixes=PREFIXES)
            except SyntaxError as exc:
                line, column = syntax_position(exc)
                raise InvalidQuery(
                    f"Uppdateringen kan inte tolkas (rad {line}, kolumn {column}): {exc.msg}",
                    f"The update cannot be parsed (line {line}, column {column}): {exc.msg}",
                    line=line,
                    column=column,
                ) from exc
            raise

    def add_quads(self, quads: Iterable[Quad]) -> None:
        # One update request is one transaction on the server: all quads or none.
        text = _insert_data(quads)
        if text:
            self._post(self.update_url, text, "application/sparql-update", accept=None)

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        parts: list[str] = []
        for graph, triples in graphs.items():
            parts.append(f"DROP SILENT GRAPH <{graph.value}>")
            text = _triples_text(triples)
            if text:
                parts.append(f"INSERT DATA {{ GRAPH <{graph.value}> {{\n{text}}} }}")
        if parts:
            self._post(
                self.update_url, " ;\n".join(parts), "application/sparql-update", accept=None
            )

    def describe(self, subjects: Iterable[NamedNode], graph: NamedNode | None = None) -> list[Quad]:
        values = " ".join(term_sparql(s) for s in subjects)
        if not values:
            return []
        where = f"GRAPH {term_sparql(graph)}" if graph is not None else "GRAPH ?g"
        rows = self.select(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} {where} {{ ?s ?p ?o }} }}"
        )
        return [_quad(row, graph) for row in rows]

    def named_graphs(self) -> list[NamedNode]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted((r["g"] for r in rows if isinstance(r["g"], NamedNode)), key=str)

    def quad_count(self, graph: NamedNode | None = None) -> int:
        if graph is None:
            rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        else:
            rows = self.select(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {term_sparql(graph)} {{ ?s ?p ?o }} }}"
            )
        return int(rows[0]["n"].value) if rows else 0

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        if graph is not None:
            # Graph Store Protocol GET: the server streams the graph in N-Triples.
            body = self._get(self.store_url, {"graph": graph.value}, N_TRIPLES)
            if body is None:
                return iter(())
            return (
                Quad(q.subject, q.predicate, q.object, graph)
                for q in pyoxigraph.parse(body, RdfFormat.N_TRIPLES)
            )
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return iter([_quad(row, None) for row in rows])

    def dump(self, output: BinaryIO, format: RdfFormat, graph: NamedNode | None = None) -> None:
        if graph is None:
            pyoxigraph.serialize(self.quads(), output, format)
        else:
            pyoxigraph.serialize((q.triple for q in self.quads(graph)), output, format)

    def flush(self) -> None:
        # The server acknowledges an update after it is durable: nothing is buffered here.
        return None

    def close(self) -> None:
        self._client.close()


def _quad(row: Row, graph: NamedNode | None) -> Quad:
    subject, predicate, obj = row["s"], row["p"], row["o"]
    assert isinstance(subject, NamedNode | BlankNode) and isinstance(predicate, NamedNode)
    assert isinstance(obj, NamedNode | BlankNode | Literal)
    g = graph if graph is not None else row["g"]
    assert isinstance(g, NamedNode | BlankNode)
    return Quad(subject, predicate, obj, g)
