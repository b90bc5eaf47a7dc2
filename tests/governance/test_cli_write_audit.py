"""Writes from the command line are audited like the API's: `kunskapsgraf ingest` and
`kunskapsgraf harvest` (now, and `--due` from cron) appear in `GET /api/audit` as the
operator who ran them, and a rejected or unchanged batch is no event, as for a push."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.cli import main
from service.config import Settings
from service.governance import audit
from service.governance.audit import operator
from service.governance.tokens import principal_entry
from service.ingest.runs import RunLog
from service.store import open_store
from service.terms import KSI
from tests.governance.conftest import ADMIN, bearer
from tests.harvest.test_harvest import FIXTURES as HARVEST_FIXTURES
from tests.harvest.test_harvest import only_scheduled
from tests.terminology.test_terminology import kva_folder

BATCH = Path(__file__).parents[1] / "ingest" / "fixtures" / "nkk-batch.ttl"


def test_cli_ingest_and_harvests_are_audited_as_the_operator(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(data))
    assert main(["load-demo"]) == 0

    batch = tmp_path / "nkk-batch.ttl"
    batch.write_bytes(BATCH.read_bytes())
    assert main(["ingest", "nkk", str(batch)]) == 0
    assert main(["ingest", "nkk", str(batch)]) == 0  # the same content: unchanged
    broken = tmp_path / "broken.ttl"
    text = BATCH.read_text(encoding="utf-8")
    broken.write_text(text.replace('ks:title "Utredning av sömnapné"@sv ;', ""))
    assert main(["ingest", "nkk", str(broken)]) == 1  # rejected: nothing stored
    assert "AVVISAD" in capsys.readouterr().out

    # The rss source as a file drop on a nightly schedule: `harvest --due` runs it at once
    # (never harvested), `harvest rss` again after a new file arrives.
    conf = Settings(data_dir=data)
    store = open_store(conf)
    try:
        drop = only_scheduled(store, conf, "0 3 * * *")
    finally:
        store.close()
    assert main(["harvest", "--due"]) == 0
    (drop / "b.xml").write_bytes((HARVEST_FIXTURES / "page-b.xml").read_bytes())
    assert main(["harvest", "rss"]) == 0

    store = open_store(conf)
    try:
        app_settings = settings.model_copy(
            update={
                "principals": [principal_entry("admin-1", "administrator", ADMIN)],
                "data_dir": tmp_path / "app",
                "tokens": {},
            }
        )
        with TestClient(create_app(app_settings, store=store)) as client:
            answer = client.get("/api/audit", headers=bearer(ADMIN))
            assert answer.status_code == 200
            listed = answer.json()["events"]
            pushes = client.get(
                "/api/audit", params={"action": "items-pushed"}, headers=bearer(ADMIN)
            ).json()
    finally:
        store.close()

    manual, scheduled, pushed = listed  # newest first
    me = operator().id
    assert me.startswith("cli")
    for event in listed:
        assert event["actor"] == {"id": me, "scope": "administrator administrator"}

    assert pushes["total"] == 1  # neither the unchanged nor the rejected batch
    assert pushed["action"] == "items-pushed"
    assert pushed["target"] == f"{KSI}source/nkk"
    assert f"{KSI}item/nkk/somnapne-vuxna" in pushed["after"]["added"]
    assert pushed["after"]["via"] == "cli" and pushed["after"]["file"] == str(batch)
    nkk_runs = RunLog(data / "ingest-runs.jsonl").runs("nkk")
    assert [r["status"] for r in nkk_runs] == ["rejected", "unchanged", "stored"]
    assert pushed["after"]["run"] == nkk_runs[2]["run"]

    for event, trigger in ((scheduled, "schedule"), (manual, "manual")):
        assert event["action"] == "items-harvested"
        assert event["target"] == f"{KSI}source/rss"
        assert event["after"]["trigger"] == trigger
        assert len(event["after"]["added"]) == 1
    assert scheduled["after"]["added"] != manual["after"]["added"]


def test_cli_terminology_imports_are_audited_and_dump_loads_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`import-terminology` writes outside the ingestion pipeline and is audited as the
    operator; `load` is the portable restore (a dump must load back unchanged), not an event."""
    data = tmp_path / "data"
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(data))
    assert main(["load-demo"]) == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://e.org/a> <https://e.org/p> "x" .\n')
    assert main(["load", str(extra), "--graph", "https://kunskapsgraf.se/graph/extra"]) == 0
    assert main(["import-terminology", "kva", str(kva_folder(tmp_path))]) == 0

    store = open_store(Settings(data_dir=data))
    try:
        listed = audit.events(store)["events"]
    finally:
        store.close()
    (event,) = listed
    assert event["action"] == "terminology-imported"
    assert event["target"].endswith("/kva") and event["after"]["terminology"] == "kva"
    assert event["after"]["concepts"] > 0
    assert event["actor"]["id"] == operator().id
