"""Why an item is related: the machine-readable reasons and one short sentence in Swedish and
English ("Båda handlar om Astma (J45)", "Regionalt tillägg från Region Skåne")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.related.index import RelatedIndex, concept_id
from service.search.documents import SearchDocument
from service.terms import KSV


@dataclass(frozen=True)
class Reason:
    """One explicit relation from the item to a candidate; ``via`` is the item position the
    relation was reached through (the product of a section, a related item's supplement)."""

    key: str
    weight: float
    via: int | None = None


# Sentences per relation, seen from the item the reader is on. {src}: the related item's
# source, {ct}: its content type (lower case), {region}: its region.
SENTENCES: dict[str, tuple[str, str]] = {
    "isPartOf": ("Del av {title}", "Part of {title}"),
    "supplements": (
        "Det nationella innehåll som tillägget kompletterar",
        "The national content this supplement adds to",
    ),
    "hasRegionalSupplement": (
        "Regionalt tillägg från {region}",
        "Regional supplement from {region}",
    ),
    "isBasedOn": ("Bygger på {ct} ({src})", "Based on {ct} ({src})"),
    "isBasisFor": ("Är underlag för {ct} ({src})", "Is evidence for {ct} ({src})"),
    "implements": ("Omsätter {ct} i praktiken ({src})", "Puts {ct} into practice ({src})"),
    "isImplementedBy": (
        "Omsätts i praktiken av {ct} ({src})",
        "Put into practice by {ct} ({src})",
    ),
    "hasPatientInformation": ("Patientinformation ({src})", "Patient information ({src})"),
    "isPatientInformationFor": (
        "Kunskapsstöd för vårdpersonal om samma sak ({src})",
        "Guidance for healthcare staff on the same topic ({src})",
    ),
    "hasProductInformation": ("Produktinformation ({src})", "Product information ({src})"),
    "isProductInformationFor": (
        "Hänvisar till den här produktinformationen",
        "Refers to this product information",
    ),
    "replaces": ("Tidigare innehåll som detta ersätter", "Earlier content this replaces"),
    "isReplacedBy": ("Nyare innehåll som ersätter detta", "Newer content that replaces this"),
    "seeAlso": ("Se även – utvalt av redaktionen", "See also – chosen by the editors"),
    "references": ("Hänvisar till {ct} ({src})", "Cites {ct} ({src})"),
    "isReferencedBy": ("Hänvisar till detta", "Cites this"),
}


def _concept_json(index: RelatedIndex, col: int) -> dict[str, Any]:
    iri = index.concepts[col]
    label = index.vocabulary.get(iri)
    return {
        "id": concept_id(iri) or iri,
        "notation": label.notation,
        "label": {"sv": label.sv, "en": label.en},
        "weight": round(float(index.weight[col]), 3),
    }


def _named(concept: dict[str, Any], lang: str, *, code: bool) -> str:
    text = str(concept["label"][lang])
    return f"{text} ({concept['notation']})" if code else text


def _join(names: list[str], lang: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + (" och " if lang == "sv" else " and ") + names[-1]


def _relation_sentence(index: RelatedIndex, reason: Reason, doc: SearchDocument) -> tuple[str, str]:
    sv, en = SENTENCES.get(reason.key, ("{label_sv}", "{label_en}"))
    rtype = index.relation_types.get(reason.key)
    content = (doc.facets.get("contentType") or ("",))[0]
    ct = index.vocabulary.get(f"{KSV}content-type/{content}") if content else None
    src = index.source_titles.get(doc.source_key, (doc.source_title, doc.source_title))
    regions = [r for r in doc.facets.get("region", ()) if r != "nationell"]
    region = index.vocabulary.get(f"{KSV}region/{regions[0]}") if regions else None
    values = {
        "title": doc.title,
        "label_sv": rtype.sv if rtype else reason.key,
        "label_en": rtype.en if rtype else reason.key,
    }
    text_sv = sv.format(
        **values,
        ct=ct.sv.lower() if ct else "innehåll",
        src=src[0],
        region=region.sv if region else "regionen",
    )
    text_en = en.format(
        **values,
        ct=ct.en.lower() if ct else "content",
        src=src[1],
        region=region.en if region else "the region",
    )
    if reason.via is not None:
        via = index.docs[reason.via].title
        if reason.key == "hasRegionalSupplement":
            return f"{text_sv} till {via}", f"{text_en} to {via}"
        return f"{text_sv} (via {via})", f"{text_en} (via {via})"
    return text_sv, text_en


def explain(
    index: RelatedIndex, item: int, candidate: int, reasons: list[Reason]
) -> dict[str, Any]:
    """The ``why`` of one related item."""
    doc = index.docs[candidate]
    relations = []
    sentences: list[tuple[str, str]] = []
    for reason in sorted(reasons, key=lambda r: (-r.weight, r.key)):
        rtype = index.relation_types.get(reason.key)
        relations.append(
            {
                "type": reason.key,
                "label": {
                    "sv": rtype.sv if rtype else reason.key,
                    "en": rtype.en if rtype else reason.key,
                },
                "relationType": rtype.concept if rtype else None,
                "via": index.docs[reason.via].identifier if reason.via is not None else None,
            }
        )
        if len(sentences) < 2:
            sentence = _relation_sentence(index, reason, doc)
            if sentence not in sentences:
                sentences.append(sentence)

    my = index.profile_row(item)
    their = index.profile_row(candidate)
    my_own, their_own = index.own_row(item), index.own_row(candidate)
    shared = sorted(
        (c for c in my_own & their_own if index.weight[c] > 0),
        key=lambda c: (-index.weight[c], index.concepts[c]),
    )
    concepts = [_concept_json(index, c) for c in shared[:5]]
    codes = [c for c, col in zip(concepts, shared, strict=False) if index.subject_concepts[col]]
    if codes:
        names = [(_named(c, "sv", code=True), _named(c, "en", code=True)) for c in codes[:2]]
        sentences.append(
            (
                "Båda handlar om " + _join([n[0] for n in names], "sv"),
                "Both are about " + _join([n[1] for n in names], "en"),
            )
        )
    elif concepts:
        names = [(_named(c, "sv", code=False), _named(c, "en", code=False)) for c in concepts[:2]]
        sentences.append(
            (
                "Samma område: " + _join([n[0] for n in names], "sv"),
                "Same area: " + _join([n[1] for n in names], "en"),
            )
        )

    path, ancestor = _hierarchy_path(index, (my, my_own), (their, their_own), set(shared))
    if path and not codes:
        first, top, last = (
            _concept_json(index, index.concept_pos[c]) for c in (path[0], ancestor, path[-1])
        )
        if ancestor in (path[0], path[-1]):
            narrow, broad = (last, first) if ancestor == path[0] else (first, last)
            sentences.append(
                (
                    f"{_named(narrow, 'sv', code=True)} är en underkod till "
                    f"{_named(broad, 'sv', code=True)}",
                    f"{_named(narrow, 'en', code=True)} is a narrower code of "
                    f"{_named(broad, 'en', code=True)}",
                )
            )
        else:
            sentences.append(
                (
                    f"Närliggande koder: {_named(first, 'sv', code=True)} och "
                    f"{_named(last, 'sv', code=True)} hör båda till "
                    f"{_named(top, 'sv', code=True)}",
                    f"Related codes: {_named(first, 'en', code=True)} and "
                    f"{_named(last, 'en', code=True)} both belong to "
                    f"{_named(top, 'en', code=True)}",
                )
            )
    return {
        "relations": relations,
        "concepts": concepts,
        "path": [concept_id(c) or c for c in path],
        "text": {
            "sv": ". ".join(s[0] for s in sentences),
            "en": ". ".join(s[1] for s in sentences),
        },
    }


def _hierarchy_path(
    index: RelatedIndex,
    mine: tuple[dict[int, float], set[int]],
    theirs: tuple[dict[int, float], set[int]],
    shared: set[int],
) -> tuple[list[str], str]:
    """The strongest link through a common broader code between two codes that are not
    themselves shared: [my code, …, common ancestor, …, their code]."""
    (my, my_own), (their, their_own) = mine, theirs
    best: tuple[float, int] | None = None
    for col, strength_mine in my.items():
        strength_theirs = their.get(col)
        if (
            strength_theirs is None
            or col in shared
            or not index.subject_concepts[col]
            or (col in my_own and col in their_own)
        ):
            continue
        strength = strength_mine * strength_theirs * float(index.weight[col])
        if strength > 0 and (best is None or strength > best[0]):
            best = (strength, col)
    if best is None:
        return [], ""
    ancestor = index.concepts[best[1]]

    def nearest(own: set[int]) -> str | None:
        codes = [index.concepts[c] for c in own if index.subject_concepts[c] and c not in shared]
        reaching = [(index.hierarchy.up(c).get(ancestor), c) for c in codes]
        found = sorted((d, c) for d, c in reaching if d is not None)
        return found[0][1] if found else None

    start, end = nearest(my_own), nearest(their_own)
    if start is None or end is None or start == end:
        return [], ""
    up = index.hierarchy.path(start, ancestor)
    down = index.hierarchy.path(end, ancestor)
    return up + list(reversed(down[:-1])), ancestor
