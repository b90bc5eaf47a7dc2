"""Fetching documents over HTTP(S) with the standard library, and nothing else.

``UrlFetcher`` is the harvesters' only way onto the network. It speaks http and https only:
the opener is built by hand without urllib's file, ftp and data handlers, a redirect to any
other scheme is refused, and every URL is checked before it is requested. Every request has
a timeout (``Settings.harvest_timeout_s``) for connecting, for each read and for the whole
response, and a response over ``Settings.max_body_bytes`` is refused. A ``304 Not Modified``
is an answer, not an error.

Anything that implements :class:`Fetcher` can stand in for it (a test double, a client with
other transport needs); the harvester checks URLs and sizes again whatever the fetcher does.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import IO, Any, Protocol
from urllib.parse import urljoin, urlsplit

from service.errors import KunskapsgrafError

__all__ = ["SCHEMES", "USER_AGENT", "FetchError", "Fetched", "Fetcher", "UrlFetcher", "check_url"]

SCHEMES = ("http", "https")
USER_AGENT = "kunskapsgraf-harvester/0.1 (+https://kunskapsgraf.se)"
_CHUNK = 64 * 1024


class FetchError(KunskapsgrafError):
    """A document could not be fetched: refused URL or redirect, unreachable server, timeout,
    too large, or an HTTP error status. ``details`` holds ``url`` (and ``status``)."""

    status = 502
    code = "fetch_failed"


@dataclass(frozen=True)
class Fetched:
    """One answer: 200 with a body, or 304 without one.

    ``url`` is where the body came from after redirects (relative links resolve against it);
    ``headers`` has lower-case names, repeated headers joined with ", ".
    """

    url: str
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Fetcher(Protocol):
    """GET ``url`` with extra request ``headers``; raise :class:`FetchError` on failure."""

    def __call__(self, url: str, headers: Mapping[str, str]) -> Fetched: ...


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host, else :class:`FetchError`."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise FetchError(
            f"Skördaren hämtar bara http- och https-adresser, inte {url!r}.",
            f"The harvester only fetches http and https URLs, not {url!r}.",
            url=url,
        )
    return url


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """urllib's redirects, but only to http and https (urllib itself also allows ftp)."""

    max_redirections = 5

    def _refuse_other_schemes(
        self, req: urllib.request.Request, fp: IO[bytes], headers: Message
    ) -> None:
        location = headers.get("location") or headers.get("uri")
        if location is None:
            return
        target = urljoin(req.full_url, location)
        if urlsplit(target).scheme.lower() not in SCHEMES:
            fp.close()
            raise FetchError(
                f"{req.full_url} omdirigerar till {target!r}; skördaren följer bara "
                "omdirigeringar till http och https.",
                f"{req.full_url} redirects to {target!r}; the harvester only follows redirects "
                "to http and https.",
                url=req.full_url,
                location=target,
            )

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
    ) -> Any:
        self._refuse_other_schemes(req, fp, headers)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _headers(message: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in message.items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


class UrlFetcher:
    """The standard-library fetcher: http/https only, timeouts and a size limit everywhere.

    >>> UrlFetcher(timeout_s=1, max_bytes=10)("file:///etc/passwd", {})
    Traceback (most recent call last):
    ...
    service.harvest.fetch.FetchError: The harvester only fetches http and https URLs, not 'file:///etc/passwd'.
    """

    def __init__(self, timeout_s: float, max_bytes: int) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        # Built by hand: no FileHandler, FTPHandler or DataHandler, whatever a URL says.
        self._opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),  # the standard *_proxy / no_proxy variables
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(),
            _RedirectHandler(),
            urllib.request.HTTPDefaultErrorHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            self._opener.add_handler(handler)

    def __call__(self, url: str, headers: Mapping[str, str]) -> Fetched:
        check_url(url)
        request = urllib.request.Request(
            url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers}
        )
        deadline = time.monotonic() + self.timeout_s
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                final = check_url(response.geturl())
                body = self._read(response, url, deadline)
                return Fetched(final, response.status, body, _headers(response.headers))
        except urllib.error.HTTPError as exc:
            with exc:
                if exc.code == 304:
                    return Fetched(url, 304, b"", _headers(exc.headers))
                raise FetchError(
                    f"{url} svarade {exc.code} {exc.reason}.",
                    f"{url} answered {exc.code} {exc.reason}.",
                    url=url,
                    status=exc.code,
                ) from None
        except FetchError:
            raise
        except (TimeoutError, urllib.error.URLError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if isinstance(reason, TimeoutError):
                raise self._timeout(url) from None
            raise FetchError(
                f"{url} kunde inte hämtas: {reason}.",
                f"{url} could not be fetched: {reason}.",
                url=url,
            ) from None
        except (http.client.HTTPException, OSError) as exc:
            raise FetchError(
                f"{url} kunde inte hämtas: {exc!r}.",
                f"{url} could not be fetched: {exc!r}.",
                url=url,
            ) from None

    def _timeout(self, url: str) -> FetchError:
        return FetchError(
            f"{url} svarade inte inom {self.timeout_s:g} s (KUNSKAPSGRAF_HARVEST_TIMEOUT_S).",
            f"{url} did not answer within {self.timeout_s:g} s (KUNSKAPSGRAF_HARVEST_TIMEOUT_S).",
            url=url,
            timeout_s=self.timeout_s,
        )

    def _too_large(self, url: str) -> FetchError:
        return FetchError(
            f"{url} är större än {self.max_bytes} byte (KUNSKAPSGRAF_MAX_BODY_BYTES).",
            f"{url} is larger than {self.max_bytes} bytes (KUNSKAPSGRAF_MAX_BODY_BYTES).",
            url=url,
            max_bytes=self.max_bytes,
        )

    def _read(self, response: Any, url: str, deadline: float) -> bytes:
        length = response.headers.get("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_bytes:
            raise self._too_large(url)
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:  # a server that trickles bytes forever
                raise self._timeout(url)
            chunk: bytes = response.read1(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large(url)
            chunks.append(chunk)
