"""Crash loop, many cycles: SIGKILL the service at random moments during ingestion, restart,
and check the store and the search index after every kill (the loop of
``tests/ops/test_crash.py``; see ``tests/ops/crashloop.py`` for what is checked).

    .venv/bin/python bench/crash.py [--cycles 200] [--servers fork|cli] [--max-delay 0.6]

``--servers cli`` starts a fresh ``kunskapsgraf serve`` process for every cycle (what an
operator's restart does); ``fork`` forks warm server processes (faster, same server code).
Prints the outcome of the kills, the restart times and how often the search index was
repaired at start-up; exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ops"))

from crashloop import (
    CliServer,
    ForkServer,
    Ledger,
    final_check,
    free_port,
    prepare_store,
    run_cycle,
    server_env,
)


def repairs(log: Path) -> int:
    """Start-ups at which the index had to be brought back in line with the store."""
    count = 0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("event") == "index_repair" and (entry.get("indexed") or entry.get("removed")):
            count += 1
    return count


def tail(log: Path) -> str:
    """The last error the server logged."""
    for line in reversed(log.read_text(encoding="utf-8", errors="replace").splitlines()):
        if '"ERROR"' in line:
            return json.loads(line).get("message", "")[-400:]
    return "(no error logged)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--servers", choices=("fork", "cli"), default="fork")
    parser.add_argument("--max-delay", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kunskapsgraf-crash-") as tmp:
        data, log = Path(tmp) / "data", Path(tmp) / "server.log"
        prepare_store(data)
        port = free_port()
        env = server_env(data, port) | {"KUNSKAPSGRAF_LOG_LEVEL": "INFO"}
        servers = (ForkServer if args.servers == "fork" else CliServer)(env, log)
        ledger, rng = Ledger(), random.Random(args.seed)
        ready: list[float] = []
        problems: list[str] = []
        started = time.monotonic()
        try:
            for cycle in range(args.cycles):
                try:
                    report = run_cycle(
                        servers, f"http://127.0.0.1:{port}", data, ledger, rng, args.max_delay
                    )
                except AssertionError as exc:  # the service no longer starts: stop here
                    problems.append(f"cycle {cycle}: {exc}; see the log: {tail(log)}")
                    break
                ready.append(report.ready_s)
                problems += [f"cycle {cycle}: {p}" for p in report.problems]
                if (cycle + 1) % 25 == 0:
                    print(f"  {cycle + 1} cycles, {len(problems)} problems", flush=True)
            else:
                problems += final_check(servers, f"http://127.0.0.1:{port}", ledger)
        finally:
            servers.close()
        elapsed = time.monotonic() - started
        acknowledged = sum(1 for b in ledger.batches if b.acknowledged)
        p95 = sorted(ready)[min(len(ready) - 1, int(len(ready) * 0.95))] if ready else 0.0
        print(f"crash loop: {len(ready)} SIGKILLs ({args.servers} servers) in {elapsed:.0f} s")
        print(f"  batches sent {len(ledger.batches)}, acknowledged {acknowledged}")
        print(
            f"  killed in flight: {ledger.committed_unacknowledged} committed whole, "
            f"{ledger.absent_unacknowledged} absent whole, partial: "
            f"{sum('partial' in p for p in problems)}"
        )
        print(f"  acknowledged but lost or damaged: {sum('acknowledged' in p for p in problems)}")
        print(f"  index repaired at start-up: {repairs(log)} of {len(ready) + 1} starts")
        print(
            f"  start to ready: median {statistics.median(ready or [0]):.2f} s, "
            f"p95 {p95:.2f} s, max {max(ready, default=0):.2f} s"
        )
        print(f"  problems: {len(problems)}")
        for problem in problems[:20]:
            print(f"    {problem}")
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
