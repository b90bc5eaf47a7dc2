"""Terminology importers: small hand-written inputs in the upstream formats (written to tmp_path
here, never copies of the real files), then the real files in ../shared/data when present."""

from __future__ import annotations

import functools
import itertools
import os
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from service.config import Settings
from service.corpus import load_demo
from service.errors import InvalidParameter, InvalidRdf
from service.store import OxigraphStore, Store
from service.store.loading import LoadSource, load_files
from service.terminology import (
    TERMINOLOGIES,
    ImportResult,
    default_path,
    import_terminology,
    known_from_result,
    load_terminology,
    write_result,
)
from service.terms import KS, KSV, SKOS, vocab_graph

REPO = Path(__file__).resolve().parents[2]
# Restricted data is read in place, never copied into the repository.
SHARED = Path(
    os.environ.get("KUNSKAPSGRAF_SHARED_DATA")
    or Path(__file__).resolve().parents[3] / "shared" / "data"
)
DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
BOM = "\ufeff"


def iri(scheme: str, local: str = "") -> NamedNode:
    return NamedNode(f"{KSV}{scheme}/{local}" if local else f"{KSV}{scheme}")


def skos(local: str) -> NamedNode:
    return NamedNode(SKOS + local)


def sv(text: str) -> Literal:
    return Literal(text, language="sv")


def en(text: str) -> Literal:
    return Literal(text, language="en")


def objects(result: ImportResult, subject: NamedNode, predicate: NamedNode) -> set[object]:
    return {t.object for t in result.triples if t.subject == subject and t.predicate == predicate}


def literals(result: ImportResult, subject: NamedNode, predicate: NamedNode) -> list[Literal]:
    return [o for o in objects(result, subject, predicate) if isinstance(o, Literal)]


def subjects(result: ImportResult, predicate: NamedNode, obj: object) -> set[object]:
    return {t.subject for t in result.triples if t.predicate == predicate and t.object == obj}


def write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((BOM if bom else "") + text, encoding="utf-8")
    return path


def assert_skos_only(result: ImportResult) -> None:
    """No ks: terms; every subject is a concept, the scheme or (annotations) a graph."""
    for t in result.triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, NamedNode):
                assert not term.value.startswith(KS), t
        if isinstance(t.object, Literal) and t.predicate == skos("notation"):
            assert t.object.datatype.value.endswith("#string")


# --------------------------------------------------------------------------------------------
# ICD-10-SE

ICD_FILES = {
    "chapter.txt": "10\t\tAndningsorganens sjukdomar (J00-J99)\n"
    "20\t\tYttre orsaker till sjukdom och död (V01-Y98)\n",
    "block.txt": "J40-J47\t\tKroniska sjukdomar i nedre luftvägarna\n"
    "V01-V09\t\tFotgängare skadad i transportolycka\n",
    "digit3.txt": "J45\t\tAstma\r\nJ46\t\tAkut svår astma\r\n"
    "V01\t\tFotgängare skadad i kollision\r\n",
    "digit4.txt": "J450\t\tHuvudsakligen allergisk astma\nJ451\t\tIcke allergisk astma\n",
    "digit5.txt": "J450A\t\tAllergisk astma, testad\nV0100\t\tFotgängare skadad, ej trafik\n",
}


def icd_folder(root: Path) -> Path:
    folder = root / "icd-10-se-2021"
    for name, text in ICD_FILES.items():
        write(folder / name, text, bom=True)
    return folder


def test_icd10se_codes_notations_labels_and_hierarchy(tmp_path: Path) -> None:
    result = import_terminology("icd-10-se", icd_folder(tmp_path))
    assert result.scheme == KSV + "icd-10-se"
    assert result.concepts == 2 + 2 + 3 + 2 + 2
    assert result.labels == {"prefLabel@sv": 11}
    assert result.warnings == []
    j450 = iri("icd-10-se", "J45.0")
    assert objects(result, j450, skos("notation")) == {Literal("J45.0")}
    assert objects(result, j450, skos("prefLabel")) == {sv("Huvudsakligen allergisk astma")}
    assert objects(result, j450, skos("inScheme")) == {iri("icd-10-se")}
    assert objects(result, j450, RDF_TYPE) == {skos("Concept")}
    # 5 → 4 → 3 characters → block → chapter (Roman numeral, as in the demo subset)
    assert objects(result, iri("icd-10-se", "J45.0A"), skos("broader")) == {j450}
    assert objects(result, j450, skos("broader")) == {iri("icd-10-se", "J45")}
    assert objects(result, iri("icd-10-se", "J45"), skos("broader")) == {
        iri("icd-10-se", "J40-J47")
    }
    assert objects(result, iri("icd-10-se", "J40-J47"), skos("broader")) == {iri("icd-10-se", "X")}
    assert j450 in objects(result, iri("icd-10-se", "J45"), skos("narrower"))
    # A 5-character code without its 4-character level hangs on the 3-character code.
    assert objects(result, iri("icd-10-se", "V01.00"), skos("broader")) == {iri("icd-10-se", "V01")}
    chapter = iri("icd-10-se", "X")
    assert objects(result, chapter, skos("prefLabel")) == {sv("Andningsorganens sjukdomar")}
    assert objects(result, chapter, skos("scopeNote")) == {sv("Omfattar koderna J00–J99.")}
    assert objects(result, chapter, skos("topConceptOf")) == {iri("icd-10-se")}
    assert subjects(result, skos("topConceptOf"), iri("icd-10-se")) == {
        chapter,
        iri("icd-10-se", "XX"),
    }
    assert objects(result, iri("icd-10-se"), skos("hasTopConcept")) == {
        chapter,
        iri("icd-10-se", "XX"),
    }
    assert_skos_only(result)


