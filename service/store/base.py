"""The ``Store`` protocol: what every RDF store backend offers the rest of the service.

Terms are pyoxigraph's (``NamedNode``, ``Literal``, ``BlankNode``, ``Quad``) on every backend:
a remote SPARQL 1.1 store parses its results into the same types
(``pyoxigraph.parse_query_results``), so code above the store never sees backend types.

Queries see the union of all named graphs as their default graph (content is kept in one
named graph per source, plus graphs for the ontology, the vocabularies and the shapes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import BinaryIO, Protocol, runtime_checkable

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Triple

Term = NamedNode | BlankNode | Literal
Row = dict[str, Term]
Substitutions = Mapping[str, Term]


@runtime_checkable
class Store(Protocol):
    """An RDF quad store. Implementations: ``OxigraphStore`` (embedded; on disk or in memory)."""

    name: str

    def select(self, query: str, substitutions: Substitutions | None = None) -> list[Row]:
        """Run a SELECT; each row maps variable names (without '?') to bound terms only.

        ``substitutions`` binds variables to terms (SPARQL-dev SEP-0007); a substituted
        variable must appear in the SELECT projection.
        """
        ...

    def ask(self, query: str, substitutions: Substitutions | None = None) -> bool: ...

    def construct(self, query: str, substitutions: Substitutions | None = None) -> list[Triple]: ...

    def update(self, update: str) -> None:
        """Run a SPARQL UPDATE atomically: all of it is applied or none of it."""
        ...

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads atomically: all of them are stored or none of them."""
        ...

    def replace_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        """Replace the whole content of each named graph, all graphs in one transaction."""
        ...

    def describe(self, subjects: Iterable[NamedNode], graph: NamedNode | None = None) -> list[Quad]:
        """Every stored quad whose subject is one of ``subjects`` (in ``graph`` when given)."""
        ...

    def named_graphs(self) -> list[NamedNode]: ...

    def quad_count(self, graph: NamedNode | None = None) -> int:
        """Quads in one named graph, or in the whole store when ``graph`` is None."""
        ...

    def quads(self, graph: NamedNode | None = None) -> Iterable[Quad]:
        """All quads of one named graph, or of the whole store."""
        ...

    def dump(self, output: BinaryIO, format: RdfFormat, graph: NamedNode | None = None) -> None:
        """Serialise one graph (a triple format) or the whole store (a quad format)."""
        ...

    def flush(self) -> None:
        """Make every acknowledged write durable."""
        ...

    def close(self) -> None: ...


def solution_rows(solutions: QuerySolutions) -> list[Row]:
    """SELECT solutions as rows: variable name → term, unbound variables left out."""
    names = [v.value for v in solutions.variables]
    rows: list[Row] = []
    for solution in solutions:
        row: Row = {}
        for name in names:
            term = solution[name]
            if term is not None and not isinstance(term, Triple):
                row[name] = term
        rows.append(row)
    return rows
