"""Ingest the real third-party data in ../shared/data through the whole pipeline (mapping,
code linking, validation, store) and print per source: records, items stored, records skipped,
time, items/s, and how many subject links to ICD-10-SE / MeSH concepts were made.

The real ICD-10-SE, MeSH and Swedish MeSH labels are imported first (when present), as an
operator would before ingesting, so codes and keywords link to their concepts.

    .venv/bin/python bench/real_sources.py [--sources sfs who-don ...]

Skips a source whose data is absent. Records a mapping cannot turn into a valid item are
skipped and counted (``--partial``), as `kunskapsgraf ingest --partial` does.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from service.config import Settings
from service.corpus import load_demo
from service.ingest import ingest_batch
from service.ingest.native import map_native, read_documents
from service.store import OxigraphStore
from service.terminology import default_path, load_terminology

TERMINOLOGIES = ("icd-10-se", "mesh", "mesh-sv")

# source -> (path under shared data, file pattern, media type)
SOURCES = {
    "pubmedqa-swe": ("pubmedqa-swe/pqal_swe_dev.json", "*", "application/json"),
    "sfs": ("sfs-health-statutes", "*.md", "text/markdown"),
    "who-don": ("who-disease-outbreak-news/dons_until_2023.jsonl", "*", "application/x-ndjson"),
    "medlineplus": (
        "feed-fixtures/medlineplus/mplus_topics_2012-07-21.xml",
        "*",
        "application/xml",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", nargs="+", default=list(SOURCES))
    parser.add_argument(
        "--no-terminologies",
        action="store_true",
        help="ingest into the demo store alone (codes then link only to the demo's subsets)",
    )
    args = parser.parse_args()
    settings = Settings(store="memory")
    base = OxigraphStore()
    load_demo(base, settings)
    for name in () if args.no_terminologies else TERMINOLOGIES:
        path = default_path(name, settings.shared_data_dir)
        if path.exists():
            started = time.perf_counter()
            result = load_terminology(base, name, path)
            took = time.perf_counter() - started
            print(f"imported {name}: {result.concepts} concepts in {took:.1f} s")
    snapshot = list(base.quads())
    print(
        f"{'source':<14} {'records':>8} {'stored':>7} {'skipped':>8} {'seconds':>8} {'items/s':>8}"
        f" {'links':>6} {'broader':>7} {'unlinked':>8}"
    )
    for source in args.sources:
        relative, pattern, media_type = SOURCES[source]
        path = settings.shared_data_dir / relative
        if not path.exists():
            print(f"{source:<14} (no data at {path})")
            continue
        store = OxigraphStore()
        store.add_quads(snapshot)
        start = time.perf_counter()
        documents = read_documents(Path(path), pattern)
        native = map_native(settings, source, documents, media_type, store=store, partial=True)
        report = ingest_batch(
            store, settings, source, native.triples, mapping_version=native.mapping_version
        )
        took = time.perf_counter() - start
        stored = report.counts()["added"]
        skipped = native.skipped
        links = native.links
        unlinked = sum(len(values) for values in links.unlinked.values())
        print(
            f"{source:<14} {stored + len(skipped):>8} {stored:>7} {len(skipped):>8} "
            f"{took:>8.1f} {stored / took:>8.0f} {links.linked:>6} "
            f"{sum(links.broadened.values()):>7} {unlinked:>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