def test_icd10se_scheme_resource_states_source_licence_and_version(tmp_path: Path) -> None:
    result = import_terminology("icd-10-se", icd_folder(tmp_path))
    scheme = iri("icd-10-se")
    assert objects(result, scheme, RDF_TYPE) == {skos("ConceptScheme")}
    assert {lit.language for lit in literals(result, scheme, skos("prefLabel"))} == {"sv", "en"}
    assert objects(result, scheme, NamedNode(OWL + "versionInfo")) == {Literal("2021")}
    assert objects(result, scheme, NamedNode(DCT + "source"))
    assert objects(result, scheme, NamedNode(DCT + "license"))
    rights = literals(result, scheme, NamedNode(DCT + "rights"))
    assert any("Socialstyrelsen" in lit.value for lit in rights)


def test_icd10se_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    folder = icd_folder(tmp_path)
    write(folder / "digit4.txt", "J450\t\tAllergisk astma\nJ45-1 Icke allergisk astma\n", bom=True)
    with pytest.raises(InvalidParameter) as caught:
        import_terminology("icd-10-se", folder)
    assert caught.value.details["file"].endswith("digit4.txt")
    assert caught.value.details["line"] == 2
    assert "line 2" in caught.value.message_en


def test_icd10se_undecodable_bytes_and_missing_files_are_reported(tmp_path: Path) -> None:
    folder = icd_folder(tmp_path)
    (folder / "block.txt").write_bytes(b"J40-J47\t\tKroniska sjukdomar\nV01-V09\t\tFotg\xe4ngare\n")
    with pytest.raises(InvalidParameter) as caught:
        import_terminology("icd-10-se", folder)
    assert caught.value.details["line"] == 2
    (folder / "digit5.txt").unlink()
    write(folder / "block.txt", ICD_FILES["block.txt"])
    with pytest.raises(InvalidParameter, match="does not exist"):
        import_terminology("icd-10-se", folder)
    with pytest.raises(InvalidParameter, match="does not exist"):
        import_terminology("icd-10-se", tmp_path / "nowhere")


# --------------------------------------------------------------------------------------------
# WHO ICD-10 (English labels for ICD-10-SE)

WHO_XML = """\ufeff<icd_10_v2019>
  <item type="chapter">
    <name>X</name>
    <description>Diseases of the respiratory system</description>
    <item type="block">
      <name>J40-J47</name>
      <description>Chronic lower respiratory diseases</description>
      <item type="category">
        <name>J45</name>
        <description>Asthma</description>
        <item type="subcategory">
          <name>J45.0</name>
          <description>Predominantly allergic  asthma</description>
        </item>
        <item type="subcategory">
          <name>J45.8</name>
          <description>Mixed asthma</description>
        </item>
      </item>
    </item>
  </item>
</icd_10_v2019>
"""


def test_who_labels_only_the_icd10se_concepts_it_matches(tmp_path: Path) -> None:
    icd = import_terminology("icd-10-se", icd_folder(tmp_path))
    known = known_from_result(icd, TERMINOLOGIES["icd-10-who-en"])
    path = write(tmp_path / "who" / "icd_10_v2019.xml", WHO_XML)
    result = import_terminology("icd-10-who-en", path, known=known)
    assert result.scheme == KSV + "icd-10-se"
    assert result.concepts == 4  # X, J40-J47, J45, J45.0; J45.8 is WHO only
    assert result.labels == {"prefLabel@en": 4}
    assert objects(result, iri("icd-10-se", "J45"), skos("prefLabel")) == {en("Asthma")}
    assert objects(result, iri("icd-10-se", "J45.0"), skos("prefLabel")) == {
        en("Predominantly allergic asthma")
    }
    assert not any(t.subject == iri("icd-10-se", "J45.8") for t in result.triples)
    # Labels only: no concept is created.
    assert not any(t.predicate in (RDF_TYPE, skos("inScheme")) for t in result.triples)
    assert any("not in ICD-10-SE" in w for w in result.warnings)
    # The graph describes itself: source, licence, version.
    graph = vocab_graph("icd-10-who-en")
    assert objects(result, graph, NamedNode(OWL + "versionInfo")) == {Literal("2019")}
    assert objects(result, graph, NamedNode(DCT + "license"))
    assert_skos_only(result)


