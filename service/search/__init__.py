"""Search: the index seam (``SearchIndex``), its tantivy backend, Swedish analysis, concept
expansion, facets, suggestions and the search-gap log.

``SearchService`` keeps the index a projection of the store: ``refresh`` (start-up, after a
load) reconciles all of it by fingerprint, ``update_items``/``update_source`` re-project only
what a write touched. ``open_index`` is the one place a backend is chosen.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pyoxigraph import Literal

from service.config import Settings
from service.errors import InvalidParameter
from service.quality.findings import Finding
from service.queries import load_query
from service.search.analysis import QueryPlan, edits, plan_query, stems, words
from service.search.concepts import Concept, Thesaurus
from service.search.documents import SearchDocument, build_documents, gc_paused, with_values
from service.search.facets import (
    FRESHNESS_VALUES,
    NATIONAL,
    SEARCH_FACETS,
)
from service.search.gaps import SearchGapLog
from service.search.index import Candidate, IndexDocument, SearchIndex, SearchQuery
from service.search.projection import (
    FACET_SCHEMES,
    TEXT_DISPLAY_LEVELS,
    facet_concepts,
    project,
)
from service.search.suggest import Entry, Suggester
from service.search.tantivy_index import TantivySearchIndex
from service.store.base import Store
from service.terms import KSV
from service.vocabulary import Vocabulary

__all__ = [
    "DriftReport",
    "SearchDocument",
    "SearchIndex",
    "SearchQuery",
    "SearchService",
    "check_index",
    "index_findings",
    "open_gap_log",
    "open_index",
]

KIND_BOOST = {"product": 1.1, "recommendation": 1.05, "section": 1.0, "supplement": 1.0}
# Overdue items stay findable but rank lower (DOMAIN R6).
OVERDUE_FACTOR = 0.7
# In a region's context its own supplements are what the user asked for.
OWN_REGION_BOOST = 1.15
# Relevance ranking re-scores at least this many of the index's best candidates, the same
# number for every page: a window that grew with the page re-ranked a different pool per
# page, so boosted items moved between pages (repeated on one, missing from another).
RERANK_WINDOW = 500
MAX_RESULT_WINDOW = 10_000
# Queries of this many units that find nothing with every unit required are run again with
# any unit matching.
OR_FALLBACK_UNITS = 3


def open_index(settings: Settings) -> SearchIndex:
    """The search index backend named by the settings: tantivy, on disk under the data
    directory for the on-disk store, in RAM for the in-memory store."""
    cache = settings.search_facet_cache_size
    if settings.store == "memory":
        return TantivySearchIndex(facet_cache_size=cache)
    return TantivySearchIndex(
        settings.search_index_dir or settings.data_dir / "search-index", facet_cache_size=cache
    )


@dataclass
class DriftReport:
    """Store vs index: public items missing from the index, indexed items that should not be
    there (gone, withdrawn, unapproved), and items indexed from an older version."""

    indexed: int = 0
    expected: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "indexed": self.indexed,
            "expected": self.expected,
            "missing": self.missing,
            "extra": self.extra,
            "stale": self.stale,
        }


class SearchService:
    """Search over the store's public content, with labelled facets.

    >>> from service.store import OxigraphStore
    >>> service = SearchService(TantivySearchIndex())
    >>> service.refresh(OxigraphStore())
    >>> service.search(SearchQuery(text="astma"))["total"]
    0
    """

    def __init__(self, index: SearchIndex, gaps: SearchGapLog | None = None) -> None:
        self.index = index
        self.vocabulary = Vocabulary({})
        self.thesaurus = Thesaurus()
        self.documents: dict[str, SearchDocument] = {}
        self.source_titles: dict[str, str] = {}
        self.content_schemes: set[str] = set()
        self.suggester = Suggester()
        self.gaps = gaps or SearchGapLog()
        self._vocab_words: set[str] = set()
        self._lock = threading.RLock()

    # --- keeping the index in step with the store ------------------------------------------

    def refresh(self, store: Store, *, vocabulary_changed: bool = True) -> None:
        """Re-read everything from the store and reconcile the index (only documents whose
        fingerprint differs are written). Content writes pass ``vocabulary_changed=False``:
        the concepts (~100,000 with the terminologies loaded) are then reused."""
        with self._lock, gc_paused():
            if vocabulary_changed or not len(self.thesaurus):
                self.vocabulary = Vocabulary.from_store(store)
                self.thesaurus = Thesaurus.from_store(store)
            documents = build_documents(store, self.vocabulary)
            self.documents = {d.identifier: d for d in documents}
            self.source_titles = {d.source_key: d.source_title for d in documents}
            self._prepare_concepts()
            self.index.sync(self.projected())
            self._rebuild_suggestions()

    def refresh_vocabulary(self, store: Store) -> None:
        """Read the concepts (labels, hierarchy) again, without touching the index."""
        with self._lock:
            self.vocabulary = Vocabulary.from_store(store)
            self.thesaurus = Thesaurus.from_store(store)

    def reindex(self, store: Store) -> int:
        """Rebuild the index from nothing (``kunskapsgraf reindex``); returns its size."""
        with self._lock:
            self.index.clear()
            self.refresh(store)
            return self.index.document_count()

    def projected(self) -> list[IndexDocument]:
        """What the index should hold: every public document, projected."""
        return [project(d, self.thesaurus) for d in self.documents.values() if d.public]

    def update_items(self, store: Store, iris: Iterable[str]) -> int:
        """Re-project some items (and their parts, which inherit from them) after a write;
        items gone from the store or no longer public leave the index. Returns how many
        documents were re-read."""
        wanted = set(iris)
        if not wanted:
            return 0
        rows = store.select(with_values(load_query("search-item-parts"), "item", sorted(wanted)))
        wanted |= {row["part"].value for row in rows}
        with self._lock:
            fresh = build_documents(store, self.vocabulary, wanted)
            found = {d.iri for d in fresh}
            by_iri = {d.iri: d for d in self.documents.values() if d.iri in wanted}
            gone = [d.identifier for iri, d in by_iri.items() if iri not in found]
            for identifier in gone:
                self.documents.pop(identifier, None)
            for d in fresh:
                self.documents[d.identifier] = d
                self.source_titles.setdefault(d.source_key, d.source_title)
            public = [d for d in fresh if d.public]
            hidden = [d.identifier for d in fresh if not d.public]
            self.index.delete(gone + hidden)
            self.index.upsert([project(d, self.thesaurus) for d in public])
            self.suggester.add(self._title_entries(public))
        return len(fresh)

    def update_source(self, store: Store, source_key: str) -> int:
        """Re-project every item of one source (after its approval changed)."""
        rows = store.select(load_query("search-source-items"), {"key": Literal(source_key)})
        iris = {row["item"].value for row in rows}
        iris |= {d.iri for d in self.documents.values() if d.source_key == source_key}
        return self.update_items(store, iris)

    def drift(self, store: Store | None = None) -> DriftReport:
        """Compare the index with what it should hold (re-read from ``store`` when given)."""
        with self._lock:
            if store is not None:
                documents = build_documents(store, self.vocabulary)
                expected = {
                    d.identifier: project(d, self.thesaurus).fingerprint
                    for d in documents
                    if d.public
                }
            else:
                expected = {d.identifier: d.fingerprint for d in self.projected()}
            have = self.index.fingerprints()
        return DriftReport(
            indexed=len(have),
            expected=len(expected),
            missing=sorted(i for i in expected if i not in have),
            extra=sorted(i for i in have if i not in expected),
            stale=sorted(i for i, fp in expected.items() if i in have and have[i] != fp),
        )

    def _prepare_concepts(self) -> None:
        # Distinct concepts first: 100,000 documents name a few thousand.
        iris: set[str] = set()
        for d in self.documents.values():
            iris.update(d.subjects)
            iris.update(facet_concepts(d))
        schemes: set[str] = set()
        for iri in iris:
            concept = self.thesaurus.get(iri)
            if concept is not None and concept.scheme:
                schemes.add(concept.scheme)
        if schemes != self.thesaurus.labelled_schemes:
            self.content_schemes = schemes
            self.thesaurus.index_labels(stems, schemes)
            self._vocab_words = {
                w
                for c in self.thesaurus.concepts.values()
                if c.scheme in schemes
                for label in c.labels()
                for w in words(label)
            }

    # --- suggestions ---------------------------------------------------------------------

    def _title_entries(self, documents: Iterable[SearchDocument]) -> list[Entry]:
        weights = {"product": 3.0, "recommendation": 2.0, "section": 1.0, "supplement": 1.0}
        return [
            Entry("title", d.title, d.identifier, None, None, weights.get(d.kind, 1.0))
            for d in documents
            if d.title
        ]

    def _rebuild_suggestions(self) -> None:
        counts: Counter[str] = Counter()
        public = [d for d in self.documents.values() if d.public]
        for d in public:
            counts.update({*d.subjects, *facet_concepts(d)})
        entries: list[Entry] = []
        for iri, n in counts.items():
            concept = self.thesaurus.get(iri)
            if concept is None:
                continue
            weight = 2.0 + math.log1p(n)
            for label in concept.labels():
                entries.append(
                    Entry("concept", label, concept.id, concept.notation, _scheme(concept), weight)
                )
            if any(ch.isdigit() for ch in concept.notation):
                entries.append(
                    Entry(
                        "concept",
                        f"{concept.notation} {concept.sv}",
                        concept.id,
                        concept.notation,
                        _scheme(concept),
                        weight,
                    )
                )
        # One title suggestion per distinct title: the most prominent item carrying it.
        best: dict[str, Entry] = {}
        for entry in self._title_entries(public):
            key = entry.label.casefold()
            if key not in best or entry.weight > best[key].weight:
                best[key] = entry
        entries.extend(best.values())
        self.suggester.rebuild(entries)

    def suggest(self, text: str, limit: int = 10) -> dict[str, Any]:
        """Concepts and titles for what was typed so far (the API's suggest response)."""

        def allowed(entry: Entry) -> bool:
            if entry.kind != "title":
                return True
            doc = self.documents.get(entry.id)
            return doc is not None and doc.public

        return {"query": text, "suggestions": self.suggester.suggest(text, limit, allowed)}

    # --- validation and labels -----------------------------------------------------------

    def facet_values(self, facet: str) -> set[str]:
        """Every value a facet can take (for validating filters)."""
        if facet == "source":
            return set(self.source_titles)
        if facet == "freshness":
            return set(FRESHNESS_VALUES)
        if facet == "concept":
            return set(self.thesaurus.by_id)
        scheme = FACET_SCHEMES[facet]
        return {c.notation for c in self.vocabulary.in_scheme(KSV + scheme)}

    def validate(self, query: SearchQuery) -> None:
        """Reject unknown facet values and regions with the list of valid ones."""
        for name, wanted in query.filters.items():
            if name not in {f.name for f in SEARCH_FACETS}:
                raise InvalidParameter(
                    f"Okänd facett: {name}.", f"Unknown facet: {name}.", parameter=name
                )
            known = self.facet_values(name)
            unknown = sorted(wanted - known)
            if unknown:
                bad = ", ".join(unknown)
                if name == "concept":
                    raise InvalidParameter(
                        f"Okänt begrepp: {bad}. Ange begrepp som schema:notation, t.ex. "
                        "icd-10-se:J45.",
                        f"Unknown concept: {bad}. Give concepts as scheme:notation, e.g. "
                        "icd-10-se:J45.",
                        parameter=name,
                        unknown=unknown,
                    )
                valid = sorted(known)
                good = ", ".join(valid)
                raise InvalidParameter(
                    f"Okänt värde för {name}: {bad}. Giltiga värden: {good}.",
                    f"Unknown value for {name}: {bad}. Valid values: {good}.",
                    parameter=name,
                    unknown=unknown,
                    valid=valid,
                )
        if query.region is not None and query.region not in self.facet_values("region"):
            valid = sorted(self.facet_values("region") - {NATIONAL})
            raise InvalidParameter(
                f"Okänd region: {query.region}. Ange en länskod: {', '.join(valid)}.",
                f"Unknown region: {query.region}. Give a county code: {', '.join(valid)}.",
                parameter="region",
                valid=valid,
            )
        if query.offset + query.limit > MAX_RESULT_WINDOW:
            raise InvalidParameter(
                f"Sökningen kan bläddra högst {MAX_RESULT_WINDOW} träffar djupt.",
                f"Search pages reach at most {MAX_RESULT_WINDOW} results deep.",
                parameter="offset",
                maximum=MAX_RESULT_WINDOW,
            )

    def label(self, facet: str, value: str) -> dict[str, str]:
        if facet == "source":
            title = self.source_titles.get(value, value)
            return {"sv": title, "en": title}
        if facet == "freshness":
            sv, en = FRESHNESS_VALUES.get(value, (value, value))
            return {"sv": sv, "en": en}
        if facet == "concept":
            found = self.thesaurus.get(value) or self.thesaurus.by_id.get(value)
            return {"sv": found.sv, "en": found.en} if found else {"sv": value, "en": value}
        concept = self.vocabulary.get(f"{KSV}{FACET_SCHEMES[facet]}/{value}")
        return {"sv": concept.sv, "en": concept.en}

    def concept(self, facet: str, value: str) -> dict[str, object]:
        return self.vocabulary.get(f"{KSV}{FACET_SCHEMES[facet]}/{value}").as_json()

    # --- searching -----------------------------------------------------------------------

    def known_word(self, word: str) -> bool:
        return word in self._vocab_words or self.index.word_frequency(word) > 0

    def plan(self, text: str) -> QueryPlan:
        return plan_query(
            text,
            self.thesaurus,
            self.known_word,
            self.content_schemes,
            self.index.word_frequency,
        )

    def search(self, query: SearchQuery, *, page: int | None = None) -> dict[str, Any]:
        """Run a query; the result is JSON-ready (the API's ``SearchResponse``). With
        ``page`` (1-based, ``query.limit`` per page) a page past the last is an error."""
        self.validate(query)
        plan = self.plan(query.text)
        index_query = query
        if "concept" in query.filters:
            iris = frozenset(self.thesaurus.by_id[v].iri for v in query.filters["concept"])
            index_query = replace(query, filters={**query.filters, "concept": iris})
        window = max(RERANK_WINDOW, query.offset + query.limit)
        result = self.index.search(plan, index_query, window)
        if result.total == 0 and len(plan.units) >= OR_FALLBACK_UNITS:
            # A long question rarely has every word in one item: rank by any of them.
            plan = replace(plan, conjunctive=False)
            result = self.index.search(plan, index_query, window)
        pages = max(1, math.ceil(result.total / query.limit))
        if page is not None and page > pages:
            raise InvalidParameter(
                f"Sidan {page} finns inte: sökningen har {pages} sidor.",
                f"Page {page} does not exist: the search has {pages} pages.",
                parameter="page",
                pages=pages,
            )
        hits = self._rank(result.candidates, query)
        snippets = self.index.snippets(
            plan,
            {d.identifier: d.body for _, d in hits if _shows_text(d)},
        )
        items = []
        for score, doc in hits:
            summary = self.summary(doc, query.today)
            summary["score"] = round(score, 3)
            summary["snippet"] = snippets.get(doc.identifier)
            summary["regional"] = query.region is not None and query.region in doc.facets.get(
                "region", ()
            )
            items.append(summary)
        body: dict[str, Any] = {
            "query": query.text,
            "total": result.total,
            "offset": query.offset,
            "limit": query.limit,
            "page": query.offset // query.limit + 1,
            "size": query.limit,
            "pages": pages,
            "sort": query.sort,
            "region": query.region,
            "items": items,
            "facets": self._facets(result.facets, query),
            "concepts": [self._concept_ref(iri) for iri in dict.fromkeys(plan.concepts)],
            "matchedAll": plan.conjunctive,
            "suggestions": None,
        }
        if result.total == 0 and query.text.strip():
            body["suggestions"] = self._zero_result_suggestions(plan)
        return body

    def _rank(
        self, candidates: Sequence[Candidate], query: SearchQuery
    ) -> list[tuple[float, SearchDocument]]:
        """The requested page of the candidates (best first) with the boosts applied. Only
        candidates that a boost could lift into the page are looked at: a candidate whose
        score, boosted as much as possible, stays below the page's last candidate boosted as
        little as possible cannot reach the page, whatever the others' boosts are."""
        documents = self.documents  # read once: an update may replace it meanwhile
        if query.sort != "relevance":
            found = [(c, documents.get(c.identifier)) for c in candidates]
            return [(c.score, d) for c, d in found if d is not None]
        wanted = query.offset + query.limit
        least, most = _boost_bounds(query)
        cut = -math.inf
        resolved: list[tuple[float, SearchDocument]] = []
        for c in candidates:  # best first
            if c.score * most < cut:
                break
            d = documents.get(c.identifier)
            if d is None:
                continue
            resolved.append((c.score * self._boost(d, query), d))
            if len(resolved) == wanted:
                cut = c.score * least
        resolved.sort(key=lambda h: (-h[0], h[1].title, h[1].identifier))
        return resolved[query.offset : wanted]

    def _boost(self, doc: SearchDocument, query: SearchQuery) -> float:
        factor = KIND_BOOST.get(doc.kind, 1.0)
        if doc.review_status(query.today) == "granskning-forsenad":
            factor *= OVERDUE_FACTOR
        if query.region is not None and query.region in doc.facets.get("region", ()):
            factor *= OWN_REGION_BOOST
        return factor

    def _facets(self, counts: Mapping[str, Mapping[str, int]], query: SearchQuery) -> list[Any]:
        blocks = []
        for f in SEARCH_FACETS:
            values = dict(counts.get(f.name, {}))
            selected = set(query.filters.get(f.name, frozenset()))
            if f.name == "concept":
                values = {self._concept_id(iri): n for iri, n in values.items()}
            for value in selected:
                values.setdefault(value, 0)
            ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
            if f.name == "freshness":
                ordered = [(v, values.get(v, 0)) for v in FRESHNESS_VALUES]
            blocks.append(
                {
                    "name": f.name,
                    "label": {"sv": f.label_sv, "en": f.label_en},
                    "values": [
                        {
                            "value": value,
                            "label": self.label(f.name, value),
                            "count": count,
                            "selected": value in selected,
                        }
                        for value, count in ordered
                    ],
                }
            )
        return blocks

    def _concept_id(self, iri: str) -> str:
        concept = self.thesaurus.get(iri)
        return concept.id if concept else iri

    def _concept_ref(self, iri: str) -> dict[str, Any]:
        concept = self.thesaurus.get(iri) or Concept(iri)
        return {
            "id": concept.id,
            "iri": iri,
            "notation": concept.notation or None,
            "scheme": _scheme(concept),
            "label": {"sv": concept.sv, "en": concept.en},
        }

    def _zero_result_suggestions(self, plan: QueryPlan) -> dict[str, list[Any]]:
        """Spelling alternatives for unknown words and concepts whose labels start like the
        query's words."""
        spelling: list[str] = []
        corrected: list[str] = []
        changed = False
        for unit in plan.units:
            for word in unit.words:
                if self.known_word(word.text) or len(word.text) < 3:
                    corrected.append(word.text)
                    continue
                best = max(
                    ((self.index.word_frequency(e), e) for e in edits(word.text)),
                    default=(0, ""),
                )
                if best[0] > 0:
                    corrected.append(best[1])
                    changed = True
                else:
                    corrected.append(word.text)
        if changed:
            spelling.append(" ".join(corrected))
        concepts: list[dict[str, Any]] = []
        seen: set[str] = set()
        for unit in plan.units:
            for word in unit.words:
                for s in self.suggester.suggest(word.text[:4], 5):
                    if s["kind"] == "concept" and s["id"] not in seen:
                        seen.add(str(s["id"]))
                        concept = self.thesaurus.by_id.get(str(s["id"]))
                        if concept is not None:
                            concepts.append(self._concept_ref(concept.iri))
        return {"spelling": spelling, "concepts": concepts[:10]}

    def search_gaps(self, limit: int = 100) -> list[dict[str, Any]]:
        """Logged zero-result and low-click queries, each with candidate concepts that an
        information architect could give the query as a synonym."""
        out = []
        for text, reason, stats in self.gaps.gaps(limit):
            plan = self.plan(text)
            candidates = self._zero_result_suggestions(plan)
            out.append(
                {
                    "query": text,
                    "reason": reason,
                    "searches": stats.searches,
                    "zeroResults": stats.zero_results,
                    "clicks": stats.clicks,
                    "lastSeen": stats.last_seen,
                    "candidateConcepts": [
                        self._concept_ref(iri) for iri in dict.fromkeys(plan.concepts)
                    ]
                    + candidates["concepts"],
                    "spelling": candidates["spelling"],
                }
            )
        return out

    def summary(self, doc: SearchDocument, today: dt.date) -> dict[str, Any]:
        """The short form of an item used in result lists."""

        def labelled(facet: str) -> list[dict[str, Any]]:
            return [self.concept(facet, v) for v in doc.facets.get(facet, ())]

        content_types = labelled("contentType")
        status = doc.review_status(today)
        sv, en = FRESHNESS_VALUES.get(status, (status, status))
        return {
            "id": doc.identifier,
            "iri": doc.iri,
            "kind": doc.kind,
            "title": doc.title,
            # The body stands in for a missing summary only where the source's integration
            # level lets us show its text (a link-only source shows title and link).
            "summary": doc.summary or (_snippet(doc.body) if _shows_text(doc) else ""),
            "url": doc.url,
            "source": {"id": doc.source_key, "title": doc.source_title},
            "contentType": content_types[0] if content_types else None,
            "audience": labelled("audience"),
            "region": None if doc.facets.get("region") == (NATIONAL,) else labelled("region")[0],
            "partOf": doc.parent,
            "supplements": doc.supplements,
            "lastReviewed": doc.last_reviewed.isoformat() if doc.last_reviewed else None,
            "nextReview": doc.next_review.isoformat() if doc.next_review else None,
            "modified": doc.modified,
            "reviewStatus": status,
            "freshness": {
                "value": status,
                "label": {"sv": sv, "en": en},
                "overdue": status == "granskning-forsenad",
            },
            "licence": {"iri": doc.licence, "title": doc.licence_title, "url": doc.licence_url}
            if doc.licence
            else None,
            "attribution": doc.attribution,
        }

    def close(self) -> None:
        self.gaps.save()
        self.index.close()


def _boost_bounds(query: SearchQuery) -> tuple[float, float]:
    """The smallest and the largest factor ``SearchService._boost`` can give in ``query``."""
    least = min(1.0, *KIND_BOOST.values()) * OVERDUE_FACTOR
    most = max(1.0, *KIND_BOOST.values()) * (OWN_REGION_BOOST if query.region else 1.0)
    return least, most


def _scheme(concept: Concept) -> str | None:
    if not concept.scheme:
        return None
    return concept.scheme.rstrip("/").rsplit("/", 1)[-1]


def _shows_text(doc: SearchDocument) -> bool:
    return doc.integration_level in TEXT_DISPLAY_LEVELS or not doc.integration_level


def _snippet(text: str, length: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + " …"


def check_index(store: Store, settings: Settings) -> DriftReport | None:
    """Drift between the store and the persistent search index (for ``kunskapsgraf check``);
    None when the index lives in RAM (memory store: it is built at start-up)."""
    if settings.store == "memory":
        return None
    service = SearchService(open_index(settings))
    try:
        service.refresh_vocabulary(store)
        return service.drift(store)
    finally:
        service.close()


def open_gap_log(settings: Settings) -> SearchGapLog:
    """The search-gap log: kept in the data directory, or only in memory for the memory store."""
    if settings.store == "memory":
        return SearchGapLog()
    return SearchGapLog(settings.data_dir / "search-gaps.json")


def index_findings(store: Store, settings: Settings) -> list[Finding]:
    """``kunskapsgraf check``'s section on the search index: one warning per kind of drift
    (missing, extra, stale), naming up to 20 items; fixed by ``kunskapsgraf reindex``."""
    drift = check_index(store, settings)
    if drift is None:
        return []
    texts = {
        "missing": ("publicerat innehåll saknas i sökindexet", "published items missing"),
        "extra": ("sökindexet har innehåll som inte ska synas", "indexed items not to be shown"),
        "stale": ("sökindexet har en äldre version", "items indexed from an older version"),
    }
    findings = []
    for kind, (sv, en) in texts.items():
        items: list[str] = getattr(drift, kind)
        if items:
            findings.append(
                Finding(
                    rule=f"search-index-{kind}",
                    severity="warning",
                    subject="search-index",
                    message_sv=f"{len(items)} {sv}: kör `kunskapsgraf reindex`.",
                    message_en=f"{len(items)} {en}: run `kunskapsgraf reindex`.",
                    related=tuple(items[:20]),
                    details={"count": len(items)},
                )
            )
    return findings
