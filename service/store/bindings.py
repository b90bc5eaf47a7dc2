"""Bound variables as a VALUES block at the start of a query's WHERE clause.

Both store backends bind variables this way. pyoxigraph applies its own ``substitutions``
after evaluating the pattern, so a bound item still cost a scan of everything (1–2 s per item
page at 100,000 items); a trailing VALUES clause (the portable form for a remote server) is
joined last by Oxigraph too. A VALUES block opening the group is joined first.
"""

from __future__ import annotations

import re

from pyoxigraph import BlankNode, Triple, Variable

from service.store.base import Substitutions

_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def where_brace(query: str) -> int | None:
    """Offset of the ``{`` that opens the WHERE clause of a SELECT or ASK query (comments,
    strings and IRIs skipped); None for other query forms."""
    i, n = 0, len(query)
    form: str | None = None
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            quote = c * 3 if query.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                j += 2 if query[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<" and (iri := _IRI.match(query, i)):
            i = iri.end()
        elif c in "?$" or c.isalpha():
            name = _NAME.match(query, i + 1 if c in "?$" else i)
            end = name.end() if name else i + 1
            word = query[i:end].upper()
            if form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            i = end
        elif c == "{":
            return i if form in ("SELECT", "ASK") else None
        else:
            i += 1
    return None


def with_values(query: str, values: Substitutions) -> str | None:
    """The query with its bindings as a VALUES block opening the WHERE clause, or None when
    that cannot be done safely (blank nodes or RDF-star terms, a CONSTRUCT or DESCRIBE)."""
    if any(isinstance(t, (BlankNode, Triple)) for t in values.values()):
        return None
    at = where_brace(query)
    if at is None:
        return None
    names = " ".join(f"?{Variable(name).value}" for name in values)
    terms = " ".join(str(term) for term in values.values())  # N-Triples syntax, escaped
    return f"{query[: at + 1]} VALUES ({names}) {{ ({terms}) }} {query[at + 1 :]}"
