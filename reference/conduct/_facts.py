"""The inputs of a contact decision: who the debtor is, what has happened, and what is asked.

Everything is a frozen dataclass and every instant must be timezone-aware, because each rule
turns instants into the debtor's local dates and times; a naive datetime would silently mean
"the server's zone". Validation happens here, once, so the rules can trust their inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._vocabulary import (
    CHANNELS,
    EVENT_TYPES,
    OUTCOMES,
    PURPOSES,
    WEEKDAYS,
    Channel,
    ContactKind,
    EventType,
    Outcome,
    Owner,
    Purpose,
    Source,
)

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")


def _require_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {name!r}") from None


def _require(value: str | None, allowed: tuple[str, ...], what: str) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"unknown {what} {value!r} (expected one of {', '.join(allowed)})")


@dataclass(frozen=True, slots=True)
class ContactPoint:
    """A telephone number, e-mail address, postal address or social account of a person."""

    id: str
    kind: ContactKind
    timezone: str
    owner: Owner = "debtor"
    is_workplace: bool = False
    relationship: str | None = None  # for third parties: "employer", "neighbour", "attorney", ...

    def __post_init__(self) -> None:
        _require(self.kind, ("phone", "email", "address", "social"), "contact point kind")
        _require(self.owner, ("debtor", "third_party"), "contact point owner")
        _require_zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened and changes what the collector may do, from ``effective_at`` on.

    ``effective_at`` is when the collector received or learnt it (Reg F comment 6(c)(1)-1: a
    cease notice is complete on receipt, not when mailed). ``details`` carry the type-specific
    fields, for example ``{"purpose": "ai_voice"}`` on a consent or ``{"medium": "sms"}`` on an
    opt-out; the rule modules document the keys they read.
    """

    type: EventType
    effective_at: datetime
    source: Source = "debtor"
    debt_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def __post_init__(self) -> None:
        _require(self.type, EVENT_TYPES, "event type")
        _require(self.source, ("debtor", "creditor", "previous_collector", "attorney", "court", "collector"), "source")
        _require_aware(self.effective_at, "Event.effective_at")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def detail(self, key: str, default: Any = None) -> Any:
        return self.details.get(key, default)


@dataclass(frozen=True, slots=True)
class Attempt:
    """A contact that was made (or a consumer-initiated one that was received).

    Reg F comment 14(b)(4)-2: a conversation about several debts counts for each of them, an
    unanswered call is attributed to one; ``debt_ids`` says which. An empty tuple means the
    attempt was about no particular debt and is, at the strictest reading, counted for all.
    """

    at: datetime
    channel: Channel
    contact_point_id: str
    debt_ids: tuple[str, ...] = ()
    outcome: Outcome | None = None
    purpose: Purpose = "collection"
    consumer_initiated: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.at, "Attempt.at")
        _require(self.channel, CHANNELS, "channel")
        _require(self.outcome, OUTCOMES, "outcome")
        _require(self.purpose, PURPOSES, "purpose")
        object.__setattr__(self, "debt_ids", tuple(self.debt_ids))

    def about(self, debt_id: str | None) -> bool:
        """Whether this attempt is about ``debt_id`` (None: about any debt)."""
        return debt_id is None or not self.debt_ids or debt_id in self.debt_ids


