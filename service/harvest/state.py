"""What the harvesters remember between runs: the validators of conditional requests.

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

    def _load(self) -> dict[str, dict[str, Validators]]:
        if self.path is None:
            return self._memory
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        sources = data.get("sources") if isinstance(data, dict) else None
        if not isinstance(sources, dict):
            return {}
        return {
            str(source): {
                str(key): {str(k): str(v) for k, v in validators.items()}
                for key, validators in entries.items()
                if isinstance(validators, dict)
            }
            for source, entries in sources.items()
            if isinstance(entries, dict)
        }

    def validators(self, source: str) -> dict[str, Validators]:
        """Every key's validators for ``source`` (a copy)."""
        with self._lock:
            return {k: dict(v) for k, v in self._load().get(source, {}).items()}

    def record(self, source: str, entries: dict[str, Validators], *, replace: bool) -> None:
        """Remember ``entries`` for ``source``: merged into what is there, or, after a complete
        crawl (``replace``), instead of it (documents no longer listed are forgotten)."""
        with self._lock:
            data = self._load()
            current = {} if replace else data.get(source, {})
            current.update({k: dict(v) for k, v in entries.items() if v})
            data[source] = current
            if self.path is None:
                self._memory = data
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"version": 1, "sources": data}, ensure_ascii=False, indent=1)
            fd, tmp = tempfile.mkstemp(prefix=".harvest-state.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text + "\n")
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
