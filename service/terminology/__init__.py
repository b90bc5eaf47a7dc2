"""Terminologies as SKOS concept schemes: importers for real code systems and thesauri.

>>> sorted(TERMINOLOGIES)
['atc', 'icd-10-se', 'icd-10-who-en', 'kva', 'mesh', 'mesh-sv', 'tero']

Each importer reads the upstream files (never copied into the repository: see
``../shared/data/README.md``) and produces SKOS triples: ``skos:Concept``s with IRIs
``ksv:<scheme>/<notation>`` (the demo code lists use the same IRIs, so demo items link to the
imported concepts), ``skos:inScheme``, plain-string ``skos:notation``, labels, hierarchy, and
one ``skos:ConceptScheme`` resource with ``skos:prefLabel`` sv/en, ``skos:definition``,
``dcterms:source``, ``dcterms:license``, ``dcterms:rights`` and ``owl:versionInfo``.

Two importers annotate another terminology's concepts instead of creating concepts:
``icd-10-who-en`` (English labels for ICD-10-SE) and ``mesh-sv`` (machine-translated Swedish
altLabels for MeSH). Their triples go into graphs of their own, described (source, licence,
version) by a resource that is the graph's IRI, so each can be reloaded independently.

``load_terminology`` replaces the graph ``ksg:vocab/<graph>`` in one transaction. For
``icd-10-se`` and ``atc`` that is the graph of the demo code list of the same name: the full
terminology replaces the demo subset (``kunskapsgraf load-demo`` without ``--if-empty`` puts the
subset back).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from pyoxigraph import Literal, NamedNode, RdfFormat, serialize

from service.errors import InvalidParameter
from service.store import Store
from service.terminology import atc, icd10se, kva, mesh, tero, who_icd10
from service.terminology.base import ImportResult, Known, TerminologyImporter
from service.terms import KSG, KSV, PREFIXES

__all__ = [
    "TERMINOLOGIES",
    "ImportResult",
    "TerminologyImporter",
    "default_path",
    "import_terminology",
    "known_from_result",
    "known_from_store",
    "load_terminology",
    "write_result",
]

TERMINOLOGIES: dict[str, TerminologyImporter] = {
    imp.name: imp
    for imp in (
        icd10se.IMPORTER,
        who_icd10.IMPORTER,
        kva.IMPORTER,
        atc.IMPORTER,
        mesh.IMPORTER,
        mesh.SV_IMPORTER,
        tero.IMPORTER,
    )
}


def importer(name: str) -> TerminologyImporter:
    try:
        return TERMINOLOGIES[name]
    except KeyError:
        valid = sorted(TERMINOLOGIES)
        raise InvalidParameter(
            f"Okänd terminologi: {name}. Kända: {', '.join(valid)}.",
            f"Unknown terminology: {name}. Known: {', '.join(valid)}.",
            parameter="name",
            valid=valid,
        ) from None


def default_path(name: str, shared_data: Path) -> Path:
    """Where the terminology's file or folder lives under the shared data folder."""
    return shared_data / importer(name).location


def import_terminology(name: str, path: Path, *, known: Known | None = None) -> ImportResult:
    """Parse one terminology; nothing is stored.

    An annotation importer (``icd-10-who-en``, ``mesh-sv``) needs the concepts it annotates:
    pass ``known`` (see ``known_from_result``/``known_from_store``), or lay the files out as in
    the shared data folder and the required terminology is parsed from its default place
    next to ``path``.
    """
    imp = importer(name)
    if imp.requires is not None and known is None:
        known = _known_from_neighbour(imp, path)
    return imp.parse(path, known)


def load_terminology(store: Store, name: str, path: Path) -> ImportResult:
    """Parse one terminology and replace its graph ``ksg:vocab/<graph>`` atomically.

    An annotation importer takes the concepts it annotates from the store (load
    ``icd-10-se`` before ``icd-10-who-en``, ``mesh`` before ``mesh-sv``). Warnings name
    concept IRIs that content in other graphs refers to but the new scheme does not have.
    """
    imp = importer(name)
    known: Known | None = None
    warnings: list[str] = []
    if imp.requires is not None:
        required = importer(imp.requires)
        known = known_from_store(store, imp)
        if not known:
            raise InvalidParameter(
                f"{name} kompletterar {required.name}, som inte är inläst: läs in den först.",
                f"{name} annotates {required.name}, which is not loaded: load it first.",
                parameter="name",
                requires=required.name,
            )
        if not store.ask(
            f"ASK {{ GRAPH <{required.graph_iri.value}> "
            f"{{ <{required.scheme_iri.value}> owl:versionInfo ?v }} }}"
        ):
            warnings.append(
                f"{required.name} is only the demo subset in the store; {name} was restricted "
                f"to its {len(known)} concepts. Load {required.name} for full coverage."
            )
    result = import_terminology(name, path, known=known)
    store.replace_graphs({imp.graph_iri: result.triples})
    store.flush()
    result.warnings.extend(warnings)
    if imp.requires is None:
        result.warnings.extend(_dangling(store, imp))
    return result


