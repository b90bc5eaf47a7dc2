"""Suggestions for a search box: concepts and titles whose label has a word starting with what
was typed, from the first character. Keys are lower-cased with å, ä and ö kept distinct
("ö" suggests "Öroninflammation", not "Obstipation").

Entries sit in one sorted list (prefix = a bisect range); the best entries of every prefix of
up to three characters are precomputed, so short prefixes, which match the most, cost the
least.
"""

from __future__ import annotations

import bisect
import html
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from service.search.analysis import normalise

TOP_PREFIX_LENGTH = 3
TOP_SIZE = 40
SCAN_LIMIT = 4000


@dataclass(frozen=True)
class Entry:
    kind: str  # "concept" or "title"
    label: str
    id: str
    notation: str | None
    scheme: str | None
    weight: float


def _starts(label: str) -> list[int]:
    """Character offsets where the words of ``label`` start."""
    starts = []
    previous_alnum = False
    for i, ch in enumerate(label):
        alnum = ch.isalnum()
        if alnum and not previous_alnum:
            starts.append(i)
        previous_alnum = alnum
    return starts


class Suggester:
    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._lock = threading.Lock()
        self._keys: list[str] = []
        self._rows: list[tuple[Entry, int]] = []  # entry and offset of the matched word
        self._top: dict[str, list[tuple[str, Entry, int]]] = {}
        self.rebuild(entries)

    def rebuild(self, entries: Iterable[Entry]) -> None:
        rows: list[tuple[str, Entry, int]] = []
        for entry in entries:
            for start in _starts(entry.label):
                key = normalise(entry.label[start:])
                if key:
                    rows.append((key, entry, start))
        rows.sort(key=lambda r: r[0])
        keys = [r[0] for r in rows]
        data = [(r[1], r[2]) for r in rows]
        top: dict[str, list[tuple[str, Entry, int]]] = {}
        for key, entry, start in sorted(rows, key=lambda r: -_rank((r[1], r[2]))):
            for n in range(1, min(TOP_PREFIX_LENGTH, len(key)) + 1):
                bucket = top.setdefault(key[:n], [])
                if len(bucket) < TOP_SIZE:
                    bucket.append((key, entry, start))
        with self._lock:
            self._keys, self._rows, self._top = keys, data, top

    def add(self, entries: Iterable[Entry]) -> None:
        """Add entries (new titles) without a rebuild; short-prefix lists catch up at the next
        rebuild."""
        with self._lock:
            for entry in entries:
                for start in _starts(entry.label):
                    key = normalise(entry.label[start:])
                    at = bisect.bisect_left(self._keys, key)
                    self._keys.insert(at, key)
                    self._rows.insert(at, (entry, start))

    def __len__(self) -> int:
        return len(self._keys)

    def suggest(
        self, text: str, limit: int, allowed: Callable[[Entry], bool] | None = None
    ) -> list[dict[str, object]]:
        """The best ``limit`` suggestions for what was typed; ``allowed`` can veto entries
        (titles of items that are no longer public)."""
        prefix = " ".join(normalise(text).split())
        if not prefix:
            return []
        with self._lock:
            keys, rows, top = self._keys, self._rows, self._top
        candidates: list[tuple[str, Entry, int]]
        if len(prefix) <= TOP_PREFIX_LENGTH and prefix in top:
            candidates = top[prefix]
        else:
            lo = bisect.bisect_left(keys, prefix)
            hi = bisect.bisect_left(keys, prefix + "\U0010ffff", lo)
            hi = min(hi, lo + SCAN_LIMIT)
            candidates = [(keys[i], *rows[i]) for i in range(lo, hi)]
            candidates.sort(key=lambda r: -_rank((r[1], r[2])))
        out: list[dict[str, object]] = []
        seen: set[tuple[str, str]] = set()
        for key, entry, start in candidates:
            if not key.startswith(prefix):
                continue
            if (entry.kind, entry.id) in seen or (allowed and not allowed(entry)):
                continue
            seen.add((entry.kind, entry.id))
            out.append(
                {
                    "kind": entry.kind,
                    "label": entry.label,
                    "id": entry.id,
                    "notation": entry.notation,
                    "scheme": entry.scheme,
                    "highlight": _highlight(entry.label, start, len(prefix)),
                }
            )
            if len(out) >= limit:
                break
        return out


def _rank(row: tuple[Entry, int]) -> float:
    entry, start = row
    # A match at the start of the label beats one inside it.
    return entry.weight + (3.0 if start == 0 else 0.0)


def _highlight(label: str, start: int, length: int) -> str:
    end = start + length
    return (
        html.escape(label[:start])
        + "<mark>"
        + html.escape(label[start:end])
        + "</mark>"
        + html.escape(label[end:])
    )
