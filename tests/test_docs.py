"""Docs that cannot fall behind: settings, routes, commands and queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.api.app import create_app
from service.cli import _parser
from service.config import Settings
from service.queries import load_query, query_names
from service.store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    head = README[:1500]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"KUNSKAPSGRAF_{name.upper()}" in README


def test_every_route_is_documented() -> None:
    app = create_app(Settings(store="memory"))
    paths = {
        getattr(route, "path", "")
        for route in app.routes
        if not getattr(route, "path", "").startswith(("/docs", "/redoc", "/openapi"))
    }
    missing = sorted(p for p in paths if p and p not in README)
    assert missing == []


def test_every_command_is_documented() -> None:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"kunskapsgraf {name}" in README


@pytest.mark.parametrize("name", query_names())
def test_every_query_has_a_header_comment_and_parses(name: str) -> None:
    text = load_query(name)
    assert text.startswith("# "), f"{name}.rq must start with a comment saying what it returns"
    OxigraphStore().select(text)  # raises InvalidQuery when it does not parse
