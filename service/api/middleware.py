"""One ASGI middleware for operations, around every request:

- a request id: the caller's ``X-Request-ID`` when well formed, else a new one; echoed in the
  response and put on every log line written while the request is served;
- rate limits on the public API and SPARQL (``/api/…``, ``/sparql``): one bucket per known
  write token, otherwise one per client address; over the limit → 429 with ``Retry-After``
  and the JSON error shape;
- a body limit on every request (``KUNSKAPSGRAF_MAX_BODY_BYTES``): a declared length over it is
  refused before the application runs, a streamed body as soon as it passes it (413);
- one structured access-log line and the Prometheus request metrics.

Pure ASGI rather than ``BaseHTTPMiddleware``: it adds no task or buffering per request, which
matters under load, and it sees streamed bodies.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_body
from service.config import Settings
from service.errors import KunskapsgrafError, RateLimited
from service.governance.tokens import principals
from service.ingest.runs import RunLog
from service.ops.logging import REQUEST_ID, request_id
from service.ops.metrics import Metrics, ObservedRunLog, directory_bytes
from service.ops.ratelimit import RateLimiter

access_log = logging.getLogger("kunskapsgraf.access")
log = logging.getLogger(__name__)

LIMITED_PREFIXES = ("/api/", "/sparql")


def token_key(token: str) -> str:
    """Bucket key of a token: a hash prefix, so tokens never sit in memory dumps or logs."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]


def _route(scope: Scope) -> str:
    if "route" in scope and scope["route"] is None:
        return "refused"
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class OperationsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        metrics: Metrics,
        address_limiter: RateLimiter,
        token_limiter: RateLimiter,
    ) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.metrics = metrics
        self.address_limiter = address_limiter
        self.token_limiter = token_limiter
        # Every configured principal (tokens in clear, hashed principals, the admin token).
        self.known_tokens = {"token:" + sha[:16] for sha, _ in principals(settings)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        rid = request_id(headers.get("x-request-id"))
        context = REQUEST_ID.set(rid)
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            refusal = self._refusal(scope, headers)
            if refusal is not None:
                scope["route"] = None  # refused before routing: counted as "refused"
                await refusal(scope, receive, send_wrapper)
            else:
                await self.app(scope, self._limited_receive(receive), send_wrapper)
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if not response_started:
                # Answer in the one error shape with the request id; the server error
                # middleware outside sees the response started and only re-raises.
                await JSONResponse(
                    error_body(
                        500,
                        "internal_error",
                        "Ett oväntat fel inträffade i tjänsten.",
                        "An unexpected error occurred in the service.",
                    ),
                    status_code=500,
                )(scope, receive, send_wrapper)
            raise
        finally:
            elapsed = time.perf_counter() - started
            route, method = _route(scope), scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            client = scope.get("client")
            access_log.info(
                "%s %s %s",
                method,
                scope["path"],
                status,
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": client[0] if client else None,
                },
            )
            REQUEST_ID.reset(context)

    def _refusal(self, scope: Scope, headers: Headers) -> JSONResponse | None:
        """A 413 or 429 answer when the request must not reach the application."""
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            return self._too_large()
        if not scope["path"].startswith(LIMITED_PREFIXES):
            return None
        authorization = headers.get("authorization", "")
        key = None
        if authorization.lower().startswith("bearer "):
            key = token_key(authorization[7:].strip())
        if key in self.known_tokens:
            kind, wait = "token", self.token_limiter.check(str(key))
        else:
            client = scope.get("client")
            kind, wait = "address", self.address_limiter.check(client[0] if client else "-")
        if wait <= 0:
            return None
        self.metrics.rate_limited.labels(kind).inc()
        retry = max(1, math.ceil(wait))
        exc = RateLimited(
            f"För många förfrågningar; försök igen om {retry} s.",
            f"Too many requests; try again in {retry} s.",
            retryAfter=retry,
            limitedBy=kind,
        )
        return JSONResponse(
            error_body(exc.status, exc.code, exc.message_sv, exc.message_en, exc.details),
            status_code=exc.status,
            headers={"Retry-After": str(retry)},
        )

    def _too_large(self) -> JSONResponse:
        limit = self.max_body
        return JSONResponse(
            error_body(
                413,
                "payload_too_large",
                f"Innehållet är större än gränsen {limit} byte.",
                f"The body is larger than the limit of {limit} bytes.",
                {"limit": limit},
            ),
            status_code=413,
        )

    def _limited_receive(self, receive: Receive) -> Callable[[], Any]:
        received = 0
        limit = self.max_body

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes FastAPI's body parsing unchanged and is
                    # answered as 413 in the JSON error shape.
                    raise HTTPException(status_code=413)
            return message

        return limited