def test_who_finds_icd10se_next_to_it_in_the_shared_layout(tmp_path: Path) -> None:
    icd_folder(tmp_path)
    path = write(tmp_path / "icd-10-who-2019-en" / "icd_10_v2019.xml", WHO_XML)
    result = import_terminology("icd-10-who-en", path)
    assert result.concepts == 4
    with pytest.raises(InvalidParameter, match="needs the concepts of icd-10-se"):
        lone = write(tmp_path / "other" / "who" / "who.xml", WHO_XML)
        import_terminology("icd-10-who-en", lone)


def test_who_malformed_xml_names_the_line(tmp_path: Path) -> None:
    broken = WHO_XML.replace("<name>J45</name>", "<name>J45</nam>")
    path = write(tmp_path / "who.xml", broken)
    with pytest.raises(InvalidParameter) as caught:
        import_terminology("icd-10-who-en", path, known={})
    assert caught.value.details["line"] == 9
    missing = WHO_XML.replace("<description>Asthma</description>", "")
    with pytest.raises(InvalidParameter) as caught:
        import_terminology("icd-10-who-en", write(tmp_path / "who2.xml", missing), known={})
    assert caught.value.details["line"] == 8


# --------------------------------------------------------------------------------------------
# KVÅ

KVA = {
    "kka/level1.txt": "Kod:\t\tKodtext:\nA\t\tOperationer på nervsystemet\n"
    "Y\t\tUttagningar av organ\n",
    "kka/level2.txt": "Kod:\t\tKodtext:\tBeskrivning:\nAA\t\tOperationer på kraniet\n"
    "YC     \t\tYC\n",
    "kka/level3.txt": "Kod:\t\tKodtext:\tBeskrivning:\nAAA\t\tDiagnostiska intrakraniella "
    "operationer\nYCA\t\tUttagningar av hornhinna\n",
    "kka/level4.txt": "Kod:\t\tKodtext:\tBeskrivning:\nAAA00\t\tExplorativ kraniotomi\n"
    "AAA10\t\tBiopsi via kraniotomi\tProvtagning genom  öppnad skalle\n",
    "kma/level1.txt": "Kod:\t\tKodtext:\tBeskrivning:\nA\t\tUtredning, anatomiskt perspektiv"
    "\tUtredande åtgärder\nV\t\tStandardiserade vårdförlopp (SVF)\n",
    "kma/level2.txt": "Kod:\t\tKodtext:\nAA\t\tNervsystemet\nVB\t\tCancer i matsmältningsorgan\n",
    "kma/level3.txt": "Kod:\t\tKodtext:\nVB0\t\tSVF matstrupe- och magsäckscancer\n",
    "kma/level4.txt": "Kod:\t\tKodtext:\tBeskrivning:\nAA001\t\tAdenosintest\tTest av "
    "adenosin\t\nVB001\t\tSVF matstrupscancer, start\n",
}


def kva_folder(root: Path) -> Path:
    folder = root / "kva-2021"
    for name, text in KVA.items():
        write(folder / name, text, bom=True)
    return folder


def test_kva_levels_parts_definitions_and_hierarchy(tmp_path: Path) -> None:
    result = import_terminology("kva", kva_folder(tmp_path))
    assert result.concepts == 8 + 7
    # Level-4 codes are unique: ksv:kva/<code>. Levels 1–3 repeat between the parts.
    aa001, aaa10 = iri("kva", "AA001"), iri("kva", "AAA10")
    assert objects(result, aa001, skos("notation")) == {Literal("AA001")}
    assert objects(result, aa001, skos("prefLabel")) == {sv("Adenosintest")}
    assert objects(result, aa001, skos("definition")) == {sv("Test av adenosin")}
    assert objects(result, aaa10, skos("definition")) == {sv("Provtagning genom öppnad skalle")}
    assert objects(result, aa001, skos("broader")) == {iri("kva", "kma-AA")}
    assert objects(result, iri("kva", "kma-AA"), skos("broader")) == {iri("kva", "kma-A")}
    assert objects(result, aaa10, skos("broader")) == {iri("kva", "kka-AAA")}
    assert objects(result, iri("kva", "kka-AAA"), skos("broader")) == {iri("kva", "kka-AA")}
    assert objects(result, iri("kva", "VB001"), skos("broader")) == {iri("kva", "kma-VB0")}
    for part, label in (
        ("kka", "Operationer på nervsystemet"),
        ("kma", "Utredning, anatomiskt perspektiv"),
    ):
        top = iri("kva", f"{part}-A")
        assert objects(result, top, skos("notation")) == {Literal("A")}
        assert objects(result, top, skos("prefLabel")) == {sv(label)}
        assert objects(result, top, skos("topConceptOf")) == {iri("kva")}
    assert objects(result, iri("kva", "kma-A"), skos("definition")) == {sv("Utredande åtgärder")}
    # "YC" only repeats its code: no invented label, but the concept and its place stay.
    yc = iri("kva", "kka-YC")
    assert objects(result, yc, skos("prefLabel")) == set()
    assert objects(result, yc, skos("notation")) == {Literal("YC")}
    assert objects(result, yc, skos("broader")) == {iri("kva", "kka-Y")}
    assert any("no text other than the code" in w for w in result.warnings)
    assert_skos_only(result)


