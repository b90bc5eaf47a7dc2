"""The store's code systems as a :class:`~service.mapping.codes.ConceptLookup`, so mapped
records link their codes and keywords to imported concepts (ICD-10-SE, ATC, KVÅ, MeSH)."""

from __future__ import annotations

from pyoxigraph import NamedNode

from service.queries import load_query
from service.store.base import Store
from service.terms import KSV


class StoreConcepts:
    """Answers from the store, cached for one batch (a batch names the same codes often)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._exists: dict[str, bool] = {}
        # (scheme, language) → casefolded label → concept IRIs
        self._labels: dict[tuple[str, str], dict[str, list[str]]] = {}

    def exists(self, concept: str) -> bool:
        known = self._exists.get(concept)
        if known is None:
            rows = self._store.select(load_query("concept-exists"), {"concept": NamedNode(concept)})
            known = self._exists[concept] = bool(rows)
        return known

    def by_label(self, scheme: str, label: str, language: str) -> list[str]:
        index = self._labels.get((scheme, language))
        if index is None:
            index = self._labels[(scheme, language)] = self._label_index(scheme, language)
        return index.get(_key(label), [])

    def _label_index(self, scheme: str, language: str) -> dict[str, list[str]]:
        rows = self._store.select(
            load_query("concept-labels-in-scheme"), {"scheme": NamedNode(KSV + scheme)}
        )
        index: dict[str, list[str]] = {}
        for row in rows:
            label, concept = row["label"], row["concept"]
            tag = (getattr(label, "language", None) or "").lower()
            if tag.split("-")[0] != language.lower():
                continue
            found = index.setdefault(_key(label.value), [])
            if concept.value not in found:
                found.append(concept.value)
        return index


def _key(label: str) -> str:
    return " ".join(label.casefold().split())
