"""Does a pathological SPARQL query slow the search API down for everyone else?

    .venv/bin/python bench/sparql_isolation.py [--seconds 20] [--hostile 4] [--timeout 5]

Starts the service (demo corpus, in memory) under uvicorn in its own process on 127.0.0.1,
then measures ``GET /api/search`` latency with one client sending searches back to back for
``--seconds`` in each of two phases:

1. quiet: nothing else running;
2. under attack: meanwhile ``--hostile`` clients keep sending a query that would run for
   minutes (a three-way cross product); each one is killed at the time limit and answered
   with 503, and the client sends the next at once.

Prints median and p95 of both and their ratio (target: p95 under attack within 1.5x of quiet),
plus how the hostile requests ended. Everything stays on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

import httpx

HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SEARCHES = ["astma", "hjärtsvikt", "behandling", "barn feber", "J45", "sepsis", "vaccination"]


def serve(port: int, timeout: float) -> None:
    """The server process: the real app over the demo corpus in memory."""
    import uvicorn

    from service.api.app import create_app
    from service.config import Settings
    from service.corpus import load_demo
    from service.store import open_store

    settings = Settings(
        store="memory",
        data_dir=tempfile.mkdtemp(prefix="sparql-isolation-"),
        sparql_timeout_s=timeout,
        rate_limit_per_minute=0,  # measure isolation, not the rate limiter
    )
    store = open_store(settings)
    load_demo(store, settings)
    uvicorn.run(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="error")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def search_latencies(client: httpx.Client, seconds: float) -> list[float]:
    """Searches back to back for ``seconds``; the latency of each in ms."""
    out: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        began = time.perf_counter()
        q = SEARCHES[len(out) % len(SEARCHES)]
        client.get("/api/search", params={"q": q}).raise_for_status()
        out.append((time.perf_counter() - began) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--hostile", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.timeout)
        return

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--timeout", str(args.timeout)],
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        client = httpx.Client(base_url=base, timeout=60)
        client.post(f"{base}/sparql", data={"query": "ASK { ?s ?p ?o }"}).raise_for_status()
        search_latencies(client, 2)  # warm-up
        quiet = search_latencies(client, args.seconds)

        stop = threading.Event()
        outcomes: Counter[str] = Counter()

        def attack() -> None:
            with httpx.Client(base_url=base, timeout=args.timeout * 4) as hostile:
                while not stop.is_set():
                    response = hostile.post("/sparql", data={"query": HOSTILE})
                    outcomes[f"{response.status_code} {response.json()['error']['code']}"] += 1

        attackers = [threading.Thread(target=attack) for _ in range(args.hostile)]
        for thread in attackers:
            thread.start()
        time.sleep(1.0)  # let the workers get busy
        began = time.perf_counter()
        loud = search_latencies(client, args.seconds)
        duration = time.perf_counter() - began
        stop.set()
        for thread in attackers:
            thread.join(timeout=args.timeout * 3)
        after = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    finally:
        server.terminate()
        server.wait(timeout=20)

    q50, q95 = statistics.median(quiet), percentile(quiet, 0.95)
    l50, l95 = statistics.median(loud), percentile(loud, 0.95)
    print(f"search, quiet:  {len(quiet)} requests, median {q50:6.2f} ms  p95 {q95:6.2f} ms")
    print(
        f"search, {args.hostile} clients sending hostile SPARQL: median {l50:6.2f} ms  "
        f"p95 {l95:6.2f} ms  ({duration:.1f} s)"
    )
    print(f"p95 ratio under attack / quiet: {l95 / q95:.2f}x (target ≤ 1.5x)")
    print(f"hostile requests: {dict(outcomes)}; a normal query afterwards: {after.status_code}")


if __name__ == "__main__":
    main()
