"""Prometheus metrics of one service process.

Requests and latencies per route (the route's template, never the raw path, so the number of
series stays bounded), rate-limited requests, errors per code (query timeouts among them),
ingestion runs and rejected items per source, the search index's lag behind the store, and the
store's size on disk. Each ``Metrics`` has its own registry, so several apps in one process
(tests) do not collide. With several API processes, each one is scraped on its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.ingest.runs import RunLog

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# From a cached suggestion (~1 ms) to a slow facet query or a large ingest batch (seconds).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The counters the middleware and the run log feed, plus gauges read at scrape time."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kunskapsgraf_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kunskapsgraf_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "kunskapsgraf_rate_limited",
            "Requests refused with 429, by what was limited (address or token).",
            ["kind"],
            registry=self.registry,
        )
        self.errors = Counter(
            "kunskapsgraf_errors",
            "Error responses of the service's own error classes, by error code.",
            ["code"],
            registry=self.registry,
        )
        self.query_timeouts = Counter(
            "kunskapsgraf_query_timeouts",
            "Queries stopped by their time limit (an error whose code ends in 'timeout').",
            registry=self.registry,
        )
        self.ingest_runs = Counter(
            "kunskapsgraf_ingest_runs",
            "Ingestion runs by source and outcome (stored, unchanged, rejected).",
            ["source", "status"],
            registry=self.registry,
        )
        self.ingest_rejected_items = Counter(
            "kunskapsgraf_ingest_rejected_items",
            "Items in rejected batches, by source.",
            ["source"],
            registry=self.registry,
        )
        self._lock = threading.Lock()
        self.last_write: float | None = None
        self.last_refresh: float | None = None
        self.last_lag = 0.0

    def error(self, code: str) -> None:
        self.errors.labels(code).inc()
        if code.endswith("timeout"):
            self.query_timeouts.inc()

    def wrote(self) -> None:
        """An acknowledged write reached the store; the index has to follow."""
        with self._lock:
            self.last_write = time.monotonic()

    def refreshed(self) -> None:
        """The search index finished a refresh."""
        with self._lock:
            now = time.monotonic()
            if self.last_write is not None and (
                self.last_refresh is None or self.last_refresh < self.last_write
            ):
                self.last_lag = now - self.last_write
            self.last_refresh = now

    def index_lag(self) -> float:
        """Seconds the index is behind the newest write: while a refresh is pending, the time
        since that write; otherwise how long the last write took to become searchable."""
        with self._lock:
            if self.last_write is not None and (
                self.last_refresh is None or self.last_refresh < self.last_write
            ):
                return time.monotonic() - self.last_write
            return self.last_lag

    def add_state(self, read: Callable[[], dict[str, float]]) -> None:
        """Gauges read at every scrape (store size, index documents …)."""
        self.registry.register(_StateCollector(read, self))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector(Collector):
    def __init__(self, read: Callable[[], dict[str, float]], metrics: Metrics) -> None:
        self.read = read
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        state = self.read()
        yield GaugeMetricFamily(
            "kunskapsgraf_index_lag_seconds",
            "How far the search index is behind the newest acknowledged write.",
            value=self.metrics.index_lag(),
        )
        helps = {
            "kunskapsgraf_store_bytes": "Size of the embedded store on disk (bytes).",
            "kunskapsgraf_index_documents": "Documents in the search index.",
        }
        for name, help_text in helps.items():
            if name in state:
                yield GaugeMetricFamily(name, help_text, value=state[name])


def directory_bytes(path: Path | None) -> int:
    """Bytes in the files under ``path`` (0 for an in-memory store)."""
    if path is None or not path.is_dir():
        return 0
    total = 0
    for file in path.rglob("*"):
        try:
            if file.is_file():
                total += file.stat().st_size
        except OSError:  # RocksDB removes compacted files while we walk
            continue
    return total


class ObservedRunLog(RunLog):
    """The run log that also counts runs and rejected items per source, and marks writes for
    the index lag."""

    def __init__(self, path: Path | None, metrics: Metrics) -> None:
        super().__init__(path)
        self.metrics = metrics

    def append(self, run: dict[str, Any]) -> None:
        super().append(run)
        source, status = str(run.get("source")), str(run.get("status"))
        self.metrics.ingest_runs.labels(source, status).inc()
        rejected = int(run.get("counts", {}).get("rejected", 0))
        if status == "rejected":
            self.metrics.ingest_rejected_items.labels(source).inc(rejected)
        elif status != "unchanged":
            self.metrics.wrote()
