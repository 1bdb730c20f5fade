"""Sandbox tenants, the test clock and the outbox (the certification mode of the interface)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from .. import _erasure, _evidence
from .._auth import BOOTSTRAP_CLIENT, hash_secret, new_secret
from .._context import tenant_now
from .._problems import Problem
from .._routing import Call, Reply, handles
from .._tables import Case, Client, Debtor, OutboxMessage, Tenant
from ._common import add_duration, check_instant, iso, new_id, page, parse_ts, profile_of, receipt_url

STAFF_ROLES = ("collector", "supervisor", "auditor", "admin")


def _require_sandbox(call: Call) -> None:
    if not call.ctx.settings.sandbox_enabled:
        raise Problem("sandbox-disabled")


def new_client(call: Call, tenant_id: str, role: str, debtor_id: str | None = None) -> dict[str, str]:
    secret = new_secret()
    client_id = new_id(f"cl{role[:3]}")
    call.session.add(
        Client(
            id=client_id,
            tenant_id=tenant_id,
            role=role,
            secret_hash=hash_secret(secret),
            debtor_id=debtor_id,
            created_at=datetime.now(UTC),
        )
    )
    return {"client_id": client_id, "client_secret": secret}


@handles("createSandboxTenant")
def create_tenant(call: Call) -> Reply:
    _require_sandbox(call)
    if call.who.client_id != BOOTSTRAP_CLIENT:
        # The operation's contract: tenants are created with the deployment's bootstrap credential only.
        raise Problem("forbidden", "sandbox tenants are created with the deployment's bootstrap credential")
    body = call.body
    profile_of(call, body["profile"])
    now = datetime.now(UTC)
    clock = parse_ts(body.get("clock"), now)
    tenant = Tenant(
        id=new_id("tn"),
        name=body.get("label") or "sandbox",
        profile=body["profile"],
        sandbox=True,
        clock_at=clock,
        created_at=now,
    )
    call.session.add(tenant)
    call.session.flush()
    credentials = {role: new_client(call, tenant.id, role) for role in STAFF_ROLES}
    doc = {
        "tenant_id": tenant.id,
        "profile": tenant.profile,
        "created_at": iso(now),
        "clock": iso(clock),
        "credentials": credentials,
    }
    return Reply(201, doc, headers={"Location": f"/icss/v1/sandbox/tenants/{tenant.id}"}, resource_id=tenant.id)


@handles("deleteSandboxTenant")
def delete_tenant(call: Call) -> Reply:
    _require_sandbox(call)
    tenant_id = call.params["tenantId"]
    who = call.who
    if who.client_id != BOOTSTRAP_CLIENT and who.tenant_id != tenant_id:
        raise Problem("not-found")
    tenant = call.session.get(Tenant, tenant_id)
    if tenant is None or not tenant.sandbox:
        raise Problem("not-found")
    call.session.execute(delete(Tenant).where(Tenant.id == tenant_id))
    return Reply(204, resource_id=tenant_id)


def _clock_doc(tenant: Tenant) -> dict[str, Any]:
    return {"now": iso(tenant_now(tenant)), "tenant_id": tenant.id, "frozen": tenant.clock_at is not None}


@handles("getTestClock")
def get_clock(call: Call) -> Reply:
    _require_sandbox(call)
    return Reply(200, _clock_doc(call.tenant))


def _holds_data(call: Call) -> bool:
    tid = call.tenant_id
    return any(
        call.session.execute(select(model.id).where(model.tenant_id == tid).limit(1)).first() is not None
        for model in (Debtor, Case)
    )


def _move_clock(call: Call, target: datetime, *, allow_rewind: bool = False) -> Reply:
    tenant = call.tenant
    if not tenant.sandbox:
        raise Problem("sandbox-disabled", "this tenant has no test clock")
    check_instant(target)
    current = tenant_now(tenant)
    rewind_ok = allow_rewind and not _holds_data(call)
    if target < current and not rewind_ok and not call.ctx.fault("op_clock_rewind_allowed"):
        raise Problem("conflict", "the test clock never moves backwards (allow_rewind only on a tenant with no data)")
    tenant.clock_at = target
    _evidence.record(
        call.session,
        tenant.id,
        "clock_change",
        {"from": iso(current), "to": iso(target)},
        debtor_id=None,
        at=target,
    )
    _erasure.sweep_due(call)  # DS-08: restrictions whose retain_until the clock passed are erased now
    return Reply(200, _clock_doc(tenant))


@handles("setTestClock")
def set_clock(call: Call) -> Reply:
    _require_sandbox(call)
    rewind = call.query.get("allow_rewind") == "true"
    return _move_clock(call, parse_ts(call.body["now"], call.now()), allow_rewind=rewind)


@handles("advanceTestClock")
def advance_clock(call: Call) -> Reply:
    _require_sandbox(call)
    return _move_clock(call, add_duration(call.now(), call.body["duration"]))


def outbox_view(call: Call, row: OutboxMessage) -> dict[str, Any]:
    doc = {
        "id": row.id,
        "tenant_id": row.tenant_id,
        "kind": "alert" if row.purpose == "supervisor_alert" else "communication",
        "channel": row.channel,
        "debtor_id": row.debtor_id,
        "debt_id": row.debt_id,
        "contact_point_id": row.contact_point_id,
        "recipient": {"contact_point_id": row.contact_point_id, "address_masked": row.recipient},
        "purpose": None if row.purpose == "supervisor_alert" else row.purpose,
        "content": call.ctx.cipher.open_text(row.content, tenant=row.tenant_id, field="outbox.content"),
        "ai_generated": row.ai_generated,
        "sent_at": iso(row.sent_at),
        "attempt_id": row.attempt_id,
        "evidence_index": row.evidence_index,
        # EV-07: every item of the debtor's record links to its receipt.
        "receipt_url": receipt_url(row.evidence_index),
    }
    if row.language is not None:  # DR-10: the language a message to a debtor is written in
        doc["language"] = row.language
    return doc


@handles("listOutbox")
def list_outbox(call: Call) -> Reply:
    _require_sandbox(call)
    stmt = select(OutboxMessage).where(OutboxMessage.tenant_id == call.tenant_id)
    if debtor := call.query.get("debtor_id"):
        stmt = stmt.where(OutboxMessage.debtor_id == debtor)
    if channel := call.query.get("channel"):
        stmt = stmt.where(OutboxMessage.channel == channel)
    if since := call.query.get("since"):
        stmt = stmt.where(OutboxMessage.sent_at >= parse_ts(since, call.now(), status=400))
    return Reply(200, page(call, stmt, OutboxMessage.id, lambda row: outbox_view(call, row)))
