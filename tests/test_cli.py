"""The command line: load, load-demo, check, search and serve, on a real on-disk store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from service.cli import main

REPO = Path(__file__).resolve().parents[1]
BROKEN = REPO / "data" / "demo" / "broken.trig"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store with the demo corpus, shared by the tests of this module."""
    path = tmp_path_factory.mktemp("cli")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KUNSKAPSGRAF_DATA_DIR", str(path))
        assert main(["load-demo"]) == 0
    return path


@pytest.fixture
def env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(data_dir))
    return data_dir


def test_load_demo_if_empty_does_not_load_twice(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load-demo", "--if-empty"]) == 0
    assert "redan" in capsys.readouterr().out


@pytest.mark.slow
def test_check_passes_on_the_demo_corpus(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "konsistenta" in out
    assert "Resultat: GODKÄND" in out
    assert " 0 fel" in out


def test_check_fails_on_broken_items_naming_item_field_and_rule(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--no-reasoner", str(BROKEN)]) == 1
    out = capsys.readouterr().out
    assert "UNDERKÄND" in out
    block = out.split("✗ nkk:trasig-saknar-titel", 1)[1].split("✗", 1)[0]  # the item
    assert "Fält:    titel (ks:title)" in block  # the field
    assert "Regel:   kss:KnowledgeResource-title" in block  # the rule
    assert "Åtgärd:  Ange titeln" in block  # what to do
    # Every broken item in the file is reported, and nothing from the (valid) store.
    assert out.count("✗ nkk:trasig-") >= 10
    assert "✗ nkk:astma-vuxna" not in out


def test_check_json_lists_violations(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-reasoner", "--format", "json", str(BROKEN)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    first = report["violations"][0]
    assert first["rule"].startswith("https://kunskapsgraf.se/shapes/")
    assert first["message"]["sv"] and first["message"]["en"]


def test_load_rejects_malformed_file_and_keeps_the_store(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graphs"]) == 0
    before = capsys.readouterr().out
    bad = tmp_path / "bad.ttl"
    bad.write_text('<https://e/a> <https://e/p> "x" .\n<https://e/b> <https://e/p> .\n')
    assert main(["load", "--graph", "https://kunskapsgraf.se/graph/source/test", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.ttl" in err and "rad 2" in err and "line 2" in err
    assert main(["graphs"]) == 0
    assert capsys.readouterr().out == before


def test_search_command(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "astma"]) == 0
    assert "nkk:astma-vuxna" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_search_over_http(env: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env={**os.environ, "KUNSKAPSGRAF_DATA_DIR": str(env)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/health/ready") as r:
                    assert r.status == 200
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        proc.stderr.read() if proc.stderr else "no output"
                    ) from None
                time.sleep(0.2)
        with urllib.request.urlopen(url + "/api/search?q=astma") as r:
            body = json.load(r)
        assert body["total"] > 0
        assert any("Astma" in i["title"] for i in body["items"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


def test_harvest_command_reports_a_source_without_channels(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo's rss source has no pull address yet: a clear message, nothing written.
    assert main(["harvest", "rss"]) == 2
    assert "rss" in capsys.readouterr().err
    assert main(["harvest", "finns-inte"]) == 2
