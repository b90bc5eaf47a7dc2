"""Limits: rate limits per client address and per token on the public API and SPARQL (429
with Retry-After and the JSON error shape), a body limit on every request, and a deadline on
every request a harvester makes. The limiter's clock is set by hand: no sleeping, no timing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.harvest.fetch import FetchError, UrlFetcher
from service.ops.ratelimit import RateLimiter

TOKEN = "nkk-hemlig"


@pytest.fixture
def limited(settings: Settings) -> Iterator[tuple[TestClient, list[float]]]:
    """An app allowing 60 requests a minute and bursts of 2, with a hand-set clock."""
    conf = settings.model_copy(
        update={
            "rate_limit_per_minute": 60,
            "token_rate_limit_per_minute": 60,
            "rate_limit_burst": 2,
            "tokens": {"nkk": TOKEN},
            "max_body_bytes": 1_000,
        }
    )
    now = [0.0]
    app = create_app(conf)
    app.state.address_limiter.clock = lambda: now[0]
    app.state.token_limiter.clock = lambda: now[0]
    with TestClient(app) as client:
        yield client, now


def assert_rate_limited(response: Any, retry_after: int, kind: str) -> None:
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(retry_after)
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and error["status"] == 429
    assert error["message"]["sv"].startswith("För många förfrågningar")
    assert error["details"] == {"retryAfter": retry_after, "limitedBy": kind}


def test_a_client_address_over_its_rate_gets_429_with_retry_after(
    limited: tuple[TestClient, list[float]],
) -> None:
    client, now = limited
    assert client.get("/api/search?q=astma").status_code == 200
    assert client.get("/api/search?q=astma").status_code == 200
    assert_rate_limited(client.get("/api/search?q=astma"), 1, "address")
    assert_rate_limited(client.get("/sparql", params={"query": "ASK {}"}), 1, "address")
    # Health and metrics are for the operators' probes: never limited.
    assert client.get("/health/live").status_code == 200
    assert client.get("/metrics").status_code == 200
    now[0] = 1.0  # one request's worth of tokens back (60 a minute)
    assert client.get("/api/search?q=astma").status_code == 200
    assert client.get("/api/search?q=astma").status_code == 429


def test_a_known_token_has_its_own_bucket_and_an_unknown_one_does_not(
    limited: tuple[TestClient, list[float]],
) -> None:
    client, _ = limited
    for _ in range(2):
        client.get("/api/search?q=astma")
    assert client.get("/api/search?q=astma").status_code == 429
    known = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/api/sources/nkk/runs", headers=known).status_code == 200
    assert client.get("/api/search?q=astma", headers=known).status_code == 200
    assert_rate_limited(client.get("/api/sources/nkk/runs", headers=known), 1, "token")
    # A made-up token cannot buy a fresh bucket: it counts against the address.
    made_up = {"Authorization": "Bearer gissning"}
    assert_rate_limited(client.get("/api/search?q=astma", headers=made_up), 1, "address")


def test_limits_can_be_switched_off() -> None:
    limiter = RateLimiter(per_minute=0, burst=1)
    assert not limiter.enabled
    assert all(limiter.check("x") == 0 for _ in range(1000))


def test_many_addresses_do_not_grow_memory_without_bound() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=5, clock=lambda: now[0])
    for i in range(10_000):
        limiter.check(f"10.0.{i // 256}.{i % 256}")
    now[0] = 60.0  # every bucket has refilled: forgetting them changes nothing
    limiter.check("192.0.2.1")
    assert len(limiter) == 1


def test_every_body_is_limited_declared_or_streamed(
    limited: tuple[TestClient, list[float]],
) -> None:
    client, now = limited
    big = b"x" * 1_001
    for path in ("/api/sources/nkk/items", "/sparql", "/admin/backup"):
        now[0] += 10  # the bucket refills: this test is about sizes
        answer = client.post(path, content=big, headers={"Content-Type": "text/turtle"})
        assert answer.status_code == 413, path
        assert answer.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(5):
            yield b"x" * 300

    now[0] += 10
    answer = client.post(
        "/admin/backup", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


@pytest.fixture
def trickling_server() -> Iterator[str]:
    """Answers 200 and then sends one byte every 0.2 s for as long as the client listens:
    every single read succeeds, only a deadline for the whole response stops it."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n")
                try:
                    while not stop.wait(0.2):
                        connection.sendall(b"<")
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def test_a_harvester_request_has_a_deadline_for_the_whole_response(
    trickling_server: str,
) -> None:
    fetch = UrlFetcher(timeout_s=1, max_bytes=10_000_000)
    with pytest.raises(FetchError, match="did not answer within 1 s") as raised:
        fetch(trickling_server, {})
    assert raised.value.details["timeout_s"] == 1
