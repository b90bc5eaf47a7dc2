"""The public SPARQL endpoint as a function of its inputs: ``SparqlEndpoint.query`` takes the
query text, the ``Accept`` header and the protocol's dataset parameters and returns bytes and a
media type. The HTTP route (``service.api.routes.sparql``) only unpacks the request.
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat

from service.config import Settings
from service.errors import NotFound
from service.sparql.executor import QueryExecutor
from service.sparql.formats import GRAPH_FORMATS, SOLUTION_FORMATS, negotiate
from service.sparql.safety import CheckedQuery, check_query
from service.sparql.visibility import PublicView, public_view
from service.sparql.worker import Job
from service.store.base import Store
from service.terms import PREFIXES


@dataclass(frozen=True)
class SparqlResult:
    body: bytes
    media_type: str


def _dataset(asked: tuple[str, ...] | list[str] | None, visible: set[str]) -> list[str] | None:
    """Graphs a query may read: what it asked for, of what is visible (None: all visible)."""
    if not asked:
        return None
    return [g for g in asked if g in visible]


log = logging.getLogger(__name__)


class SparqlEndpoint:
    """Checks, runs and serialises public queries; serves single public graphs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.executor = QueryExecutor(
            settings.data_dir / "sparql-snapshots",
            size=settings.sparql_workers,
            timeout_s=settings.sparql_timeout_s,
            nice=settings.sparql_worker_nice,
            memory_limit_bytes=settings.sparql_worker_memory_mb * 2**20,
        )
        self._view: PublicView | None = None
        self._view_lock = threading.Lock()

    def invalidate(self) -> None:
        """The store changed (content, approvals): rebuild what depends on it when next asked."""
        self._view = None
        self.executor.invalidate()

    def warm_soon(self, store: Store) -> None:
        """Prepare the snapshot and a worker in the background (after start-up), so the
        first public query is answered at once instead of waiting for a cold worker."""

        def warm() -> None:
            try:
                self.executor.warm(store, self.view)
            except Exception:  # warming is an optimisation: a failure shows on first use
                log.warning("warming the SPARQL workers failed", exc_info=True)

        threading.Thread(target=warm, name="sparql-warm", daemon=True).start()

    def view(self, store: Store) -> PublicView:
        """``public_view(store)``, cached until ``invalidate()``."""
        with self._view_lock:
            if self._view is None:
                self._view = public_view(store)
            return self._view

    def visible(self, store: Store) -> list[NamedNode]:
        """The graphs anonymous readers see (``visible_graphs``)."""
        return self.view(store).graphs

    def query(
        self,
        store: Store,
        text: str,
        *,
        accept: str | None,
        format_override: str | None = None,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
    ) -> SparqlResult:
        """Answer a public query, or raise the error the caller should see."""
        checked: CheckedQuery = check_query(text, self.settings.sparql_max_query_chars)
        formats = GRAPH_FORMATS if checked.form == "graph" else SOLUTION_FORMATS
        chosen = negotiate(accept, formats, format_override)
        graphs = self.executor.snapshot_graphs(store, self.view)
        visible = {g.value for g in graphs}
        # The protocol's parameters override the query's FROM / FROM NAMED (SPARQL 1.1
        # Protocol §2.1.4); either way only visible graphs count.
        if default_graph_uris or named_graph_uris:
            default = _dataset(default_graph_uris, visible)
            named = _dataset(named_graph_uris, visible)
            if default is None:
                default = []
            if named is None:
                named = []
        else:
            default = _dataset(checked.default_graphs, visible)
            named = _dataset(checked.named_graphs, visible)
            if default is not None and named is None:
                named = []
            elif named is not None and default is None:
                default = []
        job = Job(
            query=text,
            prefixes=PREFIXES,
            media_type=chosen.media_type,
            default_graphs=default,
            named_graphs=named,
            max_bytes=self.settings.sparql_max_result_bytes,
        )
        return SparqlResult(self.executor.run(job), chosen.media_type)

    def graph(self, store: Store, iri: str, *, accept: str | None) -> SparqlResult:
        """One public named graph (Graph Store Protocol, read side)."""
        chosen = negotiate(accept, GRAPH_FORMATS)
        graph = NamedNode(iri)
        view = self.view(store)
        if graph not in view.graphs:
            raise NotFound(
                f"Grafen {iri} finns inte eller är inte publik.",
                f"The graph {iri} does not exist or is not public.",
                graph=iri,
            )
        out = io.BytesIO()
        assert chosen.rdf is not None
        triples = (quad.triple for quad in view.quads(store, graph))
        if chosen.rdf == RdfFormat.N_TRIPLES:
            pyoxigraph.serialize(triples, out, chosen.rdf)
        else:
            pyoxigraph.serialize(triples, out, chosen.rdf, prefixes=PREFIXES)
        return SparqlResult(out.getvalue(), chosen.media_type)

    def close(self) -> None:
        self.executor.close()
