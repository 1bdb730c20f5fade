"""decide(): input checks, the registry and the shape of a decision."""

from __future__ import annotations

from datetime import datetime

import pytest

from icss.reference.conduct import (
    ALLOW_REASONS,
    DENY_REASONS,
    ContactPoint,
    ContactRequest,
    DebtorFacts,
    Event,
    decide,
    registered_rules,
)

from ._support import US, ask, at, facts


def test_every_deny_reason_has_a_rule_and_rules_are_unique() -> None:
    declared = [reason for rule in registered_rules() for reason in rule.reasons]
    assert sorted(declared) == sorted(DENY_REASONS)
    assert len({rule.name for rule in registered_rules()}) == len(registered_rules())


def test_vocabulary_is_snake_case_and_disjoint() -> None:
    for reason in (*DENY_REASONS, *ALLOW_REASONS):
        assert reason.replace("_", "").isalnum()
        assert reason == reason.lower()
    assert not set(DENY_REASONS) & set(ALLOW_REASONS)


def test_unknown_contact_point_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="unknown contact point"):
        decide(facts(), ask(at("2026-03-10", "10:00"), cp="nowhere"), US)


def test_channel_must_suit_the_contact_point() -> None:
    with pytest.raises(ValueError, match="cannot reach"):
        decide(facts(), ask(at("2026-03-10", "10:00"), "email", cp="mobile"), US)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ContactRequest(contact_point_id="mobile", channel="call", at=datetime(2026, 3, 10, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        Event(type="dispute", effective_at=datetime(2026, 3, 10, 10))


def test_closed_vocabularies_are_enforced_at_runtime() -> None:
    with pytest.raises(ValueError, match="event type"):
        Event(type="rumour", effective_at=at("2026-03-10"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="IANA"):
        ContactPoint("x", "phone", "Mars/Olympus")
    with pytest.raises(ValueError, match="unique"):
        DebtorFacts(contact_points=(ContactPoint("x", "phone", "UTC"), ContactPoint("x", "email", "UTC")))


def test_event_details_are_read_only() -> None:
    details = {"medium": "sms"}
    e = Event(type="medium_opt_out", effective_at=at("2026-03-10"), details=details)
    details["medium"] = "email"
    assert e.detail("medium") == "sms"
    with pytest.raises(TypeError):
        e.details["medium"] = "call"  # type: ignore[index]


def test_allowed_decision_shape() -> None:
    decision = decide(facts(), ask(at("2026-03-10", "10:00")), US)
    assert decision.allowed
    assert decision.reasons == ("allowed",)
    assert decision.notes == ()
    assert dict(decision.local_times) == {"America/New_York": "2026-03-10T10:00:00-04:00"}
