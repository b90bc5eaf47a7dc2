"""The in-memory search index: matching, ranking, facets and visibility."""

from __future__ import annotations

import datetime as dt

from service.search.analysis import tokens
from service.search.documents import SearchDocument
from service.search.index import MemorySearchIndex, SearchQuery


def doc(identifier: str, title: str, **kw: object) -> SearchDocument:
    facets = {
        "source": (identifier.split(":")[0],),
        "region": kw.pop("region", ("nationell",)),
        "audience": kw.pop("audience", ("lakare",)),
    }
    defaults: dict[str, object] = {
        "approval_status": "godkand",
        "lifecycle": "gallande",
        "kind": "product",
    }
    return SearchDocument(
        iri="https://kunskapsgraf.se/id/item/" + identifier.replace(":", "/"),
        identifier=identifier,
        title=title,
        facets=facets,  # type: ignore[arg-type]
        **(defaults | kw),  # type: ignore[arg-type]
    )


def index(*docs: SearchDocument) -> MemorySearchIndex:
    idx = MemorySearchIndex()
    idx.rebuild(docs)
    return idx


def ids(idx: MemorySearchIndex, **query: object) -> list[str]:
    return [h.document.identifier for h in idx.search(SearchQuery(**query)).hits]  # type: ignore[arg-type]


def test_tokens_keep_swedish_letters_and_codes() -> None:
    assert tokens("Hjärtsvikt – ÅTGÄRDER vid J45.0") == ["hjärtsvikt", "åtgärder", "vid", "j45.0"]


def test_all_words_must_match_and_prefixes_find_inflections() -> None:
    idx = index(
        doc("a:1", "Behandling av hjärtsvikt"),
        doc("a:2", "Hjärtsviktens utredning"),
        doc("a:3", "Behandling av astma"),
    )
    assert sorted(ids(idx, text="hjärtsvikt")) == ["a:1", "a:2"]
    assert ids(idx, text="behandling hjärtsvikt") == ["a:1"]
    assert ids(idx, text="åtgärd") == []


def test_title_match_ranks_above_body_match() -> None:
    idx = index(
        doc("a:1", "Ont i magen", body="Kan bero på astma hos barn."),
        doc("a:2", "Astma"),
    )
    assert ids(idx, text="astma") == ["a:2", "a:1"]


def test_overdue_review_ranks_lower_than_current() -> None:
    today = dt.date(2026, 11, 26)
    idx = index(
        doc("a:1", "Astma", next_review=dt.date(2020, 1, 1)),
        doc("a:2", "Astma", next_review=dt.date(2028, 1, 1)),
    )
    assert ids(idx, text="astma", today=today) == ["a:2", "a:1"]


def test_unapproved_and_withdrawn_documents_are_not_indexed() -> None:
    idx = index(
        doc("a:1", "Astma"),
        doc("b:1", "Astma", approval_status="under-bedomning"),
        doc("c:1", "Astma", lifecycle="tillbakadragen"),
    )
    assert ids(idx, text="astma") == ["a:1"]
    assert idx.document_count() == 1


def test_facet_counts_ignore_their_own_filter() -> None:
    idx = index(
        doc("a:1", "Astma", audience=("lakare",)),
        doc("a:2", "Astma", audience=("sjukskoterska",)),
        doc("b:1", "Astma", audience=("lakare",)),
    )
    result = idx.search(SearchQuery(text="astma", filters={"audience": frozenset({"lakare"})}))
    assert result.total == 2
    assert result.facets["audience"] == {"lakare": 2, "sjukskoterska": 1}
    assert result.facets["source"] == {"a": 1, "b": 1}


def test_region_context_keeps_national_and_that_regions_items() -> None:
    idx = index(
        doc("a:1", "Astma"),
        doc("r12:1", "Astma i Skåne", region=("12",), kind="supplement"),
        doc("r14:1", "Astma i VGR", region=("14",), kind="supplement"),
    )
    assert sorted(ids(idx, text="astma", region="12")) == ["a:1", "r12:1"]
    assert len(ids(idx, text="astma")) == 3


def test_empty_query_lists_everything_by_title() -> None:
    idx = index(doc("a:2", "B"), doc("a:1", "A"))
    assert ids(idx) == ["a:1", "a:2"]
