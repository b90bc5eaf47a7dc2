"""Mappings from native source formats to items in the concept model.

Two stages (see ``mappings/README.md``):

1. a generic **reader** (:mod:`service.mapping.readers`: json, jsonl, markdown, xml, feed)
   turns the input bytes into flat records;
2. the source's declarative **mapping file** ``mappings/<source>/mapping.toml``
   (:mod:`service.mapping.rules`) turns each record into one item.

The ingestion pipeline calls :func:`map_input` for a batch and :func:`source_record` for the
source's register entry. Input that cannot be read at all raises
:class:`~service.errors.InvalidParameter`; a record that cannot be mapped is skipped and listed
in :attr:`MappedBatch.errors` (the pipeline decides what to do with the batch). Nothing here
knows HTTP, opens a network connection or reads files other than the mapping folder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph

from service.errors import InvalidParameter, KunskapsgrafError
from service.mapping.codes import CodeLinks, CodeReference, ConceptLookup, link_codes
from service.mapping.readers import read
from service.mapping.rules import Mapping, MappingError, RecordProblem, load_mapping
from service.terms import GRAPH_REGISTER

__all__ = [
    "CodeLinks",
    "ConceptLookup",
    "MappedBatch",
    "MappingError",
    "RecordError",
    "available_mappings",
    "load_source_mapping",
    "map_input",
    "source_record",
]

MAPPING_FILE = "mapping.toml"
SOURCE_FILE = "source.ttl"


@dataclass(frozen=True)
class RecordError:
    """A record that could not be mapped and was skipped."""

    position: str  # "line 12" / "item 3" / "record 'abc'"
    message_sv: str
    message_en: str


@dataclass
class MappedBatch:
    source: str
    triples: list[pyoxigraph.Triple]  # the items (no named graph)
    items: list[str]  # item IRIs produced, in input order
    records: int  # records read
    errors: list[RecordError] = field(default_factory=list)  # records skipped
    mapping_version: str = ""  # sha256 (first 12 hex) of the mapping.toml bytes
    # Subject codes linked to concepts, and those that named none (only when a concept
    # lookup was given; without one, codes stay as mapped and label keywords are dropped).
    links: CodeLinks | None = None


def available_mappings(mappings_dir: Path) -> list[str]:
    """Source keys that have a ``mappings/<source>/mapping.toml``, sorted."""
    if not mappings_dir.is_dir():
        return []
    return sorted(p.parent.name for p in mappings_dir.glob(f"*/{MAPPING_FILE}"))


def _unknown_source(source: str, mappings_dir: Path) -> InvalidParameter:
    valid = available_mappings(mappings_dir)
    return InvalidParameter(
        f"Det finns ingen mappning för källan {source!r}. Källor med mappning: "
        f"{', '.join(valid) or 'inga'}.",
        f"There is no mapping for the source {source!r}. Sources with a mapping: "
        f"{', '.join(valid) or 'none'}.",
        parameter="source",
        value=source,
        valid=valid,
    )


def _source_dir(source: str, mappings_dir: Path) -> Path:
    # Only a known folder name is ever joined to the path (no "../" tricks).
    if source not in available_mappings(mappings_dir):
        raise _unknown_source(source, mappings_dir)
    return mappings_dir / source


def load_source_mapping(source: str, mappings_dir: Path) -> Mapping:
    """The parsed mapping of ``source`` (raises InvalidParameter for an unknown source and
    :class:`MappingError` for a broken mapping file)."""
    raw = (_source_dir(source, mappings_dir) / MAPPING_FILE).read_bytes()
    version = hashlib.sha256(raw).hexdigest()[:12]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MappingError(
            f"mappings/{source}/{MAPPING_FILE} är inte UTF-8.",
            f"mappings/{source}/{MAPPING_FILE} is not UTF-8.",
        ) from None
    return _parsed(text, source, version)


@lru_cache(maxsize=64)
def _parsed(text: str, source: str, version: str) -> Mapping:
    """Parsing is pure and Mapping immutable: a file drop of 1,000 documents parses it once.
    Keyed by the text, so an edited mapping is parsed again."""
    return load_mapping(text, source, version)


def _check_media_type(mapping: Mapping, media_type: str | None) -> None:
    if media_type is None or not mapping.reader.media_types:
        return
    base = media_type.split(";", 1)[0].strip().lower()
    if base not in mapping.reader.media_types:
        valid = list(mapping.reader.media_types)
        raise InvalidParameter(
            f"Källan {mapping.source!r} läses som {mapping.reader.format} och tar emot "
            f"{', '.join(valid)}, inte {base!r}.",
            f"The source {mapping.source!r} is read as {mapping.reader.format} and accepts "
            f"{', '.join(valid)}, not {base!r}.",
            parameter="media_type",
            value=base,
            valid=valid,
        )


def map_input(
    source: str,
    data: bytes,
    *,
    mappings_dir: Path,
    media_type: str | None = None,
    record_url: str | None = None,
    concepts: ConceptLookup | None = None,
) -> MappedBatch:
    """Map one input (a file, a feed, an API response) of ``source`` to items.

    ``record_url`` is where the input was fetched from: relative links in feeds are resolved
    against it, and templates can use it as ``{_input_url}``. With ``concepts`` (the store's
    code systems), ``ks:subject`` codes are kept only when their concept exists and label
    keywords are resolved to concepts (:func:`service.mapping.codes.link_codes`).
    """
    mapping = load_source_mapping(source, mappings_dir)
    _check_media_type(mapping, media_type)
    records = read(data, mapping.reader, base_url=record_url)
    batch = MappedBatch(
        source=source,
        triples=[],
        items=[],
        records=len(records),
        mapping_version=mapping.version,
    )
    seen: dict[str, str] = {}
    references: list[CodeReference] = []
    for record in records:
        if record.error is not None:
            batch.errors.append(RecordError(record.position, *record.error))
            continue
        fields = dict(record.fields)
        if record_url is not None:
            fields.setdefault("_input_url", record_url)
        try:
            fields = mapping.derived(fields)
            local_id = mapping.local_id(fields)
            iri = mapping.item_iri(local_id)
            if iri in seen:
                raise RecordProblem(
                    f"id:t {source}:{local_id} finns redan ({seen[iri]})",
                    f"the id {source}:{local_id} is already taken ({seen[iri]})",
                )
            triples = mapping.map_record(fields, local_id)
            record_references = mapping.code_references(fields, local_id)
        except RecordProblem as problem:
            batch.errors.append(
                RecordError(record.position, problem.message_sv, problem.message_en)
            )
            continue
        seen[iri] = record.position
        batch.items.append(iri)
        batch.triples.extend(triples)
        references.extend(record_references)
    if concepts is not None:
        batch.triples, batch.links = link_codes(batch.triples, references, concepts)
    return batch


def source_record(source: str, mappings_dir: Path) -> list[pyoxigraph.Quad]:
    """The source's register entry (``mappings/<source>/source.ttl``) in graph ksg:register."""
    path = _source_dir(source, mappings_dir) / SOURCE_FILE
    if not path.is_file():
        raise KunskapsgrafError(
            f"Registerposten mappings/{source}/{SOURCE_FILE} saknas.",
            f"The register entry mappings/{source}/{SOURCE_FILE} is missing.",
        )
    try:
        parsed = pyoxigraph.parse(
            path.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE, without_named_graphs=True
        )
        quads = [pyoxigraph.Quad(q.subject, q.predicate, q.object, GRAPH_REGISTER) for q in parsed]
    except SyntaxError as exc:
        raise KunskapsgrafError(
            f"Registerposten mappings/{source}/{SOURCE_FILE} är inte giltig Turtle: {exc}",
            f"The register entry mappings/{source}/{SOURCE_FILE} is not valid Turtle: {exc}",
        ) from None
    return quads
