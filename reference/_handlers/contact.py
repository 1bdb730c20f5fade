"""Pre-contact decisions, contact attempts, the call ledger and call recordings.

The decision itself is the pure conduct engine (:mod:`icss.reference.conduct`); this module only
turns stored rows into its facts, stores what it decided, performs allowed contacts (into the
outbox) and records evidence of both.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time as time_module
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, bindparam, func, select
from sqlalchemy import cast as sql_cast

from icss.reference import conduct

from .. import _driver, _evidence, _holds
from .._db import ROLLBACK_HOOKS
from .._problems import MEDIA_TYPE, Problem
from .._routing import Call, Reply, handles, tenant_scoped
from .._tables import Attempt, ContactPoint, Debt, Debtor, Decision, Event, OutboxMessage, Recording, Tenant
from ._common import add_duration, iso, message_language, new_id, page, parse_ts, profile_of, receipt_url, strip_none
from .parties import check_debtor_scope, load_debt

ELECTRONIC = frozenset({"sms", "email", "ai_text"})
CALLS = frozenset({"call", "ringless_voicemail", "ai_voice"})
#: Outcomes after which a call was connected and, where the profile asks, recorded (EV-10).
RECORDED_OUTCOMES = frozenset({"conversation", "answered_dropped", "voicemail", "limited_content_message"})

# Reg F 1006.6(e): every electronic message carries a reasonable, simple way to opt out.
_OPT_OUT = {"zh": "回复“TD”退订。", "en": "Reply STOP to stop these messages."}
#: SC-12 (a): the collecting institution's name and that the message is about a debt owed to the creditor.
_IDENTITY = {"zh": "{collector}就您在{creditor}的欠款提醒：", "en": "From {collector}, about your debt to {creditor}:"}
# Reg F 1006.18(e)(2): each subsequent communication discloses that it is from a debt collector.
_US_DISCLOSURE = "This communication is from a debt collector."
# AI-09 (EU AI Act art. 50(1); CAC AI-content labelling; FCC 24-17): an AI agent first says that it is one.
_AI_DISCLOSURE = {
    "ai_text": {"zh": "本消息由人工智能助手发送。", "en": "You are communicating with an automated AI assistant."},
    "ai_voice": {"zh": "本次通话由人工智能语音助手发起。", "en": "You are speaking with an automated AI assistant."},
}
_LITIGATION = re.compile(r"\b(sue|suing|lawsuit|court|legal action|garnish)\b|起诉|诉讼|法院|强制执行", re.IGNORECASE)
# Reg F 1006.10(b)(2) and ICSS CP-12(c): a message to a third party never states or implies a debt.
_DEBT_WORDS = re.compile(
    r"\b(debts?|collect(ion|ions|or|ors|ing)?|arrears?|owes?|owed|owing|overdue|past[- ]due)\b"
    r"|欠款|催收|债务|欠债|逾期|还款|欠费",
    re.IGNORECASE,
)


# -- facts for the engine ------------------------------------------------------------------------


def wall_clock(value: str) -> str:
    """local_time as the engine reads it: "24:00" (allowed as a range's end) is midnight, which the
    engine's wrap-past-midnight rule turns into "to the end of the day"."""
    return "00:00" if value == "24:00" else value


def _engine_events(row: Any, *, any_consent: bool = False) -> list[conduct.Event]:
    """Stored events in the engine's vocabulary (the API's details are richer than it needs)."""
    details = dict(row.details or {})

    # Fault cp_consent_from_anyone (test mode): consent relayed by anyone is taken as the debtor's own.
    source = "debtor" if row.type == "consent_given" and any_consent else row.source

    def event(details: dict[str, Any], debt_id: str | None = row.debt_id) -> conduct.Event:
        return conduct.Event(
            type=cast(Any, row.type),
            effective_at=row.effective_at,
            source=cast(Any, source),
            debt_id=debt_id,
            details=details,
        )

    if row.type == "inconvenient_time":
        return [
            event(
                {
                    "start": wall_clock(r["start"]),
                    "end": wall_clock(r["end"]),
                    "weekdays": r["days"],
                    "timezone": r.get("timezone"),
                }
            )
            for r in details.get("ranges", [])
        ]
    if row.type == "inconvenient_place":
        details = {
            "contact_point_id": details.get("contact_point_id"),
            "workplace": details.get("place") == "workplace",
            "home": details.get("place") == "home" and not details.get("contact_point_id"),
        }
    if row.type in ("consent_given", "consent_revoked") and details.get("expires_at"):
        details["valid_until"] = details["expires_at"]
    if row.type == "inbound_conversation" and details.get("debt_ids"):
        return [event(details, debt_id) for debt_id in details["debt_ids"]]
    return [event(details)]


#: Facts already turned into the engine's terms, per debtor and state of its records (an LRU).
_FACTS: OrderedDict[tuple[Any, ...], conduct.DebtorFacts] = OrderedDict()
_FACTS_LOCK = threading.Lock()
_FACTS_SIZE = 1024


def _forget_facts() -> None:
    with _FACTS_LOCK:
        _FACTS.clear()


ROLLBACK_HOOKS.append(_forget_facts)


#: The debtor's records whose counts stamp the state of its facts (they are only ever added to).
_COUNTED = (Event, Attempt, ContactPoint, Debt)


def _record_count(model: Any) -> Any:
    table = model.__table__
    return (
        select(func.count())
        .where(table.c.tenant_id == bindparam("tenant"), table.c.debtor_id == bindparam("id"))
        .scalar_subquery()
    )


# Built once: a decision reads the counts with its debtor row (_DEBTOR_ROW); other callers, with this.
_COUNTS = select(*map(_record_count, _COUNTED))


def _facts_key(call: Call, debtor: Debtor | DebtorView) -> tuple[Any, ...]:
    """What the facts depend on. Events, attempts, contact points and debts are only ever added
    (never changed), so their counts stamp their state; the debtor row carries the rest."""
    tid, did = debtor.tenant_id, debtor.id
    counts = getattr(debtor, "record_counts", ()) or tuple(
        call.session.connection().execute(_COUNTS, {"tenant": tid, "id": did}).one()
    )
    return (
        tid,
        did,
        *counts,
        json.dumps([debtor.timezones, debtor.preferences], sort_keys=True),
        call.ctx.settings.faults if call.ctx.settings.test_mode else None,
    )


def facts_for(call: Call, debtor: Debtor | DebtorView, decided_at: datetime | None = None) -> conduct.DebtorFacts:
    """The stored facts of ``debtor`` in the engine's terms (cached while its records stay the same).

    ``decided_at``: the instant of the decision the facts are for. The engine counts attempts made
    strictly before it; an attempt already recorded at that very instant (the sandbox clock is
    frozen between calls) was made before the one being decided, so it is given one microsecond
    earlier. Without this, two calls at one frozen instant would never see each other.
    """
    key = _facts_key(call, debtor)
    with _FACTS_LOCK:
        facts = _FACTS.get(key)
        if facts is not None:
            _FACTS.move_to_end(key)
    if facts is None:
        facts = _load_facts(call, debtor)
        # Facts read after this unit wrote something could include rows it may still roll back:
        # a later, different row would bring the counts back to this key. Those are not kept.
        # (What other units of a group commit wrote is dropped by the rollback hook if lost.)
        if not (call.session.info.get("flushed") or call.session.new or call.session.dirty or call.session.deleted):
            with _FACTS_LOCK:
                _FACTS[key] = facts
                while len(_FACTS) > _FACTS_SIZE:
                    _FACTS.popitem(last=False)
    if decided_at is not None and any(a.at == decided_at for a in facts.attempts):
        earlier = timedelta(microseconds=1)
        shifted = tuple(replace(a, at=a.at - earlier) if a.at == decided_at else a for a in facts.attempts)
        facts = replace(facts, attempts=shifted)
    return facts


def _load_facts(call: Call, debtor: Debtor | DebtorView) -> conduct.DebtorFacts:
    zone = debtor.timezones[0] if debtor.timezones else "UTC"
    tid = debtor.tenant_id
    session = call.session
    # Plain rows, not ORM objects (this is the hot path of every decision); tenant first, as the
    # indexes on events and attempts lead with (tenant_id, debtor_id).
    points = session.execute(
        select(
            ContactPoint.id,
            ContactPoint.kind,
            ContactPoint.timezone,
            ContactPoint.owner,
            ContactPoint.is_workplace,
            ContactPoint.relationship,
        ).where(ContactPoint.tenant_id == tid, ContactPoint.debtor_id == debtor.id)
    ).all()
    events = session.execute(
        select(Event.type, Event.effective_at, Event.source, Event.debt_id, Event.details).where(
            Event.tenant_id == tid, Event.debtor_id == debtor.id
        )
    ).all()
    attempts = session.execute(
        select(
            Attempt.at,
            Attempt.channel,
            Attempt.contact_point_id,
            Attempt.debt_ids,
            Attempt.outcome,
            Attempt.purpose,
            Attempt.consumer_initiated,
        ).where(Attempt.tenant_id == tid, Attempt.debtor_id == debtor.id)
    ).all()
    debts = session.execute(select(Debt.id, Debt.data).where(Debt.tenant_id == tid, Debt.debtor_id == debtor.id)).all()
    prefs = debtor.preferences or {}
    return conduct.DebtorFacts(
        timezones=tuple(debtor.timezones),
        contact_points=tuple(
            conduct.ContactPoint(
                id=p.id,
                kind=p.kind,
                # Fault cp_home_zone_only (test mode): the zones of the debtor's contact points are ignored.
                timezone=zone if call.ctx.fault("cp_home_zone_only") else p.timezone or zone,
                owner=p.owner,
                is_workplace=p.is_workplace,
                relationship=p.relationship,
            )
            for p in points
        ),
        events=tuple(
            e for row in events for e in _engine_events(row, any_consent=call.ctx.fault("cp_consent_from_anyone"))
        ),
        attempts=tuple(
            conduct.Attempt(
                at=a.at,
                channel=a.channel,
                contact_point_id=a.contact_point_id,
                debt_ids=tuple(a.debt_ids),
                outcome=_engine_outcome(call, a.outcome),  # type: ignore[arg-type]
                purpose=a.purpose,
                consumer_initiated=a.consumer_initiated,
            )
            for a in attempts
        ),
        preferences=conduct.Preferences(
            inconvenient_times=tuple(
                conduct.WeeklyRange(
                    start=time.fromisoformat(wall_clock(r["start"])),
                    end=time.fromisoformat(wall_clock(r["end"])),
                    weekdays=tuple(r["days"]),
                    timezone=r.get("timezone"),
                )
                for r in prefs.get("inconvenient_times", [])
            ),
            inconvenient_places=tuple(_place_ids(prefs.get("inconvenient_places", []), points)),
            # "An omitted channel is treated as opted out": an empty list allows none (None: no preference).
            channels=tuple(prefs["channels_allowed"]) if "channels_allowed" in prefs else None,
        ),
        debts=tuple(conduct.Debt(id=d.id, time_barred=bool(d.data.get("time_barred"))) for d in debts),
    )


def _engine_outcome(call: Call, outcome: str | None) -> str | None:
    # Fault cp_unconnected_calls_counted (test mode): busy and not-in-service calls look like rings.
    if outcome in ("busy", "not_in_service") and call.ctx.fault("cp_unconnected_calls_counted"):
        return "no_answer"
    return outcome


def _place_ids(places: list[dict[str, Any]], points: Any) -> list[str]:
    """Self-service places ("not at work") as the contact points they cover."""
    ids: list[str] = []
    for place in places:
        if place.get("contact_point_id"):
            ids.append(place["contact_point_id"])
        elif place.get("place") == "workplace":
            ids.extend(p.id for p in points if p.is_workplace and p.owner == "debtor")
        elif place.get("place") == "home":
            ids.extend(p.id for p in points if p.kind == "address" and not p.is_workplace and p.owner == "debtor")
    return ids


_RULES: dict[tuple[int, str], conduct.Rules] = {}


def _rules(call: Call, debtor: Debtor | DebtorView, debts: Sequence[Debt | DebtView]) -> tuple[conduct.Rules, str]:
    profile_id = debts[0].data["profile"] if debts else debtor.profile
    key = (id(call.ctx.catalogue), profile_id)
    rules = _RULES.get(key)
    if rules is None:  # profiles are immutable data: parse each once per catalogue
        rules = _RULES[key] = conduct.Rules.from_profile(profile_of(call, profile_id))
    return rules, profile_id


@dataclass(frozen=True, slots=True)
class DebtorView:
    """The columns of a debtor a contact decision reads (the ORM object is not needed to decide)."""

    id: str
    tenant_id: str
    timezones: list[Any]
    preferences: dict[str, Any]
    profile: str
    language: str
    #: The counts of its events, attempts, contact points and debts, read with the row (see _facts_key).
    record_counts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PointView:
    id: str
    debtor_id: str
    owner: str
    relationship: str | None
    value_masked: str


@dataclass(frozen=True, slots=True)
class DebtView:
    id: str
    tenant_id: str
    debtor_id: str
    data: dict[str, Any]
    account_sealed: str | None


def _columns_of(model: Any, view: Any) -> Any:
    table = model.__table__
    return [table.c[f.name] for f in fields(view) if f.name in table.c]


# Every decision reads its debtor, contact point and debts: Core statements built once, because an ORM
# get (identity map, instance state, events) cost a third of a millisecond each, more than the rule work.
_TENANT, _DEBTOR = Tenant.__table__, Debtor.__table__
# The tenant's clock comes with the debtor (one statement instead of two), from the tenant's side of an
# outer join: no row means the credential's tenant is gone, a row without a debtor an unknown debtor.
_DEBTOR_ROW = (
    select(_TENANT.c.clock_at, *_columns_of(Debtor, DebtorView), *map(_record_count, _COUNTED))
    .select_from(_TENANT.outerjoin(_DEBTOR, and_(_DEBTOR.c.tenant_id == _TENANT.c.id, _DEBTOR.c.id == bindparam("id"))))
    .where(_TENANT.c.id == bindparam("tenant"))
)
_POINT_ROW = select(*_columns_of(ContactPoint, PointView)).where(
    ContactPoint.__table__.c.tenant_id == bindparam("tenant"), ContactPoint.__table__.c.id == bindparam("id")
)
_DEBT_ROW = select(*_columns_of(Debt, DebtView)).where(
    Debt.__table__.c.tenant_id == bindparam("tenant"), Debt.__table__.c.id == bindparam("id")
)
_DEBT_ROWS = select(*_columns_of(Debt, DebtView)).where(
    Debt.__table__.c.tenant_id == bindparam("tenant"), Debt.__table__.c.id.in_(bindparam("ids", expanding=True))
)


def _debtor(call: Call, debtor_id: str) -> DebtorView:
    """The debtor a contact is about, its record counts, and (for ``call.now()``) the tenant's clock."""
    check_debtor_scope(call, debtor_id)
    # On the session's connection: the session's own execute (autoflush, ORM plugins) doubled the cost, and
    # a decision reads these before it writes anything.
    row = call.session.connection().execute(_DEBTOR_ROW, {"tenant": call.who.require_tenant(), "id": debtor_id}).first()
    if row is None:
        raise Problem("unauthenticated", "the tenant of this credential no longer exists")
    call.know_clock(row.clock_at)
    if row.id is None:
        raise Problem("not-found")
    counts = tuple(row[-len(_COUNTED) :])
    return DebtorView(row.id, row.tenant_id, row.timezones, row.preferences, row.profile, row.language, counts)


def _point(call: Call, debtor: DebtorView, point_id: str) -> PointView:
    row = call.session.connection().execute(_POINT_ROW, {"tenant": call.tenant_id, "id": point_id}).first()
    if row is None or row.debtor_id != debtor.id:
        raise Problem(
            "validation-failed",
            "contact_point_id is not a contact point of this debtor",
            errors=[{"pointer": "/contact_point_id", "message": "unknown contact point"}],
        )
    return PointView(*row)


def _debts(call: Call, debtor: DebtorView, debt_ids: list[str]) -> list[DebtView]:
    # Nearly every request names one debt: an equality needs no IN list rendered for this execution.
    statement, params = (
        (_DEBT_ROW, {"tenant": call.tenant_id, "id": debt_ids[0]})
        if len(debt_ids) == 1
        else (_DEBT_ROWS, {"tenant": call.tenant_id, "ids": list(debt_ids)})
    )
    found = {row.id: DebtView(*row) for row in call.session.connection().execute(statement, params)}
    debts = []
    for debt_id in debt_ids:
        debt = found.get(debt_id)
        if debt is None or debt.debtor_id != debtor.id:
            raise Problem(
                "validation-failed",
                "debt_ids name a debt that is not this debtor's",
                errors=[{"pointer": "/debt_ids", "message": "unknown debt"}],
            )
        debts.append(debt)
    return debts


def _decide(
    call: Call, body: dict[str, Any], at: datetime, content: str | None, debtor: DebtorView
) -> tuple[conduct.Decision, DebtorView, PointView, list[DebtView], str]:
    point = _point(call, debtor, body["contact_point_id"])
    debts = _debts(call, debtor, body["debt_ids"])
    rules, profile_id = _rules(call, debtor, debts)
    facts = facts_for(call, debtor, at)
    electronic = body["channel"] in ELECTRONIC
    decisions = []
    targets: list[str | None] = [d.id for d in debts] or [None]
    for debt_id in targets:
        request = conduct.ContactRequest(
            contact_point_id=point.id,
            channel=body["channel"],
            at=at,
            debt_id=debt_id,
            purpose=body["purpose"],
            # The service adds the opt-out instruction itself (see _content), so a message it sends always has one.
            has_opt_out_notice=True if electronic else None,
            mentions_litigation=bool(content and _LITIGATION.search(content)),
        )
        try:
            decisions.append(_planted_faults(call, body, conduct.decide(facts, request, rules)))
        except ValueError as exc:
            raise Problem("validation-failed", str(exc)) from None
    question = _holds.ContactQuestion(body["debtor_id"], [d.id for d in debts], body["purpose"], at)
    for held in _holds.denials(call, question):  # a 04 write-off, a restricted erasure: not the engine's facts
        decisions.append(conduct.Decision(False, (cast(conduct.Reason, held),), decisions[0].local_times, ()))
    third_party = point.owner == "third_party" and point.relationship != "attorney"
    if content and third_party and _discloses_debt(call, content, debts):
        # Reg F 1006.10(b)(2), ICSS CP-12(c): content telling a third party about the debt is refused.
        reason = cast(conduct.Reason, "third_party_disclosure")
        decisions.append(conduct.Decision(False, (reason,), decisions[0].local_times, ("content discloses the debt",)))
    denied = [d for d in decisions if not d.allowed]
    if denied:
        reasons = tuple(dict.fromkeys(r for d in denied for r in d.reasons))
        merged = conduct.Decision(False, reasons, decisions[0].local_times, tuple(n for d in denied for n in d.notes))
    else:
        reasons = tuple(dict.fromkeys(r for d in decisions for r in d.reasons))
        merged = conduct.Decision(True, reasons, decisions[0].local_times, ())
    return merged, debtor, point, debts, profile_id


def _discloses_debt(call: Call, content: str, debts: list[DebtView]) -> bool:
    """Whether ``content`` names a debt, its amount, account number or creditor (CP-12(c))."""
    if _DEBT_WORDS.search(content):
        return True
    lowered = content.lower()
    for debt in debts:
        named = [str((debt.data.get("creditor") or {}).get("name") or "")]
        if debt.account_sealed:
            named.append(str(call.ctx.cipher.open(debt.account_sealed, tenant=debt.tenant_id, field="debt.account")))
        if any(name and name.lower() in lowered for name in named):
            return True
        # The amount as written ("950.00") or in whole units ("950"), not as part of a longer number.
        whole = str(debt.data.get("balance") or "").split(".")[0]
        if whole and re.search(rf"(?<![\d.]){re.escape(whole)}(?![\d]|\.\d*[1-9])", content):
            return True
    return False


# Deny reasons a fault switch of the test mode drops from the engine's decision, with the requests
# it drops them for (tests/conformance/mutants/cp.py: each makes one CP indicator fail).
_FAULT_DROPS: dict[str, tuple[str, Any]] = {
    "cp_window_ignored_for_messages": ("outside_contact_window", lambda b: b["channel"] in ELECTRONIC),
    "cp_blocked_day_ignored": ("blocked_day", lambda b: True),
    "cp_inconvenient_time_ignored": ("inconvenient_time", lambda b: True),
    "cp_call_cap_ignored": ("call_cap_7d", lambda b: True),
    "cp_post_conversation_block_ignored": ("post_conversation_block", lambda b: True),
    "cp_daily_unanswered_cap_ignored": ("daily_unanswered_cap", lambda b: True),
    "cp_daily_connected_cap_ignored": ("daily_connected_cap", lambda b: True),
    "cp_cease_ignored": ("cease_communication", lambda b: True),
    "cp_optout_confirmations_unlimited": ("medium_opted_out", lambda b: b["purpose"] == "opt_out_confirmation"),
    "cp_attorney_ignored": ("attorney_represented", lambda b: True),
    "cp_workplace_visits": ("workplace_prohibited", lambda b: b["channel"] == "visit"),
    "cp_third_party_limit_ignored": ("third_party_contact_limit", lambda b: True),
    "cp_validation_notice_missing_ignored": ("validation_notice_missing", lambda b: True),
    "cp_electronic_cap_ignored": ("electronic_message_cap", lambda b: True),
    "ai_voice_consent_ignored": ("ai_voice_consent_missing", lambda b: True),
    "dr_dispute_hold_ignored": ("dispute_pending", lambda b: True),
    "dr_vulnerable_flag_ignored": ("vulnerable_debtor", lambda b: True),
    "dr_outsourcing_notice_ignored": ("outsourcing_notice_missing", lambda b: True),
}


def _planted_faults(call: Call, body: dict[str, Any], decision: conduct.Decision) -> conduct.Decision:
    """The engine's decision, less the reasons a planted fault drops (test mode only)."""
    dropped = {reason for fault, (reason, applies) in _FAULT_DROPS.items() if applies(body) and call.ctx.fault(fault)}
    if decision.allowed or not dropped.intersection(decision.reasons):
        return decision
    left = tuple(r for r in decision.reasons if r not in dropped)
    if left:
        return conduct.Decision(False, left, decision.local_times, decision.notes)
    return conduct.Decision(True, ("allowed",), decision.local_times, ())


def _local_times(decision: conduct.Decision, at: datetime) -> list[dict[str, str]]:
    zones = list(decision.local_times) or ["UTC"]
    return [{"timezone": z, "local_time": at.astimezone(ZoneInfo(z)).isoformat()} for z in zones]


@dataclass(slots=True)
class StoredDecision:
    """A decision row as written: the columns of ``Decision``, without an ORM object to track."""

    id: str
    tenant_id: str
    debtor_id: str
    kind: str
    request: dict[str, Any]
    result: dict[str, Any]
    at: datetime
    evidence_index: int | None = None


def _store_decision(
    call: Call, body: dict[str, Any], decision: conduct.Decision, at: datetime, profile_id: str
) -> StoredDecision:
    now = call.now()
    row = StoredDecision(
        id=new_id("dec"),
        tenant_id=call.tenant_id,
        debtor_id=body["debtor_id"],
        kind="contact",
        request={k: body.get(k) for k in ("debt_ids", "contact_point_id", "channel", "purpose")} | {"at": iso(at)},
        result={
            "decision": "allow" if decision.allowed else "deny",
            "reasons": list(decision.reasons),
            "local_times": _local_times(decision, at),
            "profile": profile_id,
            "notes": list(decision.notes),
        },
        at=now,
    )
    row.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "contact_decision",
        {
            "decision_id": row.id,
            "decision": row.result["decision"],
            "reasons": list(decision.reasons),
            "channel": body["channel"],
            "purpose": body["purpose"],
            "debt_ids": body["debt_ids"],
            "contact_point_id": body["contact_point_id"],
            "evaluated_for": iso(at),
        },
        debtor_id=body["debtor_id"],
        at=now,
    )
    # One INSERT, complete (evidence index included): every checkContact writes a decision, and the
    # ORM's unit of work (track, flush, update the index) cost more than the decision itself.
    _driver.insert(call.session.connection(), _DECISION_TABLE, [{f.name: getattr(row, f.name) for f in fields(row)}])
    return row


