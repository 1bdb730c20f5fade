"""Hand-offs to mediation, cross-institution claims and write-offs (the interface's interop section).

OP-11: a case goes to a mediator only on the debtor's own, unrevoked agreement, carries only the data
items the indicator admits, and ends (``terminated``) when the debtor withdraws that agreement.
OP-09: a claim is registered once per holder reference, and verification answers match flags only.
OP-10: one write-off per debt, so a repeated request returns the existing one; what a 04 write-off
does to contact decisions lives in :mod:`icss.reference._holds`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import _evidence
from .._problems import Problem
from .._routing import Call, Reply, first, handles, tenant_scoped
from .._tables import Claim, Debt, Event, MediationCase, WriteOff
from ._common import add_duration, iso, new_id, parse_ts, strip_none
from .parties import load_debt, load_debtor

# -- mediation (OP-11) ------------------------------------------------------------------------------

#: OP-11: what a mediator may receive — the debtor's name and contact details, the debt amount (with the
#: creditor it is owed to, an institution rather than a person) and the dispute status. debt_history
#: (the contact and payment history) and repayment_proposals go beyond that minimum.
MEDIATION_DATA = frozenset({"debtor_name", "debtor_contact", "debt_amount", "creditor", "dispute_status"})
#: Statuses in which a case is still open, so that a withdrawn agreement ends it.
_OPEN = frozenset({"submitted", "accepted", "in_mediation"})


def _consent_missing(detail: str) -> Problem:
    return Problem(
        "validation-failed",
        detail,
        code="mediation_consent_missing",
        reasons=["mediation_consent_missing"],
        errors=[{"pointer": "/consent_event_id", "message": "no unrevoked debtor agreement to mediation"}],
    )


def _consent_lapsed(consent: Event, now: datetime) -> bool:
    details = consent.details or {}
    if details.get("expires_at") and parse_ts(str(details["expires_at"]), now) <= now:
        return True
    return bool(details.get("duration")) and add_duration(consent.effective_at, str(details["duration"])) <= now


def _revocation(call: Call, consent: Event) -> Event | None:
    """The debtor's first withdrawal of this agreement to mediation, if any (人民调解法 第二十三条)."""
    rows = call.session.execute(
        select(Event)
        .where(
            Event.tenant_id == consent.tenant_id,
            Event.debtor_id == consent.debtor_id,
            Event.type == "consent_revoked",
            Event.effective_at >= consent.effective_at,
        )
        .order_by(Event.effective_at, Event.id)
    ).scalars()
    for row in rows:
        details = row.details or {}
        if details.get("purpose") == "mediation" and details.get("consent_event_id") in (None, consent.id):
            return row
    return None


def _agreement(call: Call, debtor_id: str, event_id: str) -> Event:
    """The debtor's own, unrevoked consent_given event for mediation (人民调解法 第十七条), or a 422."""
    consent = call.session.get(Event, event_id)
    if consent is None or consent.tenant_id != call.tenant_id or consent.debtor_id != debtor_id:
        raise _consent_missing("consent_event_id is not an event of this debtor")
    if consent.type != "consent_given" or (consent.details or {}).get("purpose") != "mediation":
        raise _consent_missing("consent_event_id is not a consent_given event for the purpose mediation")
    if consent.source != "debtor":
        # PIPL 第二十三条: the debtor's separate consent — one relayed by the creditor does not count.
        raise _consent_missing("the agreement to mediation must come from the debtor (source debtor)")
    if _consent_lapsed(consent, call.now()) or _revocation(call, consent) is not None:
        raise _consent_missing("the debtor's agreement to mediation has lapsed or was withdrawn")
    return consent


def _refresh_case(call: Call, case: MediationCase) -> None:
    """Move an open case to terminated once the debtor has withdrawn its agreement (OP-11)."""
    if case.status not in _OPEN:
        return
    consent = call.session.get(Event, case.consent_event_id)
    withdrawn = _revocation(call, consent) if consent is not None else None
    if withdrawn is None:
        return
    case.status = "terminated"
    case.updated_at = withdrawn.effective_at
    case.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "mediation_case",
        {"mediation_case_id": case.id, "status": "terminated", "event_id": withdrawn.id},
        debtor_id=case.debtor_id,
        at=call.now(),
    )


def _case_view(call: Call, case: MediationCase) -> dict[str, Any]:
    summary = (
        call.ctx.cipher.open(case.summary_sealed, tenant=case.tenant_id, field="mediation.summary")
        if case.summary_sealed
        else None
    )
    return strip_none(
        {
            "id": case.id,
            "debtor_id": case.debtor_id,
            "debt_ids": list(case.debt_ids),
            "consent_event_id": case.consent_event_id,
            "mediator": dict(case.mediator),
            "data_shared": list(case.data_shared),
            "summary": summary,
            "status": case.status,
            "created_at": iso(case.created_at),
            "updated_at": iso(case.updated_at),
            "evidence_index": case.evidence_index,
        }
    )


