"""Shared pieces of the terminology importers: the result type, the importer record, a builder
that turns concepts into SKOS triples, and line reading with file-and-line errors.

Output is SKOS only (plus ``dcterms:``/``owl:versionInfo`` on the scheme resource, or on the
named graph of an annotation importer). Nothing here knows HTTP or the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from service.errors import InvalidParameter
from service.terms import KSV, SKOS, vocab_graph

DCTERMS = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SKOS_CONCEPT = NamedNode(SKOS + "Concept")
SKOS_CONCEPT_SCHEME = NamedNode(SKOS + "ConceptScheme")
PREF_LABEL = NamedNode(SKOS + "prefLabel")
ALT_LABEL = NamedNode(SKOS + "altLabel")
HIDDEN_LABEL = NamedNode(SKOS + "hiddenLabel")
NOTATION = NamedNode(SKOS + "notation")
DEFINITION = NamedNode(SKOS + "definition")
SCOPE_NOTE = NamedNode(SKOS + "scopeNote")
IN_SCHEME = NamedNode(SKOS + "inScheme")
TOP_CONCEPT_OF = NamedNode(SKOS + "topConceptOf")
HAS_TOP_CONCEPT = NamedNode(SKOS + "hasTopConcept")
BROADER = NamedNode(SKOS + "broader")
NARROWER = NamedNode(SKOS + "narrower")
RELATED = NamedNode(SKOS + "related")
EXACT_MATCH = NamedNode(SKOS + "exactMatch")
CLOSE_MATCH = NamedNode(SKOS + "closeMatch")
BROAD_MATCH = NamedNode(SKOS + "broadMatch")
RELATED_MATCH = NamedNode(SKOS + "relatedMatch")
DCT_SOURCE = NamedNode(DCTERMS + "source")
DCT_LICENSE = NamedNode(DCTERMS + "license")
DCT_RIGHTS = NamedNode(DCTERMS + "rights")
DCT_DESCRIPTION = NamedNode(DCTERMS + "description")
DCT_TITLE = NamedNode(DCTERMS + "title")
OWL_VERSION_INFO = NamedNode(OWL + "versionInfo")

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
CC_BY_3 = "https://creativecommons.org/licenses/by/3.0/"
MIT = "https://opensource.org/license/mit"

_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


@dataclass
class ImportResult:
    """What an importer produced.

    ``scheme`` is the IRI of the concept scheme the triples describe; ``concepts`` the number
    of concepts created (for an annotation importer such as ``icd-10-who-en``: the number of
    existing concepts it labelled); ``labels`` counts label triples by ``<property>@<lang>``
    (e.g. ``"prefLabel@sv"``); ``warnings`` are data problems that did not stop the import.
    """

    scheme: str
    concepts: int
    labels: dict[str, int]
    triples: list[Triple]
    warnings: list[str] = field(default_factory=list)


Known = Mapping[str, NamedNode]
Parser = Callable[[Path, Known | None], ImportResult]


@dataclass(frozen=True)
class TerminologyImporter:
    """One importable terminology.

    ``graph`` is the name of the vocabulary graph (``ksg:vocab/<graph>``) that
    ``load_terminology`` replaces. An annotation importer (``requires`` set) adds labels to the
    concepts of another terminology; it needs those concepts as ``known``: a mapping from a key
    (the value of ``key_predicate``, in ``key_language`` when given) to the concept IRI.
    """

    name: str
    scheme: str
    graph: str
    location: str  # default location relative to the shared data folder
    parse: Parser
    title: str
    requires: str | None = None
    key_predicate: NamedNode | None = None
    key_language: str | None = None

    @property
    def scheme_iri(self) -> NamedNode:
        return NamedNode(KSV + self.scheme)

    @property
    def graph_iri(self) -> NamedNode:
        return vocab_graph(self.graph)


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of an import: goes onto the scheme (or the annotation graph) resource."""

    label_sv: str
    label_en: str
    description_sv: str
    description_en: str
    sources: tuple[str, ...]
    licence: str
    rights_sv: str
    rights_en: str
    version: str


def version_from_path(path: Path, default: str) -> str:
    """The year in the data folder's or file's name (``icd-10-se-2021`` → ``2021``)."""
    for part in (path.name, path.parent.name):
        found = _YEAR.search(part)
        if found:
            return found[0]
    return default


def clean(text: str) -> str:
    """Collapse runs of whitespace (tabs, trailing spaces) into single spaces."""
    return " ".join(text.split())


def invalid(path: Path, line: int | None, sv: str, en: str) -> InvalidParameter:
    where_sv = f"{path} rad {line}" if line else str(path)
    where_en = f"{path} line {line}" if line else str(path)
    return InvalidParameter(f"{where_sv}: {sv}", f"{where_en}: {en}", file=str(path), line=line)


