"""Request dependencies: the store and the search service live on ``app.state``.

Coroutines, although they only read an attribute: FastAPI runs a plain function dependency in
its thread pool, a hand-over to another thread and back for every request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.config import Settings
from service.search import SearchService
from service.store.base import Store


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_search(request: Request) -> SearchService:
    search: SearchService = request.app.state.search
    return search


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SearchDep = Annotated[SearchService, Depends(get_search)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
