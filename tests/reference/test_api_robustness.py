"""Malformed and hostile input gets a 4xx problem document: never a 5xx, a stack trace or an echo.

Every operation with a request body is fed junk bodies (hypothesis), mutated examples, wrong
content types, invalid JSON, bodies over the size limit and unknown members; every operation with
path or query parameters is fed bad ones. Operations without a handler yet may answer their 501.
The operations come from spec/openapi.yaml, so a new one is swept without a change here.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from _api_world import (
    World,
    admitted_role,
    all_operations,
    build_request,
    is_implemented,
    parameters,
    path_names,
    request_schema,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icss.reference._operations import Operation

ECHO = "CANARY-ECHO-7731"
SETTINGS = settings(
    deadline=None,
    max_examples=25,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
OPERATIONS = all_operations()
WITH_BODY = [op for op in OPERATIONS if request_schema(op)[0] is not None]
WITH_PATH = [op for op in OPERATIONS if path_names(op)]
WITH_QUERY = [op for op in OPERATIONS if any(p["in"] == "query" for p in parameters(op))]
MAX_BODY = 1_000_000  # Settings.max_body_bytes

_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.just(ECHO)
    | st.sampled_from(["", "\x00", "2020-04-01T14:00:00Z", "0001-01-01T00:00:00+01:00", "P9999Y", "us", "call"])
)
JUNK = st.recursive(
    _leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _ids(ops: list[Operation]) -> list[str]:
    return [op.operation_id for op in ops]


def _headers(world: World, op: Operation) -> dict[str, str]:
    return world.headers(admitted_role(op)) if op.roles else {}


def assert_clean_4xx(op: Operation, response: Any, *, sent: str = "") -> None:
    """A 4xx problem document (a 501 while the operation has no handler) without internals or echoes."""
    status = response.status_code
    if not is_implemented(op) and status == 501:
        pass
    else:
        assert 400 <= status < 500, f"{op.operation_id} answered {status}: {response.text[:500]}"
    assert response.headers["content-type"].startswith("application/problem+json"), response.text[:300]
    text = response.text
    for marker in ("Traceback", 'File "', "sqlalchemy", "psycopg", "Exception", "Error:"):
        assert marker not in text, f"{op.operation_id} leaks {marker!r}: {text[:500]}"
    if ECHO in sent:
        assert ECHO not in text, f"{op.operation_id} echoes request data: {text[:500]}"


def _send(world: World, client: Any, op: Operation, **kwargs: Any) -> Any:
    request = build_request(op, world.a1.ids, _headers(world, op))
    return request.send(client, **kwargs)


# -- junk bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids(WITH_BODY))
def test_junk_bodies(world: World, app_client: Any, op: Operation) -> None:
    @SETTINGS
    @given(body=JUNK)
    def run(body: Any) -> None:
        response = _send(world, app_client, op, json=body)
        if response.status_code < 300:  # junk that happens to be valid (e.g. {} for a patch)
            return
        assert_clean_4xx(op, response, sent=json.dumps(body))

    run()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found.extend(_paths(item, (*prefix, i)))
    return found


def _mutate(body: Any, path: tuple[Any, ...], action: str, junk: Any) -> Any:
    body = copy.deepcopy(body)
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "delete":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif action == "unknown" and isinstance(parent, dict):
        parent[f"x_{ECHO}"] = junk
    else:
        parent[last] = junk
    return body


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids(WITH_BODY))
def test_mutated_examples(world: World, app_client: Any, op: Operation) -> None:
    """The operation's example with one member replaced, removed or joined by an unknown one."""
    base = build_request(op, world.a1.ids).json
    paths = _paths(base)
    if not paths:
        pytest.skip("the example body has no members")

    @SETTINGS
    @given(
        path=st.sampled_from(paths),
        action=st.sampled_from(["replace", "delete", "unknown"]),
        junk=JUNK,
    )
    def run(path: tuple[Any, ...], action: str, junk: Any) -> None:
        body = _mutate(base, path, action, junk)
        response = _send(world, app_client, op, json=body)
        if response.status_code < 300:
            return  # a mutation the schema allows (an optional member dropped, say)
        # A contact the engine refuses, or state the request conflicts with, is a legitimate 409.
        assert_clean_4xx(op, response, sent=json.dumps(body))

    run()


