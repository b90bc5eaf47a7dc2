"""The HTML view of a described resource: a table of its statements, with links that stay on
this server for our own IRIs (so ``make run`` at http://127.0.0.1:8000 can be browsed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyoxigraph import Literal, NamedNode

from service.linkeddata import Description
from service.terms import KS, PREFIXES

TEMPLATES = Path(__file__).resolve().parent / "templates"
IDENTIFIER = NamedNode(KS + "identifier")


@dataclass
class Value:
    text: str
    iri: str | None = None
    href: str | None = None
    note: str | None = None


@dataclass
class PropertyRow:
    iri: str
    label: str
    href: str
    values: list[Value] = field(default_factory=list)


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def compact(iri: str) -> str:
    """``ks:title`` for ``https://kunskapsgraf.se/ont/title`` (the IRI when no prefix fits)."""
    for name, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{name}:{iri[len(namespace) :]}"
    return iri


def link(iri: str, base_iri: str) -> str:
    """Our IRIs as paths on this server; others unchanged."""
    if iri.startswith(base_iri):
        return "/" + quote(iri[len(base_iri) :], safe="/:@!$&'()*+,;=-._~")
    return iri


def render_description(description: Description, base_iri: str) -> str:
    rows: dict[str, PropertyRow] = {}
    page = None
    for triple in sorted(description.triples, key=lambda t: (str(t.predicate), str(t.object))):
        predicate = triple.predicate.value
        row = rows.get(predicate)
        if row is None:
            label = description.label(predicate)
            row = rows[predicate] = PropertyRow(
                predicate,
                f"{label} ({compact(predicate)})" if label else compact(predicate),
                link(predicate, base_iri),
            )
        obj = triple.object
        if isinstance(obj, NamedNode):
            row.values.append(
                Value(
                    description.label(obj.value) or compact(obj.value),
                    obj.value,
                    link(obj.value, base_iri),
                )
            )
        elif isinstance(obj, Literal):
            note: str | None = obj.language or compact(obj.datatype.value)
            if note == "xsd:string":
                note = None
            row.values.append(Value(obj.value, note=note))
            if triple.predicate == IDENTIFIER:
                page = f"/innehall/{quote(obj.value, safe=':')}"
        else:
            row.values.append(Value(str(obj)))
    title = description.label(description.iri.value) or compact(description.iri.value)
    return (
        _environment()
        .get_template("resource.html")
        .render(title=title, iri=description.iri.value, rows=list(rows.values()), page=page)
    )
