"""issueToken (OAuth 2.0 client credentials) and what makes a bearer token unusable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

BASE = "/icss/v1"
WRONG = "CANARY-SECRET-123"


def _token_request(client: Any, **body: Any) -> Any:
    return client.post(f"{BASE}/auth/token", json={"grant_type": "client_credentials", **body})


def test_token_for_each_role(app_client: Any, sandbox: Any) -> None:
    debtor = sandbox.debtor()
    creds = debtor["debtor_credentials"]
    response = _token_request(app_client, **creds)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    assert (body["role"], body["tenant_id"], body["debtor_id"]) == ("debtor", sandbox.tenant_id, debtor["id"])


def test_form_encoded_token_request(app_client: Any, sandbox: Any) -> None:
    creds = sandbox.debtor()["debtor_credentials"]
    response = app_client.post(
        f"{BASE}/auth/token",
        data={"grant_type": "client_credentials", **creds},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text


def test_wrong_secret_is_invalid_client(app_client: Any, sandbox: Any) -> None:
    creds = sandbox.debtor()["debtor_credentials"]
    response = _token_request(app_client, client_id=creds["client_id"], client_secret=WRONG)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    unknown = _token_request(app_client, client_id="nobody", client_secret=WRONG)
    assert unknown.status_code == 401
    # The same answer for an unknown client and a wrong secret: client ids cannot be probed.
    assert unknown.json()["detail"] == response.json()["detail"]
    assert "CANARY-SECRET" not in response.text


def test_other_grant_types_are_refused(app_client: Any) -> None:
    response = app_client.post(
        f"{BASE}/auth/token", json={"grant_type": "password", "client_id": "a", "client_secret": "b"}
    )
    assert response.status_code in (400, 422), response.text


def _forge(sandbox: Any, key: bytes, **claims: Any) -> dict[str, str]:
    now = datetime.now(UTC)
    base = {"sub": "x", "role": "supervisor", "tnt": sandbox.tenant_id, "dbt": None, "iat": now,
            "exp": now + timedelta(hours=1), "iss": "icss-reference"}  # fmt: skip
    return {"Authorization": "Bearer " + jwt.encode({**base, **claims}, key, algorithm="HS256")}


def test_forged_expired_and_odd_tokens_are_401(app_client: Any, sandbox: Any) -> None:
    key: bytes = app_client.app.state.ctx.keys.token_key
    past = datetime.now(UTC) - timedelta(hours=2)
    cases = {
        "other key": _forge(sandbox, b"k" * 32),
        "expired": _forge(sandbox, key, exp=past, iat=past - timedelta(hours=1)),
        "unknown role": _forge(sandbox, key, role="root"),
        "other issuer": _forge(sandbox, key, iss="someone-else"),
        "deleted tenant": _forge(sandbox, key, tnt="tn_does_not_exist"),
        "alg none": {"Authorization": "Bearer " + jwt.encode({"role": "admin"}, None, algorithm="none")},
    }
    for name, headers in cases.items():
        response = app_client.get(f"{BASE}/debtors", headers=headers)
        assert response.status_code == 401, (name, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_deleted_tenant_tokens_stop_working(app_client: Any, sandbox: Any) -> None:
    admin = sandbox.headers["admin"]
    assert sandbox.call("DELETE", f"/sandbox/tenants/{sandbox.tenant_id}", "admin").status_code == 204
    response = app_client.get(f"{BASE}/debtors", headers=sandbox.headers["collector"])
    assert response.status_code == 401, response.text
    assert app_client.get(f"{BASE}/sandbox/clock", headers=admin).status_code == 401
