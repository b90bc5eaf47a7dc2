"""The embedded store: pyoxigraph (RocksDB on disk, or in memory for tests and notebooks)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    Variable,
)

from service.errors import InvalidQuery, StoreUnavailable
from service.store.base import Row, Substitutions, solution_rows
from service.store.bindings import with_values
from service.terms import PREFIXES

# pyoxigraph puts positions in its messages: "error at 1:26: …" (SPARQL) or
# "Parser error between line 3 column 11 and …" (RDF).
_POSITION = re.compile(r"(?:line|at) (\d+)[:, ]+(?:column )?(\d+)")


def syntax_position(exc: SyntaxError) -> tuple[int | None, int | None]:
    """Line and column (1-based) of a pyoxigraph syntax error."""
    found = _POSITION.search(exc.msg or "")
    return (int(found[1]), int(found[2])) if found else (exc.lineno, exc.offset)


def _substitutions(
    values: Substitutions | None,
) -> dict[Variable, NamedNode | BlankNode | Literal | Triple] | None:
    if not values:
        return None
    return {Variable(name): term for name, term in values.items()}


class OxigraphStore:
    """A ``Store`` backed by pyoxigraph.

    >>> store = OxigraphStore()  # in memory
    >>> g = NamedNode("https://kunskapsgraf.se/graph/example")
    >>> s, p = NamedNode("https://e/a"), NamedNode("https://e/p")
    >>> store.add_quads([Quad(s, p, pyoxigraph.Literal("x"), g)])
    >>> store.select("SELECT ?o WHERE { ?s ?p ?o }")[0]["o"].value
    'x'
    """

    def __init__(self, path: Path | None = None) -> None:
        self.name = "oxigraph" if path else "memory"
        self.path = path
        try:
            if path is None:
                self._store = pyoxigraph.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = pyoxigraph.Store(str(path))
        except OSError as exc:
            raise StoreUnavailable(
                f"Kunde inte öppna lagret i {path}: {exc}",
                f"Could not open the store at {path}: {exc}",
                path=str(path),
            ) from exc

    @staticmethod
    def _syntax_error(exc: SyntaxError, what_sv: str, what_en: str) -> InvalidQuery:
        line, column = syntax_position(exc)
        return InvalidQuery(
            f"{what_sv} kan inte tolkas (rad {line}, kolumn {column}): {exc.msg}",
            f"{what_en} cannot be parsed (line {line}, column {column}): {exc.msg}",
            line=line,
            column=column,
        )

    def _query(
        self, query: str, substitutions: Substitutions | None
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        if substitutions:
            rewritten = with_values(query, substitutions)
            if rewritten is not None:
                query, substitutions = rewritten, None
        try:
            return self._store.query(
                query,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions=_substitutions(substitutions),
            )
        except SyntaxError as exc:
            raise self._syntax_error(exc, "Frågan", "The query") from exc

    def select(self, query: str, substitutions: Substitutions | None = None) -> list[Row]:
        result = self._query(query, substitutions)
        if not isinstance(result, QuerySolutions):
            raise InvalidQuery(
                "Frågan är inte en SELECT-fråga.", "The query is not a SELECT query."
            )
        return solution_rows(result)

    def ask(self, query: str, substitutions: Substitutions | None = None) -> bool:
        result = self._query(query, substitutions)
        if not isinstance(result, QueryBoolean):
            raise InvalidQuery("Frågan är inte en ASK-fråga.", "The query is not an ASK query.")
        return bool(result)

    def construct(self, query: str, substitutions: Substitutions | None = None) -> list[Triple]:
        result = self._query(query, substitutions)
        if not isinstance(result, QueryTriples):
            raise InvalidQuery(
                "Frågan är inte en CONSTRUCT- eller DESCRIBE-fråga.",
                "The query is not a CONSTRUCT or DESCRIBE query.",
            )
        return list(result)

    def update(self, update: str) -> None:
        try:
            self._store.update(update, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise self._syntax_error(exc, "Uppdateringen", "The update") from exc

    def add_quads(self, quads: Iterable[Quad]) -> None:
        # Store.extend is one transaction: all quads or none.
        self._store.extend(quads)

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        # One SPARQL UPDATE request is one transaction, so readers never see a graph half
        # replaced and a failure leaves every graph as it was.
        parts: list[str] = []
        for graph, triples in graphs.items():
            data = io.BytesIO()
            pyoxigraph.serialize(triples, data, RdfFormat.N_TRIPLES)
            parts.append(f"DROP SILENT GRAPH <{graph.value}>")
            parts.append(
                f"INSERT DATA {{ GRAPH <{graph.value}> {{\n{data.getvalue().decode()}\n}} }}"
            )
        if parts:
            self._store.update(" ;\n".join(parts))

    def describe(self, subjects: Iterable[NamedNode], graph: NamedNode | None = None) -> list[Quad]:
        found: list[Quad] = []
        for subject in subjects:
            found.extend(self._store.quads_for_pattern(subject, None, None, graph))
        return found

    def named_graphs(self) -> list[NamedNode]:
        return sorted(
            (g for g in self._store.named_graphs() if isinstance(g, NamedNode)),
            key=lambda g: g.value,
        )

    def quad_count(self, graph: NamedNode | None = None) -> int:
        if graph is None:
            return len(self._store)
        # pyoxigraph substitutes only projected variables, hence ?g in the projection.
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {"g": graph}
        )
        return int(rows[0]["n"].value) if rows else 0

    def quads(self, graph: NamedNode | None = None) -> Iterable[Quad]:
        return self._store.quads_for_pattern(None, None, None, graph)

    def dump(self, output: BinaryIO, format: RdfFormat, graph: NamedNode | None = None) -> None:
        if graph is None:
            self._store.dump(output, format)
        else:
            self._store.dump(output, format, from_graph=graph)

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        # pyoxigraph closes the database when the object is collected.
        del self._store

    def backup(self, target: Path) -> None:
        """A consistent copy of the on-disk store in ``target`` (which must not exist yet),
        taken while writes go on: a RocksDB checkpoint, hard links on the same file system."""
        if self.path is None:
            raise StoreUnavailable(
                "Ett lager i minnet kan inte säkerhetskopieras; använd dump.",
                "An in-memory store cannot be backed up; use dump.",
            )
        self._store.backup(str(target))
