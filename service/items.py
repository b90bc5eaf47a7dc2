"""Item pages as data: everything about one knowledge resource, with labels, parts, typed
relations and regional supplements, limited to what its source's approval allows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pyoxigraph import Literal, NamedNode

from service.errors import NotFound
from service.queries import load_query
from service.search.documents import SearchDocument
from service.store.base import Store
from service.terms import KS, KSV
from service.vocabulary import Vocabulary

# Integration levels at which the body text may be shown (DOMAIN 3.8); below them the page
# shows title, summary and a link only.
TEXT_LEVELS = ("fulltext-visning",)

CONCEPT_FIELDS = {
    KS + "contentType": "contentType",
    KS + "lifecycleState": "lifecycle",
    KS + "audience": "audience",
    KS + "careSetting": "careSetting",
    KS + "knowledgeArea": "knowledgeArea",
    KS + "patientGroup": "patientGroup",
    KS + "subject": "subjects",
    KS + "region": "region",
    KS + "recommendationStrength": "recommendationStrength",
    KS + "evidenceGrade": "evidenceGrade",
}
SINGLE = {"contentType", "lifecycle", "region", "recommendationStrength", "evidenceGrade"}
TEXT_FIELDS = {
    KS + "summary": "summary",
    KS + "body": "body",
    KS + "rationale": "rationale",
    KS + "practicalAdvice": "practicalAdvice",
    KS + "url": "url",
    KS + "issued": "issued",
    KS + "modified": "modified",
    KS + "lastReviewed": "lastReviewed",
    KS + "nextReview": "nextReview",
    KS + "versionLabel": "version",
    KS + "language": "language",
}


def _not_found(identifier: str) -> NotFound:
    return NotFound(
        f"Det finns inget publicerat innehåll med id '{identifier}'.",
        f"There is no published item with id '{identifier}'.",
        id=identifier,
    )


def get_item(
    store: Store,
    documents: Mapping[str, SearchDocument],
    vocabulary: Vocabulary,
    identifier: str,
    *,
    region: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The JSON-ready page of one public item (the API's ``ItemResponse``).

    ``region`` (a länskod) limits the regional supplements to that region's.
    Raises ``NotFound`` for unknown ids and for items whose source is not approved.
    """
    doc = documents.get(identifier)
    if doc is None or not doc.public:
        raise _not_found(identifier)
    item = NamedNode(doc.iri)
    today = today or dt.date.today()

    page: dict[str, Any] = {
        "id": doc.identifier,
        "iri": doc.iri,
        "kind": doc.kind,
        "title": doc.title,
        "alternativeTitles": list(doc.alt_titles),
        "reviewStatus": doc.review_status(today),
        "audience": [],
        "careSetting": [],
        "knowledgeArea": [],
        "patientGroup": [],
        "subjects": [],
    }
    publisher: dict[str, Any] | None = None
    approved_by: dict[str, Any] | None = None
    source_iri: NamedNode | None = None
    for row in store.select(load_query("item-properties"), {"item": item}):
        prop, value = row["property"].value, row["value"]
        if prop in CONCEPT_FIELDS:
            field = CONCEPT_FIELDS[prop]
            concept = vocabulary.get(value.value)
            entry = concept.as_json()
            if field == "subjects":
                entry["system"] = concept.scheme.rsplit("/", 1)[-1]
            if field in SINGLE:
                page[field] = entry
            else:
                page[field].append(entry)
        elif prop in TEXT_FIELDS and isinstance(value, Literal):
            language = (value.language or "sv").split("-")[0]
            if language == "sv" or TEXT_FIELDS[prop] not in page:
                page[TEXT_FIELDS[prop]] = value.value
        elif prop == KS + "publisher":
            publisher = {"iri": value.value, "name": _text(row, "valueSv") or value.value}
        elif prop == KS + "approvedBy":
            approved_by = {"iri": value.value, "name": _text(row, "valueSv") or value.value}
        elif prop == KS + "source" and isinstance(value, NamedNode):
            source_iri = value
    for name in ("audience", "careSetting", "knowledgeArea", "patientGroup", "subjects"):
        page[name].sort(key=lambda c: c["id"])
    page["publisher"] = publisher
    page["approvedBy"] = approved_by
    page["source"] = _source(store, source_iri)

    # Parts inherit what they do not state themselves from their product.
    product = documents.get(doc.product or "")
    if product is not None:
        for facet in ("audience", "careSetting", "knowledgeArea", "patientGroup"):
            if not page[facet]:
                page[facet] = [
                    vocabulary.get(f"{KSV}{_SCHEMES[facet]}/{v}").as_json()
                    for v in product.facets.get(facet, ())
                ]
        if "contentType" not in page and product.facets.get("contentType"):
            ct = product.facets["contentType"][0]
            page["contentType"] = vocabulary.get(f"{KSV}content-type/{ct}").as_json()

    level = page["source"]["integrationLevel"] if page["source"] else None
    page["textAvailable"] = level in TEXT_LEVELS
    if not page["textAvailable"]:
        # The source's approval does not allow showing its text here: link instead.
        page["body"] = None
        page.pop("rationale", None)
        page.pop("practicalAdvice", None)

    page["partOf"] = _brief(documents, doc.parent)
    page["product"] = _brief(documents, doc.product)
    page["supplements"] = _brief(documents, doc.supplements)
    page["parts"] = [
        _brief(documents, r["identifier"].value)
        for r in store.select(load_query("item-parts"), {"item": item})
        if _visible(documents, r["identifier"].value)
    ]
    page["regionalSupplements"] = [
        {
            **(_brief(documents, r["identifier"].value) or {}),
            "region": vocabulary.get(r["region"].value).as_json(),
            "attachedTo": r["targetIdentifier"].value,
        }
        for r in store.select(load_query("item-supplements"), {"item": item})
        if _visible(documents, r["identifier"].value)
        and (region is None or r["region"].value == f"{KSV}region/{region}")
    ]
    page["relations"] = _relations(store, documents, item)
    return page