_DECISION_TABLE = Decision.metadata.tables[Decision.__tablename__]


def decision_view(row: Decision | StoredDecision) -> dict[str, Any]:
    request, result = row.request, row.result
    return strip_none(
        {
            "decision_id": row.id,
            "decision": result["decision"],
            "reasons": result["reasons"],
            "evaluated_at": request["at"],
            "debtor_id": row.debtor_id,
            "debt_ids": request["debt_ids"],
            "contact_point_id": request["contact_point_id"],
            "channel": request["channel"],
            "purpose": request["purpose"],
            "local_times": result["local_times"],
            "profile": result.get("profile"),
            "evidence_index": row.evidence_index,
            "receipt_url": receipt_url(row.evidence_index),
        }
    )


_FAULT_CLOCK = itertools.count()


@handles("checkContact")
def check_contact(call: Call) -> Reply:
    if call.ctx.fault("op_slow_decisions") and next(_FAULT_CLOCK) % 10 == 0:
        time_module.sleep(0.6)  # test mode: one decision in ten takes 600 ms (OP-08)
    body = call.body
    debtor = _debtor(call, body["debtor_id"])  # first: it brings the tenant clock that call.now() reads
    at = parse_ts(body.get("at"), call.now())
    decision, _, _, _, profile_id = _decide(call, body, at, body.get("content"), debtor)
    row = _store_decision(call, body, decision, at, profile_id)
    return Reply(200, decision_view(row), resource_id=row.id)


