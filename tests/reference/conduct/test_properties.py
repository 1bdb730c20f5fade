"""Invariants of the conduct engine, tested with hypothesis over generated debtors and requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from icss.reference.conduct import (
    Attempt,
    Channel,
    ContactRequest,
    DebtorFacts,
    Event,
    Purpose,
    Rules,
    decide,
)

from ._support import CN, DUBLIN, IE, LA, MA, NY, SHANGHAI, UK, US, US_VALUES, points

SETTINGS = settings(deadline=None, max_examples=100)

ALL_CAPS = Rules.from_mapping(
    {
        **US_VALUES,
        "electronic_messages_per_7d": 3,
        "unanswered_calls_per_number_per_day": 2,
        "connected_calls_per_day": 1,
    },
    "us-federal",
)
RULES = st.sampled_from([US, CN, IE, UK, MA, ALL_CAPS])
ZONES = st.sampled_from([NY, LA, SHANGHAI, DUBLIN])
START = datetime(2026, 3, 2, tzinfo=UTC)
INSTANTS = st.integers(min_value=0, max_value=30 * 24 * 60).map(lambda m: START + timedelta(minutes=m))
DEBTS = st.sampled_from(["D1", "D2"])
# Every (channel, contact point) pair the default contact points can carry.
ROUTES: list[tuple[Channel, str]] = [
    ("call", "mobile"),
    ("call", "landline"),
    ("call", "work"),
    ("call", "neighbour"),
    ("call", "lawyer"),
    ("ringless_voicemail", "mobile"),
    ("ai_voice", "mobile"),
    ("sms", "mobile"),
    ("ai_text", "mobile"),
    ("email", "email"),
    ("letter", "home"),
    ("visit", "home"),
]
PURPOSES: list[Purpose] = [
    "collection",
    "location_information",
    "opt_out_confirmation",
    "cease_termination_notice",
    "cease_remedy_notice",
    "validation_notice",
    "reply_to_debtor",
    "legally_required",
]
CALL_OUTCOMES = [
    "no_answer",
    "busy",
    "not_in_service",
    "voicemail",
    "limited_content_message",
    "answered_dropped",
    "conversation",
]

_DETAILS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "consent_given": st.fixed_dictionaries({"purpose": st.sampled_from(["calls", "ai_voice"])}),
    "consent_revoked": st.just({}),
    "medium_opt_out": st.fixed_dictionaries({"medium": st.sampled_from(["sms", "call", "email"])}),
    "inconvenient_time": st.fixed_dictionaries(
        {"start": st.sampled_from(["09:00", "13:00"]), "end": st.sampled_from(["12:00", "17:00"])}
    ),
    "inconvenient_place": st.fixed_dictionaries({"contact_point_id": st.sampled_from(["work", "mobile"])}),
    "wrong_number": st.fixed_dictionaries({"contact_point_id": st.sampled_from(["landline", "mobile"])}),
    "inbound_conversation": st.just({}),
}
_KINDS = [
    "consent_given",
    "consent_revoked",
    "medium_opt_out",
    "dispute",
    "verification_sent",
    "inconvenient_time",
    "inconvenient_place",
    "wrong_number",
    "inbound_conversation",
    "attorney_representation",
    "workplace_contact_prohibited",
    "bankruptcy",
    "vulnerability",
    "external_agency_assigned",
    "outsourcing_notice_sent",
    "initial_communication",
    "validation_notice_sent",
]


@st.composite
def events(draw: st.DrawFn) -> Event:
    kind = draw(st.sampled_from(_KINDS))
    details = draw(_DETAILS.get(kind, st.just({})))
    return Event(
        type=kind,  # type: ignore[arg-type]
        effective_at=draw(INSTANTS),
        source=draw(st.sampled_from(["debtor", "debtor", "creditor", "collector"])),
        debt_id=draw(st.none() | DEBTS),
        details=details,
    )


@st.composite
def attempts(draw: st.DrawFn, when: st.SearchStrategy[datetime] = INSTANTS) -> Attempt:
    channel, cp = draw(st.sampled_from(ROUTES))
    outcome = draw(st.sampled_from(CALL_OUTCOMES)) if channel in ("call", "ai_voice") else None
    if channel == "ringless_voicemail":
        outcome = "ringless_voicemail"
    return Attempt(
        at=draw(when),
        channel=channel,
        contact_point_id=cp,
        debt_ids=tuple(draw(st.lists(DEBTS, min_size=1, max_size=2, unique=True))),
        outcome=outcome,  # type: ignore[arg-type]
        purpose=draw(st.sampled_from(PURPOSES)),
        consumer_initiated=draw(st.booleans()),
    )


@st.composite
def debtors(draw: st.DrawFn) -> DebtorFacts:
    zone = draw(ZONES)
    return DebtorFacts(
        timezones=(zone,),
        contact_points=points(zone),
        events=tuple(draw(st.lists(events(), max_size=6))),
        attempts=tuple(draw(st.lists(attempts(), max_size=12))),
    )


@st.composite
def requests(draw: st.DrawFn, when: st.SearchStrategy[datetime] = INSTANTS) -> ContactRequest:
    channel, cp = draw(st.sampled_from(ROUTES))
    return ContactRequest(
        contact_point_id=cp,
        channel=channel,
        at=draw(when),
        debt_id=draw(DEBTS),
        purpose=draw(st.sampled_from(PURPOSES)),
    )


@SETTINGS
@given(
    rules=RULES,
    zone=ZONES,
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    minute=st.integers(min_value=0, max_value=24 * 60 - 1),
    route=st.sampled_from([r for r in ROUTES if r[0] != "letter"]),
    purpose=st.sampled_from(PURPOSES),
)
def test_a_deny_for_quiet_hours_holds_for_every_minute_of_the_quiet_window(
    rules: Rules, zone: str, day: date, minute: int, route: tuple[Channel, str], purpose: Purpose
) -> None:
    assert rules.contact_window_start is not None
    assert rules.contact_window_end is not None
    clock = time(minute // 60, minute % 60)
    wall = datetime.combine(day, clock, tzinfo=ZoneInfo(zone))
    local_clock = wall.astimezone(ZoneInfo(zone)).time()  # a wall time in a DST gap moves forward
    quiet = not (rules.contact_window_start <= local_clock.replace(tzinfo=None) < rules.contact_window_end)
    facts = DebtorFacts(timezones=(zone,), contact_points=points(zone))
    channel, cp = route
    decision = decide(facts, ContactRequest(cp, channel, wall, debt_id="D1", purpose=purpose), rules)
    assert ("outside_contact_window" in decision.reasons) is quiet
    if quiet:
        assert not decision.allowed


@SETTINGS
@given(facts=debtors(), request=requests(), later=st.data(), rules=RULES)
def test_adding_a_later_attempt_never_changes_an_earlier_decision(
    facts: DebtorFacts, request: ContactRequest, later: st.DataObject, rules: Rules
) -> None:
    before = decide(facts, request, rules)
    # Strictly later: an attempt recorded at the same instant happened before the one being decided.
    after_request = st.integers(min_value=1, max_value=10 * 24 * 60).map(lambda m: request.at + timedelta(minutes=m))
    extra = later.draw(st.lists(attempts(after_request), min_size=1, max_size=4))
    extended = DebtorFacts(
        timezones=facts.timezones,
        contact_points=facts.contact_points,
        events=facts.events,
        attempts=(*facts.attempts, *extra),
    )
    assert decide(extended, request, rules) == before


@SETTINGS
@given(facts=debtors(), first=requests(), request=requests(), rules=RULES)
def test_a_decision_on_reused_facts_equals_one_on_fresh_facts(
    facts: DebtorFacts, first: ContactRequest, request: ContactRequest, rules: Rules
) -> None:
    """Views shared between decisions on the same facts (History._shared) never carry one instant's past."""
    decide(facts, first, rules)  # fills the shared views at another instant, for another request
    fresh = DebtorFacts(
        timezones=facts.timezones,
        contact_points=facts.contact_points,
        events=facts.events,
        attempts=facts.attempts,
        preferences=facts.preferences,
        debts=facts.debts,
    )
    assert decide(facts, request, rules) == decide(fresh, request, rules)


