"""A supervisor resolves a debtor's erasure request: completed, refused or restricted (DS-08).

The service, not the supervisor, decides what must be kept: ``completed`` is refused with 409
retention-hold while records of a collection activity are within record_retention_years (EV-09),
and ``restricted`` names the retained categories with the profile's legal basis and a retain_until of
the last collection activity plus that many years. See :mod:`icss.reference._erasure` for the erasure
itself and :mod:`icss.reference._holds` for the contact decisions a restriction stops.
"""

from __future__ import annotations

from typing import Any

from .. import _erasure, _evidence
from .._problems import Problem
from .._routing import Call, Reply, handles, tenant_scoped
from .._tables import Case, Debtor, Erasure
from ._common import iso, profile_of, strip_none
from .self_service import case_view

#: What the data request reads once resolved: (status of the deadline, outcome of the request).
_OUTCOMES = {
    "completed": ("responded", "fulfilled"),
    "restricted": ("responded", "partially_fulfilled"),
    "refused": ("refused", "refused"),
}


@handles("resolveDataRequest")
def resolve_data_request(call: Call) -> Reply:
    case: Case = tenant_scoped(call.session, Case, call.tenant_id, call.params["requestId"])
    if case.kind != "data_request" or case.debtor_id is None:
        raise Problem("not-found")
    if case.data.get("type") != "erasure":
        raise Problem("validation-failed", "only erasure requests are resolved through this operation")
    if case.data.get("erasure") or call.session.get(Erasure, case.id) is not None:
        raise Problem("conflict", "this erasure request is already resolved")
    debtor = tenant_scoped(call.session, Debtor, call.tenant_id, case.debtor_id)
    status: str = call.body["status"]
    now = call.now()
    profile = profile_of(call, debtor.profile)
    last = _erasure.last_collection_activity(call.session, call.tenant_id, debtor.id)
    floor = _erasure.retention_floor(profile, last) if last is not None else None
    resolution: dict[str, Any] = {"status": status, "resolved_at": iso(now), "last_collection_activity_at": iso(last)}
    retain_until = None
    if status == "completed":
        if floor is not None and floor > now:
            raise Problem(
                "retention-hold",
                f"records of collection activity are kept until {iso(floor)}: restrict the request instead",
                reasons=["retention_period_active"],
            )
        keep = call.ctx.fault("ds_erasure_keeps_contact_points")
        _erasure.erase(call.session, call.ctx.cipher, debtor, keep_contact_points=keep)
        resolution["erased_at"] = iso(now)
    elif status == "restricted":
        if floor is None or floor <= now:
            raise Problem("conflict", "no record of this debtor has to be kept: complete the erasure instead")
        retain_until = floor
        resolution["retained"] = _erasure.retained_records(call.session, call.tenant_id, debtor.id, profile, floor)
        resolution["erased_at"] = None
    else:
        resolution["reasons"] = call.body["reasons"]
    call.session.add(
        Erasure(
            id=case.id,
            tenant_id=call.tenant_id,
            debtor_id=debtor.id,
            status=status,
            resolved_at=now,
            retain_until=retain_until,
            erased_at=now if status == "completed" else None,
        )
    )
    case.status, outcome = _OUTCOMES[status]
    case.responded_at = now
    case.data = strip_none(
        {
            **case.data,
            "outcome": outcome,
            "refusal_reason": call.body.get("reasons") if status == "refused" else None,
            "erasure": resolution,
        }
    )
    # The entry says what happened and until when, never what was erased (that would keep it).
    case.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "data_request",
        strip_none(
            {
                "data_request_id": case.id,
                "type": "erasure",
                "status": status,
                "retain_until": iso(retain_until),
                "retained": [r["category"] for r in resolution.get("retained", [])] or None,
            }
        ),
        debtor_id=debtor.id,
        at=now,
    )
    call.session.flush()
    return Reply(200, case_view(call, case), resource_id=case.id)
