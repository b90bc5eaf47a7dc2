"""Request dependencies: the store and the search service live on ``app.state``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from service.config import Settings
from service.search import SearchService
from service.store.base import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_search(request: Request) -> SearchService:
    search: SearchService = request.app.state.search
    return search


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SearchDep = Annotated[SearchService, Depends(get_search)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