def test_kva_wrong_code_length_names_file_and_line(tmp_path: Path) -> None:
    folder = kva_folder(tmp_path)
    write(
        folder / "kka/level4.txt",
        "Kod:\t\tKodtext:\nAAA00\t\tKraniotomi\nAAA1\t\tBiopsi\n",
        bom=True,
    )
    with pytest.raises(InvalidParameter) as caught:
        import_terminology("kva", folder)
    assert caught.value.details["file"].endswith("level4.txt")
    assert caught.value.details["line"] == 3


# --------------------------------------------------------------------------------------------
# ATC

ATC_TSV = (
    "atc_code\tsubstance_sv\tproduct_count\n"
    "A03AX13\tDimetikon\t4\n"
    "A03AX13\tSimetikon\t1\n"
    "L01\tInavolisib\t2\n"
    "R03AC02\tSalbutamol\t13\n"
    "R03AC03\tTerbutalin\t2\n"
)
MEDICATIONS_CSV = (
    "npl_id,name,active_substances,prescription_required,strength,form,atc_code,manufacturer,"
    "narcotics_class\n"
    "1,Bufomix,Budesonid; formoterol,True,1 mg,Inhalationspulver,R03AK07,Orion,\n"
    '2,Ventoline,"Salbutamol",True,0.1 mg,Inhalationsspray,R03AC02,GSK,\n'
    "3,Utan kod,Okänd,False,,,,,\n"
)


def test_atc_hierarchy_by_code_prefix_and_swedish_substance_labels(tmp_path: Path) -> None:
    result = import_terminology("atc", write(tmp_path / "atc.tsv", ATC_TSV))
    r03ac02 = iri("atc", "R03AC02")
    assert objects(result, r03ac02, skos("prefLabel")) == {sv("Salbutamol")}
    chain = ["R03AC02", "R03AC", "R03A", "R03", "R"]
    for child, parent in itertools.pairwise(chain):
        assert objects(result, iri("atc", child), skos("broader")) == {iri("atc", parent)}
    assert objects(result, iri("atc", "R"), skos("topConceptOf")) == {iri("atc")}
    # Group levels: notation only, never a product's substance name.
    assert objects(result, iri("atc", "R03AC"), skos("prefLabel")) == set()
    assert objects(result, iri("atc", "R03AC"), skos("notation")) == {Literal("R03AC")}
    assert objects(result, iri("atc", "L01"), skos("prefLabel")) == set()
    assert any("L01 (Inavolisib)" in w for w in result.warnings)
    # Several names on one code: the most used is preferred, the others alternative.
    a03ax13 = iri("atc", "A03AX13")
    assert objects(result, a03ax13, skos("prefLabel")) == {sv("Dimetikon")}
    assert objects(result, a03ax13, skos("altLabel")) == {sv("Simetikon")}
    assert result.concepts == len({"R", "R03", "R03A", "R03AC", "R03AC02", "R03AC03"}) + len(
        {"A", "A03", "A03A", "A03AX", "A03AX13", "L", "L01"}
    )
    assert_skos_only(result)


def test_atc_folder_adds_product_codes_without_labels(tmp_path: Path) -> None:
    folder = tmp_path / "swedish-medicinal-products-fass"
    write(folder / "derived_atc_substance_sv.tsv", ATC_TSV)
    write(folder / "medications.csv", MEDICATIONS_CSV)
    result = import_terminology("atc", folder)
    r03ak07 = iri("atc", "R03AK07")
    assert objects(result, r03ak07, skos("notation")) == {Literal("R03AK07")}
    assert objects(result, r03ak07, skos("prefLabel")) == set()
    assert objects(result, r03ak07, skos("broader")) == {iri("atc", "R03AK")}
    assert objects(result, iri("atc", "R03AC02"), skos("prefLabel")) == {sv("Salbutamol")}


