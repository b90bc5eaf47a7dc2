"""The search index is a projection of the graph: ``build_documents`` reads every knowledge
resource from the store (or only some of them) into a flat ``SearchDocument``."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyoxigraph import BlankNode, NamedNode, Triple

from service.queries import load_query
from service.search.facets import FACETS, NATIONAL
from service.store.base import Row, Store, Term
from service.terms import CURRENT_LIFECYCLE_STATES, KS, KSI, PUBLIC_APPROVAL_STATUSES
from service.vocabulary import Vocabulary

T = TypeVar("T")

KINDS = {
    KS + "KnowledgeProduct": "product",
    KS + "Section": "section",
    KS + "Recommendation": "recommendation",
    KS + "RegionalSupplement": "supplement",
}


# Slots: 100,000 of these stay in memory, and an instance dictionary per document costs more
# than most of its fields.
@dataclass(frozen=True, slots=True)
class SearchDocument:
    iri: str
    identifier: str
    kind: str
    title: str
    summary: str = ""
    body: str = ""
    alt_titles: tuple[str, ...] = ()
    subject_text: str = ""
    source_key: str = ""
    source_title: str = ""
    approval_status: str = ""
    integration_level: str = ""
    lifecycle: str = ""
    product: str | None = None
    parent: str | None = None
    supplements: str | None = None
    last_reviewed: dt.date | None = None
    next_review: dt.date | None = None
    modified: str | None = None
    url: str | None = None
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Concept IRIs the item is tagged with (ks:subject codes); facet concepts are in ``facets``.
    subjects: tuple[str, ...] = ()
    licence: str | None = None
    licence_title: str | None = None
    licence_url: str | None = None
    attribution: str | None = None

    @property
    def public(self) -> bool:
        """Shown to everyone: an approved source and a current lifecycle state."""
        return (
            self.approval_status in PUBLIC_APPROVAL_STATUSES
            and self.lifecycle in CURRENT_LIFECYCLE_STATES
        )

    def review_status(self, today: dt.date) -> str:
        """aktuell, granskning-snart (within 90 days) or granskning-forsenad (DOMAIN R6)."""
        if self.next_review is None:
            return "aktuell"
        if self.next_review < today:
            return "granskning-forsenad"
        if (self.next_review - today).days <= 90:
            return "granskning-snart"
        return "aktuell"


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: reading 100,000 documents allocates millions of
    objects, none of them in cycles, and each collection would walk all that are alive."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _notation(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _text(row: Row, name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


def with_values(query: str, variable: str, iris: Iterable[str]) -> str:
    """``query`` narrowed to some IRIs by a VALUES block on ``?variable`` at the start of its
    WHERE clause (pyoxigraph substitutions bind one value per query; this binds many). Each
    IRI is checked and written by ``NamedNode``, never pasted raw.

    >>> with_values("SELECT ?item WHERE { ?item ?p ?o }", "item", ["https://e.org/a"])
    'SELECT ?item WHERE { VALUES ?item { <https://e.org/a> } ?item ?p ?o }'
    """
    terms = " ".join(str(NamedNode(i)) for i in iris)
    head, sep, tail = query.partition("WHERE {")
    if not sep:
        raise ValueError("query has no 'WHERE {'")
    return f"{head}WHERE {{ VALUES ?{variable} {{ {terms} }}{tail}"


# The fields search-documents.rq (``_TEXTS``) and search-document-values.rq (``_PACKED``)
# read, for reading some items by subject lookups (Store.describe) instead: a
# VALUES block does not stop those queries from scanning every item, which costs seconds at
# 100,000 items for a write of ten.
_TEXTS = {
    "identifier": "identifier",
    "title": "title",
    "summary": "summary",
    "body": "body",
    "source": "source",
}
# The fields packed by search-document-values.rq: single-valued ones (the first is used) ...
_SINGLE = {
    "isPartOf": "parent",
    "lifecycleState": "lifecycle",
    "lastReviewed": "lastReviewed",
    "nextReview": "nextReview",
    "modified": "modified",
    "url": "url",
    "licence": "licence",
}
# ... and multi-valued ones.
_MULTI = {
    "contentType": "contentType",
    "audience": "audience",
    "careSetting": "careSetting",
    "knowledgeArea": "knowledgeArea",
    "patientGroup": "patientGroup",
    "subject": "subject",
    "region": "region",
    "alternativeTitle": "alternativeTitle",
    "supplements": "supplements",
}
_PACKED = {**_SINGLE, **_MULTI}
_SWEDISH = ("title", "summary", "body")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_DEPTH = 8

# One resource as plain strings: the fields of search-documents.rq (identifier, class, title,
# summary, body, source) and those of search-document-values.rq (field → values).
Fields = dict[str, str]
Values = dict[str, list[str]]
# (item, its top product, the product's lifecycle state or "").
ProductRow = tuple[str, str, str]


def unpack_values(packed: str) -> Values:
    """The ``?values`` string of search-document-values.rq as field → values, in order.

    >>> unpack_values("subject<https://e.org/J45 alternativeTitle=KOL%20och%2520%25")
    {'subject': ['https://e.org/J45'], 'alternativeTitle': ['KOL och%20%']}
    """
    values: Values = {}
    for pair in packed.split(" "):
        iri_at = pair.find("<")
        text_at = pair.find("=")
        # Field names have neither character; an IRI may contain "=", encoded text neither.
        if iri_at != -1 and (text_at == -1 or iri_at < text_at):
            name, value = pair[:iri_at], pair[iri_at + 1 :]
        elif text_at != -1:
            name, value = pair[:text_at], pair[text_at + 1 :]
            if "%" in value:
                value = value.replace("%20", " ").replace("%25", "%")
        else:
            continue
        found = values.get(name)
        if found is None:
            values[name] = [value]
        else:
            found.append(value)
    return values


def _item_rows(
    store: Store, iris: list[str]
) -> tuple[dict[str, Fields], dict[str, Values], list[ProductRow]]:
    """What search-documents, search-document-values and search-item-products give for some
    items, read by subject."""
    by_subject: dict[str, list[tuple[str, Term]]] = defaultdict(list)

    def read(subjects: Iterable[str]) -> None:
        wanted = [s for s in subjects if s not in by_subject]
        for q in store.describe(NamedNode(s) for s in wanted):
            if isinstance(q.subject, NamedNode) and not isinstance(q.object, (Triple, BlankNode)):
                by_subject[q.subject.value].append((q.predicate.value, q.object))
        for s in wanted:
            by_subject.setdefault(s, [])

    def multi(iri: str) -> Values:
        found: Values = {}
        for p, o in by_subject[iri]:
            if p.startswith(KS) and p[len(KS) :] in _PACKED:
                found.setdefault(_PACKED[p[len(KS) :]], []).append(o.value)
        return found

    read(iris)
    documents: dict[str, Fields] = {}
    values: dict[str, Values] = {}
    products: list[ProductRow] = []
    for iri in iris:
        row: Fields = {}
        for predicate, obj in by_subject[iri]:
            if predicate == _RDF_TYPE and obj.value in KINDS:
                row.setdefault("class", obj.value)
            elif predicate.startswith(KS):
                name = predicate[len(KS) :]
                field_name = _TEXTS.get(name)
                if field_name is None:
                    continue
                language = getattr(obj, "language", None) or ""
                if field_name in _SWEDISH and not language.lower().startswith("sv"):
                    continue
                row.setdefault(field_name, obj.value)
        values[iri] = multi(iri)
        if not all(k in row for k in ("class", "identifier", "title", "source")):
            continue
        documents[iri] = row
        # The top product above a part, and its lifecycle state.
        current, depth = iri, 0
        top: str | None = None
        while depth < MAX_DEPTH:
            parents = [o.value for p, o in by_subject[current] if p == KS + "isPartOf"]
            if not parents:
                break
            current = parents[0]
            read([current])
            if any(
                p == _RDF_TYPE and o.value == KS + "KnowledgeProduct"
                for p, o in by_subject[current]
            ):
                top = current
            depth += 1
        if top is not None:
            state = ""
            for p, o in by_subject[top]:
                if p == KS + "lifecycleState":
                    state = o.value
            products.append((iri, top, state))
            if top not in values:
                values[top] = multi(top)
    return documents, values, products


def _all_rows(store: Store) -> tuple[dict[str, Fields], dict[str, Values], list[ProductRow]]:
    """What search-documents, search-document-values and search-item-products give for every
    item, as plain strings."""

    def read_values() -> dict[str, Values]:
        return {
            row["item"].value: unpack_values(row["values"].value)
            for row in store.select(load_query("search-document-values"))
            if "values" in row
        }

    # The store evaluates queries without holding the GIL: the values are read alongside.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(read_values)
        documents = _all_texts(store)
        values = pending.result()
    products: list[ProductRow] = []
    for row in store.select(load_query("search-item-products")):
        state = row.get("productLifecycle")
        products.append((row["item"].value, row["product"].value, state.value if state else ""))
    return documents, values, products


def _all_texts(store: Store) -> dict[str, Fields]:
    """The rows of search-documents for every item, as plain strings."""
    documents: dict[str, Fields] = {}
    # One source at a time: the texts of 100,000 items are held twice while converted (result
    # terms and Python strings), and memory freed in between is reused by the next source.
    named: list[str] = []
    other = False  # a source that is no IRI (irregular data): read with one unbounded query
    for row in store.select(load_query("search-item-sources")):
        if isinstance(row["source"], NamedNode):
            named.append(row["source"].value)
        else:
            other = True
    query = load_query("search-documents")
    chunks = [with_values(query, "source", [source]) for source in sorted(named)]
    for chunk in [*chunks, query] if other else chunks:
        for row in store.select(chunk):
            iri = row["item"].value
            # One row per item is expected; an item with two identifiers or titles keeps one.
            if iri not in documents:
                documents[iri] = {name: term.value for name, term in row.items()}
    return documents


@dataclass(frozen=True)
class _Source:
    key: str
    title: str
    approval_status: str
    integration_level: str
    licence: str | None
    attribution: str | None


def _sources(store: Store) -> dict[str, _Source]:
    found: dict[str, _Source] = {}
    for row in store.select(load_query("search-sources")):
        iri = row["source"].value
        if iri not in found:
            found[iri] = _Source(
                key=_text(row, "sourceKey"),
                title=_text(row, "sourceTitle"),
                approval_status=_notation(_text(row, "approvalStatus")),
                integration_level=_notation(_text(row, "integrationLevel")),
                licence=_text(row, "licence") or None,
                attribution=_text(row, "attribution") or None,
            )
    return found


class _Interner:
    """One shared object per distinct value: 100,000 documents repeat a few hundred facet
    tuples, dates and concept IRIs, and each parsed result string is a new object."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}

    def __call__(self, value: T) -> T:
        found: T = self._seen.setdefault(value, value)
        return found


