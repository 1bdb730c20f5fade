"""Pre-contact decisions, contact attempts, the call ledger and call recordings.

The decision itself is the pure conduct engine (:mod:`icss.reference.conduct`); this module only
turns stored rows into its facts, stores what it decided, performs allowed contacts (into the
outbox) and records evidence of both.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select

from icss.reference import conduct

from .. import _evidence
from .._problems import MEDIA_TYPE, Problem
from .._routing import Call, Reply, handles, tenant_scoped
from .._tables import Attempt, ContactPoint, Debt, Debtor, Decision, Event, OutboxMessage, Recording
from ._common import add_duration, iso, new_id, page, parse_ts, profile_of, receipt_url, strip_none
from .parties import load_debt, load_debtor

ELECTRONIC = frozenset({"sms", "email", "ai_text"})
CALLS = frozenset({"call", "ringless_voicemail", "ai_voice"})
#: Outcomes after which a call was connected and, where the profile asks, recorded (EV-10).
RECORDED_OUTCOMES = frozenset({"conversation", "answered_dropped", "voicemail", "limited_content_message"})

# Reg F 1006.6(e): every electronic message carries a reasonable, simple way to opt out.
_OPT_OUT = {"zh": "回复“TD”退订。", "en": "Reply STOP to stop these messages."}
# Reg F 1006.18(e)(2): each subsequent communication discloses that it is from a debt collector.
_US_DISCLOSURE = "This communication is from a debt collector."
_LITIGATION = re.compile(r"\b(sue|suing|lawsuit|court|legal action|garnish)\b|起诉|诉讼|法院|强制执行", re.IGNORECASE)


# -- facts for the engine ------------------------------------------------------------------------


def _engine_events(row: Event) -> list[conduct.Event]:
    """Stored events in the engine's vocabulary (the API's details are richer than it needs)."""
    details = dict(row.details or {})

    def event(details: dict[str, Any], debt_id: str | None = row.debt_id) -> conduct.Event:
        return conduct.Event(
            type=cast(Any, row.type),
            effective_at=row.effective_at,
            source=cast(Any, row.source),
            debt_id=debt_id,
            details=details,
        )

    if row.type == "inconvenient_time":
        return [
            event({"start": r["start"], "end": r["end"], "weekdays": r["days"], "timezone": r.get("timezone")})
            for r in details.get("ranges", [])
        ]
    if row.type == "inconvenient_place":
        details = {
            "contact_point_id": details.get("contact_point_id"),
            "workplace": details.get("place") == "workplace",
        }
    if row.type in ("consent_given", "consent_revoked") and details.get("expires_at"):
        details["valid_until"] = details["expires_at"]
    if row.type == "inbound_conversation" and details.get("debt_ids"):
        return [event(details, debt_id) for debt_id in details["debt_ids"]]
    return [event(details)]


def facts_for(call: Call, debtor: Debtor) -> conduct.DebtorFacts:
    zone = debtor.timezones[0] if debtor.timezones else "UTC"
    points = call.session.execute(select(ContactPoint).where(ContactPoint.debtor_id == debtor.id)).scalars().all()
    events = call.session.execute(select(Event).where(Event.debtor_id == debtor.id)).scalars().all()
    attempts = call.session.execute(select(Attempt).where(Attempt.debtor_id == debtor.id)).scalars().all()
    debts = call.session.execute(select(Debt).where(Debt.debtor_id == debtor.id)).scalars().all()
    prefs = debtor.preferences or {}
    return conduct.DebtorFacts(
        timezones=tuple(debtor.timezones),
        contact_points=tuple(
            conduct.ContactPoint(
                id=p.id,
                kind=p.kind,  # type: ignore[arg-type]
                timezone=p.timezone or zone,
                owner=p.owner,  # type: ignore[arg-type]
                is_workplace=p.is_workplace,
                relationship=p.relationship,
            )
            for p in points
        ),
        events=tuple(e for row in events for e in _engine_events(row)),
        attempts=tuple(
            conduct.Attempt(
                at=a.at,
                channel=a.channel,  # type: ignore[arg-type]
                contact_point_id=a.contact_point_id,
                debt_ids=tuple(a.debt_ids),
                outcome=a.outcome,  # type: ignore[arg-type]
                purpose=a.purpose,  # type: ignore[arg-type]
                consumer_initiated=a.consumer_initiated,
            )
            for a in attempts
        ),
        preferences=conduct.Preferences(
            inconvenient_times=tuple(
                conduct.WeeklyRange(
                    start=time.fromisoformat(r["start"]),
                    end=time.fromisoformat(r["end"]),
                    weekdays=tuple(r["days"]),
                    timezone=r.get("timezone"),
                )
                for r in prefs.get("inconvenient_times", [])
            ),
            inconvenient_places=tuple(_place_ids(prefs.get("inconvenient_places", []), points)),
            channels=tuple(prefs["channels_allowed"]) if prefs.get("channels_allowed") else None,
        ),
        debts=tuple(conduct.Debt(id=d.id, time_barred=bool(d.data.get("time_barred"))) for d in debts),
    )


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


def _rules(call: Call, debtor: Debtor, debts: list[Debt]) -> tuple[conduct.Rules, str]:
    profile_id = debts[0].data["profile"] if debts else debtor.profile
    return conduct.Rules.from_profile(profile_of(call, profile_id)), profile_id


def _point(call: Call, debtor: Debtor, point_id: str) -> ContactPoint:
    point = call.session.get(ContactPoint, point_id)
    if point is None or point.tenant_id != call.tenant_id or point.debtor_id != debtor.id:
        raise Problem(
            "validation-failed",
            "contact_point_id is not a contact point of this debtor",
            errors=[{"pointer": "/contact_point_id", "message": "unknown contact point"}],
        )
    return point


def _debts(call: Call, debtor: Debtor, debt_ids: list[str]) -> list[Debt]:
    debts = []
    for debt_id in debt_ids:
        debt = call.session.get(Debt, debt_id)
        if debt is None or debt.tenant_id != call.tenant_id or debt.debtor_id != debtor.id:
            raise Problem(
                "validation-failed",
                "debt_ids name a debt that is not this debtor's",
                errors=[{"pointer": "/debt_ids", "message": "unknown debt"}],
            )
        debts.append(debt)
    return debts


def _decide(
    call: Call, body: dict[str, Any], at: datetime, content: str | None
) -> tuple[conduct.Decision, Debtor, list[Debt], str]:
    debtor = load_debtor(call, body["debtor_id"])
    point = _point(call, debtor, body["contact_point_id"])
    debts = _debts(call, debtor, body["debt_ids"])
    rules, profile_id = _rules(call, debtor, debts)
    facts = facts_for(call, debtor)
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
            decisions.append(conduct.decide(facts, request, rules))
        except ValueError as exc:
            raise Problem("validation-failed", str(exc)) from None
    denied = [d for d in decisions if not d.allowed]
    if denied:
        reasons = tuple(dict.fromkeys(r for d in denied for r in d.reasons))
        merged = conduct.Decision(False, reasons, decisions[0].local_times, tuple(n for d in denied for n in d.notes))
    else:
        reasons = tuple(dict.fromkeys(r for d in decisions for r in d.reasons))
        merged = conduct.Decision(True, reasons, decisions[0].local_times, ())
    return merged, debtor, debts, profile_id


def _local_times(decision: conduct.Decision, at: datetime) -> list[dict[str, str]]:
    zones = list(decision.local_times) or ["UTC"]
    return [{"timezone": z, "local_time": at.astimezone(ZoneInfo(z)).isoformat()} for z in zones]


def _store_decision(
    call: Call, body: dict[str, Any], decision: conduct.Decision, at: datetime, profile_id: str
) -> Decision:
    now = call.now()
    row = Decision(
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
    call.session.add(row)
    call.session.flush()
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
    return row


def decision_view(row: Decision) -> dict[str, Any]:
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


@handles("checkContact")
def check_contact(call: Call) -> Reply:
    body = call.body
    at = parse_ts(body.get("at"), call.now())
    decision, _, _, profile_id = _decide(call, body, at, body.get("content"))
    row = _store_decision(call, body, decision, at, profile_id)
    return Reply(200, decision_view(row), resource_id=row.id)


# -- contact attempts ----------------------------------------------------------------------------


def _content(body: dict[str, Any], profile_id: str, language: str) -> str:
    """The text as sent: the collector's text plus what the profile requires every message to carry."""
    channel = body["channel"]
    text = (body.get("content") or "").strip()
    if channel in CALLS:
        return text or f"[{channel}: {body.get('outcome') or 'attempt'}]"
    lang = "zh" if language.startswith("zh") else "en"
    if text and text[-1] not in ".!?。！？":
        text += "。" if lang == "zh" else "."
    parts = [text] if text else []
    if profile_id.startswith("us") and body["purpose"] not in ("opt_out_confirmation",) and _US_DISCLOSURE not in text:
        parts.append(_US_DISCLOSURE)
    if channel in ELECTRONIC and body["purpose"] != "opt_out_confirmation" and _OPT_OUT[lang] not in text:
        parts.append(_OPT_OUT[lang])
    return " ".join(parts)


