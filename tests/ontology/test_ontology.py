"""The ontology (ontology/kunskapsgraf.ttl) and our concept schemes (ontology/vocabularies/).

Checks them against the contract in docs/model.md: every term exists with labels, definitions
and the stated mappings; the ontology stays within OWL 2 DL declarations; each scheme is
well-formed SKOS; and, with HermiT, the whole is consistent (and a contradiction is caught).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from service.validation.reasoner import check_consistency

REPO = Path(__file__).resolve().parents[2]
ONTOLOGY = REPO / "ontology" / "kunskapsgraf.ttl"
VOCAB_DIR = REPO / "ontology" / "vocabularies"
MODEL_MD = REPO / "docs" / "model.md"

KS = Namespace("https://kunskapsgraf.se/ont/")
KSV = "https://kunskapsgraf.se/vocab/"
SCHEMA = Namespace("https://schema.org/")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

PREFIXES = {
    "ks": str(KS),
    "ksv": KSV,
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": str(OWL),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def words(text: str) -> list[str]:
    return text.split()


# The schemes this repository builds (icd-10-se and atc live in data/demo/codes/).
EXPECTED_NOTATIONS: dict[str, list[str]] = {
    "audience": words(
        "lakare sjukskoterska specialistsjukskoterska barnmorska underskoterska apotekare "
        "receptarie arbetsterapeut fysioterapeut dietist logoped psykolog psykoterapeut kurator "
        "biomedicinsk-analytiker rontgensjukskoterska tandlakare tandhygienist audionom optiker "
        "ortopedingenjor sjukhusfysiker kiropraktor naprapat ambulanssjukvardare "
        "vard-omsorgspersonal student beslutsfattare patient-narstaende"
    ),
    "content-type": words(
        "nationell-riktlinje rekommendation kliniskt-kunskapsstod vardforlopp "
        "standardiserat-vardforlopp vardprogram vagledning behandlingsrekommendation "
        "lakemedelslista produktinformation metodbeskrivning handboksartikel faktatext "
        "patientinformation kunskapsunderlag kunskapslucka checklista regionalt-tillagg foreskrift"
    ),
    "region": words("01 03 04 05 06 07 08 09 10 12 13 14 17 18 19 20 21 22 23 24 25 nationell"),
    "healthcare-region": words("stockholm-gotland mellansverige sydostra sodra vastra norra"),
    "care-setting": words(
        "primarvard specialiserad-vard specialiserad-oppenvard slutenvard kommunal-hsv tandvard "
        "barnhalsovard modrahalsovard elevhalsa prehospital sjukvardsradgivning vardforlopp"
    ),
    "knowledge-area": words(
        "akut-vard barn-och-ungdomars-halsa cancersjukdomar endokrina-sjukdomar "
        "hjart-och-karlsjukdomar hud-och-konssjukdomar infektionssjukdomar "
        "kirurgi-och-plastikkirurgi kvinnosjukdomar-och-forlossning levnadsvanor "
        "lung-och-allergisjukdomar mag-och-tarmsjukdomar medicinsk-diagnostik "
        "nervsystemets-sjukdomar njur-och-urinvagssjukdomar "
        "perioperativ-vard-intensivvard-och-transplantation psykisk-halsa "
        "rehabilitering-habilitering-och-forsakringsmedicin reumatiska-sjukdomar "
        "rorelseorganens-sjukdomar sallsynta-sjukdomar tandvard aldres-halsa-och-palliativ-vard "
        "ogonsjukdomar oron-nas-och-halssjukdomar vardhygien"
    ),
    "lifecycle": words(
        "utkast remiss gallande under-revidering ersatt tillbakadragen arkiverad pilot"
    ),
    "approval-status": words(
        "foreslagen under-bedomning godkand godkand-villkor pausad avvecklad avslagen pilot"
    ),
    "integration-level": words("lank metadata fulltext-index fulltext-visning"),
    "relation-type": words(
        "is-part-of supplements replaces is-based-on implements has-patient-information "
        "has-product-information see-also conflicts-with references"
    ),
    "patient-group": words("barn ungdomar vuxna aldre gravida nyfodda"),
    "review-type": words(
        "faktagranskning npo-faststallande remissrunda redaktionell-granskning expertmote"
    ),
    "assessment-criterion": words(
        "ansvarig-utgivare producentobunden dokumenterad-metod granskning-jav datering "
        "svensk-kontext licens maskinlasbar-atkomst tillganglighet"
    ),
    "priority": [str(i) for i in range(1, 11)] + ["icke-gora", "fou"],
    "evidence-grade": words("grade-4 grade-3 grade-2 grade-1"),
    "channel-type": words("push-api atom rss json-api sitemap file-drop manual"),
}
SCHEMES = sorted(EXPECTED_NOTATIONS)

# Concepts placed under another concept (docs/model.md: care-setting narrower).
EXPECTED_BROADER = {
    ("care-setting", "specialiserad-oppenvard"): "specialiserad-vard",
    ("care-setting", "slutenvard"): "specialiserad-vard",
}

# länskod -> ISO 3166-2 code (docs/model.md, DOMAIN.md 3.4).
REGIONS = {
    "01": "SE-AB", "03": "SE-C", "04": "SE-D", "05": "SE-E", "06": "SE-F", "07": "SE-G",
    "08": "SE-H", "09": "SE-I", "10": "SE-K", "12": "SE-M", "13": "SE-N", "14": "SE-O",
    "17": "SE-S", "18": "SE-T", "19": "SE-U", "20": "SE-W", "21": "SE-X", "22": "SE-Y",
    "23": "SE-Z", "24": "SE-AC", "25": "SE-BD",
}  # fmt: skip

RELATION_PROPERTIES = {
    "is-part-of": "isPartOf",
    "supplements": "supplements",
    "replaces": "replaces",
    "is-based-on": "isBasedOn",
    "implements": "implements",
    "has-patient-information": "hasPatientInformation",
    "has-product-information": "hasProductInformation",
    "see-also": "seeAlso",
    "conflicts-with": "conflictsWith",
    "references": "references",
}

# ks: classes and properties without a mapping to a standard vocabulary.
# The first group is marked "–" in docs/model.md; the second is not in its mapping tables
# (inverses of "–" relations, the approval/channel/licence details, vocabulary helpers) and
# has no standard term close enough to name.
MAPPING_EXCEPTIONS_MODEL = {
    "RegionalSupplement", "CriterionAssessment",
    "nextReview", "versionNote", "attribution", "rationale", "practicalAdvice",
    "conflictOfInterestDeclared",
    "source", "lifecycleState", "careSetting", "patientGroup", "hasReview",
    "supplements", "supplementsVersion", "implements", "hasPatientInformation",
    "hasProductInformation", "conflictsWith",
}  # fmt: skip
MAPPING_EXCEPTIONS_EXTRA = {
    "hasRegionalSupplement", "isBasisFor", "isImplementedBy", "isPatientInformationFor",
    "hasApproval", "currentApproval", "approvalStatus", "integrationLevel",
    "allowedContentType", "hasCriterionAssessment", "criterion", "fulfilled",
    "assessmentNote", "evidenceUrl", "channelType", "attributionRequired",
    "maxIntegrationLevel", "rank", "regionSlug",
    "itemsAdded", "itemsUpdated", "itemsUnchanged",
}  # fmt: skip

# Marked ¹ in docs/model.md but not functional in OWL: a functional property allows one value in
# total, which forbids the English titles that sources and licences carry. SHACL checks one per
# language instead (see the rdfs:comment on ks:title).
NOT_FUNCTIONAL = {KS.title}

TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


# ---------------------------------------------------------------------------------------------
# Loading


@cache
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY, format="turtle")
    return graph


@cache
def vocabulary(scheme: str) -> Graph:
    graph = Graph()
    graph.parse(VOCAB_DIR / f"{scheme}.ttl", format="turtle")
    return graph


def model_files() -> list[Path]:
    return [ONTOLOGY, *sorted(VOCAB_DIR.glob("*.ttl"))]


def ks_terms(kinds: tuple[URIRef, ...] = TERM_KINDS) -> dict[str, URIRef]:
    graph = ontology()
    return {
        str(s)[len(KS) :]: s
        for kind in kinds
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(KS)) and str(s) != str(KS)
    }


def langs(graph: Graph, subject: Node, predicate: URIRef) -> Counter[str | None]:
    return Counter(o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal))


def swedish(graph: Graph, subject: Node, predicate: URIRef) -> str:
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    return next(str(o) for o in values if o.language == "sv")


def expand(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


# ---------------------------------------------------------------------------------------------
# docs/model.md parsing


@cache
def model_tables() -> list[tuple[list[str], list[list[str]]]]:
    """(header, rows) of every Markdown table before the concept-scheme section."""
    text = MODEL_MD.read_text(encoding="utf-8").split("## Concept schemes")[0]
    tables: list[tuple[list[str], list[list[str]]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif current:
            header, *rows = current
            tables.append((header, [r for r in rows if not set("".join(r)) <= {"-", " "}]))
            current = []
    return tables


def term_rows() -> list[tuple[list[str], list[str]]]:
    """(header, row) for the class and property tables (first column is a ks: local name)."""
    return [
        (header, row)
        for header, rows in model_tables()
        if header[0] in {"class", "property"}
        for row in rows
    ]


def first_name(cell: str) -> str:
    match = re.match(r"`([A-Za-z][A-Za-z0-9]*)`", cell)
    assert match, f"no term name in table cell {cell!r}"
    return match.group(1)


@cache
def model_terms() -> set[str]:
    names = {first_name(row[0]) for _, row in term_rows()}
    for header, row in term_rows():
        if len(header) > 1 and header[1] == "inverse":
            names |= set(re.findall(r"`([A-Za-z][A-Za-z0-9]*)`", row[1]))
    names |= set(re.findall(r"`ks:([A-Za-z][A-Za-z0-9]*)`", MODEL_MD.read_text(encoding="utf-8")))
    return names


# ---------------------------------------------------------------------------------------------
# Files parse


@pytest.mark.parametrize("path", model_files(), ids=lambda p: p.name)
def test_turtle_file_parses(path: Path) -> None:
    graph = Graph()
    graph.parse(path, format="turtle")
    assert len(graph) > 0


def test_one_vocabulary_file_per_scheme() -> None:
    present = {p.stem for p in VOCAB_DIR.glob("*.ttl")}
    assert set(SCHEMES) <= present, sorted(set(SCHEMES) - present)


# ---------------------------------------------------------------------------------------------
# Reasoner


@pytest.mark.slow
def test_ontology_and_vocabularies_are_consistent() -> None:
    result = check_consistency(model_files())
    assert result.consistent, result.message_en
    assert result.inconsistent_classes == []
    assert result.message and result.message_en


@pytest.mark.slow
def test_contradiction_is_reported_inconsistent(tmp_path: Path) -> None:
    extension = tmp_path / "contradiction.ttl"
    extension.write_text(
        "@prefix ks: <https://kunskapsgraf.se/ont/> .\n"
        "<https://kunskapsgraf.se/id/item/test/x> a ks:KnowledgeProduct , ks:Section .\n",
        encoding="utf-8",
    )
    result = check_consistency([*model_files(), extension])
    assert not result.consistent
    assert "inkonsistent" in result.message


@pytest.mark.slow
def test_unsatisfiable_class_is_listed(tmp_path: Path) -> None:
    extension = tmp_path / "unsatisfiable.ttl"
    extension.write_text(
        "@prefix ks: <https://kunskapsgraf.se/ont/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://example.org/ProductSection> a owl:Class ;\n"
        "    rdfs:subClassOf ks:KnowledgeProduct , ks:Section .\n",
        encoding="utf-8",
    )
    result = check_consistency([*model_files(), extension])
    assert not result.consistent
    assert result.inconsistent_classes == ["https://example.org/ProductSection"]


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(RuntimeError, match="`java`"):
        check_consistency([ONTOLOGY])


# ---------------------------------------------------------------------------------------------
# Ontology: header, terms, labels, mappings


def test_ontology_header() -> None:
    graph = ontology()
    header = URIRef(str(KS))
    assert (header, RDF.type, OWL.Ontology) in graph
    assert graph.value(header, OWL.versionInfo) is not None
    assert langs(graph, header, DCTERMS.title) == Counter({"sv": 1, "en": 1})
    assert langs(graph, header, DCTERMS.description) == Counter({"sv": 1, "en": 1})
    assert (header, DCTERMS.license, CC_BY) in graph


def test_model_md_parsing_found_the_tables() -> None:
    names = model_terms()
    assert len(names) >= 90, len(names)
    assert {"KnowledgeResource", "identifier", "source", "isPartOf", "hasPart"} <= names
    assert {"versionOf", "reviewer", "sourceKey", "schedule", "organisationNumber"} <= names


def test_every_model_term_exists() -> None:
    defined = ks_terms()
    missing = sorted(model_terms() - set(defined))
    assert not missing, missing


def test_model_classes_are_classes_and_properties_properties() -> None:
    classes = ks_terms((OWL.Class,))
    properties = ks_terms((OWL.ObjectProperty, OWL.DatatypeProperty))
    for header, row in term_rows():
        name = first_name(row[0])
        if header[0] == "class":
            assert name in classes, name
        else:
            assert name in properties, name
    # The datatype table is the one whose second column is "range" (the object table has card.).
    datatype_rows = next(
        rows for h, rows in model_tables() if h[:2] == ["property", "range"] and "card." not in h
    )
    for row in datatype_rows:
        assert (KS[first_name(row[0])], RDF.type, OWL.DatatypeProperty) in ontology(), row[0]


@pytest.mark.parametrize("kind", TERM_KINDS, ids=lambda k: str(k).split("#")[-1])
def test_every_term_has_labels_and_definitions(kind: URIRef) -> None:
    graph = ontology()
    terms = ks_terms((kind,))
    assert terms
    for name, term in terms.items():
        assert langs(graph, term, RDFS.label) == Counter({"sv": 1, "en": 1}), name
        assert langs(graph, term, SKOS.definition) == Counter({"sv": 1, "en": 1}), name


def test_swedish_labels_match_model_md() -> None:
    graph = ontology()
    for header, row in term_rows():
        column = header.index("sv")
        expected = row[column].strip()
        label = swedish(graph, KS[first_name(row[0])], RDFS.label)
        assert label.lower() == expected.lower(), (row[0], label, expected)


def test_every_term_has_a_mapping_unless_excepted() -> None:
    graph = ontology()
    terms = ks_terms((OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty))
    exceptions = MAPPING_EXCEPTIONS_MODEL | MAPPING_EXCEPTIONS_EXTRA
    assert exceptions <= set(terms), sorted(exceptions - set(terms))
    unmapped = []
    for name, term in terms.items():
        parents = set(graph.objects(term, RDFS.subClassOf)) | set(
            graph.objects(term, RDFS.subPropertyOf)
        )
        external = {p for p in parents if isinstance(p, URIRef) and not p.startswith(str(KS))}
        loose = set(graph.objects(term, RDFS.seeAlso))
        if not external and not loose and name not in exceptions:
            unmapped.append(name)
    assert not unmapped, unmapped


def test_mappings_are_exactly_as_model_md_states() -> None:
    """'⊑ x' is rdfs:subClassOf/subPropertyOf x; 'seeAlso x' is rdfs:seeAlso x, never ⊑."""
    graph = ontology()
    for header, row in term_rows():
        term = KS[first_name(row[0])]
        cell = row[header.index("maps to")]
        sub = RDFS.subClassOf if header[0] == "class" else RDFS.subPropertyOf
        for part in cell.split(";"):
            part = part.strip()
            targets = [expand(c) for c in re.findall(r"`([a-z]+:[A-Za-z]+)`", part)]
            if part.startswith("⊑"):
                for target in targets:
                    assert (term, sub, target) in graph, (row[0], "⊑", target)
            elif part.startswith("seeAlso"):
                for target in targets:
                    assert (term, RDFS.seeAlso, target) in graph, (row[0], "seeAlso", target)
                    assert (term, sub, target) not in graph, (row[0], "must not entail", target)
            else:
                assert part == "–", (row[0], part)
        # "`Section` ⊑ KnowledgeResource", "`Region` ⊑ `skos:Concept`" in the first cell.
        for parent in re.findall(r"⊑\s*`?([a-z]+:[A-Za-z]+|[A-Z][A-Za-z]+)`?", row[0]):
            target = expand(parent) if ":" in parent else KS[parent]
            assert (term, RDFS.subClassOf, target) in graph, (row[0], target)


def test_relations_are_subproperties_of_related_resource() -> None:
    graph = ontology()
    relation_rows = next(rows for h, rows in model_tables() if h[:2] == ["property", "inverse"])
    for row in relation_rows:
        names = [first_name(row[0]), *re.findall(r"`([A-Za-z]+)`", row[1])]
        for name in names:
            related = (KS[name], RDFS.subPropertyOf, KS.relatedResource) in graph
            # supplementsVersion points at a ks:Version, which is disjoint with resources.
            assert related == (name != "supplementsVersion"), name


def test_characteristics_as_in_model_md() -> None:
    graph = ontology()
    for header, row in term_rows():
        term = KS[first_name(row[0])]
        if ("¹" in row[0] or "(functional)" in row[0]) and term not in NOT_FUNCTIONAL:
            assert (term, RDF.type, OWL.FunctionalProperty) in graph, row[0]
        if "(symmetric)" in row[0]:
            assert (term, RDF.type, OWL.SymmetricProperty) in graph, row[0]
        if len(header) > 1 and header[1] == "inverse":
            for inverse in re.findall(r"`([A-Za-z]+)`", row[1]):
                assert (term, OWL.inverseOf, KS[inverse]) in graph, (row[0], inverse)
    for name in ("versionOf", "sourceKey"):
        assert (KS[name], RDF.type, OWL.FunctionalProperty) in graph, name


def all_disjoint_sets(graph: Graph) -> list[set[Node]]:
    return [
        set(Collection(graph, members))
        for node in graph.subjects(RDF.type, OWL.AllDisjointClasses)
        for members in graph.objects(node, OWL.members)
    ]


def test_disjointness_as_in_model_md() -> None:
    sets = all_disjoint_sets(ontology())
    kinds = {KS.KnowledgeProduct, KS.Section, KS.Recommendation, KS.RegionalSupplement}
    top = {
        KS.KnowledgeResource, KS.Agent, KS.KnowledgeSource, KS.IngestionChannel,
        KS.SourceApproval, KS.Licence, KS.Version, KS.Review, KS.IngestionRun,
    }  # fmt: skip
    assert kinds in sets
    assert top in sets


def test_external_terms_are_declared_once_for_owl_dl() -> None:
    """No IRI is declared with two property kinds, and every referenced term is declared."""
    graph = Graph()
    for path in model_files():
        graph.parse(path, format="turtle")
    declared: dict[Node, set[Node]] = {}
    for kind in (*PROPERTY_KINDS, OWL.Class, RDFS.Datatype):
        for s in graph.subjects(RDF.type, kind):
            declared.setdefault(s, set()).add(kind)
    punned = {s: k for s, k in declared.items() if len(k & set(PROPERTY_KINDS)) > 1}
    assert not punned, punned
    builtin = (str(RDF), str(RDFS), str(OWL))
    for predicate in set(graph.predicates()):
        # xsd: predicates are the facets of datatype restrictions (xsd:minInclusive).
        if str(predicate).startswith((*builtin, str(XSD))):
            continue
        assert declared.get(predicate, set()) & set(PROPERTY_KINDS), f"undeclared {predicate}"
    for s, p, o in graph:
        if p in (RDFS.subClassOf, RDFS.domain, RDFS.range, RDF.type) and isinstance(o, URIRef):
            if str(o).startswith(builtin) or (p == RDFS.range and str(o).startswith(str(XSD))):
                continue
            if p == RDFS.range and (s, RDF.type, OWL.DatatypeProperty) in graph:
                assert RDFS.Datatype in declared.get(o, set()) or str(o).startswith(str(XSD)), o
            else:
                assert OWL.Class in declared.get(o, set()), f"undeclared class {o} ({s} {p})"
        if p == RDFS.subPropertyOf and isinstance(o, URIRef):
            mine = declared.get(s, set()) & set(PROPERTY_KINDS)
            theirs = declared.get(o, set()) & set(PROPERTY_KINDS)
            assert mine and mine == theirs, (s, o, mine, theirs)


# ---------------------------------------------------------------------------------------------
# Vocabularies


def concepts(graph: Graph) -> list[URIRef]:
    found = {s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}
    return sorted(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_is_described(scheme: str) -> None:
    graph = vocabulary(scheme)
    schemes = list(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == [URIRef(KSV + scheme)]
    iri = schemes[0]
    assert langs(graph, iri, SKOS.prefLabel) == Counter({"sv": 1, "en": 1})
    assert langs(graph, iri, SKOS.definition) == Counter({"sv": 1, "en": 1})
    assert (iri, DCTERMS.license, CC_BY) in graph


@pytest.mark.parametrize("scheme", SCHEMES)
def test_concepts_are_well_formed(scheme: str) -> None:
    graph = vocabulary(scheme)
    iri = URIRef(KSV + scheme)
    notations = []
    for concept in concepts(graph):
        assert (concept, SKOS.inScheme, iri) in graph, concept
        values = list(graph.objects(concept, SKOS.notation))
        assert len(values) == 1, concept
        notation = values[0]
        assert isinstance(notation, Literal)
        assert notation.language is None and notation.datatype is None, concept
        assert str(concept) == f"{iri}/{notation}"
        notations.append(str(notation))
        assert langs(graph, concept, SKOS.prefLabel) == Counter({"sv": 1, "en": 1}), concept
        assert langs(graph, concept, SKOS.definition) == Counter({"sv": 1, "en": 1}), concept
        # SKOS S13: pref, alt and hidden labels are pairwise disjoint.
        labels = [
            set(graph.objects(concept, p))
            for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        ]
        assert not (labels[0] & labels[1] or labels[0] & labels[2] or labels[1] & labels[2])
    assert len(notations) == len(set(notations)), "notations must be unique per scheme"
    assert sorted(notations) == sorted(EXPECTED_NOTATIONS[scheme])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_hierarchy_is_consistent(scheme: str) -> None:
    graph = vocabulary(scheme)
    iri = URIRef(KSV + scheme)
    for concept in concepts(graph):
        notation = str(concept).rsplit("/", 1)[1]
        broader = list(graph.objects(concept, SKOS.broader))
        top = (concept, SKOS.topConceptOf, iri) in graph
        assert top != bool(broader), f"{concept}: top concept xor broader"
        assert top == ((iri, SKOS.hasTopConcept, concept) in graph), concept
        for parent in broader:
            assert (parent, SKOS.narrower, concept) in graph, concept
            assert (parent, SKOS.inScheme, iri) in graph, parent
        for child in graph.objects(concept, SKOS.narrower):
            assert (child, SKOS.broader, concept) in graph, child
        expected = EXPECTED_BROADER.get((scheme, notation))
        assert [str(b) for b in broader] == ([f"{iri}/{expected}"] if expected else [])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_preferred_labels_are_unique_in_scheme(scheme: str) -> None:
    graph = vocabulary(scheme)
    labels = [o for c in concepts(graph) for o in graph.objects(c, SKOS.prefLabel)]
    duplicates = [label for label, n in Counter(labels).items() if n > 1]
    assert not duplicates, duplicates


def test_regions() -> None:
    graph = vocabulary("region")
    healthcare = vocabulary("healthcare-region")
    regions = set(graph.subjects(RDF.type, KS.Region))
    assert len(regions) == 21
    codes = {str(graph.value(r, SKOS.notation)): r for r in regions}
    assert sorted(codes) == sorted(REGIONS)
    for code, region in codes.items():
        assert str(graph.value(region, KS.iso3166Code)) == REGIONS[code]
        hcs = list(graph.objects(region, KS.healthcareRegion))
        assert hcs, code
        for hc in hcs:
            assert (hc, SKOS.inScheme, URIRef(KSV + "healthcare-region")) in healthcare, hc
        alt = {str(a) for a in graph.objects(region, SKOS.altLabel)}
        assert any(a.endswith(" län") for a in alt), f"{code}: county name as altLabel"
    national = URIRef(KSV + "region/nationell")
    assert (national, RDF.type, SKOS.Concept) in graph
    assert (national, RDF.type, KS.Region) not in graph
    assert (codes["12"], SKOS.prefLabel, Literal("Region Skåne", lang="sv")) in graph
    assert (codes["14"], SKOS.prefLabel, Literal("Västra Götalandsregionen", lang="sv")) in graph
    slugs = {str(s) for s in graph.objects(codes["12"], KS.regionSlug)}
    assert slugs == {"Skane"}


def test_relation_types_name_their_property() -> None:
    graph = vocabulary("relation-type")
    onto = ontology()
    for notation, local in RELATION_PROPERTIES.items():
        concept = URIRef(f"{KSV}relation-type/{notation}")
        assert list(graph.objects(concept, KS.relationProperty)) == [KS[local]], notation
        assert (KS[local], RDF.type, OWL.ObjectProperty) in onto, local
        assert (KS[local], RDFS.subPropertyOf, KS.relatedResource) in onto, local


def test_integration_levels_are_ranked() -> None:
    graph = vocabulary("integration-level")
    for concept in concepts(graph):
        rank = graph.value(concept, KS.rank)
        assert isinstance(rank, Literal) and rank.datatype == XSD.integer, concept
    ranks = {
        str(graph.value(c, SKOS.notation)): int(str(graph.value(c, KS.rank)))
        for c in concepts(graph)
    }
    assert ranks == {"lank": 1, "metadata": 2, "fulltext-index": 3, "fulltext-visning": 4}


def test_audience_codes_and_matches() -> None:
    graph = vocabulary("audience")
    lakare = URIRef(KSV + "audience/lakare")
    hidden = [str(h) for c in concepts(graph) for h in graph.objects(c, SKOS.hiddenLabel)]
    assert hidden == ["LK"], "only the confirmed HOSP code LK is recorded"
    assert (lakare, SKOS.hiddenLabel, Literal("LK", lang="sv")) in graph
    assert (lakare, SKOS.closeMatch, SCHEMA.Clinician) in graph
    patient = URIRef(KSV + "audience/patient-narstaende")
    assert (patient, SKOS.closeMatch, SCHEMA.Patient) in graph
    nurse = URIRef(KSV + "audience/sjukskoterska")
    assert Literal("ssk", lang="sv") in set(graph.objects(nurse, SKOS.altLabel))


def test_priority_definitions_name_their_band() -> None:
    graph = vocabulary("priority")
    for i in range(1, 11):
        concept = URIRef(f"{KSV}priority/{i}")
        definition = swedish(graph, concept, SKOS.definition)
        band = "bör erbjuda" if i <= 3 else "kan erbjuda" if i <= 7 else "kan i undantagsfall"
        assert band in definition, (i, definition)


def test_knowledge_areas_carry_the_npo_name() -> None:
    graph = vocabulary("knowledge-area")
    for concept in concepts(graph):
        if concept.endswith("/vardhygien"):
            continue
        alt = {str(a) for a in graph.objects(concept, SKOS.altLabel)}
        assert any(a.startswith("NPO ") for a in alt), concept
