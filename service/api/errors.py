"""The one JSON error shape, for every 4xx and 5xx the API returns::

    {"error": {"status": 404, "code": "not_found",
               "message": {"sv": "...", "en": "..."},
               "details": {...}}}

``details`` says what was wrong in machine-readable form (parameter, file, line, column ...).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import KunskapsgrafError

log = logging.getLogger(__name__)

HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    404: ("not_found", "Adressen finns inte.", "Not found."),
    405: ("method_not_allowed", "Metoden är inte tillåten här.", "Method not allowed."),
    406: ("not_acceptable", "Formatet kan inte levereras.", "Not acceptable."),
    413: ("payload_too_large", "Förfrågan är för stor.", "Payload too large."),
    415: ("unsupported_media_type", "Innehållstypen stöds inte.", "Unsupported media type."),
}


def error_body(
    status: int, code: str, message_sv: str, message_en: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code,
            "message": {"sv": message_sv, "en": message_en},
            "details": details or {},
        }
    }


def _response(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def handle_kunskapsgraf_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KunskapsgrafError)
    if exc.status >= 500:
        log.error("server error: %s", exc.message_en)
    return _response(
        exc.status, error_body(exc.status, exc.code, exc.message_sv, exc.message_en, exc.details)
    )


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "parameter": ".".join(str(p) for p in err.get("loc", ())[1:]) or None,
            "in": err.get("loc", ("?",))[0],
            "message": err.get("msg", ""),
        }
        for err in exc.errors()
    ]
    names = ", ".join(p["parameter"] or p["in"] for p in problems)
    return _response(
        400,
        error_body(
            400,
            "invalid_parameter",
            f"Ogiltigt värde för: {names}.",
            f"Invalid value for: {names}.",
            {"problems": problems},
        ),
    )


async def handle_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, sv, en = HTTP_MESSAGES.get(
        exc.status_code, ("http_error", "Förfrågan kunde inte behandlas.", str(exc.detail))
    )
    return _response(
        exc.status_code, error_body(exc.status_code, code, sv, en), headers=exc.headers
    )


async def handle_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _response(
        500,
        error_body(
            500,
            "internal_error",
            "Ett oväntat fel inträffade i tjänsten.",
            "An unexpected error occurred in the service.",
        ),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KunskapsgrafError, handle_kunskapsgraf_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected_error)
