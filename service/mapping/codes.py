"""Codes and keywords in native records, linked to the concepts of imported code systems.

A source writes codes its own way (WHO: ``A831``; MedlinePlus: MeSH descriptor ids; PubMedQA-swe:
Swedish MeSH *labels*). The mapping says which scheme a value belongs to and whether it is a
notation or a label (``by``); :func:`link_codes` keeps a ``ks:subject`` only when its concept
exists, so a batch is never rejected because a code system is not (yet) imported. What could
not be linked is counted per scheme and reported with the run, so an information architect can
see which terminology is missing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import NamedNode, Triple

from service.terms import KS, KSV

SUBJECT = NamedNode(KS + "subject")

# Code systems whose notations nest by prefix (ICD-10: A83.1 → A83; ATC: N02BE01 → N02BE →
# N02B → N02 → N). A code more specific than the loaded version knows, or written with a
# filler digit (WHO writes J09 as "J090"), is linked to its nearest existing broader code:
# an item about a subcategory is about the category. MeSH ids and KVÅ codes do not nest so.
PREFIX_HIERARCHIES = {"icd-10-se": 3, "atc": 1}  # scheme → length of the shortest code


@dataclass(frozen=True)
class CodeReference:
    """A keyword that names a concept by its label (``by = "label"`` in a mapping)."""

    item: str
    scheme: str
    label: str
    language: str


class ConceptLookup(Protocol):
    """What linking needs to know about the concept schemes in the store."""

    def exists(self, concept: str) -> bool:
        """Whether ``concept`` (an IRI) is a SKOS concept in the store."""
        ...

    def by_label(self, scheme: str, label: str, language: str) -> list[str]:
        """Concepts of ``ksv:<scheme>`` with this pref/alt/hidden label (case-insensitive)."""
        ...


@dataclass
class CodeLinks:
    """What linking did to one batch: how many subject links were kept, and which codes and
    labels named no concept (scheme → value → number of items)."""

    linked: int = 0
    unlinked: dict[str, Counter[str]] = field(default_factory=dict)
    # code as written → the broader code it was linked to instead (scheme-qualified)
    broadened: Counter[str] = field(default_factory=Counter)

    def add_unlinked(self, scheme: str, value: str) -> None:
        self.unlinked.setdefault(scheme, Counter())[value] += 1

    def merge(self, other: CodeLinks) -> None:
        self.linked += other.linked
        self.broadened.update(other.broadened)
        for scheme, counts in other.unlinked.items():
            self.unlinked.setdefault(scheme, Counter()).update(counts)

    def as_json(self, sample: int = 20) -> dict[str, object]:
        return {
            "linked": self.linked,
            "broadened": {
                "count": sum(self.broadened.values()),
                "examples": [value for value, _ in self.broadened.most_common(sample)],
            },
            "unlinked": {
                scheme: {
                    "count": sum(counts.values()),
                    "distinct": len(counts),
                    "examples": [value for value, _ in counts.most_common(sample)],
                }
                for scheme, counts in sorted(self.unlinked.items())
            },
        }


def link_codes(
    triples: list[Triple], references: list[CodeReference], concepts: ConceptLookup
) -> tuple[list[Triple], CodeLinks]:
    """Keep the ``ks:subject`` triples whose concept exists, add those that label references
    resolve to, and count the rest. Other triples pass through unchanged."""
    links = CodeLinks()
    kept: list[Triple] = []
    present: set[tuple[str, str]] = set()
    for t in triples:
        concept = t.object
        if t.predicate == SUBJECT and isinstance(concept, NamedNode):
            if not concept.value.startswith(KSV):
                links.add_unlinked("", concept.value)
                continue
            scheme, _, code = concept.value.removeprefix(KSV).partition("/")
            found = _existing(scheme, code, concepts)
            if found is None:
                links.add_unlinked(scheme, code)
                continue
            if found != code:
                links.broadened[f"{scheme}: {code} → {found}"] += 1
                concept = NamedNode(f"{KSV}{scheme}/{found}")
                t = Triple(t.subject, t.predicate, concept)
            key = (t.subject.value if isinstance(t.subject, NamedNode) else "", concept.value)
            if key in present:
                continue
            present.add(key)
            links.linked += 1
        kept.append(t)
    for ref in references:
        named = concepts.by_label(ref.scheme, ref.label, ref.language)
        if not named:
            links.add_unlinked(ref.scheme, ref.label)
            continue
        for concept_iri in named:
            if (ref.item, concept_iri) not in present:
                present.add((ref.item, concept_iri))
                kept.append(Triple(NamedNode(ref.item), SUBJECT, NamedNode(concept_iri)))
                links.linked += 1
    return kept, links


def _existing(scheme: str, code: str, concepts: ConceptLookup) -> str | None:
    """The code itself if the scheme has it, else (prefix hierarchies only) its nearest
    broader code that exists, else None."""
    if concepts.exists(f"{KSV}{scheme}/{code}"):
        return code
    shortest = PREFIX_HIERARCHIES.get(scheme)
    if shortest is None:
        return None
    candidate = code
    while len(candidate) > shortest:
        candidate = candidate[:-1].rstrip(".")
        if concepts.exists(f"{KSV}{scheme}/{candidate}"):
            return candidate
    return None
