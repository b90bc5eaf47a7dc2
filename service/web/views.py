"""Page models: what each HTML page shows, built from the same functions as the JSON API.

Nothing here knows HTTP. Each ``*_view`` returns the context of one template; the routes in
``service.api.routes.pages`` only read the request, call these and render.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from service.concepts import concept_items, get_concept, get_scheme, list_schemes
from service.items import get_item
from service.search import SearchQuery, SearchService
from service.search.documents import SearchDocument
from service.search.facets import NATIONAL
from service.store.base import Store
from service.web.state import FILTER_FACETS, PAGE_SIZE, SORTS, SearchState

# Facet values shown before "Visa fler" (the rest are in a <details>, no JavaScript needed).
FACET_VISIBLE = 6

REVIEW_LABELS = {
    "aktuell": "Aktuell",
    "granskning-snart": "Granskas snart",
    "granskning-forsenad": "Granskning försenad",
}

KIND_LABELS = {
    "product": "Kunskapsstöd",
    "section": "Avsnitt",
    "recommendation": "Rekommendation",
    "supplement": "Regionalt tillägg",
}

RelatedFn = Callable[[str, str | None], list[dict[str, Any]]]


def regions(search: SearchService) -> list[dict[str, str]]:
    """The regions a user can choose (länskod and name), sorted by name."""
    found = [
        {"value": v, "label": search.label("region", v)["sv"]}
        for v in search.facet_values("region") - {NATIONAL}
    ]
    return sorted(found, key=lambda r: r["label"])


def region_label(search: SearchService, region: str | None) -> str | None:
    return search.label("region", region)["sv"] if region else None


def _supplement_index(documents: Mapping[str, SearchDocument]) -> dict[str, set[str]]:
    """Item identifier → regions with a public supplement to it or to one of its parts."""
    index: dict[str, set[str]] = defaultdict(set)
    for doc in documents.values():
        if doc.kind != "supplement" or not doc.public or not doc.supplements:
            continue
        target = documents.get(doc.supplements)
        for region in doc.facets.get("region", ()):
            index[doc.supplements].add(region)
            if target is not None and target.product:
                index[target.product].add(region)
    return index


def _query(state: SearchState, *, plain: bool = False) -> SearchQuery:
    filters = {} if plain else {k: frozenset(v) for k, v in state.filters.items()}
    return SearchQuery(
        text=state.q,
        filters=filters,
        region=state.region,
        offset=state.offset,
        limit=PAGE_SIZE,
        sort="date" if state.sort == "date" else "relevance",
    )


def search_view(search: SearchService, state: SearchState) -> dict[str, Any]:
    """The search page: results, facets with toggle links, chosen filters, pager, and for an
    empty result the ways out (spelling, concepts, the same search without filters)."""
    searched = bool(state.q or state.has_filters)
    result = search.search(_query(state))
    total: int = result["total"]
    documents = search.documents
    supplemented = _supplement_index(documents) if state.region else {}

    items = []
    for hit in result["items"]:
        parent = documents.get(hit.get("partOf") or "")
        item = dict(hit)
        item["url_page"] = item_url(hit["id"], state.region)
        item["kind_label"] = KIND_LABELS.get(hit["kind"], "")
        item["parent_title"] = parent.title if parent is not None else None
        item["has_supplement"] = bool(state.region and state.region in supplemented[hit["id"]])
        item["review_label"] = REVIEW_LABELS.get(hit["reviewStatus"], "")
        items.append(item)

    facets = []
    for facet in result["facets"]:
        if facet["name"] not in FILTER_FACETS:
            continue
        chosen = set(state.filters.get(facet["name"], ()))
        values = [
            {
                "value": v["value"],
                "label": v["label"]["sv"],
                "count": v["count"],
                "selected": v["value"] in chosen,
                "url": state.toggle(facet["name"], v["value"]).url(),
            }
            for v in facet["values"]
            if v["count"] or v["value"] in chosen
        ]
        if not values:
            continue
        # Chosen values first, so they stay visible above "Visa fler".
        values.sort(key=lambda v: not v["selected"])
        facets.append(
            {
                "name": facet["name"],
                "label": facet["label"]["sv"],
                "shown": values[:FACET_VISIBLE],
                "more": values[FACET_VISIBLE:],
                "open": any(v["selected"] for v in values[FACET_VISIBLE:]),
            }
        )

    chosen_filters = [
        {"facet": facet["label"]["sv"], "label": v["label"]["sv"], "url": v_url}
        for facet in result["facets"]
        if facet["name"] in FILTER_FACETS
        for v in facet["values"]
        if v["value"] in state.filters.get(facet["name"], ())
        for v_url in [state.toggle(facet["name"], v["value"]).url()]
    ]

    pages = max(1, math.ceil(total / PAGE_SIZE))
    window = range(max(1, state.page - 2), min(pages, state.page + 2) + 1)
    pager = {
        "pages": pages,
        "current": state.page,
        "previous": state.at_page(state.page - 1).url() if state.page > 1 else None,
        "next": state.at_page(state.page + 1).url() if state.page < pages else None,
        "numbers": [{"number": n, "url": state.at_page(n).url()} for n in window],
        "first": state.at_page(1).url() if window.start > 1 else None,
        "last": state.at_page(pages).url() if window.stop <= pages else None,
    }

    empty: dict[str, Any] | None = None
    if searched and total == 0:
        empty = _empty_help(search, state, result)

    return {
        "state": state,
        "searched": searched,
        "total": total,
        "first_shown": state.offset + 1 if items else 0,
        "last_shown": state.offset + len(items),
        "items": items,
        "facets": facets,
        "chosen_filters": chosen_filters,
        "clear_filters_url": state.without_filters().url() if state.has_filters else None,
        "pager": pager,
        "empty": empty,
        "hidden_filters": [
            (name, v) for name in FILTER_FACETS for v in state.filters.get(name, ())
        ],
        "recognised": [
            {
                "label": c["label"]["sv"],
                "notation": c.get("notation"),
                "url": concept_url(c["id"]),
            }
            for c in result.get("concepts") or []
        ],
        "regions": regions(search),
        "region_label": region_label(search, state.region),
        "sorts": [
            {"label": label, "url": state.sorted_by(key).url(), "current": key == state.sort}
            for key, label in SORTS.items()
        ],
    }


def _empty_help(
    search: SearchService, state: SearchState, result: Mapping[str, Any]
) -> dict[str, Any]:
    """Ways out of an empty result: spelling and concept suggestions from the search service,
    and the count without filters when filters are what emptied it."""
    offered = result.get("suggestions") or {}
    spelling = []
    for s in offered.get("spelling", []):
        text = s if isinstance(s, str) else s.get("text") or s.get("label") or ""
        if text:
            spelling.append({"text": text, "url": state.with_query(text).url()})
    concepts = []
    for c in offered.get("concepts", []):
        label = c.get("label")
        label_sv = label.get("sv") if isinstance(label, dict) else label
        concepts.append(
            {
                "label": label_sv or c.get("id", ""),
                "notation": c.get("notation"),
                "url": state.with_concept(c["id"]).url() if c.get("id") else None,
            }
        )
    unfiltered = 0
    if state.has_filters:
        unfiltered = search.search(_query(state.at_page(1), plain=True))["total"]
    return {
        "spelling": spelling,
        "concepts": concepts,
        "unfiltered": unfiltered,
        "unfiltered_url": state.without_filters().url() if unfiltered else None,
    }


def concept_url(identifier: str) -> str:
    """``icd-10-se:J45`` → ``/begrepp/icd-10-se/J45``."""
    return "/begrepp/" + identifier.replace(":", "/", 1)


def item_url(identifier: str, region: str | None = None) -> str:
    return f"/innehall/{identifier}" + (f"?region={region}" if region else "")


def item_view(
    store: Store,
    search: SearchService,
    identifier: str,
    region: str | None,
    *,
    related: RelatedFn | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The item page: its text as far as the source allows, each part in reading order with
    this region's supplements placed right after the part they supplement, metadata,
    attribution, typed relations and (when available) related content with its reasons."""
    today = today or dt.date.today()

    def fetch(ident: str) -> dict[str, Any]:
        entry = get_item(
            store, search.documents, search.vocabulary, ident, region=region, today=today
        )
        entry["review_label"] = REVIEW_LABELS.get(entry["reviewStatus"], "")
        return entry

    page = fetch(identifier)
    # Supplements go where they belong: after the part (or the item) they supplement.
    by_target: dict[str, list[dict[str, Any]]] = defaultdict(list)
    other_regions: dict[str, str] = {}
    for sup in page["regionalSupplements"]:
        if region is None:
            other_regions[sup["region"]["id"]] = sup["region"]["label"]["sv"]
            continue
        full = fetch(sup["id"])
        by_target[sup["attachedTo"]].append(full)

    def with_parts(entry: dict[str, Any], depth: int) -> dict[str, Any]:
        entry["supplements_here"] = by_target.get(entry["id"], [])
        entry["children"] = (
            [with_parts(fetch(p["id"]), depth + 1) for p in entry["parts"] if p]
            if depth < 2
            else []
        )
        return entry

    with_parts(page, 0)
    trail = [b for b in (page.get("product"), page.get("partOf")) if b]
    if len(trail) == 2 and trail[0]["id"] == trail[1]["id"]:
        trail = trail[:1]
    related_items: list[dict[str, Any]] | None = None
    if related is not None:
        related_items = related(identifier, region)
        for r in related_items:
            r["url_page"] = item_url(r["id"], region)
    return {
        "item": page,
        "region": region,
        "region_label": region_label(search, region),
        "regions": regions(search),
        "other_regions": sorted(other_regions.items(), key=lambda kv: kv[1]),
        "trail": [{"title": b["title"], "url": item_url(b["id"], region)} for b in trail],
        "kind_label": KIND_LABELS.get(page["kind"], ""),
        "related": related_items,
        "today": today,
    }


