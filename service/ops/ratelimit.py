"""Rate limits: one token bucket per caller (a client address, or a known write token).

A bucket holds up to ``burst`` requests and refills at ``per_minute / 60`` requests a second.
The clock is injectable so tests need no sleeping::

    >>> now = [0.0]
    >>> limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    >>> [limiter.check("a") for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> now[0] = 1.0
    >>> limiter.check("a")
    0.0

``check`` returns 0 when the request may pass, otherwise the seconds until it would.
Limits are per process: with several API processes, the reverse proxy limits in front.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Above this many callers, buckets that have refilled completely are forgotten (a full bucket
# is the same as no bucket), so memory stays bounded under many distinct addresses.
_PRUNE_AT = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, key: str) -> float:
        """Take one request from ``key``'s bucket: 0.0 if allowed, else seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _PRUNE_AT:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)