# -- contact attempts ----------------------------------------------------------------------------


def _content(
    body: dict[str, Any],
    profile_id: str,
    language: str,
    *,
    third_party: bool = False,
    opt_out: bool = True,
    ai_disclosure: bool = False,
    identity: tuple[str, str] | None = None,
) -> str:
    """The text as sent: the collector's text plus what the profile requires every message to carry.

    A message to a third party never gets the debt-collector disclosure: it would tell them of the
    debt (Reg F 1006.10(b)(2); 1006.18(e)(4) exempts location communications).
    """
    channel = body["channel"]
    text = (body.get("content") or "").strip()
    lang = language  # one of MESSAGE_LANGUAGES (message_language)
    ai = _AI_DISCLOSURE[channel][lang] if ai_disclosure and channel in _AI_DISCLOSURE else ""
    if ai and text.startswith(ai):
        ai = ""  # the collector's text already opens with it
    if channel in CALLS:
        return " ".join(p for p in (ai, text or f"[{channel}: {body.get('outcome') or 'attempt'}]") if p)
    if text and text[-1] not in ".!?。！？":
        text += "。" if lang == "zh" else "."
    # SC-12 (a): every collection message names the collecting institution and the debt it is about.
    who = ""
    if identity is not None and not third_party and body["purpose"] == "collection":
        collector, creditor = identity
        who = _IDENTITY[lang].format(collector=collector, creditor=creditor)
        if collector in text and creditor in text:
            who = ""
    parts = [p for p in (ai, who, text) if p]
    disclose = profile_id.startswith("us") and not third_party and body["purpose"] != "opt_out_confirmation"
    if disclose and _US_DISCLOSURE not in text:
        parts.append(_US_DISCLOSURE)
    if channel in ELECTRONIC and body["purpose"] != "opt_out_confirmation" and _OPT_OUT[lang] not in text and opt_out:
        parts.append(_OPT_OUT[lang])
    return " ".join(parts)


