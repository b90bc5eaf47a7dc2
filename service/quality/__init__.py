"""Quality rules beyond SHACL, for information architects: SKOS vocabulary quality, unused
ontology terms, and governance (overdue reviews per source, regional supplements awaiting
re-confirmation, sources past their re-assessment date).

Every rule returns :class:`Finding` objects with a severity (``error``, ``warning``, ``info``)
and a message in Swedish and English; ``kunskapsgraf check`` collects them into one report
(:mod:`service.validation.check`). The rules read a :class:`~service.store.Store`, so they run
the same over the files being edited (loaded into an in-memory store) and over a live store.
"""

from service.quality.findings import SEVERITIES, Finding, Severity, short_iri

__all__ = ["SEVERITIES", "Finding", "Severity", "short_iri"]
