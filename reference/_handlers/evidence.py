"""The evidence log over HTTP: key, checkpoints, entries, proofs and receipts (RFC 9162, C2SP)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from icss.reference.evidence import CheckpointRollbackError

from .. import _evidence
from .._problems import Problem
from .._routing import Call, Reply, handles
from .._tables import Tenant


def _tenant_id(call: Call) -> str:
    named = call.query.get("tenant")
    if call.principal is not None and call.principal.tenant_id is not None:
        if named and named != call.principal.tenant_id:
            raise Problem("not-found")
        return call.principal.tenant_id
    if not named:
        raise Problem("validation-failed", "name the log with ?tenant=<tenant id>", status=400)
    if call.session.get(Tenant, named) is None:
        raise Problem("not-found")
    return named


def _now(call: Call, tenant_id: str) -> datetime:
    tenant = call.session.get(Tenant, tenant_id)
    return tenant.clock_at if tenant is not None and tenant.clock_at is not None else datetime.now(UTC)


def _int(call: Call, name: str) -> int:
    raw = call.query.get(name)
    if raw is None or not raw.isdigit():
        raise Problem("validation-failed", f"{name} is a non-negative whole number", status=400)
    return int(raw)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@handles("getEvidencePublicKey")
def public_key(call: Call) -> Reply:
    tenant_id = _tenant_id(call)
    signer = _evidence.signer(call.ctx.keys, tenant_id)
    return Reply(
        200,
        {
            "key_name": signer.name,
            "algorithm": "Ed25519",
            "public_key": _b64(signer.public_key),
            "key_id": signer.key_hash.hex(),
            "verifier_key": signer.verifier_key,
        },
    )


@handles("getCheckpoint")
def checkpoint(call: Call) -> Reply:
    tenant_id = _tenant_id(call)
    try:
        body = _evidence.checkpoint(call.session, call.ctx.keys, tenant_id, _now(call, tenant_id))
    except CheckpointRollbackError:
        raise Problem("conflict", "the log cannot sign a checkpoint consistent with its last one") from None
    if "text/plain" in call.headers.get("accept", "") and "application/json" not in call.headers.get("accept", ""):
        return Reply(200, body["signed_note"], media_type="text/plain; charset=utf-8")
    return Reply(200, body)


def _entry_for_caller(call: Call, index: int) -> Any:
    tenant_id = call.tenant_id
    row = _evidence.entry_row(call.session, tenant_id, index)
    if not call.who.may_see_debtor(row.debtor_id or ""):
        raise Problem("not-found")
    return row


def _index(call: Call) -> int:
    raw = call.params["index"]
    return int(raw) if raw.isdigit() else -1


@handles("getEvidenceEntry")
def entry(call: Call) -> Reply:
    row = _entry_for_caller(call, _index(call))
    return Reply(200, _evidence.entry_document(row))


@handles("getInclusionProof")
def inclusion(call: Call) -> Reply:
    tenant_id = call.tenant_id
    index = _int(call, "index")
    if call.query.get("tree_size") is None:
        # The default is the latest checkpoint, so the proof checks against a signed root.
        size = int(_evidence.checkpoint(call.session, call.ctx.keys, tenant_id, call.now())["tree_size"])
    else:
        size = _int(call, "tree_size")
    log = _evidence.log_for(call.session, tenant_id)
    if not 0 <= index < size <= log.size:
        raise Problem("validation-failed", f"need 0 <= index < tree_size <= {log.size}")
    row = _evidence.entry_row(call.session, tenant_id, index)
    if not call.who.may_see_debtor(row.debtor_id or ""):
        raise Problem("not-found")  # the same answer as for an entry that does not exist (DS-03)
    return Reply(
        200, {"leaf_index": index, "tree_size": size, "audit_path": [_b64(h) for h in log.inclusion_proof(index, size)]}
    )


@handles("getConsistencyProof")
def consistency(call: Call) -> Reply:
    tenant_id = _tenant_id(call)
    first, second = _int(call, "first"), _int(call, "second")
    log = _evidence.log_for(call.session, tenant_id)
    if not 0 < first <= second <= log.size:
        raise Problem("validation-failed", f"need 0 < first <= second <= {log.size}")
    return Reply(
        200, {"first": first, "second": second, "proof": [_b64(h) for h in log.consistency_proof(first, second)]}
    )


@handles("getReceipt")
def receipt(call: Call) -> Reply:
    index = _index(call)
    _entry_for_caller(call, index)
    return Reply(200, _evidence.receipt(call.session, call.ctx.keys, call.tenant_id, index, call.now()))
