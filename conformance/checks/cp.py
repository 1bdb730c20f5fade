"""Contact and conduct (CP): when, how often, through which channels and with whom contact happens.

Every check builds its own debtor in its own sandbox, moves the test clock to debtor-local wall
times on fixed days (Thursday 5 March 2026 onwards, after the sandbox's Wednesday start), and
decides from what the target says (checkContact, createContactAttempt, getCallFrequency,
getValidationNotice) and from what it did (the outbox). Every number comes from the claimed
profile's parameters, so the same check is right under cn, us, us-ma, eu, uk and ie.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .._context import CheckContext
from .._outcomes import CheckSkipped
from .._registry import check

THU = date(2026, 3, 5)  # the first day of every scenario: a Thursday, no public holiday anywhere
NOON = "12:00"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ALL_CHANNELS = ["call", "ringless_voicemail", "sms", "email", "letter", "visit", "ai_voice", "ai_text"]
# A known public holiday in 2026 per calendar id of spec/profiles (public_holidays), after THU.
HOLIDAYS = {
    "ie": date(2026, 3, 17),  # St Patrick's Day
    "us-federal": date(2026, 5, 25),  # Memorial Day
    "uk-england-wales": date(2026, 4, 3),  # Good Friday
    "cn-statutory": date(2026, 5, 1),  # Labour Day
}
# A second zone west of each profile's default zone, for the ambiguous-location scenario (CP-02).
WEST = {"us": "America/Los_Angeles", "us-ma": "America/Los_Angeles", "cn": "Asia/Urumqi"}
# A reasonable instruction for opting out of electronic messages (Reg F comment 6(e)-1 examples).
OPT_OUT = re.compile(r"\bstop\b|unsubscrib|opt[\s-]?out|退订|取消订阅", re.IGNORECASE)
# Words that state or imply that a debt is owed (CP-12(c)).
DEBT_WORDS = re.compile(
    r"\b(debts?|collect(ion|ions|or|ors|ing)?|arrears?|owes?|owed|owing|overdue)\b|欠款|催收|债务|欠债|逾期|还款",
    re.IGNORECASE,
)
NEUTRAL = "Please call us back about your account."


# -- time --------------------------------------------------------------------------------------------


def _hm(value: str) -> time:
    return time.fromisoformat(str(value))


def _shift(value: str | time, minutes: int) -> time:
    base = value if isinstance(value, time) else _hm(value)
    moved = datetime.combine(THU, base) + timedelta(minutes=minutes)
    return moved.time()


def _instant(ctx: CheckContext, day: date, clock: str | time, zone: str | None = None) -> datetime:
    wall = clock if isinstance(clock, time) else _hm(clock)
    return datetime.combine(day, wall, tzinfo=ZoneInfo(zone or ctx.default_timezone))


def _iso(instant: datetime) -> str:
    return instant.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(ctx: CheckContext, day: date, clock: str | time, zone: str | None = None) -> str:
    """The debtor-local wall time ``clock`` on ``day`` as an RFC 3339 UTC instant."""
    return _iso(_instant(ctx, day, clock, zone))


def _clock(ctx: CheckContext, day: date, clock: str | time) -> str:
    """Move the test clock to the debtor-local ``clock`` on ``day``."""
    instant = _at(ctx, day, clock)
    ctx.set_clock(instant)
    return instant


def _in_window(ctx: CheckContext, instant: datetime, zone: str) -> bool:
    wall = instant.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    start, end = _hm(ctx.param("contact_window_start")), _hm(ctx.param("contact_window_end"))
    return start <= wall < end if start <= end else (wall >= start or wall < end)


def _open_day(ctx: CheckContext, day: date) -> bool:
    """Whether ``day`` is not a blocked day of the profile (so that scenarios avoid them)."""
    blocked = {str(d).lower() for d in ctx.param("contact_blocked_days") or []}
    if WEEKDAYS[day.weekday()] in blocked:
        return False
    return not ("public_holiday" in blocked and HOLIDAYS.get(ctx.profile.public_holidays or "") == day)


# -- parties -----------------------------------------------------------------------------------------


def _phone_number(ctx: CheckContext) -> str:
    digits = str(secrets.randbelow(10**7)).zfill(7)
    number = f"+1212{digits}" if ctx.profile.jurisdiction.startswith("us") else f"+86138{digits}0"
    ctx.canaries.append(number)
    return number


def _phone(ctx: CheckContext, label: str, **extra: Any) -> dict[str, Any]:
    point = {
        "kind": "phone",
        "value": _phone_number(ctx),
        "owner": "debtor",
        "relationship": "self",
        "is_workplace": False,
        "timezone": ctx.default_timezone,
        "sms_capable": True,
        "phone_type": "mobile",
        "label": label,
    }
    point.update(extra)
    return point


def _email(ctx: CheckContext, label: str, **extra: Any) -> dict[str, Any]:
    point = {
        "kind": "email",
        "value": f"{ctx.canary('mail').lower()}@example.com",
        "owner": "debtor",
        "relationship": "self",
        "is_workplace": False,
        "timezone": ctx.default_timezone,
        "label": label,
    }
    point.update(extra)
    return point


def _address(ctx: CheckContext, label: str, **extra: Any) -> dict[str, Any]:
    point = {
        "kind": "address",
        "address": {"lines": [ctx.canary("Street ")], "country": ctx.country},
        "owner": "debtor",
        "relationship": "self",
        "is_workplace": False,
        "timezone": ctx.default_timezone,
        "label": label,
    }
    point.update(extra)
    return point


def _third_party(ctx: CheckContext, label: str, relationship: str = "friend", **extra: Any) -> dict[str, Any]:
    return _phone(
        ctx, label, owner="third_party", relationship=relationship, owner_name=ctx.canary("Third Party "), **extra
    )


def _debtor(ctx: CheckContext, *extra: dict[str, Any], timezones: list[str] | None = None) -> dict[str, Any]:
    """A debtor with a mobile ("phone"), an e-mail ("email"), a home address ("home") and ``extra`` points.

    ``points`` maps each label to the id the target assigned.
    """
    points = [_phone(ctx, "phone"), _email(ctx, "email"), _address(ctx, "home"), *extra]
    debtor = ctx.new_debtor(contact_points=points, timezones=timezones)
    made = debtor["contact_points"]
    # By label where the target echoes it, else in the order the points were given.
    ids = {str(m["label"]): str(m["id"]) for m in made if m.get("label")}
    if len(ids) < len(points):
        ids = {str(p["label"]): str(m["id"]) for p, m in zip(points, made, strict=False)}
    debtor["points"] = ids
    return debtor


# -- operations --------------------------------------------------------------------------------------


def _body(
    debtor: dict[str, Any], debts: list[dict[str, Any]], point: str, channel: str, purpose: str, **extra: Any
) -> dict[str, Any]:
    body = {
        "debtor_id": debtor["id"],
        "debt_ids": [d["id"] for d in debts],
        "contact_point_id": debtor["points"][point],
        "channel": channel,
        "purpose": purpose,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def _decide(
    ctx: CheckContext,
    debtor: dict[str, Any],
    debts: list[dict[str, Any]],
    point: str,
    channel: str,
    purpose: str = "collection",
    *,
    at: str | None = None,
    content: str | None = None,
) -> dict[str, Any]:
    """checkContact: the decision body (allow/deny and reasons)."""
    body = _body(debtor, debts, point, channel, purpose, at=at, content=content)
    decision = ctx.expect(ctx.request("POST", "/contact-decisions", json=body), 200, what="checkContact")
    return dict(decision)


def _attempt(
    ctx: CheckContext,
    debtor: dict[str, Any],
    debts: list[dict[str, Any]],
    point: str,
    channel: str,
    purpose: str = "collection",
    *,
    outcome: str | None = None,
    content: str | None = None,
) -> httpx.Response:
    """createContactAttempt at the current test clock."""
    if content is None and channel not in ("call", "ringless_voicemail", "ai_voice", "visit"):
        content = NEUTRAL
    body = _body(debtor, debts, point, channel, purpose, outcome=outcome, content=content)
    response = ctx.request("POST", "/contact-attempts", json=body)
    if response.status_code not in (201, 409):
        ctx.expect(response, 201, 409, what=f"createContactAttempt ({channel}, {purpose})")
    return response


def _made(ctx: CheckContext, response: httpx.Response, what: str) -> dict[str, Any]:
    """The attempt that the scenario needs to have been made (201)."""
    return dict(ctx.expect(response, 201, what=what))


def _reasons(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return []
    return list(body.get("reasons") or []) if isinstance(body, dict) else []


def _denied(ctx: CheckContext, decision: dict[str, Any], reason: str, what: str) -> None:
    ctx.require(
        decision.get("decision") == "deny" and reason in decision.get("reasons", []),
        f"checkContact answered {decision.get('decision')} {decision.get('reasons')} for {what}; "
        f"expected deny with {reason}",
    )


def _not_denied_for(ctx: CheckContext, decision: dict[str, Any], reason: str, what: str) -> None:
    ctx.require(
        reason not in decision.get("reasons", []),
        f"checkContact gave {reason} for {what} ({decision.get('decision')} {decision.get('reasons')}), "
        f"where that rule does not apply",
    )


def _allowed(ctx: CheckContext, decision: dict[str, Any], what: str) -> None:
    ctx.require(
        decision.get("decision") == "allow",
        f"checkContact answered {decision.get('decision')} {decision.get('reasons')} for {what}; expected allow",
    )


def _refused(ctx: CheckContext, response: httpx.Response, reason: str, what: str) -> None:
    ctx.require(
        response.status_code == 409 and reason in _reasons(response),
        f"createContactAttempt answered {response.status_code} {_reasons(response)} for {what}; "
        f"expected 409 with {reason}",
    )


def _event(
    ctx: CheckContext,
    debtor: dict[str, Any],
    kind: str,
    details: dict[str, Any],
    *,
    source: str = "debtor",
    debt: dict[str, Any] | None = None,
    effective_at: str | None = None,
) -> None:
    body: dict[str, Any] = {"type": kind, "source": source, "details": details}
    if debt is not None:
        body["debt_id"] = debt["id"]
    if effective_at is not None:
        body["effective_at"] = effective_at
    ctx.expect(ctx.request("POST", f"/debtors/{debtor['id']}/events", json=body), 201, what=f"recordEvent {kind}")


def _frequency(ctx: CheckContext, debt: dict[str, Any], at: str | None = None) -> dict[str, Any]:
    params = {"at": at} if at else None
    body = ctx.expect(
        ctx.request("GET", f"/debts/{debt['id']}/call-frequency", params=params), 200, what="getCallFrequency"
    )
    return dict(body)


def _ids(entries: list[dict[str, Any]]) -> set[str]:
    return {str(e.get("attempt_id")) for e in entries}


def _excluded(ledger: dict[str, Any]) -> dict[str, str]:
    return {str(e.get("attempt_id")): str(e.get("reason")) for e in ledger.get("excluded_calls", [])}


def _calls(
    ctx: CheckContext,
    debtor: dict[str, Any],
    debts: list[dict[str, Any]],
    point: str,
    day: date,
    count: int,
    outcome: str = "no_answer",
    first: str | time = NOON,
) -> list[str]:
    """Place ``count`` calls five minutes apart from ``first`` on ``day``; each must go through."""
    ids = []
    for i in range(count):
        _clock(ctx, day, _shift(first, 5 * i))
        made = _made(
            ctx,
            _attempt(ctx, debtor, debts, point, "call", outcome=outcome),
            f"call {i + 1} of {count} ({outcome}) on {day.isoformat()}, needed to build the scenario",
        )
        ids.append(str(made["id"]))
    return ids


# -- CP-01 -------------------------------------------------------------------------------------------


@check("CP-01")
def contact_window_and_blocked_days(ctx: CheckContext) -> None:
    """Calls, visits, texts and e-mails are refused outside [contact_window_start, contact_window_end) and on
    the profile's contact_blocked_days, both judged in the debtor's local time; checkContact says deny with
    outside_contact_window or blocked_day, createContactAttempt answers 409 with the same reason and nothing
    reaches the outbox."""
    start, end = ctx.param("contact_window_start"), ctx.param("contact_window_end")
    debtor = _debtor(ctx)
    debt = ctx.new_debt(debtor)
    early = _shift(start, -1)
    _clock(ctx, THU, early)
    for channel, point in (("call", "phone"), ("visit", "home")):
        _denied(
            ctx,
            _decide(ctx, debtor, [debt], point, channel),
            "outside_contact_window",
            f"a {channel} at {early:%H:%M} debtor-local time",
        )
    _refused(
        ctx,
        _attempt(ctx, debtor, [debt], "phone", "sms"),
        "outside_contact_window",
        f"an SMS sent at {early:%H:%M} debtor-local time",
    )
    _clock(ctx, THU, start)
    _allowed(ctx, _decide(ctx, debtor, [debt], "phone", "call"), f"a call at {start} debtor-local time")
    last = _shift(end, -1)
    _clock(ctx, THU, last)
    _allowed(ctx, _decide(ctx, debtor, [debt], "email", "email"), f"an e-mail at {last:%H:%M} debtor-local time")
    _clock(ctx, THU, end)
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call"),
        "outside_contact_window",
        f"a call at {end} debtor-local time (the window is half-open)",
    )
    _refused(
        ctx,
        _attempt(ctx, debtor, [debt], "email", "email"),
        "outside_contact_window",
        f"an e-mail sent at {end} debtor-local time",
    )
    blocked = {str(d).lower() for d in ctx.param("contact_blocked_days") or []}
    days: list[tuple[date, str]] = []
    for name in sorted(blocked - {"public_holiday"}):
        offset = (WEEKDAYS.index(name) - THU.weekday()) % 7 or 7
        days.append((THU + timedelta(days=offset), name))
    holiday = HOLIDAYS.get(ctx.profile.public_holidays or "")
    if "public_holiday" in blocked and holiday is not None:
        days.append((holiday, f"public holiday {holiday.isoformat()}"))
    middle = _shift(start, 120)
    for day, name in sorted(days):
        _clock(ctx, day, middle)
        _denied(ctx, _decide(ctx, debtor, [debt], "phone", "call"), "blocked_day", f"a call on a {name}")
        _refused(ctx, _attempt(ctx, debtor, [debt], "phone", "sms"), "blocked_day", f"an SMS on a {name}")
    sent = ctx.outbox(debtor_id=debtor["id"])
    ctx.require(
        not sent,
        f"the outbox holds {len(sent)} message(s) although every contact of this scenario "
        f"was outside the contact window or on a blocked day",
    )


# -- CP-02 -------------------------------------------------------------------------------------------


@check("CP-02")
def ambiguous_location_window(ctx: CheckContext) -> None:
    """When the debtor's own contact points lie in another time zone than the debtor's record, checkContact
    allows a call only when the time lies inside the contact window in every zone, denies it otherwise with
    outside_contact_window, and lists the local time of each zone (Reg F comment 6(b)(1)(i)-2)."""
    home, west = ctx.default_timezone, WEST.get(ctx.profile.jurisdiction, "Atlantic/Azores")
    debtor = _debtor(ctx, _address(ctx, "second home", timezone=west), timezones=[home])
    debt = ctx.new_debt(debtor)
    start, end = ctx.param("contact_window_start"), ctx.param("contact_window_end")
    probes = [
        _instant(ctx, THU, _shift(start, -1), west),
        _instant(ctx, THU, start, west),
        _instant(ctx, THU, _shift(end, -1), home),
        _instant(ctx, THU, end, home),
    ]
    for instant in probes:
        expected = all(_in_window(ctx, instant, zone) for zone in (home, west))
        decision = _decide(ctx, debtor, [debt], "phone", "call", at=_iso(instant))
        wall = f"{instant.astimezone(ZoneInfo(home)):%H:%M} {home} / {instant.astimezone(ZoneInfo(west)):%H:%M} {west}"
        if expected:
            _allowed(ctx, decision, f"a call at {wall}, inside the window in both zones")
        else:
            _denied(ctx, decision, "outside_contact_window", f"a call at {wall}, outside the window in one zone")
        zones = {str(t.get("timezone")) for t in decision.get("local_times", [])}
        ctx.require({home, west} <= zones, f"local_times lists {sorted(zones)}; expected both {home} and {west}")


# -- CP-03 -------------------------------------------------------------------------------------------


@check("CP-03")
def inconvenient_times_and_places(ctx: CheckContext) -> None:
    """Times and places the debtor designated as inconvenient (recordEvent or updatePreferences) are honoured:
    checkContact denies with inconvenient_time inside a designated weekly range and with inconvenient_place
    through the designated address; after a debtor-initiated contact at such a time at most one reply goes
    through and every further contact is denied."""
    debtor = _debtor(ctx)
    debt = ctx.new_debt(debtor)
    _clock(ctx, THU, "11:30")
    _event(ctx, debtor, "inconvenient_time", {"ranges": [{"days": ["thursday"], "start": "12:00", "end": "14:00"}]})
    _event(ctx, debtor, "inconvenient_place", {"place": "home", "contact_point_id": debtor["points"]["home"]})
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call", at=_at(ctx, THU, "12:30")),
        "inconvenient_time",
        "a call at 12:30 on a Thursday the debtor designated 12:00-14:00 as inconvenient",
    )
    _not_denied_for(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call", at=_at(ctx, THU, "14:00")),
        "inconvenient_time",
        "a call at 14:00, the end of the designated range (half-open)",
    )
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "home", "visit", at=_at(ctx, THU, "15:00")),
        "inconvenient_place",
        "a visit to the home address the debtor designated as inconvenient",
    )
    prefs = {
        "channels_allowed": ALL_CHANNELS,
        "inconvenient_places": [],
        "inconvenient_times": [{"days": ["friday"], "start": "15:00", "end": "16:00"}],
    }
    ctx.expect(
        ctx.request("PUT", "/me/preferences", token=debtor["token"], json=prefs),
        200,
        what="updatePreferences by the debtor",
    )
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call", at=_at(ctx, THU + timedelta(days=1), "15:30")),
        "inconvenient_time",
        "a call at 15:30 on a Friday the debtor designated 15:00-16:00 through updatePreferences",
    )
    _clock(ctx, THU, "12:10")
    _event(
        ctx,
        debtor,
        "inbound_conversation",
        {"channel": "sms", "contact_point_id": debtor["points"]["phone"], "debt_ids": [debt["id"]]},
    )
    _clock(ctx, THU, "12:15")
    _attempt(ctx, debtor, [debt], "phone", "sms", "reply_to_debtor", content="Thank you for your message.")
    _clock(ctx, THU, "12:20")
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "sms", "reply_to_debtor"),
        "inconvenient_time",
        "a second reply at 12:20 within the inconvenient range after the debtor's text at 12:10",
    )
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call"),
        "inconvenient_time",
        "a collection call at 12:20 within the inconvenient range after the debtor's text",
    )


# -- CP-04 -------------------------------------------------------------------------------------------


@check("CP-04")
def seven_day_call_cap(ctx: CheckContext) -> None:
    """After call_attempts_per_7d counted calls to the debtor about one debt within seven debtor-local days,
    checkContact denies a further call about that debt with call_cap_7d, createContactAttempt refuses it with
    409, getCallFrequency counts them; the other debt stays callable, and the first day's calls leave the
    window on the eighth day."""
    cap = int(ctx.param("call_attempts_per_7d"))
    debtor = _debtor(ctx)
    debt, other = ctx.new_debt(debtor), ctx.new_debt(debtor)
    placed, day, first_day = 0, THU, 0
    while placed < cap:
        batch = min(3, cap - placed)
        if _open_day(ctx, day):
            _calls(ctx, debtor, [debt], "phone", day, batch)
            placed += batch
            first_day = first_day or batch
        day += timedelta(days=1)
    last = THU + timedelta(days=6)
    ctx.require(day <= last + timedelta(days=1), "the profile's call cap cannot be reached within seven days here")
    _clock(ctx, last, NOON)
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call"),
        "call_cap_7d",
        f"call {cap + 1} about the debt on {last.isoformat()}, the seventh day",
    )
    _refused(
        ctx,
        _attempt(ctx, debtor, [debt], "phone", "call", outcome="no_answer"),
        "call_cap_7d",
        f"call {cap + 1} about the debt within seven days",
    )
    _not_denied_for(
        ctx,
        _decide(ctx, debtor, [other], "phone", "call"),
        "call_cap_7d",
        "a call about the debtor's other debt (counts are per debt)",
    )
    ledger = _frequency(ctx, debt)
    ctx.require(
        ledger.get("counted_count") == cap,
        f"getCallFrequency reports counted_count {ledger.get('counted_count')} after {cap} counted calls",
    )
    _clock(ctx, last + timedelta(days=1), NOON)
    _not_denied_for(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call"),
        "call_cap_7d",
        f"a call on the eighth day, when the first day's {first_day} call(s) have left the window",
    )


# -- CP-05 -------------------------------------------------------------------------------------------


@check("CP-05")
def post_conversation_block(ctx: CheckContext) -> None:
    """After a telephone conversation about debts (placed, or started by the debtor), calls to the debtor about
    each of those debts are denied with post_conversation_block through the last of post_conversation_block_days
    debtor-local days (the conversation day is day 1) and allowed again afterwards; getCallFrequency states when
    the block ends."""
    days = int(ctx.param("post_conversation_block_days"))
    debtor = _debtor(ctx)
    first, second, third = ctx.new_debt(debtor), ctx.new_debt(debtor), ctx.new_debt(debtor)
    fri = THU + timedelta(days=1)
    _clock(ctx, fri, NOON)
    _made(
        ctx,
        _attempt(ctx, debtor, [first, second], "phone", "call", outcome="conversation"),
        "a call with a conversation about two debts",
    )
    _event(
        ctx,
        debtor,
        "inbound_conversation",
        {
            "channel": "call",
            "contact_point_id": debtor["points"]["phone"],
            "debt_ids": [third["id"]],
            "conversation": True,
        },
    )
    if days == 0:
        _clock(ctx, fri, "12:30")
        for debt in (first, third):
            _not_denied_for(
                ctx,
                _decide(ctx, debtor, [debt], "phone", "call"),
                "post_conversation_block",
                "a call after a conversation under a profile with post_conversation_block_days 0",
            )
        return
    last = fri + timedelta(days=days - 1)
    _clock(ctx, last, "12:30")
    for debt, how in ((first, "first"), (second, "second"), (third, "debtor-initiated")):
        _denied(
            ctx,
            _decide(ctx, debtor, [debt], "phone", "call"),
            "post_conversation_block",
            f"a call on {last.isoformat()} (day {days} of the block) about the {how} conversation's debt",
        )
    ledger = _frequency(ctx, first)
    until = ledger.get("conversation_block_until")
    ctx.require(until is not None, "getCallFrequency reports no conversation_block_until during the block")
    ends = datetime.fromisoformat(str(until).replace("Z", "+00:00"))
    boundary = _instant(ctx, last + timedelta(days=1), "00:00")
    ctx.require(
        boundary - timedelta(seconds=1) <= ends <= boundary,
        f"getCallFrequency reports the block ending {until}; expected the debtor-local end of {last.isoformat()}",
    )
    _clock(ctx, last + timedelta(days=1), NOON)
    for debt, how in ((first, "first"), (third, "debtor-initiated")):
        _not_denied_for(
            ctx,
            _decide(ctx, debtor, [debt], "phone", "call"),
            "post_conversation_block",
            f"a call on day {days + 1} about the {how} conversation's debt",
        )


# -- CP-06 -------------------------------------------------------------------------------------------


@check("CP-06")
def call_counting_rules(ctx: CheckContext) -> None:
    """getCallFrequency and the call-cap decision apply the counting rules: busy and not-in-service calls are
    excluded as not_connected, ringless voicemail counts, texts are no calls, calls to a number later reported
    wrong are excluded as wrong_number, and calls within consent_exclusion_days of the debtor's direct consent
    are excluded as consent_exclusion, the day after that window counting again."""
    cap, consent_days = int(ctx.param("call_attempts_per_7d")), int(ctx.param("consent_exclusion_days"))
    debtor = _debtor(ctx, _phone(ctx, "landline", phone_type="landline", sms_capable=False))
    debt = ctx.new_debt(debtor)
    fri = THU + timedelta(days=1)
    busy = _calls(ctx, debtor, [debt], "phone", THU, 1, "busy", "12:00")
    dead = _calls(ctx, debtor, [debt], "phone", THU, 1, "not_in_service", "12:05")
    _clock(ctx, THU, "12:10")
    rvm = _made(
        ctx,
        _attempt(ctx, debtor, [debt], "phone", "ringless_voicemail", outcome="ringless_voicemail"),
        "a ringless voicemail",
    )
    wrong = _calls(ctx, debtor, [debt], "landline", THU, 1, "no_answer", "12:15")
    _clock(ctx, THU, "12:20")
    text = _made(ctx, _attempt(ctx, debtor, [debt], "phone", "sms"), "an SMS")
    rings = _calls(ctx, debtor, [debt], "phone", fri, max(0, cap - 2))
    _clock(ctx, fri, "13:00")
    _event(ctx, debtor, "wrong_number", {"contact_point_id": debtor["points"]["landline"]}, source="collector")
    ledger = _frequency(ctx, debt)
    excluded, counted = _excluded(ledger), _ids(ledger.get("counted_calls", []))
    for ids, reason, what in (
        (busy, "not_connected", "busy"),
        (dead, "not_connected", "not_in_service"),
        (wrong, "wrong_number", "wrong-number"),
    ):
        listed = excluded.get(ids[0]) or ("counted" if ids[0] in counted else "absent")
        ctx.require(
            excluded.get(ids[0]) == reason,
            f"getCallFrequency lists the {what} call as {listed}; expected excluded with {reason}",
        )
    ctx.require(str(rvm["id"]) in counted, "getCallFrequency does not count the ringless voicemail as a call")
    ctx.require(
        str(text["id"]) not in counted and str(text["id"]) not in excluded,
        "getCallFrequency lists an SMS among the calls",
    )
    ctx.require(
        ledger.get("counted_count") == 1 + len(rings),
        f"getCallFrequency reports counted_count {ledger.get('counted_count')}; expected {1 + len(rings)}",
    )
    _not_denied_for(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call"),
        "call_cap_7d",
        f"a call when {cap + 2} calls were placed but only {cap - 1} count",
    )
    if consent_days <= 0:
        return
    _clock(ctx, fri, "13:10")
    _event(ctx, debtor, "consent_given", {"purpose": "telephone_calls", "form": "oral"}, debt=debt)
    consented = _calls(ctx, debtor, [debt], "phone", fri, 1, first="13:15")
    last = fri + timedelta(days=consent_days - 1)
    inside = _calls(ctx, debtor, [debt], "phone", last, 1)
    after = _calls(ctx, debtor, [debt], "phone", last + timedelta(days=1), 1)
    early = _excluded(_frequency(ctx, debt, at=_at(ctx, fri, "13:30")))
    ctx.require(
        early.get(consented[0]) == "consent_exclusion",
        f"a call right after the debtor's direct consent is listed as {early.get(consented[0], 'counted')}; "
        f"expected excluded with consent_exclusion",
    )
    ledger = _frequency(ctx, debt)
    excluded, counted = _excluded(ledger), _ids(ledger.get("counted_calls", []))
    ctx.require(
        excluded.get(inside[0]) == "consent_exclusion",
        f"a call on day {consent_days} of the consent window is listed as {excluded.get(inside[0], 'counted')}; "
        f"expected excluded with consent_exclusion",
    )
    ctx.require(after[0] in counted, f"a call on day {consent_days + 1} after the consent is not counted")


# -- CP-07 -------------------------------------------------------------------------------------------


@check("CP-07")
def daily_call_caps(ctx: CheckContext) -> None:
    """After unanswered_calls_per_number_per_day unanswered calls to one number in a debtor-local day, a further
    call to it that day is denied with daily_unanswered_cap; after connected_calls_per_day connected calls with a
    debtor (any debt, any number) a further call that day is denied with daily_connected_cap; both refused with
    409 and lifted the next day."""
    unanswered, connected = ctx.param("unanswered_calls_per_number_per_day"), ctx.param("connected_calls_per_day")
    cap = ctx.param("call_attempts_per_7d")
    per_debt = max(1, int(cap) - 1) if cap else 10**6  # stay clear of the seven-day cap of CP-04
    fri = THU + timedelta(days=1)
    if unanswered is not None:
        n = int(unanswered)
        debtor = _debtor(ctx, _phone(ctx, "second"))
        debts = [ctx.new_debt(debtor) for _ in range(-(-n // per_debt))]
        for i in range(n):
            _calls(ctx, debtor, [debts[i // per_debt]], "phone", THU, 1, first=_shift("10:00", 5 * i))
        _clock(ctx, THU, NOON)
        _denied(
            ctx,
            _decide(ctx, debtor, [debts[0]], "phone", "call"),
            "daily_unanswered_cap",
            f"call {n + 1} to one number on one day after {n} unanswered calls",
        )
        _refused(
            ctx,
            _attempt(ctx, debtor, [debts[0]], "phone", "call", outcome="no_answer"),
            "daily_unanswered_cap",
            f"call {n + 1} to one number on one day",
        )
        _not_denied_for(
            ctx,
            _decide(ctx, debtor, [debts[0]], "second", "call"),
            "daily_unanswered_cap",
            "a call to the debtor's other number",
        )
        _not_denied_for(
            ctx,
            _decide(ctx, debtor, [debts[0]], "phone", "call", at=_at(ctx, fri, NOON)),
            "daily_unanswered_cap",
            "a call to the number on the next day",
        )
    if connected is not None:
        c = int(connected)
        debtor = _debtor(ctx, _phone(ctx, "second"))
        debts = [ctx.new_debt(debtor) for _ in range(c + 1)]
        for i in range(c):
            _calls(ctx, debtor, [debts[i]], "phone", THU, 1, "answered_dropped", _shift("13:00", 5 * i))
        _clock(ctx, THU, "14:00")
        _denied(
            ctx,
            _decide(ctx, debtor, [debts[c]], "second", "call"),
            "daily_connected_cap",
            f"a call to the debtor's other number about another debt after {c} connected call(s) that day",
        )
        _refused(
            ctx,
            _attempt(ctx, debtor, [debts[c]], "second", "call", outcome="no_answer"),
            "daily_connected_cap",
            f"a call after {c} connected call(s) that day",
        )
        _not_denied_for(
            ctx,
            _decide(ctx, debtor, [debts[c]], "second", "call", at=_at(ctx, fri, NOON)),
            "daily_connected_cap",
            "a call on the next day",
        )


# -- CP-08 -------------------------------------------------------------------------------------------


@check("CP-08")
def cease_communication(ctx: CheckContext) -> None:
    """From the effective_at of a cease request naming no debt, every contact about any of the debtor's debts
    through any channel is denied with cease_communication and refused with 409, except termination and remedy
    notices; decisions for an earlier instant ignore the request, and the outbox shows no other message."""
    debtor = _debtor(ctx)
    debt, other = ctx.new_debt(debtor), ctx.new_debt(debtor)
    received = _clock(ctx, THU, NOON)
    _event(ctx, debtor, "cease_request", {"form": "written", "refusal_to_pay": False}, effective_at=received)
    _not_denied_for(
        ctx,
        _decide(ctx, debtor, [debt], "email", "email", at=_at(ctx, THU, "11:00")),
        "cease_communication",
        "an e-mail at 11:00, before the cease request was received at 12:00",
    )
    _clock(ctx, THU, "12:05")
    for target, point, channel in ((debt, "phone", "call"), (other, "phone", "sms"), (debt, "home", "letter")):
        _denied(
            ctx,
            _decide(ctx, debtor, [target], point, channel),
            "cease_communication",
            f"a {channel} after the cease request",
        )
    _refused(
        ctx,
        _attempt(ctx, debtor, [debt], "email", "email"),
        "cease_communication",
        "a collection e-mail after the cease request",
    )
    for purpose in ("cease_termination_notice", "cease_remedy_notice"):
        _not_denied_for(
            ctx,
            _decide(ctx, debtor, [debt], "home", "letter", purpose),
            "cease_communication",
            f"a letter with purpose {purpose}",
        )
    _attempt(
        ctx,
        debtor,
        [debt],
        "home",
        "letter",
        "cease_termination_notice",
        content="We have stopped our collection efforts on this account.",
    )
    for message in ctx.outbox(debtor_id=debtor["id"]):
        ctx.require(
            message.get("purpose") in ("cease_termination_notice", "cease_remedy_notice"),
            f"the outbox holds a {message.get('channel')} with purpose {message.get('purpose')} sent after the "
            f"cease request",
        )


# -- CP-09 -------------------------------------------------------------------------------------------


@check("CP-09")
def opted_out_media(ctx: CheckContext) -> None:
    """After medium_opt_out events for text messages and for the telephone, checkContact denies SMS, calls,
    ringless voicemail and AI voice with medium_opted_out, createContactAttempt refuses a collection SMS, and at
    most medium_optout_confirmations_max opt-out confirmations go out through the opted-out medium."""
    limit = int(ctx.param("medium_optout_confirmations_max"))
    debtor = _debtor(ctx)
    debt = ctx.new_debt(debtor)
    _clock(ctx, THU, NOON)
    phone = debtor["points"]["phone"]
    _event(ctx, debtor, "medium_opt_out", {"medium": "sms", "via_contact_point_id": phone})
    _event(ctx, debtor, "medium_opt_out", {"medium": "telephone"})
    _clock(ctx, THU, "12:05")
    for channel in ("sms", "call", "ringless_voicemail", "ai_voice"):
        _denied(
            ctx,
            _decide(ctx, debtor, [debt], "phone", channel),
            "medium_opted_out",
            f"a {channel} after the debtor opted out of {'text messages' if channel == 'sms' else 'calls'}",
        )
    _refused(
        ctx,
        _attempt(ctx, debtor, [debt], "phone", "sms"),
        "medium_opted_out",
        "a collection SMS after the debtor opted out of text messages",
    )
    sent = 0
    for i in range(limit + 1):
        _clock(ctx, THU, _shift("12:10", i))
        response = _attempt(
            ctx,
            debtor,
            [debt],
            "phone",
            "sms",
            "opt_out_confirmation",
            content="We received your request and will not send you text messages any more.",
        )
        sent += response.status_code == 201
    ctx.require(sent <= limit, f"{sent} opt-out confirmations were sent by SMS; the profile allows {limit}")
    texts = [m for m in ctx.outbox(debtor_id=debtor["id"]) if m.get("channel") in ("sms", "ai_text")]
    others = [m.get("purpose") for m in texts if m.get("purpose") != "opt_out_confirmation"]
    ctx.require(not others, f"the outbox holds text messages with purpose {others} after the opt-out")
    ctx.require(len(texts) <= limit, f"the outbox holds {len(texts)} opt-out confirmations; the profile allows {limit}")


# -- CP-10 -------------------------------------------------------------------------------------------


@check("CP-10")
def attorney_representation(ctx: CheckContext) -> None:
    """After an attorney_representation event for a debt, every contact with the debtor about it is denied with
    attorney_represented, days later as well, while contact with the attorney stays allowed."""
    attorney = _email(ctx, "attorney", owner="third_party", relationship="attorney", owner_name=ctx.canary("Attorney "))
    debtor = _debtor(ctx, attorney)
    debt = ctx.new_debt(debtor)
    _clock(ctx, THU, NOON)
    _event(
        ctx,
        debtor,
        "attorney_representation",
        {"attorney_name": ctx.canary("Attorney "), "contact_point_id": debtor["points"]["attorney"]},
        source="attorney",
        debt=debt,
    )
    for point, channel in (("phone", "call"), ("email", "email")):
        _denied(
            ctx,
            _decide(ctx, debtor, [debt], point, channel),
            "attorney_represented",
            f"a {channel} to the represented debtor",
        )
    _allowed(ctx, _decide(ctx, debtor, [debt], "attorney", "email"), "an e-mail to the debtor's attorney")
    _clock(ctx, THU + timedelta(days=5), NOON)
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "phone", "call"),
        "attorney_represented",
        "a call to the represented debtor five days later, with no event ending the representation",
    )


# -- CP-11 -------------------------------------------------------------------------------------------


@check("CP-11")
def workplace_prohibited(ctx: CheckContext) -> None:
    """After a workplace_contact_prohibited event, checkContact denies with workplace_prohibited a call to the
    debtor's workplace number and a visit to the workplace address."""
    debtor = _debtor(
        ctx,
        _phone(ctx, "work", is_workplace=True, phone_type="landline", sms_capable=False),
        _address(ctx, "office", is_workplace=True),
    )
    debt = ctx.new_debt(debtor)
    _clock(ctx, THU, NOON)
    _event(ctx, debtor, "workplace_contact_prohibited", {"contact_point_id": debtor["points"]["work"]})
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "work", "call"),
        "workplace_prohibited",
        "a call to the workplace number after the debtor said work contact is prohibited",
    )
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "office", "visit"),
        "workplace_prohibited",
        "a visit to the workplace after the debtor said work contact is prohibited",
    )


