"""Contact decisions and attempts over HTTP, reproducing Reg F and CN vectors with the test clock.

The conduct engine has its own unit tests (tests/reference/conduct); these check that the service
feeds it the stored facts, honours the decision (nothing is sent when it says no) and keeps the
records the profile asks for (outbox, call ledger, recordings).
"""

from __future__ import annotations

from typing import Any

import pytest


class Debtor:
    """A debtor with one debt and the helpers to contact it."""

    def __init__(self, sandbox: Any, zone: str = "America/New_York", currency: str = "USD") -> None:
        self.sb = sandbox
        phone = "+8613800138000" if zone == "Asia/Shanghai" else "+12125550123"
        country = "CN" if zone == "Asia/Shanghai" else "US"
        points = [
            {"kind": "phone", "value": phone, "owner": "debtor", "relationship": "self", "is_workplace": False,
             "timezone": zone, "sms_capable": True, "phone_type": "mobile"},
            {"kind": "email", "value": "jane.canary@example.com", "owner": "debtor", "relationship": "self",
             "is_workplace": False, "timezone": zone},
            {"kind": "address", "address": {"lines": ["1 Canary Street"], "country": country}, "owner": "debtor",
             "relationship": "self", "is_workplace": False, "timezone": zone},
        ]  # fmt: skip
        self.record = sandbox.debtor(timezones=(zone,), contact_points=points)
        self.id = self.record["id"]
        self.headers = self.record["headers"]
        self.debt = sandbox.debt(self.record, currency=currency)["id"]
        self.points = {p["kind"]: p["id"] for p in self.record["contact_points"]}

    def body(self, channel: str = "call", kind: str | None = None, **extra: Any) -> dict[str, Any]:
        kind = kind or {"sms": "phone", "email": "email", "letter": "address"}.get(channel, "phone")
        return {"debtor_id": self.id, "debt_ids": [self.debt], "contact_point_id": self.points[kind],
                "channel": channel, "purpose": "collection", **extra}  # fmt: skip

    def check(self, channel: str = "call", **extra: Any) -> dict[str, Any]:
        response = self.sb.call("POST", "/contact-decisions", json=self.body(channel, **extra))
        assert response.status_code == 200, response.text
        decision: dict[str, Any] = response.json()
        return decision

    def attempt(self, channel: str = "call", **extra: Any) -> Any:
        if channel in ("call", "ringless_voicemail", "ai_voice"):
            extra.setdefault("outcome", "no_answer")
        if channel in ("sms", "email", "letter", "ai_text"):
            extra.setdefault("content", "Please contact us about your account")
        return self.sb.call("POST", "/contact-attempts", json=self.body(channel, **extra))

    def event(self, kind: str, details: dict[str, Any], **extra: Any) -> dict[str, Any]:
        response = self.sb.call(
            "POST", f"/debtors/{self.id}/events", json={"type": kind, "source": "debtor", "details": details, **extra}
        )
        assert response.status_code == 201, response.text
        event: dict[str, Any] = response.json()
        return event

    def advance(self, duration: str) -> None:
        response = self.sb.call("POST", "/sandbox/clock/advance", "admin", json={"duration": duration})
        assert response.status_code == 200, response.text

    def outbox(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.sb.call(
            "GET", "/sandbox/outbox", "auditor", params={"debtor_id": self.id}
        ).json()["items"]
        return items


@pytest.fixture
def jane(sandbox: Any) -> Debtor:
    """Wednesday 1 April 2020, 10:00 in New York (the sandbox clock), US profile."""
    return Debtor(sandbox)


@pytest.fixture
def li(cn_sandbox: Any) -> Debtor:
    """Monday 2 March 2026, 10:00 in Shanghai, CN profile."""
    return Debtor(cn_sandbox, zone="Asia/Shanghai", currency="CNY")


# -- when: the contact window -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "allowed"),
    [("07:59", False), ("08:00", True), ("20:59", True), ("21:00", False)],
)
def test_us_contact_window_is_half_open(jane: Debtor, local: str, allowed: bool) -> None:
    decision = jane.check(at=f"2020-04-02T{local}:00-04:00")
    assert (decision["decision"] == "allow") is allowed, decision
    if not allowed:
        assert decision["reasons"] == ["outside_contact_window"]
    assert decision["local_times"] == [{"timezone": "America/New_York", "local_time": f"2020-04-02T{local}:00-04:00"}]


