"""SIGKILL during ingestion, fifty times: nothing acknowledged is lost, nothing is half
written, the store opens as it is, and search agrees with the store after every restart.

The server processes are forked from a warm process (``forkserver.py``: imports and the
parsed model are ready, so a restart costs what opening the store and building the index
cost); ``bench/crash.py`` runs the same loop with a fresh ``kunskapsgraf serve`` each time.
Set ``KUNSKAPSGRAF_CRASH_CYCLES`` / ``KUNSKAPSGRAF_CRASH_SEED`` to run more or other cycles.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from crashloop import (
    ForkServer,
    Ledger,
    final_check,
    free_port,
    prepare_store,
    run_cycle,
    server_env,
)

CYCLES = int(os.environ.get("KUNSKAPSGRAF_CRASH_CYCLES", "50"))
SEED = int(os.environ.get("KUNSKAPSGRAF_CRASH_SEED", "20261126"))


def test_sigkill_during_ingestion_loses_nothing_acknowledged_and_writes_nothing_partial(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    prepare_store(data)
    port = free_port()
    servers = ForkServer(server_env(data, port), tmp_path / "server.log")
    ledger = Ledger()
    rng = random.Random(SEED)
    problems: list[str] = []
    try:
        for cycle in range(CYCLES):
            report = run_cycle(servers, f"http://127.0.0.1:{port}", data, ledger, rng, 0.6)
            problems += [f"cycle {cycle}: {p}" for p in report.problems]
        problems += final_check(servers, f"http://127.0.0.1:{port}", ledger)
    finally:
        servers.close()
    assert problems == [], "\n".join(problems[:20])
    acknowledged = [b for b in ledger.batches if b.acknowledged]
    # The loop really wrote: batches were acknowledged, and kills hit batches in flight.
    assert len(acknowledged) > 0
    assert ledger.committed_unacknowledged + ledger.absent_unacknowledged > 0
