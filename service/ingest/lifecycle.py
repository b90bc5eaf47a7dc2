"""Withdrawing and superseding items: explicit operations, never hard deletes.

Both rewrite the item's stored description with a new lifecycle state (and, when superseded,
``ks:isReplacedBy``) and send it through ``ingest_batch``, so the change is validated,
recorded as a run with provenance, and indexed like any other write.
"""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import NamedNode, Triple

from service.config import Settings
from service.errors import InvalidParameter, NotFound
from service.ingest.pipeline import PROVENANCE, IngestReport, ingest_batch
from service.ingest.runs import RunLog
from service.store.base import Store
from service.terms import KS, concept, item_iri, source_graph

LIFECYCLE = KS + "lifecycleState"


def _stored_item(store: Store, source: str, identifier: str) -> list[Triple]:
    if not identifier.startswith(f"{source}:"):
        raise InvalidParameter(
            f"Id '{identifier}' hör inte till källan '{source}'.",
            f"Id '{identifier}' does not belong to source '{source}'.",
        )
    triples = [
        q.triple
        for q in store.describe([item_iri(identifier)], source_graph(source))
        if q.predicate.value not in PROVENANCE
    ]
    if not triples:
        raise NotFound(
            f"Källan '{source}' har inget innehåll med id '{identifier}'.",
            f"Source '{source}' has no item with id '{identifier}'.",
            id=identifier,
        )
    return triples


def change_lifecycle(
    store: Store,
    settings: Settings,
    source: str,
    identifier: str,
    state: str,
    *,
    replaced_by: str | None = None,
    run_log: RunLog | None = None,
    on_change: Callable[[], None] | None = None,
) -> IngestReport:
    """Set an item's lifecycle state (``tillbakadragen`` or ``ersatt``); ``ersatt`` needs the
    identifier of the item that replaces it, which must exist."""
    if state not in ("tillbakadragen", "ersatt"):
        raise InvalidParameter(
            f"Okänt livscykelbyte: {state}.", f"Unknown lifecycle change: {state}."
        )
    item = item_iri(identifier)
    triples = [t for t in _stored_item(store, source, identifier) if t.predicate.value != LIFECYCLE]
    triples.append(Triple(item, NamedNode(LIFECYCLE), concept("lifecycle", state)))
    if state == "ersatt":
        if not replaced_by:
            raise InvalidParameter(
                "Ange vilket innehåll som ersätter det (replacedBy).",
                "Say which item replaces it (replacedBy).",
                parameter="replacedBy",
            )
        successor = item_iri(replaced_by)
        if not store.describe([successor]):
            raise NotFound(
                f"Det ersättande innehållet '{replaced_by}' finns inte.",
                f"The replacing item '{replaced_by}' does not exist.",
                id=replaced_by,
            )
        triples = [t for t in triples if t.predicate.value != KS + "isReplacedBy"]
        triples.append(Triple(item, NamedNode(KS + "isReplacedBy"), successor))
    return ingest_batch(
        store,
        settings,
        source,
        triples,
        mapping_version="lifecycle",
        run_log=run_log,
        on_change=on_change,
    )
