"""The service side of the evidence log: per-tenant Merkle logs kept in the service's database.

Every action a handler records calls :func:`record` inside the request's transaction, so the
entry commits with the action or not at all: an acknowledged action always has its entry, and
a crash before the commit leaves neither.

Serialising appends. Before it reads the tree size, an appender takes the tenant log's write
lock for the rest of its transaction: ``SELECT ... FOR UPDATE`` of the ``evidence_log`` row on
PostgreSQL, and on SQLite a no-op ``UPDATE`` of it, which makes the driver open the transaction
and take the database's single write lock *before* the size is read (a plain read would run
outside the transaction and could be stale by the time the write starts). Concurrent writers —
threads, processes — therefore queue instead of failing. The node store's ``old_size`` check
stays as a last line of defence: a race that slipped past the lock becomes an error, never a
forked tree.

Speed. The hot paths bypass the ORM: one ``executemany`` for the new nodes and one for the
entries, and a proof reads its nodes in one statement of primary-key lookups (a ``VALUES`` join
on SQLite, where a row-value ``IN`` list would scan the whole tenant's nodes; a lateral
``unnest`` on PostgreSQL).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
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
    canonical_entry_bytes,
    entry_leaf_hash,
    new_tenant_salt,
    sign_note,
)

from ._driver import is_sqlite as _is_sqlite
from ._driver import run as _run
from ._driver import run_many as _run_many
from ._keys import Keys
from ._problems import Problem
from ._tables import EvidenceEntry, EvidenceLogState

#: Checkpoint origins (and key names) are "<ORIGIN_PREFIX>/<tenant id>": one log per tenant.
ORIGIN_PREFIX = "icss.example.org/reference"

#: Most node keys asked for in one statement (SQLite allows 32,766 bound parameters).
_READ_CHUNK = 4000


class SqlNodeStore:
    """The ``NodeStore`` protocol over the ``evidence_node`` and ``evidence_log`` tables.

    It works inside the caller's session and transaction; ``tree_size`` is the size read when
    the caller took the log (under the write lock, for an appender). Like the in-memory store it
    counts what it is asked for (``reads``, ``read_batches``), so tests can check that proofs
    read O(log n) stored nodes.
    """

    def __init__(self, session: Session, tenant_id: str, tree_size: int) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self._size = tree_size
        self.reads = 0
        self.read_batches = 0

    def tree_size(self) -> int:
        return self._size

    def read_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        if not keys:
            return []
        self.reads += len(keys)
        self.read_batches += 1
        connection = self._session.connection()
        wanted = list(dict.fromkeys((key.level, key.index) for key in keys))
        found: dict[tuple[int, int], bytes] = {}
        for start in range(0, len(wanted), _READ_CHUNK):
            chunk = wanted[start : start + _READ_CHUNK]
            if _is_sqlite(connection):
                values = ", ".join(["(?, ?)"] * len(chunk))
                sql = (
                    f"WITH k(l, i) AS (VALUES {values}) "  # noqa: S608 - only placeholders are interpolated
                    "SELECT n.level, n.idx, n.hash FROM k JOIN evidence_node AS n "
                    "ON n.tenant_id = ? AND n.level = k.l AND n.idx = k.i"
                )
                params: tuple[Any, ...] = (*(v for pair in chunk for v in pair), self._tenant_id)
            else:
                # One primary-key lookup per key, whatever the statistics say: as a plain join, a
                # plan prepared while the table was small (a hash join over a sequential scan) stays
                # in psycopg's prepared statement and costs milliseconds once the log has grown.
                sql = (
                    "SELECT k.l, k.i, n.hash FROM unnest(%s::integer[], %s::integer[]) AS k(l, i) "
                    "CROSS JOIN LATERAL (SELECT e.hash FROM evidence_node AS e "
                    "WHERE e.tenant_id = %s AND e.level = k.l AND e.idx = k.i LIMIT 1) AS n"
                )
                params = ([level for level, _ in chunk], [index for _, index in chunk], self._tenant_id)
            for level, index, digest in _run(connection, sql, params).fetchall():
                found[(level, index)] = bytes(digest)
        return [found[(key.level, key.index)] for key in keys]

    def write_nodes(self, nodes: Iterable[tuple[NodeKey, bytes]], *, old_size: int, new_size: int) -> None:
        connection = self._session.connection()
        moved = _run(
            connection,
            "UPDATE evidence_log SET tree_size = ? WHERE tenant_id = ? AND tree_size = ?",
            (new_size, self._tenant_id, old_size),
        )
        if moved.rowcount != 1:
            raise ConcurrentAppendError(f"evidence log of {self._tenant_id} moved past size {old_size}")
        rows = [(self._tenant_id, key.level, key.index, digest) for key, digest in nodes]
        if rows:
            _run_many(connection, "INSERT INTO evidence_node (tenant_id, level, idx, hash) VALUES (?, ?, ?, ?)", rows)
        self._size = new_size


def origin(tenant_id: str) -> str:
    """The checkpoint origin (and signing key name) of a tenant's log."""
    return f"{ORIGIN_PREFIX}/{tenant_id}"


