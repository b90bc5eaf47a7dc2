"""Benchmarks for the foundation, printed as numbers and ratios against a baseline measured in
the same run (never asserted in the test suite).

    make bench                    # or: .venv/bin/python bench/run.py [--rounds N]

1. Loading the model and the demo corpus into the embedded store (memory and on disk).
2. Search at demo scale: the search service (tantivy index, ``open_index``) against the
   baseline a first version would write, SPARQL ``CONTAINS`` over titles and text in the
   store, for the same queries (``bench/search.py`` does the same at 100,000 items).
3. Item pages: ``get_item`` for every public item.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import Literal

from service.config import Settings
from service.corpus import load_demo
from service.items import get_item
from service.search import SearchQuery, SearchService, open_index
from service.store import OxigraphStore, Store

QUERIES = ["astma", "hjärtsvikt", "behandling", "barn feber", "J45", "sepsis", "vaccination"]

BASELINE = """
SELECT ?word ?item WHERE {
  ?item ks:identifier ?id ; ks:title ?title .
  OPTIONAL { ?item ks:summary ?summary }
  OPTIONAL { ?item ks:body ?body }
  FILTER(CONTAINS(LCASE(CONCAT(STR(?title), " ", COALESCE(STR(?summary), ""), " ",
                               COALESCE(STR(?body), ""))), ?word))
}
"""


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def describe(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"median {statistics.median(samples):8.3f} ms   p95 {p95:8.3f} ms"


def bench_load(settings: Settings) -> Store:
    start = time.perf_counter()
    memory = OxigraphStore()
    summary = load_demo(memory, settings)
    mem_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        disk = OxigraphStore(Path(tmp) / "db")
        load_demo(disk, settings)
        disk_s = time.perf_counter() - start
        disk.close()
    print(f"load: {summary.files} files, {summary.quads} quads")
    print(f"  in memory {mem_s * 1000:8.1f} ms")
    print(f"  on disk   {disk_s * 1000:8.1f} ms   ({disk_s / mem_s:.1f}x memory)")
    return memory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    settings = Settings(store="memory")
    store = bench_load(settings)

    service = SearchService(open_index(settings))
    start = time.perf_counter()
    service.refresh(store)
    print(
        f"index build: {(time.perf_counter() - start) * 1000:.1f} ms, "
        f"{service.index.document_count()} public documents"
    )

    print("search (one query = top 10 + 7 facet counts):")
    for word in QUERIES:
        ours = timed(lambda w=word: service.search(SearchQuery(text=w)), args.rounds)
        base = timed(
            lambda w=word: store.select(BASELINE, {"word": Literal(w.split()[0].lower())}),
            max(5, args.rounds // 5),
        )
        ratio = statistics.median(base) / statistics.median(ours)
        print(
            f"  {word:<12} index {describe(ours)} | SPARQL CONTAINS {describe(base)} "
            f"| {ratio:6.1f}x"
        )

    public = [d for d in service.documents.values() if d.public]

    def all_items() -> None:
        for d in public:
            get_item(store, service.documents, service.vocabulary, d.identifier)

    per_page = [t / len(public) for t in timed(all_items, 3)]
    print(f"item page ({len(public)} items): {describe(per_page)} per item")


if __name__ == "__main__":
    main()
