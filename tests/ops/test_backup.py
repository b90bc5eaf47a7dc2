"""Backup while the service runs and takes writes, restore into a fresh data directory, and
N-Quads dump/load as the portable format: per-graph quad counts and canonical hashes equal."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import httpx
import pytest
from crashloop import (
    TOKEN,
    CliServer,
    Ledger,
    free_port,
    index_problems,
    prepare_store,
    server_env,
    verify_store,
    wait_ready,
)
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.config import Settings
from service.ops.backup import fingerprint, graph_hash, read_manifest
from service.store import OxigraphStore

ADMIN = "drift-hemlig"


def fingerprint_of(data_dir: Path) -> dict[str, object]:
    store = OxigraphStore(data_dir / "oxigraph")
    try:
        return fingerprint(store).as_json()
    finally:
        store.close()


def use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        if name.startswith("KUNSKAPSGRAF_"):
            monkeypatch.setenv(name, value)


def test_backup_of_a_running_service_under_writes_restores_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup"
    prepare_store(data)
    port = free_port()
    env = server_env(data, port) | {"KUNSKAPSGRAF_ADMIN_TOKEN": ADMIN}
    servers = CliServer(env, tmp_path / "server.log")
    pid = servers.start()
    ledger = Ledger()
    stop = threading.Event()
    acknowledged_before: set[int] = set()
    backup_done = threading.Event()
    after_backup = threading.Event()
    failures: list[str] = []

    def push() -> None:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            while not stop.is_set():
                batch = ledger.next()
                answer = client.post("/api/sources/nkk/items", content=batch.body, headers=headers)
                if answer.status_code != 200:
                    failures.append(answer.text)
                    return
                batch.acknowledged = True
                if backup_done.is_set():
                    after_backup.set()

    try:
        wait_ready(f"http://127.0.0.1:{port}")
        pusher = threading.Thread(target=push)
        pusher.start()
        while len([b for b in ledger.batches if b.acknowledged]) < 2 and pusher.is_alive():
            stop.wait(0.05)
        acknowledged_before = {b.number for b in ledger.batches if b.acknowledged}
        use(monkeypatch, env)
        # The service holds the store: the command asks it to take the backup.
        assert main(["backup", str(backup), "--hashed"]) == 0
        backup_done.set()
        after_backup.wait(timeout=120)  # writes go on after the backup
        stop.set()
        pusher.join()
    finally:
        stop.set()
        servers.kill(pid)
    assert failures == []
    assert "Säkerhetskopia i" in capsys.readouterr().out

    manifest = read_manifest(backup)
    assert manifest["sha256"] and manifest["graphs"]
    assert (backup / "ingest-runs.jsonl").is_file()

    # The copy is a consistent state: what was acknowledged before is whole in it, the
    # batches around the backup are whole or absent, and the later writes are not in it.
    in_backup = copy.deepcopy(ledger)
    for batch in in_backup.batches:
        batch.acknowledged = batch.number in acknowledged_before
    assert verify_store(backup, in_backup) == []
    assert in_backup.present_products < ledger.present_products | {
        p for b in ledger.batches if b.acknowledged for p in b.products
    }

    restored = tmp_path / "restored"
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(restored))
    assert main(["restore", str(backup)]) == 0
    found = fingerprint_of(restored)
    assert found == fingerprint_of(backup)
    assert found["sha256"] == manifest["sha256"] and found["graphs"] == manifest["graphs"]
    assert (restored / "ingest-runs.jsonl").read_bytes() == (
        backup / "ingest-runs.jsonl"
    ).read_bytes()

    # The restored directory serves, and its search index is rebuilt to agree with it.
    with TestClient(create_app(Settings(store="oxigraph", data_dir=restored))) as client:
        assert client.get("/health/ready").status_code == 200
        assert index_problems(client, in_backup) == []  # type: ignore[arg-type]

    # N-Quads: dump the restored store, load it into an empty one, same fingerprint.
    dump = tmp_path / "all.nq"
    assert main(["dump", str(dump)]) == 0
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path / "loaded"))
    assert main(["load", str(dump)]) == 0
    assert fingerprint_of(tmp_path / "loaded") == found


def test_restore_refuses_a_data_directory_that_has_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prepare_store(tmp_path / "data")
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path / "data"))
    assert main(["backup", str(tmp_path / "backup")]) == 0  # the store is free: direct
    before = fingerprint_of(tmp_path / "data")
    assert main(["restore", str(tmp_path / "backup")]) == 2
    assert "återställ till en ny datakatalog" in capsys.readouterr().err
    assert fingerprint_of(tmp_path / "data") == before
    assert main(["backup", str(tmp_path / "backup")]) == 2  # never over an earlier one


def test_restore_refuses_a_backup_that_does_not_match_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prepare_store(tmp_path / "data")
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path / "data"))
    assert main(["backup", str(tmp_path / "backup")]) == 0
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    graph = next(iter(manifest["graphs"]))
    manifest["graphs"][graph]["quads"] += 1
    manifest_path.write_text(json.dumps(manifest))
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path / "fresh"))
    assert main(["restore", str(tmp_path / "backup")]) == 3
    assert "does not match the backup's manifest" in capsys.readouterr().err
    assert not (tmp_path / "fresh" / "oxigraph").exists()


def test_the_canonical_hash_ignores_blank_node_labels_and_order() -> None:
    one = b'_:a <https://e/p> "x" .\n_:a <https://e/q> _:b .\n<https://e/s> <https://e/p> _:b .\n'
    two = b'<https://e/s> <https://e/p> _:z9 .\n_:k <https://e/q> _:z9 .\n_:k <https://e/p> "x" .\n'
    other = b'_:a <https://e/p> "y" .\n_:a <https://e/q> _:b .\n<https://e/s> <https://e/p> _:b .\n'
    assert graph_hash(one) == graph_hash(two)
    assert graph_hash(one) != graph_hash(other)


def test_admin_backup_needs_the_admin_token(settings: Settings, tmp_path: Path) -> None:
    body = {"target": str(tmp_path / "b")}
    with TestClient(create_app(settings, store=OxigraphStore())) as client:
        refused = client.post("/admin/backup", json=body)  # no admin token configured
    assert refused.status_code == 401
    conf = settings.model_copy(update={"admin_token": ADMIN, "tokens": {"nkk": "nkk-hemlig"}})
    with TestClient(create_app(conf, store=OxigraphStore())) as client:
        wrong = client.post("/admin/backup", json=body, headers={"Authorization": "Bearer x"})
        source = client.post(
            "/admin/backup", json=body, headers={"Authorization": "Bearer nkk-hemlig"}
        )
        memory = client.post(
            "/admin/backup", json=body, headers={"Authorization": f"Bearer {ADMIN}"}
        )
    assert wrong.status_code == 401
    assert source.status_code == 403  # a source's token is not an administrator's
    assert memory.status_code == 400  # an in-memory store: use dump
    assert "dump" in memory.json()["error"]["message"]["en"]
    assert not (tmp_path / "b").exists()