def signer(keys: Keys, tenant_id: str) -> NoteSigner:
    """The note signer of a tenant's checkpoints."""
    return NoteSigner(origin(tenant_id), keys.signing_key)


def _read_log(connection: Connection, tenant_id: str, *, for_update: bool) -> tuple[int, bytes] | None:
    statement = "SELECT tree_size, salt FROM evidence_log WHERE tenant_id = ?"
    if for_update and not _is_sqlite(connection):
        statement += " FOR UPDATE"
    rows = _run(connection, statement, (tenant_id,)).fetchall()
    return (int(rows[0][0]), bytes(rows[0][1])) if rows else None


def _lock_log(session: Session, tenant_id: str) -> tuple[int, bytes]:
    """Take the tenant log's write lock for this transaction; return ``(tree_size, salt)``.

    Creates the log on first use (``ON CONFLICT DO NOTHING``, so two first writers do not clash).
    """
    session.flush()  # the caller's pending rows go first, in statement order
    connection = session.connection()
    state: tuple[int, bytes] | None
    if _is_sqlite(connection):
        # pysqlite runs reads outside any transaction and opens one (BEGIN, deferred) at the first
        # write; this no-op write takes SQLite's write lock now, waiting up to busy_timeout for
        # another writer, and returns the size and salt under that lock.
        row = _run(
            connection,
            "UPDATE evidence_log SET tree_size = tree_size WHERE tenant_id = ? RETURNING tree_size, salt",
            (tenant_id,),
        ).fetchall()  # stepped to the end, so the statement is finished before the next one
        state = (int(row[0][0]), bytes(row[0][1])) if row else None
    else:
        state = _read_log(connection, tenant_id, for_update=True)
    if state is None:
        _run(
            connection,
            "INSERT INTO evidence_log (tenant_id, tree_size, salt, checkpoint_size) "
            "VALUES (?, 0, ?, 0) ON CONFLICT (tenant_id) DO NOTHING",
            (tenant_id, new_tenant_salt()),
        )
        state = _read_log(connection, tenant_id, for_update=True)
        if state is None:  # pragma: no cover - the row was just inserted in this transaction
            raise RuntimeError(f"cannot create the evidence log of {tenant_id}")
    return state


def locked_log(session: Session, tenant_id: str) -> MerkleLog:
    """The tenant's log under its write lock (held until the transaction ends), ready to append to."""
    size, _salt_bytes = _lock_log(session, tenant_id)
    return MerkleLog(SqlNodeStore(session, tenant_id, size))


def _salt(session: Session, tenant_id: str) -> bytes:
    state = _read_log(session.connection(), tenant_id, for_update=False)
    return _lock_log(session, tenant_id)[1] if state is None else state[1]


def pseudonym(session: Session, tenant_id: str, value: str | None) -> str | None:
    """The keyed hash that stands for a debtor (or other person) inside entries."""
    if value is None:
        return None
    return "hmac-sha256:" + PersonalDataHasher(_salt(session, tenant_id)).hexdigest(value)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


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
    """Append entries ``(kind, payload, debtor id)`` in order; return their indices.

    Runs in the caller's transaction and holds the tenant log's write lock until it ends. The
    debtor appears in the entry only as its salted hash (``subject``); the clear id is kept
    beside the entry, to decide who may read it.
    """
    if not items:
        return []
    size, salt = _lock_log(session, tenant_id)
    hasher = PersonalDataHasher(salt)
    subjects: dict[str, str] = {}
    stamp = _stamp(at)
    entries = []
    for kind, payload, debtor_id in items:
        subject = None
        if debtor_id is not None:
            subject = subjects.get(debtor_id)
            if subject is None:
                subject = subjects[debtor_id] = "hmac-sha256:" + hasher.hexdigest(debtor_id)
        entries.append({"kind": kind, "tenant": tenant_id, "subject": subject, "at": stamp, "payload": dict(payload)})
    blobs = [canonical_entry_bytes(entry) for entry in entries]
    indices = MerkleLog(SqlNodeStore(session, tenant_id, size)).append_many(blobs)
    connection = session.connection()
    # The JSON column receives the canonical text itself: it reads back as the same entry.
    statement = (
        "INSERT INTO evidence_entry (tenant_id, idx, kind, entry, debtor_id) VALUES (?, ?, ?, ?, ?)"
        if _is_sqlite(connection)
        else "INSERT INTO evidence_entry (tenant_id, idx, kind, entry, debtor_id) VALUES (%s, %s, %s, %s::json, %s)"
    )
    _run_many(
        connection,
        statement,
        [
            (tenant_id, index, kind, blob.decode(), debtor_id)
            for index, blob, (kind, _payload, debtor_id) in zip(indices, blobs, items, strict=True)
        ],
    )
    return list(indices)


