"""One JSON error shape for every 4xx and 5xx, pinned here."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.config import Settings
from service.store import OxigraphStore


def assert_error_shape(body: dict[str, Any], status: int, code: str) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status
    assert error["code"] == code
    assert set(error["message"]) == {"sv", "en"}
    assert error["message"]["sv"] and error["message"]["en"]
    assert isinstance(error["details"], dict)


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/items/nkk:finns-inte", 404, "not_found"),
        ("GET", "/api/items/kloka-listan:nagot", 404, "not_found"),
        ("GET", "/finns/inte", 404, "not_found"),
        ("POST", "/api/search", 405, "method_not_allowed"),
        ("GET", "/api/search?limit=0", 400, "invalid_parameter"),
        ("GET", "/api/search?limit=abc", 400, "invalid_parameter"),
        ("GET", "/api/search?limit=1000", 400, "invalid_parameter"),
        ("GET", "/api/search?offset=-1", 400, "invalid_parameter"),
        ("GET", "/api/search?audience=astronaut", 400, "invalid_parameter"),
        ("GET", "/api/search?region=99", 400, "invalid_parameter"),
        ("GET", "/api/items/nkk:astma-vuxna?region=99", 400, "invalid_parameter"),
        ("GET", "/api/search?q=" + "x" * 501, 400, "invalid_parameter"),
    ],
)
def test_client_errors_share_one_shape(
    client: TestClient, method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert_error_shape(response.json(), status, code)


def test_unknown_facet_value_lists_valid_values(client: TestClient) -> None:
    body = client.get("/api/search?audience=astronaut").json()
    assert body["error"]["details"]["parameter"] == "audience"
    assert "lakare" in body["error"]["details"]["valid"]
    assert "astronaut" in body["error"]["message"]["sv"]


def test_unknown_region_lists_county_codes(client: TestClient) -> None:
    body = client.get("/api/search?region=99").json()
    assert "12" in body["error"]["details"]["valid"]


def test_type_error_names_the_parameter(client: TestClient) -> None:
    body = client.get("/api/search?limit=abc").json()
    assert body["error"]["details"]["problems"][0]["parameter"] == "limit"
    assert "limit" in body["error"]["message"]["en"]


def test_unexpected_errors_use_the_shape_and_hide_internals(settings: Settings) -> None:
    app = create_app(settings, store=OxigraphStore())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert_error_shape(response.json(), 500, "internal_error")
    assert "secret" not in response.text