@pytest.mark.parametrize(("local", "allowed"), [("07:59", False), ("08:00", True), ("21:59", True), ("22:00", False)])
def test_cn_contact_window_ends_at_22(li: Debtor, local: str, allowed: bool) -> None:
    decision = li.check(at=f"2026-03-03T{local}:00+08:00")
    assert (decision["decision"] == "allow") is allowed, decision


def test_check_contact_changes_nothing(jane: Debtor) -> None:
    for _ in range(10):
        assert jane.check()["decision"] == "allow"
    assert jane.outbox() == []


# -- how often ----------------------------------------------------------------------------------------


def test_seven_calls_in_seven_days_then_call_cap(jane: Debtor) -> None:
    """Reg F 1006.14(b)(2)(i)(A): an eighth call within seven days is presumed a violation."""
    for _day, calls in ((0, 4), (1, 3)):
        for _ in range(calls):
            response = jane.attempt(outcome="no_answer")
            assert response.status_code == 201, response.text
            assert response.json()["counted"] is True
            jane.advance("PT1H")
        jane.advance("PT20H")
    eighth = jane.attempt(outcome="no_answer")
    assert eighth.status_code == 409
    assert "call_cap_7d" in eighth.json()["reasons"]
    ledger = jane.sb.call("GET", f"/debts/{jane.debt}/call-frequency").json()
    assert ledger["counted_count"] == 7
    assert ledger["limit"] == 7
    assert len(ledger["counted_calls"]) == 7
    # Electronic messages are not calls: an e-mail is still allowed.
    assert jane.attempt("email").status_code == 201


def test_busy_signals_are_not_counted(jane: Debtor) -> None:
    response = jane.attempt(outcome="busy")
    assert response.status_code == 201
    assert response.json()["counted"] is False
    assert response.json()["excluded_reason"] == "not_connected"
    ledger = jane.sb.call("GET", f"/debts/{jane.debt}/call-frequency", "auditor").json()
    assert ledger["counted_count"] == 0
    assert len(ledger["excluded_calls"]) == 1


def test_post_conversation_block(jane: Debtor) -> None:
    """Reg F 1006.14(b)(2)(i)(B): no call within seven days after a conversation (its day is day 1)."""
    assert jane.attempt(outcome="conversation").status_code == 201
    jane.sb.set_clock("2020-04-07T14:00:00Z")
    decision = jane.check()
    assert decision["decision"] == "deny"
    assert "post_conversation_block" in decision["reasons"]
    ledger = jane.sb.call("GET", f"/debts/{jane.debt}/call-frequency").json()
    assert ledger["conversation_block_until"] is not None
    jane.sb.set_clock("2020-04-08T14:00:00Z")
    assert jane.check()["decision"] == "allow"


def test_cn_six_unanswered_calls_per_number_per_day(li: Debtor) -> None:
    for _ in range(6):
        response = li.attempt(outcome="no_answer")
        assert response.status_code == 201, response.text
        li.advance("PT10M")
    seventh = li.attempt(outcome="no_answer")
    assert seventh.status_code == 409
    assert "daily_unanswered_cap" in seventh.json()["reasons"]
    li.sb.set_clock("2026-03-03T02:00:00Z")  # the next day, 10:00 in Shanghai
    assert li.check()["decision"] == "allow"


# -- standing holds -----------------------------------------------------------------------------------


def test_cease_request_allows_only_the_cease_notices(jane: Debtor) -> None:
    jane.event("cease_request", {"form": "written"})
    decision = jane.check()
    assert decision["decision"] == "deny"
    assert "cease_communication" in decision["reasons"]
    assert jane.attempt("email").status_code == 409
    notice = jane.attempt("letter", purpose="cease_termination_notice", content="We will stop contacting you")
    assert notice.status_code == 201, notice.text
    assert "cease_exception" in notice.json()["reasons"]
    flags = jane.sb.call("GET", f"/debtors/{jane.id}", "supervisor").json()["flags"]
    assert "cease_communication" in flags