def test_atc_bad_header_and_bad_rows_are_reported(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="line 1"):
        import_terminology("atc", write(tmp_path / "a.tsv", "code\tname\n"))
    bad = ATC_TSV + "R03XX1\tNågot\t1\n"
    with pytest.raises(InvalidParameter) as caught:
        import_terminology("atc", write(tmp_path / "b.tsv", bad))
    assert caught.value.details["line"] == 7
    with pytest.raises(InvalidParameter, match="line 2"):
        import_terminology("atc", write(tmp_path / "c.tsv", ATC_TSV.replace("\t4\n", "\tfyra\n")))


# --------------------------------------------------------------------------------------------
# MeSH and the machine-translated Swedish labels

MESH_TERMS = (
    "mesh_id\tmesh_name\n"
    "D012140\tRespiratory Tract Diseases\n"
    "D008171\tLung Diseases\n"
    "D001982\tBronchial Diseases\n"
    "D001249\tAsthma\n"
    "D001249\tBronchial Asthma\n"
)
MESH_TREES = (
    "mesh_id\tmesh_name\tmesh_tree_number\n"
    "D012140\tRespiratory Tract Diseases\tC08\n"
    "D008171\tLung Diseases\tC08.381\n"
    "D001982\tBronchial Diseases\tC08.127\n"
    "D001249\tAsthma\tC08.127.108\n"
    "D001249\tAsthma\tC08.381.495.108\n"
)
MESH_PAIRS = (
    "mesh_en\tlabel_sv_machine_translated\tcount\n"
    "Asthma\tAstma\t11\n"
    "asthma\tastma\t1\n"
    "Asthma\tAstmatisk sjukdom\t1\n"
    "Lung Diseases\tLungsjukdomar\t2\n"
    "Lung Diseases\tLungsjukdomar\t1\n"
    "Unknown Heading\tOkänd rubrik\t1\n"
)


def mesh_folder(root: Path) -> Path:
    folder = root / "mesh-2015-descriptors"
    write(folder / "terms.tsv", MESH_TERMS)
    write(folder / "tree-numbers.tsv", MESH_TREES)
    return folder


def test_mesh_descriptors_labels_and_tree_hierarchy(tmp_path: Path) -> None:
    result = import_terminology("mesh", mesh_folder(tmp_path))
    assert result.concepts == 4
    asthma = iri("mesh", "D001249")
    assert objects(result, asthma, skos("notation")) == {Literal("D001249")}
    assert objects(result, asthma, skos("prefLabel")) == {en("Asthma")}
    assert objects(result, asthma, skos("altLabel")) == {en("Bronchial Asthma")}
    # C08.127.108 → C08.127 (Bronchial Diseases); C08.381.495.108 has no parent descriptor.
    assert objects(result, asthma, skos("broader")) == {iri("mesh", "D001982")}
    assert objects(result, iri("mesh", "D008171"), skos("broader")) == {iri("mesh", "D012140")}
    assert objects(result, iri("mesh", "D012140"), skos("topConceptOf")) == {iri("mesh")}
    assert any("no parent descriptor" in w for w in result.warnings)
    assert objects(result, iri("mesh"), NamedNode(OWL + "versionInfo")) == {Literal("2015")}
    assert_skos_only(result)


def test_mesh_swedish_pairs_become_machine_translated_alt_labels(tmp_path: Path) -> None:
    mesh = import_terminology("mesh", mesh_folder(tmp_path))
    known = known_from_result(mesh, TERMINOLOGIES["mesh-sv"])
    path = write(tmp_path / "pubmedqa-swe" / "derived_mesh_en_sv_pairs.tsv", MESH_PAIRS)
    result = import_terminology("mesh-sv", path, known=known)
    asthma = iri("mesh", "D001249")
    # Case variants of one translation are one label (the first, most frequent, wins).
    assert objects(result, asthma, skos("altLabel")) == {sv("Astma"), sv("Astmatisk sjukdom")}
    assert objects(result, asthma, skos("prefLabel")) == set()
    assert objects(result, iri("mesh", "D008171"), skos("altLabel")) == {sv("Lungsjukdomar")}
    assert result.concepts == 2
    assert result.labels == {"altLabel@sv": 3}
    assert any("Unknown Heading" in w for w in result.warnings)
    description = literals(result, vocab_graph("mesh-sv"), NamedNode(DCT + "description"))
    assert any("machine-translated" in lit.value.lower() for lit in description)
    # Found through the shared layout as well.
    assert import_terminology("mesh-sv", path).concepts == 2
    lone = write(tmp_path / "other" / "pairs" / "pairs.tsv", MESH_PAIRS)
    with pytest.raises(InvalidParameter, match="needs the concepts of mesh"):
        import_terminology("mesh-sv", lone)


# --------------------------------------------------------------------------------------------
# TERO

