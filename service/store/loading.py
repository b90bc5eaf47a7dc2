"""Parse RDF files and load them atomically: every file is parsed before anything is written,
so a malformed file (reported with file, line and column) leaves the store exactly as before.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Triple
from tqdm import tqdm

from service.errors import InvalidParameter, InvalidRdf
from service.store.base import Store

FORMATS_BY_SUFFIX: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class LoadSource:
    """One file to load. ``graph`` is required for triple formats (Turtle, N-Triples, RDF/XML)
    and must be None for dataset formats (TriG, N-Quads), whose graphs are in the file."""

    path: Path
    graph: NamedNode | None = None


@dataclass
class LoadSummary:
    files: int = 0
    quads_per_graph: dict[str, int] = field(default_factory=dict)

    @property
    def quads(self) -> int:
        return sum(self.quads_per_graph.values())


def rdf_format(path: Path) -> RdfFormat:
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS_BY_SUFFIX))
        raise InvalidParameter(
            f"Okänt filformat för {path.name}; kända filändelser: {known}.",
            f"Unknown file format for {path.name}; known extensions: {known}.",
            file=str(path),
        ) from None


def parse_file(source: LoadSource) -> list[Quad]:
    """Parse one file into quads, all in named graphs."""
    fmt = rdf_format(source.path)
    if not source.path.is_file():
        raise InvalidParameter(
            f"Filen {source.path} finns inte.",
            f"The file {source.path} does not exist.",
            file=str(source.path),
        )
    if fmt.supports_datasets and source.graph is not None:
        raise InvalidParameter(
            f"{source.path.name} anger själv sina grafer; ange ingen graf för den.",
            f"{source.path.name} names its own graphs; do not give a graph for it.",
            file=str(source.path),
        )
    if not fmt.supports_datasets and source.graph is None:
        raise InvalidParameter(
            f"Ange vilken namngiven graf {source.path.name} ska läsas in i (--graph).",
            f"Say which named graph {source.path.name} goes into (--graph).",
            file=str(source.path),
        )
    try:
        parsed = list(pyoxigraph.parse(path=source.path, format=fmt))
    except SyntaxError as exc:
        raise InvalidRdf(
            f"{source.path.name} rad {exc.lineno}, kolumn {exc.offset}: {exc.msg}",
            f"{source.path.name} line {exc.lineno}, column {exc.offset}: {exc.msg}",
            file=str(source.path),
            line=exc.lineno,
            column=exc.offset,
        ) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRdf(
            f"{source.path.name} kan inte läsas: {exc}",
            f"{source.path.name} cannot be read: {exc}",
            file=str(source.path),
        ) from exc
    if source.graph is not None:
        return [Quad(q.subject, q.predicate, q.object, source.graph) for q in parsed]
    quads: list[Quad] = []
    for q in parsed:
        if isinstance(q, Triple) or isinstance(q.graph_name, DefaultGraph):
            name = source.path.name
            raise InvalidRdf(
                f"{name} har tripler i standardgrafen; lägg allt innehåll i namngivna grafer.",
                f"{name} has triples in the default graph; put all content in named graphs.",
                file=str(source.path),
            )
        else:
            quads.append(q)
    return quads


def load_files(
    store: Store, sources: Sequence[LoadSource], *, replace: bool = False, progress: bool = False
) -> LoadSummary:
    """Parse every file, then write them in one transaction.

    With ``replace``, each named graph the files touch is emptied first (in the same
    transaction), so reloading a changed file does not leave stale triples behind.
    """
    summary = LoadSummary()
    by_graph: dict[NamedNode, list[Triple]] = defaultdict(list)
    bar = tqdm(
        sources,
        desc="Läser filer",
        unit="fil",
        disable=not progress or not sys.stderr.isatty(),
        file=sys.stderr,
    )
    for source in bar:
        for q in parse_file(source):
            graph = q.graph_name
            assert isinstance(graph, NamedNode)
            by_graph[graph].append(Triple(q.subject, q.predicate, q.object))
        summary.files += 1
    if replace:
        store.replace_graphs(by_graph)
    else:
        store.add_quads(_quads(by_graph.items()))
    store.flush()
    summary.quads_per_graph = {
        g.value: len(ts) for g, ts in sorted(by_graph.items(), key=lambda x: x[0].value)
    }
    return summary


def _quads(groups: Iterable[tuple[NamedNode, list[Triple]]]) -> Iterable[Quad]:
    for graph, triples in groups:
        for t in triples:
            yield Quad(t.subject, t.predicate, t.object, graph)