def test_stop_calling_blocks_calls_not_texts(jane: Debtor) -> None:
    jane.event("medium_opt_out", {"medium": "telephone"})
    call = jane.check()
    assert call["decision"] == "deny"
    assert call["reasons"] == ["medium_opted_out"]
    assert jane.check("sms")["decision"] == "allow"


def test_dispute_holds_collection_until_verification(jane: Debtor) -> None:
    dispute = jane.sb.call(
        "POST", "/me/disputes", headers=jane.headers, json={"debt_id": jane.debt, "reason": "wrong_amount"}
    )
    assert dispute.status_code == 201, dispute.text
    assert dispute.json()["hold"] is True
    decision = jane.check("email", content="Pay now")
    assert decision["decision"] == "deny"
    assert "dispute_pending" in decision["reasons"]
    assert jane.sb.call("GET", f"/debts/{jane.debt}").json()["status"] == "disputed"
    jane.advance("PT1H")
    response = jane.sb.call(
        "POST",
        f"/debtors/{jane.id}/events",
        json={
            "type": "verification_sent",
            "source": "collector",
            "debt_id": jane.debt,
            "details": {"method": "letter"},
        },
    )
    assert response.status_code == 201, response.text
    assert jane.check("email")["decision"] == "allow"
    assert jane.sb.call("GET", f"/debts/{jane.debt}").json()["status"] == "active"


def test_preferences_are_honoured(jane: Debtor) -> None:
    prefs = {"channels_allowed": ["email", "letter"], "inconvenient_times": [], "inconvenient_places": []}
    response = jane.sb.call("PUT", "/me/preferences", headers=jane.headers, json=prefs)
    assert response.status_code == 200, response.text
    assert jane.check()["decision"] == "deny"
    assert jane.check("email")["decision"] == "allow"
    evening = {"days": ["wednesday"], "start": "09:00", "end": "24:00"}
    prefs = {"channels_allowed": ["call", "email"], "inconvenient_times": [evening], "inconvenient_places": []}
    assert jane.sb.call("PUT", "/me/preferences", headers=jane.headers, json=prefs).status_code == 200
    decision = jane.check()  # Wednesday 10:00 local
    assert decision["decision"] == "deny"
    assert "inconvenient_time" in decision["reasons"]
    assert jane.check(at="2020-04-02T10:00:00-04:00")["decision"] == "allow"  # Thursday


def test_inconvenient_time_event_until_midnight(jane: Debtor) -> None:
    jane.event("inconvenient_time", {"ranges": [{"days": ["wednesday"], "start": "09:30", "end": "24:00"}]})
    assert jane.check()["reasons"] == ["inconvenient_time"]


# -- attempts: refused ones send nothing, allowed ones land in the outbox ---------------------------------


def test_denied_attempt_is_409_and_sends_nothing(jane: Debtor) -> None:
    jane.event("cease_request", {"form": "written"})
    response = jane.attempt("email")
    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/contact-denied")
    assert body["reasons"] == ["cease_communication"]
    assert body["decision_id"]
    assert isinstance(body["evidence_index"], int)
    assert jane.outbox() == []
    attempts = jane.sb.call("GET", "/contact-attempts", params={"debtor_id": jane.id}).json()["items"]
    assert attempts == []


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_electronic_messages_carry_the_opt_out(jane: Debtor, channel: str) -> None:
    response = jane.attempt(channel, content="Please call us about your account")
    assert response.status_code == 201, response.text
    attempt = response.json()
    [message] = jane.outbox()
    assert message["id"] == attempt["outbox_message_id"]
    assert message["attempt_id"] == attempt["id"]
    assert message["channel"] == channel
    assert "Reply STOP" in message["content"]
    assert "This communication is from a debt collector." in message["content"]  # Reg F 1006.18(e)(2)
    assert "jane.canary@example.com" not in str(message)
    assert "+12125550123" not in str(message)


