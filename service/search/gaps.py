"""Learning from searches: which queries find nothing, and which find things nobody opens.

Only the query text is kept, normalised and redacted (``analysis.redact``: no personal
identity numbers, e-mail addresses or phone numbers), with counters and the day it was last
seen: no user, session, address or time of day. Counters live in memory and are written to
``search-gaps.json`` in the data directory at most every ``SAVE_INTERVAL_S`` seconds and on
close (nothing is written for the in-memory store).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from service.search.analysis import redact

SAVE_INTERVAL_S = 30.0
# A query is "low-click" when it was searched at least this often and opened at most this
# share of the times.
LOW_CLICK_MIN_SEARCHES = 3
LOW_CLICK_RATE = 0.1
MAX_QUERIES = 50_000


@dataclass
class QueryStats:
    searches: int = 0
    zero_results: int = 0
    clicks: int = 0
    last_seen: str = ""
    last_total: int = 0


class SearchGapLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stats: dict[str, QueryStats] = {}
        self._dirty = False
        self._saved_at = time.monotonic()
        if path is not None and path.is_file():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self._stats = {k: QueryStats(**v) for k, v in raw.get("queries", {}).items()}
            except (ValueError, TypeError):
                self._stats = {}  # a damaged log is not worth failing start-up for

    def record_search(self, text: str, total: int, today: dt.date | None = None) -> None:
        key = redact(text)
        if not key:
            return
        with self._lock:
            stats = self._stats.get(key)
            if stats is None:
                if len(self._stats) >= MAX_QUERIES:
                    return
                stats = self._stats[key] = QueryStats()
            stats.searches += 1
            stats.zero_results += total == 0
            stats.last_total = total
            stats.last_seen = (today or dt.date.today()).isoformat()
            self._dirty = True
        self._maybe_save()

    def record_click(self, text: str) -> bool:
        """Count an opened result of ``text``; False when the query was never logged."""
        key = redact(text)
        with self._lock:
            stats = self._stats.get(key)
            if stats is None:
                return False
            stats.clicks += 1
            self._dirty = True
        self._maybe_save()
        return True

    def gaps(self, limit: int = 100) -> list[tuple[str, str, QueryStats]]:
        """(query, reason, stats): zero-result queries first (most searched first), then
        low-click ones."""
        with self._lock:
            items = list(self._stats.items())
        zero = [(q, "zero-results", s) for q, s in items if s.last_total == 0]
        low = [
            (q, "low-clicks", s)
            for q, s in items
            if s.last_total > 0
            and s.searches >= LOW_CLICK_MIN_SEARCHES
            and s.clicks <= LOW_CLICK_RATE * s.searches
        ]
        zero.sort(key=lambda r: (-r[2].searches, r[0]))
        low.sort(key=lambda r: (r[2].clicks / r[2].searches, -r[2].searches, r[0]))
        return (zero + low)[:limit]

    def _maybe_save(self) -> None:
        if self.path is not None and time.monotonic() - self._saved_at >= SAVE_INTERVAL_S:
            self.save()

    def save(self) -> None:
        if self.path is None:
            return
        with self._lock:
            if not self._dirty:
                return
            data: dict[str, Any] = {"queries": {k: asdict(v) for k, v in self._stats.items()}}
            self._dirty = False
            self._saved_at = time.monotonic()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)
