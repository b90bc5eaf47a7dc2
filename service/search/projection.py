"""From a ``SearchDocument`` (the item as read from the graph) to the ``IndexDocument`` the
index stores: text fields, facet values, concepts with their ancestors, dates as day numbers,
and a fingerprint of all of it (equal fingerprint = nothing to re-index)."""

from __future__ import annotations

import datetime as dt
import hashlib

from service.search.analysis import normalise
from service.search.concepts import Thesaurus
from service.search.documents import SearchDocument
from service.search.facets import FACETS, NATIONAL
from service.search.index import IndexDocument
from service.terms import KSV

# Facets whose values are concepts of the scheme named here (region is a filter of its own).
FACET_SCHEMES = {
    "contentType": "content-type",
    "audience": "audience",
    "careSetting": "care-setting",
    "knowledgeArea": "knowledge-area",
    "patientGroup": "patient-group",
    "region": "region",
}
# Integration levels that allow indexing an item's full text (DOMAIN 0.7: link only and
# metadata only do not).
TEXT_INDEX_LEVELS = ("fulltext-index", "fulltext-visning")
TEXT_DISPLAY_LEVELS = ("fulltext-visning",)


def text_indexable(doc: SearchDocument) -> bool:
    return not doc.integration_level or doc.integration_level in TEXT_INDEX_LEVELS


# (facet, IRI prefix of its concepts) in FACETS order, for the facets whose values are concepts
# an item is tagged with.
_CONCEPT_FACETS = tuple(
    (f.name, f"{KSV}{FACET_SCHEMES[f.name]}/")
    for f in FACETS
    if f.name in FACET_SCHEMES and f.name != "region"
)


def facet_concepts(doc: SearchDocument) -> list[str]:
    """IRIs of the facet concepts (knowledge area, care setting ...) the item has."""
    facets = doc.facets
    return [prefix + value for name, prefix in _CONCEPT_FACETS for value in facets.get(name, ())]


def _day(value: str | dt.date | None) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return value.toordinal()
    try:
        return dt.date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return 0


# Separators of list items and of a facet's name from its values in the fingerprinted text.
_LIST = "\x1f"
_KEY = "\x1d"


def project(doc: SearchDocument, thesaurus: Thesaurus) -> IndexDocument:
    subject_labels: list[str] = []
    for iri in doc.subjects:
        concept = thesaurus.get(iri)
        if concept is not None:
            subject_labels.append(f"{concept.notation} {concept.sv}")
    direct = sorted({*doc.subjects, *facet_concepts(doc)})
    tree = sorted({a for iri in direct for a in thesaurus.ancestors(iri)})
    alt_titles = " ; ".join(doc.alt_titles)
    subjects = " ; ".join(subject_labels) or doc.subject_text
    body = doc.body if text_indexable(doc) else ""
    exact = sorted({" ".join(normalise(t).split()) for t in (doc.title, *doc.alt_titles)})
    modified = _day(doc.modified) or _day(doc.last_reviewed)
    next_review = doc.next_review.toordinal() if doc.next_review else None
    # Every projected value, each part prefixed with its length so that text cannot move
    # between parts unnoticed (a fingerprint of the same document is the same number).
    parts = (
        doc.identifier,
        doc.kind,
        doc.title,
        alt_titles,
        subjects,
        doc.summary,
        body,
        _LIST.join(exact),
        _LIST.join(k + _KEY + _LIST.join(v) for k, v in sorted(doc.facets.items())),
        _LIST.join(doc.subjects),
        _LIST.join(direct),
        _LIST.join(tree),
        str(next_review),
        str(modified),
    )
    text = "".join(f"{len(part)}:{part}" for part in parts)
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return IndexDocument(
        identifier=doc.identifier,
        fingerprint=int.from_bytes(digest, "big") >> 1,  # fits a signed 64-bit integer
        kind=doc.kind,
        title=doc.title,
        alt_titles=alt_titles,
        subjects=subjects,
        summary=doc.summary,
        body=body,
        exact=tuple(exact),
        facets=doc.facets,
        subject_concepts=tuple(doc.subjects),
        direct_concepts=tuple(direct),
        concept_tree=tuple(tree),
        next_review=next_review,
        modified=modified,
    )


def in_region(doc: SearchDocument, region: str | None) -> bool:
    regions = doc.facets.get("region", (NATIONAL,))
    return region is None or NATIONAL in regions or region in regions
