"""Events: the facts that change what contact is allowed (consent, cease, opt-outs, disputes, ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import _evidence
from .._crypto import mask_name
from .._problems import Problem
from .._routing import Call, Reply, handles
from .._tables import ContactPoint, Debt, Event
from ._common import iso, new_id, page_by_time, parse_ts, receipt_url, strip_none
from .parties import CLEAR_VIEW_ROLES, load_debtor

#: Event types a debtor may record about itself through self-service (always with source "debtor").
DEBTOR_EVENT_TYPES = frozenset(
    {
        "consent_given",
        "consent_revoked",
        "cease_request",
        "medium_opt_out",
        "dispute",
        "inconvenient_time",
        "inconvenient_place",
        "workplace_contact_prohibited",
        "vulnerability",
        "hardship",
        "attorney_representation",
        "wrong_number",
    }
)


#: Personal data inside event details (x-icss-pii in event-input.schema.json): sealed at rest.
_PII_DETAILS = ("attorney_name",)
_SEALED = "_sealed"


def _seal_details(call: Call, details: dict[str, Any]) -> dict[str, Any]:
    personal = {k: details[k] for k in _PII_DETAILS if k in details}
    if not personal:
        return details
    rest = {k: v for k, v in details.items() if k not in personal}
    return {**rest, _SEALED: call.ctx.cipher.seal(personal, tenant=call.tenant_id, field="event.details")}


def _shown_details(call: Call, row: Event) -> dict[str, Any]:
    details = dict(row.details or {})
    sealed = details.pop(_SEALED, None)
    if sealed is not None:
        personal = call.ctx.cipher.open(sealed, tenant=row.tenant_id, field="event.details")
        clear = call.who.role in CLEAR_VIEW_ROLES
        details.update({k: v if clear else mask_name(str(v)) for k, v in personal.items()})
    return details


def event_view(call: Call, row: Event) -> dict[str, Any]:
    consent = row.type in ("consent_given", "consent_revoked")
    return strip_none(
        {
            "id": row.id,
            "debtor_id": row.debtor_id,
            "type": row.type,
            "source": row.source,
            "effective_at": iso(row.effective_at),
            "debt_id": row.debt_id,
            "details": _shown_details(call, row),
            "recorded_at": iso(row.recorded_at),
            # Consent counts only when the debtor gives it (Reg F 1006.14(b)(3)(i), 1006.6(d)(4)).
            "counts": row.source == "debtor" if consent else None,
            "evidence_index": row.evidence_index,
            "receipt_url": receipt_url(row.evidence_index),
        }
    )


def add_event(
    call: Call,
    debtor_id: str,
    kind: str,
    *,
    source: str,
    details: dict[str, Any],
    debt_id: str | None = None,
    effective_at: Any = None,
) -> Event:
    """Store an event and its evidence entry (used by recordEvent and by self-service)."""
    now = call.now()
    if debt_id is not None:
        debt = call.session.get(Debt, debt_id)
        if debt is None or debt.tenant_id != call.tenant_id or debt.debtor_id != debtor_id:
            raise Problem(
                "validation-failed",
                "debt_id is not a debt of this debtor",
                errors=[{"pointer": "/debt_id", "message": "unknown debt"}],
            )
    point_id = details.get("contact_point_id")
    if point_id is not None:
        point = (
            call.session.get(ContactPoint, {"tenant_id": call.tenant_id, "id": point_id})
            if isinstance(point_id, str)
            else None
        )
        if point is None or point.debtor_id != debtor_id:
            raise Problem(
                "validation-failed",
                "contact_point_id is not a contact point of this debtor",
                errors=[{"pointer": "/details/contact_point_id", "message": "unknown contact point"}],
            )
    effective = effective_at if effective_at is not None else now
    row = Event(
        id=new_id("ev"),
        tenant_id=call.tenant_id,
        debtor_id=debtor_id,
        debt_id=debt_id,
        type=kind,
        source=source,
        effective_at=effective,
        details=_seal_details(call, details),
        recorded_at=now,
    )
    call.session.add(row)
    call.session.flush()
    row.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "event",
        # Fault ev_entry_unnamed (test mode): the entry does not say which event it records.
        {
            "event_id": None if call.ctx.fault("ev_entry_unnamed") else row.id,
            "type": kind,
            "source": source,
            "debt_id": debt_id,
            "effective_at": iso(effective),
        },
        debtor_id=debtor_id,
        at=now,
    )
    return row


@handles("recordEvent")
def record_event(call: Call) -> Reply:
    debtor = load_debtor(call, call.params["debtorId"])
    body = call.body
    if call.who.role == "debtor" and (body["type"] not in DEBTOR_EVENT_TYPES or body["source"] != "debtor"):
        raise Problem("forbidden", f"a debtor may not record a {body['type']} event with source {body['source']}")
    effective = parse_ts(body.get("effective_at"), call.now())
    if effective > call.now():
        raise Problem("validation-failed", "effective_at lies in the future of the tenant clock")
    row = add_event(
        call,
        debtor.id,
        body["type"],
        source=body["source"],
        details=body.get("details") or {},
        debt_id=body.get("debt_id"),
        effective_at=effective,
    )
    doc = event_view(call, row)
    doc["recorded_by"] = call.who.role
    return Reply(201, doc, headers={"Location": f"/icss/v1/debtors/{debtor.id}/events"}, resource_id=row.id)


@handles("listEvents")
def list_events(call: Call) -> Reply:
    debtor = load_debtor(call, call.params["debtorId"])
    stmt = select(Event).where(Event.tenant_id == call.tenant_id, Event.debtor_id == debtor.id)
    if kind := call.query.get("type"):
        stmt = stmt.where(Event.type == kind)
    if since := call.query.get("since"):
        stmt = stmt.where(Event.effective_at >= parse_ts(since, call.now(), status=400))
    # The interface lists events by effective_at (a backdated notice sorts where it took effect).
    return Reply(200, page_by_time(call, stmt, Event.effective_at, Event.id, lambda row: event_view(call, row)))
