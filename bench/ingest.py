"""Ingestion throughput: ``ingest_batch`` end to end (parse + validate + store + flush) for
batches of synthetic items, against the baseline of validating the same batch with pyshacl over
the whole store (batch + everything stored + shapes, every node a focus node).

The baseline is the pure-pyshacl path of our wrapper (``engine="pyshacl"``, no
``focus_nodes``), which parses each SHACL-SPARQL query once; truly plain ``pyshacl.validate``
re-parses every query for every focus node (~50 ms each) and needs over ten minutes for the
demo store alone.

    .venv/bin/python bench/ingest.py [--sizes 100 1000 10000] [--baseline-max 1000]

Items are copies of a valid demo product with new identifiers, so every one passes the shapes.
"""

from __future__ import annotations

import argparse
import io
import time

import rdflib
from pyoxigraph import RdfFormat

from service.config import Settings
from service.corpus import load_demo, ontology_files, shape_files
from service.ingest import ingest_batch, parse_rdf
from service.store import OxigraphStore
from service.validation.shacl import validate_graph

TEMPLATE = """
<https://kunskapsgraf.se/id/item/nkk/bench-{n}>
    a ks:KnowledgeProduct ;
    ks:identifier "nkk:bench-{n}" ;
    ks:title "Testprodukt {n} om astma och KOL"@sv ;
    ks:summary "Syntetisk produkt nummer {n} för mätning av inläsning."@sv ;
    ks:body "Astma och KOL utreds med spirometri. Behandlingen följs upp regelbundet."@sv ;
    ks:audience <https://kunskapsgraf.se/vocab/audience/lakare> ;
    ks:careSetting <https://kunskapsgraf.se/vocab/care-setting/primarvard> ;
    ks:contentType <https://kunskapsgraf.se/vocab/content-type/kliniskt-kunskapsstod> ;
    ks:knowledgeArea <https://kunskapsgraf.se/vocab/knowledge-area/lung-och-allergisjukdomar> ;
    ks:lifecycleState <https://kunskapsgraf.se/vocab/lifecycle/gallande> ;
    ks:publisher <https://kunskapsgraf.se/id/agent/npo-lung-och-allergisjukdomar> ;
    ks:source <https://kunskapsgraf.se/id/source/nkk> ;
    ks:subject <https://kunskapsgraf.se/vocab/icd-10-se/J45> ;
    ks:language "sv" ;
    ks:issued "2025-03-01"^^xsd:date ;
    ks:modified "2025-03-01T10:00:00+01:00"^^xsd:dateTime ;
    ks:lastReviewed "2025-03-01"^^xsd:date ;
    ks:nextReview "2028-03-01"^^xsd:date ;
    ks:url "https://vardpersonal.1177.se/kunskapsstod/bench-{n}/"^^xsd:anyURI .
"""
HEADER = (
    "@prefix ks: <https://kunskapsgraf.se/ont/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def batch(size: int, offset: int) -> bytes:
    return (HEADER + "".join(TEMPLATE.format(n=offset + i) for i in range(size))).encode()


def baseline(store: OxigraphStore, settings: Settings, body: bytes) -> float:
    """Plain pyshacl over the whole store plus the batch, as a first version would do it."""
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    start = time.perf_counter()
    data = rdflib.Graph()
    data.parse(data=out.getvalue().decode(), format="nquads")
    for path in ontology_files(settings):
        data.parse(path, format="turtle")
    data.parse(data=body.decode(), format="turtle")
    shapes = rdflib.Graph()
    for path in shape_files(settings):
        shapes.parse(path, format="turtle")
    validate_graph(data, shapes, engine="pyshacl")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--baseline-max", type=int, default=1000)
    args = parser.parse_args()
    settings = Settings(store="memory")
    ontology = settings.ontology_dir / "kunskapsgraf.ttl"
    offset = 0
    print(f"{'items':>7} {'ingest s':>9} {'items/s':>8} {'baseline s':>11} {'ratio':>7}")
    for size in args.sizes:
        store = OxigraphStore()
        load_demo(store, settings)
        body = batch(size, offset)
        offset += size
        start = time.perf_counter()
        triples = parse_rdf(body, "text/turtle", ontology_file=ontology)
        report = ingest_batch(store, settings, "nkk", triples)
        took = time.perf_counter() - start
        assert report.counts()["added"] == size, report.counts()
        line = f"{size:>7} {took:>9.2f} {size / took:>8.0f}"
        if size <= args.baseline_max:
            base_store = OxigraphStore()
            load_demo(base_store, settings)
            base = baseline(base_store, settings, body)
            line += f" {base:>11.2f} {base / took:>6.1f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
