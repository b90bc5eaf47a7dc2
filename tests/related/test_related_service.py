"""Related content over the demo corpus: each relation kind, shared concepts weighted by
specificity, the concept hierarchy, diversity, scope rules and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from service.config import Settings
from service.errors import InvalidParameter, NotFound
from service.related import RelatedService
from service.related.index import specificity
from service.search import SearchService, open_index
from service.store import Store
from service.terms import KSV


def build(settings: Settings, store: Store) -> RelatedService:
    search = SearchService(open_index(settings))
    search.refresh(store)
    related = RelatedService(search)
    related.refresh(store)
    return related


@pytest.fixture(scope="module")
def service(settings: Settings, demo_store: Store) -> RelatedService:
    return build(settings, demo_store)


def results(service: RelatedService, identifier: str, **kwargs: Any) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in service.related(identifier, **kwargs)["related"]}


def relation_types(result: dict[str, Any]) -> set[str]:
    return {r["type"] for r in result["why"]["relations"]}


def test_catheter_text_relates_to_guidance_supplement_and_patient_text(
    service: RelatedService,
) -> None:
    found = results(service, "vardhandboken:kateterisering-urinblasa")
    # Curated "see also" to the national section on catheters, said so in Swedish and English.
    section = found["nkk:urinvagsinfektion.kateter-och-abu"]
    assert "seeAlso" in relation_types(section)
    assert section["why"]["text"]["sv"].startswith("Se även – utvalt av redaktionen")
    assert section["why"]["text"]["en"].startswith("See also")
    # The region's supplement to that section, reached through it.
    supplement = found["region-14:urinvagsinfektion-vgr"]
    (relation,) = supplement["why"]["relations"]
    assert relation["type"] == "hasRegionalSupplement"
    assert relation["via"] == "nkk:urinvagsinfektion.kateter-och-abu"
    assert "Regionalt tillägg från Västra Götalandsregionen" in supplement["why"]["text"]["sv"]
    # The patient text shares the (specific) ICD-10 code, and says which.
    patient = found["1177:urinvagsinfektion"]
    assert patient["why"]["relations"] == []
    assert "icd-10-se:N39.0" in {c["id"] for c in patient["why"]["concepts"]}
    assert "Båda handlar om" in patient["why"]["text"]["sv"]
    assert "(N39.0)" in patient["why"]["text"]["sv"]


def test_based_on_patient_information_and_region_supplement(service: RelatedService) -> None:
    found = results(service, "nkk:astma-vuxna")
    guideline = found["socialstyrelsen:astma-kol"]
    assert relation_types(guideline) == {"isBasedOn"}
    assert guideline["why"]["relations"][0]["relationType"] == "relation-type:is-based-on"
    assert guideline["why"]["text"]["sv"].startswith("Bygger på nationell riktlinje")
    patient = found["1177:astma"]
    assert relation_types(patient) == {"hasPatientInformation"}
    assert patient["why"]["text"]["sv"].startswith("Patientinformation")
    skane = found["region-12:astma-vuxna-skane"]
    assert skane["why"]["text"]["sv"].startswith("Regionalt tillägg från Region Skåne")


def test_inverse_relations_read_from_the_other_side(service: RelatedService) -> None:
    found = results(service, "sbu:handhygien-foljsamhet")
    nkk = found["nkk:handhygien-vardrelaterade-infektioner"]
    assert relation_types(nkk) == {"isBasisFor"}
    assert nkk["why"]["text"]["en"].startswith("Is evidence for")
    patient = results(service, "1177:astma")["nkk:astma-vuxna"]
    assert relation_types(patient) == {"isPatientInformationFor"}


def test_inverses_come_from_the_ontology_not_the_data(settings: Settings, store: Store) -> None:
    store.update("DELETE WHERE { GRAPH ?g { ?a <https://kunskapsgraf.se/ont/isBasisFor> ?b } }")
    found = results(build(settings, store), "sbu:handhygien-foljsamhet")
    assert "isBasisFor" in relation_types(found["nkk:handhygien-vardrelaterade-infektioner"])


def test_implements(service: RelatedService) -> None:
    found = results(service, "vardhandboken:handhygien-basala-hygienrutiner")
    regulation = found["socialstyrelsen:handhygien-basal-hygien-foreskrift"]
    assert relation_types(regulation) == {"implements"}
    assert regulation["why"]["text"]["sv"].startswith("Omsätter föreskrift i praktiken")


def test_section_shows_its_product_and_inherits_its_relations(service: RelatedService) -> None:
    found = results(service, "nkk:astma-vuxna.behandling")
    product = found["nkk:astma-vuxna"]
    assert relation_types(product) == {"isPartOf"}
    assert product["why"]["text"]["sv"].startswith("Del av Astma hos vuxna")
    patient = found["1177:astma"]
    assert patient["why"]["relations"][0]["via"] == "nkk:astma-vuxna"
    # Sibling sections are on the product page, not in the related list.
    assert not [i for i in found if i.startswith("nkk:astma-vuxna.")]


def test_replaced_and_unapproved_content_never_appears(service: RelatedService) -> None:
    # The 2025/2026 recommendation was replaced by the 2026/2027 one: not current any more.
    with pytest.raises(NotFound):
        service.related("folkhalsomyndigheten:influensavaccination-2025-2026")
    found = results(service, "folkhalsomyndigheten:influensavaccination-2026-2027")
    assert "folkhalsomyndigheten:influensavaccination-2025-2026" not in found
    documents = service.search.documents
    for identifier in list(service.current().pos)[::7]:
        for related in service.related(identifier, limit=20)["related"]:
            assert documents[related["id"]].public


def test_specific_codes_weigh_more_than_broad_concepts(service: RelatedService) -> None:
    index = service.current()
    asthma = specificity(index, f"{KSV}icd-10-se/J45")
    chapter = specificity(index, f"{KSV}icd-10-se/J40-J47")
    adults = specificity(index, f"{KSV}patient-group/vuxna")
    assert asthma > chapter > 0
    assert asthma > adults
    patient = results(service, "nkk:astma-vuxna")["1177:astma"]
    weights = {c["id"]: c["weight"] for c in patient["why"]["concepts"]}
    assert weights["icd-10-se:J45"] == max(weights.values())


def test_closeness_in_the_code_hierarchy_is_explained_with_a_path(service: RelatedService) -> None:
    kol = results(service, "nkk:astma-vuxna")["nkk:kol"]
    path = kol["why"]["path"]
    assert path[0].startswith("icd-10-se:J45")
    assert "icd-10-se:J40-J47" in path
    assert path[-1].startswith("icd-10-se:J44")
    assert "Kroniska sjukdomar i nedre luftvägarna (J40-J47)" in kol["why"]["text"]["sv"]


def test_results_span_sources_and_documents(service: RelatedService) -> None:
    top = service.related("nkk:astma-vuxna", limit=5)["related"]
    assert len({r["source"]["id"] for r in top}) == 5
    roots = [r["partOf"] or r["id"] for r in top]
    assert len(set(roots)) == len(roots)


def test_region_puts_its_supplements_first_and_hides_other_regions(
    service: RelatedService,
) -> None:
    body = service.related("nkk:astma-vuxna", region="12")
    assert body["region"] == "12"
    related = body["related"]
    assert related[0]["id"] == "region-12:astma-vuxna-skane"
    regions = {r["region"]["id"] for r in related if r["region"]}
    assert regions == {"12"}
    everywhere = results(service, "nkk:astma-vuxna")
    assert "region-14:astma-vuxna-vgr" in everywhere


def test_bad_input(service: RelatedService) -> None:
    with pytest.raises(NotFound):
        service.related("nkk:finns-inte")
    with pytest.raises(InvalidParameter) as region:
        service.related("nkk:astma-vuxna", region="99")
    assert "12" in region.value.details["valid"]
    for limit in (0, 51):
        with pytest.raises(InvalidParameter) as error:
            service.related("nkk:astma-vuxna", limit=limit)
        assert error.value.details["parameter"] == "limit"


def test_withdrawn_items_leave_at_once_and_the_index_follows(
    settings: Settings, store: Store
) -> None:
    service = build(settings, store)
    assert "1177:astma" in results(service, "nkk:astma-vuxna")
    store.update(
        """
        DELETE { GRAPH ?g { ?item ks:lifecycleState ?state } }
        INSERT { GRAPH ?g { ?item ks:lifecycleState
                            <https://kunskapsgraf.se/vocab/lifecycle/tillbakadragen> } }
        WHERE { GRAPH ?g { ?item ks:identifier "1177:astma" ; ks:lifecycleState ?state } }
        """
    )
    service.search.update_items(store, ["https://kunskapsgraf.se/id/item/1177/astma"])
    # Before the background rebuild: checked against the live search documents.
    assert "1177:astma" not in results(service, "nkk:astma-vuxna")
    with pytest.raises(NotFound):
        service.related("1177:astma")
    service.refresh_soon(store)
    service.wait(timeout=60)
    assert "1177:astma" not in service.current().pos
