"""Concept labels: turns concept IRIs into notations and Swedish/English labels."""

from __future__ import annotations

from dataclasses import dataclass

from service.queries import load_query
from service.store.base import Store


@dataclass(frozen=True)
class ConceptLabel:
    iri: str
    scheme: str
    notation: str
    sv: str
    en: str

    def as_json(self) -> dict[str, object]:
        """The API's ``ConceptRef``; ``system`` (the code system) is filled in by callers that
        show subject codes."""
        return {
            "id": self.notation,
            "iri": self.iri,
            "label": {"sv": self.sv, "en": self.en},
            "system": None,
        }


class Vocabulary:
    """All concepts of all schemes in the store, looked up by IRI."""

    def __init__(self, concepts: dict[str, ConceptLabel]) -> None:
        self._concepts = concepts

    @classmethod
    def from_store(cls, store: Store) -> Vocabulary:
        concepts: dict[str, ConceptLabel] = {}
        for row in store.select(load_query("concept-labels")):
            iri = row["concept"].value
            notation = row["notation"].value if "notation" in row else iri.rsplit("/", 1)[-1]
            sv = row["sv"].value if "sv" in row else notation
            en = row["en"].value if "en" in row else sv
            concepts[iri] = ConceptLabel(iri, row["scheme"].value, notation, sv, en)
        return cls(concepts)

    def get(self, iri: str) -> ConceptLabel:
        """The concept's labels; an unknown IRI gets its last path segment as label."""
        found = self._concepts.get(iri)
        if found is not None:
            return found
        tail = iri.rstrip("/").rsplit("/", 1)[-1]
        return ConceptLabel(iri, "", tail, tail, tail)

    def in_scheme(self, scheme_iri: str) -> list[ConceptLabel]:
        return sorted(
            (c for c in self._concepts.values() if c.scheme == scheme_iri),
            key=lambda c: c.notation,
        )

    def __len__(self) -> int:
        return len(self._concepts)
