"""The operations' route: Starlette's matching rules, without scanning every path pattern."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.routing import Match

from icss.reference._problems import install as install_problems
from icss.reference._routing import _OperationRoutes


def _answer(name: str) -> Any:
    async def endpoint(request: Request) -> Response:
        return JSONResponse({"op": name, "params": request.path_params})

    return endpoint


@pytest.fixture
def routes() -> _OperationRoutes:
    r = _OperationRoutes()
    r.add("/v1/write-offs/batch", "POST", _answer("batch"))
    r.add("/v1/write-offs/{write_off_id}", "GET", _answer("get"))
    r.add("/v1/debtors", "GET", _answer("list"))
    r.add("/v1/debtors", "POST", _answer("create"))
    r.add("/v1/debtors/{debtor_id}/events", "POST", _answer("event"))
    return r


@pytest.fixture
def client(routes: _OperationRoutes) -> TestClient:
    app = FastAPI()
    install_problems(app)
    app.router.routes.append(routes)
    return TestClient(app)


def _scope(path: str, method: str = "GET", **extra: Any) -> dict[str, Any]:
    return {"type": "http", "path": path, "method": method, **extra}


def test_the_first_template_whose_method_matches_wins(client: TestClient) -> None:
    # "batch" matches the literal template first, but only for POST: GET falls to the parameter template.
    assert client.post("/v1/write-offs/batch").json()["op"] == "batch"
    assert client.get("/v1/write-offs/batch").json() == {"op": "get", "params": {"write_off_id": "batch"}}
    assert client.get("/v1/write-offs/wo_1").json()["params"] == {"write_off_id": "wo_1"}


def test_methods_of_one_path_share_a_template(client: TestClient) -> None:
    assert client.get("/v1/debtors").json()["op"] == "list"
    assert client.post("/v1/debtors").json()["op"] == "create"


def test_a_known_path_with_another_method_is_a_405_problem(client: TestClient) -> None:
    response = client.delete("/v1/debtors")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_paths_and_empty_parameters_do_not_match(routes: _OperationRoutes, client: TestClient) -> None:
    assert routes.matches(_scope("/v1/debtors//events", "POST"))[0] is Match.NONE
    assert routes.matches(_scope("/v1/debtors/d1/event", "POST"))[0] is Match.NONE
    assert routes.matches(_scope("/v1/nothing"))[0] is Match.NONE
    assert routes.matches({"type": "websocket", "path": "/v1/debtors"})[0] is Match.NONE
    assert client.get("/v1/nothing").status_code == 404


def test_root_path_is_stripped_and_parameters_merge(routes: _OperationRoutes) -> None:
    match, child = routes.matches(
        _scope("/api/v1/debtors/d1/events", "POST", root_path="/api", path_params={"tenant": "t1"})
    )
    assert match is Match.FULL
    assert child["path_params"] == {"tenant": "t1", "debtor_id": "d1"}


def test_served_lists_every_operation(routes: _OperationRoutes) -> None:
    assert sorted(routes.served()) == [
        ("GET", "/v1/debtors"),
        ("GET", "/v1/write-offs/{write_off_id}"),
        ("POST", "/v1/debtors"),
        ("POST", "/v1/debtors/{debtor_id}/events"),
        ("POST", "/v1/write-offs/batch"),
    ]
