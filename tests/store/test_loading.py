"""Bulk loading: atomic, graph per file, clear errors with file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from service.errors import InvalidParameter, InvalidRdf
from service.store import Store
from service.store.loading import LoadSource, load_files

G = NamedNode("https://kunskapsgraf.se/graph/source/test")
GOOD = """@prefix ks: <https://kunskapsgraf.se/ont/> .
<https://kunskapsgraf.se/id/item/test/a> ks:title "Astma"@sv .
"""
BROKEN = """@prefix ks: <https://kunskapsgraf.se/ont/> .
<https://kunskapsgraf.se/id/item/test/b> ks:title "KOL"@sv .
<https://kunskapsgraf.se/id/item/test/c> ks:title "unterminated .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_turtle_into_the_named_graph(empty_store: Store, tmp_path: Path) -> None:
    summary = load_files(empty_store, [LoadSource(write(tmp_path, "a.ttl", GOOD), G)])
    assert summary.quads_per_graph == {G.value: 1}
    assert empty_store.quad_count(G) == 1


def test_trig_names_its_own_graphs(empty_store: Store, tmp_path: Path) -> None:
    trig = "GRAPH <https://kunskapsgraf.se/graph/source/x> { <https://e/a> <https://e/p> 1 . }"
    load_files(empty_store, [LoadSource(write(tmp_path, "a.trig", trig))])
    assert empty_store.named_graphs() == [NamedNode("https://kunskapsgraf.se/graph/source/x")]


def test_malformed_file_reports_file_line_column_and_loads_nothing(
    empty_store: Store, tmp_path: Path
) -> None:
    good = write(tmp_path, "good.ttl", GOOD)
    bad = write(tmp_path, "bad.ttl", BROKEN)
    with pytest.raises(InvalidRdf) as err:
        load_files(empty_store, [LoadSource(good, G), LoadSource(bad, G)])
    assert err.value.details["file"] == str(bad)
    assert err.value.details["line"] == 3
    assert err.value.details["column"] is not None
    assert "rad 3" in err.value.message_sv
    # The good file came first, but nothing of it was written.
    assert empty_store.quad_count() == 0


def test_replace_swaps_graph_content(empty_store: Store, tmp_path: Path) -> None:
    load_files(empty_store, [LoadSource(write(tmp_path, "a.ttl", GOOD), G)])
    newer = GOOD.replace("/a>", "/z>")
    load_files(empty_store, [LoadSource(write(tmp_path, "b.ttl", newer), G)], replace=True)
    assert empty_store.quad_count(G) == 1
    assert empty_store.ask("ASK { <https://kunskapsgraf.se/id/item/test/z> ?p ?o }")


def test_triple_format_needs_a_graph(empty_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter) as err:
        load_files(empty_store, [LoadSource(write(tmp_path, "a.ttl", GOOD))])
    assert "--graph" in err.value.message_en


def test_default_graph_triples_in_trig_are_rejected(empty_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidRdf):
        load_files(
            empty_store, [LoadSource(write(tmp_path, "a.trig", "<https://e/a> <https://e/p> 1 ."))]
        )
    assert empty_store.quad_count() == 0


def test_unknown_extension_and_missing_file(empty_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter):
        load_files(empty_store, [LoadSource(write(tmp_path, "a.docx", GOOD), G)])
    with pytest.raises(InvalidParameter):
        load_files(empty_store, [LoadSource(tmp_path / "missing.ttl", G)])
