"""One finding of a quality rule, and the severities."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from service.terms import PREFIXES

Severity = Literal["error", "warning", "info"]
# Most severe first: reports list in this order and ``--fail-on`` compares against it.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

_SHORT = sorted(((ns, prefix) for prefix, ns in PREFIXES.items()), key=lambda p: -len(p[0]))


def short_iri(iri: str) -> str:
    """``https://kunskapsgraf.se/vocab/audience/lakare`` → ``ksv:audience/lakare``."""
    for namespace, prefix in _SHORT:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


@dataclass(frozen=True)
class Finding:
    """What a rule found about one subject (a concept, a term, an item, a source).

    ``key`` identifies the finding across runs (for ``check --since``): it leaves out the
    messages, which may mention today's date."""

    rule: str  # stable rule id, e.g. "skos-cycle" or a shape's local name
    severity: Severity
    subject: str  # IRI, item identifier or source key
    message_sv: str
    message_en: str
    related: tuple[str, ...] = ()  # other subjects involved (members of a cycle, items …)
    field: str | None = None  # the property concerned, when there is one
    value: str | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str, str | None, str | None, tuple[str, ...]]:
        return (self.rule, self.subject, self.field, self.value, self.related)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "field": self.field,
            "value": self.value,
            "related": list(self.related),
            "message": {"sv": self.message_sv, "en": self.message_en},
            **({"details": self.details} if self.details else {}),
        }
