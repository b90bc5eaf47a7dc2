"""`/api/search` and `/api/concepts/{id}/items` take the same search parameters (one shared
declaration): the same documentation in OpenAPI and the same answer to a bad value."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.api import routes

SEARCH = "/api/search"
CONCEPT_ITEMS = "/api/concepts/{concept}/items"
SHARED = {
    "q", "source", "contentType", "audience", "careSetting", "knowledgeArea", "patientGroup",
    "freshness", "region", "sort", "page", "size", "offset", "limit",
}  # fmt: skip


def query_parameters(client: TestClient, path: str) -> dict[str, dict[str, Any]]:
    operation = client.get("/openapi.json").json()["paths"][path]["get"]
    return {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}


def test_both_routes_document_the_same_search_parameters(client: TestClient) -> None:
    search, concept_items = (
        query_parameters(client, SEARCH),
        query_parameters(client, CONCEPT_ITEMS),
    )
    assert set(search) == SHARED | {"concept"}  # the concept facet; in the path for its items
    assert set(concept_items) == SHARED
    for name in SHARED:
        assert search[name] == concept_items[name], name
    assert search["q"]["description"] == "Sökfråga / query"
    assert search["page"]["schema"]["anyOf"][0] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 10000,
    }
    assert search["sort"]["schema"]["enum"] == ["relevance", "date"]
    assert search["audience"]["schema"]["anyOf"][0]["type"] == "array"


def test_bad_values_get_the_same_error_on_both_routes(client: TestClient) -> None:
    for bad, parameter in (
        ({"page": "0"}, "page"),
        ({"size": "5000"}, "size"),
        ({"limit": "0"}, "limit"),
        ({"sort": "popular"}, "sort"),
        ({"q": "astma " * 500}, "q"),
        ({"audience": "ingen"}, "audience"),
    ):
        answers = [
            client.get(path, params=bad)
            for path in (SEARCH, CONCEPT_ITEMS.format(concept="icd-10-se:J45"))
        ]
        assert [a.status_code for a in answers] == [400, 400], bad
        first, second = (a.json() for a in answers)
        assert first == second, bad
        error = first["error"]
        assert error["code"] == "invalid_parameter"
        named = error["details"].get("parameter") or error["details"]["problems"][0]["parameter"]
        assert named == parameter


def test_no_request_dependency_waits_for_a_worker_thread() -> None:
    # FastAPI runs a plain function or class dependency in its thread pool: a hand-over to
    # another thread and back per request (about a millisecond per search at 100,000 items).
    def calls(dependant: Dependant) -> Iterator[Any]:
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    modules = [
        importlib.import_module(f"{routes.__name__}.{info.name}")
        for info in pkgutil.iter_modules(routes.__path__)
    ]
    api_routes = [
        route
        for module in modules
        for route in getattr(getattr(module, "router", None), "routes", [])
        if isinstance(route, APIRoute)
    ]
    blocking = {
        (route.path, getattr(call, "__name__", repr(call)))
        for route in api_routes
        for call in calls(route.dependant)
        if not inspect.iscoroutinefunction(call)
    }
    assert {r.path for r in api_routes} >= {SEARCH, CONCEPT_ITEMS}
    assert blocking == set()
