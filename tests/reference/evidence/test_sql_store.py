"""The service's evidence log in SQL (``icss.reference._evidence``), on SQLite and PostgreSQL.

* The SQL node store gives the same roots and proofs as the in-memory one, from O(log n) stored
  nodes read in one statement — appends read only the frontier, proofs never rehash.
* Entries are stored as written and hash to their leaves; the subject is a salted pseudonym.
* Checkpoints are reused while the log is unchanged, and refused when the stored tree no longer
  has the root of the last one signed (a rewritten log).
"""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime

import pytest
from _evidence_db import KEYS, Store
from sqlalchemy import update

from icss.conformance.evidence import verify_consistency, verify_inclusion, verify_signed_note
from icss.reference import _evidence
from icss.reference._tables import EvidenceNode
from icss.reference.evidence import (
    CheckpointRollbackError,
    InMemoryNodeStore,
    MerkleLog,
    NodeStore,
    canonical_entry_bytes,
    entry_leaf_hash,
)

AT = datetime(2026, 3, 3, 13, 59, 30, tzinfo=UTC)
SIZE = 3000


def _fill(store: Store, count: int, start: int = 0) -> None:
    with store.db.session() as session:
        _evidence.record_many(
            session, store.tenant_id, [("event", {"n": n}, f"dbr_{n % 7}") for n in range(start, start + count)], at=AT
        )


def _memory_twin(store: Store) -> MerkleLog:
    """The same leaves in the in-memory store: the reference for roots and proofs."""
    with store.db.session() as session:
        size = _evidence.log_for(session, store.tenant_id).size
        entries = [_evidence.entry_row(session, store.tenant_id, i).entry for i in range(size)]
    twin = MerkleLog(InMemoryNodeStore())
    twin.append_many(canonical_entry_bytes(entry) for entry in entries)
    return twin


def test_the_sql_store_satisfies_the_protocol(store: Store) -> None:
    with store.db.session() as session:
        assert isinstance(_evidence.log_for(session, store.tenant_id).store, NodeStore)


def test_roots_and_proofs_equal_the_in_memory_log(store: Store) -> None:
    for start, count in ((0, 1), (1, 6), (7, 1000), (1007, SIZE - 1007)):  # batches of odd sizes
        _fill(store, count, start)
    twin = _memory_twin(store)
    with store.db.session() as session:
        log = _evidence.log_for(session, store.tenant_id)
        assert log.size == twin.size == SIZE
        for size in (1, 2, 3, 7, 8, 1000, 1024, 2047, SIZE):
            assert log.root(size) == twin.root(size)
        for index, size in ((0, 1), (5, 7), (1023, 1024), (1500, 2999), (SIZE - 1, SIZE)):
            assert log.inclusion_proof(index, size) == twin.inclusion_proof(index, size)
        for first, second in ((1, 2), (3, 7), (1000, 1024), (1024, SIZE), (SIZE - 1, SIZE)):
            assert log.consistency_proof(first, second) == twin.consistency_proof(first, second)


def test_proofs_read_log_n_nodes_in_one_statement(store: Store) -> None:
    _fill(store, SIZE)
    with store.db.session() as session:
        log = _evidence.log_for(session, store.tenant_id)
        sql = log.store
        assert isinstance(sql, _evidence.SqlNodeStore)
        bound = 2 * math.ceil(math.log2(SIZE)) + 2
        root = log.root()
        for index in (0, 1, 1234, SIZE - 1):
            sql.reads = sql.read_batches = 0
            path = log.inclusion_proof(index)
            assert sql.read_batches == 1
            assert sql.reads <= bound
            verify_inclusion(log.leaf_hash(index), index, SIZE, path, root)
        for first in (1, 1000, 2048, SIZE - 1):
            sql.reads = sql.read_batches = 0
            proof = log.consistency_proof(first)
            assert sql.read_batches == 1
            assert sql.reads <= bound
            verify_consistency(first, SIZE, proof, log.root(first), root)


