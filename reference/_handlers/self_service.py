"""What a debtor does for itself, and the supervisor's side of complaints.

A debtor token reaches only its own debtor (``Principal.debtor_id``); every query here is scoped by
it, so no identifier in a request can widen what the caller sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from .. import _erasure, _evidence
from .._problems import Problem
from .._routing import Call, Reply, handles, tenant_scoped
from .._tables import (
    Attempt,
    AutomatedDecision,
    Case,
    ContactPoint,
    Debt,
    Debtor,
    Decision,
    Event,
    OutboxMessage,
    Recording,
)
from . import intelligence
from ._common import add_duration, check_language, iso, new_id, page, profile_of, receipt_url, strip_none
from .contact import decision_view, recording_view, stored_attempt_views
from .events import add_event, event_view
from .intelligence import load_decision
from .parties import debt_view, debtor_view, load_debt
from .sandbox import outbox_view


def _me(call: Call) -> Debtor:
    """The caller's own debtor; erasures past their retain_until are carried out first (DS-08)."""
    who = call.who
    if who.role != "debtor" or who.debtor_id is None:
        raise Problem("forbidden", "only a debtor's own credential reaches /me")
    debtor = call.session.get(Debtor, who.debtor_id)
    if debtor is None or debtor.tenant_id != call.tenant_id:
        raise Problem("not-found")
    _erasure.sweep_due(call)
    return debtor


def _profile_id(call: Call, debtor: Debtor, debt_id: str | None) -> str:
    if debt_id:
        debt = call.session.get(Debt, debt_id)
        if debt is not None:
            return str(debt.data["profile"])
    return debtor.profile


# -- cases: disputes, complaints, data requests ------------------------------------------------------


def _late(case: Case, now: datetime) -> bool:
    due = case.due_at
    return (case.responded_at or now) > due


def _dispute_answered_at(call: Call, case: Case) -> datetime | None:
    answered: datetime | None = call.session.execute(
        select(Event.effective_at)
        .where(
            Event.tenant_id == case.tenant_id,
            Event.debt_id == case.debt_id,
            Event.type.in_(("verification_sent", "original_creditor_info_sent")),
            Event.effective_at >= case.received_at,
        )
        .order_by(Event.effective_at)
        .limit(1)
    ).scalar()
    return answered


def case_view(call: Call, case: Case) -> dict[str, Any]:
    now = call.now()
    data = dict(case.data)
    base = {
        "id": case.id,
        "debtor_id": case.debtor_id,
        "received_at": iso(case.received_at),
        "evidence_index": case.evidence_index,
        "receipt_url": receipt_url(case.evidence_index),
    }
    text = (
        call.ctx.cipher.open(case.text_sealed, tenant=case.tenant_id, field="case.text") if case.text_sealed else None
    )
    if case.kind == "dispute":
        answered = _dispute_answered_at(call, case)
        return strip_none(
            {
                **base,
                "debt_id": case.debt_id,
                **data,
                "description": text,
                # Verification (or the original creditor's name) ends the hold (Reg F 1006.34(c)(3)).
                "status": "verified" if answered else case.status,
                "hold": answered is None and case.status == "open",
                "resolved_at": iso(case.responded_at or answered),
            }
        )
    doc = {
        **base,
        "due_at": iso(case.due_at),
        "status": case.status,
        "responded_at": iso(case.responded_at),
        "late": _late(case, now),
        **data,
    }
    if case.kind == "complaint":
        doc["debt_id"] = case.debt_id
        doc["description"] = text
        doc.setdefault("responses", [])
    elif case.kind == "data_request":
        doc["description"] = text
        sealed = doc.pop("rectification_sealed", None)
        if sealed:  # the corrections asked for: personal data, sealed at rest, shown to the debtor
            doc["rectification"] = call.ctx.cipher.open(sealed, tenant=case.tenant_id, field="case.rectification")
    return strip_none(doc) | {"responded_at": iso(case.responded_at)}