# -- CP-12 -------------------------------------------------------------------------------------------


@check("CP-12")
def third_party_contacts(ctx: CheckContext) -> None:
    """Third parties are contacted only for location information and at most third_party_location_contacts_max
    times each (deny with third_party_not_permitted or third_party_contact_limit); content naming the debt, its
    amount, account or creditor is refused with 409 third_party_disclosure, and no outbox message to a third
    party reveals the debt."""
    limit = int(ctx.param("third_party_location_contacts_max"))
    debtor = _debtor(ctx, _third_party(ctx, "friend"), _third_party(ctx, "relative", relationship="relative"))
    debt = ctx.new_debt(debtor)
    _clock(ctx, THU, NOON)
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "friend", "call"),
        "third_party_not_permitted",
        "a collection call to a friend of the debtor",
    )
    if limit == 0:
        _denied(
            ctx,
            _decide(ctx, debtor, [debt], "friend", "call", "location_information"),
            "third_party_not_permitted",
            "a location call to a third party under a profile with third_party_location_contacts_max 0",
        )
    else:
        made = 0
        for i in range(limit):
            _clock(ctx, THU, _shift(NOON, 5 * (i + 1)))
            made += (
                _attempt(
                    ctx, debtor, [debt], "friend", "call", "location_information", outcome="conversation"
                ).status_code
                == 201
            )
        _clock(ctx, THU, "12:30")  # after the last contact: a decision at its very instant need not see it
        decision = _decide(ctx, debtor, [debt], "friend", "call", "location_information")
        ctx.require(
            decision.get("decision") == "deny",
            f"checkContact allows location contact {limit + 1} with one third party; the profile allows {limit}",
        )
        if made == limit:
            _denied(ctx, decision, "third_party_contact_limit", f"location contact {limit + 1} with one third party")
    name = debtor.get("name") or "our customer"
    item = debt.get("itemization") or {}
    amount = str(item.get("current_amount") or "950.00")
    creditor = str((debt.get("creditor") or {}).get("name") or "Harness Test Bank")
    _clock(ctx, THU, "13:00")
    for content, what in (
        (f"Please ask {name} to call {creditor}.", "the creditor's name"),
        (f"{name} has {amount} in arrears, please ask them to call us.", "the amount and arrears"),
        (f"Debt collection: please ask {name} to call us.", "the words 'debt collection'"),
    ):
        response = _attempt(ctx, debtor, [debt], "relative", "sms", "location_information", content=content)
        ctx.require(
            response.status_code == 409,
            f"createContactAttempt sent an SMS to a third party naming {what} ({response.status_code}); expected 409",
        )
        if limit > 0:
            _refused(ctx, response, "third_party_disclosure", f"an SMS to a third party naming {what}")
    _attempt(
        ctx,
        debtor,
        [debt],
        "relative",
        "sms",
        "location_information",
        content=f"Hello, this is Alex. Could you ask {name} to call me back? Thank you.",
    )
    third = {debtor["points"]["friend"], debtor["points"]["relative"]}
    facts = [creditor, amount, *([str(debt["account_number"])] if debt.get("account_number") else [])]
    for message in ctx.outbox(debtor_id=debtor["id"]):
        if message.get("contact_point_id") not in third:
            continue
        text = str(message.get("content") or "")
        leaked = [fact for fact in facts if fact in text]
        ctx.require(
            not leaked and not DEBT_WORDS.search(text),
            f"an outbox message to a third party tells of the debt: {text[:160]!r}",
        )