def require_file(path: Path) -> Path:
    if not path.is_file():
        raise invalid(path, None, "filen finns inte.", "the file does not exist.")
    return path


def require_dir(path: Path) -> Path:
    if not path.is_dir():
        raise invalid(path, None, "mappen finns inte.", "the folder does not exist.")
    return path


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line)`` without the line ending; UTF-8 with or without BOM.
    Blank lines are skipped. Undecodable bytes raise ``InvalidParameter`` with the line."""
    require_file(path)
    number = 0
    with path.open("rb") as handle:
        for raw in handle:
            number += 1
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise invalid(
                    path,
                    number,
                    f"inte giltig UTF-8 ({exc.reason}).",
                    f"not valid UTF-8 ({exc.reason}).",
                ) from exc
            line = line.rstrip("\r\n")
            if line.strip():
                yield number, line


def tsv_rows(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """Rows of a tab-separated file whose first line is ``header`` (checked)."""
    lines = read_lines(path)
    first = next(lines, None)
    if first is None:
        raise invalid(path, None, "filen är tom.", "the file is empty.")
    number, line = first
    found = tuple(c.strip() for c in line.split("\t"))
    if found[: len(header)] != header:
        expected = "\\t".join(header)
        raise invalid(
            path,
            number,
            f"väntade rubrikraden {expected!r}.",
            f"expected the header line {expected!r}.",
        )
    for number, line in lines:
        fields = line.split("\t")
        if len(fields) < len(header):
            raise invalid(
                path,
                number,
                f"väntade {len(header)} kolumner, fann {len(fields)}.",
                f"expected {len(header)} columns, found {len(fields)}.",
            )
        yield number, fields


def literal(text: str, language: str) -> Literal:
    return Literal(text, language=language)


def scheme_triples(scheme: NamedNode, info: SourceInfo) -> list[Triple]:
    """The scheme resource: labels, description, source, licence, rights and version."""
    return [
        Triple(scheme, RDF_TYPE, SKOS_CONCEPT_SCHEME),
        *_provenance(scheme, info, PREF_LABEL, DEFINITION),
    ]


def graph_triples(graph: NamedNode, info: SourceInfo) -> list[Triple]:
    """Provenance of an annotation graph, stated about the graph's own IRI."""
    return _provenance(graph, info, DCT_TITLE, DCT_DESCRIPTION)


def _provenance(
    subject: NamedNode, info: SourceInfo, label: NamedNode, description: NamedNode
) -> list[Triple]:
    triples = [
        Triple(subject, label, literal(info.label_sv, "sv")),
        Triple(subject, label, literal(info.label_en, "en")),
        Triple(subject, description, literal(info.description_sv, "sv")),
        Triple(subject, description, literal(info.description_en, "en")),
    ]
    triples += [Triple(subject, DCT_SOURCE, NamedNode(s)) for s in info.sources]
    triples += [
        Triple(subject, DCT_LICENSE, NamedNode(info.licence)),
        Triple(subject, DCT_RIGHTS, literal(info.rights_sv, "sv")),
        Triple(subject, DCT_RIGHTS, literal(info.rights_en, "en")),
        Triple(subject, OWL_VERSION_INFO, Literal(info.version)),
    ]
    return triples


@dataclass
class _Concept:
    iri: NamedNode
    notation: str | None
    pref: dict[str, str] = field(default_factory=dict)
    alt: dict[str, dict[str, None]] = field(default_factory=dict)
    hidden: dict[str, dict[str, None]] = field(default_factory=dict)
    notes: list[tuple[NamedNode, Literal]] = field(default_factory=list)
    broader: dict[str, None] = field(default_factory=dict)
    links: dict[tuple[NamedNode, NamedNode], None] = field(default_factory=dict)