def _open_case(
    call: Call,
    kind: str,
    debtor: Debtor | None,
    *,
    due_in: str,
    data: dict[str, Any],
    text: str | None = None,
    debt_id: str | None = None,
    evidence_kind: str | None = None,
) -> Case:
    now = call.now()
    case = Case(
        id=new_id({"dispute": "dsp", "complaint": "cmp", "data_request": "dsr", "incident": "inc"}[kind]),
        tenant_id=call.tenant_id,
        kind=kind,
        debtor_id=debtor.id if debtor else None,
        debt_id=debt_id,
        data=data,
        text_sealed=call.ctx.cipher.seal(text, tenant=call.tenant_id, field="case.text") if text else None,
        received_at=now,
        due_at=add_duration(now, due_in),
        status="open" if kind == "dispute" else "acknowledged",
        responded_at=None,
    )
    call.session.add(case)
    call.session.flush()
    case.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        evidence_kind or kind,
        {
            f"{kind}_id": case.id,
            "debt_id": debt_id,
            "due_at": iso(case.due_at),
            **{k: v for k, v in data.items() if k in ("type", "category", "reason")},
        },
        debtor_id=case.debtor_id,
        at=now,
    )
    return case


@handles("createDispute")
def create_dispute(call: Call) -> Reply:
    debtor = _me(call)
    body = call.body
    debt = load_debt(call, body["debt_id"])
    data = strip_none({"reason": body["reason"], "portion": body.get("portion")})
    # The debtor's own words may hold personal data: sealed like a complaint's, never copied into the event.
    case = _open_case(call, "dispute", debtor, due_in="P30D", data=data, text=body.get("description"), debt_id=debt.id)
    # The event is what the conduct engine reads: collection on the debt holds until verification (DR-02).
    event = add_event(
        call,
        debtor.id,
        "dispute",
        source="debtor",
        debt_id=debt.id,
        details=strip_none(
            {
                "form": "electronic",
                "dispute_id": case.id,
                "portion": body.get("portion"),
            }
        ),
    )
    case.data = {**case.data, "event_id": event.id}
    return Reply(201, case_view(call, case), resource_id=case.id)


@handles("listMyDisputes")
def list_disputes(call: Call) -> Reply:
    debtor = _me(call)
    stmt = select(Case).where(Case.tenant_id == call.tenant_id, Case.debtor_id == debtor.id, Case.kind == "dispute")
    return Reply(200, page(call, stmt, Case.id, lambda c: case_view(call, c)))


@handles("createComplaint")
def create_complaint(call: Call) -> Reply:
    debtor = _me(call)
    body = call.body
    if body.get("debt_id"):
        load_debt(call, body["debt_id"])
    if body.get("related_attempt_id"):
        attempt = call.session.get(Attempt, body["related_attempt_id"])
        if attempt is None or attempt.tenant_id != call.tenant_id or attempt.debtor_id != debtor.id:
            raise Problem("not-found", "related_attempt_id is not a contact attempt made to you")
    days = int(profile_of(call, _profile_id(call, debtor, body.get("debt_id"))).value("complaint_response_days"))
    data = strip_none(
        {
            "category": body["category"],
            "related_attempt_id": body.get("related_attempt_id"),
            "preferred_channel": body.get("preferred_channel"),
        }
    )
    case = _open_case(
        call, "complaint", debtor, due_in=f"P{days}D", data=data, text=body["description"], debt_id=body.get("debt_id")
    )
    case.data = {**case.data, "acknowledged_at": iso(case.received_at)}
    return Reply(201, case_view(call, case), resource_id=case.id)


@handles("listMyComplaints")
def list_my_complaints(call: Call) -> Reply:
    debtor = _me(call)
    stmt = select(Case).where(Case.tenant_id == call.tenant_id, Case.debtor_id == debtor.id, Case.kind == "complaint")
    return Reply(200, page(call, stmt, Case.id, lambda c: case_view(call, c)))


@handles("listComplaints")
def list_complaints(call: Call) -> Reply:
    stmt = select(Case).where(Case.tenant_id == call.tenant_id, Case.kind == "complaint")
    if status := call.query.get("status"):
        stmt = stmt.where(Case.status == status)
    return Reply(200, page(call, stmt, Case.id, lambda c: case_view(call, c)))


