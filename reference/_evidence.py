"""The service side of the evidence log: per-tenant Merkle logs kept in the service's database.

Every action a handler records calls :func:`record` inside the request's transaction, so the
entry commits with the action or not at all: an acknowledged action always has its entry.
Appends to one tenant's log are serialised by locking the tenant's log row (PostgreSQL) or by
SQLite's single writer; the ``old_size`` check of the node store turns any remaining race into an
error instead of a forked tree.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from icss.reference.evidence import (
    Checkpoint,
    CheckpointRollbackError,
    ConcurrentAppendError,
    MerkleLog,
    NodeKey,
    NoteSigner,
    PersonalDataHasher,
    SignedCheckpoint,
    build_receipt,
    new_tenant_salt,
    sign_note,
)

from ._keys import Keys
from ._problems import Problem
from ._tables import EvidenceEntry, EvidenceLogState, EvidenceNode

#: Checkpoint origins (and key names) are "<ORIGIN_PREFIX>/<tenant id>": one log per tenant.
ORIGIN_PREFIX = "icss.example.org/reference"


class SqlNodeStore:
    """The ``NodeStore`` protocol over the ``evidence_node`` and ``evidence_log`` tables."""

    def __init__(self, session: Session, state: EvidenceLogState) -> None:
        self._session = session
        self._state = state

    def tree_size(self) -> int:
        return self._state.tree_size

    def read_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        if not keys:
            return []
        wanted = {(k.level, k.index) for k in keys}
        rows = self._session.execute(
            select(EvidenceNode.level, EvidenceNode.idx, EvidenceNode.hash).where(
                EvidenceNode.tenant_id == self._state.tenant_id,
                tuple_(EvidenceNode.level, EvidenceNode.idx).in_(list(wanted)),
            )
        ).all()
        found = {(level, idx): digest for level, idx, digest in rows}
        return [found[(k.level, k.index)] for k in keys]

    def write_nodes(self, nodes: Iterable[tuple[NodeKey, bytes]], *, old_size: int, new_size: int) -> None:
        moved = self._session.execute(
            update(EvidenceLogState)
            .where(EvidenceLogState.tenant_id == self._state.tenant_id, EvidenceLogState.tree_size == old_size)
            .values(tree_size=new_size)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentAppendError(f"evidence log of {self._state.tenant_id} moved past size {old_size}")
        self._session.add_all(
            EvidenceNode(tenant_id=self._state.tenant_id, level=k.level, idx=k.index, hash=h) for k, h in nodes
        )
        self._session.flush()
        self._state.tree_size = new_size


def origin(tenant_id: str) -> str:
    return f"{ORIGIN_PREFIX}/{tenant_id}"


def signer(keys: Keys, tenant_id: str) -> NoteSigner:
    return NoteSigner(origin(tenant_id), keys.signing_key)


def _state(session: Session, tenant_id: str, *, lock: bool) -> EvidenceLogState:
    stmt = select(EvidenceLogState).where(EvidenceLogState.tenant_id == tenant_id)
    if lock:
        stmt = stmt.with_for_update()
    state = session.execute(stmt).scalars().first()
    if state is None:
        state = EvidenceLogState(tenant_id=tenant_id, tree_size=0, salt=new_tenant_salt(), checkpoint_size=0)
        session.add(state)
        session.flush()
    return state


def pseudonym(session: Session, tenant_id: str, value: str | None) -> str | None:
    """The keyed hash that stands for a debtor (or other person) inside entries."""
    if value is None:
        return None
    return "hmac-sha256:" + PersonalDataHasher(_state(session, tenant_id, lock=False).salt).hexdigest(value)


def record(
    session: Session,
    tenant_id: str,
    kind: str,
    payload: Mapping[str, Any],
    *,
    debtor_id: str | None,
    at: datetime,
) -> int:
    """Append one entry and return its index (in the caller's transaction)."""
    return record_many(session, tenant_id, [(kind, payload, debtor_id)], at=at)[0]


def record_many(
    session: Session,
    tenant_id: str,
    items: Sequence[tuple[str, Mapping[str, Any], str | None]],
    *,
    at: datetime,
) -> list[int]:
    state = _state(session, tenant_id, lock=True)
    hasher = PersonalDataHasher(state.salt)
    stamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    entries = [
        {
            "kind": kind,
            "tenant": tenant_id,
            "subject": None if debtor_id is None else "hmac-sha256:" + hasher.hexdigest(debtor_id),
            "at": stamp,
            "payload": dict(payload),
        }
        for kind, payload, debtor_id in items
    ]
    log = MerkleLog(SqlNodeStore(session, state))
    indices = log.append_entries(entries)
    session.add_all(
        EvidenceEntry(tenant_id=tenant_id, idx=i, kind=e["kind"], entry=e, debtor_id=d)
        for i, e, (_k, _p, d) in zip(indices, entries, items, strict=True)
    )
    return list(indices)


def log_for(session: Session, tenant_id: str) -> MerkleLog:
    return MerkleLog(SqlNodeStore(session, _state(session, tenant_id, lock=False)))


def checkpoint(session: Session, keys: Keys, tenant_id: str, now: datetime) -> dict[str, Any]:
    """Sign (or reuse) the checkpoint at the log's current size; never one that rolls back."""
    state = _state(session, tenant_id, lock=True)
    log = MerkleLog(SqlNodeStore(session, state))
    size = state.tree_size
    if state.checkpoint_note is not None and state.checkpoint_size == size:
        note = state.checkpoint_note
        root = state.checkpoint_root or b""
    else:
        if size < state.checkpoint_size:
            raise CheckpointRollbackError(f"log shrank below its last checkpoint ({state.checkpoint_size})")
        if state.checkpoint_size and log.root(state.checkpoint_size) != state.checkpoint_root:
            raise CheckpointRollbackError("the log no longer contains its last signed checkpoint")
        root = log.root(size)
        note = sign_note(Checkpoint(origin(tenant_id), size, root).to_text(), signer(keys, tenant_id))
        state.checkpoint_size, state.checkpoint_root, state.checkpoint_note = size, root, note
        state.checkpoint_at = now
    signed = SignedCheckpoint(Checkpoint(origin(tenant_id), size, root), note, origin(tenant_id))
    body = signed.to_json()
    stamp = state.checkpoint_at or now
    body["timestamp"] = stamp.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return body


def entry_row(session: Session, tenant_id: str, index: int) -> EvidenceEntry:
    row = session.get(EvidenceEntry, (tenant_id, index))
    if row is None:
        raise Problem("not-found", f"no evidence entry {index}")
    return row


def entry_document(row: EvidenceEntry) -> dict[str, Any]:
    from icss.reference.evidence import entry_leaf_hash

    return {"index": row.idx, "leaf_hash": _b64(entry_leaf_hash(row.entry)), "entry": row.entry}


def receipt(session: Session, keys: Keys, tenant_id: str, index: int, now: datetime) -> dict[str, Any]:
    row = entry_row(session, tenant_id, index)
    cp = checkpoint(session, keys, tenant_id, now)
    log = log_for(session, tenant_id)
    signed = SignedCheckpoint(
        Checkpoint(cp["origin"], cp["tree_size"], base64.b64decode(cp["root_hash"])), cp["signed_note"], cp["origin"]
    )
    body = build_receipt(log, index, row.entry, signed, signer(keys, tenant_id).verifier_key)
    body["checkpoint"]["timestamp"] = cp["timestamp"]
    return body


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
