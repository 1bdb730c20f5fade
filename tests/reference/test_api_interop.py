"""Mediation hand-offs, claims and write-offs (OP-09, OP-10, OP-11) through the HTTP interface.

Every response is checked against the OpenAPI document by the ContractClient; these tests add what
the schema cannot say: the debtor's agreement gates a hand-off, claims are registered once and
verified with flags only, write-offs are idempotent per debt and 04 stops collection.
"""

from __future__ import annotations

from typing import Any

# The Sandbox fixture of tests/reference/conftest.py (not importable by name: several conftest modules exist).
Sandbox = Any


SUBJECT = "hmac-sha256:" + "ab" * 32


def _consent(sandbox: Sandbox, debtor: dict[str, Any], kind: str = "consent_given", **details: Any) -> str:
    response = sandbox.call(
        "POST",
        f"/debtors/{debtor['id']}/events",
        "collector",
        json={"type": kind, "source": details.pop("source", "debtor"), "details": {"purpose": "mediation", **details}},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _case(debtor: dict[str, Any], debt: dict[str, Any], consent: str, **extra: Any) -> dict[str, Any]:
    return {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "consent_event_id": consent,
        "mediator": {"organisation": "Haidian District People's Mediation Committee"},
        "data_shared": ["debtor_name", "debtor_contact", "debt_amount"],
        **extra,
    }


# -- mediation (OP-11) --------------------------------------------------------------------------


def test_mediation_needs_the_debtors_unrevoked_agreement(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    other = _consent(sandbox, debtor, purpose="ai_voice")
    refused = sandbox.call("POST", "/mediation-cases", "supervisor", json=_case(debtor, debt, other))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "mediation_consent_missing"
    assert refused.json()["reasons"] == ["mediation_consent_missing"]

    lapsed = _consent(sandbox, debtor, expires_at="2020-03-31T23:59:59+08:00")  # the clock reads 1 April 2020
    assert sandbox.call("POST", "/mediation-cases", "supervisor", json=_case(debtor, debt, lapsed)).status_code == 422

    relayed = _consent(sandbox, debtor, source="creditor")
    assert sandbox.call("POST", "/mediation-cases", "supervisor", json=_case(debtor, debt, relayed)).status_code == 422

    consent = _consent(sandbox, debtor)
    created = sandbox.call("POST", "/mediation-cases", "supervisor", json=_case(debtor, debt, consent, summary="S"))
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["status"] == "submitted"
    assert case["data_shared"] == ["debtor_name", "debtor_contact", "debt_amount"]
    assert isinstance(case["evidence_index"], int)

    _consent(sandbox, debtor, "consent_revoked")
    again = sandbox.call("POST", "/mediation-cases", "supervisor", json=_case(debtor, debt, consent))
    assert again.status_code == 422, "a withdrawn agreement no longer allows a hand-off"
    seen = sandbox.call("GET", f"/mediation-cases/{case['id']}", "auditor")
    assert seen.status_code == 200
    assert seen.json()["status"] == "terminated"


def test_mediation_shares_only_the_minimum(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    consent = _consent(sandbox, debtor)
    body = _case(debtor, debt, consent, data_shared=["debtor_name", "debt_history", "repayment_proposals"])
    response = sandbox.call("POST", "/mediation-cases", "supervisor", json=body)
    assert response.status_code == 422, response.text
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/data_shared/1", "/data_shared/2"}


def test_mediation_case_is_the_debtors_own(sandbox: Sandbox) -> None:
    debtor, other = sandbox.debtor(), sandbox.debtor(national_id="CANARY-ID-0002", phone="+12125550188")
    debt = sandbox.debt(debtor)
    case = sandbox.call("POST", "/mediation-cases", "supervisor", json=_case(debtor, debt, _consent(sandbox, debtor)))
    path = f"/mediation-cases/{case.json()['id']}"
    assert sandbox.call("GET", path, headers=debtor["headers"]).status_code == 200
    assert sandbox.call("GET", path, headers=other["headers"]).status_code == 404
    assert sandbox.call("GET", path, "collector").status_code == 403
    # A debt of another debtor cannot ride along.
    foreign = sandbox.debt(other)
    body = {**_case(debtor, debt, _consent(sandbox, debtor)), "debt_ids": [foreign["id"]]}
    assert sandbox.call("POST", "/mediation-cases", "supervisor", json=body).status_code == 422


# -- claims (OP-09) -----------------------------------------------------------------------------


def _claim(**extra: Any) -> dict[str, Any]:
    return {
        "claim_ref": "BOE-CC-2020-000871",
        "holder": {"institution_id": "91110000100000000X", "name": "Bank of Example"},
        "debtor_subject": SUBJECT,
        "amount": "1250.00",
        "currency": "CNY",
        **extra,
    }


def test_claims_register_once(sandbox: Sandbox) -> None:
    first = sandbox.call("POST", "/claims", "supervisor", json=_claim())
    assert first.status_code == 201, first.text
    again = sandbox.call("POST", "/claims", "admin", json=_claim())  # another key, another client
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["fingerprint"] == again.json()["fingerprint"]
    changed = sandbox.call("POST", "/claims", "supervisor", json=_claim(amount="1.00"))
    assert changed.status_code == 409
    assert sandbox.call("POST", "/claims", "collector", json=_claim()).status_code == 403


def test_claims_verify_with_flags_only(sandbox: Sandbox) -> None:
    assert sandbox.call("POST", "/claims", "supervisor", json=_claim()).status_code == 201
    items = [
        {
            "claim_ref": "BOE-CC-2020-000871",
            "holder_institution_id": "91110000100000000X",
            "amount": "1250.0",
            "currency": "CNY",
            "debtor_subject": SUBJECT,
        },
        {"claim_ref": "BOE-CC-2020-000871", "holder_institution_id": "OTHER", "amount": "9.00"},
        {"claim_ref": "NO-SUCH-CLAIM"},
    ]
    response = sandbox.call("POST", "/claims/verifications", "auditor", json={"items": items})
    assert response.status_code == 200, response.text
    first, second, third = response.json()["results"]
    assert first == {
        "claim_ref": "BOE-CC-2020-000871",
        "exists": True,
        "holder_matches": True,
        "amount_matches": True,
        "debtor_matches": True,
        "status": "registered",
    }
    assert (second["holder_matches"], second["amount_matches"], second["debtor_matches"]) == (False, False, None)
    assert third == {"claim_ref": "NO-SUCH-CLAIM", "exists": False}
    assert "Bank of Example" not in response.text
    assert SUBJECT not in response.text


# -- write-offs (OP-10) -------------------------------------------------------------------------


def _write_off(debt: dict[str, Any], disposal: str, **extra: Any) -> dict[str, Any]:
    return {
        "debt_id": debt["id"],
        "disposal_status": disposal,
        "amount": "95.00",
        "currency": "USD",
        "reason": "Estate insufficient.",
        **extra,
    }


def _decide(sandbox: Sandbox, debtor: dict[str, Any], debt: dict[str, Any], purpose: str) -> dict[str, Any]:
    request = {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "contact_point_id": debtor["contact_points"][0]["id"],
        "channel": "call",
        "purpose": purpose,
    }
    response = sandbox.call("POST", "/contact-decisions", json=request)
    assert response.status_code == 200, response.text
    decision: dict[str, Any] = response.json()
    return decision


def test_write_off_is_idempotent_per_debt(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    first = sandbox.call("POST", "/write-offs", "supervisor", json=_write_off(debt, "03"))
    assert first.status_code == 201, first.text
    assert first.json()["collection_continues"] is True
    again = sandbox.call("POST", "/write-offs", "supervisor", json=_write_off(debt, "03"))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    other = sandbox.call("POST", "/write-offs", "supervisor", json=_write_off(debt, "04"))
    assert other.status_code == 409
    shown = sandbox.call("GET", f"/write-offs/{first.json()['id']}", "auditor")
    assert shown.status_code == 200
    assert shown.json()["disposal_status"] == "03"
    assert shown.json()["reason"] == "Estate insufficient."
    # 账销案存: the ordinary rules go on deciding.
    assert _decide(sandbox, debtor, debt, "collection")["decision"] == "allow"


def test_fully_terminated_debt_is_not_collected(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    response = sandbox.call("POST", "/write-offs", "supervisor", json=_write_off(debt, "04"))
    assert response.status_code == 201, response.text
    assert response.json()["collection_continues"] is False
    denied = _decide(sandbox, debtor, debt, "collection")
    assert denied["decision"] == "deny"
    assert denied["reasons"] == ["write_off_terminated"]
    assert _decide(sandbox, debtor, debt, "legally_required")["decision"] == "allow"


def test_write_off_takes_effect_on_its_date(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    later = _write_off(debt, "04", effective_date="2020-05-01")  # the sandbox clock reads 1 April 2020
    assert sandbox.call("POST", "/write-offs", "supervisor", json=later).status_code == 201
    assert _decide(sandbox, debtor, debt, "collection")["decision"] == "allow"


def test_write_off_batch_reports_each_item(sandbox: Sandbox) -> None:
    debtor = sandbox.debtor()
    debt, second = sandbox.debt(debtor), sandbox.debt(debtor)
    items = [
        _write_off(debt, "03"),
        {**_write_off(debt, "03"), "debt_id": "debt_unknown"},
        _write_off(second, "04"),
        _write_off(debt, "03"),
        _write_off(debt, "04"),
    ]
    response = sandbox.call("POST", "/write-offs/batch", "supervisor", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["status"] for r in results] == [201, 404, 201, 200, 409]
    assert results[3]["write_off"]["id"] == results[0]["write_off"]["id"]
    assert results[1]["problem"]["code"] == "not_found"
    # The refused items left nothing behind; the others are there.
    assert sandbox.call("GET", f"/write-offs/{results[2]['write_off']['id']}", "supervisor").status_code == 200


def test_write_off_of_another_tenants_debt_is_not_found(make_sandbox: Any, sandbox: Sandbox) -> None:
    other = make_sandbox("us", "2020-04-01T14:00:00Z")
    debt = other.debt(other.debtor())
    response = sandbox.call("POST", "/write-offs", "supervisor", json=_write_off(debt, "03"))
    assert response.status_code == 404
    assert sandbox.call("GET", "/write-offs/wo_unknown", "supervisor").status_code == 404


def test_bad_interop_input_is_a_4xx_problem(sandbox: Sandbox) -> None:
    bad = [
        ("/write-offs", {"debt_id": "x", "disposal_status": "05", "amount": "1", "currency": "USD", "reason": "r"}),
        ("/claims", {**_claim(), "debtor_subject": "Jane Canary-Doe"}),
        ("/claims/verifications", {"items": []}),
        ("/mediation-cases", {"debtor_id": "x"}),
    ]
    for path, body in bad:
        response = sandbox.call("POST", path, "supervisor", json=body)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Jane Canary-Doe" not in response.text
    missing_key = sandbox.call(
        "POST", "/write-offs", "supervisor", json=_write_off({"id": "x"}, "03"), headers={"Idempotency-Key": ""}
    )
    assert 400 <= missing_key.status_code < 500
