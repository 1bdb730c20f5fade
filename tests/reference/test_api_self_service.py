"""Debtor self-service: record, export, disputes, complaints, preferences and data requests."""

from __future__ import annotations

from typing import Any

import pytest


def _me(sandbox: Any, debtor: dict[str, Any], method: str, path: str, **kwargs: Any) -> Any:
    return sandbox.call(method, path, headers=debtor["headers"], **kwargs)


@pytest.fixture
def jane(sandbox: Any) -> dict[str, Any]:
    """A debtor with a debt, an e-mail sent to her, a dispute and a complaint."""
    debtor: dict[str, Any] = sandbox.debtor()
    debt = sandbox.debt(debtor)
    debtor["debt"] = debt["id"]
    email = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "email")
    sent = sandbox.call(
        "POST",
        "/contact-attempts",
        json={"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "contact_point_id": email, "channel": "email",
              "purpose": "collection", "content": "About your account"},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    dispute = _me(sandbox, debtor, "POST", "/me/disputes", json={"debt_id": debt["id"], "reason": "already_paid"})
    assert dispute.status_code == 201, dispute.text
    complaint = _me(sandbox, debtor, "POST", "/me/complaints", json={"category": "privacy", "description": "Why?"})
    assert complaint.status_code == 201, complaint.text
    return debtor


def test_my_record_is_complete(sandbox: Any, jane: dict[str, Any]) -> None:
    record = _me(sandbox, jane, "GET", "/me/record").json()
    assert record["debtor_id"] == jane["id"]
    assert [d["id"] for d in record["debts"]] == [jane["debt"]]
    assert record["debts"][0]["account_number"] == "4111000011112222"  # the debtor's own data, in clear
    assert {e["type"] for e in record["events"]} == {"dispute"}
    assert [a["channel"] for a in record["contact_attempts"]] == ["email"]
    assert len(record["contact_decisions"]) == 1
    assert record["contact_decisions"][0]["decision"] == "allow"
    assert [m["channel"] for m in record["messages"]] == ["email"]
    assert len(record["disputes"]) == 1
    assert len(record["complaints"]) == 1
    for item in (*record["events"], *record["disputes"], *record["complaints"], *record["contact_decisions"]):
        assert item["receipt_url"].startswith("/icss/v1/evidence/receipts/")


def test_export_is_the_whole_record_as_json(sandbox: Any, jane: dict[str, Any]) -> None:
    export = _me(sandbox, jane, "GET", "/me/export")
    assert export.headers["content-type"].startswith("application/json")
    body = export.json()
    assert body["format"] == "icss-export/1"
    assert body["debtor"]["name"] == "Jane Canary-Doe"
    assert body["debtor"]["national_id"] == "CANARY-ID-0001"
    assert [d["id"] for d in body["debts"]] == [jane["debt"]]
    assert body["processing"]["purposes"]
    assert body["processing"]["retention"]
    assert body["preferences"]["channels_allowed"]


def test_export_and_record_do_not_show_other_debtors(sandbox: Any, jane: dict[str, Any]) -> None:
    other = sandbox.debtor(name="Otto Canary-Roe", national_id="CANARY-ID-0002", phone="+12125550188")
    sandbox.debt(other)
    for path in ("/me/record", "/me/export", "/me/disputes", "/me/complaints"):
        text = _me(sandbox, jane, "GET", path).text
        assert other["id"] not in text
        assert "Otto" not in text
        assert "CANARY-ID-0002" not in text


def test_disputes_list_and_hold(sandbox: Any, jane: dict[str, Any]) -> None:
    [dispute] = _me(sandbox, jane, "GET", "/me/disputes").json()["items"]
    assert dispute["status"] == "open"
    assert dispute["hold"] is True
    assert dispute["reason"] == "already_paid"
    other_debt = sandbox.debt(sandbox.debtor())["id"]
    response = _me(sandbox, jane, "POST", "/me/disputes", json={"debt_id": other_debt, "reason": "not_mine"})
    assert response.status_code == 404


def test_dispute_description_is_sealed_but_shown_to_its_author(sandbox: Any, jane: dict[str, Any]) -> None:
    body = {"debt_id": jane["debt"], "reason": "other", "description": "My canary reason"}
    created = _me(sandbox, jane, "POST", "/me/disputes", json=body).json()
    assert created["description"] == "My canary reason"
    events = sandbox.call("GET", f"/debtors/{jane['id']}/events", "collector").text
    assert "My canary reason" not in events


@pytest.mark.parametrize(("profile", "days"), [("us", 30), ("cn", 15)])
def test_complaint_deadline_and_lateness(make_sandbox: Any, profile: str, days: int) -> None:
    sb = make_sandbox(profile, "2026-03-02T02:00:00Z")
    debtor = sb.debtor(timezones=("Asia/Shanghai",) if profile == "cn" else ("America/New_York",))
    response = _me(sb, debtor, "POST", "/me/complaints", json={"category": "contact_conduct", "description": "Rude"})
    assert response.status_code == 201, response.text
    complaint = response.json()
    assert complaint["received_at"] == "2026-03-02T02:00:00Z"
    expected = {30: "2026-04-01T02:00:00Z", 15: "2026-03-17T02:00:00Z"}[days]
    assert complaint["due_at"] == expected
    assert complaint["late"] is False
    assert complaint["acknowledged_at"] == complaint["received_at"]
    sb.set_clock(expected)
    [listed] = _me(sb, debtor, "GET", "/me/complaints").json()["items"]
    assert listed["late"] is False  # due at that instant, not yet late
    sb.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "PT1S"})
    [listed] = _me(sb, debtor, "GET", "/me/complaints").json()["items"]
    assert listed["late"] is True
    supervisor = sb.call("GET", "/complaints", "supervisor", params={"status": "acknowledged"}).json()["items"]
    assert [c["id"] for c in supervisor] == [complaint["id"]]
    answer = {"text": "We are sorry.", "outcome": "upheld", "final": True}
    reply = sb.call("POST", f"/complaints/{complaint['id']}/responses", "supervisor", json=answer)
    assert reply.status_code == 201, reply.text
    assert reply.json()["late"] is True
    [closed] = _me(sb, debtor, "GET", "/me/complaints").json()["items"]
    assert closed["status"] == "closed"
    assert closed["late"] is True
    assert len(closed["responses"]) == 1
    again = sb.call("POST", f"/complaints/{complaint['id']}/responses", "supervisor", json=answer)
    assert again.status_code == 409


