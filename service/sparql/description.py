"""The SPARQL 1.1 Service Description of ``/sparql`` (``sd:`` vocabulary), as RDF triples."""

from __future__ import annotations

import io

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from service.sparql.formats import GRAPH_FORMATS, SOLUTION_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"

# The W3C format IRIs (https://www.w3.org/ns/formats/) of what we serialise.
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}


def _sd(local: str) -> NamedNode:
    return NamedNode(SD + local)


def service_description(endpoint: str, graphs: list[NamedNode]) -> list[Triple]:
    """Triples describing the endpoint at ``endpoint`` over the public ``graphs``."""
    service = NamedNode(endpoint)
    dataset = BlankNode()
    default = BlankNode()
    triples = [
        Triple(service, RDF_TYPE, _sd("Service")),
        Triple(service, _sd("endpoint"), service),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        # No sd:BasicFederatedQuery: SERVICE is refused on purpose.
        Triple(
            service, NamedNode(DCTERMS + "title"), Literal("Kunskapsgraf SPARQL", language="sv")
        ),
        Triple(
            service,
            NamedNode(DCTERMS + "description"),
            Literal(
                "Skrivskyddad, tidsbegränsad SPARQL 1.1-ändpunkt över godkända källor.",
                language="sv",
            ),
        ),
        Triple(
            service,
            NamedNode(DCTERMS + "description"),
            Literal(
                "Read-only, time-limited SPARQL 1.1 endpoint over approved sources.",
                language="en",
            ),
        ),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default),
        Triple(default, RDF_TYPE, _sd("Graph")),
    ]
    for fmt in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
        triples.append(
            Triple(service, _sd("resultFormat"), NamedNode(FORMATS + FORMAT_IRIS[fmt.name]))
        )
    for graph in graphs:
        named = BlankNode()
        triples += [
            Triple(dataset, _sd("namedGraph"), named),
            Triple(named, RDF_TYPE, _sd("NamedGraph")),
            Triple(named, _sd("name"), graph),
        ]
    return triples


def serialize(triples: list[Triple], rdf_format: RdfFormat) -> bytes:
    out = io.BytesIO()
    pyoxigraph.serialize(
        triples,
        out,
        rdf_format,
        prefixes={"sd": SD, "dcterms": DCTERMS, "formats": FORMATS, "void": VOID},
    )
    return out.getvalue()
