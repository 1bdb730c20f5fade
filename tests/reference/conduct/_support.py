"""Builders for the conduct tests: profile values as plain dicts, and terse facts, events and attempts.

The profile dicts mirror the jurisdictions' values (research section 1-4) so the tests do not
depend on spec/profiles/*.yaml, which are written separately; test_rules.py checks the real
profiles when they exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icss.reference.conduct import (
    Attempt,
    Channel,
    ContactPoint,
    ContactRequest,
    Debt,
    DebtorFacts,
    Event,
    EventType,
    Outcome,
    Preferences,
    Purpose,
    Rules,
)

NY = "America/New_York"
LA = "America/Los_Angeles"
DENVER = "America/Denver"
SHANGHAI = "Asia/Shanghai"
DUBLIN = "Europe/Dublin"
LONDON = "Europe/London"

US_VALUES: dict[str, Any] = {
    "contact_window_start": "08:00",
    "contact_window_end": "21:00",
    "contact_blocked_days": [],
    "call_attempts_per_7d": 7,
    "post_conversation_block_days": 7,
    "consent_exclusion_days": 7,
    "third_party_location_contacts_max": 1,
    "medium_optout_confirmations_max": 1,
    "validation_notice_days": 5,
    "validation_period_days": 30,
    "assumed_receipt_business_days": 5,
}
CN_VALUES: dict[str, Any] = {
    "contact_window_start": "08:00",
    "contact_window_end": "22:00",
    "contact_blocked_days": [],
    "unanswered_calls_per_number_per_day": 6,
    "connected_calls_per_day": 3,
    "third_party_location_contacts_max": 0,
    "medium_optout_confirmations_max": 1,
}
IE_VALUES: dict[str, Any] = {
    "contact_window_start": "09:00",
    "contact_window_end": "21:00",
    "contact_blocked_days": ["sunday", "public_holiday"],
    "third_party_location_contacts_max": 0,
}
UK_VALUES: dict[str, Any] = {
    # MCOB 3A.4.1R's unsocial hours (Sunday, before 9 am, after 9 pm), adopted as the UK default.
    "contact_window_start": "09:00",
    "contact_window_end": "21:00",
    "contact_blocked_days": ["sunday"],
    "third_party_location_contacts_max": 1,
    "medium_optout_confirmations_max": 1,
}

US = Rules.from_mapping(US_VALUES, "us-federal")
CN = Rules.from_mapping(CN_VALUES, "cn-statutory")
IE = Rules.from_mapping(IE_VALUES, "ie")
UK = Rules.from_mapping(UK_VALUES, "uk-england-wales")
# 940 CMR 7.04(1)(f): two creditor-initiated calls to the residence per seven days per debt.
MA = Rules.from_mapping({**US_VALUES, "call_attempts_per_7d": 2}, "us-federal")


def at(day: date | str, clock: str = "12:00", zone: str = NY) -> datetime:
    """An aware instant: ``day`` at ``clock`` on the wall clock of ``zone``."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(d, time.fromisoformat(clock), tzinfo=ZoneInfo(zone))


def days(first: str, count: int) -> list[date]:
    start = date.fromisoformat(first)
    return [start + timedelta(days=i) for i in range(count)]


def points(zone: str = NY) -> tuple[ContactPoint, ...]:
    """The debtor's mobile, landline, e-mail, home address and work phone, plus two third parties."""
    return (
        ContactPoint("mobile", "phone", zone),
        ContactPoint("landline", "phone", zone),
        ContactPoint("email", "email", zone),
        ContactPoint("home", "address", zone),
        ContactPoint("work", "phone", zone, is_workplace=True),
        ContactPoint("neighbour", "phone", zone, owner="third_party", relationship="neighbour"),
        ContactPoint("lawyer", "phone", zone, owner="third_party", relationship="attorney"),
    )


def facts(
    *,
    events: Iterable[Event] = (),
    attempts: Iterable[Attempt] = (),
    zones: tuple[str, ...] = (NY,),
    contact_points: tuple[ContactPoint, ...] | None = None,
    preferences: Preferences | None = None,
    debts: tuple[Debt, ...] = (),
) -> DebtorFacts:
    return DebtorFacts(
        timezones=zones,
        contact_points=points(zones[0]) if contact_points is None else contact_points,
        events=tuple(events),
        attempts=tuple(attempts),
        preferences=preferences or Preferences(),
        debts=debts,
    )


def call(
    when: datetime,
    outcome: Outcome | None = "no_answer",
    *,
    debts: tuple[str, ...] = ("D1",),
    cp: str = "mobile",
    channel: Channel = "call",
    purpose: Purpose = "collection",
    consumer_initiated: bool = False,
) -> Attempt:
    return Attempt(
        at=when,
        channel=channel,
        contact_point_id=cp,
        debt_ids=debts,
        outcome=outcome,
        purpose=purpose,
        consumer_initiated=consumer_initiated,
    )


def message(
    when: datetime,
    channel: Channel = "sms",
    *,
    debts: tuple[str, ...] = ("D1",),
    cp: str = "mobile",
    purpose: Purpose = "collection",
    consumer_initiated: bool = False,
) -> Attempt:
    return Attempt(
        at=when,
        channel=channel,
        contact_point_id=cp,
        debt_ids=debts,
        purpose=purpose,
        consumer_initiated=consumer_initiated,
    )


def event(kind: EventType, when: datetime, *, source: Any = "debtor", debt: str | None = None, **details: Any) -> Event:
    return Event(type=kind, effective_at=when, source=source, debt_id=debt, details=details)


def ask(
    when: datetime,
    channel: Channel = "call",
    *,
    debt: str | None = "D1",
    cp: str = "mobile",
    purpose: Purpose = "collection",
    **extra: Any,
) -> ContactRequest:
    return ContactRequest(contact_point_id=cp, channel=channel, at=when, debt_id=debt, purpose=purpose, **extra)