@handles("createMediationCase")
def create_mediation_case(call: Call) -> Reply:
    body = call.body
    debtor = load_debtor(call, body["debtor_id"])
    for debt_id in body["debt_ids"]:
        if load_debt(call, debt_id).debtor_id != debtor.id:
            raise Problem(
                "validation-failed",
                "debt_ids name a debt of another debtor",
                errors=[{"pointer": "/debt_ids", "message": "not a debt of this debtor"}],
            )
    excess = [i for i, item in enumerate(body["data_shared"]) if item not in MEDIATION_DATA]
    if excess:
        raise Problem(
            "validation-failed",
            "data_shared goes beyond what a mediator may receive (OP-11): name and contact details, "
            "debt amount and creditor, dispute status",
            errors=[{"pointer": f"/data_shared/{i}", "message": "not shared with mediators"} for i in excess],
        )
    if not call.ctx.fault("op_mediation_consent_ignored"):  # test mode: any event id will do
        _agreement(call, debtor.id, body["consent_event_id"])
    now = call.now()
    case = MediationCase(
        id=new_id("med"),
        tenant_id=call.tenant_id,
        debtor_id=debtor.id,
        debt_ids=list(body["debt_ids"]),
        consent_event_id=body["consent_event_id"][:40],
        mediator=dict(body["mediator"]),
        data_shared=list(body["data_shared"]),
        summary_sealed=call.ctx.cipher.seal(body["summary"], tenant=call.tenant_id, field="mediation.summary")
        if body.get("summary")
        else None,
        status="submitted",
        created_at=now,
    )
    call.session.add(case)
    call.session.flush()
    case.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "mediation_case",
        {
            "mediation_case_id": case.id,
            "status": case.status,
            "consent_event_id": case.consent_event_id,
            "debt_ids": list(case.debt_ids),
            "data_shared": list(case.data_shared),
            "organisation": body["mediator"]["organisation"],
        },
        debtor_id=debtor.id,
        at=now,
    )
    return Reply(
        201, _case_view(call, case), headers={"Location": f"/icss/v1/mediation-cases/{case.id}"}, resource_id=case.id
    )


@handles("getMediationCase")
def get_mediation_case(call: Call) -> Reply:
    case: MediationCase = tenant_scoped(call.session, MediationCase, call.tenant_id, call.params["caseId"])
    if not call.who.may_see_debtor(case.debtor_id):
        raise Problem("not-found")  # another debtor's case: as if it did not exist
    _refresh_case(call, case)
    return Reply(200, _case_view(call, case))


# -- claims (OP-09) ---------------------------------------------------------------------------------


def _canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _claim_view(claim: Claim) -> dict[str, Any]:
    return strip_none(
        {
            "id": claim.id,
            **claim.data,
            "status": claim.status,
            "registered_at": iso(claim.registered_at),
            "fingerprint": claim.fingerprint,
            "evidence_index": claim.evidence_index,
        }
    )


def _registered(call: Call, claim_ref: str) -> Claim | None:
    found: Claim | None = first(
        call.session, select(Claim).where(Claim.tenant_id == call.tenant_id, Claim.claim_ref == claim_ref)
    )
    return found


@handles("registerClaim")
def register_claim(call: Call) -> Reply:
    content = dict(call.body)
    if content.get("debt_id"):
        load_debt(call, content["debt_id"])
    existing = _registered(call, content["claim_ref"])
    if existing is not None:
        if existing.data != content:
            raise Problem("conflict", "this claim_ref is registered with other content")
        return Reply(200, _claim_view(existing), resource_id=existing.id)
    now = call.now()
    claim = Claim(
        id=new_id("clm"),
        tenant_id=call.tenant_id,
        claim_ref=content["claim_ref"],
        data=content,
        status="registered",
        registered_at=now,
        fingerprint=base64.b64encode(hashlib.sha256(_canonical(content)).digest()).decode(),
    )
    call.session.add(claim)
    try:
        call.session.flush()
    except IntegrityError:  # a concurrent registration of the same claim_ref won the race
        raise Problem("conflict", "this claim_ref is being registered by another request") from None
    claim.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "claim",
        # The debtor is named by the participants' keyed hash only; the log keeps the fingerprint.
        {"claim_id": claim.id, "fingerprint": claim.fingerprint, "holder": content["holder"]["institution_id"]},
        debtor_id=None,
        at=now,
    )
    return Reply(201, _claim_view(claim), headers={"Location": f"/icss/v1/claims/{claim.id}"}, resource_id=claim.id)


def _matches(asserted: Any, stored: Any, same: Callable[[Any, Any], bool]) -> bool | None:
    return None if asserted is None else same(asserted, stored)


def _same_amount(asserted: Any, stored: Any) -> bool:
    return Decimal(str(asserted)) == Decimal(str(stored))


def _same_text(asserted: Any, stored: Any) -> bool:
    return hmac.compare_digest(str(asserted).encode(), str(stored).encode())