def attempt_view(call: Call, row: Attempt, extra: dict[str, Any]) -> dict[str, Any]:
    return strip_none(
        {
            "id": row.id,
            "debtor_id": row.debtor_id,
            "debt_ids": row.debt_ids,
            "contact_point_id": row.contact_point_id,
            "channel": row.channel,
            "purpose": row.purpose,
            "at": iso(row.at),
            "content": call.ctx.cipher.open_text(row.content, tenant=row.tenant_id, field="attempt.content"),
            "outcome": row.outcome,
            "consumer_initiated": None,
            "decision_id": row.decision_id,
            "evidence_index": row.evidence_index,
            "receipt_url": receipt_url(row.evidence_index),
            **extra,
        }
    )


def stored_attempt_views(call: Call, rows: Sequence[Attempt]) -> list[dict[str, Any]]:
    """Attempts as createContactAttempt answered them, rebuilt from the stored rows (three queries in all)."""
    session = call.session
    ids = [a.id for a in rows]
    decisions = {
        d.id: d
        for d in session.execute(
            select(Decision).where(Decision.id.in_([a.decision_id for a in rows if a.decision_id]))
        ).scalars()
    }
    messages = {
        m.attempt_id: m
        for m in session.execute(select(OutboxMessage).where(OutboxMessage.attempt_id.in_(ids))).scalars()
    }
    recordings = {
        r.attempt_id: r
        for r in session.execute(
            select(Recording).where(Recording.attempt_id.in_(ids), Recording.deleted_at.is_(None))
        ).scalars()
    }
    views = []
    for a in rows:
        decision = decisions.get(a.decision_id or "")
        message = messages.get(a.id)
        recording = recordings.get(a.id)
        counted = a.channel in CALLS and a.outcome not in ("busy", "not_in_service")
        extra = {
            "reasons": list(decision.result["reasons"]) if decision else ["allowed"],
            "counted": counted,
            "excluded_reason": None if counted else ("not_a_call" if a.channel not in CALLS else "not_connected"),
            "outbox_message_id": message.id if message else None,
            "ai_generated": message.ai_generated if message else None,
            "recording_id": recording.id if recording else None,
            "recorded": recording is not None,
        }
        views.append(attempt_view(call, a, extra))
    return views