# -- transport-level faults --------------------------------------------------------------------------


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids(WITH_BODY))
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x", None])
def test_wrong_content_type(world: World, app_client: Any, op: Operation, content_type: str | None) -> None:
    body = json.dumps(build_request(op, world.a1.ids).json).encode()
    headers = {**build_request(op, world.a1.ids, _headers(world, op)).headers}
    if content_type is not None:
        headers["Content-Type"] = content_type
    request = build_request(op, world.a1.ids, _headers(world, op))
    response = app_client.request(request.method, request.url, params=request.params, headers=headers, content=body)
    assert_clean_4xx(op, response)
    if is_implemented(op):
        assert response.status_code == 415, response.text


INVALID_JSON = [
    b"{",
    b'{"a": 1,}',
    b"[1, 2",
    b"\xff\xfe\x00garbage",
    b"NaN",
    b'{"a": Infinity}',
    b"",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"n": ' + b"9" * 5000 + b"}",
]


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids(WITH_BODY))
def test_invalid_json(world: World, app_client: Any, op: Operation) -> None:
    for raw in INVALID_JSON:
        request = build_request(op, world.a1.ids, _headers(world, op))
        _, media = request_schema(op)
        headers = {**request.headers, "Content-Type": media or "application/json"}
        response = app_client.request(request.method, request.url, params=request.params, headers=headers, content=raw)
        assert_clean_4xx(op, response)
        if is_implemented(op):
            assert response.status_code == 400, (raw[:20], response.text)
            assert response.json()["type"].endswith("/malformed-body")


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids(WITH_BODY))
def test_body_over_the_limit_is_413(world: World, app_client: Any, op: Operation) -> None:
    body = {"padding": "x" * (MAX_BODY + 10)}
    response = _send(world, app_client, op, json=body)
    assert_clean_4xx(op, response)
    if is_implemented(op):
        assert response.status_code == 413, response.text[:300]


def test_chunked_body_over_the_limit_is_413(world: World, app_client: Any) -> None:
    """Without a Content-Length the service still stops reading at the limit."""
    op = next(op for op in OPERATIONS if op.operation_id == "checkContact")

    def chunks() -> Any:
        yield b'{"padding": "'
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    request = build_request(op, world.a1.ids, _headers(world, op))
    headers = {**request.headers, "Content-Type": "application/json"}
    response = app_client.request("POST", request.url, headers=headers, content=chunks())
    assert response.status_code == 413, response.text[:300]


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids(WITH_BODY))
def test_unknown_member_is_422(world: World, app_client: Any, op: Operation) -> None:
    body = build_request(op, world.a1.ids).json
    body["unknown_member"] = ECHO
    response = _send(world, app_client, op, json=body)
    assert_clean_4xx(op, response, sent=ECHO)
    if is_implemented(op):
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("/validation-failed")


@pytest.mark.parametrize("op", WITH_BODY, ids=_ids(WITH_BODY))
def test_unstorable_text_is_422(world: World, app_client: Any, op: Operation) -> None:
    """NUL characters and unpaired surrogates cannot be stored (PostgreSQL text refuses NUL)."""
    body = build_request(op, world.a1.ids).json
    strings = [p for p in _paths(body) if isinstance(_get(body, p), str)]
    if not strings:
        pytest.skip("the example body has no text member")
    for bad in ("a\x00b", "\ud800"):
        mutated = _mutate(body, strings[0], "replace", bad)
        raw = json.dumps(mutated).encode()  # ensure_ascii: the surrogate travels as \\ud800
        request = build_request(op, world.a1.ids, _headers(world, op))
        _, media = request_schema(op)
        headers = {**request.headers, "Content-Type": media or "application/json"}
        response = app_client.request(request.method, request.url, params=request.params, headers=headers, content=raw)
        assert_clean_4xx(op, response)


