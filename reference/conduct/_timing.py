"""When a contact may happen: the contact window, blocked days, and the debtor's own inconvenient times and places.

Every check runs on the wall clock of every zone the person may be in and denies if any zone
objects (Reg F comment 6(b)(1)(i)-2). Electronic messages are timed when sent (comment
6(b)(1)(i)-1), which is the request's instant. Letters are exempt from the clock rules: a letter
reaches the debtor with the post, not at the moment it is produced.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from ._calendar import is_public_holiday
from ._context import Context
from ._facts import Event, WeeklyRange
from ._history import local
from ._registry import Finding, allow, deny, rule
from ._vocabulary import WEEKDAYS

_UNTIMED = frozenset({"letter"})


def _in_window(clock: time, start: time, end: time) -> bool:
    # The parameters define a half-open window [start, end); a start after the end wraps midnight.
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end


@rule("outside_contact_window")
def contact_window(ctx: Context) -> Finding | None:
    """Reg F 1006.6(b)(1)(i): before 08:00 and from 21:00 local time are inconvenient (US values)."""
    start, end = ctx.rules.contact_window_start, ctx.rules.contact_window_end
    if start is None or end is None or ctx.request.channel in _UNTIMED:
        return None
    outside = [
        f"{zone} {clock:%H:%M}"
        for zone, clock in ctx.local_times.items()
        if not _in_window(clock.time().replace(tzinfo=None), start, end)
    ]
    if not outside:
        return None
    return deny("outside_contact_window", f"outside {start:%H:%M}-{end:%H:%M} in {', '.join(outside)}")


@rule("blocked_day")
def blocked_day(ctx: Context) -> Finding | None:
    """CCA 1995 s.46 (Ireland): no call on a Sunday or public holiday, and the like in other profiles."""
    days = ctx.rules.contact_blocked_days
    if not days or ctx.request.channel in _UNTIMED:
        return None
    hits: list[str] = []
    for zone, clock in ctx.local_times.items():
        weekday = WEEKDAYS[clock.weekday()]
        if weekday in days:
            hits.append(f"{weekday} in {zone}")
        elif "public_holiday" in days and is_public_holiday(ctx.rules.public_holidays, clock.date()):
            hits.append(f"public holiday {clock.date().isoformat()} in {zone}")
    return deny("blocked_day", "; ".join(hits)) if hits else None


def _range_of(event: Event) -> WeeklyRange:
    # details: {"start": "HH:MM", "end": "HH:MM", "weekdays": [...], "timezone": "..."}
    weekdays = event.detail("weekdays")
    zone = event.detail("timezone")
    return WeeklyRange(
        start=time.fromisoformat(str(event.detail("start", "00:00"))),
        end=time.fromisoformat(str(event.detail("end", "00:00"))),
        weekdays=WEEKDAYS if weekdays is None else tuple(str(d).lower() for d in weekdays),
        timezone=None if zone is None else str(zone),
    )


def _designated_ranges(ctx: Context) -> tuple[WeeklyRange, ...]:
    events = ctx.history.of("inconvenient_time")
    return (*ctx.history.facts.preferences.inconvenient_times, *(ctx.history.parsed(e, _range_of) for e in events))


def _hit(ranges: Iterable[WeeklyRange], instant: datetime, zones: tuple[str, ...]) -> bool:
    return any(r.contains(local(instant, zone)) for r in ranges for zone in ((r.timezone,) if r.timezone else zones))


@rule("inconvenient_time")
def inconvenient_time(ctx: Context) -> Finding | None:
    """Reg F 1006.6(b)(1): a time the debtor called inconvenient is honoured.

    Comment 6(b)(1)-2: if the debtor starts a communication at such a time, the collector may
    respond once, through the same medium.
    """
    if not ctx.to_debtor or ctx.request.channel in _UNTIMED:
        return None
    ranges = _designated_ranges(ctx)
    if not _hit(ranges, ctx.at, ctx.zones):
        return None
    if ctx.request.purpose == "reply_to_debtor":
        for inbound in reversed(ctx.history.inbound()):
            if inbound.medium == ctx.medium and _hit(ranges, inbound.at, ctx.zones):
                if ctx.history.replies_after(ctx.medium, inbound.at) == 0:
                    return allow(
                        "consumer_initiated_reply", "one reply to a debtor-initiated contact at an inconvenient time"
                    )
                break
    return deny("inconvenient_time", "the debtor designated this time as inconvenient")


def _designated_places(ctx: Context) -> frozenset[str]:
    places = set(ctx.history.facts.preferences.inconvenient_places)
    for event in ctx.history.of("inconvenient_place"):
        # details: {"contact_point_id": "..."}, {"workplace": true} ("don't contact me at work") or {"home": true}
        if event.detail("contact_point_id") is not None:
            places.add(str(event.detail("contact_point_id")))
        if event.detail("workplace"):
            places.update(cp.id for cp in ctx.history.facts.contact_points if cp.is_workplace and cp.owner == "debtor")
        if event.detail("home"):  # "don't come to my home": the debtor's own home addresses
            places.update(
                cp.id
                for cp in ctx.history.facts.contact_points
                if cp.kind == "address" and not cp.is_workplace and cp.owner == "debtor"
            )
    return frozenset(places)


@rule("inconvenient_place")
def inconvenient_place(ctx: Context) -> Finding | None:
    """Reg F 1006.6(b)(1): a place (contact point) the debtor called inconvenient is not used.

    Comment 6(b)(1)-2: one reply through the same medium to a communication the debtor started there.
    """
    if not ctx.to_debtor or ctx.target.id not in _designated_places(ctx):
        return None
    if ctx.request.purpose == "reply_to_debtor":
        for inbound in reversed(ctx.history.inbound()):
            if inbound.medium == ctx.medium and inbound.contact_point_id == ctx.target.id:
                if ctx.history.replies_after(ctx.medium, inbound.at, ctx.target.id) == 0:
                    return allow("consumer_initiated_reply", "one reply to a debtor-initiated contact from this place")
                break
    return deny("inconvenient_place", f"the debtor designated {ctx.target.id} as an inconvenient place")
