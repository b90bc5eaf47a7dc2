"""Concept pages as data: one concept with its labels, hierarchy, mappings and number of items;
the concept schemes and their top concepts; a concept's items with search facets.

Concept ids are ``<scheme>:<notation>`` (``icd-10-se:J45``) for the IRI
``https://kunskapsgraf.se/vocab/<scheme>/<notation>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pyoxigraph import Literal, NamedNode

from service.errors import NotFound
from service.queries import load_query
from service.related.index import concept_id
from service.search import SearchQuery, SearchService
from service.store.base import Store
from service.terms import KSV, SKOS

MAPPINGS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


def concept_iri(identifier: str) -> str | None:
    """The IRI of ``<scheme>:<notation>``; None when the id cannot be one of ours."""
    scheme, sep, local = identifier.partition(":")
    if not sep or not scheme or not local or "/" in scheme or any(c in local for c in "<> "):
        return None
    return f"{KSV}{scheme}/{local}"


def _unknown_concept(identifier: str) -> NotFound:
    return NotFound(
        f"Det finns inget begrepp med id '{identifier}'. Ange <begreppssystem>:<kod>, "
        "till exempel icd-10-se:J45.",
        f"There is no concept with id '{identifier}'. Give <scheme>:<notation>, "
        "for example icd-10-se:J45.",
        id=identifier,
    )


def _unknown_scheme(identifier: str, valid: Iterable[str]) -> NotFound:
    names = ", ".join(valid)
    return NotFound(
        f"Det finns inget begreppssystem med id '{identifier}'. Giltiga: {names}.",
        f"There is no concept scheme with id '{identifier}'. Valid: {names}.",
        id=identifier,
        valid=list(valid),
    )


def _ref(iri: str, notation: str | None, sv: str | None, en: str | None) -> dict[str, Any]:
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    label_sv = sv or en or notation or tail
    return {
        "id": concept_id(iri) or iri,
        "notation": notation or tail,
        "label": {"sv": label_sv, "en": en or label_sv},
    }


def get_concept(store: Store, search: SearchService, identifier: str) -> dict[str, Any]:
    """The JSON-ready page of one concept; ``NotFound`` for an unknown id."""
    iri = concept_iri(identifier)
    rows = store.select(load_query("concept-detail"), {"concept": NamedNode(iri)}) if iri else []
    schemes = [r["value"].value for r in rows if r["property"].value == SKOS + "inScheme"]
    if iri is None or not schemes:
        raise _unknown_concept(identifier)
    pref: dict[str, str] = {}
    alt: dict[str, list[str]] = {}
    definition: dict[str, str] = {}
    notation: str | None = None
    links: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        prop = row["property"].value.removeprefix(SKOS)
        value = row["value"]
        if isinstance(value, Literal):
            lang = value.language or ""
            if prop == "prefLabel":
                pref.setdefault(lang, value.value)
            elif prop == "altLabel":
                alt.setdefault(lang, []).append(value.value)
            elif prop == "definition":
                definition.setdefault(lang, value.value)
            elif prop == "notation":
                notation = value.value
        elif isinstance(value, NamedNode) and prop not in ("inScheme",):
            target = value.value
            ref = _ref(
                target,
                row["valueNotation"].value if "valueNotation" in row else None,
                row["valueSv"].value if "valueSv" in row else None,
                row["valueEn"].value if "valueEn" in row else None,
            )
            if prop in MAPPINGS and ref["id"] == target:
                # An external code we hold no labels for: name it by IRI.
                known = "valueSv" in row or "valueEn" in row
                ref = {"iri": target, "label": ref["label"] if known else None}
            links.setdefault(prop, {})[target] = ref
    scheme = sorted(schemes)[0]
    return {
        "id": identifier,
        "iri": iri,
        "scheme": {
            "id": scheme.removeprefix(KSV),
            "iri": scheme,
            "label": _scheme_texts(store, scheme)[0],
        },
        "notation": notation or iri.rsplit("/", 1)[-1],
        "prefLabel": pref,
        "altLabel": {lang: sorted(values) for lang, values in sorted(alt.items())},
        "definition": definition,
        "broader": _sorted(links.get("broader", {}).values()),
        "narrower": _sorted(links.get("narrower", {}).values()),
        "related": _sorted(links.get("related", {}).values()),
        "mappings": [
            {"type": kind} | ref
            for kind in MAPPINGS
            for ref in sorted(
                links.get(kind, {}).values(), key=lambda r: str(r.get("id") or r.get("iri"))
            )
        ],
        "itemCount": item_count(search, identifier),
    }


def _sorted(refs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(refs, key=lambda r: (str(r.get("notation")), str(r["id"])))


def _scheme_texts(store: Store, scheme: str) -> tuple[dict[str, str], dict[str, str]]:
    """The scheme's label (sv, en) and its definitions by language."""
    labels: dict[str, str] = {}
    definition: dict[str, str] = {}
    for row in store.select(load_query("concept-scheme"), {"scheme": NamedNode(scheme)}):
        value = row["value"]
        if isinstance(value, Literal):
            prop = row["property"].value
            target = labels if prop == SKOS + "prefLabel" else definition
            target.setdefault(value.language or "", value.value)
    tail = scheme.removeprefix(KSV)
    sv = labels.get("sv") or labels.get("en") or tail
    return {"sv": sv, "en": labels.get("en") or sv}, definition


