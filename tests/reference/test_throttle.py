"""Throttling: token buckets per caller and the lock-out of guessed client secrets (429 + Retry-After)."""

from __future__ import annotations

from typing import Any

from icss.reference._throttle import FailureLockout, TokenBuckets

BASE = "/icss/v1"
BOOTSTRAP_SECRET = "bootstrap-secret-for-tests-only"  # noqa: S105 - conftest's test deployment credential


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = _Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == 0.5  # one token comes back every half second
    assert buckets.take("b") == 0.0  # another caller has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_rate_zero_turns_the_bucket_off() -> None:
    buckets = TokenBuckets(rate=0, burst=1)
    assert all(buckets.take("a") == 0.0 for _ in range(1000))


def test_lockout_counts_failures_in_the_window_only() -> None:
    clock = _Clock()
    lockout = FailureLockout(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert lockout.wait("c") == 0.0
        lockout.failed("c")
        clock.now += 10
    assert lockout.wait("c") == 30.0  # the first failure (at 100) ages out at 160; it is 130
    assert lockout.wait("other") == 0.0
    clock.now += 30
    assert lockout.wait("c") == 0.0
    lockout.succeeded("c")
    lockout.failed("c")
    assert lockout.wait("c") == 0.0


def _token(client: Any, client_id: str, secret: str) -> Any:
    return client.post(
        f"{BASE}/auth/token", json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )


def test_guessing_a_secret_is_refused_with_429(app_client: Any, sandbox: Any) -> None:
    creds = sandbox.debtor()["debtor_credentials"]
    for _ in range(10):
        assert _token(app_client, creds["client_id"], "wrong-" + creds["client_secret"]).status_code == 401
    refused = _token(app_client, creds["client_id"], creds["client_secret"])  # even the right secret, for now
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 300
    assert refused.json()["code"] == "rate_limited"
    # Another client of the same tenant is not affected.
    other = sandbox.debtor()["debtor_credentials"]
    assert _token(app_client, other["client_id"], other["client_secret"]).status_code == 200


def test_a_flooding_client_gets_429_and_others_do_not(own_app: Any) -> None:
    client = own_app(rate_limit_per_second=0.5, rate_limit_burst=4)
    token = _token(client, "bootstrap", BOOTSTRAP_SECRET).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [client.get(f"{BASE}/capabilities", headers=headers).status_code for _ in range(6)]
    assert 429 not in statuses[:4]  # a burst of four
    assert statuses[-1] == 429
    limited = client.get(f"{BASE}/capabilities", headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    # Anonymous calls are counted per address, apart from the client's bucket.
    assert client.get(f"{BASE}/health").status_code == 200