@handles("respondToComplaint")
def respond_to_complaint(call: Call) -> Reply:
    case: Case = tenant_scoped(call.session, Case, call.tenant_id, call.params["complaintId"])
    if case.kind != "complaint":
        raise Problem("not-found")
    if case.status == "closed":
        raise Problem("conflict", "the complaint is closed")
    body = call.body
    now = call.now()
    response = strip_none(
        {
            "id": new_id("rsp"),
            "complaint_id": case.id,
            "text": body["text"],
            "outcome": body["outcome"],
            "final": body["final"],
            "redress": body.get("redress"),
            "responded_at": iso(now),
            "late": now > case.due_at,
        }
    )
    response["evidence_index"] = _evidence.record(
        call.session,
        call.tenant_id,
        "complaint_response",
        {
            "complaint_id": case.id,
            "response_id": response["id"],
            "outcome": body["outcome"],
            "final": body["final"],
            "late": response["late"],
        },
        debtor_id=case.debtor_id,
        at=now,
    )
    case.data = {**case.data, "responses": [*case.data.get("responses", []), response]}
    if case.responded_at is None:
        case.responded_at = now
    case.status = "closed" if body["final"] else "responded"
    return Reply(201, response, resource_id=response["id"])


@handles("createDataRequest")
def create_data_request(call: Call) -> Reply:
    debtor = _me(call)
    body = call.body
    due = str(profile_of(call, debtor.profile).value("data_request_response"))
    data: dict[str, Any] = {"type": body["type"]}
    if body.get("rectification"):
        # PIPL art. 46, GDPR art. 16: the corrections are what the request is about; keep them (sealed).
        data["rectification_sealed"] = call.ctx.cipher.seal(
            body["rectification"], tenant=call.tenant_id, field="case.rectification"
        )
    case = _open_case(call, "data_request", debtor, due_in=due, data=data, text=body.get("description"))
    if body["type"] in ("access", "portability"):
        # The export is produced at once (exportMyData), so the request is answered on receipt.
        case.responded_at = case.received_at
        case.status = "responded"
        case.data = {**case.data, "outcome": "fulfilled"}
    return Reply(201, case_view(call, case), resource_id=case.id)


@handles("getDataRequest")
def get_data_request(call: Call) -> Reply:
    debtor = _me(call)
    case = call.session.get(Case, call.params["requestId"])
    if case is None or case.tenant_id != call.tenant_id or case.debtor_id != debtor.id or case.kind != "data_request":
        raise Problem("not-found")
    return Reply(200, case_view(call, case))


# -- preferences ---------------------------------------------------------------------------------


def _preferences_doc(debtor: Debtor) -> dict[str, Any]:
    prefs = dict(debtor.preferences or {})
    return strip_none(
        {
            "channels_allowed": prefs.get(
                "channels_allowed",
                ["call", "ringless_voicemail", "sms", "email", "letter", "visit", "ai_voice", "ai_text"],
            ),
            "inconvenient_times": prefs.get("inconvenient_times", []),
            "inconvenient_places": prefs.get("inconvenient_places", []),
            "language": prefs.get("language", debtor.language),
            "updated_at": prefs.get("updated_at"),
        }
    )


@handles("getPreferences")
def get_preferences(call: Call) -> Reply:
    return Reply(200, _preferences_doc(_me(call)))


@handles("updatePreferences")
def update_preferences(call: Call) -> Reply:
    debtor = _me(call)
    body = {k: v for k, v in call.body.items() if k != "updated_at"}
    own_points = set(
        call.session.execute(
            select(ContactPoint.id).where(ContactPoint.tenant_id == call.tenant_id, ContactPoint.debtor_id == debtor.id)
        ).scalars()
    )
    if any(p.get("contact_point_id") not in own_points for p in body["inconvenient_places"] if "contact_point_id" in p):
        # A debtor names only its own contact points; another debtor's (or no one's) is not found.
        raise Problem("not-found", "a contact_point_id of inconvenient_places is not one of yours")
    now = call.now()
    debtor.preferences = {**body, "updated_at": iso(now)}
    if body.get("language"):
        check_language(body["language"], "/language")
        # Fault dr_preferred_language_ignored (test mode): the preference is kept (getPreferences shows
        # it) but messages stay in the debtor's earlier language.
        if not call.ctx.fault("dr_preferred_language_ignored"):
            debtor.language = body["language"]
    _evidence.record(
        call.session,
        call.tenant_id,
        "event",
        {"type": "preferences_updated", "channels_allowed": body.get("channels_allowed")},
        debtor_id=debtor.id,
        at=now,
    )
    return Reply(200, _preferences_doc(debtor))


# -- the debtor's record and export ------------------------------------------------------------------


