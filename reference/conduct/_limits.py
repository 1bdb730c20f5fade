"""How often a contact may happen: Reg F call frequencies, the CN daily caps and the electronic-message cap.

Each cap is checked as "would this contact be one too many": the contacts already made in
the period are counted and the request is denied when they have reached the cap. Dates are
the person's local calendar days; with several possible zones, every zone is tried and any
zone reaching the cap denies (the strict side of an ambiguous location).
"""

from __future__ import annotations

from datetime import date, timedelta

from ._context import Context
from ._counting import block_until, consent_until, counted_calls
from ._history import attempts_from, local_date
from ._registry import Finding, allow, deny, rule
from ._vocabulary import CEASE_EXCEPTIONS, ELECTRONIC, RINGING_CALLS, Purpose

# CN CBA 2026 guideline: "未接通" — the call did not connect to the person.
_UNANSWERED = frozenset({"no_answer", "busy", "not_in_service", "voicemail", "limited_content_message", None})
_CONNECTED = frozenset({"conversation", "answered_dropped"})
# Messages the law requires or the debtor asked for are never refused for volume.
_VOLUME_EXEMPT: frozenset[Purpose] = frozenset({"opt_out_confirmation", "legally_required", *CEASE_EXCEPTIONS})


def _consent_everywhere(ctx: Context) -> date | None:
    """The consent exclusion's last day if the requested call is excluded in every zone."""
    ends = [consent_until(ctx.history, ctx.rules, ctx.person, ctx.debt_id, ctx.at, zone) for zone in ctx.zones]
    if not ends or any(end is None for end in ends):
        return None
    return min(end for end in ends if end is not None)


def _consent_finding(ctx: Context) -> Finding | None:
    end = _consent_everywhere(ctx)
    if end is None:
        return None
    # Reg F 1006.14(b)(3)(i): calls with the debtor's direct prior consent are not counted.
    return allow("consent_exclusion", f"the debtor's consent excludes calls through {end.isoformat()}")


@rule("call_cap_7d")
def call_cap_7d(ctx: Context) -> Finding | None:
    """Reg F 1006.14(b)(2)(i)(A): at most seven calls in seven consecutive days, per person per debt."""
    cap = ctx.rules.call_attempts_per_7d
    if cap is None or not ctx.is_call or ctx.exempt_recipient:
        return None
    consent = _consent_finding(ctx)
    if consent is not None:
        return consent
    for zone in ctx.zones:
        day = local_date(ctx.at, zone)
        made = counted_calls(ctx.history, ctx.rules, ctx.person, ctx.debt_id, day - timedelta(days=6), day, zone)
        if len(made) >= cap:
            return deny("call_cap_7d", f"{len(made)} counted calls in the 7 days ending {day.isoformat()} ({zone})")
    return None


@rule("post_conversation_block")
def post_conversation_block(ctx: Context) -> Finding | None:
    """Reg F 1006.14(b)(2)(i)(B): no call for seven days after a conversation; its date is day 1."""
    if ctx.rules.post_conversation_block_days <= 0 or not ctx.is_call or ctx.exempt_recipient:
        return None
    consent = _consent_finding(ctx)
    if consent is not None:
        return consent
    for zone in ctx.zones:
        end = block_until(ctx.history, ctx.rules, ctx.person, ctx.debt_id, ctx.at, zone)
        if end is not None:
            return deny("post_conversation_block", f"conversation block until {end.isoformat()} ({zone})")
    return None


def _first_day(ctx: Context) -> date:
    """The earliest local date of the request's instant among the zones: the daily caps count that day on."""
    return min((local_date(ctx.at, zone) for zone in ctx.zones), default=ctx.at.date())


@rule("daily_unanswered_cap")
def daily_unanswered_cap(ctx: Context) -> Finding | None:
    """CBA 2026 guideline: unanswered calls to one number should not exceed the cap per day (CN: 6)."""
    cap = ctx.rules.unanswered_calls_per_number_per_day
    if cap is None or ctx.request.channel not in RINGING_CALLS:
        return None
    calls = [
        a
        for a in attempts_from(ctx.history.sent(RINGING_CALLS), _first_day(ctx))
        if a.contact_point_id == ctx.target.id and a.outcome in _UNANSWERED
    ]
    for zone in ctx.zones:
        day = local_date(ctx.at, zone)
        made = sum(1 for a in calls if local_date(a.at, zone) == day)
        if made >= cap:
            return deny(
                "daily_unanswered_cap", f"{made} unanswered calls to {ctx.target.id} on {day.isoformat()} ({zone})"
            )
    return None


@rule("daily_connected_cap")
def daily_connected_cap(ctx: Context) -> Finding | None:
    """NIFA 2024 / CBA guidance: connected calls with one debtor per day, all numbers together (CN: 3)."""
    cap = ctx.rules.connected_calls_per_day
    if cap is None or ctx.request.channel not in RINGING_CALLS or not ctx.to_debtor:
        return None
    calls = [
        a
        for a in attempts_from(ctx.history.sent(RINGING_CALLS), _first_day(ctx))
        if ctx.history.person_of(a.contact_point_id) == ctx.person and a.outcome in _CONNECTED
    ]
    for zone in ctx.zones:
        day = local_date(ctx.at, zone)
        made = sum(1 for a in calls if local_date(a.at, zone) == day)
        if made >= cap:
            return deny("daily_connected_cap", f"{made} connected calls with the debtor on {day.isoformat()} ({zone})")
    return None


@rule("electronic_message_cap")
def electronic_message_cap(ctx: Context) -> Finding | None:
    """ICSS electronic_messages_per_7d; Reg F comment 14(a)-2.i: many messages can harass even within call limits."""
    cap = ctx.rules.electronic_messages_per_7d
    if cap is None or ctx.request.channel not in ELECTRONIC or ctx.request.purpose in _VOLUME_EXEMPT:
        return None
    messages = [
        a
        for a in ctx.history.sent(ELECTRONIC)
        if ctx.history.person_of(a.contact_point_id) == ctx.person and a.about(ctx.debt_id)
    ]
    for zone in ctx.zones:
        day = local_date(ctx.at, zone)
        made = sum(1 for a in messages if day - timedelta(days=6) <= local_date(a.at, zone) <= day)
        if made >= cap:
            return deny("electronic_message_cap", f"{made} electronic messages in the 7 days ending {day.isoformat()}")
    return None