def _verify(call: Call, item: dict[str, Any]) -> dict[str, Any]:
    """Match flags for one asserted claim (OP-09): never a stored value, so nothing leaks but yes or no."""
    claim = _registered(call, item["claim_ref"])
    if claim is None:
        return {"claim_ref": item["claim_ref"], "exists": False}
    data = claim.data
    amount = _matches(item.get("amount"), data["amount"], _same_amount)
    if amount is not None and item.get("currency") is not None:
        amount = amount and item["currency"] == data["currency"]
    result = {
        "claim_ref": item["claim_ref"],
        "exists": True,
        "holder_matches": _matches(item.get("holder_institution_id"), data["holder"]["institution_id"], _same_text),
        "amount_matches": amount,
        "debtor_matches": _matches(item.get("debtor_subject"), data["debtor_subject"], _same_text),
        "status": claim.status,
    }
    if call.ctx.fault("op_claims_verification_leaks"):  # test mode: the stored registration goes back too
        result["holder"] = data["holder"]
        result["debtor_subject"] = data["debtor_subject"]
    return result


@handles("verifyClaims")
def verify_claims(call: Call) -> Reply:
    return Reply(200, {"results": [_verify(call, item) for item in call.body["items"]]})


# -- write-offs (OP-10) -----------------------------------------------------------------------------


def write_off_view(call: Call, row: WriteOff) -> dict[str, Any]:
    return strip_none(
        {
            "id": row.id,
            "debt_id": row.debt_id,
            "disposal_status": row.disposal_status,
            **row.data,
            "reason": call.ctx.cipher.open(row.reason_sealed, tenant=row.tenant_id, field="write_off.reason"),
            "status": row.status,
            # 账销案存: the claim survives and is still pursued; 完全终结: collection stops (OP-10).
            "collection_continues": row.disposal_status == "03",
            "requested_at": iso(row.requested_at),
            "decided_at": iso(row.decided_at),
            "evidence_index": row.evidence_index,
        }
    )


def _same_write_off(call: Call, row: WriteOff, item: dict[str, Any]) -> bool:
    stored = write_off_view(call, row)
    return all(stored.get(k) == v for k, v in item.items() if k != "amount") and _same_amount(
        item["amount"], stored["amount"]
    )


class _Race(Problem):
    """A concurrent request wrote first: the session is spent, so a batch cannot go on after it."""


def _write_off(call: Call, item: dict[str, Any]) -> tuple[int, WriteOff]:
    """Write off one debt: (201, new) or, for a debt written off with this content already, (200, existing)."""
    debt: Debt = load_debt(call, item["debt_id"])
    existing: WriteOff | None = first(
        call.session, select(WriteOff).where(WriteOff.tenant_id == call.tenant_id, WriteOff.debt_id == debt.id)
    )
    if existing is not None:
        if not _same_write_off(call, existing, item):
            raise Problem("conflict", f"the debt is already written off ({existing.id}) with other content")
        return 200, existing
    now = call.now()
    row = WriteOff(
        id=new_id("wo"),
        tenant_id=call.tenant_id,
        debt_id=debt.id,
        debtor_id=debt.debtor_id,
        disposal_status=item["disposal_status"],
        data=strip_none({k: item.get(k) for k in ("amount", "currency", "approval_ref", "effective_date")}),
        reason_sealed=call.ctx.cipher.seal(item["reason"], tenant=call.tenant_id, field="write_off.reason"),
        # The reference keeps no approval workflow: the supervisor's request is the decision.
        status="completed",
        requested_at=now,
        decided_at=now,
    )
    call.session.add(row)
    try:
        call.session.flush()
    except IntegrityError:  # a concurrent write-off of the same debt won the race
        raise _Race("conflict", "this debt is being written off by another request") from None
    row.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "write_off",
        {
            "write_off_id": row.id,
            "debt_id": debt.id,
            "disposal_status": row.disposal_status,
            "amount": row.data["amount"],
            "currency": row.data["currency"],
        },
        debtor_id=debt.debtor_id,
        at=now,
    )
    return 201, row


@handles("requestWriteOff")
def request_write_off(call: Call) -> Reply:
    status, row = _write_off(call, call.body)
    headers = {"Location": f"/icss/v1/write-offs/{row.id}"} if status == 201 else {}
    return Reply(status, write_off_view(call, row), headers=headers, resource_id=row.id)


@handles("requestWriteOffBatch")
def request_write_off_batch(call: Call) -> Reply:
    results: list[dict[str, Any]] = []
    for index, item in enumerate(call.body["items"]):
        # Each item stands alone: _write_off refuses before it writes anything, so a refused item leaves
        # no trace and the others go on (only a race on the same debt fails the whole batch, with 409).
        try:
            status, row = _write_off(call, item)
            results.append({"index": index, "status": status, "write_off": write_off_view(call, row)})
        except _Race:
            raise
        except Problem as problem:
            results.append({"index": index, "status": problem.status, "problem": problem.document()})
    return Reply(200, {"results": results})


@handles("getWriteOff")
def get_write_off(call: Call) -> Reply:
    row: WriteOff = tenant_scoped(call.session, WriteOff, call.tenant_id, call.params["writeOffId"])
    return Reply(200, write_off_view(call, row))