# -- CP-13 -------------------------------------------------------------------------------------------


@check("CP-13")
def consent_only_from_debtor(ctx: CheckContext) -> None:
    """Consent recorded as given to the creditor or a previous collector lifts nothing: workplace and
    third-party contacts stay denied with their original reasons, and calls after it still count."""
    debtor = _debtor(
        ctx,
        _phone(ctx, "work", is_workplace=True, phone_type="landline", sms_capable=False),
        _third_party(ctx, "friend"),
    )
    debt = ctx.new_debt(debtor)
    _clock(ctx, THU, NOON)
    _event(ctx, debtor, "workplace_contact_prohibited", {"contact_point_id": debtor["points"]["work"]})
    _clock(ctx, THU, "12:05")
    _event(ctx, debtor, "consent_given", {"purpose": "workplace_contact", "form": "written"}, source="creditor")
    _event(
        ctx, debtor, "consent_given", {"purpose": "third_party_contact", "form": "written"}, source="previous_collector"
    )
    _event(ctx, debtor, "consent_given", {"purpose": "telephone_calls", "form": "oral"}, source="creditor", debt=debt)
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "work", "call"),
        "workplace_prohibited",
        "a call to the workplace after consent relayed by the creditor",
    )
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "friend", "call"),
        "third_party_not_permitted",
        "a collection call to a third party after consent relayed by a previous collector",
    )
    call = _calls(ctx, debtor, [debt], "phone", THU, 1, first="12:10")
    ledger = _frequency(ctx, debt)
    ctx.require(
        call[0] in _ids(ledger.get("counted_calls", [])),
        f"a call after consent relayed by the creditor is listed as {_excluded(ledger).get(call[0], 'absent')}; "
        f"expected counted",
    )


