"""The search contract, run against every index implementation and configuration (tantivy in
RAM and on disk): each Swedish analysis rule, expansion, ranking, scope, facets, paging and
keeping the index in step with the store, over the small corpus in ``fixture.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from service.search import SearchQuery, SearchService
from service.search.analysis import plan_query
from service.search.concepts import Thesaurus
from service.search.facets import NATIONAL
from service.search.index import IndexDocument, SearchIndex
from service.search.tantivy_index import TantivySearchIndex
from service.store import Store
from tests.search.fixture import fixture_store

TODAY = dt.date(2026, 11, 26)
KS = "https://kunskapsgraf.se/ont/"
KSV = "https://kunskapsgraf.se/vocab/"

Factory = Callable[[Path], SearchIndex]
IMPLEMENTATIONS: dict[str, Factory] = {
    "tantivy-ram": lambda _: TantivySearchIndex(),
    "tantivy-disk": lambda tmp: TantivySearchIndex(tmp / "index"),
    # Facet counts are cached per query; without the cache every answer must be the same.
    "tantivy-uncached": lambda _: TantivySearchIndex(facet_cache_size=0),
    # Facets counted in one job (as for narrow queries) or in two (broad ones), whatever the
    # query: the counts must not depend on it.
    "tantivy-one-job": lambda _: TantivySearchIndex(facet_cache_size=0, broad_share=2.0),
    "tantivy-two-jobs": lambda _: TantivySearchIndex(facet_cache_size=0, broad_share=-1.0),
}


@pytest.fixture(params=sorted(IMPLEMENTATIONS), scope="module")
def factory(request: pytest.FixtureRequest) -> Factory:
    return IMPLEMENTATIONS[request.param]


@pytest.fixture(scope="module")
def service(factory: Factory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    """Read-only: one service over the fixture corpus per implementation."""
    searcher = SearchService(factory(tmp_path_factory.mktemp("idx")))
    searcher.refresh(fixture_store())
    yield searcher
    searcher.close()


@pytest.fixture
def writable(factory: Factory, tmp_path: Path) -> Iterator[tuple[SearchService, Store]]:
    store = fixture_store()
    searcher = SearchService(factory(tmp_path))
    searcher.refresh(store)
    yield searcher, store
    searcher.close()


def run(service: SearchService, text: str = "", **kw: Any) -> dict[str, Any]:
    kw.setdefault("today", TODAY)
    kw.setdefault("limit", 20)
    result: dict[str, Any] = service.search(SearchQuery(text=text, **kw))
    return result


def ids(service: SearchService, text: str = "", **kw: Any) -> list[str]:
    return [i["id"] for i in run(service, text, **kw)["items"]]


def facet(result: dict[str, Any], name: str) -> dict[str, int]:
    block = next(f for f in result["facets"] if f["name"] == name)
    return {v["value"]: v["count"] for v in block["values"]}


# --- Swedish analysis ---------------------------------------------------------------------


def test_stemming_finds_inflected_forms(service: SearchService) -> None:
    assert "a:hjartsvikt-behandling" in ids(service, "hjärtsvikten")


def test_a_compound_finds_its_parts_written_apart(service: SearchService) -> None:
    assert ids(service, "hjärtsviktsbehandling") == ["a:hjartsvikt-behandling"]


def test_swedish_letters_are_not_folded(service: SearchService) -> None:
    # 'a' is not 'ä': "hjartsvikt" is an unknown word, found only as one typo away.
    word = service.plan("hjartsvikt").units[0].words[0]
    assert word.corrections == ("hjärtsvik",)
    assert service.index.word_frequency("hjartsvikt") == 0
    assert service.index.word_frequency("hjärtsvikt") == 2


def test_abbreviation_from_alt_label_finds_the_concept_items(service: SearchService) -> None:
    result = run(service, "KOL")
    assert [i["id"] for i in result["items"]] == ["a:kol"]
    assert [c["id"] for c in result["concepts"]] == ["icd-10-se:J44"]


def test_hidden_label_abbreviation(service: SearchService) -> None:
    # The item text says neither "UVI" nor "urinvägsinfektion": only its concept does.
    assert ids(service, "UVI") == ["a:urinvag"]


def test_synonyms_work_both_ways(service: SearchService) -> None:
    assert ids(service, "myokardinfarkt") == ["a:infarkt"]
    assert ids(service, "hjärtinfarkt") == ["a:infarkt"]


def test_codes_as_queries_find_tagged_items(service: SearchService) -> None:
    assert ids(service, "N02BE01") == ["a:feber"]
    assert set(ids(service, "j45")) >= {"a:astma", "a:astma-barn"}


def test_one_typo_in_a_long_word_is_tolerated(service: SearchService) -> None:
    assert ids(service, "diabetis")[0] == "a:diabetes"
    assert "a:astma" in ids(service, "astmma")


def test_short_words_get_no_typo_tolerance(service: SearchService) -> None:
    assert ids(service, "kox") == []


# --- concept expansion and ranking ------------------------------------------------------------


def test_a_concept_query_includes_narrower_concepts(service: SearchService) -> None:
    # "Pollenallergi och luftvägar" is tagged J45.0 (narrower than J45) and never says astma.
    found = ids(service, "J45")
    assert "a:pollen" in found
    assert found.index("a:astma") < found.index("a:pollen")  # direct tags first


def test_exact_title_match_ranks_first(service: SearchService) -> None:
    assert ids(service, "astma")[0] == "a:astma"


def test_overdue_items_rank_lower_and_are_flagged(service: SearchService) -> None:
    result = run(service, "astma")
    order = [i["id"] for i in result["items"]]
    assert order.index("a:astma") < order.index("a:astma-gammal")
    old = next(i for i in result["items"] if i["id"] == "a:astma-gammal")
    assert old["freshness"]["overdue"] is True
    assert old["reviewStatus"] == "granskning-forsenad"


def test_snippets_mark_the_query_words(service: SearchService) -> None:
    item = run(service, "inhalationssteroider")["items"][0]
    assert "<mark>inhalationssteroider</mark>" in item["snippet"]


def test_results_carry_licence_and_attribution(service: SearchService) -> None:
    item = run(service, "diabetes")["items"][0]
    assert item["licence"]["title"] == "CC BY 4.0"
    assert item["attribution"] == "Källa: A."


# --- scope ------------------------------------------------------------------------------


def test_unapproved_sources_and_withdrawn_items_are_not_found(service: SearchService) -> None:
    found = ids(service, "astma", limit=100)
    assert "b:astma" not in found
    assert "a:tillbaka" not in found


def test_region_context_adds_and_marks_that_regions_supplements(service: SearchService) -> None:
    skane = run(service, "astma", region="12")["items"]
    marked = {i["id"]: i["regional"] for i in skane}
    assert marked["r12:astma-skane"] is True
    assert marked["a:astma"] is False
    assert "r12:astma-skane" not in ids(service, "astma", region="14")


# --- facets, paging, sorting ------------------------------------------------------------


def test_multi_select_facet_counts_ignore_their_own_filter(service: SearchService) -> None:
    everything = run(service, "astma")
    only = run(service, "astma", filters={"audience": frozenset({"sjukskoterska"})})
    assert [i["id"] for i in only["items"]] == ["a:astma-barn"]
    assert facet(only, "audience") == facet(everything, "audience")
    # Other facets are counted within the filter.
    assert facet(only, "source") == {"a": 1}


def test_freshness_facet_and_filter(service: SearchService) -> None:
    result = run(service, "astma")
    counts = facet(result, "freshness")
    assert counts["granskning-forsenad"] == 1 and counts["granskning-snart"] == 1
    overdue = ids(service, "astma", filters={"freshness": frozenset({"granskning-forsenad"})})
    assert overdue == ["a:astma-gammal"]


def test_concept_facet_and_filter_include_narrower(service: SearchService) -> None:
    result = run(service, "")
    assert facet(result, "concept")["icd-10-se:J45"] == 2
    found = ids(service, "", filters={"concept": frozenset({"icd-10-se:J45"})})
    assert set(found) == {"a:astma", "a:astma-barn", "a:pollen"}


def test_a_long_text_gets_its_snippet_where_the_query_words_are(service: SearchService) -> None:
    # Long texts (statutes run to 70 kB) are cut to windows around the query's words before
    # the snippet is made; the words may be anywhere, also at the very end.
    filler = "Texten handlar här om något helt annat än det som söks. " * 500
    texts = {
        "mitten": filler + "Vid astma hos vuxna ges behandlingen i steg. " + filler,
        "slutet": filler * 2 + "Sist nämns inhalationssteroider",
        "utan": filler * 2,
    }
    snippets = service.index.snippets(service.plan("astma inhalationssteroider"), texts)
    assert set(snippets) == {"mitten", "slutet"}  # none where no word of the query occurs
    assert "<mark>astma</mark> hos vuxna" in snippets["mitten"]
    assert snippets["slutet"].endswith("Sist nämns <mark>inhalationssteroider</mark>")
    assert all(len(s) < 400 for s in snippets.values())


def test_sections_inherit_their_products_facets(service: SearchService) -> None:
    section = run(service, "SGLT2-hämmare")["items"][0]
    assert section["id"] == "a:diabetes.behandling" and section["partOf"] == "a:diabetes"
    assert [a["id"] for a in section["audience"]] == ["lakare"]


def test_paging_without_overlap_and_date_sort(service: SearchService) -> None:
    first = ids(service, "", limit=4)
    second = ids(service, "", limit=4, offset=4)
    assert len(first) == 4 and not set(first) & set(second)
    newest = ids(service, "", sort="date", limit=1)
    assert newest == ["a:astma-gammal"]  # modified 2026-06-01, the latest


def _dated(identifier: str, day: dt.date) -> IndexDocument:
    return IndexDocument(
        identifier=identifier,
        fingerprint=1,
        kind="product",
        title=f"Vaccination {identifier}",
        alt_titles="",
        subjects="",
        summary="",
        body="",
        exact=(),
        facets={"source": ("a",), "region": (NATIONAL,)},
        subject_concepts=(),
        direct_concepts=(),
        concept_tree=(),
        next_review=None,
        modified=day.toordinal(),
    )


def test_date_sort_keeps_items_of_one_day_in_order_across_writes(
    factory: Factory, tmp_path: Path
) -> None:
    """Paging by date must not skip or repeat items of the same day when one of them is
    written again (tantivy alone breaks such ties by its internal document order)."""
    index = factory(tmp_path)
    day = dt.date(2026, 10, 1)
    index.upsert([_dated(f"a:v{n}", day) for n in range(6)] + [_dated("a:new", TODAY)])
    query = SearchQuery(sort="date", limit=10, today=TODAY)
    plan = plan_query("", Thesaurus(), lambda _: False)

    def order() -> list[str]:
        return [c.identifier for c in index.search(plan, query, 10).candidates]

    before = order()
    assert before[0] == "a:new"
    for identifier in before[1:]:
        index.upsert([_dated(identifier, day)])
        assert order() == before


# --- keeping the index in step ----------------------------------------------------------


def test_withdrawing_an_item_updates_only_that_item(
    writable: tuple[SearchService, Store],
) -> None:
    service, store = writable
    item = NamedNode("https://kunskapsgraf.se/id/item/a/diabetes")
    graph = NamedNode("https://kunskapsgraf.se/graph/source/a")
    lifecycle = NamedNode(KS + "lifecycleState")
    store.update(
        f"DELETE {{ GRAPH {graph} {{ {item} {lifecycle} ?s }} }} "
        f"INSERT {{ GRAPH {graph} {{ {item} {lifecycle} <{KSV}lifecycle/tillbakadragen> }} }} "
        f"WHERE {{ GRAPH {graph} {{ {item} {lifecycle} ?s }} }}"
    )
    assert service.drift(store).extra == ["a:diabetes", "a:diabetes.behandling"]
    # The section inherits its product's state: it leaves the index with it.
    assert service.update_items(store, [item.value]) == 2
    assert ids(service, "diabetes") == []
    assert service.drift(store).ok


def test_a_new_item_is_searchable_after_update_items(
    writable: tuple[SearchService, Store],
) -> None:
    service, store = writable
    new = NamedNode("https://kunskapsgraf.se/id/item/a/borrelia")
    graph = NamedNode("https://kunskapsgraf.se/graph/source/a")
    old = NamedNode("https://kunskapsgraf.se/id/item/a/diabetes")
    copied = [
        Quad(new, q.predicate, q.object, graph)
        for q in store.describe([old])
        if q.predicate.value not in (KS + "identifier", KS + "title")
    ]
    copied.append(Quad(new, NamedNode(KS + "identifier"), Literal("a:borrelia"), graph))
    copied.append(Quad(new, NamedNode(KS + "title"), Literal("Borrelia", language="sv"), graph))
    store.add_quads(copied)
    assert service.drift(store).missing == ["a:borrelia"]
    service.update_items(store, [new.value])
    assert ids(service, "borrelia") == ["a:borrelia"]
    assert service.drift(store).ok


def test_facet_counts_follow_every_write(writable: tuple[SearchService, Store]) -> None:
    """Counts of a repeated query (cached) change with the index, never lag behind it."""
    service, store = writable
    before = facet(run(service, "astma"), "audience")
    assert facet(run(service, "astma"), "audience") == before
    item = NamedNode("https://kunskapsgraf.se/id/item/a/astma-barn")
    graph = NamedNode("https://kunskapsgraf.se/graph/source/a")
    store.update(f"DELETE WHERE {{ GRAPH {graph} {{ {item} <{KS}audience> ?a }} }}")
    store.add_quads(
        [Quad(item, NamedNode(KS + "audience"), NamedNode(f"{KSV}audience/lakare"), graph)]
    )
    service.update_items(store, [item.value])
    after = facet(run(service, "astma"), "audience")
    assert after.get("sjukskoterska", 0) == before["sjukskoterska"] - 1
    assert after["lakare"] == before.get("lakare", 0) + 1


def test_counts_read_after_a_write_belong_to_their_own_search(
    writable: tuple[SearchService, Store],
) -> None:
    """An index may still be counting when a search returns, and the service reads the counts
    last. A write in between must not mix two states: the counts add up to that search's own
    total, and they are not kept for the searches after the write."""
    service, _ = writable
    index, query, plan = service.index, SearchQuery(text="astma"), service.plan("astma")
    first = index.search(plan, query, 50)
    gone = first.candidates[0].identifier
    index.delete([gone])
    assert sum(first.facets["source"].values()) == first.total
    second = index.search(plan, query, 50)
    assert second.total == first.total - 1
    assert gone not in [c.identifier for c in second.candidates]
    assert sum(second.facets["source"].values()) == second.total


def test_approving_a_source_shows_its_items(writable: tuple[SearchService, Store]) -> None:
    service, store = writable
    status = NamedNode(KS + "approvalStatus")
    approval = NamedNode("https://kunskapsgraf.se/id/approval/b")
    register = NamedNode("https://kunskapsgraf.se/graph/register")
    store.update(
        f"DELETE DATA {{ GRAPH {register} {{ {approval} {status} "
        f"<{KSV}approval-status/under-bedomning> }} }} ; "
        f"INSERT DATA {{ GRAPH {register} {{ {approval} {status} "
        f"<{KSV}approval-status/godkand> }} }}"
    )
    service.update_source(store, "b")
    assert "b:astma" in ids(service, "astma")


def test_reindex_and_drift_detect_a_stale_document(writable: tuple[SearchService, Store]) -> None:
    service, store = writable
    item = NamedNode("https://kunskapsgraf.se/id/item/a/feber")
    graph = NamedNode("https://kunskapsgraf.se/graph/source/a")
    store.add_quads([Quad(item, NamedNode(KS + "summary"), Literal("Ny", language="sv"), graph)])
    assert service.drift(store).stale == ["a:feber"]
    assert service.reindex(store) == service.index.document_count()
    assert service.drift(store).ok


def test_an_on_disk_index_survives_reopening(tmp_path: Path) -> None:
    store = fixture_store()
    first = SearchService(TantivySearchIndex(tmp_path / "idx"))
    first.refresh(store)
    count = first.index.document_count()
    first.close()
    again = SearchService(TantivySearchIndex(tmp_path / "idx"))
    again.refresh_vocabulary(store)
    assert again.index.document_count() == count
    assert again.drift(store).ok
    again.close()


def test_a_reopened_index_counts_every_facet_as_before(tmp_path: Path) -> None:
    """Facet counts come from ids of value sets and of concepts; a reopened index that wrote
    nothing at its start-up reconciliation still names every count by its values."""
    store = fixture_store()
    first = SearchService(TantivySearchIndex(tmp_path / "idx"))
    first.refresh(store)
    before = [run(first, text)["facets"] for text in ("", "astma")]
    assert sum(facet(run(first, ""), "audience").values()) > 0
    assert sum(facet(run(first, ""), "concept").values()) > 0  # concept ids, named too
    first.close()
    again = SearchService(TantivySearchIndex(tmp_path / "idx"))
    again.refresh(store)
    assert [run(again, text)["facets"] for text in ("", "astma")] == before
    again.close()
