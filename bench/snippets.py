"""Snippets of long texts: the real Swedish health statutes in ../shared/data
(sfs-health-statutes, up to 70 kB each) as search results, with snippets made from windows
around the query's words (what search does) against snippets made from the whole text (the
baseline), in the same run.

    .venv/bin/python bench/snippets.py [--data ../shared/data]

Prints the time for one page of 10 results (the 10 longest statutes that contain a word of
the query) per query, both ways, their ratio, and how many snippets each way highlights a
query word. Skips (exit 0 with a message) when the data is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.search import tantivy_index
from service.search.analysis import QueryPlan, plan_query, stems
from service.search.concepts import Thesaurus
from service.search.index import IndexDocument
from service.search.tantivy_index import TantivySearchIndex

QUERIES = [
    "patientens journal",
    "sekretess",
    "vårdgivare anmälan",
    "tvångsvård",
    "läkemedel förskrivning",
    "smittskydd",
]


def body(path: Path) -> str:
    """The statute's text without its front matter."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("---", 2)[2]
    return text.strip()


def document(identifier: str, text: str) -> IndexDocument:
    return IndexDocument(
        identifier=identifier,
        fingerprint=0,
        kind="ks:Forfattning",
        title=identifier,
        alt_titles="",
        subjects="",
        summary="",
        body=text,
        exact=(),
        facets={},
        subject_concepts=(),
        direct_concepts=(),
        concept_tree=(),
        next_review=None,
        modified=0,
    )


def page_ms(index: TantivySearchIndex, plan: QueryPlan, texts: dict[str, str]) -> tuple[float, int]:
    """Median time of 15 runs for one page of snippets, and how many are highlighted."""
    times = []
    found: dict[str, str] = {}
    for _ in range(15):
        start = time.perf_counter()
        found = index.snippets(plan, texts)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), sum("<mark>" in s for s in found.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared/data")
    args = parser.parse_args()
    folder = args.data / "sfs-health-statutes"
    if not folder.is_dir():
        print(f"skipped: {folder} not found")
        return
    texts = {p.stem: body(p) for p in sorted(folder.rglob("*.md"))}
    index = TantivySearchIndex()
    index.upsert([document(k, v) for k, v in texts.items()])
    thesaurus = Thesaurus()
    sizes = sorted(len(t) for t in texts.values() if t)
    print(
        f"Snippets: {len(texts)} statutes ({len(sizes)} with text: median "
        f"{sizes[len(sizes) // 2] / 1000:.0f} kB, longest {sizes[-1] / 1000:.0f} kB); per "
        "query a page of the 10 longest that contain one of its words"
    )
    windowed_all, whole_all = [], []
    for q in QUERIES:
        plan = plan_query(q, thesaurus, lambda w: True)
        wanted = {s for w in q.split() for s in stems(w)}
        having = [k for k, v in texts.items() if wanted & set(stems(v[:200_000]))]
        page = {k: texts[k] for k in sorted(having, key=lambda k: -len(texts[k]))[:10]}
        kb = sum(len(t) for t in page.values()) / 1000
        windowed, marked = page_ms(index, plan, page)
        limit = tantivy_index.SNIPPET_SCAN_CHARS
        tantivy_index.SNIPPET_SCAN_CHARS = 10**12  # the baseline: every text whole
        try:
            whole, whole_marked = page_ms(index, plan, page)
        finally:
            tantivy_index.SNIPPET_SCAN_CHARS = limit
        windowed_all.append(windowed)
        whole_all.append(whole)
        print(
            f"  {q!r:26} {len(page):2} results, {kb:4.0f} kB: windows {windowed:6.2f} ms "
            f"({marked} highlighted), whole texts {whole:6.2f} ms ({whole_marked} highlighted), "
            f"{whole / windowed:5.1f}x"
        )
    print(
        f"  median over the queries: windows {statistics.median(windowed_all):.2f} ms, "
        f"whole texts {statistics.median(whole_all):.2f} ms per page"
    )


if __name__ == "__main__":
    main()
