"""Relevance on PubMedQA-swe (../shared/data/pubmedqa-swe, the 700-abstract dev set): our
search (concept expansion, synonyms, compounds, typo tolerance) against plain BM25 over the
same tantivy index (the query's words only), in the same run.

    .venv/bin/python bench/relevance.py [--data ../shared/data]

(a) Each Swedish question as a query, its abstract as the one relevant item: MRR@10, recall@10.
    Items are indexed without their question (which PubMedQA derives from the title) and
    without the MeSH line, so the question must be matched by the abstract's words.
(b) Each Swedish MeSH heading as a query, the items tagged with it as relevant: nDCG@10
    (binary gain). Items are tagged with MeSH concepts (``ksv:mesh``, imported from the MeSH
    descriptors with the machine-translated Swedish labels as altLabels, hierarchy from tree
    numbers); the heading itself is not in the item text.

Skips (exit 0 with a message) when the data is absent.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyoxigraph import Literal, NamedNode, Quad

from service.config import Settings
from service.corpus import load_reference_data
from service.search import SearchQuery, SearchService
from service.search.analysis import QueryPlan, Unit, Word, normalise, stems, words
from service.search.tantivy_index import TantivySearchIndex
from service.store import OxigraphStore
from service.terminology import load_terminology

KS = "https://kunskapsgraf.se/ont/"
KSV = "https://kunskapsgraf.se/vocab/"
KSI = "https://kunskapsgraf.se/id/"
KSG = "https://kunskapsgraf.se/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SOURCE = "pubmedqa-bench"


def plain_plan(text: str) -> QueryPlan:
    """BM25 over the query's words: no concepts, synonyms, compounds or corrections."""
    units = []
    for w in words(text):
        s = stems(w)
        if s:
            units.append(Unit(text=w, words=(Word(w, s[0]),)))
    return QueryPlan(text=text, units=tuple(units), exact=" ".join(normalise(text).split()))


def build_store(data: Path) -> tuple[OxigraphStore, dict[str, dict[str, object]], dict[str, str]]:
    store = OxigraphStore()
    load_reference_data(store, Settings(store="memory"))
    load_terminology(store, "mesh", data / "mesh-2015-descriptors")
    load_terminology(store, "mesh-sv", data / "pubmedqa-swe" / "derived_mesh_en_sv_pairs.tsv")
    # Swedish MeSH label → concept, as the altLabels the importer wrote.
    label_concept: dict[str, str] = {}
    for row in store.select(
        "SELECT ?c ?l WHERE { ?c skos:altLabel ?l FILTER(LANG(?l) = 'sv') "
        "FILTER(STRSTARTS(STR(?c), 'https://kunskapsgraf.se/vocab/mesh/')) }"
    ):
        label_concept.setdefault(normalise(row["l"].value), row["c"].value)
    records: dict[str, dict[str, object]] = json.loads(
        (data / "pubmedqa-swe" / "pqal_swe_dev.json").read_text(encoding="utf-8")
    )
    graph = NamedNode(KSG + "source/" + SOURCE)
    register = NamedNode(KSG + "register")
    source = NamedNode(f"{KSI}source/{SOURCE}")
    approval = NamedNode(f"{KSI}approval/{SOURCE}")
    quads = [
        Quad(source, NamedNode(KS + "sourceKey"), Literal(SOURCE), register),
        Quad(source, NamedNode(KS + "title"), Literal("PubMedQA-swe", language="sv"), register),
        Quad(source, NamedNode(KS + "currentApproval"), approval, register),
        Quad(
            approval,
            NamedNode(KS + "approvalStatus"),
            NamedNode(KSV + "approval-status/godkand"),
            register,
        ),
        Quad(
            approval,
            NamedNode(KS + "integrationLevel"),
            NamedNode(KSV + "integration-level/fulltext-visning"),
            register,
        ),
    ]
    for pmid, record in records.items():
        item = NamedNode(f"{KSI}item/{SOURCE}/{pmid}")
        contexts = " ".join(str(c) for c in record.get("CONTEXTS", []))  # type: ignore[union-attr]
        body = f"{contexts} {record.get('LONG_ANSWER', '')}"
        quads += [
            Quad(item, NamedNode(RDF_TYPE), NamedNode(KS + "KnowledgeProduct"), graph),
            Quad(item, NamedNode(KS + "identifier"), Literal(f"{SOURCE}:{pmid}"), graph),
            Quad(item, NamedNode(KS + "title"), Literal(f"Studie {pmid}", language="sv"), graph),
            Quad(item, NamedNode(KS + "body"), Literal(body, language="sv"), graph),
            Quad(item, NamedNode(KS + "source"), source, graph),
            Quad(
                item, NamedNode(KS + "lifecycleState"), NamedNode(KSV + "lifecycle/gallande"), graph
            ),
        ]
        for heading in record.get("MESHES", []):  # type: ignore[union-attr]
            concept = label_concept.get(normalise(str(heading)))
            if concept:
                quads.append(Quad(item, NamedNode(KS + "subject"), NamedNode(concept), graph))
    store.add_quads(quads)
    return store, records, label_concept


def ranked(service: SearchService, plan: QueryPlan, k: int = 10) -> list[str]:
    query = SearchQuery(text=plan.text, limit=k)
    result = service.index.search(plan, query, k, facets=False)
    if result.total == 0 and len(plan.units) >= 3:
        from dataclasses import replace

        result = service.index.search(replace(plan, conjunctive=False), query, k, facets=False)
    return [c.identifier for c in result.candidates[:k]]


def ndcg(found: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(found[:k]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Settings().shared_data_dir)
    args = parser.parse_args()
    if not (args.data / "pubmedqa-swe" / "pqal_swe_dev.json").exists():
        print(f"skipped: no PubMedQA-swe under {args.data}")
        return
    start = time.perf_counter()
    store, records, label_concept = build_store(args.data)
    service = SearchService(TantivySearchIndex())
    service.refresh(store)
    print(
        f"PubMedQA-swe: {len(records)} abstracts indexed, {len(label_concept)} Swedish MeSH "
        f"labels, set up in {time.perf_counter() - start:.1f} s"
    )

    systems = {"expansion": service.plan, "plain BM25": plain_plan}
    print("(a) question → its abstract")
    for name, plan_of in systems.items():
        reciprocal: list[float] = []
        for pmid, record in records.items():
            found = ranked(service, plan_of(str(record["QUESTION"])))
            target = f"{SOURCE}:{pmid}"
            reciprocal.append(1 / (found.index(target) + 1) if target in found else 0.0)
        mrr = statistics.mean(reciprocal)
        recall = sum(r > 0 for r in reciprocal) / len(reciprocal)
        print(f"  {name:<12} MRR@10 {mrr:.3f}   recall@10 {recall:.3f}   (n={len(reciprocal)})")

    tagged: dict[str, set[str]] = {}
    for pmid, record in records.items():
        for heading in record.get("MESHES", []):  # type: ignore[union-attr]
            concept = label_concept.get(normalise(str(heading)))
            if concept:
                tagged.setdefault(str(heading), set()).add(f"{SOURCE}:{pmid}")
    print("(b) Swedish MeSH heading → the items tagged with it")
    for name, plan_of in systems.items():
        scores = [ndcg(ranked(service, plan_of(h)), rel) for h, rel in sorted(tagged.items())]
        print(f"  {name:<12} nDCG@10 {statistics.mean(scores):.3f}   (n={len(scores)} headings)")


if __name__ == "__main__":
    main()
