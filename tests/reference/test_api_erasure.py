"""Erasure requests resolved by a supervisor (DS-08): completed, refused or restricted.

The canaries of the debtor (conftest's Sandbox.debtor) must vanish from getDebtor, getMyRecord and
exportMyData once the data are erased, and records of collection activity must be kept — restricted,
with a legal basis and retain_until — until record_retention_years after the last activity.
"""

from __future__ import annotations

from typing import Any

# The Sandbox fixture of tests/reference/conftest.py (not importable by name: several conftest modules exist).
Sandbox = Any


CANARIES = ("Jane Canary-Doe", "CANARY-ID-0001", "+12125550123", "jane.canary@example.com", "1 Canary Street")


def _erasure_request(sandbox: Sandbox, debtor: dict[str, Any]) -> dict[str, Any]:
    response = sandbox.call("POST", "/me/data-requests", headers=debtor["headers"], json={"type": "erasure"})
    assert response.status_code == 201, response.text
    request: dict[str, Any] = response.json()
    return request


def _resolve(sandbox: Sandbox, request_id: str, **body: Any) -> Any:
    return sandbox.call("POST", f"/data-requests/{request_id}/resolution", "supervisor", json=body)


def _reads(sandbox: Sandbox, debtor: dict[str, Any]) -> str:
    """Everything getDebtor, getMyRecord and exportMyData show of the debtor, as one text."""
    texts = []
    for path, kwargs in (
        (f"/debtors/{debtor['id']}", {"role": "supervisor"}),
        ("/me/record", {"headers": debtor["headers"]}),
        ("/me/export", {"headers": debtor["headers"]}),
    ):
        response = sandbox.call("GET", path, **kwargs)
        assert response.status_code == 200, response.text
        texts.append(response.text)
    return "\n".join(texts)


def _call(sandbox: Sandbox, debtor: dict[str, Any], debt: dict[str, Any]) -> dict[str, Any]:
    response = sandbox.call(
        "POST",
        "/contact-attempts",
        json={
            "debtor_id": debtor["id"],
            "debt_ids": [debt["id"]],
            "contact_point_id": debtor["contact_points"][0]["id"],
            "channel": "call",
            "purpose": "collection",
            "outcome": "no_answer",
        },
    )
    assert response.status_code == 201, response.text
    attempt: dict[str, Any] = response.json()
    return attempt


def test_erasure_without_collection_activity_completes(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    assert all(c in _reads(sandbox, debtor) for c in CANARIES)
    request = _erasure_request(sandbox, debtor)
    response = _resolve(sandbox, request["id"], status="completed")
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["erasure"]["status"] == "completed"
    assert doc["erasure"]["erased_at"] == doc["responded_at"]
    assert (doc["status"], doc["outcome"], doc["late"]) == ("responded", "fulfilled", False)
    shown = _reads(sandbox, debtor)
    assert [c for c in CANARIES if c in shown] == []
    assert "4111000011112222" not in shown
    # The debt stays in the creditor's books, and the evidence log stays whole and readable.
    assert sandbox.call("GET", f"/debts/{debt['id']}", "supervisor").status_code == 200
    entry = sandbox.call("GET", f"/evidence/entries/{debt['evidence_index']}", "auditor")
    assert entry.status_code == 200
    assert sandbox.call("GET", "/evidence/checkpoint", "auditor").status_code == 200
    seen = sandbox.call("GET", f"/me/data-requests/{request['id']}", headers=debtor["headers"])
    assert seen.json()["erasure"]["status"] == "completed"
    assert _resolve(sandbox, request["id"], status="completed").status_code == 409


def test_records_of_collection_are_restricted_then_erased(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    attempt = _call(sandbox, debtor, debt)
    request = _erasure_request(sandbox, debtor)
    held = _resolve(sandbox, request["id"], status="completed")
    assert held.status_code == 409, held.text
    assert held.json()["code"] == "retention_hold"
    response = _resolve(sandbox, request["id"], status="restricted")
    assert response.status_code == 200, response.text
    erasure = response.json()["erasure"]
    assert erasure["status"] == "restricted"
    assert erasure["last_collection_activity_at"] == attempt["at"]
    retained = {r["category"]: r for r in erasure["retained"]}
    assert {"contact_attempts", "contact_decisions", "messages"} <= set(retained)
    # us profile: three years after the last collection activity, under Regulation F.
    assert {r["retain_until"] for r in retained.values()} == {"2023-04-01T14:00:00Z"}
    assert {r["legal_basis"] for r in retained.values()} == {"12 CFR Part 1006 (Regulation F) §1006.100(a)"}
    # Storage only: no contact, for any purpose.
    decision = sandbox.call(
        "POST",
        "/contact-decisions",
        json={
            "debtor_id": debtor["id"],
            "debt_ids": [debt["id"]],
            "contact_point_id": next(p["id"] for p in debtor["contact_points"] if p["kind"] == "address"),
            "channel": "letter",
            "purpose": "legally_required",
        },
    )
    assert decision.status_code == 200, decision.text
    assert decision.json()["decision"] == "deny"
    assert "processing_restricted" in decision.json()["reasons"]
    # Kept until retain_until (EV-09's floor), erased once it has passed.
    sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "P1094D"})
    assert "Jane Canary-Doe" in _reads(sandbox, debtor)
    moved = sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "P1D"})
    assert moved.status_code == 200
    shown = _reads(sandbox, debtor)
    assert [c for c in CANARIES if c in shown] == []
    seen = sandbox.call("GET", f"/me/data-requests/{request['id']}", headers=debtor["headers"]).json()
    assert seen["erasure"]["erased_at"] is not None


def test_refusal_needs_reasons(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    request = _erasure_request(sandbox, debtor)
    assert _resolve(sandbox, request["id"], status="refused").status_code == 422
    response = _resolve(sandbox, request["id"], status="refused", reasons="The debt is still being collected.")
    assert response.status_code == 200, response.text
    doc = response.json()
    assert (doc["status"], doc["outcome"], doc["refusal_reason"]) == (
        "refused",
        "refused",
        "The debt is still being collected.",
    )
    assert "Jane Canary-Doe" in _reads(sandbox, debtor)


def test_restriction_without_records_to_keep_is_a_conflict(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    request = _erasure_request(sandbox, debtor)
    assert _resolve(sandbox, request["id"], status="restricted").status_code == 409


def test_only_a_supervisor_resolves_only_erasure_requests(sandbox: Sandbox, make_sandbox: Any) -> None:
    debtor = sandbox.debtor()
    request = _erasure_request(sandbox, debtor)
    path = f"/data-requests/{request['id']}/resolution"
    for role in ("collector", "auditor", "admin"):
        assert sandbox.call("POST", path, role, json={"status": "completed"}).status_code == 403
    assert sandbox.call("POST", path, headers=debtor["headers"], json={"status": "completed"}).status_code == 403
    other = make_sandbox("us", "2020-04-01T14:00:00Z")
    assert other.call("POST", path, "supervisor", json={"status": "completed"}).status_code == 404
    access = sandbox.call("POST", "/me/data-requests", headers=debtor["headers"], json={"type": "access"})
    assert _resolve(sandbox, access.json()["id"], status="completed").status_code == 422
    assert _resolve(sandbox, "dsr_unknown", status="completed").status_code == 404
    assert _resolve(sandbox, request["id"], status="forgotten").status_code == 422
