"""One app over the demo corpus with short SPARQL limits, so hostile queries end fast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.store import Store

TIMEOUT_S = 1.5
MAX_RESULT_BYTES = 300_000
MEMORY_MB = 400  # the demo snapshot needs ~30 MB of it


@pytest.fixture(scope="session")
def sparql_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings.model_copy(
        update={
            "data_dir": tmp_path_factory.mktemp("sparql"),
            "sparql_timeout_s": TIMEOUT_S,
            "sparql_max_result_bytes": MAX_RESULT_BYTES,
            "sparql_max_query_chars": 5_000,
            "rate_limit_per_minute": 0,  # the rate limiter has its own tests
            "sparql_worker_nice": 0,  # a replacement worker starts fast on a busy test machine
            "sparql_worker_memory_mb": MEMORY_MB,
        }
    )


@pytest.fixture(scope="session")
def sparql(sparql_settings: Settings, demo_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(sparql_settings, store=demo_store)) as client:
        yield client
