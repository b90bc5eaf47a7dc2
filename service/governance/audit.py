"""The audit trail: every write and decision as a PROV activity in its own graph
(``ksg:audit``), append-only.

An event is a ``prov:Activity`` (``ksi:audit/<uuid>``) with its action as ``rdfs:label``, when
(``prov:startedAtTime``), who (``prov:wasAssociatedWith`` → ``ksi:principal/<id>``, a
``prov:Agent`` labelled with its role and scope), what (``prov:used`` → the source, item or
supplement) and the states before and after (``prov:invalidated`` / ``prov:generated`` →
``prov:Entity`` with the state as JSON in ``prov:value``). Nothing here deletes or rewrites an
event; the audit graph is not among the public graphs (``service.sparql.visibility``).

Every write path records here through :func:`record` / :func:`record_write`: the API with the
caller's token principal, the command line (``decide``, ``ingest``, ``harvest``) as the
operator (:func:`operator`, ``cli-<OS user>``) and the service's own harvest scheduler as
:data:`SCHEDULER`. As for the API, a write that changed nothing (``unchanged``) or was
rejected whole (SHACL violations; nothing stored) is not an audit event; the run log
(``GET /api/sources/{source}/runs``) keeps those.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
import uuid
from typing import Any

import pyoxigraph
from pyoxigraph import Literal, NamedNode, Quad

from service.governance.roles import Principal
from service.queries import load_query
from service.store.base import Store
from service.terms import KSG, KSI, RDF_TYPE

GRAPH_AUDIT = NamedNode(KSG + "audit")
PROV = "http://www.w3.org/ns/prov#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"


# The service's own harvest scheduler (KUNSKAPSGRAF_HARVEST_SCHEDULER): no person starts its
# runs. An administrator's powers, like the operator's: it writes outside any token's scope.
SCHEDULER = Principal("scheduler", "administrator")


def operator() -> Principal:
    """The person at the command line, named by their OS account (``cli-<user>``; ``cli``
    when the system has no name for it). Whoever runs the command line holds the store and so
    every power: an administrator, for decisions and writes alike (one agent, one role)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        user = ""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", user).strip("-")  # the id becomes part of an IRI
    return Principal(f"cli-{safe}" if safe else "cli", "administrator")


def principal_iri(principal: Principal) -> NamedNode:
    return NamedNode(f"{KSI}principal/{principal.id}")


def record(
    store: Store,
    principal: Principal,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
    when: dt.datetime | None = None,
) -> str:
    """Append one event; returns its IRI. ``before``/``after`` must be JSON-serialisable
    (None: no such state, e.g. nothing existed before)."""
    when = when or dt.datetime.now(dt.UTC)
    event = NamedNode(f"{KSI}audit/{uuid.uuid4()}")
    agent = principal_iri(principal)

    def node(local: str) -> NamedNode:
        return NamedNode(PROV + local)

    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (event, NamedNode(RDF_TYPE), node("Activity")),
        (event, NamedNode(RDFS + "label"), Literal(action)),
        (
            event,
            node("startedAtTime"),
            Literal(when.isoformat(timespec="microseconds"), datatype=NamedNode(XSD + "dateTime")),
        ),
        (event, node("wasAssociatedWith"), agent),
        (event, node("used"), NamedNode(target)),
        (agent, NamedNode(RDF_TYPE), node("Agent")),
        (agent, NamedNode(RDFS + "label"), Literal(principal.id)),
        (agent, NamedNode(RDFS + "comment"), Literal(f"{principal.role} {principal.scope}")),
    ]
    for state, prop, local in ((before, "invalidated", "before"), (after, "generated", "after")):
        if state is None:
            continue
        entity = NamedNode(f"{event.value}/{local}")
        triples += [
            (event, node(prop), entity),
            (entity, NamedNode(RDF_TYPE), node("Entity")),
            (entity, node("value"), Literal(json.dumps(state, ensure_ascii=False, sort_keys=True))),
        ]
    store.add_quads(Quad(s, p, o, GRAPH_AUDIT) for s, p, o in triples)
    store.flush()
    return event.value


def events(
    store: Store,
    *,
    target: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """Events newest first, optionally only those about ``target`` (an IRI), by ``actor`` (a
    principal id) or of one ``action``."""
    found: list[dict[str, Any]] = []
    for row in store.select(load_query("audit-events")):
        item = {
            "id": row["event"].value,
            "action": row["action"].value,
            "time": row["time"].value,
            "actor": {"id": row["actorId"].value, "scope": _text(row, "actorScope")},
            "target": row["target"].value,
            "before": _json(row, "before"),
            "after": _json(row, "after"),
        }
        if target and item["target"] != target:
            continue
        if actor and item["actor"]["id"] != actor:
            continue
        if action and item["action"] != action:
            continue
        found.append(item)
    return {"total": len(found), "offset": offset, "events": found[offset : offset + limit]}


def _text(row: Any, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _json(row: Any, name: str) -> Any:
    text = _text(row, name)
    return json.loads(text) if text is not None else None


def record_write(
    store: Store,
    principal: Principal,
    action: str,
    report: Any,
    *,
    details: dict[str, Any] | None = None,
) -> str | None:
    """Record an ingestion write (an ``IngestReport``) when it changed something; a no-op
    write leaves the store, and so the audit trail, untouched. ``details`` (JSON) say more
    about the write in the state after it, e.g. the file or the harvest it came from; they
    cannot replace the batch's own ``run``, ``added`` and ``updated``."""
    if report.status != "stored":
        return None
    after = {"run": report.run, "added": sorted(report.added), "updated": sorted(report.updated)}
    return record(
        store, principal, action, f"{KSI}source/{report.source}", after=(details or {}) | after
    )


def query(store: Store, text: str, max_chars: int) -> tuple[bytes, str]:
    """Run a read-only SPARQL query over the audit trail only, for authorised users; returns
    the serialised result and its media type (SELECT/ASK: SPARQL JSON, CONSTRUCT/DESCRIBE:
    Turtle). The query runs on a private copy of the audit graph, so it can reach nothing
    else and change nothing; the public query checks apply (no updates, no SERVICE)."""
    from service.sparql.safety import check_query
    from service.terms import PREFIXES

    checked = check_query(text, max_chars)
    scratch = pyoxigraph.Store()
    scratch.extend(store.quads(GRAPH_AUDIT))
    result = scratch.query(checked.text, prefixes=PREFIXES, use_default_graph_as_union=True)
    if isinstance(result, pyoxigraph.QueryTriples):
        return result.serialize(format=pyoxigraph.RdfFormat.TURTLE) or b"", "text/turtle"
    out = result.serialize(format=pyoxigraph.QueryResultsFormat.JSON) or b""
    return out, "application/sparql-results+json"
