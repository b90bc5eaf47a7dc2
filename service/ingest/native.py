"""Native formats: a source's own format through its mapping (``mappings/<source>/``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Triple

from service import mapping
from service.config import Settings
from service.errors import UnsupportedMediaType, ValidationFailed
from service.ingest.linking import StoreConcepts
from service.ingest.parse import RDF_MEDIA_TYPES
from service.mapping import CodeLinks, MappedBatch, RecordError
from service.store.base import Store


@dataclass
class NativeBatch:
    triples: list[Triple]
    mapping_version: str
    skipped: list[RecordError]  # records that could not be mapped (only when partial)
    links: CodeLinks  # codes linked to the store's concepts, and those that named none


def map_native(
    settings: Settings,
    source: str,
    documents: Sequence[tuple[bytes, str | None]],
    media_type: str | None,
    *,
    store: Store,
    partial: bool = False,
) -> NativeBatch:
    """Map one or more documents (bytes, record URL) of ``source``'s native format, linking
    their codes to the concepts in ``store``.

    A record that cannot be mapped rejects the whole batch (422, listing each record) unless
    ``partial``, when such records are skipped and returned.
    """
    if source not in mapping.available_mappings(settings.mappings_dir):
        accepted = sorted(RDF_MEDIA_TYPES)
        raise UnsupportedMediaType(
            f"Källan '{source}' har ingen mappning; skicka RDF ({', '.join(accepted)}).",
            f"Source '{source}' has no mapping; send RDF ({', '.join(accepted)}).",
            accepted=accepted,
        )
    triples: list[Triple] = []
    errors: list[RecordError] = []
    version = ""
    concepts = StoreConcepts(store)
    links = CodeLinks()
    for data, url in documents:
        batch: MappedBatch = mapping.map_input(
            source,
            data,
            mappings_dir=settings.mappings_dir,
            media_type=media_type,
            record_url=url,
            concepts=concepts,
        )
        triples.extend(batch.triples)
        errors.extend(batch.errors)
        version = batch.mapping_version
        if batch.links is not None:
            links.merge(batch.links)
    if errors and not partial:
        raise ValidationFailed(
            f"{len(errors)} poster kunde inte mappas; inget sparades.",
            f"{len(errors)} records could not be mapped; nothing was stored.",
            results=[
                {"record": e.position, "message": {"sv": e.message_sv, "en": e.message_en}}
                for e in errors
            ],
        )
    return NativeBatch(triples, version, errors, links)


def read_documents(path: Path, pattern: str = "*") -> list[tuple[bytes, str | None]]:
    """A file, or the files matching ``pattern`` anywhere below a directory (sorted)."""
    files = sorted(p for p in path.rglob(pattern) if p.is_file()) if path.is_dir() else [path]
    return [(p.read_bytes(), None) for p in files]
