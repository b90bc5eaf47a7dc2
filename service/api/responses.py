"""A JSON response for bodies that already have their response model's shape.

FastAPI validates a route's return value against its ``response_model`` and serializes it
again: a tenth of the server's time in a profile of searches at 100,000 items. The search
routes build their body in exactly the model's shape (tests/api/test_search_shape.py checks
that validating it changes nothing), so they send it as it is; the model still documents
the route in OpenAPI.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json
from starlette.responses import JSONResponse


class ShapedJSONResponse(JSONResponse):
    """Sent without FastAPI's validation; serialized by pydantic's (Rust) encoder."""

    def render(self, content: Any) -> bytes:
        # Strict JSON: a non-finite number becomes null rather than ``Infinity``.
        return to_json(content, inf_nan_mode="null")
