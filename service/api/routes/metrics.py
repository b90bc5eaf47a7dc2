"""Prometheus metrics of this process (see ``service.ops.metrics`` for what is counted).

Served without a token, like /health: expose it only to the monitoring network (the reverse
proxy in front keeps /metrics internal)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.ops.metrics import CONTENT_TYPE, Metrics

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    summary="Mätvärden / Prometheus metrics",
    responses={200: {"content": {CONTENT_TYPE: {}}}},
)
def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE)
