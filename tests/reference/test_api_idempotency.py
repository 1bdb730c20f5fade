"""Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): replays without a second effect."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest


@pytest.fixture
def jane(sandbox: Any) -> dict[str, Any]:
    debtor: dict[str, Any] = sandbox.debtor()
    debtor["debt"] = sandbox.debt(debtor)["id"]
    debtor["email"] = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "email")
    return debtor


def _email(jane: dict[str, Any], text: str = "About your account") -> dict[str, Any]:
    return {"debtor_id": jane["id"], "debt_ids": [jane["debt"]], "contact_point_id": jane["email"],
            "channel": "email", "purpose": "collection", "content": text}  # fmt: skip


def test_same_key_same_body_replays_without_a_second_message(sandbox: Any, jane: dict[str, Any]) -> None:
    key = {"Idempotency-Key": "send-1"}
    first = sandbox.call("POST", "/contact-attempts", json=_email(jane), headers=key)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    # The same request serialised differently (member order, whitespace) is the same request.
    raw = json.dumps(dict(reversed(list(_email(jane).items()))), indent=2)
    second = sandbox.call("POST", "/contact-attempts", content=raw, headers={**key, "Content-Type": "application/json"})
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers.get("location") == first.headers.get("location")
    outbox = sandbox.call("GET", "/sandbox/outbox", "auditor").json()["items"]
    assert len(outbox) == 1


def test_same_key_other_body_is_422(sandbox: Any, jane: dict[str, Any]) -> None:
    key = {"Idempotency-Key": "send-2"}
    assert sandbox.call("POST", "/contact-attempts", json=_email(jane), headers=key).status_code == 201
    other = sandbox.call("POST", "/contact-attempts", json=_email(jane, "Other text"), headers=key)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert len(sandbox.call("GET", "/sandbox/outbox", "auditor").json()["items"]) == 1


def test_same_key_same_body_on_another_resource_is_422(sandbox: Any, jane: dict[str, Any]) -> None:
    other_debt = sandbox.debt(jane)["id"]
    charge = {"kind": "interest", "amount": "1.00", "currency": "USD", "basis": "agreement"}
    key = {"Idempotency-Key": "charge-1"}
    assert sandbox.call("POST", f"/debts/{jane['debt']}/charges", json=charge, headers=key).status_code == 201
    response = sandbox.call("POST", f"/debts/{other_debt}/charges", json=charge, headers=key)
    assert response.status_code == 422
    assert sandbox.call("GET", f"/debts/{other_debt}").json()["balance"] == "95.00"


def test_keys_belong_to_their_client(sandbox: Any, jane: dict[str, Any]) -> None:
    key = {"Idempotency-Key": "shared"}
    assert sandbox.call("POST", "/contact-attempts", "collector", json=_email(jane), headers=key).status_code == 201
    response = sandbox.call("POST", "/contact-attempts", "supervisor", json=_email(jane, "Hi"), headers=key)
    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers


def test_refusals_replay_too(sandbox: Any, jane: dict[str, Any]) -> None:
    sandbox.call(
        "POST", f"/debtors/{jane['id']}/events", json={"type": "cease_request", "source": "debtor",
                                                      "details": {"form": "written"}},
    )  # fmt: skip
    key = {"Idempotency-Key": "denied-1"}
    first = sandbox.call("POST", "/contact-attempts", json=_email(jane), headers=key)
    second = sandbox.call("POST", "/contact-attempts", json=_email(jane), headers=key)
    assert (first.status_code, second.status_code) == (409, 409)
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.json()["decision_id"] == first.json()["decision_id"]


def test_missing_required_key_is_400(sandbox: Any, jane: dict[str, Any]) -> None:
    response = sandbox.client.post("/icss/v1/contact-attempts", json=_email(jane), headers=sandbox.headers["collector"])
    assert response.status_code == 400
    assert sandbox.call("GET", "/sandbox/outbox", "auditor").json()["items"] == []


def test_over_long_key_is_400(sandbox: Any, jane: dict[str, Any]) -> None:
    response = sandbox.call("POST", "/contact-attempts", json=_email(jane), headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 400


def test_optional_key_on_check_contact(sandbox: Any, jane: dict[str, Any]) -> None:
    body = {**_email(jane), "channel": "call", "contact_point_id": jane["contact_points"][0]["id"]}
    body.pop("content")
    plain = sandbox.client.post("/icss/v1/contact-decisions", json=body, headers=sandbox.headers["collector"])
    assert plain.status_code == 200
    key = {"Idempotency-Key": "check-1"}
    first = sandbox.call("POST", "/contact-decisions", json=body, headers=key)
    second = sandbox.call("POST", "/contact-decisions", json=body, headers=key)
    assert first.json()["decision_id"] == second.json()["decision_id"]


def test_retry_while_the_first_is_in_progress_is_409(sandbox: Any, jane: dict[str, Any]) -> None:
    """OP-03: a retry that arrives while the first request is being processed is refused with 409 at once."""
    db = sandbox.client.app.state.ctx.db
    entered, release = threading.Event(), threading.Event()
    run_async = db.run_async

    async def slow_first(work: Callable[[Any], Any]) -> Any:
        if not entered.is_set():  # the first unit of work waits until the retry has been answered
            entered.set()
            while not release.is_set():
                await anyio.sleep(0.01)
        return await run_async(work)

    key = {"Idempotency-Key": "in-progress-1"}
    results: list[Any] = []
    db.run_async = slow_first
    try:
        first = threading.Thread(
            target=lambda: results.append(sandbox.call("POST", "/contact-attempts", json=_email(jane), headers=key))
        )
        first.start()
        assert entered.wait(10)
        retry = sandbox.call("POST", "/contact-attempts", json=_email(jane), headers=key)
        release.set()
        first.join(10)
    finally:
        release.set()
        db.run_async = run_async
    assert retry.status_code == 409, retry.text
    assert retry.headers["content-type"].startswith("application/problem+json")
    assert retry.json()["code"] == "conflict"
    assert results[0].status_code == 201
    # Once the first has been answered, the same retry replays it; one message was sent.
    again = sandbox.call("POST", "/contact-attempts", json=_email(jane), headers=key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert len(sandbox.call("GET", "/sandbox/outbox", "auditor").json()["items"]) == 1