def test_an_append_reads_only_the_frontier(store: Store) -> None:
    _fill(store, 1000)
    with store.db.session() as session:
        log = _evidence.locked_log(session, store.tenant_id)
        sql = log.store
        assert isinstance(sql, _evidence.SqlNodeStore)
        log.append_many([b"one", b"two", b"three"])
        # The frontier of 1000 = 0b1111101000 is its 6 maximal perfect subtrees, read at once.
        assert (sql.read_batches, sql.reads) == (1, bin(1000).count("1"))


def test_entries_are_stored_as_written(store: Store) -> None:
    payload = {"text": 'naïve café 中文 \u2028 "quoted" \\ \t', "n": -(2**53) + 1, "ok": True, "none": None}
    with store.db.session() as session:
        index = _evidence.record(session, store.tenant_id, "event", payload, debtor_id="dbr_1", at=AT)
        other = _evidence.record(session, store.tenant_id, "event", {}, debtor_id="dbr_2", at=AT)
    with store.db.session() as session:
        row = _evidence.entry_row(session, store.tenant_id, index)
        assert row.entry["payload"] == payload
        assert row.entry["at"] == "2026-03-03T13:59:30Z"
        assert row.debtor_id == "dbr_1"
        assert "dbr_1" not in str(row.entry)
        assert row.entry["subject"] == _evidence.pseudonym(session, store.tenant_id, "dbr_1")
        assert row.entry["subject"] != _evidence.entry_row(session, store.tenant_id, other).entry["subject"]
        log = _evidence.log_for(session, store.tenant_id)
        assert log.leaf_hash(index) == entry_leaf_hash(row.entry)
        document = _evidence.entry_document(row)
        assert base64.b64decode(document["leaf_hash"]) == log.leaf_hash(index)


def test_an_empty_batch_appends_nothing(store: Store) -> None:
    with store.db.session() as session:
        assert _evidence.record_many(session, store.tenant_id, [], at=AT) == []
        assert _evidence.log_for(session, store.tenant_id).size == 0


def test_checkpoints_are_reused_and_signed(store: Store) -> None:
    with store.db.session() as session:
        empty = _evidence.checkpoint(session, KEYS, store.tenant_id, AT)
    assert empty["tree_size"] == 0
    _fill(store, 10)
    with store.db.session() as session:
        first = _evidence.checkpoint(session, KEYS, store.tenant_id, AT)
    with store.db.session() as session:
        again = _evidence.checkpoint(session, KEYS, store.tenant_id, datetime.now(UTC))
    assert again == first  # same note, same timestamp: nothing was appended
    signed = verify_signed_note(first["signed_note"], store.verifier_key)
    assert (signed.origin, signed.tree_size) == (_evidence.origin(store.tenant_id), 10)
    with store.db.session() as session:
        receipt = _evidence.receipt(session, KEYS, store.tenant_id, 3, AT)
    assert receipt["checkpoint"] == first
    assert receipt["verifier_key"] == store.verifier_key


def test_a_rewritten_log_gets_no_new_checkpoint(store: Store) -> None:
    _fill(store, 10)
    with store.db.session() as session:
        _evidence.checkpoint(session, KEYS, store.tenant_id, AT)
    # Someone rewrites history below the signed checkpoint (the stored subtree of entries 0-7) ...
    with store.db.session() as session:
        session.execute(
            update(EvidenceNode)
            .where(EvidenceNode.tenant_id == store.tenant_id, EvidenceNode.level == 3, EvidenceNode.idx == 0)
            .values(hash=bytes(32))
        )
    _fill(store, 1, start=10)
    with store.db.session() as session, pytest.raises(CheckpointRollbackError):
        _evidence.checkpoint(session, KEYS, store.tenant_id, AT)  # ... and the log refuses to sign past it