MAPPING_LABELS = {
    "exactMatch": "Exakt motsvarighet",
    "closeMatch": "Nära motsvarighet",
    "broadMatch": "Bredare motsvarighet",
    "narrowMatch": "Smalare motsvarighet",
    "relatedMatch": "Relaterad motsvarighet",
}
# Schemes whose concepts are codes items are about (shown first on the overview).
CODE_SYSTEMS = ("icd-10-se", "icd-10-who-en", "kva", "atc", "mesh", "tero")
TREE_DEPTH = 12


def schemes_view(store: Store) -> dict[str, Any]:
    """Every concept scheme: the code systems first, then the project's vocabularies."""
    schemes = sorted(list_schemes(store), key=lambda s: s["label"]["sv"].casefold())
    for scheme in schemes:
        scheme["url"] = f"/begrepp/{scheme['id']}"
    return {
        "code_systems": [s for s in schemes if s["id"] in CODE_SYSTEMS],
        "vocabularies": [s for s in schemes if s["id"] not in CODE_SYSTEMS],
    }


def _node(ref: dict[str, Any], expanded: Mapping[str, list[dict[str, Any]]], current: str) -> Any:
    children = expanded.get(ref["id"])
    return {
        "id": ref["id"],
        "notation": ref.get("notation"),
        "label": ref["label"],
        "url": concept_url(ref["id"]),
        "current": ref["id"] == current,
        "has_narrower": bool(children) or bool(ref.get("hasNarrower")),
        "children": [_node(c, expanded, current) for c in children or []],
    }


