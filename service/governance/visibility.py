"""Who sees what. Everyone sees public content (``SearchDocument.public``: an approved source,
a current lifecycle state). A source in pilot (approval status ``pilot``) or an item in pilot
(lifecycle ``pilot``) is seen only through a preview scope (``roles.Principal.previews``);
suspended, rejected and retired sources stay hidden from everyone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from service.governance.roles import Principal
from service.search.documents import SearchDocument
from service.terms import CURRENT_LIFECYCLE_STATES, PUBLIC_APPROVAL_STATUSES

PILOT = "pilot"


def in_pilot(doc: SearchDocument) -> bool:
    """Content that is waiting for preview: neither public nor hidden for good."""
    status_ok = doc.approval_status in (*PUBLIC_APPROVAL_STATUSES, PILOT)
    state_ok = doc.lifecycle in (*CURRENT_LIFECYCLE_STATES, PILOT)
    return status_ok and state_ok and PILOT in (doc.approval_status, doc.lifecycle)


def previewable(doc: SearchDocument, principal: Principal) -> bool:
    return doc.public or (in_pilot(doc) and principal.previews(doc.source_key))


class PreviewDocuments(Mapping[str, SearchDocument]):
    """The search documents as ``principal`` sees them in preview: pilot content in its scope
    counts as public, so the item page shows it (and its pilot parts) as it will look."""

    def __init__(self, documents: Mapping[str, SearchDocument], principal: Principal) -> None:
        self._documents = documents
        self._principal = principal

    def __getitem__(self, identifier: str) -> SearchDocument:
        doc = self._documents[identifier]
        if not doc.public and previewable(doc, self._principal):
            return replace(
                doc,
                approval_status=PUBLIC_APPROVAL_STATUSES[0],
                lifecycle=CURRENT_LIFECYCLE_STATES[0],
            )
        return doc

    def __iter__(self) -> Iterator[str]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)


def pilot_items(
    documents: Mapping[str, SearchDocument], principal: Principal, source: str
) -> list[SearchDocument]:
    """The pilot content of ``source`` that ``principal`` may preview, by identifier."""
    return sorted(
        (
            d
            for d in documents.values()
            if d.source_key == source and in_pilot(d) and principal.previews(source)
        ),
        key=lambda d: d.identifier,
    )