# -- CP-14 -------------------------------------------------------------------------------------------


# Legal public holidays of 5 U.S.C. 6103(a) around the Reg F example of 1006.34(b)(5).
US_HOLIDAYS = frozenset({date(2025, 11, 27), date(2025, 12, 25), date(2026, 1, 1)})


def _business_days_after(day: date, count: int, holidays: frozenset[date] = frozenset()) -> date:
    while count > 0:
        day += timedelta(days=1)
        count -= day.weekday() < 5 and day not in holidays
    return day


def _date_line_instant(ctx: CheckContext, day: date) -> str:
    """An instant on the debtor-local ``day`` whose UTC date is another day, where the zone allows one."""
    offset = _instant(ctx, day, NOON).utcoffset() or timedelta(0)
    wall = "23:30" if offset < timedelta(0) else "00:30" if offset > timedelta(0) else NOON
    return _at(ctx, day, wall)


def _due_date_reported(ctx: CheckContext, debt: dict[str, Any], first: str, expected: date) -> None:
    notice = ctx.expect(ctx.request("GET", f"/debts/{debt['id']}/validation-notice"), 200, what="getValidationNotice")
    local = datetime.fromisoformat(first.replace("Z", "+00:00")).astimezone(ZoneInfo(ctx.default_timezone))
    ctx.require(
        notice.get("due_date") == expected.isoformat(),
        f"getValidationNotice gives due_date {notice.get('due_date')!r} after an initial communication at {first} "
        f"({local:%Y-%m-%d %H:%M} debtor-local); expected {expected.isoformat()}, "
        f"validation_notice_days ({int(ctx.param('validation_notice_days'))}) after the debtor-local date",
    )