def _fingerprints(search: Any) -> dict[str, str] | None:
    try:
        found: dict[str, str] = search.index.fingerprints()
        return found
    except Exception:  # an index without fingerprints (or a broken one) is not compared
        return None


def _then(call: Callable[..., Any], after: Callable[[], None]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = call(*args, **kwargs)
        after()
        return result

    return wrapped


def install_operations(app: FastAPI, settings: Settings) -> Metrics:
    """Add the middleware, count errors per code and ingestion runs per source, and follow the
    index's refreshes for the lag metric. Call after the error handlers are installed."""
    metrics = Metrics()
    app.state.metrics = metrics
    burst = settings.rate_limit_burst
    app.state.address_limiter = RateLimiter(settings.rate_limit_per_minute, burst)
    app.state.token_limiter = RateLimiter(settings.token_rate_limit_per_minute, burst)
    app.add_middleware(
        OperationsMiddleware,
        settings=settings,
        metrics=metrics,
        address_limiter=app.state.address_limiter,
        token_limiter=app.state.token_limiter,
    )

    previous = app.exception_handlers[KunskapsgrafError]

    async def counted(request: Request, exc: Exception) -> Response:
        if isinstance(exc, KunskapsgrafError):
            metrics.error(exc.code)
        response = previous(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(KunskapsgrafError, counted)

    run_log: RunLog = app.state.run_log
    app.state.run_log = ObservedRunLog(run_log.path, metrics)

    search = app.state.search
    refresh = search.refresh
    first = [True]

    def observed_refresh(*args: Any, **kwargs: Any) -> None:
        if not first[0]:
            refresh(*args, **kwargs)
            metrics.refreshed()
            return
        # The refresh at start-up reconciles a persistent index with the store (after a
        # crash between a store write and its index update, say): say what it repaired.
        first[0] = False
        before = _fingerprints(search)
        refresh(*args, **kwargs)
        metrics.refreshed()
        after = _fingerprints(search)
        if before is not None and after is not None:
            changed = sum(1 for i, fp in after.items() if before.get(i) != fp)
            removed = sum(1 for i in before if i not in after)
            level = logging.WARNING if before and (changed or removed) else logging.INFO
            log.log(
                level,
                "search index checked against the store at start-up: %d documents "
                "(re)indexed, %d removed",
                changed,
                removed,
                extra={"event": "index_repair", "indexed": changed, "removed": removed},
            )

    # Instance attributes shadow the methods: every index update, whoever calls it, is seen.
    setattr(search, "refresh", observed_refresh)  # noqa: B010
    for name in ("update_items", "update_source"):
        if callable(getattr(search, name, None)):
            setattr(search, name, _then(getattr(search, name), metrics.refreshed))

    store_path = settings.store_path if settings.store == "oxigraph" else None

    def state() -> dict[str, float]:
        values: dict[str, float] = {"kunskapsgraf_store_bytes": directory_bytes(store_path)}
        try:
            values["kunskapsgraf_index_documents"] = app.state.search.index.document_count()
        except Exception:  # an unusable index shows as a missing gauge, never a failed scrape
            log.warning("the search index could not be counted", exc_info=True)
        return values

    metrics.add_state(state)
    return metrics
