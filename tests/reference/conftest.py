"""Fixtures for the reference service's API tests, on SQLite and (when reachable) PostgreSQL.

Every response a test receives is checked against the OpenAPI document — the status must be one
the operation declares and the body must validate against its schema — so each API test is also a
contract test.
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from icss.reference._app import create_app
from icss.reference._config import Settings
from icss.reference._operations import operations
from icss.spec import openapi_document, validator

BASE = "/icss/v1"
BOOTSTRAP_SECRET = "bootstrap-secret-for-tests-only"  # noqa: S105 - the test deployment's credential
POSTGRES_ADMIN_URL = os.environ.get("ICSS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@cache
def _routes() -> list[tuple[str, re.Pattern[str], str]]:
    found = []
    for op in operations().values():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", r"[^/]+", BASE + op.path) + "$")
        found.append((op.method, pattern, op.operation_id))
    return found


def operation_for(method: str, path: str) -> str | None:
    for op_method, pattern, op_id in _routes():
        if op_method == method and pattern.match(path):
            return op_id
    return None


def _response_schema(operation_id: str, status: int, media: str) -> tuple[bool, str | None]:
    """(declared, schema file) for a response of the operation."""
    op = operations()[operation_id]
    doc = openapi_document()
    spec_op = doc["paths"][op.path][op.method.lower()]
    responses = spec_op["responses"]
    entry = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if entry is None:
        return False, None
    if "$ref" in entry:
        entry = doc["components"]["responses"][entry["$ref"].rsplit("/", 1)[-1]]
    content = entry.get("content") or {}
    media_entry = content.get(media) or (content.get("application/json") if media.endswith("json") else None)
    if not media_entry:
        return True, None
    ref = (media_entry.get("schema") or {}).get("$ref", "")
    return True, (ref.rsplit("/", 1)[-1] or None)


def check_contract(response: httpx.Response) -> None:
    """Fail when a response is not what spec/openapi.yaml promises for it."""
    path = response.request.url.path
    op_id = operation_for(response.request.method, path)
    if op_id is None:
        return
    media = response.headers.get("content-type", "").split(";")[0]
    declared, schema_name = _response_schema(op_id, response.status_code, media)
    assert declared, f"{op_id} answered {response.status_code}, which the OpenAPI document does not declare"
    if response.status_code >= 400:
        assert media == "application/problem+json", f"{op_id} {response.status_code} is {media}, not a problem document"
    if schema_name and media.endswith("json") and response.content:
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(schema_name).iter_errors(response.json())
        ]
        assert not errors, f"{op_id} {response.status_code} body violates {schema_name}: {errors[:5]}"


class ContractClient(TestClient):
    """A TestClient that checks every response against the OpenAPI document."""

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        response = super().request(*args, **kwargs)
        check_contract(response)
        return response


def _postgres_url() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    admin = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"icss_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres(url: str) -> None:
    import psycopg

    admin = POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    data_dir = tmp_path_factory.mktemp(f"icss-{request.param}")
    if request.param == "sqlite":
        yield Settings(data_dir=data_dir, bootstrap_secret=BOOTSTRAP_SECRET)
        return
    url = _postgres_url()
    if url is None:
        if os.environ.get("ICSS_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (ICSS_REQUIRE_POSTGRES) but not reachable at " + POSTGRES_ADMIN_URL)
        pytest.skip("PostgreSQL not reachable at " + POSTGRES_ADMIN_URL + " (set ICSS_TEST_POSTGRES_URL)")
    try:
        yield Settings(data_dir=data_dir, database_url=url, bootstrap_secret=BOOTSTRAP_SECRET)
    finally:
        _drop_postgres(url)


@pytest.fixture(scope="session")
def app_client(backend: Settings) -> Iterator[ContractClient]:
    app = create_app(backend)
    with ContractClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Any]:
    """A factory of contract-checked clients of a service of their own (SQLite) with other settings."""
    opened: list[ContractClient] = []

    def make(**settings: Any) -> ContractClient:
        client = ContractClient(
            create_app(
                Settings(data_dir=tmp_path / f"own-{len(opened)}", bootstrap_secret=BOOTSTRAP_SECRET, **settings)
            ),
            raise_server_exceptions=False,
        )
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


class Sandbox:
    """A fresh sandbox tenant with a token per role and builders for debtors and debts."""

    def __init__(self, client: ContractClient, profile: str, clock: str) -> None:
        self.client = client
        boot = self.token("bootstrap", BOOTSTRAP_SECRET)
        response = client.post(
            f"{BASE}/sandbox/tenants",
            json={"profile": profile, "clock": clock},
            headers={**boot, "Idempotency-Key": secrets.token_hex(8)},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        self.tenant_id: str = body["tenant_id"]
        self.profile = profile
        self.headers = {role: self.token(**creds) for role, creds in body["credentials"].items()}

    def token(self, client_id: str, client_secret: str) -> dict[str, str]:
        response = self.client.post(
            f"{BASE}/auth/token",
            json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
        )
        assert response.status_code == 200, response.text
        return {"Authorization": "Bearer " + response.json()["access_token"]}

    def call(self, method: str, path: str, role: str = "collector", **kwargs: Any) -> httpx.Response:
        headers = {**self.headers.get(role, {}), **kwargs.pop("headers", {})}
        if method == "POST" and "Idempotency-Key" not in headers:
            headers["Idempotency-Key"] = secrets.token_hex(8)
        return self.client.request(method, BASE + path, headers=headers, **kwargs)

    def set_clock(self, instant: str) -> None:
        response = self.call("PUT", "/sandbox/clock", "admin", json={"now": instant})
        assert response.status_code == 200, response.text

    def debtor(
        self,
        *,
        timezones: tuple[str, ...] = ("America/New_York",),
        name: str = "Jane Canary-Doe",
        national_id: str = "CANARY-ID-0001",
        phone: str = "+12125550123",
        **extra: Any,
    ) -> dict[str, Any]:
        points = extra.pop("contact_points", None) or [
            {
                "kind": "phone",
                "value": phone,
                "owner": "debtor",
                "relationship": "self",
                "is_workplace": False,
                "timezone": timezones[0],
                "sms_capable": True,
                "phone_type": "mobile",
            },
            {
                "kind": "email",
                "value": "jane.canary@example.com",
                "owner": "debtor",
                "relationship": "self",
                "is_workplace": False,
                "timezone": timezones[0],
            },
            {
                "kind": "address",
                "address": {"lines": ["1 Canary Street"], "country": "US"},
                "owner": "debtor",
                "relationship": "self",
                "is_workplace": False,
                "timezone": timezones[0],
            },
        ]
        body = {
            "name": name,
            "national_id": national_id,
            "profile": self.profile,
            "timezones": list(timezones),
            "language": "en",
            "contact_points": points,
            **extra,
        }
        response = self.call("POST", "/debtors", json=body)
        assert response.status_code == 201, response.text
        debtor: dict[str, Any] = response.json()
        debtor["headers"] = self.token(**debtor["debtor_credentials"])
        return debtor

    def debt(self, debtor: dict[str, Any], **extra: Any) -> dict[str, Any]:
        body = {
            "debtor_id": debtor["id"],
            "creditor": {"name": "Example Bank"},
            "account_number": "4111000011112222",
            "currency": "USD",
            "profile": self.profile,
            "itemization": {
                "itemization_date": "2020-01-01",
                "itemization_date_basis": "last_statement",
                "amount_on_itemization_date": "100.00",
                "interest": "5.00",
                "fees": "0.00",
                "payments": "10.00",
                "credits": "0.00",
                "current_amount": "95.00",
            },
            "authorised_charges": ["interest"],
            **extra,
        }
        response = self.call("POST", "/debts", json=body)
        assert response.status_code == 201, response.text
        debt: dict[str, Any] = response.json()
        return debt


@pytest.fixture
def sandbox(app_client: ContractClient) -> Sandbox:
    """A US-profile tenant whose clock reads Wednesday 1 April 2020, 14:00 UTC (10:00 in New York)."""
    return Sandbox(app_client, "us", "2020-04-01T14:00:00Z")


@pytest.fixture
def cn_sandbox(app_client: ContractClient) -> Sandbox:
    return Sandbox(app_client, "cn", "2026-03-02T02:00:00Z")


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world(app_client: ContractClient) -> Any:
    """Two sandbox tenants with two debtors each (see ``_api_world``), shared by a test module."""
    from _api_world import build_world

    return build_world(app_client, Sandbox)


@pytest.fixture
def make_sandbox(app_client: ContractClient) -> Any:
    """A factory of sandbox tenants: ``make_sandbox("eu", "2026-01-05T09:00:00Z")``."""

    def make(profile: str, clock: str) -> Sandbox:
        return Sandbox(app_client, profile, clock)

    return make