@check("CP-14")
def validation_notice_timing(ctx: CheckContext) -> None:
    """getValidationNotice reports as due_date validation_notice_days calendar days after the debtor-local date of
    the initial communication (also when its UTC date is another day); once that date has passed without
    validation information, collection contact is denied with validation_notice_missing; after information
    provided on day P, getValidationNotice gives a validation_end_date no earlier than validation_period_days
    after the assumed_receipt_business_days-th business day after P (e.g. us: 26 Nov 2025 -> 3 Jan 2026)."""
    due_days = int(ctx.param("validation_notice_days"))
    period, receipt = int(ctx.param("validation_period_days")), int(ctx.param("assumed_receipt_business_days"))
    debtor = _debtor(ctx)
    debt, sent, late = ctx.new_debt(debtor), ctx.new_debt(debtor), ctx.new_debt(debtor)
    first = _clock(ctx, THU, NOON)
    _event(ctx, debtor, "initial_communication", {"channel": "call", "oral": True}, source="collector", debt=debt)
    due = THU + timedelta(days=due_days)
    _due_date_reported(ctx, debt, first, due)
    # The day before, late in the evening west of UTC (early in the morning east of it): the local date counts.
    eve = THU - timedelta(days=1)
    at_eve = _date_line_instant(ctx, eve)
    _event(
        ctx,
        debtor,
        "initial_communication",
        {"channel": "call", "oral": True},
        source="collector",
        debt=late,
        effective_at=at_eve,
    )
    _due_date_reported(ctx, late, at_eve, eve + timedelta(days=due_days))
    if due_days > 0:
        _clock(ctx, due, NOON)
        _not_denied_for(
            ctx,
            _decide(ctx, debtor, [debt], "email", "email"),
            "validation_notice_missing",
            f"an e-mail on {due.isoformat()}, the last day validation information may follow",
        )
    _clock(ctx, due + timedelta(days=1), NOON)
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "email", "email"),
        "validation_notice_missing",
        f"a collection e-mail on {(due + timedelta(days=1)).isoformat()}, with validation information due by "
        f"{due.isoformat()} and never sent",
    )
    if ctx.profile.jurisdiction.startswith("us"):
        # The worked example: Wednesday 26 Nov 2025 -> assumed receipt Thursday 4 Dec (Thanksgiving skipped).
        provided = date(2025, 11, 26)
        expected = _business_days_after(provided, receipt, US_HOLIDAYS) + timedelta(days=period)
    else:
        provided = date(2026, 1, 20)  # no public holiday of any profile in the following fortnight
        expected = _business_days_after(provided, receipt) + timedelta(days=period)
    _event(
        ctx,
        debtor,
        "validation_notice_sent",
        {"channel": "letter", "delivery_method": "mail"},
        source="collector",
        debt=sent,
        effective_at=_at(ctx, provided, NOON),
    )
    notice = ctx.expect(ctx.request("GET", f"/debts/{sent['id']}/validation-notice"), 200, what="getValidationNotice")
    end = str(notice.get("validation_end_date"))
    ctx.require(
        end >= expected.isoformat(),
        f"getValidationNotice gives validation_end_date {end} for information provided on "
        f"{provided.isoformat()}; expected no earlier than {expected.isoformat()}",
    )


