"""The source register: every knowledge source as a catalogue record (read by anyone)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from service.api.deps import StoreDep
from service.api.models import ErrorResponse
from service.governance import register

router = APIRouter(prefix="/api/sources", tags=["register"])


@router.get(
    "",
    summary="Källregistret / The source register",
    description="Every knowledge source: publisher, licence and attribution, integration level, "
    "allowed content types, contact, channels, the approval in force and whether its "
    "re-assessment date has passed (`reassessmentDue`).",
)
def list_sources(store: StoreDep) -> dict[str, Any]:
    return {"sources": register.sources(store)}


@router.get(
    "/{source}",
    responses={404: {"model": ErrorResponse}},
    summary="En kunskapskälla / One source",
    description="One source's register record with its whole approval history: each decision "
    "with status, integration level, who decided, when, the criteria assessed and the "
    "re-assessment date.",
)
def get_source(
    store: StoreDep,
    source: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)],
) -> dict[str, Any]:
    return register.source(store, source)
