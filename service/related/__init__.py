"""Related content that explains itself: explicit relations, shared concepts weighted by
specificity, closeness in the concept hierarchy and diversity across sources, precomputed when
the service refreshes (``RelatedService.refresh``)."""

from __future__ import annotations

from service.related.index import RelatedIndex, build_index, concept_id
from service.related.service import DEFAULT_LIMIT, MAX_LIMIT, RelatedService

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "RelatedIndex",
    "RelatedService",
    "build_index",
    "concept_id",
]
