"""Benchmarks for related content, printed as numbers (never asserted in the test suite).

    .venv/bin/python bench/related.py [--items 100000] [--requests 300]

1. Demo corpus: the precompute (``RelatedService.refresh``), ``related()`` in-process, and
   ``GET /api/items/{id}/related`` through HTTP (uvicorn on 127.0.0.1, httpx) with one client
   and with 8 concurrent clients; the HTTP overhead as a ratio to the in-process call.
2. Quality on the demo corpus: recall@5 of the curated (stored) relations of each item, against
   a baseline that ranks by shared concepts only, in the same run.
3. Scale: ``--items`` items from bench/generate.py loaded into the store and served by the
   real app (search refresh, precompute, ``related()`` in-process, HTTP with 1 and 8 clients);
   without bench/generate.py, the small generator below (2,000 codes in 3 levels with Zipf
   popularity, facets, parts, supplements, explicit relations) measured in-process only.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import socket
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import uvicorn
from fastapi import FastAPI
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from service.config import Settings
from service.corpus import load_demo
from service.related import RelatedService
from service.related.service import concept_scores
from service.search import SearchService, open_index
from service.search.documents import SearchDocument, build_documents
from service.store import OxigraphStore, Store
from service.terms import KS, KSI, KSV, SKOS
from service.vocabulary import Vocabulary

REPO = Path(__file__).resolve().parents[1]


def percentiles(samples: Sequence[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ordered)})"


def timed_calls(call: Callable[[str], object], ids: Sequence[str], threads: int) -> list[float]:
    def one(identifier: str) -> float:
        start = time.perf_counter()
        call(identifier)
        return (time.perf_counter() - start) * 1000

    for identifier in ids[:20]:
        call(identifier)  # warm-up
    if threads == 1:
        return [one(i) for i in ids]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, ids))


def bench_settings() -> Settings:
    # One client making hundreds of requests: the per-address rate limit is off here.
    return Settings(store="memory", rate_limit_per_minute=0, token_rate_limit_per_minute=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bench_demo(requests: int) -> None:
    print("== demo corpus")
    settings = bench_settings()
    store = OxigraphStore()
    load_demo(store, settings)
    search = SearchService(open_index(settings))
    search.refresh(store)
    related = RelatedService(search)
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        related.refresh(store)
        builds.append((time.perf_counter() - start) * 1000)
    index = related.current()
    print(f"items {len(index)}, concepts {len(index.concepts)}")
    print(f"precompute (refresh)          median {statistics.median(builds):8.1f} ms")
    ids = [d.identifier for d in index.docs]
    sample = (ids * (1 + requests // len(ids)))[:requests]
    direct = timed_calls(lambda i: related.related(i), sample, 1)
    print(f"related() in-process          {percentiles(direct)}")

    print("-- the whole application (with its middleware: metrics, rate limits, request log)")
    measure_http(full_app(store, settings), sample, direct)
    print("-- the related route alone (as measured at scale below)")
    measure_http(related_only_app(related), sample, direct)
    bench_quality(related)


def full_app(store: Store, settings: Settings) -> FastAPI:
    from service.api.app import create_app  # only this part needs the whole web app

    return create_app(settings, store=store)


def related_only_app(related: RelatedService) -> FastAPI:
    """The real related route, error handlers and JSON serialisation, without the rest of the
    application (whose start-up would re-index 100,000 items for search)."""
    from service.api.errors import install_error_handlers
    from service.api.routes import related as related_routes

    app = FastAPI()
    app.state.related = related
    install_error_handlers(app)
    app.include_router(related_routes.router)
    return app


def measure_http(app: FastAPI, sample: Sequence[str], direct: Sequence[float]) -> None:
    """GET /api/items/{id}/related through uvicorn on 127.0.0.1 with httpx keep-alive. The
    server runs in a forked child process so that the clients do not share its GIL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    start = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(target=server.run, daemon=True)
    child.start()
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            httpx.get(f"{base}/api/items/-/related", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    print(f"app start-up                  {time.perf_counter() - start:.1f} s")
    try:
        local = threading.local()

        def fetch(identifier: str) -> None:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = httpx.Client(base_url=base, timeout=60)
            response = client.get(f"/api/items/{identifier}/related")
            assert response.status_code == 200, response.text

        one = timed_calls(fetch, sample, 1)
        print(f"HTTP, 1 client                {percentiles(one)}")
        eight = timed_calls(fetch, sample, 8)
        print(f"HTTP, 8 concurrent clients    {percentiles(eight)}")
        overhead = statistics.median(one) / statistics.median(direct)
        print(f"HTTP / in-process (median)    {overhead:.1f}x")
    finally:
        child.terminate()
        child.join(timeout=30)


def bench_generated(items: int, requests: int) -> None:
    """The corpus of bench/generate.py, loaded with the model into the embedded store, served
    by the real app."""
    import sys
    import tempfile

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate  # type: ignore[import-not-found]

    print(f"== bench/generate.py corpus, {items:,} items, through the real store and app")
    settings = bench_settings()
    store = OxigraphStore()
    load_demo(store, settings)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        generate(items, Path(tmp))
        for name in ("vocab.nq", "register.nq", "items.nq"):
            store.add_quads(parse(path=str(Path(tmp) / name), format=RdfFormat.N_QUADS))
        print(f"generated and loaded in {time.perf_counter() - start:.1f} s")
    # The search index itself is not built (bench/search covers it): the related service reads
    # the search service's documents and vocabulary, which are projected here the same way.
    search = SearchService(open_index(settings))
    start = time.perf_counter()
    search.vocabulary = Vocabulary.from_store(store)
    search.documents = {d.identifier: d for d in build_documents(store, search.vocabulary)}
    print(f"search documents projected in {time.perf_counter() - start:.1f} s")
    related = RelatedService(search)
    builds = []
    for _ in range(2):
        start = time.perf_counter()
        related.refresh(store)
        builds.append(time.perf_counter() - start)
    index = related.current()
    print(
        f"items {len(index):,}, concepts {len(index.concepts):,}; precompute: first "
        f"{builds[0]:.2f} s (with the hierarchy), after a content write {builds[1]:.2f} s"
    )
    rng = random.Random(7)
    sample = rng.sample([d.identifier for d in index.docs], min(requests, len(index)))
    direct = timed_calls(lambda i: related.related(i), sample, 1)
    print(f"related() in-process, 1 thread   {percentiles(direct)}")
    scores = timed_calls(lambda i: concept_scores(index, index.pos[i]), sample, 1)
    print(f"  sparse scoring with every concept (no pruning)  {percentiles(scores)}")
    measure_http(related_only_app(related), sample, direct)


def bench_quality(related: RelatedService) -> None:
    """recall@5 of the curated relations: stored typed relations of each item (parts and
    conflict flags excluded, as in the related list), against shared concepts only."""
    index = related.current()
    ours, baseline, items = [], [], 0
    for item, edges in index.edges.items():
        targets = {t for t, _ in edges if int(index.root[t]) != int(index.root[item])}
        targets |= {t for t, _ in edges if _ == "isPartOf"}
        if not targets:
            continue
        items += 1
        top = {
            index.pos[r["id"]]
            for r in related.related(index.docs[item].identifier, limit=5)["related"]
        }
        touched, scores = concept_scores(index, item)
        scores[touched == item] = -1
        concept_top = set(touched[np.argsort(-scores)[:5]].tolist())
        want = min(5, len(targets))
        ours.append(len(top & targets) / want)
        baseline.append(len(concept_top & targets) / want)
    print(
        f"quality: recall@5 of curated relations over {items} items: "
        f"{statistics.mean(ours):.3f} (shared concepts only: {statistics.mean(baseline):.3f})"
    )


def bench_pubmedqa() -> None:
    """PubMedQA-swe (development set) ingested through its mapping, with MeSH and its Swedish
    labels imported so that the headings become ks:subject links: the mean number of MeSH
    headings an abstract shares with each of its top 5 related items, against 5 random items
    and the 5 most text-similar items (TF-IDF cosine over title, summary and text)."""
    import re

    from scipy import sparse

    from service.ingest import ingest_batch
    from service.ingest.native import map_native, read_documents
    from service.terminology import default_path, load_terminology

    settings = bench_settings()
    data = settings.shared_data_dir / "pubmedqa-swe" / "pqal_swe_dev.json"
    mesh = default_path("mesh", settings.shared_data_dir)
    if not data.exists() or not mesh.exists():
        print("== PubMedQA-swe: no data in ../shared/data, skipped")
        return
    print("== PubMedQA-swe development set, MeSH headings shared with the top 5")
    store = OxigraphStore()
    load_demo(store, settings)
    for name in ("mesh", "mesh-sv"):
        path = default_path(name, settings.shared_data_dir)
        if path.exists():
            load_terminology(store, name, path)
    native = map_native(
        settings,
        "pubmedqa-swe",
        read_documents(data, "*"),
        "application/json",
        store=store,
        partial=True,
    )
    ingest_batch(store, settings, "pubmedqa-swe", native.triples, mapping_version="bench")
    search = SearchService(open_index(settings))
    search.refresh(store)
    related = RelatedService(search)
    related.refresh(store)
    index = related.current()
    mesh_prefix = KSV + "mesh/"
    headings = {
        d.identifier: {s for s in d.subjects if s.startswith(mesh_prefix)} for d in index.docs
    }
    items = [
        i
        for i, d in enumerate(index.docs)
        if d.source_key == "pubmedqa-swe" and headings[d.identifier]
    ]
    if not items:
        print("no PubMedQA-swe item has MeSH headings linked; skipped")
        return

    words = [re.findall(r"\w{3,}", f"{d.title} {d.summary} {d.body}".lower()) for d in index.docs]
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, tokens in enumerate(words):
        for token in tokens:
            rows.append(i)
            cols.append(vocabulary.setdefault(token, len(vocabulary)))
    counts = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(words), len(vocabulary))
    )
    counts.sum_duplicates()
    df = np.diff(counts.tocsc().indptr)
    tfidf = counts.multiply(np.log((len(words) + 1) / (df + 1))).tocsr()
    norms = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
    tfidf = sparse.diags(1 / np.maximum(norms, 1e-12)) @ tfidf

    def shared(item: int, others: list[int]) -> float:
        mine = headings[index.docs[item].identifier]
        return statistics.mean(len(mine & headings[index.docs[o].identifier]) for o in others)

    rng = random.Random(11)
    ours, text, chance = [], [], []
    for item in items:
        found = related.related(index.docs[item].identifier, limit=5)["related"]
        ours.append(shared(item, [index.pos[r["id"]] for r in found]) if found else 0.0)
        similarity = np.asarray((tfidf @ tfidf[item].T).todense()).ravel()
        similarity[item] = -1
        text.append(shared(item, np.argsort(-similarity)[:5].tolist()))
        chance.append(shared(item, rng.sample([i for i in range(len(index)) if i != item], 5)))
    print(
        f"{len(items)} abstracts with MeSH headings; mean headings shared per top-5 result: "
        f"related {statistics.mean(ours):.2f}, text similarity {statistics.mean(text):.2f}, "
        f"random {statistics.mean(chance):.3f}"
    )