def test_list_attempts_filters(jane: Debtor) -> None:
    assert jane.attempt("email").status_code == 201
    jane.advance("PT1H")
    assert jane.attempt(outcome="no_answer").status_code == 201
    everything = jane.sb.call("GET", "/contact-attempts", params={"debtor_id": jane.id}).json()["items"]
    assert [a["channel"] for a in everything] == ["email", "call"]
    assert all(a["reasons"] for a in everything)
    calls = jane.sb.call("GET", "/contact-attempts", params={"channel": "call", "debt_id": jane.debt}).json()
    assert [a["channel"] for a in calls["items"]] == ["call"]
    later = jane.sb.call("GET", "/contact-attempts", params={"since": "2020-04-01T14:30:00Z"}).json()["items"]
    assert [a["channel"] for a in later] == ["call"]
    earlier = jane.sb.call("GET", "/contact-attempts", "auditor", params={"until": "2020-04-01T14:30:00Z"}).json()
    assert [a["channel"] for a in earlier["items"]] == ["email"]


def test_attempt_location_answers(jane: Debtor, cn_sandbox: Any) -> None:
    """createContactAttempt's Location is a resource: getContactAttempt answers it as created."""
    created = jane.attempt("email", content="Please call us back.")
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location == f"/icss/v1/contact-attempts/{created.json()['id']}"
    fetched = jane.sb.client.get(location, headers=jane.sb.headers["auditor"])
    assert fetched.status_code == 200, fetched.text
    assert fetched.json().items() <= created.json().items()  # as listContactAttempts shows it
    # Another tenant's credential cannot reach it, even knowing the id.
    assert cn_sandbox.call("GET", f"/contact-attempts/{created.json()['id']}").status_code == 404
    assert jane.sb.call("GET", "/contact-attempts/att_nothing").status_code == 404


def test_attempt_time_must_be_recent(jane: Debtor) -> None:
    assert jane.attempt(at="2020-03-30T14:00:00Z").status_code == 422
    assert jane.attempt(at="2020-04-01T15:00:00Z").status_code == 422


def test_a_call_reports_its_outcome(jane: Debtor) -> None:
    response = jane.sb.call("POST", "/contact-attempts", json=jane.body("call"))
    assert response.status_code == 422


# -- recordings -------------------------------------------------------------------------------------


def test_cn_calls_are_recorded_and_kept(li: Debtor) -> None:
    """CN: every connected call is recorded; the recording is kept recording_retention_years (2)."""
    response = li.attempt(outcome="conversation")
    assert response.status_code == 201, response.text
    recording_id = response.json()["recording_id"]
    assert recording_id
    assert response.json()["recorded"] is True
    recording = li.sb.call("GET", f"/recordings/{recording_id}", "auditor").json()
    assert recording["retention_until"] == "2028-03-02T02:00:00Z"
    assert li.sb.call("GET", f"/recordings/{recording_id}", headers=li.headers).status_code == 200
    held = li.sb.call("DELETE", f"/recordings/{recording_id}", "admin")
    assert held.status_code == 409
    assert held.json()["type"].endswith("/retention-hold")
    li.sb.set_clock("2028-03-02T01:59:59Z")
    assert li.sb.call("DELETE", f"/recordings/{recording_id}", "admin").status_code == 409
    li.sb.set_clock("2028-03-02T02:00:00Z")
    assert li.sb.call("DELETE", f"/recordings/{recording_id}", "admin").status_code == 204
    assert li.sb.call("GET", f"/recordings/{recording_id}", "auditor").status_code == 404
    assert li.sb.call("DELETE", f"/recordings/{recording_id}", "admin").status_code == 404


def test_us_unanswered_call_is_not_recorded(jane: Debtor) -> None:
    response = jane.attempt(outcome="no_answer")
    assert response.json().get("recording_id") is None


def test_attempts_at_one_frozen_instant_see_each_other(jane: Debtor) -> None:
    """The sandbox clock stands still between calls: a call logged at this very instant came first."""
    assert jane.attempt(outcome="conversation").status_code == 201
    second = jane.attempt(outcome="no_answer")
    assert second.status_code == 409
    assert "post_conversation_block" in second.json()["reasons"]


def test_no_channel_allowed_means_none(jane: Debtor) -> None:
    """preferences.schema.json: "an omitted channel is treated as opted out" — all of them, here."""
    prefs = {"channels_allowed": [], "inconvenient_times": [], "inconvenient_places": []}
    assert jane.sb.call("PUT", "/me/preferences", headers=jane.headers, json=prefs).status_code == 200
    for channel in ("call", "sms", "email"):
        assert jane.check(channel)["decision"] == "deny", channel
