"""Rules about the model and its governance, over a store with the model and the content.

* :func:`unused_terms` (info): classes and properties of our ontology that nothing uses;
* :func:`overdue_reviews` (warning): items past their review date, one finding per source
  (from the freshness shapes' warnings, so the review intervals live in one place);
* :func:`supplements_to_reconfirm` (warning): regional supplements written against a national
  version that is no longer current, or flagged "behöver bekräftas" (DOMAIN R10);
* :func:`sources_past_reassessment` (warning): sources whose approval in force has passed its
  re-assessment date (``ks:validUntil``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from service.quality.findings import Finding, short_iri
from service.queries import load_query
from service.store.base import Store
from service.terms import KSS
from service.validation.shacl import ValidationResult

FRESHNESS_SHAPES = (
    KSS + "KnowledgeResource-nextReviewPassed",
    KSS + "KnowledgeResource-reviewIntervalExceeded",
)
# Sources that are wound up or refused are not re-assessed.
_CLOSED_APPROVALS = ("avvecklad", "avslagen")
OWL = "http://www.w3.org/2002/07/owl#"


def unused_terms(store: Store) -> list[Finding]:
    found: list[Finding] = []
    for row in store.select(load_query("quality-unused-terms")):
        term, kind = row["term"].value, row["kind"].value
        name = short_iri(term)
        if kind == OWL + "Class":
            found.append(
                Finding(
                    "unused-class",
                    "info",
                    term,
                    f"Klassen {name} har inga instanser i det lagrade innehållet. Behövs den, "
                    "eller saknas den i mappningarna?",
                    f"The class {name} has no instances in the stored content. Is it needed, or "
                    "missing from the mappings?",
                )
            )
        else:
            found.append(
                Finding(
                    "unused-property",
                    "info",
                    term,
                    f"Egenskapen {name} används inte i det lagrade innehållet (inte heller via "
                    "underegenskaper eller sin invers).",
                    f"The property {name} is not used in the stored content (nor through "
                    "sub-properties or its inverse).",
                )
            )
    return found


def overdue_reviews(results: Iterable[ValidationResult]) -> list[Finding]:
    """One warning per source listing its items whose planned review date has passed."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for result in results:
        if result.shape not in FRESHNESS_SHAPES:
            continue
        item = result.identifier or result.focus_node
        by_source[item.split(":", 1)[0] if result.identifier else "?"].add(item)
    return [
        Finding(
            "review-overdue",
            "warning",
            source,
            f"Källan {source} har {len(items)} poster vars granskning är försenad: "
            f"{_listing(items)}. Kontakta källan eller planera granskningen.",
            f"The source {source} has {len(items)} items overdue for review: "
            f"{_listing(items)}. Contact the source or schedule the review.",
            related=tuple(sorted(items)),
            details={"count": len(items)},
        )
        for source, items in sorted(by_source.items())
    ]


def _listing(items: Iterable[str], limit: int = 5) -> str:
    ordered = sorted(items)
    shown = ", ".join(ordered[:limit])
    return shown + (f" … (+{len(ordered) - limit})" if len(ordered) > limit else "")


def supplements_to_reconfirm(store: Store, today: dt.date) -> list[Finding]:
    found: dict[str, Finding] = {}
    for row in store.select(load_query("quality-supplements-to-reconfirm")):
        iri = row["supplement"].value
        subject = row["identifier"].value if "identifier" in row else iri
        if subject in found:
            continue
        if "status" in row:
            why_sv = "är markerat att det behöver bekräftas"
            why_en = "is flagged as needing re-confirmation"
        else:
            pinned = short_iri(row["pinned"].value)
            current = short_iri(row["current"].value)
            since = row["currentReviewed"].value if "currentReviewed" in row else None
            days = _days_since(since, today)
            age_sv = f", sedan {since} ({days} dagar)" if since and days is not None else ""
            age_en = f", since {since} ({days} days)" if since and days is not None else ""
            why_sv = (
                f"skrevs mot {pinned} men den gällande nationella versionen är {current}{age_sv}"
            )
            why_en = (
                f"was written against {pinned} but the current national version is "
                f"{current}{age_en}"
            )
        found[subject] = Finding(
            "supplement-reconfirmation",
            "warning",
            subject,
            f"Det regionala tillägget {subject} {why_sv}. Regionen behöver bekräfta eller "
            "uppdatera tillägget (ks:supplementsVersion).",
            f"The regional supplement {subject} {why_en}. The region needs to re-confirm or "
            "update the supplement (ks:supplementsVersion).",
            field="ks:supplementsVersion",
            value=row["pinned"].value if "pinned" in row else row["status"].value,
        )
    return list(found.values())


def sources_past_reassessment(store: Store, today: dt.date) -> list[Finding]:
    found: list[Finding] = []
    for row in store.select(load_query("quality-source-reassessment")):
        status = row["status"].value.rsplit("/", 1)[-1] if "status" in row else ""
        valid_until = _date(row["validUntil"].value)
        if status in _CLOSED_APPROVALS or valid_until is None or valid_until >= today:
            continue
        key = row["key"].value if "key" in row else row["source"].value
        days = (today - valid_until).days
        found.append(
            Finding(
                "source-reassessment-passed",
                "warning",
                key,
                f"Källan {key} skulle ha omprövats senast {valid_until.isoformat()} ({days} dagar "
                "sedan). Gör en ny bedömning av kriterierna och registrera ett nytt "
                "källgodkännande (ks:SourceApproval).",
                f"The source {key} was due for re-assessment on {valid_until.isoformat()} ({days} "
                "days ago). Assess the criteria again and record a new source approval "
                "(ks:SourceApproval).",
                field="ks:validUntil",
                value=valid_until.isoformat(),
                related=(row["approval"].value,),
            )
        )
    return found


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _days_since(text: str | None, today: dt.date) -> int | None:
    day = _date(text) if text else None
    return None if day is None else (today - day).days
