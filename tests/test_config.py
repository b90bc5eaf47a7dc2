"""Settings come from KUNSKAPSGRAF_* environment variables and fail loudly when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.cli import main
from service.config import Settings


def test_settings_read_prefixed_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KUNSKAPSGRAF_STORE", "memory")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.store == "memory"


def test_invalid_setting_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_STORE", "mongodb")
    with pytest.raises(ValidationError):
        Settings()


def test_cli_reports_invalid_setting_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_PORT", "not-a-port")
    assert main(["graphs"]) == 2
    err = capsys.readouterr().err
    assert "KUNSKAPSGRAF_PORT" in err