_SCHEMES = {
    "audience": "audience",
    "careSetting": "care-setting",
    "knowledgeArea": "knowledge-area",
    "patientGroup": "patient-group",
}


def _text(row: Mapping[str, Any], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _visible(documents: Mapping[str, SearchDocument], identifier: str | None) -> bool:
    doc = documents.get(identifier or "")
    return doc is not None and doc.public


def _brief(
    documents: Mapping[str, SearchDocument], identifier: str | None
) -> dict[str, Any] | None:
    doc = documents.get(identifier or "")
    if doc is None or not doc.public:
        return None
    return {"id": doc.identifier, "title": doc.title, "kind": doc.kind, "source": doc.source_key}


def _source(store: Store, source: NamedNode | None) -> dict[str, Any] | None:
    if source is None:
        return None
    rows = store.select(load_query("item-source"), {"source": source})
    if not rows:
        return None
    row = rows[0]

    def tail(name: str) -> str | None:
        text = _text(row, name)
        return text.rsplit("/", 1)[-1] if text else None

    return {
        "id": _text(row, "key"),
        "title": _text(row, "title"),
        "url": _text(row, "url"),
        "attribution": _text(row, "attribution"),
        "licence": {"title": _text(row, "licenceTitle"), "url": _text(row, "licenceUrl")},
        "approvalStatus": tail("approvalStatus"),
        "integrationLevel": tail("integrationLevel"),
    }


def _relations(
    store: Store, documents: Mapping[str, SearchDocument], item: NamedNode
) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    targets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in store.select(load_query("item-relations"), {"item": item}):
        prop = row["property"].value
        brief = _brief(documents, row["targetIdentifier"].value)
        if brief is None:
            continue
        name = prop.rsplit("/", 1)[-1]
        grouped.setdefault(
            prop,
            {
                "type": name,
                "label": {
                    "sv": _text(row, "propertySv") or name,
                    "en": _text(row, "propertyEn") or name,
                },
            },
        )
        if brief not in targets[prop]:
            targets[prop].append(brief)
    return [grouped[p] | {"items": targets[p]} for p in sorted(grouped)]
