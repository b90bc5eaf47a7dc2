"""Response models: they document the API (OpenAPI at /docs) and check what it returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Label(BaseModel):
    sv: str
    en: str


class ErrorDetail(BaseModel):
    status: int = Field(examples=[404])
    code: str = Field(examples=["not_found"])
    message: Label
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    error: ErrorDetail


class ConceptRef(BaseModel):
    id: str = Field(description="The concept's notation, e.g. 'lakare' or 'J45'.")
    iri: str | None = None
    label: Label
    system: str | None = None


class SourceRef(BaseModel):
    id: str
    title: str


class ItemRef(BaseModel):
    id: str
    title: str
    kind: str
    source: str


class ItemSummary(BaseModel):
    id: str = Field(examples=["nkk:astma-vuxna"])
    iri: str
    kind: str = Field(description="product, section, recommendation or supplement")
    title: str
    summary: str
    url: str | None
    source: SourceRef
    contentType: ConceptRef | None
    audience: list[ConceptRef]
    region: ConceptRef | None
    partOf: str | None
    supplements: str | None
    lastReviewed: str | None
    nextReview: str | None
    reviewStatus: str = Field(description="aktuell, granskning-snart or granskning-forsenad")
    score: float


class FacetValue(BaseModel):
    value: str
    label: Label
    count: int
    selected: bool


class FacetCounts(BaseModel):
    name: str
    label: Label
    values: list[FacetValue]


class SearchResponse(BaseModel):
    query: str
    total: int
    offset: int
    limit: int
    region: str | None
    items: list[ItemSummary]
    facets: list[FacetCounts]


class SourceInfo(BaseModel):
    id: str | None
    title: str | None
    url: str | None
    attribution: str | None
    licence: dict[str, str | None]
    approvalStatus: str | None
    integrationLevel: str | None


class RegionalSupplementRef(ItemRef):
    region: ConceptRef
    attachedTo: str


class Relation(BaseModel):
    type: str
    label: Label
    items: list[ItemRef]


class ItemResponse(BaseModel):
    id: str
    iri: str
    kind: str
    title: str
    alternativeTitles: list[str]
    summary: str | None = None
    body: str | None = Field(
        default=None, description="Null when the source's integration level does not allow text."
    )
    textAvailable: bool
    rationale: str | None = None
    practicalAdvice: str | None = None
    url: str | None = None
    language: str | None = None
    version: str | None = None
    issued: str | None = None
    modified: str | None = None
    lastReviewed: str | None = None
    nextReview: str | None = None
    reviewStatus: str
    contentType: ConceptRef | None = None
    lifecycle: ConceptRef | None = None
    region: ConceptRef | None = None
    recommendationStrength: ConceptRef | None = None
    evidenceGrade: ConceptRef | None = None
    audience: list[ConceptRef]
    careSetting: list[ConceptRef]
    knowledgeArea: list[ConceptRef]
    patientGroup: list[ConceptRef]
    subjects: list[ConceptRef]
    publisher: dict[str, str] | None
    approvedBy: dict[str, str] | None
    source: SourceInfo | None
    partOf: ItemRef | None
    product: ItemRef | None
    supplements: ItemRef | None
    parts: list[ItemRef]
    regionalSupplements: list[RegionalSupplementRef]
    relations: list[Relation]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    checks: dict[str, Any] = Field(default_factory=dict)
