"""Debtors, contact points, debts, charges and validation information (interface sections 2)."""

from __future__ import annotations

from typing import Any

import pytest

CANARY = {
    "name": "Jane Canary-Doe",
    "national_id": "CANARY-ID-0001",
    "phone": "+12125550123",
    "email": "jane.canary@example.com",
    "street": "1 Canary Street",
    "account": "4111000011112222",
}


def _clear_values(text: str) -> list[str]:
    return [value for value in CANARY.values() if value in text]


@pytest.mark.parametrize("role", ["collector", "auditor"])
def test_get_debtor_masked_for_collector_and_auditor(sandbox: Any, role: str) -> None:
    debtor = sandbox.debtor()
    response = sandbox.call("GET", f"/debtors/{debtor['id']}", role)
    assert response.status_code == 200
    body = response.json()
    assert body["pii_masked"] is True
    assert not _clear_values(response.text), _clear_values(response.text)
    # DS-05: at most the last four characters in clear; e-mail keeps its first character and domain.
    assert body["national_id"].endswith("0001")
    assert set(body["national_id"][:-4]) == {"*"}
    phone = next(p for p in body["contact_points"] if p["kind"] == "phone")["value"]
    assert phone.endswith("0123")
    assert set(phone[:-4]) == {"*"}
    email = next(p for p in body["contact_points"] if p["kind"] == "email")["value"]
    assert email == "j***@example.com"


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_get_debtor_clear_for_supervisor(sandbox: Any, role: str) -> None:
    debtor = sandbox.debtor()
    body = sandbox.call("GET", f"/debtors/{debtor['id']}", role).json()
    assert body["pii_masked"] is False
    assert body["name"] == CANARY["name"]
    assert body["national_id"] == CANARY["national_id"]
    values = {p["kind"]: p.get("value") or p.get("address") for p in body["contact_points"]}
    assert values["phone"] == CANARY["phone"]
    assert values["email"] == CANARY["email"]
    assert values["address"]["lines"] == [CANARY["street"]]