def attempt_view(row: Attempt, extra: dict[str, Any]) -> dict[str, Any]:
    return strip_none(
        {
            "id": row.id,
            "debtor_id": row.debtor_id,
            "debt_ids": row.debt_ids,
            "contact_point_id": row.contact_point_id,
            "channel": row.channel,
            "purpose": row.purpose,
            "at": iso(row.at),
            "content": row.content,
            "outcome": row.outcome,
            "consumer_initiated": None,
            "decision_id": row.decision_id,
            "evidence_index": row.evidence_index,
            "receipt_url": receipt_url(row.evidence_index),
            **extra,
        }
    )


@handles("createContactAttempt")
def create_attempt(call: Call) -> Reply:
    body = call.body
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
    decision, debtor, _, profile_id = _decide(call, body, at, body.get("content"))
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

    point = call.session.get(ContactPoint, body["contact_point_id"])
    assert point is not None  # noqa: S101 - checked by _decide
    content = _content(body, profile_id, debtor.language)
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
        content=content,
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
            ("message", {"attempt_id": row.id, "channel": channel, "content_sha256": _sha256(content)}, debtor.id),
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
        content=content,
        ai_generated=channel in ("ai_voice", "ai_text") or bool(body.get("ai_generated")),
        sent_at=at,
        evidence_index=indices[1],
        seq=indices[1],
    )
    call.session.add(message)
    recording_id = None
    profile = profile_of(call, profile_id)
    must_record = bool(profile.value("call_recording_required")) or bool(body.get("recorded"))
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
        201, attempt_view(row, extra), headers={"Location": f"/icss/v1/contact-attempts/{row.id}"}, resource_id=row.id
    )


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
        retention_until=add_duration(at, f"P{years}Y"),
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
    debt_id = call.query.get("debt_id")
    rows = page(
        call,
        stmt,
        Attempt.id,
        lambda a: attempt_view(
            a, {"reasons": [], "counted": a.channel in CALLS and a.outcome not in ("busy", "not_in_service")}
        ),
    )
    if debt_id:
        rows["items"] = [item for item in rows["items"] if debt_id in item["debt_ids"]]
    return Reply(200, rows)


@handles("getCallFrequency")
def call_frequency(call: Call) -> Reply:
    debt = load_debt(call, call.params["debtId"])
    debtor = call.session.get(Debtor, debt.debtor_id)
    assert debtor is not None  # noqa: S101 - foreign key
    at = parse_ts(call.query.get("at"), call.now())
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
            doc["reason"] = e.exclusion or "not_connected"
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