@dataclass(frozen=True, slots=True)
class WeeklyRange:
    """A weekly time range the debtor called inconvenient, e.g. weekdays 15:00-17:00.

    Half-open like the contact window; a range whose end is not after its start wraps past
    midnight. ``timezone`` None means "wherever the debtor is", i.e. every zone they may be in.
    """

    start: time
    end: time
    weekdays: tuple[str, ...] = WEEKDAYS
    timezone: str | None = None

    def __post_init__(self) -> None:
        for day in self.weekdays:
            _require(day, WEEKDAYS, "weekday")
        if self.timezone is not None:
            _require_zone(self.timezone)
        object.__setattr__(self, "weekdays", tuple(self.weekdays))

    def contains(self, local: datetime) -> bool:
        """Whether the local wall-clock instant falls in the range."""
        day = WEEKDAYS[local.weekday()]
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return day in self.weekdays and self.start <= clock < self.end
        # Wrapping range (e.g. 22:00-07:00): the early part belongs to the previous day's range.
        previous = WEEKDAYS[(local.weekday() - 1) % 7]
        return (day in self.weekdays and clock >= self.start) or (previous in self.weekdays and clock < self.end)


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the debtor told us through self-service (updatePreferences)."""

    inconvenient_times: tuple[WeeklyRange, ...] = ()
    inconvenient_places: tuple[str, ...] = ()  # contact point ids
    channels: tuple[Channel, ...] | None = None  # None: no restriction; otherwise the only channels allowed

    def __post_init__(self) -> None:
        for channel in self.channels or ():
            _require(channel, CHANNELS, "channel")
        object.__setattr__(self, "inconvenient_times", tuple(self.inconvenient_times))
        object.__setattr__(self, "inconvenient_places", tuple(self.inconvenient_places))
        if self.channels is not None:
            object.__setattr__(self, "channels", tuple(self.channels))


@dataclass(frozen=True, slots=True)
class Debt:
    """The facts about one debt that change what may be said (Reg F 1006.26(b))."""

    id: str
    time_barred: bool = False


def event_order(event: Event) -> tuple[datetime, str, str, str, str]:
    """A total order of events: by instant, then by content (so input order never matters)."""
    return (event.effective_at, event.type, event.source, event.debt_id or "", repr(sorted(event.details.items())))


def attempt_order(attempt: Attempt) -> tuple[datetime, str, str, tuple[str, ...], str, str, bool]:
    """A total order of attempts: by instant, then by content."""
    return (
        attempt.at,
        attempt.contact_point_id,
        attempt.channel,
        attempt.debt_ids,
        attempt.outcome or "",
        attempt.purpose,
        attempt.consumer_initiated,
    )


@dataclass(frozen=True, slots=True)
class DebtorFacts:
    """Everything known about one debtor, as of any instant: the engine filters by time itself."""

    timezones: tuple[str, ...] = ()
    contact_points: tuple[ContactPoint, ...] = ()
    events: tuple[Event, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    preferences: Preferences = field(default_factory=Preferences)
    debts: tuple[Debt, ...] = ()
    #: Views derived from these facts alone, whatever the instant (filtered lists, the person of each
    #: contact point), shared by every History made of them: a service that caches the facts filters
    #: its records once per change instead of once per decision (see History._shared).
    _derived: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for zone in self.timezones:
            _require_zone(zone)
        for name in ("timezones", "contact_points", "debts"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        # Kept in time order once, here: every decision reads the prefix up to its instant (a
        # bisection), and a service that caches the facts pays for the sort once per change.
        object.__setattr__(self, "events", tuple(sorted(self.events, key=event_order)))
        object.__setattr__(self, "attempts", tuple(sorted(self.attempts, key=attempt_order)))
        ids = [cp.id for cp in self.contact_points]
        if len(ids) != len(set(ids)):
            raise ValueError("contact point ids must be unique")


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """The contact a collector wants to make (checkContact / createContactAttempt).

    ``has_opt_out_notice`` describes the content of an electronic message (Reg F 1006.6(e));
    None means the content is not known yet, so that check is left to the content stage.
    ``mentions_litigation`` says whether the content speaks of suing (Reg F 1006.26(b)).
    """

    contact_point_id: str
    channel: Channel
    at: datetime
    debt_id: str | None = None
    purpose: Purpose = "collection"
    has_opt_out_notice: bool | None = None
    mentions_litigation: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.at, "ContactRequest.at")
        _require(self.channel, CHANNELS, "channel")
        _require(self.purpose, PURPOSES, "purpose")
