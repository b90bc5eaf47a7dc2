"""Shared fixtures: settings pointing at a temporary data directory, and one in-memory store
with the model and the demo corpus loaded once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.corpus import load_demo
from service.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(store="memory", data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def demo_store(settings: Settings) -> Store:
    """The demo corpus in memory. Tests must not write to it (use ``empty_store``)."""
    store = open_store(settings)
    load_demo(store, settings)
    return store


@pytest.fixture
def empty_store(settings: Settings) -> Store:
    return open_store(settings)


@pytest.fixture
def store(settings: Settings) -> Store:
    """A fresh in-memory store with the demo corpus, for tests that write."""
    fresh = open_store(settings)
    load_demo(fresh, settings)
    return fresh


@pytest.fixture(scope="session")
def client(settings: Settings, demo_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=demo_store)) as test_client:
        yield test_client