@handles("createContactAttempt")
def create_attempt(call: Call) -> Reply:
    body = call.body
    debtor = _debtor(call, body["debtor_id"])  # first: it brings the tenant clock that call.now() reads
    now = call.now()
    at = parse_ts(body.get("at"), now)
    if at > now or at < now - timedelta(days=1):
        raise Problem(
            "validation-failed",
            "at may only log an attempt made within the last day on the tenant clock",
            errors=[{"pointer": "/at", "message": "out of range"}],
        )
    channel = body["channel"]
    if channel in CALLS and "outcome" not in body:
        raise Problem(
            "validation-failed",
            "a telephone attempt reports its outcome",
            errors=[{"pointer": "/outcome", "message": "required for calls"}],
        )
    decision, debtor, point, debts, profile_id = _decide(call, body, at, body.get("content"), debtor)
    decision_row = _store_decision(call, body, decision, at, profile_id)
    if not decision.allowed:
        # The refusal is committed as evidence, so this is a reply, not a raised (rolled-back) problem.
        problem = Problem(
            "contact-denied",
            "the contact is not allowed now",
            reasons=list(decision.reasons),
            decision_id=decision_row.id,
            evidence_index=decision_row.evidence_index,
        )
        return Reply(409, problem.document(), media_type=MEDIA_TYPE, resource_id=decision_row.id)

    third_party = point.owner == "third_party" and point.relationship != "attorney"
    # Fault cp_no_opt_out (test mode): electronic messages go out without the opt-out instruction.
    # DR-10: the message is written in the debtor's preferred language where it is one the service lists.
    language = message_language(debtor.language)
    content = _content(
        body,
        profile_id,
        language,
        third_party=third_party,
        opt_out=not call.ctx.fault("cp_no_opt_out"),
        # Fault ai_disclosure_missing (test mode): AI text and AI voice contacts do not say they are an AI.
        ai_disclosure=bool(profile_of(call, profile_id).value("ai_disclosure_required"))
        and not call.ctx.fault("ai_disclosure_missing"),
        # Fault sc_identity_missing (test mode): collection messages do not say who sends them or why.
        identity=None
        if call.ctx.fault("sc_identity_missing") or not debts
        else (call.ctx.settings.collector_name, str(debts[0].data["creditor"]["name"])),
    )
    if call.ctx.fault("sc_us_disclosure_missing"):  # test mode: the debt-collector disclosure is left out
        content = " ".join(content.replace(_US_DISCLOSURE, "").split())
    outcome = body.get("outcome") if channel in CALLS else None
    row = Attempt(
        id=new_id("att"),
        tenant_id=call.tenant_id,
        debtor_id=debtor.id,
        debt_ids=body["debt_ids"],
        contact_point_id=point.id,
        channel=channel,
        purpose=body["purpose"],
        outcome=outcome,
        consumer_initiated=False,
        at=at,
        # What the collector wrote may name anyone and anything: sealed at rest like other personal data.
        content=call.ctx.cipher.seal_text(content, tenant=call.tenant_id, field="attempt.content"),
        decision_id=decision_row.id,
    )
    call.session.add(row)
    call.session.flush()
    counted = channel in CALLS and outcome not in ("busy", "not_in_service")
    indices = _evidence.record_many(
        call.session,
        call.tenant_id,
        [
            (
                "contact_attempt",
                {
                    "attempt_id": row.id,
                    "decision_id": decision_row.id,
                    "channel": channel,
                    "purpose": body["purpose"],
                    "outcome": outcome,
                    "debt_ids": body["debt_ids"],
                    "contact_point_id": point.id,
                    "at": iso(at),
                },
                debtor.id,
            ),
            (
                "message",
                {"attempt_id": row.id, "channel": channel, "content_sha256": _sha256(content)}
                # Fault ev_message_content_in_clear (test mode): the message text goes into the log.
                | ({"content": content} if call.ctx.fault("ev_message_content_in_clear") else {}),
                debtor.id,
            ),
        ],
        at=now,
    )
    row.evidence_index = indices[0]
    message = OutboxMessage(
        id=new_id("msg"),
        tenant_id=call.tenant_id,
        attempt_id=row.id,
        debtor_id=debtor.id,
        debt_id=body["debt_ids"][0] if body["debt_ids"] else None,
        contact_point_id=point.id,
        channel=channel,
        recipient=point.value_masked,
        purpose=body["purpose"],
        content=call.ctx.cipher.seal_text(content, tenant=call.tenant_id, field="outbox.content"),
        language=language,
        ai_generated=channel in ("ai_voice", "ai_text") or bool(body.get("ai_generated")),
        sent_at=at,
        evidence_index=indices[1],
        seq=indices[1],
    )
    call.session.add(message)
    recording_id = None
    profile = profile_of(call, profile_id)
    must_record = bool(profile.value("call_recording_required")) or bool(body.get("recorded"))
    if call.ctx.fault("ev_calls_not_recorded"):  # test mode: the profile's recording duty is ignored
        must_record = bool(body.get("recorded"))
    if channel in CALLS and outcome in RECORDED_OUTCOMES and must_record:
        recording_id = _record_call(call, row, debtor.id, at, profile)
    extra = {
        "outbox_message_id": message.id,
        "recording_id": recording_id,
        "reasons": list(decision.reasons),
        "counted": counted,
        "excluded_reason": None if counted else ("not_a_call" if channel not in CALLS else "not_connected"),
        "created_at": iso(now),
        "ai_generated": message.ai_generated,
        "duration_seconds": body.get("duration_seconds"),
        "recorded": recording_id is not None,
    }
    return Reply(
        201,
        attempt_view(call, row, extra),
        headers={"Location": f"/icss/v1/contact-attempts/{row.id}"},
        resource_id=row.id,
    )


