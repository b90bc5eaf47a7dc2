"""The FastAPI application: ``create_app(settings)`` assembles routers, error handlers and the
store/search lifecycle."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service import __version__
from service.api.errors import install_error_handlers
from service.api.middleware import install_operations
from service.api.routes import admin as admin_routes
from service.api.routes import audit as audit_routes
from service.api.routes import concepts as concept_routes
from service.api.routes import governance as governance_routes
from service.api.routes import (
    health,
    items,
    linkeddata,
    search,
    search_gaps,
    sources,
    sparql,
    suggest,
)
from service.api.routes import metrics as metrics_routes
from service.api.routes import ontology as ontology_routes
from service.api.routes import pages as html_pages
from service.api.routes import register as register_routes
from service.api.routes import related as related_routes
from service.config import Settings
from service.harvest.schedule import Scheduler
from service.ingest.runs import RunLog
from service.related import RelatedService
from service.search import SearchService, open_gap_log, open_index
from service.store import Store, open_store
from service.web.render import STATIC_DIR

DESCRIPTION = """
Kunskapsgraf: en väg in till kvalitetssäkrad nationell kunskap för vårdpersonal.
Knowledge graph for Swedish national healthcare knowledge.

All errors share one JSON shape:
`{"error": {"status", "code", "message": {"sv", "en"}, "details"}}`.
"""


def _start_scheduler(app: FastAPI) -> Scheduler:
    """Scheduled harvests inside the service (``KUNSKAPSGRAF_HARVEST_SCHEDULER``); the index
    and related content follow each harvest that changed something."""
    store = app.state.store

    def changed(source: str) -> None:
        app.state.search.update_source(store, source)  # only that source's items
        app.state.related.refresh_soon(store)

    scheduler = Scheduler(store, app.state.settings, run_log=app.state.run_log, on_change=changed)
    scheduler.start()
    return scheduler


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the application. Pass ``store`` to share an already open store (tests,
    notebooks); otherwise the store named by ``settings`` is opened at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None
        app.state.store = store if store is not None else open_store(settings)
        app.state.search.refresh(app.state.store)
        app.state.related.refresh(app.state.store)  # built from the search documents
        # What start-up read (documents, concepts, matrices: millions of objects at 100,000
        # items) lives as long as the process: the cyclic collector need not scan it again,
        # which would pause whichever request triggers a full collection.
        gc.collect()
        gc.freeze()
        if settings.sparql_warm_up:
            app.state.sparql.warm_soon(app.state.store)
        scheduler = _start_scheduler(app) if settings.harvest_scheduler else None
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            app.state.sparql.close()
            app.state.search.close()
            if own_store:
                app.state.store.close()

    app = FastAPI(
        title="kunskapsgraf",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.search = SearchService(open_index(settings), gaps=open_gap_log(settings))
    app.state.related = RelatedService(app.state.search)
    app.state.run_log = RunLog(
        None if settings.store == "memory" else settings.data_dir / "ingest-runs.jsonl"
    )
    install_error_handlers(app)
    install_operations(app, settings)
    app.include_router(metrics_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(health.router)
    app.include_router(search.router)
    app.include_router(suggest.router)
    app.include_router(search_gaps.router)
    app.include_router(items.router)
    app.include_router(related_routes.router)
    app.include_router(concept_routes.router)
    app.include_router(register_routes.router)
    app.include_router(governance_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(sources.router)
    app.include_router(ontology_routes.router)
    sparql.install(app)  # /sparql, /rdf-graphs, the query page; CORS on public read paths
    app.include_router(linkeddata.router)
    app.include_router(html_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
