"""The search index on tantivy (embedded, in-process; on disk or in RAM).

Text fields use the Swedish analyzer (``analysis.sv_analyzer``), registered on every open
because tantivy stores only its name. Each item facet is a raw field for filtering and, for
counting, a single-valued fast column holding the id of the item's *set* of values in that
facet (``{lakare, sjukskoterska}`` is one id): a terms aggregation over single values costs a
third of one over multi-valued text, and 100,000 items share a few hundred such sets, whose
counts are then added up per value. Concepts have a multi-valued column of their own, of
numeric ids rather than IRIs (cheaper to count; only the top values are listed, plus each
selected concept, counted on its own), and freshness is a range aggregation over the next
review day, so it follows today's date without re-indexing.

Facet counting dominates a search at scale, so it runs on a small thread pool alongside the
top-hits search (tantivy releases the GIL), and counts are kept in a small LRU cache that
every commit empties: popular queries ("diabetes", "smärta") then cost only the top hits.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import tantivy
from tantivy import Occur, Query

from service.search.analysis import QueryPlan, Unit, Word, sv_analyzer, word_analyzer
from service.search.analysis import stems as analysed_stems  # ``stems`` names plan stems here
from service.search.facets import (
    CONCEPT_FACET_SIZE,
    FACET_NAMES,
    NATIONAL,
    REVIEW_SOON_DAYS,
)
from service.search.index import Candidate, IndexDocument, IndexResult, SearchQuery

# Bump when the schema or the analysis changes: an on-disk index of another version is rebuilt.
SCHEMA_VERSION = "8"
# How much a query word found in each field counts; the title wins (DOMAIN §6: staff scan
# titles first).
FIELD_WEIGHTS: dict[str, float] = {
    "title": 8.0,
    "alt_titles": 6.0,
    "subjects": 4.0,
    "summary": 2.0,
    "body": 1.0,
}
COMPOUND_WEIGHT = 0.8
SYNONYM_WEIGHT = 0.9
CORRECTION_WEIGHT = 0.8
DIRECT_CONCEPT_SCORE = 14.0
NARROWER_CONCEPT_SCORE = 6.0
EXACT_TITLE_SCORE = 80.0
NO_REVIEW = 10_000_000  # a day number far in the future: "no review planned"
# Low bits of the date sort key that break ties within a day (day numbers need 20 bits).
DATE_TIE_BITS = 40
# Index writer: indexing threads (the machine this runs on has 2 cores) and memory per thread
# before a segment is flushed (a 100,000-item rebuild then writes few segments).
WRITER_THREADS = 2
WRITER_HEAP_PER_THREAD = 100_000_000
# The fast column of each item facet's value-set ids is named SET_PREFIX + facet name.
SET_PREFIX = "set_"
# More than the distinct value sets of any facet: the terms aggregation must return every set,
# or counts would silently go missing.
FACET_SET_SIZE = 100_000
# Concept values each index segment reports before the overall top CONCEPT_FACET_SIZE.
CONCEPT_SEGMENT_SIZE = 100_000
# Facet counts kept for this many distinct (query, filters, day) combinations.
FACET_CACHE_SIZE = 1024
# A query expected to match more than this share of the index counts its facets in two jobs
# side by side (counting then costs more than evaluating the query); any other query in one
# job, which evaluates the query once instead of twice.
BROAD_SHARE = 0.5
# A longer text is cut to windows around the first word with each query stem before a snippet
# is made from it: tantivy tokenises and stems all it is given (bench/snippets.py, a page of 10
# real statutes: 18 ms whole, 5.6 ms in windows). Each window keeps this many characters
# before and after its word.
SNIPPET_SCAN_CHARS = 4000
SNIPPET_CONTEXT = (300, 500)
SNIPPET_WINDOWS = 4
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _facet_pool() -> ThreadPoolExecutor:
    """The threads that count facets beside the top-hits search (one per core is enough);
    made per process, since a forked child has none of its parent's threads."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            workers = os.cpu_count() or 2
            _pool = (os.getpid(), ThreadPoolExecutor(workers, thread_name_prefix="facets"))
        return _pool[1]


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_integer_field("key", indexed=True, fast=True)
    sb.add_integer_field("fp", fast=True)
    for name in FIELD_WEIGHTS:
        sb.add_text_field(name, tokenizer_name="sv")
    sb.add_text_field("words", tokenizer_name="words")
    sb.add_text_field("exact", tokenizer_name="raw")
    for name in FACET_NAMES:
        sb.add_text_field(name, tokenizer_name="raw")
        sb.add_unsigned_field(SET_PREFIX + name, fast=True)
    # Subject concepts by id (see ``_set_id``): a terms aggregation over numbers costs about
    # two thirds of one over the same values as text.
    sb.add_unsigned_field("concept", fast=True)
    sb.add_text_field("direct", tokenizer_name="raw")
    sb.add_text_field("tree", tokenizer_name="raw")
    sb.add_integer_field("next_review", indexed=True, fast=True)
    sb.add_integer_field("modified", indexed=True, fast=True)
    sb.add_integer_field("date_order", fast=True)
    return sb.build()


