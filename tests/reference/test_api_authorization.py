"""Roles, tenants and debtors: who reaches what, for every operation of spec/openapi.yaml.

The operations are read from the OpenAPI document, so a new operation is swept automatically:
no token is 401, a role outside ``x-icss-roles`` is 403, a debtor naming another debtor's resource
is 404 (and sees none of that debtor's data), and a token of tenant A naming a resource of tenant
B is 404 — never 403, which would confirm that the id exists.
"""

from __future__ import annotations

from typing import Any

import pytest
from _api_world import (
    ROLES,
    World,
    admitted_role,
    all_operations,
    build_request,
    debtor_scoped_with_debtor_role,
    declared_statuses,
    is_implemented,
    names_a_resource,
)

from icss.reference._operations import Operation

OPERATIONS = all_operations()
PROTECTED = [op for op in OPERATIONS if not op.public]
FORBIDDEN_PAIRS = [(op, role) for op in PROTECTED for role in ROLES if role not in op.roles]
DEBTOR_SCOPED = debtor_scoped_with_debtor_role(OPERATIONS)
NAMING = [op for op in OPERATIONS if names_a_resource(op, across_tenants=True) and op.operation_id != "issueToken"]


def _ids(ops: list[Operation]) -> list[str]:
    return [op.operation_id for op in ops]


def _assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = response.json()
    assert doc["status"] == status
    return doc


def _assert_not_found_or_unimplemented(op: Operation, response: Any) -> None:
    """404 — or, while the operation has no handler yet, its 501 (which reveals nothing either).

    Where the OpenAPI document declares no 404 for the operation (a gap of the spec, reported),
    403 is accepted instead.
    """
    if not is_implemented(op):
        _assert_problem(response, 501)
    elif "404" in declared_statuses(op) or response.status_code == 404:
        _assert_problem(response, 404)
    else:
        _assert_problem(response, 403)


@pytest.mark.parametrize("op", PROTECTED, ids=_ids(PROTECTED))
def test_no_token_is_401(world: World, app_client: Any, op: Operation) -> None:
    request = build_request(op, world.a1.ids)
    doc = _assert_problem(request.send(app_client), 401)
    assert doc["type"].endswith("/unauthenticated")


@pytest.mark.parametrize("op", PROTECTED, ids=_ids(PROTECTED))
@pytest.mark.parametrize("token", ["garbage", "eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.", ""])
def test_invalid_token_is_401(world: World, app_client: Any, op: Operation, token: str) -> None:
    request = build_request(op, world.a1.ids, {"Authorization": f"Bearer {token}"})
    _assert_problem(request.send(app_client), 401)


@pytest.mark.parametrize(
    ("op", "role"), FORBIDDEN_PAIRS, ids=[f"{op.operation_id}-{role}" for op, role in FORBIDDEN_PAIRS]
)
def test_role_not_admitted_is_403(world: World, app_client: Any, op: Operation, role: str) -> None:
    request = build_request(op, world.a1.ids, world.headers(role))
    doc = _assert_problem(request.send(app_client), 403)
    assert doc["type"].endswith("/forbidden")


@pytest.mark.parametrize("op", DEBTOR_SCOPED, ids=_ids(DEBTOR_SCOPED))
def test_debtor_cannot_reach_another_debtor(world: World, app_client: Any, op: Operation) -> None:
    """Debtor A1's token with A2's ids: 404 and none of A2's data (404, never 403: ids stay secret)."""
    other = world.a2
    request = build_request(op, other.ids, world.headers("debtor", world.a1))
    response = request.send(app_client)
    assert not other.leaks_into(response.text), response.text
    if names_a_resource(op):
        _assert_not_found_or_unimplemented(op, response)
    else:
        # /me/... names nothing: the caller gets its own data, and no id of the other debtor either.
        assert response.status_code < 500 or not is_implemented(op), response.text
        for key, value in other.ids.items():
            if isinstance(value, str) and key not in ("tenant_id", "incident_id"):  # shared by the tenant's debtors
                assert value not in response.text, f"{op.operation_id} shows {value} of another debtor"


@pytest.mark.parametrize("op", NAMING, ids=_ids(NAMING))
def test_other_tenant_resource_is_404(world: World, app_client: Any, op: Operation) -> None:
    """A token of tenant A naming a resource of tenant B: 404 with nothing of B in the body."""
    role = admitted_role(op) if op.roles else "supervisor"
    request = build_request(op, world.b1.ids, world.headers(role))
    response = request.send(app_client)
    assert not world.b1.leaks_into(response.text), response.text
    if op.path.endswith("/batch") and response.status_code == 200:
        # A batch reports per item (write-off-batch-result): each item naming B's resource is its own 404.
        results = response.json()["results"]
        assert results, response.text
        assert all(r["status"] == 404 for r in results), response.text
        assert all("problem" in r for r in results), response.text
        return
    _assert_not_found_or_unimplemented(op, response)


LIST_FILTERS = [
    op
    for op in PROTECTED
    if (
        op.method == "GET"
        and any(p == "debtor_id" for p in build_request(op, {"evidence_index": 0, "tenant_id": "t"}).params)
    )
    or op.operation_id in ("listOutbox", "listDebts", "listContactAttempts")
]


@pytest.mark.parametrize("op", LIST_FILTERS, ids=_ids(LIST_FILTERS))
def test_list_filtered_by_other_tenant_debtor_is_empty(world: World, app_client: Any, op: Operation) -> None:
    role = admitted_role(op)
    request = build_request(op, world.a1.ids, world.headers(role))
    response = request.send(app_client, params={"debtor_id": world.b1.ids["debtor_id"]})
    assert not world.b1.leaks_into(response.text)
    if response.status_code == 200:
        assert response.json()["items"] == []
    else:
        _assert_problem(response, 404)


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.public], ids=_ids([op for op in OPERATIONS if op.public]))
def test_public_operations_need_no_token(world: World, app_client: Any, op: Operation) -> None:
    request = build_request(op, world.a1.ids)
    response = request.send(app_client)
    assert response.status_code != 403, response.text
    if op.operation_id == "issueToken":
        # The example names a client that does not exist: the OAuth error, not a missing token.
        assert response.json().get("error") == "invalid_client", response.text
    else:
        assert response.status_code != 401, response.text


def test_tenant_admin_cannot_delete_another_tenant(world: World, app_client: Any) -> None:
    response = app_client.delete(f"/icss/v1/sandbox/tenants/{world.b1.tenant_id}", headers=world.headers("admin"))
    _assert_problem(response, 404)
    still = world.tenants["B"].call("GET", f"/debtors/{world.b1.ids['debtor_id']}", "supervisor")
    assert still.status_code == 200


def test_debtor_token_sees_own_debtor(world: World, app_client: Any) -> None:
    """The positive case of the matrix: the same requests with the caller's own ids succeed."""
    me = world.a1
    for path in (
        f"/debtors/{me.ids['debtor_id']}",
        f"/debts/{me.ids['debt_id']}",
        f"/recordings/{me.ids['recording_id']}",
        f"/me/data-requests/{me.ids['data_request_id']}",
    ):
        response = app_client.get("/icss/v1" + path, headers=me.headers)
        assert response.status_code == 200, (path, response.text)