# -- CP-15 -------------------------------------------------------------------------------------------


@check("CP-15")
def opt_out_in_electronic_messages(ctx: CheckContext) -> None:
    """An SMS or e-mail submitted without opt-out instructions is either refused with 409 missing_opt_out or sent
    with a simple opt-out instruction added; every electronic message in the outbox other than an opt-out
    confirmation carries one."""
    debtor = _debtor(ctx)
    debt = ctx.new_debt(debtor)
    _clock(ctx, THU, NOON)
    for channel, point in (("sms", "phone"), ("email", "email")):
        response = _attempt(ctx, debtor, [debt], point, channel, content=NEUTRAL)
        if response.status_code == 409:
            _refused(ctx, response, "missing_opt_out", f"an {channel} without opt-out instructions")
    for message in ctx.outbox(debtor_id=debtor["id"]):
        if message.get("channel") in ("sms", "email", "ai_text") and message.get("purpose") != "opt_out_confirmation":
            ctx.require(
                bool(OPT_OUT.search(str(message.get("content") or ""))),
                f"the {message.get('channel')} in the outbox has no opt-out instruction: "
                f"{str(message.get('content'))[:160]!r}",
            )


# -- CP-16 -------------------------------------------------------------------------------------------


@check("CP-16")
def electronic_message_cap(ctx: CheckContext) -> None:
    """After electronic_messages_per_7d collection messages (SMS and e-mail) to the debtor about one debt within
    seven debtor-local days, a further one is refused with 409 electronic_message_cap and denied by checkContact
    until the first day's messages leave the seven-day window. (The getContactStats half is attested.)"""
    cap = ctx.param("electronic_messages_per_7d")
    if cap is None:
        raise CheckSkipped("the profile sets no electronic_messages_per_7d")
    debtor = _debtor(ctx)
    debt = ctx.new_debt(debtor)
    for i in range(int(cap)):
        _clock(ctx, THU, _shift(NOON, 5 * i))
        channel, point = ("sms", "phone") if i % 2 == 0 else ("email", "email")
        _made(ctx, _attempt(ctx, debtor, [debt], point, channel), f"electronic message {i + 1} of {cap}")
    _clock(ctx, THU, "16:00")
    _refused(
        ctx,
        _attempt(ctx, debtor, [debt], "phone", "sms"),
        "electronic_message_cap",
        f"electronic message {int(cap) + 1} about one debt within seven days",
    )
    last = THU + timedelta(days=6)
    _denied(
        ctx,
        _decide(ctx, debtor, [debt], "email", "email", at=_at(ctx, last, NOON)),
        "electronic_message_cap",
        f"an e-mail on {last.isoformat()}, the seventh day",
    )
    _not_denied_for(
        ctx,
        _decide(ctx, debtor, [debt], "email", "email", at=_at(ctx, last + timedelta(days=1), NOON)),
        "electronic_message_cap",
        "an e-mail on the eighth day",
    )
