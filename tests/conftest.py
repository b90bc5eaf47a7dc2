"""Shared fixtures: settings pointing at a temporary data directory, and one in-memory store
with the model and the demo corpus loaded once per test session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.corpus import load_demo
from service.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]


# KUNSKAPSGRAF_TEST_STORE=remote runs the tests on real Oxigraph servers (store=remote)
# instead of the in-memory store: one for the session's demo store, a fresh one per
# ``store`` / ``empty_store``.
REMOTE = os.environ.get("KUNSKAPSGRAF_TEST_STORE") == "remote"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Settings:
    # One in-process client makes hundreds of requests per session: no rate limits here
    # (tests/ops tests them with their own settings).
    base = Settings(
        store="memory",
        data_dir=tmp_path_factory.mktemp("data"),
        rate_limit_per_minute=0,
        # Hundreds of apps start in a session: no SPARQL worker each (tests/sparql starts
        # them on use, as a first query after a change does).
        sparql_warm_up=False,
        token_rate_limit_per_minute=0,
    )
    if REMOTE:
        return _remote(base, request.getfixturevalue("oxigraph_server"))
    return base


@pytest.fixture(scope="session", autouse=True)
def _ram_search_index_with_remote_store() -> Iterator[None]:
    """With the remote store, each app in a test session still gets its own index in RAM, as
    with the memory store (on disk, apps sharing the data directory would share its lock)."""
    if not REMOTE:
        yield
        return
    import service.api.app
    from service.search.tantivy_index import TantivySearchIndex

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service.api.app, "open_index", lambda settings: TantivySearchIndex())
        yield


@pytest.fixture(scope="session")
def demo_store(settings: Settings) -> Iterator[Store]:
    """The demo corpus in memory. Tests must not write to it (use ``empty_store``)."""
    store = open_store(settings)
    load_demo(store, settings)
    yield store
    if REMOTE:
        store.close()  # its HTTP connections


@pytest.fixture
def empty_store(settings: Settings) -> Iterator[Store]:
    if REMOTE:
        with _oxigraph_server() as url:
            remote = open_store(_remote(settings, url))
            yield remote
            remote.close()
        return
    yield open_store(settings)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A fresh in-memory store with the demo corpus, for tests that write."""
    if REMOTE:
        with _oxigraph_server() as url:
            fresh = open_store(_remote(settings, url))
            load_demo(fresh, settings)
            yield fresh
            fresh.close()
        return
    fresh = open_store(settings)
    load_demo(fresh, settings)
    yield fresh


@pytest.fixture(scope="session")
def client(settings: Settings, demo_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=demo_store)) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _oxigraph_server() -> Iterator[str]:
    """A real ``oxigraph serve`` (PyPI package ``oxigraph``) in memory on a free 127.0.0.1
    port, with the union of the named graphs as default graph; yields its base URL."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).is_file():
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.skip("oxigraph serve did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[str]:
    """One Oxigraph server for the session (see ``_oxigraph_server``)."""
    with _oxigraph_server() as url:
        yield url


def _remote(settings: Settings, url: str) -> Settings:
    return settings.model_copy(
        update={
            "store": "remote",
            "remote_query_url": f"{url}/query",
            "remote_update_url": f"{url}/update",
            "remote_store_url": f"{url}/store",
        }
    )


@pytest.fixture(scope="session")
def remote_settings(oxigraph_server: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the remote store on the session's Oxigraph server."""
    return _remote(
        Settings(store="memory", data_dir=tmp_path_factory.mktemp("remote-data")), oxigraph_server
    )
