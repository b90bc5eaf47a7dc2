"""The log of ingestion runs, rejected ones included.

Accepted runs are also recorded as PROV-O in the store (``ks:IngestionRun``); a rejected batch
must leave the store exactly as it was, so the complete log lives beside it: one JSON line per
run in ``<data_dir>/ingest-runs.jsonl`` (in memory for the in-memory store).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any


class RunLog:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def append(self, run: dict[str, Any]) -> None:
        with self._lock:
            if self.path is None:
                self._memory.append(run)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(run, ensure_ascii=False) + "\n")

    def runs(self, source: str | None = None) -> list[dict[str, Any]]:
        """Runs, newest first."""
        with self._lock:
            if self.path is None:
                entries = list(self._memory)
            elif self.path.exists():
                lines = self.path.read_text(encoding="utf-8").splitlines()
                entries = [json.loads(line) for line in lines if line.strip()]
            else:
                entries = []
        return [r for r in reversed(entries) if source is None or r["source"] == source]
