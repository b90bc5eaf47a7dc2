"""What search knows about concepts: every label (preferred, alternative, hidden; in any
language), notations, and the broader/narrower hierarchy of every SKOS scheme in the store.

It turns query text into concepts (``KOL``, ``hjärtinfarkt``, ``J45``) and gives each item's
concepts their ancestors, so "this concept or anything narrower" is one term in the index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from service.queries import load_query
from service.store.base import Store
from service.terms import KSV


@dataclass
class Concept:
    iri: str
    scheme: str = ""
    notation: str = ""
    pref: dict[str, str] = field(default_factory=dict)
    # (language, label) pairs of altLabel and hiddenLabel: synonyms and abbreviations.
    alt: list[tuple[str, str]] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The API id ``<scheme>:<notation>`` (``icd-10-se:J45``)."""
        return concept_id(self.iri, self.scheme, self.notation)

    @property
    def sv(self) -> str:
        return self.pref.get("sv") or self.pref.get("en") or self.notation

    @property
    def en(self) -> str:
        return self.pref.get("en") or self.sv

    def labels(self) -> list[str]:
        """Every label, preferred first, without duplicates (case-insensitive)."""
        seen: dict[str, str] = {}
        for text in [*self.pref.values(), *(label for _, label in self.alt)]:
            seen.setdefault(text.casefold(), text)
        return list(seen.values())


def concept_id(iri: str, scheme: str = "", notation: str = "") -> str:
    """``https://kunskapsgraf.se/vocab/icd-10-se/J45`` → ``icd-10-se:J45``."""
    if iri.startswith(KSV):
        scheme_key, _, local = iri[len(KSV) :].partition("/")
        return f"{scheme_key}:{notation or local}"
    tail = scheme.rstrip("/").rsplit("/", 1)[-1] if scheme else "x"
    return f"{tail}:{notation or iri.rstrip('/').rsplit('/', 1)[-1]}"


class Thesaurus:
    """All concepts, looked up by IRI, API id, notation or (analysed) label."""

    def __init__(self, concepts: Iterable[Concept] = ()) -> None:
        self.concepts: dict[str, Concept] = {c.iri: c for c in concepts}
        self.by_id: dict[str, Concept] = {c.id: c for c in self.concepts.values()}
        self.by_notation: dict[str, list[Concept]] = defaultdict(list)
        for c in self.concepts.values():
            if c.notation:
                self.by_notation[c.notation.casefold()].append(c)
        self._ancestors: dict[str, tuple[str, ...]] = {}
        self._narrower: dict[str, list[str]] | None = None
        self._labels: dict[tuple[str, ...], list[Concept]] | None = None
        self.max_label_tokens = 1
        self.labelled_schemes: set[str] | None = None

    @classmethod
    def from_store(cls, store: Store) -> Thesaurus:
        concepts: dict[str, Concept] = {}
        for row in store.select(load_query("search-concepts")):
            iri = row["concept"].value
            c = concepts.get(iri)
            if c is None:
                c = concepts[iri] = Concept(iri)
            if "scheme" in row and not c.scheme:
                c.scheme = row["scheme"].value
            if "notation" in row and not c.notation:
                c.notation = row["notation"].value
            if "broader" in row:
                if row["broader"].value not in c.broader:
                    c.broader.append(row["broader"].value)
                continue
            label = row.get("label")
            if label is None:
                continue
            language = (getattr(label, "language", None) or "sv").split("-")[0]
            if row["kind"].value == "pref":
                c.pref.setdefault(language, label.value)
            elif (language, label.value) not in c.alt:
                c.alt.append((language, label.value))
        for c in concepts.values():
            if not c.notation:
                c.notation = c.iri.rstrip("/").rsplit("/", 1)[-1]
        return cls(concepts.values())

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, iri: str) -> Concept | None:
        return self.concepts.get(iri)

    def ancestors(self, iri: str) -> tuple[str, ...]:
        """The concept and every broader concept, transitively (cycles are cut)."""
        found = self._ancestors.get(iri)
        if found is not None:
            return found
        seen: list[str] = []
        stack = [iri]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.append(current)
            concept = self.concepts.get(current)
            if concept is not None:
                stack.extend(concept.broader)
        result = tuple(seen)
        self._ancestors[iri] = result
        return result

    def narrower(self, iri: str) -> list[str]:
        """Direct narrower concepts."""
        if self._narrower is None:
            narrower: dict[str, list[str]] = defaultdict(list)
            for c in self.concepts.values():
                for b in c.broader:
                    narrower[b].append(c.iri)
            self._narrower = dict(narrower)
        return self._narrower.get(iri, [])

    def index_labels(self, analyse: Callable[[str], list[str]], schemes: set[str]) -> None:
        """Prepare label lookup: each label of a concept in ``schemes`` is analysed (stemmed)
        so that inflected forms in a query ("hjärtinfarkten") still find it."""
        labels: dict[tuple[str, ...], list[Concept]] = defaultdict(list)
        longest = 1
        for c in self.concepts.values():
            if c.scheme not in schemes:
                continue
            for text in c.labels():
                key = tuple(analyse(text))
                if key and c not in labels[key]:
                    labels[key].append(c)
                    longest = max(longest, len(key))
        self._labels = dict(labels)
        self.max_label_tokens = min(longest, 8)
        self.labelled_schemes = set(schemes)

    def by_label(self, key: tuple[str, ...]) -> list[Concept]:
        """Concepts one of whose labels analyses to ``key``."""
        return (self._labels or {}).get(key, [])
