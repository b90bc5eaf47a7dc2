"""A small corpus written for the search tests: a few items per analysis rule, a code scheme
with altLabels (KOL, UVI, hjärtinfarkt ↔ myokardinfarkt) and a hierarchy, one approved and one
unapproved source, a regional supplement and an overdue review."""

from __future__ import annotations

import io
import re

from pyoxigraph import RdfFormat, parse

from service.store import OxigraphStore

TODAY_ISO = "2026-11-26"

PREFIXES = """
@prefix ks: <https://kunskapsgraf.se/ont/> .
@prefix ksv: <https://kunskapsgraf.se/vocab/> .
@prefix ksi: <https://kunskapsgraf.se/id/> .
@prefix ksg: <https://kunskapsgraf.se/graph/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

VOCAB = """
ksg:vocab/test {
  ksv:icd-10-se a skos:ConceptScheme .
  ksv:icd-10-se/J44 a skos:Concept ; skos:inScheme ksv:icd-10-se ; skos:notation "J44" ;
    skos:prefLabel "Kronisk obstruktiv lungsjukdom"@sv , "COPD"@en ;
    skos:altLabel "KOL"@sv .
  ksv:icd-10-se/J45 a skos:Concept ; skos:inScheme ksv:icd-10-se ; skos:notation "J45" ;
    skos:prefLabel "Astma"@sv , "Asthma"@en .
  ksv:icd-10-se/J45.0 a skos:Concept ; skos:inScheme ksv:icd-10-se ; skos:notation "J45.0" ;
    skos:prefLabel "Allergisk astma"@sv ; skos:broader ksv:icd-10-se/J45 .
  ksv:icd-10-se/I21 a skos:Concept ; skos:inScheme ksv:icd-10-se ; skos:notation "I21" ;
    skos:prefLabel "Hjärtinfarkt"@sv ; skos:altLabel "myokardinfarkt"@sv .
  ksv:icd-10-se/N39.0 a skos:Concept ; skos:inScheme ksv:icd-10-se ; skos:notation "N39.0" ;
    skos:prefLabel "Urinvägsinfektion"@sv ; skos:hiddenLabel "UVI"@sv .
  ksv:atc a skos:ConceptScheme .
  ksv:atc/N02BE01 a skos:Concept ; skos:inScheme ksv:atc ; skos:notation "N02BE01" ;
    skos:prefLabel "Paracetamol"@sv .
  ksv:audience/lakare a skos:Concept ; skos:inScheme ksv:audience ; skos:notation "lakare" ;
    skos:prefLabel "Läkare"@sv , "Physician"@en .
  ksv:audience/sjukskoterska a skos:Concept ; skos:inScheme ksv:audience ;
    skos:notation "sjukskoterska" ; skos:prefLabel "Sjuksköterska"@sv , "Nurse"@en .
  ksv:content-type/faktatext a skos:Concept ; skos:inScheme ksv:content-type ;
    skos:notation "faktatext" ; skos:prefLabel "Faktatext"@sv , "Fact text"@en .
  ksv:region/nationell a skos:Concept ; skos:inScheme ksv:region ; skos:notation "nationell" ;
    skos:prefLabel "Nationell"@sv .
  ksv:region/12 a skos:Concept ; skos:inScheme ksv:region ; skos:notation "12" ;
    skos:prefLabel "Region Skåne"@sv .
  ksv:region/14 a skos:Concept ; skos:inScheme ksv:region ; skos:notation "14" ;
    skos:prefLabel "Västra Götalandsregionen"@sv .
}
"""

REGISTER = """
ksg:register {
  ksi:source/a ks:sourceKey "a" ; ks:title "Källa A"@sv ; ks:currentApproval ksi:approval/a ;
    ks:licence ksi:licence/cc-by ; ks:attribution "Källa: A."@sv .
  ksi:approval/a ks:approvalStatus ksv:approval-status/godkand ;
    ks:integrationLevel ksv:integration-level/fulltext-visning .
  ksi:licence/cc-by ks:title "CC BY 4.0"@sv ;
    ks:url "https://creativecommons.org/licenses/by/4.0/" .
  ksi:source/b ks:sourceKey "b" ; ks:title "Källa B"@sv ; ks:currentApproval ksi:approval/b .
  ksi:approval/b ks:approvalStatus ksv:approval-status/under-bedomning ;
    ks:integrationLevel ksv:integration-level/fulltext-visning .
  ksi:source/r12 ks:sourceKey "r12" ; ks:title "Region Skåne"@sv ;
    ks:currentApproval ksi:approval/r12 .
  ksi:approval/r12 ks:approvalStatus ksv:approval-status/godkand ;
    ks:integrationLevel ksv:integration-level/fulltext-visning .
}
"""


def item(
    source: str,
    local: str,
    title: str,
    body: str = "",
    *,
    subjects: tuple[str, ...] = (),
    audience: str = "lakare",
    lifecycle: str = "gallande",
    next_review: str = "2029-01-01",
    modified: str = "2025-01-01T00:00:00+00:00",
    extra: str = "",
    kind: str = "KnowledgeProduct",
) -> str:
    subject_triples = "".join(f" ; ks:subject ksv:{s}" for s in subjects)
    return f"""
  ksi:item/{source}/{local} a ks:{kind} ; ks:identifier "{source}:{local}" ;
    ks:title "{title}"@sv ; ks:body "{body}"@sv ; ks:source ksi:source/{source} ;
    ks:contentType ksv:content-type/faktatext ; ks:audience ksv:audience/{audience} ;
    ks:lifecycleState ksv:lifecycle/{lifecycle} ;
    ks:nextReview "{next_review}"^^xsd:date ;
    ks:modified "{modified}"^^xsd:dateTime {subject_triples} {extra} .
