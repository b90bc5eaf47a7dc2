"""The store seam: ``Store`` (the protocol) and ``open_store`` (the one place a backend is chosen).

>>> from service.config import Settings
>>> store = open_store(Settings(store="memory"))
>>> store.name
'memory'
"""

from __future__ import annotations

from service.config import Settings
from service.store.base import Row, Store, Substitutions, Term
from service.store.oxigraph import OxigraphStore

__all__ = ["OxigraphStore", "Row", "Store", "Substitutions", "Term", "open_store"]


def open_store(settings: Settings) -> Store:
    """Open the store backend named by ``settings.store``."""
    if settings.store == "memory":
        return OxigraphStore()
    if settings.store == "remote":
        from service.store.remote import RemoteSparqlStore

        return RemoteSparqlStore(
            settings.remote_query_url,
            settings.remote_update_url,
            settings.remote_store_url,
            timeout_s=settings.remote_timeout_s,
        )
    return OxigraphStore(settings.store_path)