TERO_TTL = """@prefix dc: <http://purl.org/dc/elements/1.1/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix tero: <http://www.yso.fi/onto/tero/> .
@prefix tero-meta: <http://www.yso.fi/onto/tero-meta/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix yso: <http://www.yso.fi/onto/yso/> .
@prefix yso-meta: <http://www.yso.fi/onto/yso-meta/2007-03-02/> .

<http://www.yso.fi/onto/tero/> a owl:Ontology ; rdfs:label "tero"^^xsd:string .
tero:tarkistettu a tero-meta:Concept ; rdfs:label "tarkistettu"^^xsd:string .
<http://www.yso.fi/onto/mutu/n1> a yso-meta:StructuringClass .

tero:D008171 a tero-meta:Concept ;
    dc:source "http://www.yso.fi/onto/mesh/D008171"^^xsd:string ;
    rdfs:subClassOf tero:tarkistettu ;
    owl:equivalentClass yso:p100 ;
    skos:prefLabel "lung diseases"@en, "keuhkosairaudet"@fi, "lungsjukdomar"@sv .

tero:D001249 a tero-meta:Concept ;
    dc:source "http://www.yso.fi/onto/mesh/D001249"^^xsd:string ;
    rdfs:subClassOf tero:D008171, tero:tarkistettu, yso:p200 ;
    skos:prefLabel "asthma"@en, "astma"@fi, "astma "@sv ;
    skos:altLabel "astma"@sv, "bronkialastma"@sv, "x"^^xsd:string ;
    tero-meta:hiddenLabel "asthmas"@en ;
    tero-meta:related tero:TTL1 ;
    tero-meta:semanticTag "astma"^^xsd:string .

tero:D001249b a tero-meta:Concept ;
    dc:source "http://www.yso.fi/onto/mesh/D001249"^^xsd:string ;
    rdfs:subClassOf tero:tarkistettu ;
    skos:prefLabel "astma (oireet)"@fi .

tero:TTL2 a tero-meta:Concept ;
    dc:source "http://www.yso.fi/onto/ttl/TTL2"^^xsd:string ;
    owl:equivalentClass tero:D001249 ;
    skos:prefLabel "astmaatikot"@fi .

tero:TTL1 a tero-meta:Concept ;
    skos:prefLabel "allergia"@fi, "allergi"@sv .

tero:T5 a tero-meta:Concept ;
    rdfs:subClassOf tero:D008171 ;
    tero-meta:related tero:D008171 ;
    skos:prefLabel "keuhkoputkentulehdus"@fi .

tero:D000002 a tero-meta:Concept ;
    dc:source "http://www.yso.fi/onto/mesh/D000003"^^xsd:string ;
    skos:prefLabel "leukorrhea"@en .

yso:p300 owl:equivalentClass tero:TTL1 .
yso:p9 owl:equivalentClass <ttp://www.yso.fi/onto/tero/TNR9b> .

<ttp://www.yso.fi/onto/tero/TNR9b> a tero-meta:Concept ;
    rdfs:subClassOf tero:tarkistettu ;
    skos:prefLabel "sopeutuminen"@fi ;
    skos:altLabel "sopeutuminen"@fi .
"""


def test_tero_labels_hierarchy_and_mesh_alignment(tmp_path: Path) -> None:
    result = import_terminology("tero", write(tmp_path / "tero.ttl", TERO_TTL))
    assert result.concepts == 8  # not tero:tarkistettu, which has no SKOS label
    asthma, lungs = iri("tero", "D001249"), iri("tero", "D008171")
    assert objects(result, asthma, skos("notation")) == {Literal("D001249")}
    assert objects(result, asthma, skos("prefLabel")) == {
        en("asthma"),
        Literal("astma", language="fi"),
        sv("astma"),
    }
    assert objects(result, asthma, skos("altLabel")) == {sv("bronkialastma")}  # "astma" = pref
    assert objects(result, asthma, skos("hiddenLabel")) == {en("asthmas")}
    assert objects(result, asthma, skos("broader")) == {lungs}
    assert asthma in objects(result, lungs, skos("narrower"))
    assert objects(result, lungs, skos("topConceptOf")) == {iri("tero")}
    # MeSH: exact for the descriptor's own concept, close for a split and for duplicates.
    mesh_asthma = iri("mesh", "D001249")
    assert objects(result, asthma, skos("exactMatch")) == {mesh_asthma}
    assert objects(result, iri("tero", "D001249b"), skos("closeMatch")) == {mesh_asthma}
    assert objects(result, iri("tero", "TTL2"), skos("closeMatch")) == {mesh_asthma}
    assert objects(result, iri("tero", "TTL2"), skos("exactMatch")) == set()
    assert objects(result, iri("tero", "D000002"), skos("exactMatch")) == {iri("mesh", "D000002")}
    assert any("D000002 (dc:source D000003)" in w for w in result.warnings)
    # YSO: equivalence (either direction) → exactMatch, superclass → broadMatch.
    yso = "http://www.yso.fi/onto/yso/"
    assert NamedNode(yso + "p100") in objects(result, lungs, skos("exactMatch"))
    assert objects(result, iri("tero", "TTL1"), skos("exactMatch")) == {NamedNode(yso + "p300")}
    assert objects(result, asthma, skos("broadMatch")) == {NamedNode(yso + "p200")}
    # related both ways, but not where the two are also broader/narrower.
    assert objects(result, asthma, skos("related")) == {iri("tero", "TTL1")}
    assert objects(result, iri("tero", "TTL1"), skos("related")) == {asthma}
    assert objects(result, iri("tero", "T5"), skos("related")) == set()
    # The source's IRI typo is repaired; an altLabel equal to the prefLabel is dropped.
    tnr = iri("tero", "TNR9b")
    assert objects(result, tnr, skos("exactMatch")) == {NamedNode(yso + "p9")}
    assert objects(result, tnr, skos("altLabel")) == set()
    assert any("without a language tag" in w for w in result.warnings)
    assert objects(result, iri("tero"), NamedNode(DCT + "license")) == {
        NamedNode("https://creativecommons.org/licenses/by/3.0/")
    }
    assert_skos_only(result)


