"""Ingestion: bring content in, through mappings and the information specification.

``ingest_batch`` (pipeline.py) is the one write path for content; ``parse_rdf`` reads pushed
RDF safely; ``authorize`` checks write scopes; ``RunLog`` keeps every run, rejected ones too.
"""

from service.ingest.auth import authorize
from service.ingest.parse import RDF_MEDIA_TYPES, media_type, parse_rdf
from service.ingest.pipeline import IngestReport, ingest_batch
from service.ingest.runs import RunLog

__all__ = [
    "RDF_MEDIA_TYPES",
    "IngestReport",
    "RunLog",
    "authorize",
    "ingest_batch",
    "media_type",
    "parse_rdf",
]