def cast_text(column: Any) -> Any:
    return sql_cast(column, String)


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


def _record_call(call: Call, attempt: Attempt, debtor_id: str, at: datetime, profile: Any) -> str:
    years = int(profile.value("recording_retention_years"))
    rec = Recording(
        id=new_id("rec"),
        tenant_id=call.tenant_id,
        attempt_id=attempt.id,
        debtor_id=debtor_id,
        call_at=at,
        # Fault ev_recording_retention_short (test mode): kept a year less than the profile requires.
        retention_until=add_duration(at, f"P{years - 1 if call.ctx.fault('ev_recording_retention_short') else years}Y"),
        deleted_at=None,
    )
    call.session.add(rec)
    _evidence.record(
        call.session,
        call.tenant_id,
        "recording",
        {"recording_id": rec.id, "attempt_id": attempt.id, "retention_until": iso(rec.retention_until)},
        debtor_id=debtor_id,
        at=call.now(),
    )
    return rec.id


@handles("listContactAttempts")
def list_attempts(call: Call) -> Reply:
    stmt = select(Attempt).where(Attempt.tenant_id == call.tenant_id)
    if debtor_id := call.query.get("debtor_id"):
        stmt = stmt.where(Attempt.debtor_id == debtor_id)
    if debt_id := call.query.get("debt_id"):
        # debt_ids is a JSON array of ids; ids are URL-safe (the parameter's pattern), so a quoted match is exact.
        stmt = stmt.where(cast_text(Attempt.debt_ids).contains(f'"{debt_id}"'))
    if channel := call.query.get("channel"):
        stmt = stmt.where(Attempt.channel == channel)
    if since := call.query.get("since"):
        stmt = stmt.where(Attempt.at >= parse_ts(since, call.now(), status=400))
    if until := call.query.get("until"):
        stmt = stmt.where(Attempt.at < parse_ts(until, call.now(), status=400))
    if call.ctx.fault("ev_attempts_purged_early"):  # test mode: records go after two years, not the profile's
        stmt = stmt.where(Attempt.at >= call.now() - timedelta(days=730))
    result = page(call, stmt, Attempt.id, lambda a: a)
    result["items"] = stored_attempt_views(call, result["items"])
    return Reply(200, result)


