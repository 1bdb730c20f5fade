"""The debtor's record as it stood at one instant.

Every rule reads the past through a :class:`History`, never through ``DebtorFacts`` directly,
so two guarantees hold for all of them at once: a decision looks only at events already
effective and attempts already made (adding a later attempt cannot change it), and the
order of the input lists does not matter (everything is sorted here).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ._facts import Attempt, ContactPoint, DebtorFacts, Event
from ._vocabulary import MEDIUM_ALIASES, MEDIUM_OF, TELEPHONE_CALLS, Channel, EventType, Medium

DEBTOR = "debtor"
_T = TypeVar("_T")


def local(instant: datetime, zone: str) -> datetime:
    """``instant`` on the wall clock of ``zone``."""
    return instant.astimezone(ZoneInfo(zone))


@lru_cache(maxsize=8192)
def local_date(instant: datetime, zone: str) -> date:
    """The local date of ``instant`` in ``zone``; memoised, as every rule asks it of the same instants."""
    return local(instant, zone).date()


def attempts_from(attempts: tuple[Attempt, ...], first: date) -> tuple[Attempt, ...]:
    """The attempts (in time order) that may have been made on local day ``first`` or later, in any zone.

    A local date differs from the UTC date by less than a day either way (offsets lie within ±14 h),
    so everything from the UTC day before ``first`` on is kept: a bisection instead of a pass over
    the whole history. Callers still test each attempt's local date.
    """
    return attempts[bisect_left(attempts, earliest_instant(first), key=_made_at) :]


def earliest_instant(first: date) -> datetime:
    """An instant no later than the start of local day ``first`` in any zone (offsets lie within ±14 h)."""
    return datetime.combine(first - timedelta(days=1), time.min, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Inbound:
    """A communication the person started: a consumer-initiated attempt or an inbound_conversation."""

    at: datetime
    medium: Medium
    contact_point_id: str | None
    debt_ids: tuple[str, ...]


def _effective_at(event: Event) -> datetime:
    return event.effective_at


def _made_at(attempt: Attempt) -> datetime:
    return attempt.at


class History:
    """The facts filtered to an instant and sorted.

    Events count when ``effective_at <= instant`` (a notice is complete on receipt, Reg F
    comment 6(c)(1)-1). Attempts count when made up to and including the instant: an attempt
    already recorded at the same instant (a frozen sandbox clock, or two calls within one clock
    tick) happened before the one being decided, so it must count against the caps.
    """

    def __init__(self, facts: DebtorFacts, instant: datetime, *, inclusive: bool = True) -> None:
        self.facts = facts
        self.instant = instant
        # DebtorFacts keeps both lists in time order, so the past is a prefix of each.
        self.events: tuple[Event, ...] = facts.events[: bisect_right(facts.events, instant, key=_effective_at)]
        self._cut = bisect_right if inclusive else bisect_left
        self.attempts: tuple[Attempt, ...] = facts.attempts[: self._cut(facts.attempts, instant, key=_made_at)]
        self._points: dict[str, ContactPoint] = self._shared(
            ("points",), lambda: {cp.id: cp for cp in facts.contact_points}
        )
        self._persons: dict[str | None, str] = self._shared(("persons",), dict)
        #: Derived views the rules ask for repeatedly within one decision (see ``memo``).
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _shared(self, key: tuple[Any, ...], compute: Any) -> Any:
        """A view of the facts that does not depend on the instant, computed once per facts object.

        A filter that looks at each record alone (its type, channel, debt, contact point) keeps the
        time order, so the records of this history are a prefix of its result: callers cut it at
        the instant with the same rule as ``events`` and ``attempts`` (``_past_events``, ``_past_attempts``).
        """
        derived = self.facts._derived
        try:
            return derived[key]
        except KeyError:
            value = derived[key] = compute()
            return value

    def parsed(self, event: Event, parse: Callable[[Event], _T]) -> _T:
        """``parse(event)``, computed once per event of these facts (details read into rule terms)."""
        cache: dict[int, _T] = self._shared(("parsed", parse), dict)
        try:
            return cache[id(event)]  # the facts hold the event, so its id is not reused meanwhile
        except KeyError:
            value = cache[id(event)] = parse(event)
            return value

    def _past_events(self, events: tuple[Event, ...]) -> tuple[Event, ...]:
        return events[: bisect_right(events, self.instant, key=_effective_at)]

    def _past_attempts(self, attempts: tuple[Attempt, ...]) -> tuple[Attempt, ...]:
        return attempts[: self._cut(attempts, self.instant, key=_made_at)]

    def memo(self, key: tuple[Any, ...], compute: Any) -> Any:
        """``compute()`` once per key for this history: several rules read the same derived lists."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    def contact_point(self, point_id: str) -> ContactPoint | None:
        return self._points.get(point_id)

    def person_of(self, point_id: str | None) -> str:
        """The person a contact point reaches: the debtor, or one third party per contact point.

        Unknown points are taken to be the debtor's, so their calls are counted (strict side).
        """
        try:
            return self._persons[point_id]
        except KeyError:
            pass
        point = self._points.get(point_id) if point_id is not None else None
        person = DEBTOR if point is None or point.owner == "debtor" else f"third_party:{point.id}"
        self._persons[point_id] = person
        return person

    def of(self, kind: EventType, debt_id: str | None = None) -> tuple[Event, ...]:
        """Events of ``kind`` that apply to ``debt_id``.

        An event without a debt applies to every debt; a request without a debt is touched
        by the events of every debt (it may well be about any of them).
        """
        every: tuple[Event, ...] = self._shared(
            ("of", kind, debt_id),
            lambda: tuple(
                e
                for e in self.facts.events
                if e.type == kind and (debt_id is None or e.debt_id is None or e.debt_id == debt_id)
            ),
        )
        return self._past_events(every)

    @cached_property
    def wrong_numbers(self) -> frozenset[str]:
        """Contact points known, by now, to reach someone other than the debtor."""
        return frozenset(
            str(e.detail("contact_point_id")) for e in self.of("wrong_number") if e.detail("contact_point_id")
        )

    @cached_property
    def debtor_zones(self) -> tuple[str, ...]:
        """Every zone the debtor may be in: stated zones, then the zones of their own contact points.

        Reg F comment 6(b)(1)(i)-2: with conflicting information, the collector must consider
        every location its information points to.
        """
        zones = list(dict.fromkeys(self.facts.timezones))
        for zone in sorted({cp.timezone for cp in self.facts.contact_points if cp.owner == "debtor"}):
            if zone not in zones:
                zones.append(zone)
        return tuple(zones)

    @cached_property
    def home_zone(self) -> str:
        """The zone a ledger summary is dated in: the first stated zone, else the first known one."""
        if self.debtor_zones:
            return self.debtor_zones[0]
        for cp in self.facts.contact_points:
            return cp.timezone
        raise ValueError("the debtor has no time zone and no contact point to take one from")

    def calls_to(self, person: str, debt_id: str | None) -> tuple[Attempt, ...]:
        """Telephone calls (Reg F sense) to or from ``person`` about ``debt_id``."""
        every: tuple[Attempt, ...] = self._shared(
            ("calls_to", person, debt_id),
            lambda: tuple(
                a
                for a in self.facts.attempts
                if a.channel in TELEPHONE_CALLS and self.person_of(a.contact_point_id) == person and a.about(debt_id)
            ),
        )
        calls: tuple[Attempt, ...] = self.memo(("calls_to", person, debt_id), lambda: self._past_attempts(every))
        return calls

    def inbound(self) -> tuple[Inbound, ...]:
        """Communications the debtor (or a third party) started, oldest first."""
        found = [
            Inbound(a.at, MEDIUM_OF[a.channel], a.contact_point_id, a.debt_ids)
            for a in self.attempts
            if a.consumer_initiated
        ]
        for e in self.of("inbound_conversation"):
            medium = MEDIUM_ALIASES.get(str(e.detail("channel", "call")), "telephone")
            point = e.detail("contact_point_id")
            found.append(
                Inbound(
                    e.effective_at,
                    medium,
                    None if point is None else str(point),
                    () if e.debt_id is None else (e.debt_id,),
                )
            )
        return tuple(sorted(found, key=lambda i: (i.at, i.medium, i.contact_point_id or "")))

    def replies_after(self, medium: Medium, since: datetime, point_id: str | None = None) -> int:
        """Replies to the debtor sent through ``medium`` after ``since``."""
        return sum(
            1
            for a in self.attempts
            if not a.consumer_initiated
            and a.purpose == "reply_to_debtor"
            and MEDIUM_OF[a.channel] == medium
            and a.at > since
            and (point_id is None or a.contact_point_id == point_id)
        )

    def sent(self, channels: Iterable[Channel]) -> tuple[Attempt, ...]:
        wanted = frozenset(channels)
        every: tuple[Attempt, ...] = self._shared(
            ("sent", wanted),
            lambda: tuple(a for a in self.facts.attempts if a.channel in wanted and not a.consumer_initiated),
        )
        return self._past_attempts(every)
