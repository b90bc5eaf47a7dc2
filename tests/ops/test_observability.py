"""Observability: a request id on every answer and every log line, JSON logs, Prometheus
metrics at /metrics, and /health/ready that fails when the store or the index cannot answer."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.ops.logging import JsonFormatter, RequestIdFilter
from service.store import OxigraphStore, Store

BATCH = (Path(__file__).parents[1] / "ingest" / "fixtures" / "nkk-batch.ttl").read_bytes()
NKK = {"Authorization": "Bearer nkk-hemlig", "Content-Type": "text/turtle"}


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """The access log as the service writes it: JSON lines with the request id."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("kunskapsgraf.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield out
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_request_id_is_echoed_or_made_and_is_on_the_log_line(
    client: TestClient, access_log: io.StringIO
) -> None:
    given = client.get("/api/search?q=astma", headers={"X-Request-ID": "lb-4711.a"})
    assert given.headers["X-Request-ID"] == "lb-4711.a"
    made = client.get("/api/items/finns-inte:alls")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    # An id that could forge log lines is replaced, not echoed.
    forged = client.get("/health/live", headers={"X-Request-ID": "x\tlevel=ERROR"})
    assert forged.headers["X-Request-ID"] != "x\tlevel=ERROR"

    first, second, third = lines(access_log)[-3:]
    assert first["request_id"] == "lb-4711.a"
    assert first["route"] == "/api/search" and first["status"] == 200
    assert first["method"] == "GET" and first["level"] == "INFO"
    assert isinstance(first["duration_ms"], float)
    assert second["request_id"] == made.headers["X-Request-ID"]
    assert second["status"] == 404 and second["route"] == "/api/items/{identifier}"
    assert third["request_id"] == forged.headers["X-Request-ID"]


def test_metrics_count_requests_ingestion_runs_and_rejects_per_source(
    settings: Settings, store: Store
) -> None:
    conf = settings.model_copy(update={"tokens": {"nkk": "nkk-hemlig"}})
    app = create_app(conf, store=store)
    with TestClient(app) as client:
        assert client.post("/api/sources/nkk/items", content=BATCH, headers=NKK).status_code == 200
        broken = BATCH.replace('ks:title "Utredning av sömnapné"@sv ;'.encode(), b"")
        assert client.post("/api/sources/nkk/items", content=broken, headers=NKK).status_code == 422
        client.get("/api/search?q=sömnapné")
        client.get("/api/search?limit=100000")
        text = client.get("/metrics")
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/plain")
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.text.splitlines()
        if line and not line.startswith("#")
    }
    requests = 'kunskapsgraf_http_requests_total{method="%s",route="%s",status="%s"}'
    assert samples[requests % ("GET", "/api/search", "200")] == 1
    assert samples[requests % ("GET", "/api/search", "400")] == 1
    assert samples[requests % ("POST", "/api/sources/{source}/items", "422")] == 1
    assert samples['kunskapsgraf_ingest_runs_total{source="nkk",status="stored"}'] == 1
    assert samples['kunskapsgraf_ingest_runs_total{source="nkk",status="rejected"}'] == 1
    assert samples['kunskapsgraf_ingest_rejected_items_total{source="nkk"}'] == 1
    assert samples['kunskapsgraf_errors_total{code="validation_failed"}'] == 1
    assert samples["kunskapsgraf_query_timeouts_total"] == 0
    latency = 'kunskapsgraf_http_request_duration_seconds_count{method="GET",route="/api/search"}'
    assert samples[latency] == 2
    assert samples["kunskapsgraf_index_documents"] > 0
    assert samples["kunskapsgraf_index_lag_seconds"] >= 0
    # The index followed the write: the lag is not pending.
    metrics = app.state.metrics
    assert metrics.last_write is not None and metrics.last_refresh is not None
    assert metrics.last_refresh >= metrics.last_write
    assert "kunskapsgraf_store_bytes" in samples


def test_store_size_is_measured_on_disk(tmp_path: Path) -> None:
    conf = Settings(store="oxigraph", data_dir=tmp_path, rate_limit_per_minute=0)
    with TestClient(create_app(conf)) as client:
        text = client.get("/metrics").text
    size = re.search(r"^kunskapsgraf_store_bytes (\S+)$", text, re.MULTILINE)
    assert size is not None and float(size[1]) > 0


def test_ready_fails_when_the_store_cannot_answer(settings: Settings) -> None:
    store = OxigraphStore()
    with TestClient(create_app(settings, store=store)) as client:
        assert client.get("/health/ready").status_code == 200
        store.close()  # the database is gone under the running service
        answer = client.get("/health/ready")
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "not_ready" and error["details"]["store"]["ok"] is False


def test_ready_fails_when_the_index_cannot_answer(settings: Settings) -> None:
    class BrokenIndex:
        def document_count(self) -> int:
            raise OSError("index directory is gone")

    with TestClient(create_app(settings, store=OxigraphStore())) as client:
        search = client.app.state.search  # type: ignore[attr-defined]
        real, search.index = search.index, BrokenIndex()
        try:
            answer = client.get("/health/ready")
        finally:
            search.index = real
    assert answer.status_code == 503
    details = answer.json()["error"]["details"]
    assert details["store"]["ok"] is True
    assert details["index"] == {"ok": False, "error": "index directory is gone"}
