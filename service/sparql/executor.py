"""Run public queries in worker processes over a snapshot of the public graphs.

Why processes: pyoxigraph has no query timeout, and a thread cannot be stopped; a process can.
A query that passes its time limit is stopped by killing its worker (a new one starts in its
place), and the caller gets 503.

Why a snapshot: the workers must not open the live store (RocksDB allows one writer, and a
read-only view of a database another process writes is undefined behaviour; an in-memory
store cannot be shared at all; a remote store is another server). So the public graphs
(``visible_graphs``) are written to ``data_dir/sparql-snapshots/snapshot-*.nq`` and each
worker loads that file into memory (joins there are ~20x faster than on RocksDB). It holds
only what anonymous readers may see, so no ``FROM``, ``GRAPH`` or dataset parameter can reach
anything else. It is rebuilt on the first query after ``invalidate()`` (the API calls that
after every successful write), so readers see their writes. See README "Measured" for the
costs (writing the snapshot, starting a worker).
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat

from service.errors import ClientError, InvalidQuery, KunskapsgrafError
from service.sparql.visibility import PublicView
from service.sparql.worker import Job
from service.store.base import Store

log = logging.getLogger(__name__)


class QueryTimeout(KunskapsgrafError):
    status = 503
    code = "query_timeout"


class EndpointBusy(KunskapsgrafError):
    status = 503
    code = "sparql_busy"


class QueryFailed(KunskapsgrafError):
    status = 503
    code = "query_failed"


class ResultTooLarge(ClientError):
    code = "result_too_large"


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    generation: int
    ready: bool = False


@dataclass
class _Snapshot:
    generation: int
    path: Path
    graphs: list[NamedNode]
    workers: set[int] = field(default_factory=set)  # pids using it


def write_snapshot(store: Store, view: PublicView, path: Path) -> None:
    """Write what ``view`` shows of ``store`` as one N-Quads file at ``path`` (what workers
    load)."""
    with path.open("wb") as out:
        pyoxigraph.serialize(
            (quad for graph in view.graphs for quad in view.quads(store, graph)),
            out,
            RdfFormat.N_QUADS,
        )


class QueryExecutor:
    """A pool of ``size`` worker processes answering ``Job``s within ``timeout_s``."""

    def __init__(
        self,
        root: Path,
        *,
        size: int,
        timeout_s: float,
        nice: int = 19,
        memory_limit_bytes: int = 0,
    ) -> None:
        self.root = root
        self.size = size
        self.timeout_s = timeout_s
        self.nice = nice
        self.memory_limit_bytes = memory_limit_bytes
        self._lock = threading.Condition()
        self._build_lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._retired: list[_Snapshot] = []
        self._stale = True
        self._idle: list[_Worker] = []
        self._busy = 0
        self._counter = itertools.count(1)
        self._closed = False

    # -- snapshots ---------------------------------------------------------------------------

    def invalidate(self) -> None:
        """The store changed: the next query rebuilds the snapshot first."""
        self._stale = True

    def snapshot_graphs(self, store: Store, view: Callable[[Store], PublicView]) -> list[NamedNode]:
        """The graphs of the current snapshot, building it first when it is missing or stale."""
        with self._build_lock:
            if self._stale or self._snapshot is None:
                self._stale = False
                try:
                    self._publish(store, view(store))
                except BaseException:
                    self._stale = True
                    raise
            assert self._snapshot is not None
            return self._snapshot.graphs

    def _publish(self, store: Store, view: PublicView) -> None:
        generation = next(self._counter)
        self.root.mkdir(parents=True, exist_ok=True)
        # Snapshots of a server that was killed stay behind: drop those older than a day (one
        # server per data_dir in production: the on-disk store admits one process).
        for stale in self.root.glob("snapshot-*.nq"):
            if time.time() - stale.stat().st_mtime > 86_400:
                stale.unlink(missing_ok=True)
        # A name of its own: several apps (tests, a second process) may share data_dir.
        handle, name = tempfile.mkstemp(dir=self.root, prefix="snapshot-", suffix=".nq")
        os.close(handle)
        path = Path(name)
        started = time.perf_counter()
        write_snapshot(store, view, path)
        log.info(
            "sparql snapshot %d: %d graphs in %.2f s",
            generation,
            len(view.graphs),
            time.perf_counter() - started,
        )
        with self._lock:
            old = self._snapshot
            self._snapshot = _Snapshot(generation, path, view.graphs)
            if old is not None:
                self._retired.append(old)
            # Idle workers of the old snapshot go now; busy ones when they come back.
            for worker in [w for w in self._idle if w.generation != generation]:
                self._idle.remove(worker)
                self._stop(worker)
            self._clean_retired()

    def _clean_retired(self) -> None:
        for snap in [s for s in self._retired if not s.workers]:
            self._retired.remove(snap)
            snap.path.unlink(missing_ok=True)

    # -- workers -----------------------------------------------------------------------------

    def _start(self, snap: _Snapshot) -> _Worker:
        # A fresh interpreter (never a fork of this threaded server) that imports only the
        # worker module; it talks over one end of a socket pair.
        parent, child = socket.socketpair()
        # Niced from the first instruction (`nice`), so that even starting a replacement
        # (interpreter, imports, loading the snapshot) yields the cores to the API process.
        nice = shutil.which("nice")
        prefix = [nice, "-n", str(self.nice)] if nice else []
        process = subprocess.Popen(
            [
                *prefix,
                sys.executable,
                "-m",
                "service.sparql.worker",
                str(child.fileno()),
                str(snap.path),
                "0" if nice else str(self.nice),
                str(self.memory_limit_bytes),
            ],
            pass_fds=[child.fileno()],
            stdin=subprocess.DEVNULL,
        )
        child.close()
        snap.workers.add(process.pid)
        return _Worker(process, Connection(parent.detach()), snap.generation)

    def _stop(self, worker: _Worker, *, kill: bool = False) -> None:
        if kill:
            worker.process.kill()
        worker.conn.close()  # the worker's recv() ends: it exits by itself
        try:
            worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=5)
        for snap in [self._snapshot, *self._retired]:
            if snap is not None and snap.generation == worker.generation:
                snap.workers.discard(worker.process.pid)
        self._clean_retired()

    def _acquire(self, deadline: float) -> _Worker:
        with self._lock:
            while True:
                if self._closed:
                    raise EndpointBusy("Tjänsten stängs.", "The service is shutting down.")
                snap = self._snapshot
                assert snap is not None
                while self._idle:
                    worker = self._idle.pop()
                    if worker.generation == snap.generation and worker.process.poll() is None:
                        self._busy += 1
                        return worker
                    self._stop(worker)
                if self._busy < self.size:
                    self._busy += 1
                    return self._start(snap)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._lock.wait(remaining):
                    raise EndpointBusy(
                        "Alla SPARQL-arbetare är upptagna just nu. Försök igen om en stund.",
                        "Every SPARQL worker is busy right now. Try again in a moment.",
                        workers=self.size,
                    )

    def _release(self, worker: _Worker, *, kill: bool = False) -> None:
        with self._lock:
            self._busy -= 1
            snap = self._snapshot
            if kill or snap is None or worker.generation != snap.generation or self._closed:
                self._stop(worker, kill=kill)
            else:
                self._idle.append(worker)
            self._lock.notify()

    def _await_ready(self, worker: _Worker, deadline: float) -> None:
        """Wait for a new worker to load the snapshot: within this request's deadline, but at
        least one time limit (starting is not the query's time). If it is still loading, it
        stays in the pool for the next request and this one gets 503."""
        try:
            started = worker.conn.poll(max(deadline - time.monotonic(), self.timeout_s))
            if started:
                worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._release(worker, kill=True)
            raise QueryFailed(
                "En SPARQL-arbetare kunde inte starta.", "A SPARQL worker could not start."
            ) from exc
        if not started:
            self._release(worker)
            raise EndpointBusy(
                "SPARQL-arbetaren startar fortfarande. Försök igen om en stund.",
                "The SPARQL worker is still starting. Try again in a moment.",
                workers=self.size,
            )
        worker.ready = True

    def warm(self, store: Store, view: Callable[[Store], PublicView]) -> None:
        """Build the snapshot and start one worker now, so the first query does not pay for
        a cold start (an interpreter, imports and the snapshot load: seconds on a busy
        machine). Called in the background after start-up and after each change."""
        graphs_ready = self.snapshot_graphs(store, view)
        del graphs_ready
        deadline = time.monotonic() + 4 * self.timeout_s
        try:
            worker = self._acquire(deadline)
        except EndpointBusy:
            return  # every worker is busy: the pool is warm already
        if worker.ready:
            self._release(worker)
            return
        try:
            started = worker.conn.poll(max(deadline - time.monotonic(), 0))
            if started:
                worker.conn.recv()
                worker.ready = True
        except (EOFError, OSError):
            self._release(worker, kill=True)
            return
        self._release(worker)

    def run(self, job: Job) -> bytes:
        """Run ``job`` on the current snapshot (call ``snapshot_graphs`` first)."""
        deadline = time.monotonic() + self.timeout_s
        worker = self._acquire(deadline)
        if not worker.ready:
            self._await_ready(worker, deadline)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout_s):
                raise QueryTimeout(
                    f"Frågan tog längre tid än {self.timeout_s:g} s och stoppades. Begränsa den "
                    "(LIMIT, mer specifika mönster) och försök igen.",
                    f"The query took longer than {self.timeout_s:g} s and was stopped. Narrow it "
                    "down (LIMIT, more specific patterns) and try again.",
                    timeout_s=self.timeout_s,
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._release(worker, kill=True)
            raise QueryFailed(
                "Frågan avbröts (arbetsprocessen avslutades, t.ex. för att frågan använde för "
                "mycket minne).",
                "The query was stopped (its worker process ended, e.g. because the query used "
                "too much memory).",
            ) from exc
        except BaseException:
            self._release(worker, kill=True)
            raise
        self._release(worker)
        if status == "ok":
            assert isinstance(payload, bytes)
            return payload
        if status == "too_large":
            raise ResultTooLarge(
                f"Resultatet är större än {job.max_bytes} byte. Begränsa frågan med LIMIT.",
                f"The result is larger than {job.max_bytes} bytes. Narrow the query with LIMIT.",
                limit_bytes=job.max_bytes,
            )
        message = payload.decode(errors="replace")
        raise InvalidQuery(
            f"Frågan kunde inte utvärderas: {message}",
            f"The query could not be evaluated: {message}",
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for worker in self._idle:
                self._stop(worker)
            self._idle.clear()
            if self._snapshot is not None:
                self._retired.append(self._snapshot)
                self._snapshot = None
            self._clean_retired()