def synthetic_store(items: int, seed: int = 42) -> tuple[Store, dict[str, SearchDocument]]:
    """A synthetic corpus shaped like MEASUREMENTS.md's: codes in three levels with Zipf
    popularity, facets from the real vocabularies, parts, supplements and relations."""
    rng = random.Random(seed)
    store = OxigraphStore()
    for path in [
        REPO / "ontology" / "kunskapsgraf.ttl",
        *sorted((REPO / "ontology" / "vocabularies").glob("*.ttl")),
    ]:
        graph = NamedNode(f"https://kunskapsgraf.se/graph/bench/{path.stem}")
        store.add_quads(
            Quad(t.subject, t.predicate, t.object, graph)
            for t in parse(path=str(path), format=RdfFormat.TURTLE)
        )
    graph = NamedNode("https://kunskapsgraf.se/graph/bench/content")
    quads: list[Quad] = []

    def add(s: str, p: str, o: str | Literal) -> None:
        quads.append(
            Quad(NamedNode(s), NamedNode(p), o if isinstance(o, Literal) else NamedNode(o), graph)
        )

    scheme = KSV + "bench-code"
    top = [f"{scheme}/T{i}" for i in range(20)]
    mid = [f"{scheme}/M{i}" for i in range(180)]
    leaves = [f"{scheme}/L{i}" for i in range(1800)]
    for level, parents in ((top, None), (mid, top), (leaves, mid)):
        for k, concept in enumerate(level):
            add(concept, SKOS + "inScheme", scheme)
            add(concept, SKOS + "notation", Literal(concept.rsplit("/", 1)[-1]))
            add(
                concept,
                SKOS + "prefLabel",
                Literal(f"Kod {concept.rsplit('/', 1)[-1]}", language="sv"),
            )
            if parents:
                add(concept, SKOS + "broader", parents[k % len(parents)])
    weights = [1 / (r + 1) for r in range(len(leaves))]
    areas = [
        f"{KSV}knowledge-area/{a}"
        for a in (
            "akut-vard",
            "cancersjukdomar",
            "infektionssjukdomar",
            "lung-och-allergisjukdomar",
            "psykisk-halsa",
            "vardhygien",
            "endokrina-sjukdomar",
            "hjart-och-karlsjukdomar",
        )
    ]
    groups = [
        f"{KSV}patient-group/{g}"
        for g in ("barn", "ungdomar", "vuxna", "aldre", "gravida", "nyfodda")
    ]
    settings_ = [
        f"{KSV}care-setting/{c}" for c in ("primarvard", "slutenvard", "kommunal-hsv", "tandvard")
    ]
    types = [
        "kliniskt-kunskapsstod",
        "patientinformation",
        "metodbeskrivning",
        "nationell-riktlinje",
        "kunskapsunderlag",
        "behandlingsrekommendation",
    ]
    regions = ["01", "03", "12", "14", "18", "25"]
    sources = [f"kalla-{s}" for s in range(20)]
    docs: dict[str, SearchDocument] = {}
    products: list[str] = []
    for n in range(items):
        source = sources[min(int(rng.paretovariate(1.2)) - 1, 19)]
        identifier = f"{source}:item-{n}"
        iri = f"{KSI}item/{source}/item-{n}"
        kind, product, region = "product", None, "nationell"
        roll = rng.random()
        if roll < 0.10 and products:
            kind, product = "section", rng.choice(products[-200:])
            add(iri, KS + "isPartOf", f"{KSI}item/{product.replace(':', '/')}")
        elif roll < 0.13 and products:
            kind, region = "supplement", rng.choice(regions)
            add(iri, KS + "supplements", f"{KSI}item/{rng.choice(products).replace(':', '/')}")
        else:
            products.append(identifier)
        add(iri, KS + "identifier", Literal(identifier))
        codes = tuple(sorted(set(rng.choices(leaves, weights, k=rng.randint(1, 5)))))
        area = rng.choice(areas)
        patient_groups = tuple(rng.sample(groups, rng.randint(1, 2)))
        care = tuple(rng.sample(settings_, rng.randint(1, 2)))
        for _ in range(rng.choice((0, 0, 1, 2))):
            if products:
                prop = rng.choice(("isBasedOn", "seeAlso", "hasPatientInformation"))
                add(iri, KS + prop, f"{KSI}item/{rng.choice(products).replace(':', '/')}")
        content_type = rng.choice(types)
        docs[identifier] = SearchDocument(
            iri=iri,
            identifier=identifier,
            kind=kind,
            title=f"Syntetiskt innehåll {n}",
            summary="Syntetisk sammanfattning.",
            source_key=source,
            source_title=source,
            approval_status="godkand",
            lifecycle="gallande",
            product=product,
            parent=product,
            facets={
                "source": (source,),
                "contentType": (content_type,),
                "audience": ("lakare",),
                "knowledgeArea": (area,),
                "patientGroup": patient_groups,
                "careSetting": care,
                "region": (region,),
            },
            subjects=codes,
        )
    store.add_quads(quads)
    return store, docs