def _get(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        body = body[key]
    return body


# -- parameters -----------------------------------------------------------------------------------

BAD_IDS = ["..%2F..%2Fetc%2Fpasswd", "x" * 300, "%00", "%F0%9F%92%A5", "'%20OR%201=1%20--", "-1", "%25s%25s"]


@pytest.mark.parametrize("op", WITH_PATH, ids=_ids(WITH_PATH))
def test_bad_path_ids(world: World, app_client: Any, op: Operation) -> None:
    for bad in BAD_IDS:
        ids = dict.fromkeys(world.a1.ids, bad)
        request = build_request(op, ids | {"evidence_index": bad}, _headers(world, op))
        body = build_request(op, world.a1.ids).json
        response = request.send(app_client, json=body) if body is not None else request.send(app_client)
        assert_clean_4xx(op, response)


BAD_QUERY = {
    "limit": ["0", "-1", "501", "abc", "1e3", "99999999999999999999999"],
    "cursor": ["!!!", "%00", "x" * 600],
    "since": ["yesterday", "2020-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00"],
    "until": ["tomorrow"],
    "at": ["now", "2020-04-01"],
    "from": ["2020-02-30T00:00:00Z"],
    "to": ["x"],
    "debtor_id": ["a b", "%00", "x" * 200],
    "debt_id": ["a/b", "%"],
    "channel": ["pigeon"],
    "type": ["not_an_event"],
    "status": ["whatever"],
    "actor_role": ["root"],
    "index": ["-1", "x", "1" * 19],
    "tree_size": ["0", "x"],
    "first": ["0"],
    "second": ["x"],
    "tenant": ["%00"],
    "allow_rewind": ["maybe"],
}


@pytest.mark.parametrize("op", WITH_QUERY, ids=_ids(WITH_QUERY))
def test_bad_query_params(world: World, app_client: Any, op: Operation) -> None:
    names = [p["name"] for p in parameters(op) if p["in"] == "query"]
    for name in names:
        for bad in BAD_QUERY.get(name, ["%00"]):
            request = build_request(op, world.a1.ids, _headers(world, op))
            url = f"{request.url}?{name}={bad}"
            for other, value in request.params.items():
                if other != name:
                    url += f"&{other}={value}"
            body = request.json
            response = (
                app_client.request(request.method, url, headers=request.headers, json=body)
                if body is not None
                else app_client.request(request.method, url, headers=request.headers)
            )
            if response.status_code < 300 and name in ("cursor",):
                continue
            assert_clean_4xx(op, response)
            if is_implemented(op) and op.method == "GET" and name not in ("tenant",):
                assert response.status_code == 400, (name, bad, response.text)


def test_missing_required_query_parameter_is_400(world: World, app_client: Any) -> None:
    response = app_client.get("/icss/v1/stats/complaints", headers=world.headers("supervisor"))
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["parameter"] in ("from", "to")


def test_unknown_path_and_method_are_problems(world: World, app_client: Any) -> None:
    response = app_client.get("/icss/v1/no-such-thing", headers=world.headers("supervisor"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    response = app_client.request("PUT", "/icss/v1/debts", headers=world.headers("supervisor"))
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


def test_bad_authorization_headers_are_401(world: World, app_client: Any) -> None:
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "bearer x.y.z", "Token abc", "Bearer " + "a" * 10_000):
        response = app_client.get("/icss/v1/debtors", headers={"Authorization": value})
        assert response.status_code == 401, (value[:20], response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z"])
def test_instants_at_the_ends_of_the_calendar(world: World, app_client: Any, instant: str) -> None:
    """Rules add days and read local clocks: far-off instants are refused, not overflowed into a 500."""
    ids = world.a1.ids
    check = {"debtor_id": ids["debtor_id"], "debt_ids": [ids["debt_id"]], "contact_point_id": ids["contact_point_id"],
             "channel": "call", "purpose": "collection", "at": instant}  # fmt: skip
    cases = [
        ("POST", "/contact-decisions", {"json": check}, 422),
        ("GET", f"/debts/{ids['debt_id']}/call-frequency", {"params": {"at": instant}}, 400),
        ("GET", "/stats/contacts", {"params": {"from": "2020-01-01T00:00:00Z", "to": instant}}, 400),
        ("GET", "/audit/events", {"params": {"since": instant}}, 400),
        ("POST", "/incidents", {"json": {"detected_at": instant, "kind": "integrity", "description": "x"}}, 422),
        ("PUT", "/sandbox/clock", {"json": {"now": instant}}, 422),
    ]
    for method, path, kwargs, status in cases:
        role = "auditor" if path == "/audit/events" else "admin" if path == "/sandbox/clock" else "supervisor"
        headers = {**world.headers(role), "Idempotency-Key": f"edge-{path}-{instant}"}
        response = app_client.request(method, "/icss/v1" + path, headers=headers, **kwargs)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
