"""The command line: `kunskapsgraf token` makes a token whose hash the service accepts, and
`kunskapsgraf decide` records the same decision as the API, audited as the operator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from service.config import PrincipalSetting, Settings
from service.governance import audit, register
from service.governance.tokens import identify
from service.store import open_store


def test_token_command_prints_a_token_and_its_hashed_entry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "region-editor", "skane-redaktion", "--region", "12"]) == 0
    first, second = capsys.readouterr().out.strip().splitlines()
    token = first.rsplit(" ", 1)[1]
    entry = PrincipalSetting.model_validate(json.loads(second))
    assert token not in second  # only the hash is configured
    principal = identify(Settings(store="memory", principals=[entry]), token)
    assert principal is not None and principal.region == "12"
    # A scoped role without its scope is refused (exit 2), so a typo cannot widen it.
    assert main(["token", "region-editor", "skane-redaktion"]) == 2


def test_decide_command_records_and_audits_a_decision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path))
    assert main(["load-demo"]) == 0
    assert main(["decide", "sbu", "pausad", "--note", "Flödet har upphört."]) == 0
    printed = capsys.readouterr().out
    answer = json.loads(printed[printed.index("{\n") :])
    assert (answer["previous"]["status"], answer["approval"]["status"]) == ("godkand", "pausad")
    assert main(["decide", "kloka-listan", "pausad", "--note", "x"]) == 2
    store = open_store(Settings(data_dir=tmp_path))
    try:
        assert register.source(store, "sbu")["approvalStatus"] == "pausad"
        events = audit.events(store)["events"]
        assert [e["action"] for e in events] == ["approval-decision"]
        assert events[0]["actor"]["id"].startswith("cli-")
    finally:
        store.close()