def _collect(call: Call, debtor: Debtor) -> dict[str, list[Any]]:
    def rows(model: Any, *criteria: Any) -> list[Any]:
        return list(call.session.execute(select(model).where(*criteria).order_by(model.id)).scalars())

    tid = call.tenant_id
    return {
        "debts": [
            debt_view(call, d, clear=True) for d in rows(Debt, Debt.tenant_id == tid, Debt.debtor_id == debtor.id)
        ],
        "events": [event_view(call, e) for e in rows(Event, Event.tenant_id == tid, Event.debtor_id == debtor.id)],
        "contact_decisions": [
            decision_view(d)
            for d in rows(
                Decision, Decision.tenant_id == tid, Decision.debtor_id == debtor.id, Decision.kind == "contact"
            )
        ],
        "contact_attempts": stored_attempt_views(
            call, rows(Attempt, Attempt.tenant_id == tid, Attempt.debtor_id == debtor.id)
        ),
        "messages": [
            outbox_view(call, m)
            for m in rows(OutboxMessage, OutboxMessage.tenant_id == tid, OutboxMessage.debtor_id == debtor.id)
        ],
        "decisions": [
            intelligence.decision_view(call, d, stored=True)
            for d in rows(
                AutomatedDecision, AutomatedDecision.tenant_id == tid, AutomatedDecision.debtor_id == debtor.id
            )
        ],
        "disputes": [
            case_view(call, c)
            for c in rows(Case, Case.tenant_id == tid, Case.debtor_id == debtor.id, Case.kind == "dispute")
        ],
        "complaints": [
            case_view(call, c)
            for c in rows(Case, Case.tenant_id == tid, Case.debtor_id == debtor.id, Case.kind == "complaint")
        ],
        "data_requests": [
            case_view(call, c)
            for c in rows(Case, Case.tenant_id == tid, Case.debtor_id == debtor.id, Case.kind == "data_request")
        ],
        "recordings": [
            recording_view(r)
            for r in rows(
                Recording, Recording.tenant_id == tid, Recording.debtor_id == debtor.id, Recording.deleted_at.is_(None)
            )
        ],
    }


@handles("getMyRecord")
def my_record(call: Call) -> Reply:
    debtor = _me(call)
    parts = _collect(call, debtor)
    parts.pop("recordings")
    return Reply(200, {"debtor_id": debtor.id, "generated_at": iso(call.now()), **parts})


@handles("exportMyData")
def export_my_data(call: Call) -> Reply:
    debtor = _me(call)
    parts = _collect(call, debtor)
    profile = profile_of(call, debtor.profile)
    doc = {
        "format": "icss-export/1",
        "generated_at": iso(call.now()),
        "debtor": debtor_view(call, debtor, clear=True),
        **{
            k: parts[k]
            for k in (
                "debts",
                "events",
                "contact_attempts",
                "messages",
                "recordings",
                "decisions",
                "disputes",
                "complaints",
                "data_requests",
            )
        },
        "preferences": _preferences_doc(debtor),
        "processing": {
            "controller": call.ctx.settings.collector_name,
            "purposes": ["debt collection", "compliance record keeping"],
            "legal_bases": ["performance of a contract", "legal obligation"],
            "recipients": ["the creditor of each debt listed"],
            "sources": ["the creditor", "the debtor"],
            "retention": f"{profile.value('record_retention_years')} years after the last collection activity "
            f"(recordings: {profile.value('recording_retention_years')} years from the call)",
            "automated_decisions": sorted({f"{d['model_id']} {d['model_version']}" for d in parts["decisions"]}),
        },
    }
    return Reply(200, doc)


# -- automated decisions: explanation and human review ------------------------------------------------


def _own_decision(call: Call) -> AutomatedDecision:
    """The caller's own automated decision: another debtor's, or a contact decision, is not found."""
    debtor = _me(call)
    row = load_decision(call, call.params["decisionId"])
    if row.debtor_id != debtor.id:
        raise Problem("not-found")
    return row


@handles("requestExplanation")
def request_explanation(call: Call) -> Reply:
    return intelligence.request_explanation(call, _me(call), _own_decision(call))


@handles("requestHumanReview")
def request_human_review(call: Call) -> Reply:
    return intelligence.request_human_review(call, _me(call), _own_decision(call))
