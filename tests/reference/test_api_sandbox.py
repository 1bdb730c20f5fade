"""Sandbox tenants, the test clock (never backwards) and the outbox of everything emitted."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi.testclient import TestClient

from icss.reference._app import create_app
from icss.reference._config import Settings

BASE = "/icss/v1"


def test_tenant_admin_cannot_create_tenants(sandbox: Any) -> None:
    """createSandboxTenant needs the deployment's bootstrap credential, not a tenant's admin."""
    response = sandbox.call("POST", "/sandbox/tenants", "admin", json={"profile": "us"})
    assert response.status_code == 403, response.text


def test_unknown_profile_is_422(app_client: Any, sandbox: Any) -> None:
    boot = sandbox.token("bootstrap", "bootstrap-secret-for-tests-only")
    response = app_client.post(
        f"{BASE}/sandbox/tenants", json={"profile": "zz"}, headers={**boot, "Idempotency-Key": secrets.token_hex(8)}
    )
    assert response.status_code == 422, response.text


def test_clock_moves_forward_only(sandbox: Any) -> None:
    clock = sandbox.call("GET", "/sandbox/clock", "collector").json()
    assert clock == {"now": "2020-04-01T14:00:00Z", "tenant_id": sandbox.tenant_id, "frozen": True}
    moved = sandbox.call("PUT", "/sandbox/clock", "admin", json={"now": "2020-04-02T09:30:00-04:00"})
    assert moved.status_code == 200
    assert moved.json()["now"] == "2020-04-02T13:30:00Z"
    advanced = sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "P1DT2H"})
    assert advanced.json()["now"] == "2020-04-03T15:30:00Z"
    same = sandbox.call("PUT", "/sandbox/clock", "admin", json={"now": "2020-04-03T15:30:00Z"})
    assert same.status_code == 200
    back = sandbox.call("PUT", "/sandbox/clock", "admin", json={"now": "2020-04-03T15:29:59Z"})
    assert back.status_code == 409
    assert back.json()["type"].endswith("/conflict")
    assert sandbox.call("GET", "/sandbox/clock", "auditor").json()["now"] == "2020-04-03T15:30:00Z"


def test_calendar_months_and_bad_durations(sandbox: Any) -> None:
    sandbox.set_clock("2024-01-31T12:00:00Z")
    month = sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "P1M"})
    assert month.json()["now"] == "2024-02-29T12:00:00Z"  # calendar-aware, clamped to the leap day
    for duration in ("P", "PT", "1D", "P-1D", "P99999Y"):
        response = sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": duration})
        assert response.status_code == 422, (duration, response.text)


def test_rewind_only_on_an_empty_tenant(sandbox: Any) -> None:
    earlier = {"now": "2019-01-01T00:00:00Z"}
    rewound = sandbox.call("PUT", "/sandbox/clock", "admin", json=earlier, params={"allow_rewind": "true"})
    assert rewound.status_code == 200, rewound.text
    assert rewound.json()["now"] == "2019-01-01T00:00:00Z"
    sandbox.debtor()
    refused = sandbox.call(
        "PUT", "/sandbox/clock", "admin", json={"now": "2018-01-01T00:00:00Z"}, params={"allow_rewind": "true"}
    )
    assert refused.status_code == 409


def _email(sandbox: Any, debtor: dict[str, Any], debt: dict[str, Any], text: str) -> Any:
    email = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "email")
    return sandbox.call(
        "POST",
        "/contact-attempts",
        json={"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "contact_point_id": email,
              "channel": "email", "purpose": "collection", "content": text},
    )  # fmt: skip


def test_outbox_lists_what_was_sent_oldest_first(sandbox: Any) -> None:
    first, second = sandbox.debtor(), sandbox.debtor(national_id="CANARY-ID-0002", phone="+12125550188")
    debt1, debt2 = sandbox.debt(first), sandbox.debt(second)
    assert _email(sandbox, first, debt1, "First message").status_code == 201
    sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "PT1H"})
    assert _email(sandbox, second, debt2, "Second message").status_code == 201
    page = sandbox.call("GET", "/sandbox/outbox", "auditor").json()
    # The service opens each collection message with who sends it and about which debt (SC-12).
    assert [m["content"].split(": ", 1)[-1].split(".")[0] for m in page["items"]] == ["First message", "Second message"]
    assert all(m["recipient"]["address_masked"] == "j***@example.com" for m in page["items"])
    only = sandbox.call("GET", "/sandbox/outbox", "admin", params={"debtor_id": second["id"]}).json()
    assert [m["debtor_id"] for m in only["items"]] == [second["id"]]
    assert sandbox.call("GET", "/sandbox/outbox", "admin", params={"channel": "sms"}).json()["items"] == []
    later = sandbox.call("GET", "/sandbox/outbox", "admin", params={"since": "2020-04-01T14:30:00Z"}).json()
    assert [m["debtor_id"] for m in later["items"]] == [second["id"]]
    paged = sandbox.call("GET", "/sandbox/outbox", "admin", params={"limit": "1"}).json()
    assert len(paged["items"]) == 1
    assert paged["next_cursor"]
    rest = sandbox.call("GET", "/sandbox/outbox", "admin", params={"limit": "1", "cursor": paged["next_cursor"]})
    assert rest.json()["items"][0]["debtor_id"] == second["id"]


def test_tenants_do_not_share_outboxes(sandbox: Any, make_sandbox: Any) -> None:
    other = make_sandbox("us", "2020-04-01T14:00:00Z")
    debtor = sandbox.debtor()
    assert _email(sandbox, debtor, sandbox.debt(debtor), "Hello").status_code == 201
    assert other.call("GET", "/sandbox/outbox", "auditor").json()["items"] == []


def test_sandbox_disabled(tmp_path: Any) -> None:
    """A deployment may switch the sandbox off: its operations answer 403 sandbox-disabled."""
    secret = "bootstrap-secret-for-this-test"  # noqa: S105 - a test credential
    app = create_app(Settings(data_dir=tmp_path, bootstrap_secret=secret, sandbox_enabled=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        token = client.post(
            f"{BASE}/auth/token",
            json={"grant_type": "client_credentials", "client_id": "bootstrap", "client_secret": secret},
        ).json()["access_token"]
        response = client.post(
            f"{BASE}/sandbox/tenants",
            json={"profile": "us"},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"},
        )
        assert response.status_code == 403
        assert response.json()["type"].endswith("/sandbox-disabled")
        assert "sandbox" not in client.get(f"{BASE}/capabilities").json()["features"]
