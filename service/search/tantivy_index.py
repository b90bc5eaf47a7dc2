"""The search index on tantivy (embedded, in-process; on disk or in RAM).

Text fields use the Swedish analyzer (``analysis.sv_analyzer``), registered on every open
because tantivy stores only its name. Facets are raw fast fields counted with terms
aggregations; freshness is a range aggregation over the next review day, so it follows
today's date without re-indexing.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Query

from service.search.analysis import QueryPlan, Unit, Word, sv_analyzer, word_analyzer
from service.search.facets import (
    CONCEPT_FACET_SIZE,
    FACET_NAMES,
    NATIONAL,
    REVIEW_SOON_DAYS,
)
from service.search.index import Candidate, IndexDocument, IndexResult, SearchQuery

# Bump when the schema or the analysis changes: an on-disk index of another version is rebuilt.
SCHEMA_VERSION = "4"
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
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    sb.add_text_field("concept", fast=True, tokenizer_name="raw")
    sb.add_text_field("direct", tokenizer_name="raw")
    sb.add_text_field("tree", tokenizer_name="raw")
    sb.add_integer_field("next_review", indexed=True, fast=True)
    sb.add_integer_field("modified", indexed=True, fast=True)
    return sb.build()


def _key(identifier: str) -> int:
    return int.from_bytes(hashlib.blake2b(identifier.encode(), digest_size=8).digest(), "big") >> 1


class TantivySearchIndex:
    """``path`` None: in RAM (memory store, tests); otherwise a directory of its own."""

    def __init__(self, path: Path | None = None) -> None:
        self.name = "tantivy" if path is None else f"tantivy:{path}"
        self.path = path
        self.schema = _schema()
        self._write_lock = threading.Lock()
        self._writer: tantivy.IndexWriter | None = None
        self._ids: dict[int, str] = {}
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
            self._writer = self._index.writer(heap_size=100_000_000, num_threads=1)
            # A process killed inside a commit leaves files of the unfinished commit behind;
            # the next commit would then fail on them (FileAlreadyExists "*.del"). Dropping
            # files no commit refers to makes a crashed index writable again.
            self._writer.garbage_collect_files()
        return self._writer

    def _document(self, d: IndexDocument) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("id", d.identifier)
        doc.add_integer("key", _key(d.identifier))
        doc.add_integer("fp", d.fingerprint)
        doc.add_text("title", d.title)
        doc.add_text("alt_titles", d.alt_titles)
        doc.add_text("subjects", d.subjects)
        doc.add_text("summary", d.summary)
        doc.add_text("body", d.body)
        # Surface words of the short fields only: the body is indexed once (stemmed); its
        # words are known through their stems (``word_frequency``).
        doc.add_text("words", " ".join((d.title, d.alt_titles, d.subjects, d.summary)))
        for exact in d.exact:
            doc.add_text("exact", exact)
        for name in FACET_NAMES:
            for value in d.facets.get(name, ()):
                doc.add_text(name, value)
        for iri in d.subject_concepts:
            doc.add_text("concept", iri)
        for iri in d.direct_concepts:
            doc.add_text("direct", iri)
        for iri in d.concept_tree:
            doc.add_text("tree", iri)
        doc.add_integer("next_review", d.next_review if d.next_review is not None else NO_REVIEW)
        doc.add_integer("modified", d.modified)
        return doc

    def _commit(self) -> None:
        writer = self._get_writer()
        writer.commit()
        self._index.reload()

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
            identifier = self._ids.get(int(key or 0)) or self._stored_id(searcher, address)
            result[identifier] = int(fp or 0)
        return result

    @staticmethod
    def _stored_id(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> str:
        return str(searcher.doc(address)["id"][0])

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
        today = query.today.toordinal()
        aggs: dict[str, Any] = {}
        for name in names:
            if name == "freshness":
                aggs[name] = {
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
            elif name == "concept":
                aggs[name] = {"terms": {"field": "concept", "size": CONCEPT_FACET_SIZE}}
            else:
                aggs[name] = {"terms": {"field": name, "size": 100}}
        return aggs

    def search(
        self,
        plan: QueryPlan,
        query: SearchQuery,
        window: int,
        facets: bool = True,
    ) -> IndexResult:
        """``query.filters["concept"]`` holds concept IRIs here (the service maps ids)."""
        searcher = self._index.searcher()
        text = self.text_query(plan)
        filters = self._filters(query)
        full = self._combine(text, filters, None)
        if query.sort == "date":
            result = searcher.search(
                full,
                limit=query.limit,
                count=True,
                order_by_field="modified",
                offset=query.offset,
                order=tantivy.Order.Desc,
            )
        else:
            result = searcher.search(full, limit=window, count=True)
        addresses = [a for _, a in result.hits]
        keys = searcher.fast_field_values("key", addresses) if addresses else []
        candidates = [
            Candidate(
                self._ids.get(int(k or 0)) or self._stored_id(searcher, a),
                float(score) if query.sort != "date" else 0.0,
            )
            for (score, a), k in zip(result.hits, keys, strict=True)
        ]
        counts: dict[str, dict[str, int]] = {}
        if facets:
            names = [*FACET_NAMES, "concept", "freshness"]
            unfiltered = [n for n in names if n not in filters]
            if unfiltered:
                counts.update(
                    _buckets(searcher.aggregate(full, self._aggregations(unfiltered, query)))
                )
            for name in names:
                if name in filters:
                    own = self._combine(text, filters, name)
                    counts.update(
                        _buckets(searcher.aggregate(own, self._aggregations([name], query)))
                    )
        total = int(getattr(result, "count", 0) or 0)  # not in the type stub
        return IndexResult(total=total, candidates=candidates, facets=counts)

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
            snippet = generator.snippet_from_doc(tantivy.Document(body=[text]))
            marked = _mark(snippet)
            if marked:
                found[identifier] = marked
        return found


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


def _buckets(aggregation: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for name, body in aggregation.items():
        result[name] = {
            str(b["key"]): int(b["doc_count"])
            for b in body.get("buckets", [])
            if int(b["doc_count"]) > 0
        }
    return result