def log_for(session: Session, tenant_id: str) -> MerkleLog:
    """The tenant's log as committed when asked (read-only use: proofs, roots)."""
    state = _read_log(session.connection(), tenant_id, for_update=False)
    return MerkleLog(SqlNodeStore(session, tenant_id, 0 if state is None else state[0]))


def _checkpoint_body(tenant_id: str, state: EvidenceLogState, now: datetime) -> dict[str, Any]:
    name = origin(tenant_id)
    signed = SignedCheckpoint(
        Checkpoint(name, state.checkpoint_size, state.checkpoint_root or b""), state.checkpoint_note or "", name
    )
    body = signed.to_json()
    body["timestamp"] = _stamp(state.checkpoint_at or now)
    return body


def checkpoint(session: Session, keys: Keys, tenant_id: str, now: datetime) -> dict[str, Any]:
    """The signed checkpoint of the log's current size: reused when it exists, else signed now.

    c2sp.org/tlog-checkpoint: a log MUST not sign a checkpoint inconsistent with one it signed
    before. The last one signed is kept with the log; a new one is signed only for a larger tree
    that still has the old root at the old size. Signing happens in the caller's transaction, so
    a checkpoint is never handed out unless its record has committed; and under the log's write
    lock, so two readers never store checkpoints out of order.

    Raises:
        CheckpointRollbackError: the log shrank or was rewritten under its last checkpoint.
    """
    current = _read_log(session.connection(), tenant_id, for_update=False)
    if current is not None:
        state = session.get(EvidenceLogState, tenant_id, populate_existing=True)
        if state is not None and state.checkpoint_note is not None and state.checkpoint_size == current[0]:
            return _checkpoint_body(tenant_id, state, now)  # nothing appended since: reuse, no lock
    size, _salt_bytes = _lock_log(session, tenant_id)
    state = session.get(EvidenceLogState, tenant_id, populate_existing=True)
    if state is None:  # pragma: no cover - _lock_log created it
        raise RuntimeError(f"no evidence log for {tenant_id}")
    if state.checkpoint_note is None or state.checkpoint_size != size:
        log = MerkleLog(SqlNodeStore(session, tenant_id, size))
        if size < state.checkpoint_size:
            raise CheckpointRollbackError(f"log shrank below its last checkpoint ({state.checkpoint_size})")
        if state.checkpoint_note is not None and log.root(state.checkpoint_size) != state.checkpoint_root:
            raise CheckpointRollbackError("the log no longer contains its last signed checkpoint")
        root = log.root(size)
        state.checkpoint_note = sign_note(Checkpoint(origin(tenant_id), size, root).to_text(), signer(keys, tenant_id))
        state.checkpoint_size, state.checkpoint_root, state.checkpoint_at = size, root, now
        session.flush()
    return _checkpoint_body(tenant_id, state, now)


def entry_row(session: Session, tenant_id: str, index: int) -> EvidenceEntry:
    """The stored entry at ``index``; a 404 problem when there is none."""
    row = session.get(EvidenceEntry, (tenant_id, index))
    if row is None:
        raise Problem("not-found", f"no evidence entry {index}")
    return row


def entry_document(row: EvidenceEntry) -> dict[str, Any]:
    """The ``evidence-entry`` document: index, leaf hash and the entry."""
    return {"index": row.idx, "leaf_hash": _b64(entry_leaf_hash(row.entry)), "entry": row.entry}


def receipt(session: Session, keys: Keys, tenant_id: str, index: int, now: datetime) -> dict[str, Any]:
    """The receipt of entry ``index``: the entry, its inclusion proof and the current checkpoint."""
    row = entry_row(session, tenant_id, index)
    cp = checkpoint(session, keys, tenant_id, now)
    signed = SignedCheckpoint(
        Checkpoint(cp["origin"], cp["tree_size"], base64.b64decode(cp["root_hash"])), cp["signed_note"], cp["origin"]
    )
    log = MerkleLog(SqlNodeStore(session, tenant_id, cp["tree_size"]))
    body = build_receipt(log, index, row.entry, signed, signer(keys, tenant_id).verifier_key)
    body["checkpoint"]["timestamp"] = cp["timestamp"]
    return body


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
