"""The served interface is spec/openapi.yaml itself: a drift test.

The document the service serves must equal the spec's, every schema it refers to must be served
under /icss/v1/schemas/, every operation must have a route and a handler, and an operation without
a handler would answer a clear 501 not-implemented problem — never a fake success.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from _api_world import all_operations, is_implemented

from icss.spec import schema, spec_root

BASE = "/icss/v1"
OPERATIONS = all_operations()


def _spec() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((spec_root() / "openapi.yaml").read_text(encoding="utf-8"))
    return doc


def _schema_refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("schemas/"):
                found.add(value.removeprefix("schemas/").split("#")[0])
            else:
                found |= _schema_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _schema_refs(value)
    return found


def test_served_document_is_the_spec(app_client: Any) -> None:
    response = app_client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == _spec()


def test_every_referenced_schema_is_served(app_client: Any) -> None:
    names = _schema_refs(_spec())
    assert len(names) > 50
    for name in sorted(names):
        response = app_client.get(f"{BASE}/schemas/{name}")
        assert response.status_code == 200, name
        assert response.json() == schema(name)


def test_unknown_schema_is_a_404_problem(app_client: Any) -> None:
    response = app_client.get(f"{BASE}/schemas/nope.schema.json")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_every_operation_has_a_route(app_client: Any) -> None:
    routes: set[tuple[str, str]] = set()
    for route in app_client.app.routes:
        for method in getattr(route, "methods", None) or ():
            routes.add((method, route.path))
        if hasattr(route, "served"):  # the operations' own route (reference/_routing._OperationRoutes)
            routes.update(route.served())
    for path, item in _spec()["paths"].items():
        for method in ("get", "put", "post", "delete", "patch"):
            if method in item:
                assert (method.upper(), BASE + path) in routes, f"{method.upper()} {path} has no route"
    served = {(m, p) for m, p in routes if p.startswith(BASE) and not re.search(r"/(openapi\.json|schemas/)", p)}
    declared = {(m.upper(), BASE + p) for p, item in _spec()["paths"].items() for m in item if m != "parameters"}
    assert served - {("HEAD", p) for _, p in served} <= declared, "a route the spec does not declare"


def test_every_operation_is_implemented() -> None:
    missing = [op.operation_id for op in OPERATIONS if not is_implemented(op)]
    assert not missing, f"operations without a handler: {missing}"


def test_an_operation_without_a_handler_answers_501() -> None:
    """The routing's fallback for an operation a deployment leaves out: a problem, not a fake success."""
    from icss.reference._problems import Problem
    from icss.reference._routing import _not_implemented

    with pytest.raises(Problem) as raised:
        _not_implemented(type("Call", (), {"operation": OPERATIONS[0]})())  # type: ignore[arg-type]
    assert raised.value.status == 501
    assert raised.value.document()["code"] == "not_implemented"
