"""The exception tree. Every error the service raises on purpose is one of these.

Each class carries an HTTP-independent ``status`` (the API maps it 1:1 to the response code),
a stable machine-readable ``code``, and a message in Swedish and English::

    KunskapsgrafError            500 internal_error
    ├── ClientError              400 bad_request        the caller sent something wrong
    │   ├── InvalidParameter     400 invalid_parameter  a parameter has a wrong type or value
    │   ├── InvalidRdf           400 invalid_rdf        RDF that does not parse (line, column)
    │   ├── InvalidQuery         400 invalid_query      SPARQL that does not parse
    │   ├── Unauthorized         401 unauthorized       no or unknown token
    │   ├── Forbidden            403 forbidden          the token's scope does not cover this
    │   ├── NotFound             404 not_found          unknown id
    │   ├── PayloadTooLarge      413 payload_too_large  a body over the size limit
    │   ├── UnsupportedMediaType 415 unsupported_media_type
    │   ├── ValidationFailed     422 validation_failed  RDF that breaks the specification
    │   └── RateLimited          429 rate_limited       too many requests; Retry-After says when
    └── StoreUnavailable         503 store_unavailable  the store cannot be opened or read

Nothing here knows HTTP; ``service.api.errors`` turns these into the one JSON error shape.
"""

from __future__ import annotations

from typing import Any


class KunskapsgrafError(Exception):
    """Base of all deliberate errors. ``details`` must be JSON-serialisable."""

    status = 500
    code = "internal_error"

    def __init__(self, message_sv: str, message_en: str, **details: Any) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv
        self.message_en = message_en
        self.details: dict[str, Any] = details


class ClientError(KunskapsgrafError):
    status = 400
    code = "bad_request"


class InvalidParameter(ClientError):
    code = "invalid_parameter"


class InvalidRdf(ClientError):
    """RDF that cannot be parsed. ``details`` holds ``file``, ``line`` and ``column``."""

    code = "invalid_rdf"


class InvalidQuery(ClientError):
    code = "invalid_query"


class Unauthorized(ClientError):
    status = 401
    code = "unauthorized"


class Forbidden(ClientError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(ClientError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ClientError):
    status = 415
    code = "unsupported_media_type"


class NotFound(ClientError):
    status = 404
    code = "not_found"


class ValidationFailed(ClientError):
    """Content that breaks the shapes. ``details["results"]`` lists what to fix."""

    status = 422
    code = "validation_failed"


class RateLimited(ClientError):
    """Too many requests from one address or token. ``details["retryAfter"]`` is in seconds
    (the API also sends it as the ``Retry-After`` header)."""

    status = 429
    code = "rate_limited"


class StoreUnavailable(KunskapsgrafError):
    status = 503
    code = "store_unavailable"
