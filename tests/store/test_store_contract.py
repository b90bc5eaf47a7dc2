"""Contract tests every ``Store`` implementation must pass (one fixture, every backend)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple

from service.config import Settings
from service.errors import InvalidQuery
from service.store import OxigraphStore, Store, open_store

G1 = NamedNode("https://kunskapsgraf.se/graph/source/a")
G2 = NamedNode("https://kunskapsgraf.se/graph/source/b")
P = NamedNode("https://kunskapsgraf.se/ont/title")


def item(n: int) -> NamedNode:
    return NamedNode(f"https://kunskapsgraf.se/id/item/a/{n}")


@pytest.fixture(params=["memory", "oxigraph", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "remote":
        # A real Oxigraph server (see tests/conftest.py), emptied before each test.
        remote: Settings = request.getfixturevalue("remote_settings")
        s = open_store(remote)
        s.update("DROP SILENT ALL")
    else:
        s = open_store(Settings(store=request.param, data_dir=tmp_path))
    yield s
    s.close()


def test_open_store_chooses_backend_from_settings(tmp_path: Path) -> None:
    assert open_store(Settings(store="memory", data_dir=tmp_path)).name == "memory"
    disk = open_store(Settings(store="oxigraph", data_dir=tmp_path))
    assert disk.name == "oxigraph"
    assert (tmp_path / "oxigraph").is_dir()


def test_open_store_chooses_the_remote_backend(remote_settings: Settings) -> None:
    remote = open_store(remote_settings)
    assert remote.name == "remote"
    assert remote.ask("ASK { }")
    remote.close()


def test_select_reads_union_of_named_graphs(store: Store) -> None:
    store.add_quads([Quad(item(1), P, Literal("Astma", language="sv"), G1)])
    store.add_quads([Quad(item(2), P, Literal("KOL", language="sv"), G2)])
    rows = store.select("SELECT ?t WHERE { ?s ks:title ?t } ORDER BY ?t")
    assert [r["t"].value for r in rows] == ["Astma", "KOL"]


def test_substitutions_bind_variables_without_string_pasting(store: Store) -> None:
    store.add_quads([Quad(item(1), P, Literal("Astma", language="sv"), G1)])
    rows = store.select("SELECT ?s ?t WHERE { ?s ks:title ?t }", {"s": item(1)})
    assert [r["t"].value for r in rows] == ["Astma"]
    assert store.select("SELECT ?s ?t WHERE { ?s ks:title ?t }", {"s": item(9)}) == []


def test_unbound_variables_are_absent_from_rows(store: Store) -> None:
    store.add_quads([Quad(item(1), P, Literal("x"), G1)])
    rows = store.select("SELECT ?s ?missing WHERE { ?s ?p ?o OPTIONAL { ?s ks:none ?missing } }")
    assert rows == [{"s": item(1)}]


def test_ask_and_construct(store: Store) -> None:
    store.add_quads([Quad(item(1), P, Literal("x"), G1)])
    assert store.ask("ASK { ?s ks:title 'x' }")
    assert not store.ask("ASK { ?s ks:title 'y' }")
    triples = store.construct("CONSTRUCT { ?s ks:name ?o } WHERE { ?s ks:title ?o }")
    assert triples == [Triple(item(1), NamedNode("https://kunskapsgraf.se/ont/name"), Literal("x"))]


def test_malformed_query_raises_invalid_query_with_position(store: Store) -> None:
    with pytest.raises(InvalidQuery) as err:
        store.select("SELECT ?s WHERE { ?s ?p }")
    assert err.value.details["line"] == 1


def test_wrong_query_form_is_rejected(store: Store) -> None:
    with pytest.raises(InvalidQuery):
        store.select("ASK { ?s ?p ?o }")
    with pytest.raises(InvalidQuery):
        store.ask("SELECT * WHERE { ?s ?p ?o }")


def test_replace_graphs_swaps_whole_graphs_and_leaves_others(store: Store) -> None:
    store.add_quads([Quad(item(1), P, Literal("old"), G1), Quad(item(2), P, Literal("b"), G2)])
    store.replace_graphs({G1: [Triple(item(3), P, Literal("new"))]})
    assert store.quad_count(G1) == 1
    assert store.quad_count(G2) == 1
    assert store.ask("ASK { GRAPH <https://kunskapsgraf.se/graph/source/a> { ?s ks:title 'new' } }")
    assert not store.ask("ASK { ?s ks:title 'old' }")


def test_failed_update_changes_nothing(store: Store) -> None:
    store.add_quads([Quad(item(1), P, Literal("a"), G1)])
    with pytest.raises(InvalidQuery):
        store.update("DROP GRAPH <https://kunskapsgraf.se/graph/source/a> ; INSERT DATA { broken")
    assert store.quad_count() == 1


def test_named_graphs_counts_and_dump(store: Store) -> None:
    store.add_quads([Quad(item(1), P, Literal("a"), G1), Quad(item(2), P, Literal("b"), G2)])
    assert store.named_graphs() == [G1, G2]
    assert store.quad_count() == 2
    assert len(list(store.quads(G2))) == 1
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    assert out.getvalue().count(b"\n") == 2
    one = io.BytesIO()
    store.dump(one, RdfFormat.N_TRIPLES, graph=G1)
    assert b"/a/1>" in one.getvalue() and b"/a/2>" not in one.getvalue()


def test_on_disk_store_keeps_data_after_reopen(tmp_path: Path) -> None:
    first = OxigraphStore(tmp_path / "db")
    first.add_quads([Quad(item(1), P, Literal("kvar"), G1)])
    first.close()
    again = OxigraphStore(tmp_path / "db")
    assert again.ask("ASK { ?s ks:title 'kvar' }")
    again.close()


def test_describe_returns_the_subjects_quads(store: Store) -> None:
    store.add_quads(
        [
            Quad(item(1), P, Literal("a"), G1),
            Quad(item(1), P, Literal("b"), G2),
            Quad(item(2), P, Literal("c"), G1),
        ]
    )
    assert {q.object.value for q in store.describe([item(1)])} == {"a", "b"}
    assert {q.object.value for q in store.describe([item(1), item(2)], G1)} == {"a", "c"}
    assert store.describe([item(9)]) == []
