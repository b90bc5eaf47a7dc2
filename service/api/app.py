"""The FastAPI application: ``create_app(settings)`` assembles routers, error handlers and the
store/search lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import __version__
from service.api.errors import install_error_handlers
from service.api.routes import health, items, search, sources
from service.config import Settings
from service.ingest.runs import RunLog
from service.search import SearchService, open_index
from service.store import Store, open_store

DESCRIPTION = """
Kunskapsgraf: en väg in till kvalitetssäkrad nationell kunskap för vårdpersonal.
Knowledge graph for Swedish national healthcare knowledge.

All errors share one JSON shape:
`{"error": {"status", "code", "message": {"sv", "en"}, "details"}}`.
"""


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the application. Pass ``store`` to share an already open store (tests,
    notebooks); otherwise the store named by ``settings`` is opened at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None
        app.state.store = store if store is not None else open_store(settings)
        app.state.search.refresh(app.state.store)
        try:
            yield
        finally:
            if own_store:
                app.state.store.close()

    app = FastAPI(
        title="kunskapsgraf",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.search = SearchService(open_index(settings))
    app.state.run_log = RunLog(
        None if settings.store == "memory" else settings.data_dir / "ingest-runs.jsonl"
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(search.router)
    app.include_router(items.router)
    app.include_router(sources.router)
    return app