def test_debtor_sees_itself_in_clear(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    body = sandbox.call("GET", f"/debtors/{debtor['id']}", headers=debtor["headers"]).json()
    assert body["national_id"] == CANARY["national_id"]


@pytest.mark.parametrize("role", ["collector", "supervisor", "auditor", "admin"])
def test_list_debtors_masked_for_every_role(sandbox: Any, role: str) -> None:
    """DS-05: listDebtors never carries identity numbers, phones or e-mails in clear, whatever the role."""
    sandbox.debtor()
    response = sandbox.call("GET", "/debtors", role)
    assert response.status_code == 200
    assert response.json()["items"]
    assert not _clear_values(response.text), _clear_values(response.text)
    assert all(item["pii_masked"] for item in response.json()["items"])


def test_list_debtors_by_external_ref(sandbox: Any) -> None:
    sandbox.debtor(external_ref="REF-1")
    other = sandbox.debtor(external_ref="REF-2")
    items = sandbox.call("GET", "/debtors", params={"external_ref": "REF-2"}).json()["items"]
    assert [d["id"] for d in items] == [other["id"]]


def test_collector_creating_a_debtor_sees_it_masked(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    assert debtor["pii_masked"] is True
    shown = {k: v for k, v in debtor.items() if k not in ("debtor_credentials", "headers")}
    assert not _clear_values(str(shown))


def test_client_contact_point_ids_are_per_tenant(sandbox: Any, make_sandbox: Any) -> None:
    points = [{"id": "cp_mobile", "kind": "phone", "value": "+12125550199", "owner": "debtor",
               "relationship": "self", "is_workplace": False, "timezone": "America/New_York"}]  # fmt: skip
    first = sandbox.debtor(contact_points=points)
    assert first["contact_points"][0]["id"] == "cp_mobile"
    # The same id in another tenant is another contact point; in the same tenant it conflicts.
    other = make_sandbox("us", "2020-04-01T14:00:00Z")
    assert other.debtor(contact_points=points)["contact_points"][0]["id"] == "cp_mobile"
    body = {"name": "A B", "profile": "us", "timezones": ["America/New_York"], "contact_points": points}
    assert sandbox.call("POST", "/debtors", json=body).status_code == 409
    twice = {**body, "contact_points": points * 2}
    assert other.call("POST", "/debtors", json=twice).status_code == 422


def test_unknown_time_zone_is_422(sandbox: Any) -> None:
    body = {"name": "A B", "profile": "us", "timezones": ["Mars/Olympus_Mons"], "contact_points": []}
    response = sandbox.call("POST", "/debtors", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/timezones/0"


def test_update_debtor_merge_patch(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    response = sandbox.call(
        "PATCH",
        f"/debtors/{debtor['id']}",
        "supervisor",
        json={"language": "es", "timezones": ["America/Chicago"]},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["language"], body["timezones"]) == ("es", ["America/Chicago"])
    assert body["name"] == CANARY["name"]
    assert sandbox.call("PATCH", f"/debtors/{debtor['id']}", "collector", json={"language": "es"}).status_code == 403


# -- debts -----------------------------------------------------------------------------------------


def test_debt_account_masked_except_for_clear_roles(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    assert debt["account_number"] == "************2222"
    assert sandbox.call("GET", f"/debts/{debt['id']}", "collector").json()["account_number"].endswith("2222")
    assert CANARY["account"] not in sandbox.call("GET", f"/debts/{debt['id']}", "collector").text
    assert sandbox.call("GET", f"/debts/{debt['id']}", "supervisor").json()["account_number"] == CANARY["account"]
    assert CANARY["account"] not in sandbox.call("GET", "/debts", "supervisor").text


def test_itemization_must_reconcile(sandbox: Any) -> None:
    debtor = sandbox.debtor()
    item = {"itemization_date": "2020-01-01", "itemization_date_basis": "charge_off",
            "amount_on_itemization_date": "100.00", "interest": "5.00",
            "fees": "0.00", "payments": "10.00", "credits": "0.00", "current_amount": "96.00"}  # fmt: skip
    response = sandbox.call(
        "POST",
        "/debts",
        json={"debtor_id": debtor["id"], "creditor": {"name": "Bank"}, "account_number": "1234",
              "currency": "USD", "profile": "us", "itemization": item},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/itemization/current_amount"


def test_list_debts_of_one_debtor(sandbox: Any) -> None:
    one, two = sandbox.debtor(), sandbox.debtor()
    debt = sandbox.debt(two)
    sandbox.debt(one)
    items = sandbox.call("GET", "/debts", params={"debtor_id": two["id"]}).json()["items"]
    assert [d["id"] for d in items] == [debt["id"]]


def test_authorised_charge_updates_the_balance(sandbox: Any) -> None:
    debt = sandbox.debt(sandbox.debtor())
    charge = {"kind": "interest", "amount": "1.25", "currency": "USD", "basis": "agreement"}
    response = sandbox.call("POST", f"/debts/{debt['id']}/charges", json=charge)
    assert response.status_code == 201, response.text
    assert response.json()["balance_after"] == "96.25"
    after = sandbox.call("GET", f"/debts/{debt['id']}").json()
    assert after["balance"] == "96.25"
    assert after["itemization"]["interest"] == "6.25"


def test_unauthorised_charge_is_refused_and_changes_nothing(sandbox: Any) -> None:
    debt = sandbox.debt(sandbox.debtor())
    charge = {"kind": "late_fee", "amount": "25.00", "currency": "USD", "basis": "agreement"}
    response = sandbox.call("POST", f"/debts/{debt['id']}/charges", json=charge)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/unauthorized-charge")
    assert response.json()["code"] == "unauthorized_charge"
    assert sandbox.call("GET", f"/debts/{debt['id']}").json()["balance"] == "95.00"
    other_currency = {**charge, "kind": "interest", "currency": "EUR"}
    assert sandbox.call("POST", f"/debts/{debt['id']}/charges", json=other_currency).status_code == 422


# -- validation information (Reg F 1006.34) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "assumed", "end"),
    [
        # Reg F test vector TV-10: a Tuesday in June, five business days, then 30 days.
        ("2025-06-03T15:00:00Z", "2025-06-10", "2025-07-10"),
        # Thanksgiving (27 November) is no business day: assumed receipt 4 December.
        ("2025-11-26T15:00:00Z", "2025-12-04", "2026-01-03"),
    ],
)
def test_validation_notice_dates(sandbox: Any, sent: str, assumed: str, end: str) -> None:
    debtor = sandbox.debtor()
    debt = sandbox.debt(debtor)
    sandbox.set_clock(sent)
    event = sandbox.call(
        "POST",
        f"/debtors/{debtor['id']}/events",
        json={"type": "validation_notice_sent", "source": "collector", "debt_id": debt["id"],
              "details": {"channel": "letter"}},
    )  # fmt: skip
    assert event.status_code == 201, event.text
    sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "P3D"})
    notice = sandbox.call("GET", f"/debts/{debt['id']}/validation-notice")
    assert notice.status_code == 200, notice.text
    body = notice.json()
    assert (body["provided_at"], body["assumed_receipt_date"], body["validation_end_date"]) == (
        sent[:10],
        assumed,
        end,
    )
    assert body["dispute_instructions"]["dispute_by"] == end
    assert body["account_number_truncated"].endswith("2222")
    assert CANARY["account"] not in notice.text
    assert body["current_amount"] == "95.00"
    # The debtor reads its own notice too.
    assert sandbox.call("GET", f"/debts/{debt['id']}/validation-notice", headers=debtor["headers"]).status_code == 200


def _initial_communication(sandbox: Any, debtor: dict[str, Any], debt: dict[str, Any], at: str) -> None:
    event = sandbox.call(
        "POST",
        f"/debtors/{debtor['id']}/events",
        json={"type": "initial_communication", "source": "collector", "debt_id": debt["id"], "effective_at": at,
              "details": {"channel": "call", "oral": True}},
    )  # fmt: skip
    assert event.status_code == 201, event.text


@pytest.mark.parametrize(
    ("zones", "initial", "due"),
    [
        # CP-14, us (5 calendar days): 10:00 in New York on Wednesday 1 April.
        (("America/New_York",), "2020-04-01T14:00:00Z", "2020-04-06"),
        # 23:30 in New York is already 2 April in UTC: the debtor-local date counts.
        (("America/New_York",), "2020-04-02T03:30:00Z", "2020-04-06"),
        # 01:00 on 2 April in Shanghai, still 1 April in Los Angeles: the earliest due date.
        (("Asia/Shanghai", "America/Los_Angeles"), "2020-04-01T17:00:00Z", "2020-04-06"),
    ],
)
def test_validation_notice_due_date(sandbox: Any, zones: tuple[str, ...], initial: str, due: str) -> None:
    debtor = sandbox.debtor(timezones=zones)
    debt = sandbox.debt(debtor)
    assert "due_date" not in sandbox.call("GET", f"/debts/{debt['id']}/validation-notice").json()
    sandbox.set_clock("2020-04-03T14:00:00Z")
    _initial_communication(sandbox, debtor, debt, initial)
    # A later initial communication does not move the date: the first one counts.
    _initial_communication(sandbox, debtor, debt, "2020-04-03T13:00:00Z")
    notice = sandbox.call("GET", f"/debts/{debt['id']}/validation-notice")
    assert notice.status_code == 200, notice.text
    assert notice.json()["due_date"] == due


def test_validation_notice_due_with_the_initial_communication(make_sandbox: Any) -> None:
    # eu: validation_notice_days is 0, so the information is due on the day of the initial communication.
    sandbox = make_sandbox("eu", "2026-01-05T09:00:00Z")
    points = [{"kind": "address", "address": {"lines": ["1 Canary Street"], "country": "DE"}, "owner": "debtor",
               "relationship": "self", "is_workplace": False, "timezone": "Europe/Berlin"}]  # fmt: skip
    debtor = sandbox.debtor(timezones=("Europe/Berlin",), contact_points=points)
    debt = sandbox.debt(debtor, currency="EUR")
    _initial_communication(sandbox, debtor, debt, "2026-01-04T23:30:00Z")  # 00:30 on 5 January in Berlin
    assert sandbox.call("GET", f"/debts/{debt['id']}/validation-notice").json()["due_date"] == "2026-01-05"


def test_validation_notice_needs_a_postal_address(sandbox: Any) -> None:
    points = [{"kind": "email", "value": "x@example.com", "owner": "debtor", "relationship": "self",
               "is_workplace": False, "timezone": "America/New_York"}]  # fmt: skip
    debt = sandbox.debt(sandbox.debtor(contact_points=points))
    response = sandbox.call("GET", f"/debts/{debt['id']}/validation-notice")
    assert 400 <= response.status_code < 500, response.text
