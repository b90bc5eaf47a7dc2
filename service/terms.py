"""IRIs of our ontology, vocabularies, instances and graphs (see docs/model.md)."""

from __future__ import annotations

from pyoxigraph import NamedNode

BASE = "https://kunskapsgraf.se/"
KS = BASE + "ont/"
KSV = BASE + "vocab/"
KSS = BASE + "shapes/"
KSI = BASE + "id/"
KSG = BASE + "graph/"

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

GRAPH_ONTOLOGY = NamedNode(KSG + "ontology")
GRAPH_SHAPES = NamedNode(KSG + "shapes")
GRAPH_REGISTER = NamedNode(KSG + "register")

# Approval statuses under which a source's content is public (DOMAIN R2).
PUBLIC_APPROVAL_STATUSES = ("godkand", "godkand-villkor")
# Lifecycle states shown by default (DOMAIN R7).
CURRENT_LIFECYCLE_STATES = ("gallande", "under-revidering")

PREFIXES = {
    "ks": KS,
    "ksv": KSV,
    "kss": KSS,
    "ksi": KSI,
    "ksg": KSG,
    "skos": SKOS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


def ks(local: str) -> NamedNode:
    return NamedNode(KS + local)


def concept(scheme: str, notation: str) -> NamedNode:
    return NamedNode(f"{KSV}{scheme}/{notation}")


def source_iri(key: str) -> NamedNode:
    return NamedNode(f"{KSI}source/{key}")


def source_graph(key: str) -> NamedNode:
    return NamedNode(f"{KSG}source/{key}")


def vocab_graph(name: str) -> NamedNode:
    return NamedNode(f"{KSG}vocab/{name}")


def item_iri(identifier: str) -> NamedNode:
    """The IRI of the item with identifier ``source:local-id``."""
    source, _, local = identifier.partition(":")
    return NamedNode(f"{KSI}item/{source}/{local}")
