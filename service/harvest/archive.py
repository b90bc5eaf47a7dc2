"""Archiving items that have gone from a source: a lifecycle change, never a delete.

Like ``service.ingest.lifecycle.change_lifecycle`` (withdraw, supersede), this rewrites each
item's stored description with the new state (``arkiverad``) and sends them through
``ingest_batch``: validated, recorded as one run with provenance, indexed, whole or not at all.
The item stays in the store (its page still resolves), but search shows only current states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyoxigraph import NamedNode, Triple

from service.config import Settings
from service.errors import InvalidParameter
from service.ingest.pipeline import IngestReport, ingest_batch
from service.ingest.runs import RunLog
from service.store.base import Store
from service.terms import KS, KSI, concept, source_graph

__all__ = ["ARCHIVED", "archive_items"]

ARCHIVED = "arkiverad"
LIFECYCLE = KS + "lifecycleState"
# Rewritten by the pipeline for every stored batch; ks:wasDerivedFrom (where the item was last
# harvested from) is kept, since the pipeline only writes it when given a record URL.
_REWRITTEN = {KS + "ingestionRun", KS + "ingestedAt", KS + "contentHash"}


def archive_items(
    store: Store,
    settings: Settings,
    source: str,
    items: Iterable[str],
    *,
    run_log: RunLog | None = None,
    on_change: Callable[[], None] | None = None,
) -> IngestReport:
    """Set the lifecycle state of ``items`` (IRIs of ``source``'s items) to ``arkiverad``,
    in one batch. Raises InvalidParameter for an IRI that is not a stored item of the source
    (and whatever ``ingest_batch`` raises)."""
    prefix = f"{KSI}item/{source}/"
    iris = sorted(set(items))
    if not iris:
        raise InvalidParameter("Inget att arkivera.", "Nothing to archive.")
    foreign = [i for i in iris if not i.startswith(prefix)]
    if foreign:
        raise InvalidParameter(
            f"Bara källan '{source}':s eget innehåll kan arkiveras: {', '.join(foreign[:5])}.",
            f"Only source '{source}''s own items can be archived: {', '.join(foreign[:5])}.",
        )
    stored = store.describe([NamedNode(i) for i in iris], source_graph(source))
    found = {q.subject.value for q in stored if isinstance(q.subject, NamedNode)}
    missing = [i for i in iris if i not in found]
    if missing:
        raise InvalidParameter(
            f"Källan '{source}' har inget innehåll med IRI {', '.join(missing[:5])}.",
            f"Source '{source}' has no items with IRI {', '.join(missing[:5])}.",
        )
    triples = [
        q.triple
        for q in stored
        if q.predicate.value not in _REWRITTEN and q.predicate.value != LIFECYCLE
    ]
    state = concept("lifecycle", ARCHIVED)
    triples.extend(Triple(NamedNode(i), NamedNode(LIFECYCLE), state) for i in iris)
    return ingest_batch(
        store,
        settings,
        source,
        triples,
        mapping_version="lifecycle",
        run_log=run_log,
        on_change=on_change,
    )
