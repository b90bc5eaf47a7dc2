"""The VoID / DCAT description of the dataset and of each public source (``/.well-known/void``).

The whole dataset is a ``void:Dataset`` and ``dcat:Catalog`` with its SPARQL endpoint and URI
space; each public source's graph is a ``void:subset`` / ``dcat:Dataset`` with its title,
licence, publisher, size and a dump (the Graph Store Protocol URL of its graph).
"""

from __future__ import annotations

from urllib.parse import urlencode

from pyoxigraph import Literal, NamedNode, Triple

from service.queries import load_query
from service.sparql.visibility import public_source_keys
from service.store.base import Store
from service.terms import source_graph

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
PREFIXES = {"void": VOID, "dcat": DCAT, "dcterms": DCTERMS}


def _v(local: str) -> NamedNode:
    return NamedNode(VOID + local)


def _dcat(local: str) -> NamedNode:
    return NamedNode(DCAT + local)


def _dct(local: str) -> NamedNode:
    return NamedNode(DCTERMS + local)


def void_description(
    store: Store, visible: list[NamedNode], site: str, base_iri: str
) -> list[Triple]:
    """Triples describing the public dataset (the ``visible`` graphs); ``site`` is where this
    service answers (e.g. ``http://127.0.0.1:8000/``), ``base_iri`` the base of our IRIs."""
    doc = f"{site}.well-known/void"
    dataset = NamedNode(f"{doc}#dataset")
    triples = [
        Triple(dataset, RDF_TYPE, _v("Dataset")),
        Triple(dataset, RDF_TYPE, _dcat("Catalog")),
        Triple(dataset, _dct("title"), Literal("Kunskapsgraf", language="sv")),
        Triple(
            dataset,
            _dct("description"),
            Literal("Kvalitetssäkrad nationell kunskap för vårdpersonal.", language="sv"),
        ),
        Triple(
            dataset,
            _dct("description"),
            Literal("Quality-assured national knowledge for healthcare staff.", language="en"),
        ),
        Triple(dataset, _v("sparqlEndpoint"), NamedNode(f"{site}sparql")),
        Triple(dataset, _v("uriSpace"), Literal(base_iri)),
        Triple(dataset, _v("vocabulary"), NamedNode(f"{base_iri}ont/")),
        Triple(dataset, _v("rootResource"), NamedNode(f"{base_iri}ont/")),
    ]
    public = public_source_keys(store)
    for row in store.select(load_query("void-sources")):
        key = row["key"].value
        if key not in public:
            continue
        graph = source_graph(key)
        subset = NamedNode(f"{doc}#source-{key}")
        dump = NamedNode(f"{site}rdf-graphs?{urlencode({'graph': graph.value})}")
        count = store.quad_count(graph)
        triples += [
            Triple(dataset, _v("subset"), subset),
            Triple(dataset, _dcat("dataset"), subset),
            Triple(subset, RDF_TYPE, _v("Dataset")),
            Triple(subset, RDF_TYPE, _dcat("Dataset")),
            Triple(subset, _dct("source"), row["source"]),
            Triple(subset, _dct("identifier"), Literal(key)),
            Triple(subset, _v("triples"), Literal(str(count), datatype=XSD_INTEGER)),
            Triple(subset, _v("dataDump"), dump),
            Triple(subset, _v("sparqlEndpoint"), NamedNode(f"{site}sparql")),
        ]
        if "title" in row:
            triples.append(Triple(subset, _dct("title"), row["title"]))
        if "licenceUrl" in row:
            licence = NamedNode(row["licenceUrl"].value)
            triples.append(Triple(subset, _dct("license"), licence))
        elif "licence" in row:
            triples.append(Triple(subset, _dct("license"), row["licence"]))
        if "publisher" in row:
            triples.append(Triple(subset, _dct("publisher"), row["publisher"]))
        distribution = NamedNode(f"{doc}#source-{key}-turtle")
        triples += [
            Triple(subset, _dcat("distribution"), distribution),
            Triple(distribution, RDF_TYPE, _dcat("Distribution")),
            Triple(distribution, _dcat("accessURL"), dump),
            Triple(distribution, _dcat("mediaType"), Literal("text/turtle")),
        ]
    total = sum(store.quad_count(g) for g in visible)
    triples.append(Triple(dataset, _v("triples"), Literal(str(total), datatype=XSD_INTEGER)))
    return triples