def list_schemes(store: Store) -> list[dict[str, Any]]:
    """Every concept scheme with labels and its number of concepts."""
    schemes: dict[str, dict[str, Any]] = {}
    for row in store.select(load_query("concept-schemes")):
        iri = row["scheme"].value
        if iri in schemes:
            continue
        tail = iri.removeprefix(KSV) if iri.startswith(KSV) else iri
        sv = row["sv"].value if "sv" in row else tail
        schemes[iri] = {
            "id": tail,
            "iri": iri,
            "label": {"sv": sv, "en": row["en"].value if "en" in row else sv},
            "conceptCount": int(row["concepts"].value),
        }
    return list(schemes.values())


def get_scheme(store: Store, identifier: str) -> dict[str, Any]:
    """One scheme with its definition and top concepts (each saying whether it has narrower
    concepts, for an expandable tree)."""
    schemes = list_schemes(store)
    found = next((s for s in schemes if s["id"] == identifier), None)
    if found is None:
        raise _unknown_scheme(identifier, [s["id"] for s in schemes])
    scheme = NamedNode(found["iri"])
    definition = _scheme_texts(store, found["iri"])[1]
    top: dict[str, dict[str, Any]] = {}
    for row in store.select(load_query("concept-scheme-top"), {"scheme": scheme}):
        iri = row["concept"].value
        ref = _ref(
            iri,
            row["notation"].value if "notation" in row else None,
            row["sv"].value if "sv" in row else None,
            row["en"].value if "en" in row else None,
        )
        top[iri] = ref | {"hasNarrower": row["hasNarrower"].value == "true"}
    return found | {"definition": definition, "topConcepts": _sorted(top.values())}


def ensure_concept(search: SearchService, identifier: str) -> str:
    """The IRI of a concept the store knows; ``NotFound`` otherwise."""
    iri = concept_iri(identifier)
    if iri is None or not search.vocabulary.get(iri).scheme:
        raise _unknown_concept(identifier)
    return iri


def item_count(search: SearchService, identifier: str) -> int:
    """Public items tagged with the concept or a narrower one: the search's concept filter,
    so the number matches what ``/api/concepts/{id}/items`` pages through."""
    if identifier not in search.facet_values("concept"):
        return 0
    result = search.search(SearchQuery(filters={"concept": frozenset([identifier])}, limit=1))
    total: int = result["total"]
    return total


def concept_items(search: SearchService, identifier: str, query: SearchQuery) -> dict[str, Any]:
    """The concept's items as a search response: ``query`` with the concept added as a filter
    (OR within the concept facet, AND with the other facets; narrower concepts included)."""
    ensure_concept(search, identifier)
    concepts = query.filters.get("concept", frozenset()) | {identifier}
    return search.search(replace(query, filters={**query.filters, "concept": concepts}))
