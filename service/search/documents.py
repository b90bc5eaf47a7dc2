"""The search index is a projection of the graph: ``build_documents`` reads every knowledge
resource from the store into a flat ``SearchDocument``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from service.queries import load_query
from service.search.facets import FACETS, NATIONAL
from service.store.base import Row, Store
from service.terms import CURRENT_LIFECYCLE_STATES, KS, PUBLIC_APPROVAL_STATUSES
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


def build_documents(store: Store, vocabulary: Vocabulary) -> list[SearchDocument]:
    """Every knowledge resource in the store as a search document (public or not)."""
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(load_query("search-document-values")):
        values[row["item"].value][row["field"].value].append(row["value"].value)

    rows = store.select(load_query("search-documents"))
    # One row per item is expected; OPTIONALs can duplicate rows when data is irregular.
    by_item: dict[str, Row] = {}
    for row in rows:
        by_item.setdefault(row["item"].value, row)

    def own_facets(iri: str, row: Row) -> dict[str, tuple[str, ...]]:
        vals = values.get(iri, {})
        result = {
            f.name: tuple(sorted({_notation(v) for v in vals.get(f.name, [])})) for f in FACETS
        }
        key = _text(row, "sourceKey") or _notation(row["source"].value)
        result["source"] = (key,)
        result["region"] = result["region"] or (NATIONAL,)
        return result

    raw = {iri: own_facets(iri, row) for iri, row in by_item.items()}
    identifiers = {iri: _text(row, "identifier") for iri, row in by_item.items()}
    docs: list[SearchDocument] = []
    for iri, row in sorted(by_item.items()):
        facets = dict(raw[iri])
        product_iri = row["product"].value if "product" in row else None
        if product_iri and product_iri in raw:
            for f in FACETS:
                if f.inherited and not facets[f.name]:
                    facets[f.name] = raw[product_iri][f.name]
        vals = values.get(iri, {})
        subjects = [vocabulary.get(v) for v in vals.get("subject", [])]
        parent_iri = row["parent"].value if "parent" in row else None
        supplements = vals.get("supplements", [])
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
                source_key=facets["source"][0],
                source_title=_text(row, "sourceTitle"),
                approval_status=_notation(_text(row, "approvalStatus")),
                integration_level=_notation(_text(row, "integrationLevel")),
                lifecycle=_notation(_text(row, "lifecycle")),
                product=identifiers.get(product_iri or ""),
                parent=identifiers.get(parent_iri or ""),
                supplements=identifiers.get(supplements[0]) if supplements else None,
                last_reviewed=_date(row, "lastReviewed"),
                next_review=_date(row, "nextReview"),
                modified=_text(row, "modified") or None,
                url=_text(row, "url") or None,
                facets=facets,
            )
        )
    return docs
