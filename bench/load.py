"""Load: the service on 127.0.0.1 under a realistic mix, at 100,000 items.

    .venv/bin/python bench/load.py [--items 100000] [--users 8 32 64] [--seconds 30]
                                   [--think 1.0] [--data-dir var/bench/load-100k]

The mix: 60 % search with a facet filter, 25 % suggest, 10 % item pages, 5 % related. All
users run in one asyncio client with keep-alive connections, in two models, one after the
other:

- **users**: each user pauses between an answer and its next request for a random think time
  (exponential, mean ``--think`` seconds; 1 s is a fast user: staff reading results pause far
  longer, so 32 such users ask as much as a few hundred people searching at a normal pace);
- **closed loop**: no think time, the next request as soon as the last answered: the
  saturation test, which shows the capacity of one process (requests/s) and the queueing
  beyond it. The corpus is bench/generate.py's, loaded once
with the model and the demo corpus into an on-disk store under ``--data-dir`` (kept between
runs; the first start also builds the search index there). The server is ``kunskapsgraf
serve``: one process (the embedded store admits one process; see docs/operations.md).

Prints throughput and p50/p95/p99 per kind and concurrency, and the error count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
MIX = (("search", 60), ("suggest", 25), ("item", 10), ("related", 5))


def prepare(data_dir: Path, items: int) -> list[str]:
    """The store with ``items`` generated items (once); returns the sample queries."""
    marker = data_dir / "bench-load.json"
    if marker.is_file():
        saved = json.loads(marker.read_text(encoding="utf-8"))
        if saved["items"] == items:
            return list(saved["queries"])
        raise SystemExit(f"{data_dir} holds {saved['items']} items; use another --data-dir")
    from pyoxigraph import RdfFormat, parse

    from service.config import Settings
    from service.corpus import load_demo
    from service.store import OxigraphStore

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate  # type: ignore[import-not-found]

    settings = Settings(store="oxigraph", data_dir=data_dir)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        generate(items, Path(tmp))
        store = OxigraphStore(settings.store_path)
        load_demo(store, settings)
        for name in ("vocab.nq", "register.nq", "items.nq"):
            store.add_quads(parse(path=str(Path(tmp) / name), format=RdfFormat.N_QUADS))
        quads = store.quad_count()
        store.close()
        queries = json.loads((Path(tmp) / "queries.json").read_text(encoding="utf-8"))
    marker.write_text(json.dumps({"items": items, "queries": queries}), encoding="utf-8")
    print(
        f"generated and loaded {items:,} items ({quads:,} quads) in "
        f"{time.perf_counter() - start:.0f} s"
    )
    return list(queries)


def start_server(
    data_dir: Path, port: int, log: Path, settings: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``kunskapsgraf serve`` over ``data_dir``; ``settings`` adds environment variables."""
    env = (
        os.environ
        | {
            "KUNSKAPSGRAF_STORE": "oxigraph",
            "KUNSKAPSGRAF_DATA_DIR": str(data_dir),
            "KUNSKAPSGRAF_PORT": str(port),
            "KUNSKAPSGRAF_RATE_LIMIT_PER_MINUTE": "0",  # one client address makes all requests
            "KUNSKAPSGRAF_LOG_LEVEL": "INFO",  # the access log stays on, as in production
            # The mix has no SPARQL: no snapshot of the whole store in the background meanwhile.
            "KUNSKAPSGRAF_SPARQL_WARM_UP": "false",
        }
        | (settings or {})
    )
    binary = Path(sys.executable).with_name("kunskapsgraf")
    out = log.open("ab")
    return subprocess.Popen([str(binary), "serve"], env=env, stdout=out, stderr=out)


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> float:
    start = time.perf_counter()
    while process.poll() is None:
        try:
            if httpx.get(f"{base}/health/ready", timeout=10).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server exited with {process.returncode}; see its log")


@dataclass
class Workload:
    queries: list[str]
    facets: list[tuple[str, str]]
    items: list[str]
    prefixes: list[str]

    def request(self, kind: str, rng: random.Random) -> tuple[str, dict[str, str | int]]:
        if kind == "search":
            name, value = rng.choice(self.facets)
            return "/api/search", {"q": rng.choice(self.queries), name: value, "limit": 10}
        if kind == "suggest":
            return "/api/suggest", {"q": rng.choice(self.prefixes), "limit": 8}
        if kind == "item":
            return f"/api/items/{rng.choice(self.items)}", {}
        return f"/api/items/{rng.choice(self.items)}/related", {"limit": 5}