class SchemeBuilder:
    """Collects concepts keyed by local name and emits SKOS triples.

    Guarantees on the output: one ``prefLabel`` per language (a second one becomes an
    ``altLabel``), no ``altLabel``/``hiddenLabel`` equal to a label of a stronger kind in the
    same language, ``narrower`` for every ``broader``, ``topConceptOf``/``hasTopConcept`` for
    every concept without a broader concept in the scheme, plain-string notations.
    """

    def __init__(self, scheme: str, info: SourceInfo) -> None:
        self.scheme_name = scheme
        self.scheme = NamedNode(KSV + scheme)
        self.info = info
        self.warnings: list[str] = []
        self._concepts: dict[str, _Concept] = {}
        self._demoted = 0

    def iri(self, local: str) -> NamedNode:
        return NamedNode(f"{KSV}{self.scheme_name}/{local}")

    def __contains__(self, local: str) -> bool:
        return local in self._concepts

    def __len__(self) -> int:
        return len(self._concepts)

    def concept(self, local: str, notation: str | None = None) -> NamedNode:
        """Create (or return) the concept ``ksv:<scheme>/<local>``; notation defaults to local."""
        found = self._concepts.get(local)
        if found is None:
            found = _Concept(self.iri(local), local if notation is None else notation)
            self._concepts[local] = found
        return found.iri

    def pref_label(self, local: str, text: str, language: str) -> bool:
        text = clean(text)
        if not text:
            return False
        labels = self._concepts[local].pref
        if language in labels and labels[language] != text:
            self._demoted += 1
            return self.alt_label(local, text, language)
        labels[language] = text
        return True

    def alt_label(self, local: str, text: str, language: str) -> bool:
        return self._add_label(self._concepts[local].alt, text, language)

    def hidden_label(self, local: str, text: str, language: str) -> bool:
        return self._add_label(self._concepts[local].hidden, text, language)

    @staticmethod
    def _add_label(target: dict[str, dict[str, None]], text: str, language: str) -> bool:
        text = clean(text)
        if not text:
            return False
        target.setdefault(language, {})[text] = None
        return True

    def note(self, local: str, predicate: NamedNode, text: str, language: str) -> None:
        text = clean(text)
        if text:
            self._concepts[local].notes.append((predicate, literal(text, language)))

    def broader(self, local: str, parent: str) -> None:
        if parent != local:
            self._concepts[local].broader[parent] = None

    def has_broader(self, local: str) -> bool:
        return bool(self._concepts[local].broader)

    def link(self, local: str, predicate: NamedNode, target: NamedNode) -> None:
        """Any other relation from the concept (``related``, ``exactMatch``, …)."""
        self._concepts[local].links[(predicate, target)] = None

    def build(self, extra_warnings: list[str] | None = None) -> ImportResult:
        labels: dict[str, int] = {}
        warnings = list(self.warnings) + (extra_warnings or [])
        if self._demoted:
            warnings.append(
                f"{self._demoted} second preferred labels in a language were kept as altLabel."
            )
        body: list[Triple] = []
        tops: list[NamedNode] = []
        missing_parents = 0
        for concept in self._concepts.values():
            s = concept.iri
            body.append(Triple(s, RDF_TYPE, SKOS_CONCEPT))
            body.append(Triple(s, IN_SCHEME, self.scheme))
            if concept.notation is not None:
                body.append(Triple(s, NOTATION, Literal(concept.notation)))
            for language, text in concept.pref.items():
                body.append(Triple(s, PREF_LABEL, literal(text, language)))
                _count(labels, "prefLabel", language)
            for language, texts in concept.alt.items():
                for text in texts:
                    if concept.pref.get(language) != text:
                        body.append(Triple(s, ALT_LABEL, literal(text, language)))
                        _count(labels, "altLabel", language)
            for language, texts in concept.hidden.items():
                stronger = concept.alt.get(language, {})
                for text in texts:
                    if concept.pref.get(language) != text and text not in stronger:
                        body.append(Triple(s, HIDDEN_LABEL, literal(text, language)))
                        _count(labels, "hiddenLabel", language)
            for predicate, value in concept.notes:
                body.append(Triple(s, predicate, value))
            parents = [self._concepts[p] for p in concept.broader if p in self._concepts]
            missing_parents += len(concept.broader) - len(parents)
            for parent in parents:
                body.append(Triple(s, BROADER, parent.iri))
                body.append(Triple(parent.iri, NARROWER, s))
            if not parents:
                body.append(Triple(s, TOP_CONCEPT_OF, self.scheme))
                tops.append(s)
            for predicate, target in concept.links:
                body.append(Triple(s, predicate, target))
        if missing_parents:
            warnings.append(f"{missing_parents} broader links to unknown concepts were dropped.")
        head = scheme_triples(self.scheme, self.info)
        head += [Triple(self.scheme, HAS_TOP_CONCEPT, top) for top in tops]
        return ImportResult(
            scheme=self.scheme.value,
            concepts=len(self._concepts),
            labels=labels,
            triples=head + body,
            warnings=warnings,
        )


def _count(labels: dict[str, int], kind: str, language: str) -> None:
    key = f"{kind}@{language}"
    labels[key] = labels.get(key, 0) + 1


def count_labels(triples: list[Triple]) -> dict[str, int]:
    """Label triples by ``<property>@<lang>`` (for annotation importers)."""
    labels: dict[str, int] = {}
    names = {PREF_LABEL: "prefLabel", ALT_LABEL: "altLabel", HIDDEN_LABEL: "hiddenLabel"}
    for t in triples:
        kind = names.get(t.predicate)
        if kind is not None and isinstance(t.object, Literal) and t.object.language:
            _count(labels, kind, t.object.language)
    return labels