def test_complaint_answered_in_time_is_not_late(sandbox: Any, jane: dict[str, Any]) -> None:
    [complaint] = _me(sandbox, jane, "GET", "/me/complaints").json()["items"]
    answer = {"text": "Explained.", "outcome": "not_upheld", "final": False}
    reply = sandbox.call("POST", f"/complaints/{complaint['id']}/responses", "supervisor", json=answer)
    assert reply.status_code == 201
    assert reply.json()["late"] is False
    sandbox.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "P60D"})
    [listed] = _me(sandbox, jane, "GET", "/me/complaints").json()["items"]
    assert listed["status"] == "responded"
    assert listed["late"] is False
    assert sandbox.call("GET", f"/complaints/{complaint['id']}/responses", "supervisor").status_code == 405


def test_complaint_about_another_debtors_attempt_is_refused(sandbox: Any, jane: dict[str, Any]) -> None:
    other = sandbox.debtor()
    debt = sandbox.debt(other)
    email = next(p["id"] for p in other["contact_points"] if p["kind"] == "email")
    attempt = sandbox.call(
        "POST",
        "/contact-attempts",
        json={"debtor_id": other["id"], "debt_ids": [debt["id"]], "contact_point_id": email, "channel": "email",
              "purpose": "collection", "content": "Hello"},
    ).json()  # fmt: skip
    body = {"category": "contact_conduct", "description": "This one", "related_attempt_id": attempt["id"]}
    assert _me(sandbox, jane, "POST", "/me/complaints", json=body).status_code == 404


@pytest.mark.parametrize(
    ("profile", "due"),
    [("eu", "2026-02-28T09:00:00Z"), ("us", "2026-02-27T09:00:00Z"), ("cn", "2026-02-12T09:00:00Z")],
)
def test_data_request_due_per_profile(make_sandbox: Any, profile: str, due: str) -> None:
    """GDPR Art. 12(3): one month (P1M, calendar-aware: 28 January -> 28 February); US 30 days; CN 15."""
    sb = make_sandbox(profile, "2026-01-28T09:00:00Z")
    debtor = sb.debtor()
    response = _me(sb, debtor, "POST", "/me/data-requests", json={"type": "erasure", "description": "Forget me"})
    assert response.status_code == 201, response.text
    request = response.json()
    assert request["due_at"] == due
    assert request["status"] == "acknowledged"
    assert request["late"] is False
    fetched = _me(sb, debtor, "GET", f"/me/data-requests/{request['id']}").json()
    assert fetched == request
    access = _me(sb, debtor, "POST", "/me/data-requests", json={"type": "access"}).json()
    assert access["status"] == "responded"
    assert access["outcome"] == "fulfilled"


