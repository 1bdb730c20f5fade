"""Reg F call counting: which calls count, which conversation blocks and consent windows apply.

These primitives are shared by the pre-dial rules (call_cap_7d, post_conversation_block) and by
the ledger summary of getCallFrequency, so that the two can never disagree about a call.
Counting is per person and per particular debt (1006.14(b)(2), (b)(4)) and by calendar day in
one time zone, which the caller chooses.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta
from typing import Literal

from ._facts import Attempt, Event
from ._history import DEBTOR, History, attempts_from, earliest_instant, local_date
from ._rules import Rules
from ._vocabulary import MEDIUM_ALIASES

ExclusionReason = Literal["consumer_initiated", "wrong_number", "not_connected", "consent"]

# Reg F 1006.14(b)(3)(ii), comment 14(b)(3)(ii)-1: a call that does not connect to the dialled
# number is not counted; ringing, voicemail and a dropped answer are.
_NOT_CONNECTED = frozenset({"busy", "not_in_service"})
_CALL_CONSENT_PURPOSES = frozenset({"calls", "call", "telephone", "telephone_calls"})


def _parse_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _covers_calls(event: Event) -> bool:
    purpose = event.detail("purpose")
    return purpose is None or str(purpose) in _CALL_CONSENT_PURPOSES


def conversations(history: History, person: str, debt_id: str | None) -> tuple[datetime, ...]:
    """Instants of telephone conversations with ``person`` about the debt, consumer-initiated ones included.

    Reg F 1006.14(b)(2)(i)(B) and comment 14(b)(2)(i)-1.ii: a conversation the consumer starts
    also starts the seven-day block. A conversation on a number later found to be someone
    else's was not with the person (comment 14(b)(2)(i)-3).
    """
    talks: tuple[datetime, ...] = history.memo(
        ("conversations", person, debt_id), lambda: _conversations(history, person, debt_id)
    )
    return talks


def _conversations(history: History, person: str, debt_id: str | None) -> tuple[datetime, ...]:
    found = [
        a.at
        for a in history.calls_to(person, debt_id)
        if a.outcome == "conversation" and a.contact_point_id not in history.wrong_numbers
    ]
    for e in history.of("inbound_conversation", debt_id):
        if MEDIUM_ALIASES.get(str(e.detail("channel", "call"))) != "telephone":
            continue
        point = e.detail("contact_point_id")
        if history.person_of(None if point is None else str(point)) == person:
            found.append(e.effective_at)
    return tuple(sorted(found))


def consent_until(
    history: History, rules: Rules, person: str, debt_id: str | None, at: datetime, zone: str
) -> date | None:
    """The last day of a consent exclusion that covers a call placed at ``at``, or None.

    Reg F 1006.14(b)(3)(i) and comment 14(b)(3)(i)-2: consent given *directly* by the consumer
    (1006.6(b)(4)(i): not via the creditor or a previous collector) excludes calls for at most
    seven consecutive days, the consent day being day 1. It ends early when revoked, when a
    shorter period the consumer named (``details.valid_until``) ends, or when a conversation
    about the debt takes place after it (comment 14(b)(3)(i)-3.ii).
    """
    if rules.consent_exclusion_days <= 0 or person != DEBTOR:
        return None
    day = local_date(at, zone)
    talks = conversations(history, person, debt_id)
    best: date | None = None
    for consent in history.of("consent_given", debt_id):
        if consent.source != "debtor" or not _covers_calls(consent) or consent.effective_at > at:
            continue
        start = local_date(consent.effective_at, zone)
        end = start + timedelta(days=rules.consent_exclusion_days - 1)
        named = _parse_date(consent.detail("valid_until"))
        if named is not None:
            end = min(end, named)
        if not start <= day <= end:
            continue
        revoked = any(
            consent.effective_at < r.effective_at <= at and _covers_calls(r)
            for r in history.of("consent_revoked", debt_id)
        )
        after = talks[bisect_right(talks, consent.effective_at) :]
        talked = bool(after) and after[0] < at  # the first conversation after the consent, before the call
        if not revoked and not talked:
            best = end if best is None else max(best, end)
    return best


def exclusion(history: History, rules: Rules, call: Attempt, debt_id: str | None, zone: str) -> ExclusionReason | None:
    """Why ``call`` does not count toward the frequencies for ``debt_id``, or None if it counts."""
    if call.consumer_initiated:
        # Comment 14(b)(2)(i)-1.ii: the consumer placed it, the collector did not.
        return "consumer_initiated"
    if call.contact_point_id in history.wrong_numbers:
        # Comment 14(b)(2)(i)-3.i: calls to a number found to be someone else's were not calls to the consumer.
        return "wrong_number"
    if call.outcome in _NOT_CONNECTED:
        return "not_connected"
    if consent_until(history, rules, history.person_of(call.contact_point_id), debt_id, call.at, zone) is not None:
        return "consent"
    return None


def counted_calls(
    history: History, rules: Rules, person: str, debt_id: str | None, first: date, last: date, zone: str
) -> tuple[Attempt, ...]:
    """Counted calls to ``person`` about the debt placed on local days ``first`` to ``last``."""
    return tuple(
        a
        for a in attempts_from(history.calls_to(person, debt_id), first)
        if first <= local_date(a.at, zone) <= last and exclusion(history, rules, a, debt_id, zone) is None
    )


def block_until(
    history: History, rules: Rules, person: str, debt_id: str | None, at: datetime, zone: str
) -> date | None:
    """The last day of a post-conversation block in force at ``at``, or None.

    Reg F 1006.14(b)(2)(i)(B): the date of the conversation is day 1 of the seven days.
    """
    days = rules.post_conversation_block_days
    if days <= 0:
        return None
    day = local_date(at, zone)
    talks = conversations(history, person, debt_id)
    # Only a conversation of the last ``days`` local days can still block.
    recent = talks[bisect_left(talks, earliest_instant(day - timedelta(days=days - 1))) :]
    ends = [local_date(t, zone) + timedelta(days=days - 1) for t in recent if t <= at and local_date(t, zone) <= day]
    live = [end for end in ends if end >= day]
    return max(live) if live else None
