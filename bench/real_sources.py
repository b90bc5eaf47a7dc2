"""Ingest the real third-party data in ../shared/data through the whole pipeline (mapping,
validation, store) and print per source: records, items stored, records skipped, time, items/s.

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
    args = parser.parse_args()
    settings = Settings(store="memory")
    print(
        f"{'source':<14} {'records':>8} {'stored':>7} {'skipped':>8} {'seconds':>8} {'items/s':>8}"
    )
    for source in args.sources:
        relative, pattern, media_type = SOURCES[source]
        path = settings.shared_data_dir / relative
        if not path.exists():
            print(f"{source:<14} (no data at {path})")
            continue
        store = OxigraphStore()
        load_demo(store, settings)
        start = time.perf_counter()
        documents = read_documents(Path(path), pattern)
        triples, version, skipped = map_native(
            settings, source, documents, media_type, partial=True
        )
        report = ingest_batch(store, settings, source, triples, mapping_version=version)
        took = time.perf_counter() - start
        stored = report.counts()["added"]
        print(
            f"{source:<14} {stored + len(skipped):>8} {stored:>7} {len(skipped):>8} "
            f"{took:>8.1f} {stored / took:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
