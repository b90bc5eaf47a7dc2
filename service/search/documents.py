"""The search index is a projection of the graph: ``build_documents`` reads every knowledge
resource from the store (or only some of them) into a flat ``SearchDocument``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Triple

from service.queries import load_query
from service.search.facets import FACETS, NATIONAL
from service.store.base import Row, Store, Term
from service.terms import CURRENT_LIFECYCLE_STATES, KS, KSI, PUBLIC_APPROVAL_STATUSES
from service.vocabulary import Vocabulary

KINDS = {
    KS + "KnowledgeProduct": "product",
    KS + "Section": "section",
    KS + "Recommendation": "recommendation",
    KS + "RegionalSupplement": "supplement",
}


@dataclass(frozen=True)
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


def _notation(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _date(row: Row, name: str) -> dt.date | None:
    term = row.get(name)
    if term is None:
        return None
    try:
        return dt.date.fromisoformat(term.value[:10])
    except ValueError:
        return None


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


# The fields search-documents.rq and search-document-values.rq read, for reading some items by
# subject lookups (Store.describe) instead: a VALUES block does not stop those queries from
# scanning every item, which costs seconds at 100,000 items for a write of ten.
_SINGLE = {
    "identifier": "identifier",
    "title": "title",
    "summary": "summary",
    "body": "body",
    "source": "source",
    "isPartOf": "parent",
    "lifecycleState": "lifecycle",
    "lastReviewed": "lastReviewed",
    "nextReview": "nextReview",
    "modified": "modified",
    "url": "url",
    "licence": "licence",
}
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
_SWEDISH = ("title", "summary", "body")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MAX_DEPTH = 8


def _item_rows(store: Store, iris: list[str]) -> tuple[list[Row], list[Row], list[Row]]:
    """The rows of search-documents, search-document-values and search-item-products for
    some items, read by subject."""
    by_subject: dict[str, list[tuple[str, Term]]] = defaultdict(list)

    def read(subjects: Iterable[str]) -> None:
        wanted = [s for s in subjects if s not in by_subject]
        for q in store.describe(NamedNode(s) for s in wanted):
            if isinstance(q.subject, NamedNode) and not isinstance(q.object, Triple):
                by_subject[q.subject.value].append((q.predicate.value, q.object))
        for s in wanted:
            by_subject.setdefault(s, [])

    read(iris)
    documents: list[Row] = []
    values: list[Row] = []
    products: list[Row] = []
    listed = set(iris)  # items whose values are read already
    for iri in iris:
        row: Row = {"item": NamedNode(iri)}
        for predicate, obj in by_subject[iri]:
            if predicate == _RDF_TYPE and obj.value in KINDS:
                row["class"] = obj
            elif predicate.startswith(KS):
                name = predicate[len(KS) :]
                if name in _SINGLE:
                    field_name = _SINGLE[name]
                    language = getattr(obj, "language", None) or ""
                    if field_name in _SWEDISH and not language.lower().startswith("sv"):
                        continue
                    row.setdefault(field_name, obj)
                if name in _MULTI:
                    values.append(
                        {"item": NamedNode(iri), "field": Literal(_MULTI[name]), "value": obj}
                    )
        if not all(k in row for k in ("class", "identifier", "title", "source")):
            continue
        documents.append(row)
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
            product: Row = {"item": NamedNode(iri), "product": NamedNode(top)}
            for p, o in by_subject[top]:
                if p == KS + "lifecycleState":
                    product["productLifecycle"] = o
            products.append(product)
            if top in listed:
                continue
            listed.add(top)
            for p, o in by_subject[top]:
                if p.startswith(KS) and p[len(KS) :] in _MULTI:
                    values.append(
                        {"item": NamedNode(top), "field": Literal(_MULTI[p[len(KS) :]]), "value": o}
                    )
    return documents, values, products


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


def build_documents(
    store: Store, vocabulary: Vocabulary, items: Iterable[str] | None = None
) -> list[SearchDocument]:
    """Every knowledge resource in the store as a search document (public or not); with
    ``items`` (IRIs) only those (reading what they inherit from their products)."""
    if items is not None:
        wanted = sorted(set(items))
        if not wanted:
            return []
        rows, value_rows, product_rows = _item_rows(store, wanted)
    else:
        rows = store.select(load_query("search-documents"))
        value_rows = store.select(load_query("search-document-values"))
        product_rows = store.select(load_query("search-item-products"))
    # The top product of each part (the longest isPartOf chain ends there) and its state.
    product_of: dict[str, str] = {}
    product_state: dict[str, str] = {}
    for row in product_rows:
        product_of[row["item"].value] = row["product"].value
        if "productLifecycle" in row:
            product_state[row["product"].value] = row["productLifecycle"].value
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in value_rows:
        values[row["item"].value][row["field"].value].append(row["value"].value)
    sources = _sources(store)
    licences = {
        row["licence"].value: (_text(row, "licenceTitle") or None, _text(row, "licenceUrl") or None)
        for row in store.select(load_query("search-licences"))
    }

    # One row per item is expected; OPTIONALs can duplicate rows when data is irregular.
    by_item: dict[str, Row] = {}
    for row in rows:
        by_item.setdefault(row["item"].value, row)

    def source_of(row: Row) -> _Source:
        iri = row["source"].value
        return sources.get(iri) or _Source(_notation(iri), "", "", "", None, None)

    def own_facets(iri: str, row: Row) -> dict[str, tuple[str, ...]]:
        vals = values.get(iri, {})
        result = {
            f.name: tuple(sorted({_notation(v) for v in vals.get(f.name, [])})) for f in FACETS
        }
        result["source"] = (source_of(row).key,)
        result["region"] = result["region"] or (NATIONAL,)
        return result

    raw = {iri: own_facets(iri, row) for iri, row in by_item.items()}
    identifiers = {iri: _text(row, "identifier") for iri, row in by_item.items()}
    for product in set(product_of.values()) - set(raw):
        # Only some items were asked for: their products' facets still count.
        vals = values.get(product, {})
        raw[product] = {
            f.name: tuple(sorted({_notation(v) for v in vals.get(f.name, [])})) for f in FACETS
        }

    docs: list[SearchDocument] = []
    for iri, row in sorted(by_item.items()):
        facets = dict(raw[iri])
        product_iri = product_of.get(iri)
        if product_iri and product_iri in raw:
            for f in FACETS:
                if f.inherited and not facets[f.name]:
                    facets[f.name] = raw[product_iri][f.name]
        vals = values.get(iri, {})
        subjects = [vocabulary.get(v) for v in vals.get("subject", [])]
        parent_iri = row["parent"].value if "parent" in row else None
        supplements = vals.get("supplements", [])
        source = source_of(row)
        licence = _text(row, "licence") or source.licence
        licence_title, licence_url = licences.get(licence or "", (None, None))
        lifecycle = _text(row, "lifecycle") or product_state.get(product_iri or "", "")
        docs.append(
            SearchDocument(
                iri=iri,
                identifier=_text(row, "identifier"),
                kind=KINDS.get(row["class"].value, "product"),
                title=_text(row, "title"),
                summary=_text(row, "summary"),
                body=_text(row, "body"),
                alt_titles=tuple(vals.get("alternativeTitle", [])),
                subject_text=" ".join(f"{s.notation} {s.sv}" for s in subjects),
                source_key=source.key,
                source_title=source.title,
                approval_status=source.approval_status,
                integration_level=source.integration_level,
                lifecycle=_notation(lifecycle),
                product=_identifier(identifiers, product_iri),
                parent=_identifier(identifiers, parent_iri),
                supplements=_identifier(identifiers, supplements[0] if supplements else None),
                last_reviewed=_date(row, "lastReviewed"),
                next_review=_date(row, "nextReview"),
                modified=_text(row, "modified") or None,
                url=_text(row, "url") or None,
                facets=facets,
                subjects=tuple(sorted(set(vals.get("subject", [])))),
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