def scheme_view(store: Store, scheme_id: str) -> dict[str, Any]:
    """A scheme's page: its definition and its top concepts as the root of the tree."""
    scheme = get_scheme(store, scheme_id)
    return {
        "scheme": scheme,
        "nodes": [_node(c, {}, "") for c in scheme["topConcepts"]],
        "is_code_system": scheme["id"] in CODE_SYSTEMS,
    }


def concept_view(
    store: Store,
    search: SearchService,
    identifier: str,
    region: str | None,
) -> dict[str, Any]:
    """A concept's page (like Skosmos): labels in Swedish and English, code, definition,
    broader/narrower, mappings, the items about it, and the scheme's tree opened down to it."""
    concept = get_concept(store, search, identifier)
    # The path to a top concept along the first broader concept (codes have one).
    path: list[dict[str, Any]] = []
    seen = {identifier}
    step = concept
    while step["broader"] and len(path) < TREE_DEPTH:
        up = step["broader"][0]["id"]
        if up in seen:
            break
        seen.add(up)
        step = get_concept(store, search, up)
        path.insert(0, step)
    scheme = get_scheme(store, concept["scheme"]["id"])
    expanded = {c["id"]: c["narrower"] for c in [*path, concept]}
    items = concept_items(search, identifier, SearchQuery(region=region, limit=CONCEPT_ITEMS))
    for item in items["items"]:
        item["url_page"] = item_url(item["id"], region)
    mappings = [
        m
        | {
            "type_label": MAPPING_LABELS.get(m["type"], m["type"]),
            "url": concept_url(m["id"]) if m.get("id") else m.get("iri"),
        }
        for m in concept["mappings"]
    ]
    return {
        "concept": concept,
        "scheme": scheme,
        "trail": [
            {"label": p["prefLabel"], "notation": p["notation"], "url": concept_url(p["id"])}
            for p in path
        ],
        "nodes": [_node(c, expanded, identifier) for c in scheme["topConcepts"]],
        "broader": [r | {"url": concept_url(r["id"])} for r in concept["broader"]],
        "narrower": [r | {"url": concept_url(r["id"])} for r in concept["narrower"]],
        "related_concepts": [r | {"url": concept_url(r["id"])} for r in concept["related"]],
        "mappings": mappings,
        "items": items,
        "search_url": SearchState(region=region).with_concept(identifier).url(),
        "region": region,
        "is_code_system": scheme["id"] in CODE_SYSTEMS,
    }


CONCEPT_ITEMS = 20