def test_rectification_keeps_the_corrections(sandbox: Any, jane: dict[str, Any]) -> None:
    """PIPL art. 46 / GDPR art. 16: the corrections asked for are part of the request and come back."""
    changes = [{"pointer": "/name", "value": "Jane Q. Corrected"}, {"pointer": "/date_of_birth", "value": "1980-02-03"}]
    response = _me(sandbox, jane, "POST", "/me/data-requests", json={"type": "rectification", "rectification": changes})
    assert response.status_code == 201, response.text
    assert response.json()["rectification"] == changes
    fetched = _me(sandbox, jane, "GET", f"/me/data-requests/{response.json()['id']}").json()
    assert fetched["rectification"] == changes
    assert "rectification_sealed" not in fetched


def test_preferences_round_trip(sandbox: Any, jane: dict[str, Any]) -> None:
    prefs = {
        "channels_allowed": ["email"],
        "inconvenient_times": [{"days": ["monday"], "start": "18:00", "end": "24:00"}],
        "inconvenient_places": [{"place": "workplace"}],
        "language": "es",
    }
    updated = _me(sandbox, jane, "PUT", "/me/preferences", json=prefs)
    assert updated.status_code == 200, updated.text
    got = _me(sandbox, jane, "GET", "/me/preferences").json()
    assert {k: got[k] for k in prefs} == prefs
    assert got["updated_at"] == "2020-04-01T14:00:00Z"
    debtor = sandbox.call("GET", f"/debtors/{jane['id']}", "supervisor").json()
    assert debtor["language"] == "es"


def _email_to(sandbox: Any, debtor: dict[str, Any]) -> dict[str, Any]:
    email = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "email")
    sent = sandbox.call(
        "POST",
        "/contact-attempts",
        json={"debtor_id": debtor["id"], "debt_ids": [debtor["debt"]], "contact_point_id": email, "channel": "email",
              "purpose": "collection", "content": "About your account"},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    outbox = sandbox.call("GET", "/sandbox/outbox", "admin", params={"debtor_id": debtor["id"], "limit": 500}).json()
    message: dict[str, Any] = next(m for m in outbox["items"] if m["attempt_id"] == sent.json()["id"])
    return message


@pytest.mark.parametrize(
    ("preferred", "written_in", "opt_out"),
    [
        ("zh", "zh", "退订"),
        ("zh-Hans-CN", "zh", "退订"),  # RFC 4647 lookup: zh-Hans-CN, zh-Hans, zh
        ("en-GB", "en", "Reply STOP"),
        ("es", "en", "Reply STOP"),  # not listed: the fallback language
    ],
)
def test_messages_follow_the_preferred_language(sandbox: Any, preferred: str, written_in: str, opt_out: str) -> None:
    debtor: dict[str, Any] = sandbox.debtor()
    debtor["debt"] = sandbox.debt(debtor)["id"]
    assert _email_to(sandbox, debtor)["language"] == "en"
    prefs = {"channels_allowed": ["email"], "inconvenient_times": [], "inconvenient_places": [], "language": preferred}
    assert _me(sandbox, debtor, "PUT", "/me/preferences", json=prefs).status_code == 200
    message = _email_to(sandbox, debtor)
    assert message["language"] == written_in
    assert opt_out in message["content"]


@pytest.mark.parametrize("language", ["Chinese!", "zh_CN", "x" * 40])
def test_malformed_preferred_language_is_a_problem(sandbox: Any, jane: dict[str, Any], language: str) -> None:
    prefs = {"channels_allowed": ["email"], "inconvenient_times": [], "inconvenient_places": [], "language": language}
    response = _me(sandbox, jane, "PUT", "/me/preferences", json=prefs)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _me(sandbox, jane, "GET", "/me/preferences").json()["language"] == "en"


def test_preferences_naming_another_debtors_contact_point(sandbox: Any, jane: dict[str, Any]) -> None:
    other = sandbox.debtor()
    place = {"place": "home", "contact_point_id": other["contact_points"][0]["id"]}
    prefs = {"channels_allowed": ["email"], "inconvenient_times": [], "inconvenient_places": [place]}
    assert _me(sandbox, jane, "PUT", "/me/preferences", json=prefs).status_code == 404


def test_staff_cannot_use_me(sandbox: Any) -> None:
    assert sandbox.call("GET", "/me/record", "supervisor").status_code == 403


def test_automated_decision_rights_without_decisions(sandbox: Any, jane: dict[str, Any]) -> None:
    """Contact decisions are not automated decisions about the debtor: explanation requests find none."""
    decision = sandbox.call(
        "POST",
        "/contact-decisions",
        json={"debtor_id": jane["id"], "debt_ids": [jane["debt"]], "channel": "call", "purpose": "collection",
              "contact_point_id": jane["contact_points"][0]["id"]},
    ).json()  # fmt: skip
    response = _me(sandbox, jane, "POST", f"/decisions/{decision['decision_id']}/explanation-requests", json={})
    assert response.status_code == 404
