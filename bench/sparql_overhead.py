"""What /sparql costs on top of asking the store directly, on the same queries.

    .venv/bin/python bench/sparql_overhead.py [--rounds N]

Three ways to run each query over the demo corpus (in memory), interleaved per round:

- ``store``: ``store.select`` / ``store.construct`` in process (the baseline);
- ``endpoint``: ``SparqlEndpoint.query`` (safety checks, a worker process over the snapshot,
  serialised JSON/Turtle back through the pipe), no HTTP;
- ``http``: ``POST /sparql`` to the real app under uvicorn on 127.0.0.1, one keep-alive client.

Prints the median and p95 per query and the ratio of medians against the store, and the
one-off cost of building the snapshot and starting the workers.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import uvicorn

from service.api.app import create_app
from service.config import Settings
from service.corpus import load_demo
from service.sparql.endpoint import SparqlEndpoint
from service.store import OxigraphStore

EXAMPLES = Path(__file__).resolve().parents[1] / "service" / "web" / "sparql" / "examples"
EXTRA = {
    "item-by-identifier": "SELECT ?s ?p ?o WHERE { ?s ks:identifier 'nkk:astma-vuxna' ; ?p ?o }",
    "count-by-class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "titles-contains": "SELECT ?s ?t WHERE { ?s ks:title ?t FILTER(CONTAINS(LCASE(?t), 'astma')) }",
}


def queries() -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.rq"))}
    return {**found, **EXTRA}


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--nice", type=int, default=19, help="the workers' nice level")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="sparql-bench-"))
    settings = Settings(
        store="memory",
        data_dir=data,
        sparql_workers=2,
        rate_limit_per_minute=0,
        sparql_worker_nice=args.nice,
    )
    store = OxigraphStore()
    load_demo(store, settings)

    endpoint = SparqlEndpoint(settings)
    start = time.perf_counter()
    endpoint.query(store, "ASK { ?s ?p ?o }", accept=None)
    print(
        f"first query (snapshot of the public graphs + worker start): "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )

    app = create_app(settings, store=store)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})  # builds the app's snapshot

    print(
        f"\n{'query':28} {'store ms':>16} {'endpoint ms':>16} {'http ms':>16} "
        f"{'endpoint/store':>15} {'http/store':>11}"
    )
    ratios_endpoint: list[float] = []
    ratios_http: list[float] = []
    for name, text in queries().items():
        is_graph = text.lstrip().upper().find("CONSTRUCT") >= 0 or "DESCRIBE" in text.upper()
        direct: Callable[[], object] = (
            (lambda t=text: store.construct(t)) if is_graph else (lambda t=text: store.select(t))
        )
        ways: dict[str, Callable[[], object]] = {
            "store": direct,
            "endpoint": lambda t=text: endpoint.query(store, t, accept=None),
            "http": lambda t=text: client.post("/sparql", data={"query": t}).raise_for_status(),
        }
        samples: dict[str, list[float]] = {k: [] for k in ways}
        for way in ways.values():
            way()  # warm-up
        for _ in range(args.rounds):
            for key, way in ways.items():
                began = time.perf_counter()
                way()
                samples[key].append((time.perf_counter() - began) * 1000)
        med = {k: statistics.median(v) for k, v in samples.items()}
        ratios_endpoint.append(med["endpoint"] / med["store"])
        ratios_http.append(med["http"] / med["store"])
        cells = " ".join(f"{med[k]:7.2f} /{p95(samples[k]):7.2f}" for k in ways)
        print(f"{name:28} {cells} {ratios_endpoint[-1]:14.2f}x {ratios_http[-1]:10.2f}x")
    print(
        f"\nmedian ratio over the queries: endpoint {statistics.median(ratios_endpoint):.2f}x, "
        f"http {statistics.median(ratios_http):.2f}x (target ≤ 1.3x)"
    )
    client.close()
    server.should_exit = True
    thread.join(timeout=10)
    endpoint.close()
    app.state.sparql.close()


if __name__ == "__main__":
    main()
