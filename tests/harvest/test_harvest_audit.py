"""Harvests are writes like any other: each stored batch is an event in the audit trail (who,
which source and run, what changed, how the harvest went), read back with the query behind
`GET /api/audit`. As for a push, a batch that changes nothing or is rejected is no event."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from service.config import Settings
from service.governance import audit
from service.governance.roles import Principal
from service.harvest import harvest
from service.harvest.schedule import run_due
from service.ingest.runs import RunLog
from service.store import Store
from service.terms import KSI
from tests.harvest.test_harvest import FIXTURES, items, ok, only_scheduled, register

SOURCE_IRI = f"{KSI}source/rss"
CHANNEL = f"{KSI}channel/rss/1"
OPERATOR = Principal("cli-testare", "administrator")


@pytest.fixture
def conf(tmp_path: Path) -> Settings:
    return Settings(store="memory", data_dir=tmp_path, harvest_timeout_s=5)


def events(store: Store) -> list[dict[str, Any]]:
    return list(audit.events(store)["events"])


def test_stored_harvest_batches_are_audited(store: Store, conf: Settings) -> None:
    register(store, "file-drop", None, "application/atom+xml")
    drop = conf.data_dir / "drop" / "rss"
    drop.mkdir(parents=True)
    (drop / "a.xml").write_bytes((FIXTURES / "page-a.xml").read_bytes())
    (drop / "b.xml").write_bytes((FIXTURES / "page-b.xml").read_bytes())
    first = ok(harvest(store, conf, "rss", actor=OPERATOR))

    [harvested] = events(store)
    assert harvested["action"] == "items-harvested"
    assert harvested["actor"] == {"id": "cli-testare", "scope": "administrator administrator"}
    assert harvested["target"] == SOURCE_IRI
    assert harvested["before"] is None
    stored = {iri for iri, _ in items(store).values()}
    after = harvested["after"]
    assert after["run"] == first.runs[0]
    assert set(after["added"]) == stored and len(stored) == 2
    assert after["updated"] == []
    assert after["via"] == "harvest" and after["trigger"] == "manual"
    assert after["channels"] == [CHANNEL]
    assert (after["fetched"], after["items"], after["problems"]) == (2, 2, 0)

    # Nothing new in the drop: nothing written, nothing audited.
    assert ok(harvest(store, conf, "rss", actor=OPERATOR)).not_modified == 1
    assert len(events(store)) == 1

    # An item gone from the full crawl is archived: one more event, for that batch only (the
    # item still listed is unchanged, so its batch is no event).
    (drop / "b.xml").unlink()
    report = ok(harvest(store, conf, "rss", actor=OPERATOR))
    assert (report.unchanged, report.archived) == (1, 1)
    archived, _ = events(store)
    gone = items(store)["Fluor i tandkräm för barn"][0]
    assert archived["action"] == "items-archived"
    assert archived["actor"]["id"] == "cli-testare"
    assert archived["after"]["run"] == report.runs[-1]
    assert archived["after"]["updated"] == [gone] and archived["after"]["added"] == []
    assert audit.events(store, action="items-archived")["total"] == 1


def test_a_rejected_harvest_is_not_audited_but_kept_in_the_run_log(
    store: Store, conf: Settings
) -> None:
    # The test API's mapping with a publisher that does not exist: every batch breaks the
    # shapes and is rejected whole, as a push with the same content would be (422, no event).
    mappings = conf.data_dir / "mappings"
    (mappings / "testapi").mkdir(parents=True)
    mapping = (FIXTURES / "mappings" / "testapi" / "mapping.toml").read_text(encoding="utf-8")
    (mappings / "testapi" / "mapping.toml").write_text(
        mapping.replace('publisher = "lakemedelsverket"', 'publisher = "okand-utgivare"')
    )
    broken = conf.model_copy(update={"mappings_dir": mappings})
    register(store, "file-drop", None, "application/json", "testapi")
    drop = conf.data_dir / "drop" / "testapi"
    drop.mkdir(parents=True)
    (drop / "items.json").write_bytes((FIXTURES / "api-2.json").read_bytes())
    log = RunLog(None)

    report = harvest(store, broken, "testapi", actor=OPERATOR, run_log=log)
    assert report.errors[0].message_en.startswith("the batch was rejected: ")
    assert events(store) == []
    assert [r["status"] for r in log.runs("testapi")] == ["rejected"]


def test_scheduled_harvests_are_audited_as_who_ran_the_schedule(
    store: Store, conf: Settings
) -> None:
    only_scheduled(store, conf, "0 3 * * *")
    night = dt.datetime(2026, 7, 1, 1, 5, tzinfo=dt.UTC)  # 03:05 in Stockholm
    assert ok(run_due(store, conf, now=night).reports["rss"]).added == 1
    [by_service] = events(store)
    # The service's own scheduler thread calls run_due without naming anyone.
    assert by_service["actor"]["id"] == "scheduler"
    assert by_service["after"]["trigger"] == "schedule"
    assert by_service["action"] == "items-harvested"

    (conf.data_dir / "drop" / "rss" / "b.xml").write_bytes((FIXTURES / "page-b.xml").read_bytes())
    tomorrow = night + dt.timedelta(days=1)
    assert ok(run_due(store, conf, now=tomorrow, actor=OPERATOR).reports["rss"]).added == 1
    by_cron = events(store)[0]  # `kunskapsgraf harvest --due` from cron: the operator
    assert (by_cron["actor"]["id"], by_cron["after"]["trigger"]) == ("cli-testare", "schedule")
    assert audit.events(store, actor="scheduler")["total"] == 1