@handles("getContactAttempt")
def get_attempt(call: Call) -> Reply:
    row = tenant_scoped(call.session, Attempt, call.tenant_id, call.params["attemptId"])
    if call.ctx.fault("ev_attempts_purged_early") and row.at < call.now() - timedelta(days=730):
        raise Problem("not-found")  # test mode: as listContactAttempts, records go after two years
    return Reply(200, stored_attempt_views(call, [row])[0], resource_id=row.id)


@handles("getCallFrequency")
def call_frequency(call: Call) -> Reply:
    debt = load_debt(call, call.params["debtId"])
    debtor = call.session.get(Debtor, debt.debtor_id)
    assert debtor is not None  # noqa: S101 - foreign key
    at = parse_ts(call.query.get("at"), call.now(), status=400)
    rules, _profile = _rules(call, debtor, [debt])
    summary = conduct.call_frequency(facts_for(call, debtor), debt.id, at, rules)
    zone = ZoneInfo(summary.timezone)
    attempts = call.session.execute(select(Attempt).where(Attempt.debtor_id == debtor.id)).scalars().all()
    by_key = {(a.at, a.contact_point_id): a.id for a in attempts}

    def entry(e: conduct.CallEntry, excluded: bool) -> dict[str, Any]:
        doc = {
            "attempt_id": by_key.get((e.at, e.contact_point_id), "inbound"),
            "at": iso(e.at),
            "outcome": e.outcome or "conversation",
            "channel": e.channel,
        }
        if excluded:
            # The engine says "consent"; the interface's vocabulary is consent_exclusion (ICSS CP-06(c)).
            reason = e.exclusion or "not_connected"
            doc["reason"] = "consent_exclusion" if reason == "consent" else reason
        return doc

    def local_midnight(day: Any) -> str | None:
        return iso(datetime.combine(day, time(0), tzinfo=zone))

    block = summary.conversation_block_until
    doc = {
        "debt_id": debt.id,
        "debtor_id": debtor.id,
        "at": iso(at),
        "window_start": local_midnight(summary.window_start),
        "window_end": local_midnight(summary.window_end + timedelta(days=1)),
        "limit": summary.cap if summary.cap is not None else 0,
        "counted_count": summary.counted_calls,
        "counted_calls": [entry(e, False) for e in summary.counted],
        "excluded_calls": [entry(e, True) for e in summary.excluded],
        "conversation_block_until": local_midnight(block + timedelta(days=1)) if block else None,
        "presumption": summary.presumption,
    }
    return Reply(200, doc)


