"""Our JSON-LD context, generated from the ontology so it cannot drift from it.

Every ``ks:`` class and property gets a short term (its local name); object properties take
IRIs (compact forms such as ``ksv:audience/lakare`` work through the prefixes), dates and
numbers get their datatype, and text properties default to Swedish. Publishers reference it as
``"@context": "https://kunskapsgraf.se/ns/context.jsonld"``; the service substitutes it
locally and never fetches any remote context.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD

from service.terms import KS, PREFIXES

CONTEXT_URL = "https://kunskapsgraf.se/ns/context.jsonld"
TYPED = {XSD.date, XSD.dateTime, XSD.integer, XSD.boolean, XSD.anyURI}
LANG_STRING = RDF.langString


@cache
def jsonld_context(ontology_file: Path) -> dict[str, Any]:
    """The ``@context`` object for the ontology in ``ontology_file``."""
    graph = rdflib.Graph().parse(ontology_file, format="turtle")
    context: dict[str, Any] = dict(sorted(PREFIXES.items()))
    for term in sorted(set(graph.subjects(RDF.type, OWL.Class)), key=str):
        if str(term).startswith(KS):
            context[str(term)[len(KS) :]] = str(term)
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in sorted(set(graph.subjects(RDF.type, kind)), key=str):
            name = str(prop)
            if not name.startswith(KS):
                continue
            entry: dict[str, str] = {"@id": name}
            if kind == OWL.ObjectProperty:
                entry["@type"] = "@id"
            else:
                ranges = set(graph.objects(prop, RDFS.range))
                # A restricted datatype (e.g. integers ≥ 1) names its base in owl:onDatatype.
                ranges |= {b for r in ranges for b in graph.objects(r, OWL.onDatatype)}
                typed = ranges & TYPED
                if typed:
                    entry["@type"] = str(typed.pop())
                elif LANG_STRING in ranges:
                    entry["@language"] = "sv"
            context[name[len(KS) :]] = entry
    return {"@context": context}