def discover(base: str, queries: list[str]) -> tuple[Workload, list[str]]:
    """Facet values, item identifiers and prefixes from the running service; and which of
    the routes the mix needs are missing."""
    paths = httpx.get(f"{base}/openapi.json", timeout=60).json()["paths"]
    missing = [p for p in ("/api/suggest", "/api/items/{identifier}/related") if p not in paths]
    facets: set[tuple[str, str]] = set()
    items: set[str] = set()
    with httpx.Client(base_url=base, timeout=60) as client:
        for q in queries[:60]:
            found = client.get("/api/search", params={"q": q, "limit": 50}).json()
            items |= {i["id"] for i in found.get("items", [])}
            for facet in found.get("facets", []):
                for value in facet["values"][:6]:
                    if facet["name"] != "region" and value["count"] > 0:
                        facets.add((facet["name"], value["value"]))
    prefixes = sorted({w[:n] for q in queries for w in q.split() for n in (3, 4, 5) if len(w) > n})
    return Workload(queries, sorted(facets), sorted(items), prefixes), missing


@dataclass
class Level:
    users: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)


async def run_level(
    base: str,
    work: Workload,
    users: int,
    seconds: float,
    seed: int,
    mix: dict[str, int],
    think: float = 0.0,
) -> Level:
    level = Level(users, seconds)
    kinds = [k for k in mix if mix[k] > 0]
    weights = [mix[k] for k in kinds]
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        end = time.perf_counter() + seconds

        async def user(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            while time.perf_counter() < end:
                kind = rng.choices(kinds, weights)[0]
                path, params = work.request(kind, rng)
                start = time.perf_counter()
                try:
                    answer = await client.get(path, params=params)
                    ok = answer.status_code == 200
                    problem = f"{kind} {answer.status_code} {path} {params}"
                except httpx.HTTPError as exc:
                    ok, problem = False, f"{kind} {exc!r}"
                level.latencies[kind].append((time.perf_counter() - start) * 1000)
                if not ok:
                    level.errors[kind] += 1
                    if len(level.examples) < 5:
                        level.examples.append(problem)
                if think > 0:
                    await asyncio.sleep(rng.expovariate(1 / think))

        await asyncio.gather(*(user(i) for i in range(users)))
    return level


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def report(level: Level, model: str) -> None:
    total = sum(len(v) for v in level.latencies.values())
    errors = sum(level.errors.values())
    print(
        f"\n{level.users} users ({model}), {level.seconds:.0f} s: "
        f"{total / level.seconds:.0f} requests/s, {errors} errors"
    )
    print(f"  {'kind':<8} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} errors")
    for kind, _ in MIX:
        values = level.latencies.get(kind, [])
        if not values:
            continue
        print(
            f"  {kind:<8} {len(values):>6} {len(values) / level.seconds:>7.1f} "
            f"{statistics.median(values):>8.1f} {quantile(values, 0.95):>8.1f} "
            f"{quantile(values, 0.99):>8.1f} {level.errors.get(kind, 0):>6}"
        )
    for example in level.examples:
        print(f"    e.g. {example}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--users", type=int, nargs="+", default=[8, 32, 64])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean think time of a user in seconds (0: only the closed loop)",
    )
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--mix",
        default=",".join(f"{k}={w}" for k, w in MIX),
        help="weights per kind, e.g. search=60,suggest=25,item=10,related=5",
    )
    args = parser.parse_args()
    mix = {k: int(w) for k, w in (part.split("=") for part in args.mix.split(","))}
    data_dir = (args.data_dir or REPO / "var" / "bench" / f"load-{args.items}").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    queries = prepare(data_dir, args.items)
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(data_dir, args.port, data_dir / "server.log")
    try:
        print(f"server ready after {wait_ready(base, server):.1f} s (one process, {data_dir})")
        work, missing = discover(base, queries)
        if missing:
            print(f"MISSING routes (their requests count as errors): {', '.join(missing)}")
        print(
            f"workload: {len(work.queries)} queries, {len(work.facets)} facet values, "
            f"{len(work.items)} items, {len(work.prefixes)} prefixes"
        )
        print(f"mix: {mix}")
        asyncio.run(run_level(base, work, 8, args.warmup, seed=0, mix=mix))  # warm caches
        models = [(f"think time, mean {args.think:g} s", args.think)] if args.think > 0 else []
        models.append(("closed loop, no think time", 0.0))
        for model, think in models:
            for users in args.users:
                level = asyncio.run(
                    run_level(base, work, users, args.seconds, seed=users, mix=mix, think=think)
                )
                report(level, model)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