def known_from_store(store: Store, imp: TerminologyImporter) -> dict[str, NamedNode]:
    """Key → concept IRI for the concepts ``imp`` annotates, read from the store."""
    assert imp.requires is not None and imp.key_predicate is not None
    required = importer(imp.requires)
    language = f'FILTER(LANGMATCHES(LANG(?key), "{imp.key_language}"))' if imp.key_language else ""
    rows = store.select(
        f"""SELECT ?concept ?key WHERE {{
          GRAPH <{required.graph_iri.value}> {{
            ?concept skos:inScheme <{required.scheme_iri.value}> ;
                     <{imp.key_predicate.value}> ?key .
            {language}
          }}
        }}"""
    )
    known: dict[str, NamedNode] = {}
    for row in rows:
        concept, key = row["concept"], row["key"]
        if isinstance(concept, NamedNode):
            known.setdefault(key.value, concept)
    return known


def known_from_result(result: ImportResult, imp: TerminologyImporter) -> dict[str, NamedNode]:
    """Key → concept IRI for the concepts ``imp`` annotates, from a parsed terminology."""
    assert imp.key_predicate is not None
    known: dict[str, NamedNode] = {}
    for t in result.triples:
        s, o = t.subject, t.object
        if (
            t.predicate == imp.key_predicate
            and isinstance(s, NamedNode)
            and isinstance(o, Literal)
            and imp.key_language in (None, o.language)
        ):
            known.setdefault(o.value, s)
    return known


def write_result(result: ImportResult, output: Path) -> None:
    """Write the triples as N-Triples (``.nt``) or Turtle (``.ttl``)."""
    formats = {".nt": RdfFormat.N_TRIPLES, ".ttl": RdfFormat.TURTLE}
    fmt = formats.get(output.suffix)
    if fmt is None:
        raise InvalidParameter(
            f"Okänd filändelse för {output.name}: använd .nt eller .ttl.",
            f"Unknown extension for {output.name}: use .nt or .ttl.",
            file=str(output),
        )
    with output.open("wb") as handle:
        prefixes = {"skos": PREFIXES["skos"], "ksv": KSV, "dcterms": PREFIXES["dcterms"]}
        if fmt == RdfFormat.TURTLE:
            serialize(result.triples, handle, fmt, prefixes=prefixes)
        else:
            serialize(result.triples, handle, fmt)


def _known_from_neighbour(imp: TerminologyImporter, path: Path) -> dict[str, NamedNode]:
    assert imp.requires is not None
    depth = len(PurePosixPath(imp.location).parts)
    parents = path.resolve().parents
    candidate = default_path(imp.requires, parents[depth - 1]) if len(parents) >= depth else None
    if candidate is None or not candidate.exists():
        raise InvalidParameter(
            f"{imp.name} behöver begreppen i {imp.requires}: ange dem (known) eller läs in "
            f"{imp.requires} i lagret och använd load_terminology.",
            f"{imp.name} needs the concepts of {imp.requires}: pass them (known) or load "
            f"{imp.requires} into the store and use load_terminology.",
            parameter="known",
            requires=imp.requires,
        )
    return known_from_result(import_terminology(imp.requires, candidate), imp)


def _dangling(store: Store, imp: TerminologyImporter) -> list[str]:
    """Concept IRIs of the scheme that content graphs use but the scheme does not define."""
    prefix = f"{KSV}{imp.scheme}/"
    content = [g for g in store.named_graphs() if not g.value.startswith(f"{KSG}vocab/")]
    if not content:
        return []
    values = " ".join(f"<{g.value}>" for g in content)
    rows = store.select(
        f"""SELECT DISTINCT ?c WHERE {{
          VALUES ?g {{ {values} }}
          GRAPH ?g {{ ?s ?p ?c }}
          FILTER(ISIRI(?c) && STRSTARTS(STR(?c), "{prefix}"))
          FILTER NOT EXISTS {{ GRAPH <{imp.graph_iri.value}> {{ ?c a skos:Concept }} }}
        }} ORDER BY ?c"""
    )
    missing = [row["c"].value.removeprefix(prefix) for row in rows]
    if not missing:
        return []
    return [
        f"{len(missing)} {imp.scheme} concepts used by content are not in the imported "
        f"scheme: {', '.join(missing)}."
    ]
