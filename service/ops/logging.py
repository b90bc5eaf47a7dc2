"""Structured logs: one JSON object per line, each carrying the request id of the request
being served (``X-Request-ID``), so one request can be followed through every log line.

    >>> import io, json, logging
    >>> out = io.StringIO()
    >>> handler = logging.StreamHandler(out)
    >>> handler.setFormatter(JsonFormatter())
    >>> handler.addFilter(RequestIdFilter())
    >>> log = logging.getLogger("doctest")
    >>> log.addHandler(handler)
    >>> token = REQUEST_ID.set("abc123")
    >>> log.warning("hej", extra={"status": 200})
    >>> REQUEST_ID.reset(token)
    >>> record = json.loads(out.getvalue())
    >>> record["message"], record["request_id"], record["status"]
    ('hej', 'abc123', 200)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# What a caller may send as X-Request-ID: short, and nothing that could forge a log line.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Attributes every LogRecord has; anything else came in through ``extra=`` and is logged.
# (uvicorn adds ``color_message``, the same message with terminal colours.)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


def request_id(incoming: str | None) -> str:
    """The caller's request id when it is well formed, otherwise a new one."""
    if incoming and _VALID_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send every logger (ours, uvicorn's) to stderr, as JSON lines or as plain text."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
