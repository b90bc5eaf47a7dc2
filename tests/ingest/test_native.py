"""Native formats through the source's mapping: the push API and `kunskapsgraf ingest`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.config import Settings
from service.store import Store

REPO = Path(__file__).resolve().parents[2]
SFS_SAMPLE = REPO / "mappings" / "sfs" / "sample.md"


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    writable = settings.model_copy(update={"tokens": {"sfs": "sfs-secret"}})
    with TestClient(create_app(writable, store=store)) as c:
        yield c


def test_push_native_markdown_through_the_mapping(client: TestClient) -> None:
    response = client.post(
        "/api/sources/sfs/items",
        content=SFS_SAMPLE.read_bytes(),
        headers={"Authorization": "Bearer sfs-secret", "Content-Type": "text/markdown"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["counts"]["added"] == 1
    assert report["mappingVersion"] not in ("", "rdf")
    runs = client.get(
        "/api/sources/sfs/runs", headers={"Authorization": "Bearer sfs-secret"}
    ).json()["runs"]
    assert runs[0]["mappingVersion"] == report["mappingVersion"]


def test_unmappable_record_rejects_the_batch(client: TestClient, store: Store) -> None:
    before = store.quad_count()
    response = client.post(
        "/api/sources/sfs/items",
        content=b"---\nrubrik: Utan beteckning\n---\n# Text\n",
        headers={"Authorization": "Bearer sfs-secret", "Content-Type": "text/markdown"},
    )
    assert response.status_code in (400, 422), response.text
    assert store.quad_count() == before


def test_cli_ingest_a_directory_of_native_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path / "data"))
    assert main(["load-demo"]) == 0
    drop = tmp_path / "drop"
    drop.mkdir()
    for sample in sorted((REPO / "mappings" / "sfs").glob("sample*.md")):
        (drop / sample.name).write_bytes(sample.read_bytes())
    capsys.readouterr()
    assert main(["ingest", "sfs", str(drop), "--format", "text/markdown"]) == 0
    assert "2 nya" in capsys.readouterr().out
    assert main(["ingest", "sfs", str(drop), "--format", "text/markdown"]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_cli_ingest_rejects_an_invalid_rdf_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path / "data"))
    assert main(["load-demo"]) == 0
    batch = (Path(__file__).parent / "fixtures" / "nkk-batch.ttl").read_text(encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text(batch.replace('ks:title "Sömnapné hos vuxna"@sv ;', ""), encoding="utf-8")
    assert main(["ingest", "nkk", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "AVVISAD" in out and "nkk:somnapne-vuxna" in out and "ks:title" in out