@SETTINGS
@given(facts=debtors(), request=requests(), shuffle=st.randoms(use_true_random=False), rules=RULES)
def test_the_decision_does_not_depend_on_the_order_of_events_and_attempts(
    facts: DebtorFacts, request: ContactRequest, shuffle: Any, rules: Rules
) -> None:
    events_, attempts_ = list(facts.events), list(facts.attempts)
    shuffle.shuffle(events_)
    shuffle.shuffle(attempts_)
    reordered = DebtorFacts(
        timezones=facts.timezones, contact_points=facts.contact_points, events=tuple(events_), attempts=tuple(attempts_)
    )
    assert decide(reordered, request, rules) == decide(facts, request, rules)


@SETTINGS
@given(
    facts=debtors(),
    received=INSTANTS,
    delay=st.integers(min_value=0, max_value=60 * 24 * 20),
    route=st.sampled_from([r for r in ROUTES if r[1] != "lawyer"]),
    purpose=st.sampled_from([p for p in PURPOSES if p not in ("cease_termination_notice", "cease_remedy_notice")]),
    debt=DEBTS,
    scoped=st.booleans(),
    rules=RULES,
)
def test_a_cease_request_denies_every_collection_request_after_its_receipt(
    facts: DebtorFacts,
    received: datetime,
    delay: int,
    route: tuple[Channel, str],
    purpose: Purpose,
    debt: str,
    scoped: bool,
    rules: Rules,
) -> None:
    cease = Event(type="cease_request", effective_at=received, debt_id=debt if scoped else None)
    with_cease = DebtorFacts(
        timezones=facts.timezones,
        contact_points=facts.contact_points,
        events=(*facts.events, cease),
        attempts=facts.attempts,
    )
    channel, cp = route
    request = ContactRequest(cp, channel, received + timedelta(minutes=delay), debt_id=debt, purpose=purpose)
    decision = decide(with_cease, request, rules)
    assert not decision.allowed
    assert "cease_communication" in decision.reasons
