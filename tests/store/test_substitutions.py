"""Bound variables reach the query as a VALUES block at the start of its WHERE clause (fast),
and give exactly what pyoxigraph's own substitutions give."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Variable

from service.queries import load_query, query_names
from service.store import Store
from service.store.bindings import where_brace, with_values
from service.terms import PREFIXES

ITEM = NamedNode("https://kunskapsgraf.se/id/item/nkk/astma-vuxna")


def test_the_values_block_opens_the_where_clause_whatever_comes_before() -> None:
    query = (
        '# a header that mentions WHERE { and a "quote\n'
        "SELECT ?item ?title FROM <https://e/g#1> WHERE {\n"
        '  ?item ks:title ?title FILTER(?title != "x{y")\n}'
    )
    rewritten = with_values(query, {"item": ITEM, "title": Literal('a "b"', language="sv")})
    assert rewritten is not None
    values = f'WHERE {{ VALUES (?item ?title) {{ ({ITEM} "a \\"b\\""@sv) }}'
    assert values in rewritten
    assert rewritten.endswith('FILTER(?title != "x{y")\n}')


def test_other_shapes_keep_pyoxigraph_substitutions() -> None:
    assert where_brace("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") is None
    assert with_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": BlankNode()}) is None


def _norm(term: object, concat: bool) -> str:
    """A term as text; SPARQL leaves the order of GROUP_CONCAT's parts open, so a query
    with GROUP_CONCAT is compared by the set of its space-separated parts."""
    value = getattr(term, "value", str(term))
    return " ".join(sorted(value.split(" "))) if concat else str(term)


def test_every_fixed_query_gives_the_same_rows_both_ways(demo_store: Store) -> None:
    raw = demo_store._store  # type: ignore[attr-defined]
    checked = 0
    for name in query_names():
        text = load_query(name)
        if "?item" not in text or where_brace(text) is None:
            continue
        via_values = demo_store.select(text, {"item": ITEM})
        try:
            native = raw.query(
                text,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions={Variable("item"): ITEM},
            )
        except RuntimeError:  # ?item is not projected: pyoxigraph cannot bind it at all
            continue
        names = [v.value for v in native.variables]
        concat = "GROUP_CONCAT(" in text
        expected = sorted(
            repr(sorted((n, _norm(s[n], concat)) for n in names if s[n] is not None))
            for s in native
        )
        got = sorted(
            repr(sorted((n, _norm(t, concat)) for n, t in row.items())) for row in via_values
        )
        assert got == expected, name
        checked += 1
    assert checked >= 5
