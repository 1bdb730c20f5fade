"""Health, version, capabilities, the audit log, statistics and data-breach incidents."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from importlib.metadata import version as dist_version
from statistics import median
from typing import Any

from sqlalchemy import func, select, text

from .. import _evidence
from .._problems import MEDIA_TYPE, Problem
from .._routing import Call, Reply, handles, implemented, tenant_scoped
from .._tables import Attempt, AuditRecord, Case, Debt, Decision
from ._common import MESSAGE_LANGUAGES, iso, limit_of, new_id, parse_ts, profile_of, strip_none
from .self_service import case_view

_ACTIONS = (
    ("issueToken", "authenticate"),
    ("export", "export"),
    ("get", "read"),
    ("list", "read"),
    ("delete", "delete"),
    ("update", "update"),
    ("set", "update"),
    ("advance", "update"),
    ("respond", "update"),
)
#: Operations whose responses carry personal data in clear for some role (DS-11 marks them).
_PII_OPERATIONS = frozenset(
    {
        "getDebtor",
        "createDebtor",
        "updateDebtor",
        "getMyRecord",
        "exportMyData",
        "getDebt",
        "createDebt",
        "getValidationNotice",
        "listDebtors",
    }
)


@handles("getHealth")
def health(call: Call) -> Reply:
    try:
        call.session.execute(text("SELECT 1"))
    except Exception:  # any failure of the database is what this check reports
        # The interface answers an unhealthy service with 503 and a problem document (no detail of
        # the failure: its text may name hosts or hold statement parameters).
        doc = {"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "database: fail"}
        return Reply(503, doc, media_type=MEDIA_TYPE)
    return Reply(
        200,
        {"status": "pass", "checked_at": iso(datetime.now().astimezone()), "checks": {"database": {"status": "pass"}}},
    )


@handles("getVersion")
def version(call: Call) -> Reply:
    return Reply(
        200,
        {
            "service": "icss-reference",
            "service_version": dist_version("icss"),
            "spec_version": call.ctx.catalogue.version,
            "api_version": "v1",
        },
    )


@handles("getCapabilities")
def capabilities(call: Call) -> Reply:
    done = implemented()
    features = ["evidence_log"]
    if call.ctx.settings.sandbox_enabled:
        features.insert(0, "sandbox")
    for feature, operation in (
        ("streaming_script_checks", "streamScriptChecks"),
        ("intelligent_services", "assessRepaymentCapacity"),
        ("mediation", "createMediationCase"),
        ("claims", "registerClaim"),
        ("write_offs", "requestWriteOff"),
    ):
        if operation in done:
            features.append(feature)
    doc = {
        "spec_version": call.ctx.catalogue.version,
        "levels": [1],
        "profiles": sorted(call.ctx.catalogue.profiles),
        "features": features,
        # DR-10: the languages messages to debtors are written in; a preferred one among them is followed.
        "languages": list(MESSAGE_LANGUAGES),
        # CONC 7.9 (DR-12): numbers offered to debtors are geographic or free, never premium-rate.
        "debtor_contact_numbers": [
            {
                "number": "+864000000000",
                "kind": "national_rate",
                "country": "CN",
                "label": "reference service (placeholder, non-premium)",
            }
        ],
        "limits": {"batch_max_items": 1000, "page_max_limit": 500, "body_max_bytes": call.ctx.settings.max_body_bytes},
    }
    return Reply(200, doc)


# -- audit ---------------------------------------------------------------------------------------


def _action(record: AuditRecord) -> str:
    if record.status in (401, 403):
        return "deny"
    for prefix, action in _ACTIONS:
        if record.operation.startswith(prefix):
            return action
    return "create"


def _resource_type(operation: str) -> str:
    for prefix in (
        "get",
        "list",
        "create",
        "update",
        "delete",
        "record",
        "issue",
        "add",
        "report",
        "register",
        "request",
        "respond",
        "set",
        "advance",
        "check",
        "export",
        "assess",
        "propose",
        "diagnose",
        "verify",
    ):
        if operation.startswith(prefix):
            rest = operation[len(prefix) :] or operation
            return rest[0].lower() + rest[1:]
    return operation


def audit_view(record: AuditRecord) -> dict[str, Any]:
    actor = {"role": record.role if record.role != "-" else "admin", "client_id": record.actor}
    outcome = "denied" if record.status in (401, 403) else ("error" if record.status >= 400 else "success")
    return strip_none(
        {
            "id": f"aud-{record.id}",
            "at": iso(record.at),
            "actor": actor,
            "action": _action(record),
            "resource": strip_none({"type": _resource_type(record.operation), "id": record.resource_id}),
            "pii_accessed": record.operation in _PII_OPERATIONS and outcome == "success",
            "outcome": outcome,
            "request_id": record.operation,
        }
    )


@handles("getAuditLog")
def audit_log(call: Call) -> Reply:
    stmt = select(AuditRecord).where(AuditRecord.tenant_id == call.tenant_id)
    if since := call.query.get("since"):
        stmt = stmt.where(AuditRecord.at >= parse_ts(since, call.now(), status=400))
    if until := call.query.get("until"):
        stmt = stmt.where(AuditRecord.at < parse_ts(until, call.now(), status=400))
    if role := call.query.get("actor_role"):
        stmt = stmt.where(AuditRecord.role == role)
    if resource_id := call.query.get("resource_id"):
        stmt = stmt.where(AuditRecord.resource_id == resource_id)
    limit = limit_of(call)
    cursor = call.query.get("cursor")
    if cursor:
        if not cursor.isdigit():
            raise Problem("validation-failed", "the cursor is not one this service issued", status=400)
        stmt = stmt.where(AuditRecord.id > int(cursor))
    rows = list(call.session.execute(stmt.order_by(AuditRecord.id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return Reply(
        200, {"items": [audit_view(r) for r in rows], "next_cursor": str(rows[-1].id) if more and rows else None}
    )


# -- statistics ----------------------------------------------------------------------------------


def _period(call: Call) -> tuple[datetime, datetime]:
    now = call.now()
    end = parse_ts(call.query.get("to"), now, status=400)
    start = parse_ts(call.query.get("from"), end - timedelta(days=30), status=400)
    if start >= end:
        raise Problem("validation-failed", "from must be before to", status=400)
    return start, end


@handles("getComplaintStats")
def complaint_stats(call: Call) -> Reply:
    start, end = _period(call)
    cases = list(
        call.session.execute(
            select(Case).where(
                Case.tenant_id == call.tenant_id,
                Case.kind == "complaint",
                Case.received_at >= start,
                Case.received_at < end,
            )
        ).scalars()
    )
    now = call.now()
    responded = [c for c in cases if c.responded_at is not None]
    on_time = [c for c in responded if c.responded_at is not None and c.responded_at <= c.due_at]
    late = [c for c in cases if (c.responded_at or now) > c.due_at]
    hours = [((c.responded_at - c.received_at).total_seconds() / 3600) for c in responded if c.responded_at]
    accounts = call.session.execute(
        select(func.count()).select_from(Debt).where(Debt.tenant_id == call.tenant_id)
    ).scalar_one()
    outcomes = Counter(r["outcome"] for c in cases for r in c.data.get("responses", [])[-1:])
    doc = {
        "period": {"from": iso(start), "to": iso(end)},
        "received": len(cases),
        "responded": len(responded),
        "responded_on_time": len(on_time),
        "late": len(late),
        "open": len(cases) - len(responded),
        "by_category": dict(Counter(c.data.get("category", "other") for c in cases)),
        "by_outcome": dict(outcomes),
        "median_response_hours": round(median(hours), 2) if hours else None,
        "per_1000_accounts": round(len(cases) * 1000 / accounts, 2) if accounts else None,
    }
    return Reply(200, doc)


@handles("getContactStats")
def contact_stats(call: Call) -> Reply:
    start, end = _period(call)
    attempts = list(
        call.session.execute(
            select(Attempt).where(Attempt.tenant_id == call.tenant_id, Attempt.at >= start, Attempt.at < end)
        ).scalars()
    )
    decisions = list(
        call.session.execute(
            select(Decision).where(
                Decision.tenant_id == call.tenant_id,
                Decision.kind == "contact",
                Decision.at >= start,
                Decision.at < end,
            )
        ).scalars()
    )
    verdicts = Counter(d.result["decision"] for d in decisions)
    denials = Counter(r for d in decisions if d.result["decision"] == "deny" for r in d.result["reasons"])
    electronic: Counter[str] = Counter()
    for a in attempts:
        if a.channel in ("sms", "email", "ai_text") and a.at >= end - timedelta(days=7):
            electronic[a.debtor_id] += 1
    doc = {
        "period": {"from": iso(start), "to": iso(end)},
        "attempts_by_channel": dict(Counter(a.channel for a in attempts)),
        "decisions": {"allow": verdicts.get("allow", 0), "deny": verdicts.get("deny", 0)},
        "denials_by_reason": dict(denials),
        "conversations": sum(a.outcome == "conversation" for a in attempts),
        "right_party_contacts": sum(a.outcome == "conversation" for a in attempts),
        "presumed_violations": 0,  # every call passes the engine first, so none can be placed in excess
        "max_electronic_messages_per_debtor_7d": max(electronic.values(), default=0),
    }
    return Reply(200, doc)


# -- incidents -----------------------------------------------------------------------------------


#: The notifications of a breach that DS-10 asks to be shown, null until recorded.
_NOTIFICATIONS = ("authority_notified_at", "subjects_notified_at", "subjects_notice")


def incident_view(call: Call, case: Case) -> dict[str, Any]:
    # late is case_view's: responded_at (here the authority notification) or now, after due_at.
    doc = case_view(call, case)
    doc.pop("debtor_id", None)
    doc.pop("receipt_url", None)
    return doc | {name: case.data.get(name) for name in _NOTIFICATIONS}


@handles("reportIncident")
def report_incident(call: Call) -> Reply:
    body = call.body
    now = call.now()
    detected = parse_ts(body["detected_at"], now)
    if detected > now:
        raise Problem("validation-failed", "detected_at lies in the future")
    profile = profile_of(call, call.tenant.profile)
    hours = int(profile.value("breach_notification_hours"))
    if call.ctx.fault("ds_breach_hours_wrong"):  # test mode: a day more than the profile allows
        hours += 24
    case = Case(
        id=new_id("inc"),
        tenant_id=call.tenant_id,
        kind="incident",
        debtor_id=None,
        debt_id=None,
        data=strip_none(
            {
                "detected_at": iso(detected),
                "kind": body["kind"],
                "description": body["description"],
                "data_categories": body.get("data_categories"),
                "affected_subjects_estimate": body.get("affected_subjects_estimate"),
                "contained_at": body.get("contained_at"),
                "profile": profile.id,
            }
        ),
        text_sealed=None,
        received_at=now,
        # GDPR Art. 33 / PIPL 第五十七条: the clock runs from awareness (detected_at), not from reporting.
        due_at=detected + timedelta(hours=hours),
        status="in_progress",
        responded_at=None,
    )
    call.session.add(case)
    call.session.flush()
    case.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "incident",
        {"incident_id": case.id, "kind": body["kind"], "due_at": iso(case.due_at)},
        debtor_id=None,
        at=now,
    )
    return Reply(201, incident_view(call, case), resource_id=case.id)


def _incident(call: Call) -> Case:
    case: Case = tenant_scoped(call.session, Case, call.tenant_id, call.params["incidentId"])
    if case.kind != "incident":
        raise Problem("not-found")
    return case


@handles("getIncident")
def get_incident(call: Call) -> Reply:
    return Reply(200, incident_view(call, _incident(call)))


@handles("recordIncidentNotification")
def record_incident_notification(call: Call) -> Reply:
    """DS-10: the authority, or the individuals with the notice they were sent, were notified at notified_at."""
    case = _incident(call)
    body = call.body
    now = call.now()
    notified = parse_ts(body["notified_at"], now)
    if notified < parse_ts(case.data["detected_at"], now):
        raise Problem("validation-failed", "notified_at lies before the incident's detected_at")
    if notified > now:
        raise Problem("validation-failed", "notified_at lies in the future")
    recipient = body["recipient"]
    member = f"{recipient}_notified_at"
    if case.data.get(member) is not None:
        raise Problem("conflict", f"the notification of the {recipient} is already recorded")
    data = {**case.data, member: iso(notified)}
    if recipient == "subjects":
        data["subjects_notice"] = body["notice"]
    else:
        # The authority notification answers the incident: late compares it, not now, with due_at.
        case.responded_at = notified
        case.status = "responded"
    case.data = data
    _evidence.record(
        call.session,
        call.tenant_id,
        "incident_notification",
        {"incident_id": case.id, "recipient": recipient, "notified_at": iso(notified), "due_at": iso(case.due_at)},
        debtor_id=None,
        at=now,
    )
    return Reply(200, incident_view(call, case), resource_id=case.id)
