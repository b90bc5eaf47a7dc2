"""What the harvesters remember between runs: the validators of conditional requests, and
when each source was last harvested on its schedule.

Per source and document: the ``ETag`` and ``Last-Modified`` a server sent (sent back as
``If-None-Match`` / ``If-Modified-Since``), and for a file drop a fingerprint of the files
(names, sizes, modification times). Kept in ``<data_dir>/harvest-state.json`` beside the
store, in memory (per store object) for the in-memory store. The harvester only records
validators after the content they describe has been stored, so a rejected batch is fetched
again next time.

The file is a cache: deleting it (or a corrupt one, which is ignored) only costs one
unconditional fetch of everything.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

from service.config import Settings
from service.store.base import Store

__all__ = ["STATE_FILE", "HarvestState", "Validators"]

STATE_FILE = "harvest-state.json"
Validators = dict[str, str]  # "etag", "lastModified" or "fingerprint" → value

_MEMORY: weakref.WeakKeyDictionary[Store, HarvestState] = weakref.WeakKeyDictionary()
_MEMORY_LOCK = threading.Lock()


class HarvestState:
    """Validators per source and key (a URL, or ``drop:`` for a file drop)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: dict[str, dict[str, Validators]] = {}
        self._runs: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_store(cls, store: Store, settings: Settings) -> HarvestState:
        """The state that belongs with ``store``: a file in ``data_dir`` for a store on
        disk, an object kept alongside the store object for an in-memory store."""
        if store.name != "memory":
            return cls(settings.data_dir / STATE_FILE)
        with _MEMORY_LOCK:
            try:
                state = _MEMORY.get(store)
                if state is None:
                    state = _MEMORY[store] = cls(None)
            except TypeError:  # a store object that cannot be weakly referenced
                state = cls(None)
        return state

    def _read(self) -> tuple[dict[str, dict[str, Validators]], dict[str, str]]:
        """(validators per source, last scheduled run per source as ISO 8601)."""
        if self.path is None:
            return self._memory, dict(self._runs)
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}, {}
        if not isinstance(data, dict):
            return {}, {}
        sources = data.get("sources")
        runs = data.get("lastRun")
        validators = {
            str(source): {
                str(key): {str(k): str(v) for k, v in entries_validators.items()}
                for key, entries_validators in entries.items()
                if isinstance(entries_validators, dict)
            }
            for source, entries in (sources.items() if isinstance(sources, dict) else ())
            if isinstance(entries, dict)
        }
        last = {str(k): str(v) for k, v in runs.items()} if isinstance(runs, dict) else {}
        return validators, last

    def _load(self) -> dict[str, dict[str, Validators]]:
        return self._read()[0]

    def _write(self, sources: dict[str, dict[str, Validators]], runs: dict[str, str]) -> None:
        if self.path is None:
            self._memory, self._runs = sources, runs
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {"version": 1, "sources": sources, "lastRun": runs}, ensure_ascii=False, indent=1
        )
        fd, tmp = tempfile.mkstemp(prefix=".harvest-state.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text + "\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def last_runs(self) -> dict[str, str]:
        """When each source was last harvested on its schedule (ISO 8601, UTC)."""
        with self._lock:
            return self._read()[1]

    def record_run(self, source: str, when: str) -> None:
        with self._lock:
            sources, runs = self._read()
            runs[source] = when
            self._write(sources, runs)

    def validators(self, source: str) -> dict[str, Validators]:
        """Every key's validators for ``source`` (a copy)."""
        with self._lock:
            return {k: dict(v) for k, v in self._load().get(source, {}).items()}

    def record(self, source: str, entries: dict[str, Validators], *, replace: bool) -> None:
        """Remember ``entries`` for ``source``: merged into what is there, or, after a complete
        crawl (``replace``), instead of it (documents no longer listed are forgotten)."""
        with self._lock:
            data, runs = self._read()
            current = {} if replace else data.get(source, {})
            current.update({k: dict(v) for k, v in entries.items() if v})
            data[source] = current
            self._write(data, runs)
