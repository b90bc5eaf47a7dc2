"""SKOS quality rules over the concept schemes (after the qSKOS catalogue of quality issues).

Each rule is a function of the :class:`SkosData` read once from a store; :func:`skos_findings`
runs them all. The rules and their severities:

========================================  ========  ===============================================
rule                                      severity  finds
========================================  ========  ===============================================
``skos-cycle``                            error     cycles in the broader/narrower hierarchy
``skos-relation-clash``                   error     related concepts that are also hierarchically
                                                    linked (directly or transitively)
``skos-top-concept-with-broader``         error     a top concept that has a broader concept
``skos-missing-preflabel``                error     a concept without any skos:prefLabel
``skos-missing-swedish-preflabel``        error     a concept without a Swedish skos:prefLabel
``skos-ambiguous-preflabel``              error     two prefLabels in one language on one concept
``skos-empty-label``                      error     a label that is empty or only white space
``skos-missing-english-preflabel``        warning   a concept without an English skos:prefLabel
``skos-disjoint-labels``                  warning   one label as both pref/alt/hidden on a concept
``skos-duplicate-label``                  warning   the same label on two concepts of one scheme
``skos-orphan-concept``                   warning   neither a top concept nor below one
``skos-scheme-without-top-concept``       warning   a scheme nobody can browse into
========================================  ========  ===============================================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx
from pyoxigraph import Literal

from service.quality.findings import Finding, short_iri
from service.queries import load_query
from service.store.base import Store
from service.terms import SKOS

PREF, ALT, HIDDEN = SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"
_LABEL_NAMES = {PREF: "skos:prefLabel", ALT: "skos:altLabel", HIDDEN: "skos:hiddenLabel"}


@dataclass(frozen=True)
class Label:
    concept: str
    property: str
    value: str
    language: str  # "" for a plain literal


@dataclass
class SkosData:
    """What the rules read: concepts with their schemes, the hierarchy, associative links and
    labels."""

    schemes: dict[str, set[str]] = field(default_factory=dict)  # concept → its schemes
    top: set[str] = field(default_factory=set)
    hierarchy: nx.DiGraph = field(default_factory=nx.DiGraph)  # narrower → broader, all links
    broader: nx.DiGraph = field(default_factory=nx.DiGraph)  # the same without mappings
    implicit: set[str] = field(default_factory=set)  # in skos:broader/narrower, maybe untyped
    associative: list[tuple[str, str]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    schemes_without_top: list[str] = field(default_factory=list)

    @classmethod
    def from_store(cls, store: Store) -> SkosData:
        data = cls()
        for row in store.select(load_query("quality-skos-concepts")):
            concept = row["concept"].value
            schemes = data.schemes.setdefault(concept, set())
            if "scheme" in row:
                schemes.add(row["scheme"].value)
            if row["top"].value == "true":
                data.top.add(concept)
        for row in store.select(load_query("quality-skos-hierarchy")):
            narrower, broader = row["narrower"].value, row["broader"].value
            data.hierarchy.add_edge(narrower, broader)
            if row["mapping"].value != "true":
                data.broader.add_edge(narrower, broader)
                data.implicit.update((narrower, broader))
        data.associative = [
            (row["concept"].value, row["other"].value)
            for row in store.select(load_query("quality-skos-associative"))
        ]
        for row in store.select(load_query("quality-skos-labels")):
            label = row["label"]
            assert isinstance(label, Literal)
            data.labels.append(
                Label(
                    row["concept"].value, row["property"].value, label.value, label.language or ""
                )
            )
        data.schemes_without_top = [
            row["scheme"].value
            for row in store.select(load_query("quality-skos-schemes-without-top"))
        ]
        return data

    def concepts(self) -> set[str]:
        """Typed or placed concepts, plus untyped ones linked by broader/narrower."""
        return set(self.schemes) | self.implicit

    def labels_of(self) -> dict[str, list[Label]]:
        by_concept: dict[str, list[Label]] = defaultdict(list)
        for label in self.labels:
            by_concept[label.concept].append(label)
        return by_concept


def _language(tag: str) -> str:
    return tag or "utan språk/no language"


def cycles(data: SkosData) -> list[Finding]:
    found: list[Finding] = []
    for component in nx.strongly_connected_components(data.hierarchy):
        members = sorted(component)
        if len(members) == 1 and not data.hierarchy.has_edge(members[0], members[0]):
            continue
        names = " → ".join(short_iri(m) for m in members)
        found.append(
            Finding(
                "skos-cycle",
                "error",
                members[0],
                f"Cykel i hierarkin (skos:broader/skos:narrower): {names}. Ett begrepp kan inte "
                "vara sitt eget överbegrepp; ta bort en av länkarna.",
                f"Cycle in the hierarchy (skos:broader/skos:narrower): {names}. A concept cannot "
                "be its own broader concept; remove one of the links.",
                related=tuple(members[1:]),
            )
        )
    return found


def relation_clashes(data: SkosData) -> list[Finding]:
    found: dict[tuple[str, str], Finding] = {}
    graph = data.hierarchy
    for concept, other in data.associative:
        pair = (min(concept, other), max(concept, other))
        if pair in found or concept == other:
            continue
        linked = (
            concept in graph
            and other in graph
            and (nx.has_path(graph, concept, other) or nx.has_path(graph, other, concept))
        )
        if linked:
            a, b = short_iri(pair[0]), short_iri(pair[1])
            found[pair] = Finding(
                "skos-relation-clash",
                "error",
                pair[0],
                f"{a} och {b} är både associativt relaterade (skos:related) och över- och "
                "underordnade i hierarkin. Ta bort skos:related eller den hierarkiska länken.",
                f"{a} and {b} are both associatively related (skos:related) and linked in the "
                "hierarchy. Remove skos:related or the hierarchical link.",
                related=(pair[1],),
            )
    return list(found.values())


def top_concepts_with_broader(data: SkosData) -> list[Finding]:
    return [
        Finding(
            "skos-top-concept-with-broader",
            "error",
            concept,
            f"{short_iri(concept)} är toppbegrepp men har ett överbegrepp "
            f"({', '.join(short_iri(b) for b in sorted(data.broader.successors(concept)))}). "
            "Ta bort skos:topConceptOf eller skos:broader.",
            f"{short_iri(concept)} is a top concept but has a broader concept. Remove "
            "skos:topConceptOf or skos:broader.",
            related=tuple(sorted(data.broader.successors(concept))),
        )
        for concept in sorted(data.top)
        if concept in data.broader and any(True for _ in data.broader.successors(concept))
    ]


def missing_preflabels(data: SkosData) -> list[Finding]:
    by_concept = data.labels_of()
    found: list[Finding] = []
    for concept in sorted(data.concepts()):
        prefs = {label.language for label in by_concept.get(concept, []) if label.property == PREF}
        name = short_iri(concept)
        if not prefs:
            found.append(
                Finding(
                    "skos-missing-preflabel",
                    "error",
                    concept,
                    f"{name} saknar föredragen term (skos:prefLabel). Ange en på svenska och en "
                    "på engelska.",
                    f"{name} has no preferred label (skos:prefLabel). Give one in Swedish and "
                    "one in English.",
                    field="skos:prefLabel",
                )
            )
            continue
        if not any(lang.lower().startswith("sv") for lang in prefs):
            found.append(
                Finding(
                    "skos-missing-swedish-preflabel",
                    "error",
                    concept,
                    f"{name} saknar föredragen term på svenska (skos:prefLabel med @sv).",
                    f"{name} has no Swedish preferred label (skos:prefLabel with @sv).",
                    field="skos:prefLabel",
                )
            )
        if not any(lang.lower().startswith("en") for lang in prefs):
            found.append(
                Finding(
                    "skos-missing-english-preflabel",
                    "warning",
                    concept,
                    f"{name} saknar föredragen term på engelska (skos:prefLabel med @en).",
                    f"{name} has no English preferred label (skos:prefLabel with @en).",
                    field="skos:prefLabel",
                )
            )
    return found


def ambiguous_preflabels(data: SkosData) -> list[Finding]:
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for label in data.labels:
        if label.property == PREF:
            values[(label.concept, label.language.lower())].add(label.value)
    found: list[Finding] = []
    for (concept, language), labels in sorted(values.items()):
        if len(labels) < 2:
            continue
        listed = ", ".join(f'"{v}"' for v in sorted(labels))
        found.append(
            Finding(
                "skos-ambiguous-preflabel",
                "error",
                concept,
                f"{short_iri(concept)} har {len(labels)} föredragna termer på samma språk "
                f"({_language(language)}): {listed}. Behåll en som skos:prefLabel och gör "
                "de andra till skos:altLabel.",
                f"{short_iri(concept)} has {len(labels)} preferred labels in one language "
                f"({_language(language)}): {listed}. Keep one as skos:prefLabel and make the "
                "others skos:altLabel.",
                field="skos:prefLabel",
                value=language,
            )
        )
    return found


def empty_labels(data: SkosData) -> list[Finding]:
    return [
        Finding(
            "skos-empty-label",
            "error",
            label.concept,
            f"{short_iri(label.concept)} har en tom {_LABEL_NAMES[label.property]}. Ta bort den "
            "eller skriv termen.",
            f"{short_iri(label.concept)} has an empty {_LABEL_NAMES[label.property]}. Remove it "
            "or write the term.",
            field=_LABEL_NAMES[label.property],
            value=label.language,
        )
        for label in sorted(set(data.labels), key=lambda x: (x.concept, x.property, x.language))
        if not label.value.strip()
    ]


def disjoint_labels(data: SkosData) -> list[Finding]:
    properties: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for label in data.labels:
        if label.value.strip():
            properties[(label.concept, label.value, label.language)].add(label.property)
    found: list[Finding] = []
    for (concept, value, language), used in sorted(properties.items()):
        if len(used) < 2:
            continue
        names = " och ".join(_LABEL_NAMES[p] for p in sorted(used))
        names_en = " and ".join(_LABEL_NAMES[p] for p in sorted(used))
        found.append(
            Finding(
                "skos-disjoint-labels",
                "warning",
                concept,
                f'{short_iri(concept)} har termen "{value}" både som {names}. Samma term ska '
                "bara finnas en gång per begrepp.",
                f'{short_iri(concept)} has the label "{value}" as both {names_en}. A label '
                "belongs in one place per concept.",
                value=f"{value}@{language}" if language else value,
            )
        )
    return found


def duplicate_labels(data: SkosData) -> list[Finding]:
    """The same label (ignoring case) on two concepts of one scheme, where at least one of them
    uses it as the preferred label: search and editors cannot tell them apart. A concept and its
    direct broader concept may share a label (classifications name a group's only subgroup
    after the group)."""
    groups: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for label in data.labels:
        if label.property == HIDDEN or not label.value.strip():
            continue
        text = " ".join(label.value.casefold().split())
        for scheme in data.schemes.get(label.concept) or {""}:
            groups[(scheme, label.language.lower(), text)][label.concept].add(label.property)
    found: list[Finding] = []
    for (scheme, language, text), concepts in sorted(groups.items()):
        if len(concepts) < 2 or not any(PREF in used for used in concepts.values()):
            continue
        members = sorted(concepts)
        if len(members) == 2 and (
            data.broader.has_edge(members[0], members[1])
            or data.broader.has_edge(members[1], members[0])
        ):
            # Classifications repeat a group's name on its only subgroup (ATC N03/N03A).
            continue
        names = ", ".join(short_iri(m) for m in members)
        where = f"schemat {short_iri(scheme)}" if scheme else "samma vokabulär"
        where_en = f"the scheme {short_iri(scheme)}" if scheme else "the same vocabulary"
        found.append(
            Finding(
                "skos-duplicate-label",
                "warning",
                members[0],
                f'Termen "{text}" ({_language(language)}) används av {len(members)} begrepp i '
                f"{where}: {names}. Gör termerna entydiga eller slå ihop begreppen.",
                f'The label "{text}" ({_language(language)}) is used by {len(members)} concepts '
                f"in {where_en}: {names}. Make the labels unambiguous or merge the concepts.",
                related=tuple(members[1:]),
                value=text,
            )
        )
    return found


def orphan_concepts(data: SkosData) -> list[Finding]:
    """Concepts that are neither a top concept nor below a broader concept: browsing a scheme
    from its top concepts never reaches them."""
    found: list[Finding] = []
    for concept in sorted(data.schemes):
        has_broader = concept in data.broader and any(
            True for _ in data.broader.successors(concept)
        )
        if concept in data.top or has_broader:
            continue
        found.append(
            Finding(
                "skos-orphan-concept",
                "warning",
                concept,
                f"{short_iri(concept)} är varken toppbegrepp (skos:topConceptOf) eller har något "
                "överbegrepp (skos:broader), så det nås inte när man bläddrar i schemat.",
                f"{short_iri(concept)} is neither a top concept (skos:topConceptOf) nor has a "
                "broader concept (skos:broader), so browsing the scheme never reaches it.",
            )
        )
    return found


def schemes_without_top(data: SkosData) -> list[Finding]:
    return [
        Finding(
            "skos-scheme-without-top-concept",
            "warning",
            scheme,
            f"Begreppsschemat {short_iri(scheme)} har begrepp men inget toppbegrepp "
            "(skos:hasTopConcept/skos:topConceptOf).",
            f"The concept scheme {short_iri(scheme)} has concepts but no top concept "
            "(skos:hasTopConcept/skos:topConceptOf).",
        )
        for scheme in sorted(data.schemes_without_top)
    ]


RULES: list[Callable[[SkosData], Iterable[Finding]]] = [
    cycles,
    relation_clashes,
    top_concepts_with_broader,
    missing_preflabels,
    ambiguous_preflabels,
    empty_labels,
    disjoint_labels,
    duplicate_labels,
    orphan_concepts,
    schemes_without_top,
]


def skos_findings(store: Store) -> list[Finding]:
    """Every SKOS rule over the concepts in ``store`` (union of its graphs)."""
    data = SkosData.from_store(store)
    return [finding for rule in RULES for finding in rule(data)]