def build_documents(
    store: Store, vocabulary: Vocabulary, items: Iterable[str] | None = None
) -> list[SearchDocument]:
    """Every knowledge resource in the store as a search document (public or not); with
    ``items`` (IRIs) only those (reading what they inherit from their products)."""
    if items is not None:
        wanted = sorted(set(items))
        if not wanted:
            return []
        by_item, values, product_rows = _item_rows(store, wanted)
    else:
        by_item, values, product_rows = _all_rows(store)
    # The top product of each part (the longest isPartOf chain ends there) and its state.
    product_of: dict[str, str] = {}
    product_state: dict[str, str] = {}
    for item, product, state in product_rows:
        product_of[item] = product
        if state:
            product_state[product] = state
    sources = _sources(store)
    licences = {
        row["licence"].value: (_text(row, "licenceTitle") or None, _text(row, "licenceUrl") or None)
        for row in store.select(load_query("search-licences"))
    }
    intern = _Interner()
    notations: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {}
    subject_labels: dict[str, str] = {}
    no_values: Values = {}

    def notation(iri: str) -> str:
        found = notations.get(iri)
        if found is None:
            found = notations[iri] = intern(_notation(iri))
        return found

    def date(text: str | None) -> dt.date | None:
        if text is None:
            return None
        if text not in dates:
            try:
                dates[text] = dt.date.fromisoformat(text[:10])
            except ValueError:
                dates[text] = None
        return dates[text]

    def subject_label(iri: str) -> str:
        found = subject_labels.get(iri)
        if found is None:
            s = vocabulary.get(iri)
            found = subject_labels[iri] = f"{s.notation} {s.sv}"
        return found

    def source_of(iri: str) -> _Source:
        return sources.get(iri) or _Source(_notation(iri), "", "", "", None, None)

    # The notations of one facet's values, sorted, by the values as read: few distinct lists.
    facet_tuples: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}

    def facet_tuple(found: list[str] | None) -> tuple[str, ...]:
        key = tuple(found) if found else ()
        result = facet_tuples.get(key)
        if result is None:
            result = facet_tuples[key] = intern(tuple(sorted({notation(v) for v in key})))
        return result

    def facet_values(vals: Values) -> dict[str, tuple[str, ...]]:
        return {f.name: facet_tuple(vals.get(f.name)) for f in FACETS}

    def own_facets(iri: str, row: Fields) -> dict[str, tuple[str, ...]]:
        result = facet_values(values.get(iri, no_values))
        result["source"] = intern((source_of(row["source"]).key,))
        result["region"] = result["region"] or (NATIONAL,)
        return result

    raw = {iri: own_facets(iri, row) for iri, row in by_item.items()}
    identifiers = {iri: row["identifier"] for iri, row in by_item.items()}
    for product in set(product_of.values()) - set(raw):
        # Only some items were asked for: their products' facets still count.
        raw[product] = facet_values(values.get(product, no_values))

    inherited = [f.name for f in FACETS if f.inherited]
    facet_sets: dict[tuple[tuple[str, tuple[str, ...]], ...], dict[str, tuple[str, ...]]] = {}
    docs: list[SearchDocument] = []
    for iri, row in sorted(by_item.items()):
        facets = raw[iri]
        product_iri = product_of.get(iri)
        if product_iri and product_iri in raw:
            product_facets = raw[product_iri]
            missing = [name for name in inherited if not facets[name]]
            if missing:
                facets = dict(facets)
                for name in missing:
                    facets[name] = product_facets[name]
        # Documents of a source mostly share their facet values: one dictionary for each
        # distinct set (nothing changes a document's facets once built).
        facets = facet_sets.setdefault(tuple(facets.items()), facets)
        vals = values.get(iri, no_values)

        def first(name: str, vals: Values = vals) -> str | None:
            found = vals.get(name)
            return found[0] if found else None

        subject_iris = vals.get("subject", ())
        supplements = first("supplements")
        source = source_of(row["source"])
        licence = first("licence") or source.licence
        licence_title, licence_url = licences.get(licence or "", (None, None))
        lifecycle = first("lifecycle") or product_state.get(product_iri or "", "")
        docs.append(
            SearchDocument(
                iri=iri,
                identifier=row["identifier"],
                kind=KINDS.get(row["class"], "product"),
                title=row["title"],
                summary=row.get("summary", ""),
                body=row.get("body", ""),
                alt_titles=tuple(vals.get("alternativeTitle", ())),
                subject_text=" ".join(subject_label(v) for v in subject_iris),
                source_key=source.key,
                source_title=source.title,
                approval_status=source.approval_status,
                integration_level=source.integration_level,
                lifecycle=notation(lifecycle),
                product=_identifier(identifiers, product_iri),
                parent=_identifier(identifiers, first("parent")),
                supplements=_identifier(identifiers, supplements),
                last_reviewed=date(first("lastReviewed")),
                next_review=date(first("nextReview")),
                modified=intern(first("modified")) or None,
                url=first("url") or None,
                facets=facets,
                subjects=tuple(sorted({intern(v) for v in subject_iris})),
                licence=licence,
                licence_title=licence_title,
                licence_url=licence_url,
                attribution=source.attribution,
            )
        )
    return docs


def _identifier(identifiers: Mapping[str, str], iri: str | None) -> str | None:
    """The identifier of an item IRI; read from its IRI when the item was not read."""
    if not iri:
        return None
    if iri in identifiers:
        return identifiers[iri]
    prefix = KSI + "item/"
    if iri.startswith(prefix) and "/" in iri[len(prefix) :]:
        source, local = iri[len(prefix) :].split("/", 1)
        return f"{source}:{local}"
    return None
