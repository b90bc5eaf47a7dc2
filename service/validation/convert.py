"""pyoxigraph terms → rdflib terms, for handing stored triples to pyshacl.

Converting term by term (with a cache: a batch repeats the same IRIs thousands of times) is
about twice as fast as serialising to N-Triples and parsing that with rdflib, which was the
largest single cost of ingesting a batch with its context.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, Node, URIRef

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """The rdflib term that rdflib's N-Triples parser would make of ``term``."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)  # N-Triples writes xsd:string literals plain
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"RDF-star triple terms are not supported: {term!r}")


def add_triples(triples: Iterable[ox.Triple], graph: rdflib.Graph) -> None:
    """Add ``triples`` to ``graph``."""
    cache: dict[object, Node] = {}

    def convert(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
        found = cache.get(term)
        if found is None:
            found = cache[term] = rdflib_term(term)
        return found

    graph.addN(
        (convert(t.subject), convert(t.predicate), convert(t.object), graph) for t in triples
    )