"""


ITEMS_A = "".join(
    [
        item(
            "a",
            "hjartsvikt-behandling",
            "Behandling av hjärtsvikt",
            "Diuretika och betablockerare vid hjärtsvikt.",
        ),
        item("a", "hjartsvikt-utredning", "Utredning vid hjärtsvikt", "Ekokardiografi."),
        item(
            "a",
            "kol",
            "Kroniskt obstruktiv lungsjukdom",
            "Rökstopp och inhalationer.",
            subjects=("icd-10-se/J44",),
        ),
        item(
            "a",
            "infarkt",
            "Omhändertagande vid akut kranskärlssjukdom",
            "Tidig reperfusion räddar hjärtmuskel.",
            subjects=("icd-10-se/I21",),
        ),
        item(
            "a",
            "urinvag",
            "Cystit hos kvinnor",
            "Nedre urinvägssymtom behandlas med antibiotika.",
            subjects=("icd-10-se/N39.0",),
        ),
        item(
            "a",
            "pollen",
            "Pollenallergi och luftvägar",
            "Säsongsbunden allergi med besvär från luftvägarna.",
            subjects=("icd-10-se/J45.0",),
        ),
        item(
            "a",
            "astma",
            "Astma",
            "Astma hos vuxna behandlas med inhalationssteroider.",
            subjects=("icd-10-se/J45",),
        ),
        item(
            "a",
            "astma-barn",
            "Astma hos barn",
            "Astma är vanligt hos barn.",
            audience="sjukskoterska",
            subjects=("icd-10-se/J45",),
        ),
        item(
            "a", "feber", "Feber hos barn", "Febernedsättande läkemedel.", subjects=("atc/N02BE01",)
        ),
        item(
            "a",
            "astma-gammal",
            "Astma",
            "Astma hos vuxna behandlas med inhalationssteroider.",
            next_review="2020-01-01",
            modified="2026-06-01T00:00:00+00:00",
        ),
        item(
            "a",
            "astma-snart",
            "Astma och graviditet",
            "Astma under graviditet.",
            next_review="2027-01-15",
        ),
        item("a", "diabetes", "Diabetes typ 2", "Metformin är förstahandsval vid diabetes."),
        # A section: no lifecycle or audience of its own, it inherits its product's.
        """
  ksi:item/a/diabetes.behandling a ks:Section ; ks:identifier "a:diabetes.behandling" ;
    ks:title "Läkemedel vid diabetes"@sv ; ks:body "Metformin och SGLT2-hämmare."@sv ;
    ks:source ksi:source/a ; ks:isPartOf ksi:item/a/diabetes ;
    ks:nextReview "2029-01-01"^^xsd:date .
""",
        item("a", "tillbaka", "Astma, gammal version", "Astma.", lifecycle="tillbakadragen"),
    ]
)
ITEMS_B = item("b", "astma", "Astma enligt B", "Astma hos vuxna.")
ITEMS_R12 = item(
    "r12",
    "astma-skane",
    "Astma – regionalt tillägg Skåne",
    "I Region Skåne remitteras astma till lungmottagningen.",
    kind="RegionalSupplement",
    extra="; ks:region ksv:region/12 ; ks:supplements ksi:item/a/astma",
)


NAMESPACES = {
    "ksv": "https://kunskapsgraf.se/vocab/",
    "ksi": "https://kunskapsgraf.se/id/",
    "ksg": "https://kunskapsgraf.se/graph/",
}


def _expand(text: str) -> str:
    """``ksv:icd-10-se/J45`` → a full IRI (a slash may not start a Turtle local name part)."""
    return re.sub(
        r"\b(ksv|ksi|ksg):([\w-]+/[\w./-]*[\w])",
        lambda m: f"<{NAMESPACES[m.group(1)]}{m.group(2)}>",
        text,
    )


def fixture_trig() -> str:
    return _expand(
        PREFIXES
        + VOCAB
        + REGISTER
        + f"ksg:source/a {{ {ITEMS_A} }}\n"
        + f"ksg:source/b {{ {ITEMS_B} }}\n"
        + f"ksg:source/r12 {{ {ITEMS_R12} }}\n"
    )


def fixture_store() -> OxigraphStore:
    store = OxigraphStore()
    store.add_quads(parse(io.BytesIO(fixture_trig().encode()), format=RdfFormat.TRIG))
    return store
