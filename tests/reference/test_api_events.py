"""Events: who may record what, when they take effect, and how they are listed."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def jane(sandbox: Any) -> dict[str, Any]:
    debtor: dict[str, Any] = sandbox.debtor()
    debtor["debt"] = sandbox.debt(debtor)["id"]
    return debtor


def _record(sandbox: Any, debtor: dict[str, Any], role: str = "collector", **body: Any) -> Any:
    headers = debtor["headers"] if role == "debtor" else {}
    return sandbox.call("POST", f"/debtors/{debtor['id']}/events", role, headers=headers, json=body)


def test_recorded_event_is_evidenced(sandbox: Any, jane: dict[str, Any]) -> None:
    response = _record(sandbox, jane, type="cease_request", source="debtor", details={"form": "written"})
    assert response.status_code == 201, response.text
    event = response.json()
    assert event["effective_at"] == "2020-04-01T14:00:00Z"
    assert event["recorded_by"] == "collector"
    assert event["receipt_url"] == f"/icss/v1/evidence/receipts/{event['evidence_index']}"


def test_events_are_listed_by_effective_time(sandbox: Any, jane: dict[str, Any]) -> None:
    _record(sandbox, jane, type="hardship", source="debtor")
    backdated = _record(
        sandbox, jane, type="cease_request", source="debtor", details={"form": "written"},
        effective_at="2020-03-30T09:00:00-04:00",
    )  # fmt: skip
    assert backdated.status_code == 201
    listed = sandbox.call("GET", f"/debtors/{jane['id']}/events").json()["items"]
    assert [e["type"] for e in listed] == ["cease_request", "hardship"]
    one = sandbox.call("GET", f"/debtors/{jane['id']}/events", params={"limit": "1"}).json()
    assert [e["type"] for e in one["items"]] == ["cease_request"]
    rest = sandbox.call("GET", f"/debtors/{jane['id']}/events", params={"cursor": one["next_cursor"]}).json()
    assert [e["type"] for e in rest["items"]] == ["hardship"]
    assert rest["next_cursor"] is None
    only = sandbox.call("GET", f"/debtors/{jane['id']}/events", params={"type": "hardship"}).json()["items"]
    assert [e["type"] for e in only] == ["hardship"]
    since = sandbox.call("GET", f"/debtors/{jane['id']}/events", params={"since": "2020-04-01T00:00:00Z"}).json()
    assert [e["type"] for e in since["items"]] == ["hardship"]


def test_future_events_are_refused(sandbox: Any, jane: dict[str, Any]) -> None:
    response = _record(sandbox, jane, type="hardship", source="debtor", effective_at="2020-04-01T14:00:01Z")
    assert response.status_code == 422


def test_debtor_records_only_its_own_kinds(sandbox: Any, jane: dict[str, Any]) -> None:
    own = _record(sandbox, jane, "debtor", type="medium_opt_out", source="debtor", details={"medium": "sms"})
    assert own.status_code == 201, own.text
    assert own.json()["recorded_by"] == "debtor"
    bankruptcy = _record(sandbox, jane, "debtor", type="bankruptcy", source="debtor")
    assert bankruptcy.status_code == 403
    as_creditor = _record(sandbox, jane, "debtor", type="hardship", source="creditor")
    assert as_creditor.status_code == 403


def test_consent_counts_only_from_the_debtor(sandbox: Any, jane: dict[str, Any]) -> None:
    given = {"type": "consent_given", "details": {"purpose": "telephone_calls"}}
    assert _record(sandbox, jane, source="debtor", **given).json()["counts"] is True
    assert _record(sandbox, jane, source="creditor", **given).json()["counts"] is False


def test_references_must_be_the_debtors_own(sandbox: Any, jane: dict[str, Any]) -> None:
    other = sandbox.debtor()
    other_debt = sandbox.debt(other)["id"]
    response = _record(sandbox, jane, type="dispute", source="debtor", debt_id=other_debt, details={"form": "oral"})
    assert response.status_code == 422
    point = other["contact_points"][0]["id"]
    response = _record(sandbox, jane, type="wrong_number", source="collector", details={"contact_point_id": point})
    assert response.status_code == 422


def test_attorney_name_is_personal_data(sandbox: Any, jane: dict[str, Any]) -> None:
    details = {"attorney_name": "Atticus Canary-Finch"}
    response = _record(sandbox, jane, type="attorney_representation", source="attorney", details=details)
    assert response.status_code == 201, response.text
    assert "Atticus Canary-Finch" not in response.text  # the collector sees it masked
    clear = sandbox.call("GET", f"/debtors/{jane['id']}/events", "supervisor").json()["items"]
    assert clear[0]["details"]["attorney_name"] == "Atticus Canary-Finch"
    masked = sandbox.call("GET", f"/debtors/{jane['id']}/events", "auditor").text
    assert "Atticus Canary-Finch" not in masked
    flags = sandbox.call("GET", f"/debtors/{jane['id']}", "supervisor").json()["flags"]
    assert "attorney_represented" in flags