def test_tero_malformed_turtle_names_the_line(tmp_path: Path) -> None:
    broken = TERO_TTL.replace('"allergi"@sv .', '"allergi@sv .')
    with pytest.raises(InvalidRdf) as caught:
        import_terminology("tero", write(tmp_path / "tero.ttl", broken))
    assert caught.value.details["line"] is not None
    assert caught.value.details["file"].endswith("tero.ttl")


# --------------------------------------------------------------------------------------------
# Registry, output, loading into a store


def test_registry_names_and_default_paths() -> None:
    assert set(TERMINOLOGIES) == {
        "icd-10-se",
        "icd-10-who-en",
        "kva",
        "atc",
        "mesh",
        "mesh-sv",
        "tero",
    }
    root = Path("/data")
    assert default_path("icd-10-se", root) == root / "icd-10-se-2021"
    assert default_path("tero", root) == root / "tero" / "tero.ttl"
    with pytest.raises(InvalidParameter) as caught:
        default_path("snomed", root)
    assert "icd-10-se" in caught.value.details["valid"]


def test_write_result_as_ntriples_and_turtle(tmp_path: Path) -> None:
    result = import_terminology("mesh", mesh_folder(tmp_path))
    for name, fmt in (("mesh.nt", RdfFormat.N_TRIPLES), ("mesh.ttl", RdfFormat.TURTLE)):
        write_result(result, tmp_path / name)
        parsed = {
            Triple(q.subject, q.predicate, q.object)
            for q in pyoxigraph.parse(path=tmp_path / name, format=fmt)
        }
        assert parsed == set(result.triples)


def concept_label(store: Store, concept: NamedNode, language: str) -> list[str]:
    rows = store.select(
        f'SELECT ?l WHERE {{ <{concept.value}> skos:prefLabel ?l FILTER(LANG(?l) = "{language}") }}'
    )
    return sorted(row["l"].value for row in rows)


def test_load_replaces_the_demo_subset_graph_and_is_idempotent(tmp_path: Path) -> None:
    store = OxigraphStore()
    demo = REPO / "data" / "demo" / "codes" / "icd-10-se.ttl"
    load_files(store, [LoadSource(demo, vocab_graph("icd-10-se"))])
    j45 = iri("icd-10-se", "J45")
    assert concept_label(store, j45, "en") == ["Asthma"]  # the demo's own English label
    result = load_terminology(store, "icd-10-se", icd_folder(tmp_path))
    graph = vocab_graph("icd-10-se")
    count = store.quad_count(graph)
    assert count == len(result.triples)
    assert concept_label(store, j45, "sv") == ["Astma"]
    assert concept_label(store, j45, "en") == []  # demo subset gone, WHO not loaded yet
    assert not store.ask(f"ASK {{ <{KSV}icd-10-se/A41.9> ?p ?o }}")
    load_terminology(store, "icd-10-se", icd_folder(tmp_path))
    assert store.quad_count(graph) == count
    who = write(tmp_path / "icd-10-who-2019-en" / "icd_10_v2019.xml", WHO_XML)
    load_terminology(store, "icd-10-who-en", who)
    load_terminology(store, "icd-10-who-en", who)
    assert concept_label(store, j45, "en") == ["Asthma"]
    assert store.quad_count(vocab_graph("icd-10-who-en")) == len(
        import_terminology("icd-10-who-en", who).triples
    )
    assert not store.ask(f"ASK {{ <{KSV}icd-10-se/J45.8> ?p ?o }}")  # WHO only


def test_annotations_need_their_terminology_in_the_store(tmp_path: Path) -> None:
    store = OxigraphStore()
    path = write(tmp_path / "pairs.tsv", MESH_PAIRS)
    with pytest.raises(InvalidParameter, match="load it first"):
        load_terminology(store, "mesh-sv", path)
    load_terminology(store, "mesh", mesh_folder(tmp_path))
    result = load_terminology(store, "mesh-sv", path)
    assert result.concepts == 2
    assert store.ask(f'ASK {{ <{KSV}mesh/D001249> skos:altLabel "Astma"@sv }}')


