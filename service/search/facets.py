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

# Documents without a region are national content.
NATIONAL = "nationell"
