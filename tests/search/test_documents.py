"""Reading search documents from the store: the full read (packed per-item values, one
source at a time) and the read of some items (by subject) give the same documents."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from service.config import Settings
from service.search.documents import build_documents
from service.store import open_store
from service.terms import KS
from service.vocabulary import Vocabulary
from tests.search.fixture import fixture_store

ITEM = "https://kunskapsgraf.se/id/item/a/astma"
GRAPH = NamedNode("https://kunskapsgraf.se/graph/source/a")


def test_reading_some_items_gives_what_reading_all_gives() -> None:
    store = fixture_store()
    vocabulary = Vocabulary.from_store(store)
    everything = build_documents(store, vocabulary)
    assert len(everything) > 10
    some = build_documents(store, vocabulary, [d.iri for d in everything])
    assert some == everything


def test_literal_values_keep_spaces_and_signs() -> None:
    store = fixture_store()
    texts = ["Astma  hos barn = 100 % <svår>", "%20 och %25", ""]
    store.add_quads(
        Quad(NamedNode(ITEM), NamedNode(KS + "alternativeTitle"), Literal(t, language="sv"), GRAPH)
        for t in texts
    )
    vocabulary = Vocabulary.from_store(store)
    full = next(d for d in build_documents(store, vocabulary) if d.iri == ITEM)
    assert sorted(full.alt_titles) == sorted(texts)
    one = build_documents(store, vocabulary, [ITEM])
    assert sorted(one[0].alt_titles) == sorted(texts)


def test_a_remote_store_gives_the_same_documents(remote_settings: Settings) -> None:
    # The packed values query (GROUP_CONCAT, REPLACE) on a real SPARQL server.
    local = fixture_store()
    remote = open_store(remote_settings)
    try:
        remote.update("DROP SILENT ALL")
        remote.add_quads(local.quads())
        vocabulary = Vocabulary.from_store(local)
        assert build_documents(remote, vocabulary) == build_documents(local, vocabulary)
    finally:
        remote.update("DROP SILENT ALL")
        remote.close()
