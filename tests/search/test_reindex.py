"""`kunskapsgraf reindex` and the drift check of `kunskapsgraf check` on the on-disk store."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import main
from service.config import Settings
from service.search import SearchService, index_findings, open_index
from service.store import open_store
from tests.search.fixture import fixture_trig


@pytest.fixture
def on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KUNSKAPSGRAF_STORE", "oxigraph")
    corpus = tmp_path / "fixture.trig"
    corpus.write_text(fixture_trig(), encoding="utf-8")
    assert main(["load", str(corpus)]) == 0
    return Settings()


def test_reindex_builds_and_check_reports_drift(on_disk: Settings) -> None:
    assert main(["reindex", "--check"]) == 1  # nothing indexed yet: every item is missing
    assert main(["reindex"]) == 0
    assert main(["reindex", "--check"]) == 0
    store = open_store(on_disk)
    try:
        assert index_findings(store, on_disk) == []
        service = SearchService(open_index(on_disk))
        service.index.delete(["a:astma"])
        service.close()
        findings = index_findings(store, on_disk)
        assert [(f.rule, f.related) for f in findings] == [("search-index-missing", ("a:astma",))]
    finally:
        store.close()