# -- recordings ------------------------------------------------------------------------------------


def recording_view(rec: Recording) -> dict[str, Any]:
    return {
        "id": rec.id,
        "attempt_id": rec.attempt_id,
        "debtor_id": rec.debtor_id,
        "call_at": iso(rec.call_at),
        "retention_until": iso(rec.retention_until),
        "legal_hold": False,
    }


@handles("getRecording")
def get_recording(call: Call) -> Reply:
    rec: Recording = tenant_scoped(call.session, Recording, call.tenant_id, call.params["recordingId"])
    if rec.deleted_at is not None or not call.who.may_see_debtor(rec.debtor_id):
        raise Problem("not-found")
    return Reply(200, recording_view(rec))


@handles("deleteRecording")
def delete_recording(call: Call) -> Reply:
    rec: Recording = tenant_scoped(call.session, Recording, call.tenant_id, call.params["recordingId"])
    if rec.deleted_at is not None:
        raise Problem("not-found")
    now = call.now()
    if now < rec.retention_until:
        # Reg F 1006.100(b): a recording is kept three years from the call (profile: recording_retention_years).
        raise Problem("retention-hold", f"kept until {iso(rec.retention_until)}", reasons=["retention_period_active"])
    rec.deleted_at = now
    _evidence.record(
        call.session, call.tenant_id, "recording_deleted", {"recording_id": rec.id}, debtor_id=rec.debtor_id, at=now
    )
    return Reply(204, resource_id=rec.id)


__all__ = ["UTC", "facts_for"]
