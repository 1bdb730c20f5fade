"""The intelligent services over HTTP: decisions, their explanation and human review, plans and model cards."""

from __future__ import annotations

from typing import Any

import pytest

_FEATURES = {"monthly_income": "3200.00", "monthly_debt_service": "1536.00", "missed_payments_12m": 2}


def _assess(sandbox: Any, debtor: dict[str, Any], debt: dict[str, Any], **features: Any) -> Any:
    body = {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "currency": "USD",
        "features": {**_FEATURES, **features},
    }
    return sandbox.call("POST", "/assessments/repayment-capacity", json=body)


@pytest.fixture
def party(sandbox: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    debtor = sandbox.debtor()
    return debtor, sandbox.debt(debtor)


def test_assessment_is_recorded_and_read_back(sandbox: Any, party: Any) -> None:
    debtor, debt = party
    made = _assess(sandbox, debtor, debt)
    assert made.status_code == 201, made.text
    decision = made.json()
    assert decision["reason_codes"] == ["high_debt_service_ratio", "recent_missed_payments"]
    assert (decision["model_id"], decision["model_version"]) == ("rc-scorecard", "1.0.0")
    assert made.headers["Location"].endswith(decision["decision_id"])
    for role, headers in (("supervisor", {}), ("auditor", {}), ("debtor", debtor["headers"])):
        read = sandbox.call("GET", f"/decisions/{decision['decision_id']}", role, headers=headers)
        assert read.status_code == 200, read.text
        assert {k: read.json()[k] for k in ("score", "band", "reason_codes", "model_version")} == {
            k: decision[k] for k in ("score", "band", "reason_codes", "model_version")
        }
    entry = sandbox.call("GET", f"/evidence/entries/{decision['evidence_index']}", "auditor")
    assert entry.status_code == 200, entry.text
    assert entry.json()["entry"]["kind"] == "decision"
    assert "3200.00" not in entry.text  # the inputs stay out of the log


def test_collector_cannot_read_decisions_and_another_debtor_gets_404(sandbox: Any, party: Any) -> None:
    debtor, debt = party
    decision = _assess(sandbox, debtor, debt).json()
    other = sandbox.debtor(phone="+12125550188", national_id="CANARY-ID-0002")
    path = f"/decisions/{decision['decision_id']}"
    assert sandbox.call("GET", path, "collector").status_code == 403
    hidden = sandbox.call("GET", path, headers=other["headers"])
    assert hidden.status_code == 404
    assert decision["reason_codes"][0] not in hidden.text
    for action in ("explanation-requests", "human-review-requests"):
        assert sandbox.call("POST", f"{path}/{action}", headers=other["headers"], json={}).status_code == 404


@pytest.mark.parametrize("attribute", ["sex", "marital_status", "ethnicity", "nationality"])
def test_protected_attributes_are_refused(sandbox: Any, party: Any, attribute: str) -> None:
    debtor, debt = party
    refused = _assess(sandbox, debtor, debt, **{attribute: "x"})
    assert refused.status_code == 422, refused.text


def test_explanation_then_human_review_until_a_supervisor_decides(sandbox: Any, party: Any) -> None:
    debtor, debt = party
    decision = _assess(sandbox, debtor, debt).json()
    path = f"/decisions/{decision['decision_id']}"
    explained = sandbox.call("POST", f"{path}/explanation-requests", headers=debtor["headers"], json={})
    assert explained.status_code == 201, explained.text
    explanation = explained.json()["explanation"]
    assert [r["code"] for r in explanation["principal_reasons"]] == decision["reason_codes"]
    assert explanation["automated_only"] is True
    assert explanation["model_version"] == "1.0.0"
    assert sandbox.call("GET", path, "supervisor").json()["explanation_status"] == "provided"
    no_review = sandbox.call(
        "POST", f"{path}/human-review-outcomes", "supervisor", json={"outcome": "upheld", "notes": "x"}
    )
    assert no_review.status_code == 409, no_review.text
    asked = sandbox.call(
        "POST", f"{path}/human-review-requests", headers=debtor["headers"], json={"statement": "Look."}
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["outcome"] == "pending"
    again = sandbox.call("POST", f"{path}/human-review-requests", headers=debtor["headers"], json={})
    assert again.status_code == 409, again.text
    pending = sandbox.call("GET", path, headers=debtor["headers"]).json()
    assert pending["human_review_status"] == "requested"
    assert pending["suspended"] is True
    for role in ("collector", "auditor"):
        denied = sandbox.call("POST", f"{path}/human-review-outcomes", role, json={"outcome": "upheld", "notes": "x"})
        assert denied.status_code == 403, denied.text
    changed = sandbox.call(
        "POST",
        f"{path}/human-review-outcomes",
        "supervisor",
        json={"outcome": "changed", "notes": "Payslips.", "score": 820},
    )
    assert changed.status_code == 201, changed.text
    review = changed.json()
    assert review["outcome"] == "changed"
    assert review["reviewer"]
    assert review["reviewed_at"]
    after = sandbox.call("GET", path, "auditor").json()
    assert after["suspended"] is False
    assert after["superseded_by"] == review["new_decision_id"]
    assert after["score"] == decision["score"]  # the old decision is kept as it was made
    new = sandbox.call("GET", f"/decisions/{review['new_decision_id']}", "auditor").json()
    assert (new["score"], new["band"], new["automated_only"]) == (820, "A", False)
    record = sandbox.call("GET", "/me/record", headers=debtor["headers"]).json()
    assert {d["decision_id"] for d in record["decisions"]} == {decision["decision_id"], new["decision_id"]}


def test_debt_stress_fires_at_the_profile_threshold(sandbox: Any, party: Any) -> None:
    debtor, _ = party
    body = {
        "debtor_id": debtor["id"],
        "currency": "USD",
        "monthly_net_income": "2000.00",
        "monthly_debt_service": "500.00",
        "payments_behind": 1,
    }
    found = sandbox.call("POST", "/assessments/debt-stress", json=body)
    assert found.status_code == 201, found.text
    indicators = {i["indicator"]: i for i in found.json()["indicators"]}
    assert indicators["debt_service_ratio"] == {
        "indicator": "debt_service_ratio",
        "value": 25.0,
        "threshold": 25.0,
        "unit": "percent",
        "fired": True,
        "parameter": "debt_service_stress_percent",
    }
    assert indicators["arrears"]["fired"] is False
    assert found.json()["stress_level"] == "moderate"


def test_plans_affordable_then_referred_then_forbearance(sandbox: Any, party: Any) -> None:
    debtor, debt = party  # balance 95.00
    body = {"debt_ids": [debt["id"]], "currency": "USD", "declared_monthly_income": "1000.00",
            "declared_monthly_expenses": "950.00"}  # fmt: skip
    offered = sandbox.call("POST", "/repayment-plans/proposals", headers=debtor["headers"], json=body)
    assert offered.status_code == 201, offered.text
    doc = offered.json()
    assert doc["status"] == "offered"
    assert doc["max_affordable_instalment"] == "40.00"
    assert all(float(o["instalment_amount"]) <= 40 for o in doc["options"])
    assert not any(o.get("forbearance") for o in doc["options"])
    hopeless = sandbox.call(
        "POST", "/repayment-plans/proposals", json={**body, "declared_monthly_expenses": "999.99"}
    ).json()
    assert hopeless["options"] == []
    assert hopeless["reason_codes"] == ["plan_unaffordable"]
    assert hopeless["status"] == "pending_review"
    assert hopeless["referral"]["kind"] == "human_hardship_review"
    referred = sandbox.call("GET", f"/decisions/{hopeless['decision_id']}", "supervisor").json()
    assert referred["human_review_status"] == "requested"
    assert referred["suspended"] is True
    event = sandbox.call(
        "POST", f"/debtors/{debtor['id']}/events", json={"type": "hardship", "source": "debtor", "details": {}}
    )
    assert event.status_code == 201, event.text
    relief = sandbox.call("POST", "/repayment-plans/proposals", headers=debtor["headers"], json=body).json()
    assert relief["hardship_considered"] is True
    assert any(o.get("forbearance") for o in relief["options"])


def test_plan_for_another_debtors_debt_is_404(sandbox: Any, party: Any) -> None:
    _, debt = party
    other = sandbox.debtor(phone="+12125550177", national_id="CANARY-ID-0003")
    body = {"debt_ids": [debt["id"]], "currency": "USD", "declared_monthly_income": "1000.00",
            "declared_monthly_expenses": "500.00"}  # fmt: skip
    assert sandbox.call("POST", "/repayment-plans/proposals", headers=other["headers"], json=body).status_code == 404


def test_models_and_cards_are_public(app_client: Any) -> None:
    listed = app_client.get("/icss/v1/models")
    assert listed.status_code == 200, listed.text
    ids = [m["model_id"] for m in listed.json()["items"]]
    assert ids == ["plan-affordability", "rc-scorecard", "stress-rules"]
    first = app_client.get("/icss/v1/models", params={"limit": 1})
    second = app_client.get("/icss/v1/models", params={"limit": 1, "cursor": first.json()["next_cursor"]})
    assert [m["model_id"] for m in second.json()["items"]] == ["rc-scorecard"]
    for model_id in ids:
        card = app_client.get(f"/icss/v1/models/{model_id}/card")
        assert card.status_code == 200, card.text
        assert card.json()["version"] == "1.0.0"
    assert app_client.get("/icss/v1/models/nope/card").status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/assessments/repayment-capacity", {"features": {"monthly_income": "9" * 40, "monthly_debt_service": "1"}}),
        ("/assessments/repayment-capacity", {"features": {"monthly_income": "1", "monthly_debt_service": "1",
                                                          "open_commitments": 10**40}}),
        ("/assessments/debt-stress", {"monthly_net_income": "1", "monthly_debt_service": "1",
                                      "payments_behind": 10**400}),
        ("/assessments/debt-stress", {"monthly_net_income": "1", "monthly_debt_service": "9" * 40,
                                      "payments_behind": 0}),
    ],
)  # fmt: skip
def test_out_of_range_figures_are_422(sandbox: Any, party: Any, path: str, body: dict[str, Any]) -> None:
    debtor, _ = party
    answer = sandbox.call("POST", path, json={"debtor_id": debtor["id"], "currency": "USD", **body})
    assert answer.status_code == 422, answer.text


def test_out_of_range_plan_figures_are_422(sandbox: Any, party: Any) -> None:
    _, debt = party
    body = {"debt_ids": [debt["id"]], "currency": "USD", "declared_monthly_income": "9" * 40,
            "declared_monthly_expenses": "0"}  # fmt: skip
    assert sandbox.call("POST", "/repayment-plans/proposals", json=body).status_code == 422