def _date_order(d: IndexDocument) -> int:
    """The date sort key: the day of the last change, and within a day a hash of the
    identifier, so that items of the same day keep their order when others are written (tantivy
    would break the tie by its internal document order)."""
    return (d.modified << DATE_TIE_BITS) | (_key(d.identifier) & ((1 << DATE_TIE_BITS) - 1))


def _key(identifier: str) -> int:
    return int.from_bytes(hashlib.blake2b(identifier.encode(), digest_size=8).digest(), "big") >> 1


class TantivySearchIndex:
    """``path`` None: in RAM (memory store, tests); otherwise a directory of its own."""

    def __init__(
        self,
        path: Path | None = None,
        facet_cache_size: int = FACET_CACHE_SIZE,
        broad_share: float = BROAD_SHARE,
    ) -> None:
        self.name = "tantivy" if path is None else f"tantivy:{path}"
        self.path = path
        self.schema = _schema()
        self._write_lock = threading.Lock()
        self.facet_cache_size = facet_cache_size
        self.broad_share = broad_share
        self._cache: OrderedDict[tuple[Any, ...], dict[str, dict[str, int]]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._generation = 0  # bumped by every commit: counts of older searchers are stale
        self._writer: tantivy.IndexWriter | None = None
        self._ids: dict[int, str] = {}
        # Facet value sets by id and ids by set, for every document written or synced.
        self._sets: dict[int, tuple[str, tuple[str, ...]]] = {}
        self._set_ids: dict[tuple[str, tuple[str, ...]], int] = {}
        if path is None:
            self._index = tantivy.Index(self.schema)
        else:
            self._index = self._open_dir(path)
        self._index.register_tokenizer("sv", sv_analyzer())
        self._index.register_tokenizer("words", word_analyzer())
        self._index.config_reader("manual")
        self._index.reload()

    def _open_dir(self, path: Path) -> tantivy.Index:
        marker = path / "kunskapsgraf-schema.json"
        current = {"version": SCHEMA_VERSION}
        if path.exists() and (
            not marker.exists() or json.loads(marker.read_text(encoding="utf-8")) != current
        ):
            # Another schema or analysis: the index is a projection, so start over.
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(path), reuse=True)
        marker.write_text(json.dumps(current), encoding="utf-8")
        return index

    # --- writing ------------------------------------------------------------------------

    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            # Two indexing threads: analysing the text (stemming) is the bulk of a rebuild, and
            # the Python side that feeds them is faster than one thread can index.
            threads = WRITER_THREADS
            self._writer = self._index.writer(
                heap_size=WRITER_HEAP_PER_THREAD * threads, num_threads=threads
            )
            # A process killed inside a commit leaves files of the unfinished commit behind;
            # the next commit would then fail on them (FileAlreadyExists "*.del"). Dropping
            # files no commit refers to makes a crashed index writable again.
            self._writer.garbage_collect_files()
        return self._writer

    def _document(self, d: IndexDocument) -> tantivy.Document:
        def own(text: str) -> str:
            # A copy: handing a str to tantivy attaches a cached UTF-8 copy to it for as long
            # as it lives, and these texts are also the service's documents (~250 MB of
            # copies at 100,000 items for Swedish, i.e. non-ASCII, text).
            return "".join((text, ""))

        # One call with every value, typed by the schema: cheaper than one call per value (a
        # rebuild adds some 50 values to each of 100,000 documents).
        fields: dict[str, list[Any]] = {
            "id": [d.identifier],
            "key": [_key(d.identifier)],
            "fp": [d.fingerprint],
            "title": [own(d.title)],
            "alt_titles": [own(d.alt_titles)],
            "subjects": [own(d.subjects)],
            "summary": [own(d.summary)],
            "body": [own(d.body)],
            # Surface words of the short fields only: the body is indexed once (stemmed); its
            # words are known through their stems (``word_frequency``).
            "words": [" ".join((d.title, d.alt_titles, d.subjects, d.summary))],
            "exact": list(d.exact),
            "concept": [self._set_id("concept", (c,)) for c in d.subject_concepts],
            "direct": list(d.direct_concepts),
            "tree": list(d.concept_tree),
            "next_review": [d.next_review if d.next_review is not None else NO_REVIEW],
            "modified": [d.modified],
            "date_order": [_date_order(d)],
        }
        for name in FACET_NAMES:
            values = tuple(d.facets.get(name, ()))
            fields[name] = list(values)
            fields[SET_PREFIX + name] = [self._set_id(name, values)]
        return tantivy.Document.from_dict(fields, self.schema)

    def _set_id(self, facet: str, values: tuple[str, ...]) -> int:
        """The id of one facet's value set: a hash, so that an on-disk index keeps its ids
        across restarts; 52 bits, which aggregation results carry exactly."""
        key = (facet, values)
        found = self._set_ids.get(key)
        if found is None:
            text = "\x1f".join((facet, *values)).encode("utf-8")
            found = int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") >> 12
            self._set_ids[key] = found
            self._sets[found] = key
        return found

    def _register_sets(self, documents: Sequence[IndexDocument]) -> None:
        """Know the value sets and concepts of documents already in the index (counts name
        their ids)."""
        for d in documents:
            for name in FACET_NAMES:
                self._set_id(name, tuple(d.facets.get(name, ())))
            for concept in d.subject_concepts:
                self._set_id("concept", (concept,))

    def _commit(self) -> None:
        writer = self._get_writer()
        writer.commit()
        self._index.reload()
        with self._cache_lock:
            self._generation += 1
            self._cache.clear()

    def upsert(self, documents: Sequence[IndexDocument]) -> None:
        if not documents:
            return
        with self._write_lock:
            writer = self._get_writer()
            for d in documents:
                writer.delete_documents_by_term("id", d.identifier)
                writer.add_document(self._document(d))
                self._ids[_key(d.identifier)] = d.identifier
            self._commit()

    def delete(self, identifiers: Sequence[str]) -> None:
        if not identifiers:
            return
        with self._write_lock:
            writer = self._get_writer()
            for identifier in identifiers:
                writer.delete_documents_by_term("id", identifier)
                self._ids.pop(_key(identifier), None)
            self._commit()

    def clear(self) -> None:
        with self._write_lock:
            self._get_writer().delete_all_documents()
            self._ids.clear()
            self._commit()

    def sync(self, documents: Sequence[IndexDocument]) -> int:
        have = self.fingerprints()
        wanted = {d.identifier: d for d in documents}
        stale = [d for i, d in wanted.items() if have.get(i) != d.fingerprint]
        extra = [i for i in have if i not in wanted]
        for d in documents:
            self._ids[_key(d.identifier)] = d.identifier
        self._register_sets(documents)
        if len(stale) == len(wanted) and wanted and len(have) > 0:
            # Everything differs: cheaper to start from empty than to delete one by one.
            with self._write_lock:
                writer = self._get_writer()
                writer.delete_all_documents()
                for d in documents:
                    writer.add_document(self._document(d))
                self._commit()
            return len(wanted) + len(extra)
        if stale and not have:
            with self._write_lock:
                writer = self._get_writer()
                for d in stale:
                    writer.add_document(self._document(d))
                self._commit()
        else:
            self.delete(extra)
            self.upsert(stale)
        return len(stale) + len(extra)

    def fingerprints(self) -> dict[str, int]:
        searcher = self._index.searcher()
        n = searcher.num_docs
        if n == 0:
            return {}
        hits = searcher.search(Query.all_query(), limit=n, count=False).hits
        addresses = [a for _, a in hits]
        keys = searcher.fast_field_values("key", addresses)
        fps = searcher.fast_field_values("fp", addresses)
        result: dict[str, int] = {}
        for address, key, fp in zip(addresses, keys, fps, strict=True):
            identifier = self.identifier(searcher, key, address)
            result[identifier] = int(fp or 0)
        return result

    def identifier(self, searcher: tantivy.Searcher, key: Any, address: tantivy.DocAddress) -> str:
        """A document's identifier from its ``key`` fast field; from the stored field when
        this process has not seen the document (an index written by another process)."""
        known = self._ids.get(int(key or 0))
        return known or str(searcher.doc(address)["id"][0])

    def document_count(self) -> int:
        return int(self._index.searcher().num_docs)

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None

    # --- reading ------------------------------------------------------------------------

    def word_frequency(self, word: str, stemmed: bool = True) -> int:
        searcher = self._index.searcher()
        found = int(searcher.doc_freq("words", word))
        if found or not stemmed:
            return found
        stem = sv_analyzer().analyze(word)
        if not stem:
            return 0
        return max(int(searcher.doc_freq(f, stem[0])) for f in ("title", "body", "summary"))

    def prefix_words(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        searcher = self._index.searcher()
        return [(t, int(n)) for t, n in searcher.terms_with_prefix("words", prefix, None, limit)]

    def _word_query(self, stem: str, weight: float = 1.0) -> Query:
        return Query.boolean_query(
            [
                (
                    Occur.Should,
                    Query.boost_query(Query.term_query(self.schema, f, stem), w * weight),
                )
                for f, w in FIELD_WEIGHTS.items()
            ]
        )

    def _all_words(self, stems: Sequence[str], weight: float = 1.0) -> Query:
        if len(stems) == 1:
            return self._word_query(stems[0], weight)
        return Query.boolean_query([(Occur.Must, self._word_query(s, weight)) for s in stems])

    def _word_clause(self, word: Word, scale: float = 1.0) -> Query:
        options = [self._word_query(word.stem)]
        if word.parts:
            options.append(self._all_words(word.parts, COMPOUND_WEIGHT))
        for correction in word.corrections:
            options.append(self._word_query(correction, CORRECTION_WEIGHT * scale))
        if len(options) == 1:
            return options[0]
        return Query.boolean_query([(Occur.Should, q) for q in options])

    def _unit_clause(self, unit: Unit, concept_scale: float = 1.0) -> Query | None:
        """``concept_scale`` < 1 weakens what the query did not literally say (concepts,
        synonyms, corrections)."""
        options: list[Query] = []
        if unit.words and not unit.code:
            clauses = [self._word_clause(w, concept_scale) for w in unit.words]
            options.append(
                clauses[0]
                if len(clauses) == 1
                else Query.boolean_query([(Occur.Must, c) for c in clauses])
            )
        elif unit.code and unit.words:
            # A code also matches where its notation is written in the subject labels.
            options.append(
                Query.boolean_query(
                    [
                        (Occur.Must, Query.term_query(self.schema, "subjects", w.text))
                        for w in unit.words
                    ]
                )
            )
        for synonym in unit.synonyms:
            options.append(self._all_words(synonym, SYNONYM_WEIGHT * concept_scale))
        if unit.concepts:
            options.append(
                Query.const_score_query(
                    Query.term_set_query(self.schema, "direct", list(unit.concepts)),
                    DIRECT_CONCEPT_SCORE * concept_scale,
                )
            )
            options.append(
                Query.const_score_query(
                    Query.term_set_query(self.schema, "tree", list(unit.concepts)),
                    NARROWER_CONCEPT_SCORE * concept_scale,
                )
            )
        if not options:
            return None
        if len(options) == 1:
            return options[0]
        return Query.boolean_query([(Occur.Should, q) for q in options])

    def text_query(self, plan: QueryPlan) -> Query:
        if plan.match_all:
            return Query.all_query()
        # When any unit may match (long questions), the words decide: a concept named in
        # passing must not outweigh the text, so its boost shrinks with the query's length.
        scale = 1.0 if plan.conjunctive else 1.0 / len(plan.units)
        clauses = [c for c in (self._unit_clause(u, scale) for u in plan.units) if c is not None]
        if not clauses:
            return Query.empty_query()
        occur = Occur.Must if plan.conjunctive else Occur.Should
        must: list[tuple[Occur, Query]] = [(occur, c) for c in clauses]
        if plan.exact:
            exact = Query.term_query(self.schema, "exact", plan.exact)
            must.append((Occur.Should, Query.const_score_query(exact, EXACT_TITLE_SCORE)))
        return Query.boolean_query(must)

    def _filters(self, query: SearchQuery) -> dict[str, Query]:
        """One filter query per active facet (and the region context)."""
        filters: dict[str, Query] = {}
        for name, wanted in query.filters.items():
            if not wanted:
                continue
            if name == "concept":
                filters[name] = Query.term_set_query(self.schema, "tree", sorted(wanted))
            elif name == "freshness":
                filters[name] = Query.boolean_query(
                    [(Occur.Should, self._freshness(v, query)) for v in sorted(wanted)]
                )
            else:
                filters[name] = Query.term_set_query(self.schema, name, sorted(wanted))
        if query.region is not None:
            filters["_region"] = Query.term_set_query(
                self.schema, "region", [NATIONAL, query.region]
            )
        return filters

    def _freshness(self, value: str, query: SearchQuery) -> Query:
        today = query.today.toordinal()
        bounds = {
            "granskning-forsenad": (None, today - 1),
            "granskning-snart": (today, today + REVIEW_SOON_DAYS),
            "aktuell": (today + REVIEW_SOON_DAYS + 1, None),
        }[value]
        return Query.range_query(
            self.schema,
            "next_review",
            tantivy.FieldType.Integer,
            bounds[0] if bounds[0] is not None else -(2**62),
            bounds[1] if bounds[1] is not None else 2**62,
        )

    def _combine(self, text: Query, filters: Mapping[str, Query], skip: str | None) -> Query:
        parts = [(Occur.Must, text)]
        parts += [
            (Occur.Must, Query.const_score_query(q, 0.0))
            for name, q in filters.items()
            if name != skip
        ]
        return parts[0][1] if len(parts) == 1 else Query.boolean_query(parts)

    def _aggregations(self, names: Sequence[str], query: SearchQuery) -> dict[str, Any]:
        """One aggregation request counting the named facets (item facets share a column)."""
        today = query.today.toordinal()
        aggs: dict[str, Any] = {}
        for name in names:
            if name in FACET_NAMES:
                field = SET_PREFIX + name
                aggs[field] = {"terms": {"field": field, "size": FACET_SET_SIZE}}
        if "concept" in names:
            # Each segment reports all its concepts: with fewer, a concept outside one segment's
            # top list but in the overall top would be undercounted (tantivy's default).
            aggs[SET_PREFIX + "concept"] = {
                "terms": {
                    "field": "concept",
                    "size": CONCEPT_FACET_SIZE,
                    "segment_size": CONCEPT_SEGMENT_SIZE,
                }
            }
        if "freshness" in names:
            aggs["freshness"] = {
                "range": {
                    "field": "next_review",
                    "ranges": [
                        {"key": "granskning-forsenad", "to": today},
                        {
                            "key": "granskning-snart",
                            "from": today,
                            "to": today + REVIEW_SOON_DAYS + 1,
                        },
                        {"key": "aktuell", "from": today + REVIEW_SOON_DAYS + 1},
                    ],
                }
            }
        return aggs

    def _count_jobs(
        self, text: Query, filters: Mapping[str, Query], query: SearchQuery, broad: bool = True
    ) -> list[_CountJob]:
        """The aggregations that give every facet's counts: over the full query for the
        facets without a filter, and one per filtered facet over the query without its own
        filter (multi-select: a facet's counts ignore its own selection)."""
        names = (*FACET_NAMES, "concept", "freshness")
        jobs = []
        full = self._combine(text, filters, None)
        # A broad query's unfiltered facets in two jobs, so that on two cores they run side by
        # side and take about as long: the item facets' value-set columns with freshness, and
        # concepts. Otherwise one job (see BROAD_SHARE).
        groups = (
            ((*FACET_NAMES, "freshness"), ("concept",))
            if broad
            else ((*FACET_NAMES, "freshness", "concept"),)
        )
        for group in groups:
            unfiltered = tuple(n for n in group if n not in filters)
            if unfiltered:
                jobs.append(_CountJob(full, self._aggregations(unfiltered, query), unfiltered))
        for name in names:
            if name in filters:
                without = self._combine(text, filters, name)
                selected: list[tuple[str, Query]] = []
                if name == "concept":
                    # Only the top concepts are listed: a selected one further down is counted
                    # on its own (items tagged with it, as the listed ones).
                    for iri in sorted(query.filters[name]):
                        tagged = Query.term_query(self.schema, "direct", iri)
                        both = [(Occur.Must, without), (Occur.Must, tagged)]
                        selected.append((iri, Query.boolean_query(both)))
                aggs = self._aggregations([name], query)
                jobs.append(_CountJob(without, aggs, (name,), tuple(selected)))
        return jobs

    @staticmethod
    def _cache_key(plan: QueryPlan, query: SearchQuery, wanted: tuple[str, ...]) -> tuple[Any, ...]:
        """What a count job depends on. A filtered facet's own job ignores its own filter, so
        its key leaves that filter out: every selection within the facet shares it."""
        skip = wanted[0] if len(wanted) == 1 and query.filters.get(wanted[0]) else None
        if skip == "concept":
            skip = None  # its job also counts each selected concept
        filters = tuple(
            sorted((k, tuple(sorted(v))) for k, v in query.filters.items() if v and k != skip)
        )
        return (plan, filters, query.region, query.today, wanted)

    def _cached(self, key: tuple[Any, ...]) -> dict[str, dict[str, int]] | None:
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def _remember(
        self, key: tuple[Any, ...], counts: dict[str, dict[str, int]], generation: int
    ) -> None:
        if self.facet_cache_size <= 0:
            return
        with self._cache_lock:
            if generation != self._generation:
                return  # counted on a searcher older than the last commit
            self._cache[key] = counts
            while len(self._cache) > self.facet_cache_size:
                self._cache.popitem(last=False)

    def clear_facet_cache(self) -> None:
        """Forget every cached count (benchmarks measure cold searches this way)."""
        with self._cache_lock:
            self._cache.clear()

    def _buckets(
        self, aggregation: Mapping[str, Any], wanted: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        """Counts per facet and value from an aggregation result, for the ``wanted`` facets
        (every one of them present, possibly empty); value-set counts are added up per value."""
        result: dict[str, dict[str, int]] = {name: {} for name in wanted}
        for name, body in aggregation.items():
            if name.startswith(SET_PREFIX):
                counts = result.get(name[len(SET_PREFIX) :])
                if counts is None:
                    continue
                for bucket in body.get("buckets", []):
                    n = int(bucket["doc_count"])
                    found = self._sets.get(int(bucket["key"]))
                    if n > 0 and found is not None:
                        for value in found[1]:
                            counts[value] = counts.get(value, 0) + n
            elif name in result:
                result[name] = {
                    str(b["key"]): int(b["doc_count"])
                    for b in body.get("buckets", [])
                    if int(b["doc_count"]) > 0
                }
        return result

    def _broad(self, searcher: tantivy.Searcher, plan: QueryPlan) -> bool:
        """Whether the query is likely to match more than ``broad_share`` of the index,
        estimated from document frequencies (a few dictionary lookups): each unit by its most
        frequent word or concept, the query by its rarest unit when every unit must match. A
        wrong guess costs time, never counts."""
        n = int(searcher.num_docs)
        if plan.match_all:
            return n > self.broad_share * n  # it matches the whole index
        sizes = []
        for unit in plan.units:
            size = 0
            for word in unit.words:
                for field in FIELD_WEIGHTS:
                    size = max(size, int(searcher.doc_freq(field, word.stem)))
            for iri in unit.concepts:
                size = max(size, int(searcher.doc_freq("tree", iri)))
            sizes.append(size)
        if not sizes:
            return False
        expected = min(sizes) if plan.conjunctive else max(sizes)
        return expected > self.broad_share * n

    def _count(self, searcher: tantivy.Searcher, job: _CountJob) -> dict[str, dict[str, int]]:
        """One count job's facet counts (run on the facet pool)."""
        found = self._buckets(searcher.aggregate(job.query, job.aggs), job.wanted)
        for iri, tagged in job.selected:
            # Exact for every selected concept, whether or not it is also among the top.
            n = int(getattr(searcher.search(tagged, limit=1, count=True), "count", 0) or 0)
            if n > 0:
                found["concept"][iri] = n
        return found

    def search(
        self,
        plan: QueryPlan,
        query: SearchQuery,
        window: int,
        facets: bool = True,
    ) -> IndexResult:
        """``query.filters["concept"]`` holds concept IRIs here (the service maps ids)."""
        generation = self._generation  # read before the searcher: see _remember
        searcher = self._index.searcher()
        text = self.text_query(plan)
        filters = self._filters(query)
        full = self._combine(text, filters, None)
        counts: dict[str, dict[str, int]] = {}
        pending: list[tuple[tuple[Any, ...], Future[dict[str, dict[str, int]]]]] = []
        if facets:
            broad = self._broad(searcher, plan)
            for job in self._count_jobs(text, filters, query, broad):
                key = self._cache_key(plan, query, job.wanted)
                cached = self._cached(key)
                if cached is not None:
                    counts.update(cached)
                else:
                    pending.append((key, _facet_pool().submit(self._count, searcher, job)))
        if query.sort == "date":
            result = searcher.search(
                full,
                limit=query.limit,
                count=True,
                order_by_field="date_order",
                offset=query.offset,
                order=tantivy.Order.Desc,
            )
        else:
            result = searcher.search(full, limit=window, count=True)
        candidates = _Candidates(self, searcher, result.hits, query.sort != "date")
        total = int(getattr(result, "count", 0) or 0)  # not in the type stub
        facet_counts = _FacetCounts(self, counts, pending, generation)
        return IndexResult(total=total, candidates=candidates, facets=facet_counts)

    def snippets(self, plan: QueryPlan, texts: Mapping[str, str]) -> dict[str, str]:
        if plan.match_all or not texts:
            return {}
        searcher = self._index.searcher()
        stems = _plan_stems(plan)
        if not stems:
            return {}
        query = Query.boolean_query(
            [(Occur.Should, Query.term_query(self.schema, "body", s)) for s in stems]
        )
        generator = tantivy.SnippetGenerator.create(searcher, query, self.schema, "body")
        generator.set_max_num_chars(220)
        found: dict[str, str] = {}
        for identifier, text in texts.items():
            if not text:
                continue
            # A copy (or a part): tantivy attaches a UTF-8 copy to a Python string it is given
            # for as long as the string lives, and ``text`` lives on in the documents.
            part = _windows(text, stems) if len(text) > SNIPPET_SCAN_CHARS else text
            snippet = generator.snippet_from_doc(tantivy.Document(body=["".join((part, ""))]))
            marked = _mark(snippet)
            if marked:
                found[identifier] = marked
        return found


@dataclass
class _CountJob:
    """One aggregation request: the facets ``wanted`` from it, and selected concepts to
    count on their own (IRI, the query restricted to items tagged with it)."""

    query: Query
    aggs: dict[str, Any]
    wanted: tuple[str, ...]
    selected: tuple[tuple[str, Query], ...] = ()


class _FacetCounts(Mapping[str, Mapping[str, int]]):
    """Facet counts that may still be running on the pool: the first read waits for them
    (and caches them), so the caller ranks and makes snippets while they count."""

    def __init__(
        self,
        index: TantivySearchIndex,
        counts: dict[str, dict[str, int]],
        pending: list[tuple[tuple[Any, ...], Future[dict[str, dict[str, int]]]]],
        generation: int,
    ) -> None:
        self._index = index
        self._counts = counts
        self._pending = pending
        self._generation = generation
        self._lock = threading.Lock()

    def _resolved(self) -> dict[str, dict[str, int]]:
        with self._lock:
            while self._pending:
                key, future = self._pending.pop(0)
                found = future.result()
                self._index._remember(key, found, self._generation)
                self._counts.update(found)
            return self._counts

    def __getitem__(self, name: str) -> Mapping[str, int]:
        return self._resolved()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())


class _Candidates(Sequence[Candidate]):
    """The hits as candidates, best first, each identifier looked up when first read:
    re-ranking reads a page's worth plus those a boost could lift into it, mostly far fewer
    than the window of 500."""

    def __init__(
        self,
        index: TantivySearchIndex,
        searcher: tantivy.Searcher,
        hits: list[tuple[Any, tantivy.DocAddress]],
        scored: bool,
    ) -> None:
        self._index = index
        self._searcher = searcher
        self._hits = hits
        self._scored = scored
        self._keys: list[Any] | None = None

    def __len__(self) -> int:
        return len(self._hits)

    def _candidate(self, i: int) -> Candidate:
        if self._keys is None:
            # One call for every key: per document it would cost more than the lookup.
            addresses = [a for _, a in self._hits]
            self._keys = self._searcher.fast_field_values("key", addresses) if addresses else []
        score, address = self._hits[i]
        identifier = self._index.identifier(self._searcher, self._keys[i], address)
        return Candidate(identifier, float(score) if self._scored else 0.0)

    @overload
    def __getitem__(self, i: int) -> Candidate: ...

    @overload
    def __getitem__(self, i: slice) -> list[Candidate]: ...

    def __getitem__(self, i: int | slice) -> Candidate | list[Candidate]:
        if isinstance(i, slice):
            return [self._candidate(j) for j in range(*i.indices(len(self._hits)))]
        if i < 0:
            i += len(self._hits)
        if not 0 <= i < len(self._hits):
            raise IndexError(i)
        return self._candidate(i)

    def __iter__(self) -> Iterator[Candidate]:
        for i in range(len(self._hits)):
            yield self._candidate(i)


def _plan_stems(plan: QueryPlan) -> list[str]:
    stems: list[str] = []
    for unit in plan.units:
        for word in unit.words:
            stems.append(word.stem)
            stems.extend(word.parts)
            stems.extend(word.corrections)
        for synonym in unit.synonyms:
            stems.extend(synonym)
    return list(dict.fromkeys(s for s in stems if s))


def _first_word(low: str, stem: str, tries: int = 200) -> int:
    """Where the first word of the lower-cased text with this stem starts, or -1 (also when
    ``tries`` occurrences of the stem were not it). Words that merely start with it
    ("anmälningsskyldighet" for "anmäl") and words that contain it are skipped."""
    at = low.find(stem)
    while at >= 0 and tries > 0:
        tries -= 1
        if at == 0 or not low[at - 1].isalnum():
            end = at + len(stem)
            while end < len(low) and low[end].isalnum():
                end += 1
            if analysed_stems(low[at:end]) == [stem]:
                return at
        at = low.find(stem, at + 1)
    return -1


def _windows(text: str, stems: Sequence[str]) -> str:
    """The parts of a long text around the first word with each stem (the SNIPPET_WINDOWS
    earliest), joined by " … "; the text's beginning when none is found."""
    low = text.lower()
    spans: list[tuple[int, int]] = []
    before, after = SNIPPET_CONTEXT
    if len(low) == len(text):  # else offsets would not match (rare letters change length)
        for stem in stems:
            at = _first_word(low, stem)
            if at >= 0:
                spans.append((max(0, at - before), at + len(stem) + after))
    spans = sorted(spans)[:SNIPPET_WINDOWS] or [(0, SNIPPET_SCAN_CHARS)]
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts = []
    for start, end in merged:
        # Whole words only: from the first space after the cut, up to the last space before it.
        if start > 0:
            space = text.find(" ", start, start + 40)
            start = space + 1 if space >= 0 else start
        if end < len(text):
            space = text.rfind(" ", end - 40, end)
            end = space if space > start else end
        parts.append(text[start:end])
    return " … ".join(parts)


def _mark(snippet: tantivy.Snippet) -> str:
    """The fragment, HTML-escaped, with <mark> around the highlighted ranges (byte offsets)."""
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if not ranges:
        return ""
    raw = snippet.fragment().encode("utf-8")
    out: list[str] = []
    at = 0
    for start, end in ranges:
        out.append(html.escape(raw[at:start].decode("utf-8", "ignore")))
        out.append("<mark>" + html.escape(raw[start:end].decode("utf-8", "ignore")) + "</mark>")
        at = end
    out.append(html.escape(raw[at:].decode("utf-8", "ignore")))
    return "".join(out).strip()
