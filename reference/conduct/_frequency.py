"""The call-frequency ledger of one debt (getCallFrequency): what counted, what did not and why.

It reads the same counting primitives as the pre-dial rules, over the seven consecutive
debtor-local days ending on the day of ``at`` (Reg F 1006.14(b)(2)), and states the
presumption the ledger gives rise to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from ._counting import ExclusionReason, block_until, consent_until, conversations, exclusion
from ._facts import DebtorFacts
from ._history import DEBTOR, History, local_date
from ._rules import Rules
from ._vocabulary import Channel, Outcome

Presumption = Literal["compliant", "presumed_violation"]


@dataclass(frozen=True, slots=True)
class CallEntry:
    """One call to the debtor about the debt within the window."""

    at: datetime
    local_date: date
    contact_point_id: str
    channel: Channel
    outcome: Outcome | None
    counted: bool
    exclusion: ExclusionReason | None = None
    in_conversation_block: bool = False


@dataclass(frozen=True, slots=True)
class CallFrequency:
    """The window's calls, the blocks in force and the resulting presumption (Reg F 1006.14(b)(2))."""

    debt_id: str
    at: datetime
    timezone: str
    window_start: date
    window_end: date
    cap: int | None
    counted: tuple[CallEntry, ...]
    excluded: tuple[CallEntry, ...]
    conversation_block_until: date | None
    consent_exclusion_until: date | None
    presumption: Presumption
    violations: tuple[Literal["call_cap_7d", "post_conversation_block"], ...]

    @property
    def counted_calls(self) -> int:
        return len(self.counted)


def call_frequency(facts: DebtorFacts, debt_id: str, at: datetime, rules: Rules) -> CallFrequency:
    """Summarise the calls to the debtor about ``debt_id`` in the seven days ending at ``at``.

    Dates are taken in the debtor's home zone (the first of ``facts.timezones``). The ledger is
    ``presumed_violation`` when it holds more counted calls than the cap, or a counted call
    placed inside a post-conversation block (1006.14(b)(2)(ii)); otherwise ``compliant``.
    """
    history = History(facts, at, inclusive=True)
    zone = history.home_zone
    end = local_date(at, zone)
    start = end - timedelta(days=6)
    talks = conversations(history, DEBTOR, debt_id)
    days = rules.post_conversation_block_days
    entries: list[CallEntry] = []
    for call in history.calls_to(DEBTOR, debt_id):
        day = local_date(call.at, zone)
        if not start <= day <= end:
            continue
        why = exclusion(history, rules, call, debt_id, zone)
        # Reg F 1006.14(b)(2)(i)(B): the conversation day is day 1 of the block; the call that
        # was the conversation is not "after" it.
        blocked = (
            why is None
            and days > 0
            and any(
                t < call.at and local_date(t, zone) <= day <= local_date(t, zone) + timedelta(days=days - 1)
                for t in talks
            )
        )
        entries.append(
            CallEntry(
                at=call.at,
                local_date=day,
                contact_point_id=call.contact_point_id,
                channel=call.channel,
                outcome=call.outcome,
                counted=why is None,
                exclusion=why,
                in_conversation_block=blocked,
            )
        )
    counted = tuple(e for e in entries if e.counted)
    violations: list[Literal["call_cap_7d", "post_conversation_block"]] = []
    if rules.call_attempts_per_7d is not None and len(counted) > rules.call_attempts_per_7d:
        violations.append("call_cap_7d")
    if any(e.in_conversation_block for e in counted):
        violations.append("post_conversation_block")
    return CallFrequency(
        debt_id=debt_id,
        at=at,
        timezone=zone,
        window_start=start,
        window_end=end,
        cap=rules.call_attempts_per_7d,
        counted=counted,
        excluded=tuple(e for e in entries if not e.counted),
        conversation_block_until=block_until(history, rules, DEBTOR, debt_id, at, zone),
        consent_exclusion_until=consent_until(history, rules, DEBTOR, debt_id, at, zone),
        presumption="presumed_violation" if violations else "compliant",
        violations=tuple(violations),
    )