# --------------------------------------------------------------------------------------------
# The real files in ../shared/data (restricted data: read in place, never copied)


def real_path(name: str) -> Path:
    path = default_path(name, SHARED)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@functools.cache
def real(name: str) -> ImportResult:
    if name == "icd-10-who-en":
        known = known_from_result(real("icd-10-se"), TERMINOLOGIES[name])
        return import_terminology(name, real_path(name), known=known)
    if name == "mesh-sv":
        known = known_from_result(real("mesh"), TERMINOLOGIES[name])
        return import_terminology(name, real_path(name), known=known)
    return import_terminology(name, real_path(name))


def test_real_icd10se() -> None:
    result = real("icd-10-se")
    assert result.concepts >= 30_000
    j450 = iri("icd-10-se", "J45.0")
    assert objects(result, j450, skos("broader")) == {iri("icd-10-se", "J45")}
    assert objects(result, j450, skos("prefLabel")) == {sv("Huvudsakligen allergisk astma")}
    assert len(subjects(result, skos("topConceptOf"), iri("icd-10-se"))) == 22
    assert result.warnings == []


def test_real_who_english_labels() -> None:
    result = real("icd-10-who-en")
    assert result.concepts >= 10_000
    assert objects(result, iri("icd-10-se", "J45"), skos("prefLabel")) == {en("Asthma")}
    assert objects(result, iri("icd-10-se", "X"), skos("prefLabel")) == {
        en("Diseases of the respiratory system")
    }
    icd = {t.subject for t in real("icd-10-se").triples}
    assert {t.subject for t in result.triples} - icd == {vocab_graph("icd-10-who-en")}


def test_real_kva() -> None:
    result = real("kva")
    assert result.concepts >= 10_000
    assert objects(result, iri("kva", "AA001"), skos("broader")) == {iri("kva", "kma-AA")}
    assert result.labels.get("prefLabel@sv", 0) >= 10_000


def test_real_atc() -> None:
    result = real("atc")
    assert objects(result, iri("atc", "R03AC02"), skos("prefLabel")) == {sv("Salbutamol")}
    assert objects(result, iri("atc", "R03AC02"), skos("broader")) == {iri("atc", "R03AC")}
    assert result.labels["prefLabel@sv"] >= 1_000


def test_real_mesh_with_swedish_labels() -> None:
    result = real("mesh")
    assert result.concepts >= 27_000
    asthma = iri("mesh", "D001249")
    assert objects(result, asthma, skos("prefLabel")) == {en("Asthma")}
    assert objects(result, asthma, skos("broader"))
    swedish = real("mesh-sv")
    assert sv("Astma") in objects(swedish, asthma, skos("altLabel"))
    assert swedish.concepts >= 3_000


def test_real_tero() -> None:
    result = real("tero")
    with_swedish = {
        t.subject
        for t in result.triples
        if t.predicate == skos("prefLabel")
        and isinstance(t.object, Literal)
        and t.object.language == "sv"
    }
    assert len(with_swedish) >= 4_000
    mesh_links = [
        t
        for t in result.triples
        if t.predicate == skos("exactMatch")
        and isinstance(t.object, NamedNode)
        and t.object.value.startswith(KSV + "mesh/")
    ]
    assert len(mesh_links) >= 1_000
    assert iri("mesh", "D003424") in objects(result, iri("tero", "D003424"), skos("exactMatch"))
    assert sv("Crohns sjukdom") in objects(result, iri("tero", "D003424"), skos("prefLabel"))


def test_real_icd10se_links_the_demo_items(settings: Settings) -> None:
    path = real_path("icd-10-se")
    store = OxigraphStore()
    load_demo(store, settings)
    demo_concepts = {
        row["c"].value
        for row in store.select(
            "SELECT ?c WHERE { GRAPH ?g { ?c skos:inScheme ksv:icd-10-se ; a skos:Concept } }"
        )
    }
    result = load_terminology(store, "icd-10-se", path)
    total = store.quad_count()
    assert concept_label(store, iri("icd-10-se", "J45"), "sv") == ["Astma"]
    block = iri("icd-10-se", "A00-A09")
    assert concept_label(store, block, "sv") == [
        "Infektionssjukdomar utgående från mag-tarmkanalen"
    ]
    imported = {
        t.subject.value
        for t in result.triples
        if t.predicate == RDF_TYPE and isinstance(t.subject, NamedNode)
    }
    # Every ICD-10-SE code the demo corpus uses is a real code.
    assert demo_concepts - imported == set()
    load_terminology(store, "icd-10-se", path)
    assert store.quad_count() == total
