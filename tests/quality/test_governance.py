"""Governance rules over a small store: unused classes and properties, regional supplements
awaiting re-confirmation, sources past their re-assessment date."""

from __future__ import annotations

import datetime as dt

import pyoxigraph
from pyoxigraph import RdfFormat

from service.quality.governance import (
    sources_past_reassessment,
    supplements_to_reconfirm,
    unused_terms,
)
from service.store import OxigraphStore

PREFIXES = """
@prefix ks: <https://kunskapsgraf.se/ont/> .
@base <https://kunskapsgraf.se/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix lifecycle: <https://kunskapsgraf.se/vocab/lifecycle/> .
@prefix status: <https://kunskapsgraf.se/vocab/approval-status/> .
"""


def store_with(trig: str) -> OxigraphStore:
    store = OxigraphStore()
    store.add_quads(pyoxigraph.parse(PREFIXES + trig, format=RdfFormat.TRIG))
    return store


def test_unused_classes_and_properties_are_information() -> None:
    store = store_with(
        """
        <https://kunskapsgraf.se/graph/ontology> {
            ks:Resource a owl:Class . ks:Product a owl:Class ; rdfs:subClassOf ks:Resource .
            ks:Unused a owl:Class .
            ks:title a owl:DatatypeProperty . ks:relation a owl:ObjectProperty .
            ks:seeAlso a owl:ObjectProperty ; rdfs:subPropertyOf ks:relation .
            ks:isPartOf a owl:ObjectProperty . ks:hasPart a owl:ObjectProperty ;
                owl:inverseOf ks:isPartOf .
            ks:neverUsed a owl:DatatypeProperty .
            <http://example.org/External> a owl:Class .
        }
        <https://kunskapsgraf.se/graph/source/nkk> {
            <item/nkk/a> a ks:Product ; ks:title "A"@sv ; ks:seeAlso <item/nkk/b> ;
                ks:isPartOf <item/nkk/b> .
        }
        """
    )
    found = {(f.rule, f.subject.rsplit("/", 1)[-1]) for f in unused_terms(store)}
    # A superclass is used through its subclass, a super-property through its sub-property,
    # a property through its inverse; terms outside ks: are not ours to report.
    assert found == {("unused-class", "Unused"), ("unused-property", "neverUsed")}
    assert {f.severity for f in unused_terms(store)} == {"info"}


SUPPLEMENTS = """
<https://kunskapsgraf.se/graph/source/nkk> {
    <item/nkk/astma> ks:identifier "nkk:astma" ;
        ks:currentVersion <version/nkk/astma/2026-06-01> .
    <version/nkk/astma/2025-01-10> ks:versionOf <item/nkk/astma> .
    <version/nkk/astma/2026-06-01> ks:versionOf <item/nkk/astma> ;
        ks:lastReviewed "2026-06-01"^^xsd:date .
}
<https://kunskapsgraf.se/graph/source/region-12> {
    <item/region-12/old> a ks:RegionalSupplement ; ks:identifier "region-12:old" ;
        ks:supplements <item/nkk/astma> ;
        ks:supplementsVersion <version/nkk/astma/2025-01-10> ;
        ks:lifecycleState lifecycle:gallande .
    <item/region-12/current> a ks:RegionalSupplement ; ks:identifier "region-12:current" ;
        ks:supplements <item/nkk/astma> ;
        ks:supplementsVersion <version/nkk/astma/2026-06-01> ;
        ks:lifecycleState lifecycle:gallande .
    <item/region-12/withdrawn> a ks:RegionalSupplement ; ks:identifier "region-12:withdrawn" ;
        ks:supplements <item/nkk/astma> ;
        ks:supplementsVersion <version/nkk/astma/2025-01-10> ;
        ks:lifecycleState lifecycle:tillbakadragen .
    <item/region-12/flagged> a ks:RegionalSupplement ; ks:identifier "region-12:flagged" ;
        ks:supplements <item/nkk/astma> ;
        ks:confirmationStatus <https://kunskapsgraf.se/vocab/supplement-status/behover-bekraftas> .
}
"""


def test_supplements_pinned_to_an_old_national_version_await_reconfirmation() -> None:
    found = supplements_to_reconfirm(store_with(SUPPLEMENTS), dt.date(2026, 7, 1))
    by_item = {f.subject: f for f in found}
    # Not the one pinned to the current version, nor the withdrawn one; the one flagged with a
    # "behöver bekräftas" concept (whatever the property the model gives it) is reported too.
    assert set(by_item) == {"region-12:old", "region-12:flagged"}
    old = by_item["region-12:old"]
    assert old.severity == "warning"
    assert "ksi:version/nkk/astma/2026-06-01" in old.message_sv
    assert "30 dagar" in old.message_sv and "30 days" in old.message_en


REGISTER = """
<https://kunskapsgraf.se/graph/register> {
    <source/a> a ks:KnowledgeSource ; ks:sourceKey "a" ; ks:currentApproval <approval/a/1> .
    <approval/a/1> ks:approvalStatus status:godkand ; ks:validUntil "2026-01-31"^^xsd:date .
    <source/b> a ks:KnowledgeSource ; ks:sourceKey "b" ; ks:currentApproval <approval/b/1> .
    <approval/b/1> ks:approvalStatus status:godkand ; ks:validUntil "2026-03-01"^^xsd:date .
    <source/c> a ks:KnowledgeSource ; ks:sourceKey "c" ; ks:currentApproval <approval/c/1> .
    <approval/c/1> ks:approvalStatus status:avvecklad ; ks:validUntil "2020-01-01"^^xsd:date .
    <source/d> a ks:KnowledgeSource ; ks:sourceKey "d" ; ks:currentApproval <approval/d/2> ;
        ks:hasApproval <approval/d/1> .
    <approval/d/1> ks:approvalStatus status:godkand ; ks:validUntil "2020-01-01"^^xsd:date .
    <approval/d/2> ks:approvalStatus status:godkand ; ks:validUntil "2028-01-01"^^xsd:date .
}
"""


def test_sources_past_their_reassessment_date() -> None:
    found = sources_past_reassessment(store_with(REGISTER), dt.date(2026, 2, 1))
    # Only the approval in force counts (d's old one does not), and a wound-up source is not
    # re-assessed (c); b's date is still ahead.
    assert [(f.subject, f.value, f.severity) for f in found] == [("a", "2026-01-31", "warning")]
    assert "1 dagar" in found[0].message_sv and "re-assessment" in found[0].message_en
