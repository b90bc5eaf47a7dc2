"""The search facets, declared once. Each facet is a filter parameter of ``/api/search`` and a
block of counts in its response. Values are notations (``lakare``) or source keys (``nkk``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    name: str
    label_sv: str
    label_en: str
    # Parts (sections, recommendations) without their own values take their product's.
    inherited: bool = True


FACETS: tuple[Facet, ...] = (
    Facet("source", "Källa", "Source", inherited=False),
    Facet("contentType", "Innehållstyp", "Content type"),
    Facet("audience", "Målgrupp", "Audience"),
    Facet("careSetting", "Vårdnivå", "Care setting"),
    Facet("knowledgeArea", "Kunskapsområde", "Knowledge area"),
    Facet("patientGroup", "Patientgrupp", "Patient group"),
    Facet("region", "Region", "Region", inherited=False),
)

FACET_NAMES = tuple(f.name for f in FACETS)

# Facets computed by the index rather than read as item values: the concepts (codes) items are
# tagged with, and freshness from the next review date relative to today (DOMAIN R6).
CONCEPT = Facet("concept", "Begrepp", "Concept", inherited=False)
FRESHNESS = Facet("freshness", "Aktualitet", "Freshness", inherited=False)
SEARCH_FACETS: tuple[Facet, ...] = (*FACETS, CONCEPT, FRESHNESS)
SEARCH_FACET_NAMES = tuple(f.name for f in SEARCH_FACETS)

FRESHNESS_VALUES: dict[str, tuple[str, str]] = {
    "aktuell": ("Aktuell", "Current"),
    "granskning-snart": ("Granskning inom 90 dagar", "Review due within 90 days"),
    "granskning-forsenad": ("Granskningsdatum passerat", "Review overdue"),
}
# Review due "soon" means within this many days.
REVIEW_SOON_DAYS = 90
# How many concept values the concept facet lists.
CONCEPT_FACET_SIZE = 20

# Documents without a region are national content.
NATIONAL = "nationell"
