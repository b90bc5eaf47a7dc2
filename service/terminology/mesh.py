"""MeSH descriptors → the SKOS scheme ``ksv:mesh``; machine-translated Swedish labels → a graph
of their own.

``mesh`` reads the descriptor folder: ``terms.tsv`` (``mesh_id<TAB>mesh_name``; the first row
of a descriptor is its ``prefLabel @en``, further rows would be entry terms and become
``altLabel @en``; the 2015 extract has one row per descriptor) and ``tree-numbers.tsv``
(``mesh_id<TAB>mesh_name<TAB>mesh_tree_number``). Notation = descriptor UI (``D001249``).
``skos:broader`` comes from the tree numbers: the descriptor holding the tree number without
its last segment (``C08.127.108`` → ``C08.127``). Descriptors whose tree numbers all sit at the
top of a category (``C08``) are top concepts; the categories themselves (``C`` Diseases) are
not descriptors and are not created.

``mesh-sv`` reads ``derived_mesh_en_sv_pairs.tsv`` (``mesh_en<TAB>label_sv_machine_translated
<TAB>count``) from PubMedQA-swe, joins on the English preferred label (case-insensitively) and
adds each Swedish string as ``skos:altLabel @sv`` — never ``prefLabel``: they are noisy machine
translations (two spellings of one heading are common), good for search recall but not for
display. They live in the graph ``ksg:vocab/mesh-sv``, whose own description says they are
machine-translated, so a query can leave them out by graph.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import Literal, Triple

from service.terminology.base import (
    ALT_LABEL,
    CC0,
    MIT,
    PREF_LABEL,
    ImportResult,
    Known,
    SchemeBuilder,
    SourceInfo,
    TerminologyImporter,
    clean,
    count_labels,
    graph_triples,
    invalid,
    require_dir,
    tsv_rows,
    version_from_path,
)
from service.terms import KSV, vocab_graph

SCHEME = "mesh"
SV_NAME = "mesh-sv"
_UI = re.compile(r"D\d{6,9}")
_TREE = re.compile(r"[A-Z]\d\d(\.\d{3})*")


def info(version: str) -> SourceInfo:
    return SourceInfo(
        label_sv=f"MeSH {version}",
        label_en=f"MeSH {version} (Medical Subject Headings)",
        description_sv=(
            f"Medical Subject Headings (MeSH) {version} från National Library of Medicine: "
            "deskriptorer med engelska benämningar och hierarkin ur trädnumren."
        ),
        description_en=(
            f"Medical Subject Headings (MeSH) {version} from the National Library of Medicine: "
            "descriptors with English labels and the hierarchy from their tree numbers."
        ),
        sources=("https://www.nlm.nih.gov/mesh/",),
        licence=CC0,
        rights_sv="MeSH: U.S. National Library of Medicine; uttaget är märkt CC0.",
        rights_en="MeSH: U.S. National Library of Medicine; the extract is marked CC0.",
        version=version,
    )


SV_INFO = SourceInfo(
    label_sv="Maskinöversatta svenska MeSH-benämningar (PubMedQA-swe)",
    label_en="Machine-translated Swedish MeSH labels (PubMedQA-swe)",
    description_sv=(
        "Maskinöversatta svenska benämningar på MeSH-deskriptorer ur PubMedQA-swe, som "
        "skos:altLabel @sv. De är inte granskade och kan vara felaktiga; de ska bara användas "
        "för sökning, aldrig visas som föredragen benämning."
    ),
    description_en=(
        "Machine-translated Swedish labels for MeSH descriptors from PubMedQA-swe, as "
        "skos:altLabel @sv. They are not reviewed and may be wrong; use them for search only, "
        "never display them as preferred labels."
    ),
    sources=("https://github.com/pubmedqa/pubmedqa",),
    licence=MIT,
    rights_sv="PubMedQA och PubMedQA-swe: MIT-licens.",
    rights_en="PubMedQA and PubMedQA-swe: MIT licence.",
    version="pqal-dev",
)


def parse(path: Path, known: Known | None = None) -> ImportResult:
    """Parse the descriptor folder into the ``ksv:mesh`` scheme."""
    del known
    require_dir(path)
    b = SchemeBuilder(SCHEME, info(version_from_path(path, "2015")))
    terms = path / "terms.tsv"
    for number, fields in tsv_rows(terms, ("mesh_id", "mesh_name")):
        ui = _ui(terms, number, fields[0])
        if ui in b:
            b.alt_label(ui, fields[1], "en")
        else:
            b.concept(ui)
            if not b.pref_label(ui, fields[1], "en"):
                raise invalid(terms, number, f"{ui} saknar namn.", f"{ui} has no name.")

    trees = path / "tree-numbers.tsv"
    owner: dict[str, str] = {}
    numbers: list[tuple[str, str]] = []
    for number, fields in tsv_rows(trees, ("mesh_id", "mesh_name", "mesh_tree_number")):
        ui, tree = _ui(trees, number, fields[0]), fields[2].strip()
        if not _TREE.fullmatch(tree):
            raise invalid(
                trees,
                number,
                f"ogiltigt trädnummer {tree!r}.",
                f"invalid tree number {tree!r}.",
            )
        if ui not in b:
            b.concept(ui)
            b.pref_label(ui, fields[1], "en")
            b.warnings.append(f"{trees.name} line {number}: {ui} is not in terms.tsv.")
        owner[tree] = ui
        numbers.append((ui, tree))
    orphans = 0
    for ui, tree in numbers:
        if "." in tree:
            parent = owner.get(tree.rsplit(".", 1)[0])
            if parent is None:
                orphans += 1
            else:
                b.broader(ui, parent)
    if orphans:
        b.warnings.append(f"{orphans} tree numbers have no parent descriptor.")
    return b.build()


def _ui(path: Path, number: int, value: str) -> str:
    ui = value.strip()
    if not _UI.fullmatch(ui):
        raise invalid(
            path, number, f"ogiltig deskriptor-id {ui!r}.", f"invalid descriptor UI {ui!r}."
        )
    return ui


def key(label: str) -> str:
    """How English headings are compared: whitespace collapsed, case folded."""
    return clean(label).casefold()


def parse_swedish_pairs(path: Path, known: Known | None = None) -> ImportResult:
    """Machine-translated Swedish altLabels for the MeSH concepts in ``known``
    (English preferred label → concept IRI)."""
    if known is None:
        raise invalid(
            path,
            None,
            "de svenska MeSH-benämningarna behöver MeSH-begreppen: läs in mesh först.",
            "the Swedish MeSH labels need the MeSH concepts: import mesh first.",
        )
    by_key = {key(label): iri for label, iri in known.items()}
    graph = vocab_graph(SV_NAME)
    triples = graph_triples(graph, SV_INFO)
    seen: set[tuple[str, str]] = set()
    concepts: set[str] = set()
    unmatched: dict[str, None] = {}
    header = ("mesh_en", "label_sv_machine_translated", "count")
    for number, fields in tsv_rows(path, header):
        english, swedish = clean(fields[0]), clean(fields[1])
        if not english or not fields[2].strip().isdigit():
            raise invalid(
                path,
                number,
                f"väntade 'MeSH-rubrik<TAB>svensk benämning<TAB>antal', fann {fields!r}.",
                f"expected 'MeSH heading<TAB>Swedish label<TAB>count', found {fields!r}.",
            )
        concept = by_key.get(key(english))
        if concept is None:
            unmatched[english] = None
            continue
        if not swedish or (concept.value, swedish.casefold()) in seen:
            continue
        seen.add((concept.value, swedish.casefold()))
        concepts.add(concept.value)
        triples.append(Triple(concept, ALT_LABEL, Literal(swedish, language="sv")))
    warnings = []
    if unmatched:
        sample = ", ".join(list(unmatched)[:10])
        warnings.append(
            f"{len(unmatched)} English headings match no MeSH descriptor (e.g. {sample})."
        )
    return ImportResult(
        scheme=KSV + SCHEME,
        concepts=len(concepts),
        labels=count_labels(triples),
        triples=triples,
        warnings=warnings,
    )


IMPORTER = TerminologyImporter(
    name=SCHEME,
    scheme=SCHEME,
    graph=SCHEME,
    location="mesh-2015-descriptors",
    parse=parse,
    title="MeSH descriptors (terms and tree numbers)",
)

SV_IMPORTER = TerminologyImporter(
    name=SV_NAME,
    scheme=SCHEME,
    graph=SV_NAME,
    location="pubmedqa-swe/derived_mesh_en_sv_pairs.tsv",
    parse=parse_swedish_pairs,
    title="Machine-translated Swedish MeSH labels (PubMedQA-swe pairs)",
    requires=SCHEME,
    key_predicate=PREF_LABEL,
    key_language="en",
)