def bench_scale(items: int, requests: int) -> None:
    print(f"== synthetic corpus, {items:,} items")
    start = time.perf_counter()
    store, docs = synthetic_store(items)
    print(f"generated in {time.perf_counter() - start:.1f} s ({store.quad_count():,} quads)")
    settings = bench_settings()
    search = SearchService(open_index(settings))
    # The search index is not built here (its own benchmark covers it): the related service
    # only reads the search service's documents and vocabulary.
    search.documents = docs
    search.vocabulary = Vocabulary.from_store(store)
    related = RelatedService(search)
    builds = []
    for _ in range(2):
        start = time.perf_counter()
        related.refresh(store)
        builds.append(time.perf_counter() - start)
    index = related.current()
    size = sum(
        m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        for m in (index.own, index.profile, index.profile_t)
    )
    print(
        f"precompute: first {builds[0]:.2f} s (with the concept hierarchy), "
        f"after a content write {builds[1]:.2f} s; sparse matrices {size / 2**20:.0f} MiB"
    )
    rng = random.Random(7)
    sample = rng.sample([d.identifier for d in index.docs], min(requests, len(index)))
    one = timed_calls(lambda i: related.related(i), sample, 1)
    print(f"related() in-process, 1 thread   {percentiles(one)}")
    eight = timed_calls(lambda i: related.related(i), sample, 8)
    print(f"related() in-process, 8 threads  {percentiles(eight)}")
    scores = timed_calls(lambda i: concept_scores(index, index.pos[i]), sample, 1)
    print(f"  sparse scoring with every concept (no pruning)  {percentiles(scores)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-pubmedqa", action="store_true")
    args = parser.parse_args()
    if not args.skip_demo:
        bench_demo(args.requests)
    if not args.skip_pubmedqa:
        bench_pubmedqa()
    if args.items and (REPO / "bench" / "generate.py").is_file():
        bench_generated(args.items, args.requests)
    elif args.items:
        bench_scale(args.items, args.requests)


if __name__ == "__main__":
    main()
