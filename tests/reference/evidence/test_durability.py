"""Durability and concurrency of the service's evidence log, on SQLite and PostgreSQL.

* Concurrent appenders — threads with their own sessions, and separate processes — serialise on
  the tenant log's write lock: the final size is the number of acknowledged appends, every index
  is acknowledged once, nothing fails (no ``ConcurrentAppendError``, no "database is locked"),
  and the tree verifies with the independent verifier.
* A second appender waits for the first one's commit instead of reading a stale size.
* Crash: a worker process appending in a loop is SIGKILLed mid-burst, several times over. Every
  index it acknowledged (printed after the commit) is still there, the tree is consistent, and a
  new checkpoint is consistent with the last one issued before the kill.

The proofs are checked with :mod:`icss.conformance.evidence`, which shares no code with the prover.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from _evidence_db import KEYS, SIGNING_SEED, Store

from icss.conformance.evidence import leaf_hash, verify_consistency, verify_inclusion, verify_signed_note
from icss.reference import _evidence
from icss.reference._tables import EvidenceEntry

WORKER = Path(__file__).with_name("_evidence_worker.py")


# -- what a consistent log looks like ---------------------------------------------------------------


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH over leaf hashes, straight from the definition (the test's own oracle)."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _check_log(store: Store, acked: set[int]) -> tuple[int, bytes]:
    """Every acknowledged entry is there and the stored tree is the tree of the stored entries."""
    with store.db.session() as session:
        log = _evidence.log_for(session, store.tenant_id)
        size = log.size
        rows = session.query(EvidenceEntry).filter(EvidenceEntry.tenant_id == store.tenant_id).all()
        entries = {row.idx: row.entry for row in rows}
        assert sorted(entries) == list(range(size)), "the entry table and the tree size disagree"
        missing = acked - set(entries)
        assert not missing, f"acknowledged entries lost: {sorted(missing)[:10]}"
        leaves = [leaf_hash(rfc8785.dumps(entries[i])) for i in range(size)]
        root = log.root()
        assert _mth(leaves) == root, "the stored tree is not the tree of the stored entries"
        # A sample of inclusion proofs against the root, checked independently.
        for index in {0, size - 1, *random.sample(range(size), min(size, 50))}:
            assert log.leaf_hash(index) == leaves[index]
            verify_inclusion(leaves[index], index, size, log.inclusion_proof(index), root)
    return size, root


def _check_checkpoints(store: Store, checkpoints: list[dict[str, Any]]) -> None:
    """Signed, never regressing, and pairwise consistent (consecutive pairs, then each with the last)."""
    assert checkpoints
    sizes = [cp["tree_size"] for cp in checkpoints]
    assert sizes == sorted(sizes), f"a checkpoint regressed: {sizes}"
    for cp in checkpoints:
        signed = verify_signed_note(cp["signed_note"], store.verifier_key)
        assert (signed.tree_size, base64.b64encode(signed.root_hash).decode()) == (cp["tree_size"], cp["root_hash"])
    with store.db.session() as session:
        log = _evidence.log_for(session, store.tenant_id)
        last = checkpoints[-1]
        pairs = [*itertools.pairwise(checkpoints), *((cp, last) for cp in checkpoints)]
        for old, new in pairs:
            if old["tree_size"] == 0:
                continue  # nothing to prove from the empty tree (and verifiers refuse it)
            proof = log.consistency_proof(old["tree_size"], new["tree_size"])
            verify_consistency(
                old["tree_size"],
                new["tree_size"],
                proof,
                base64.b64decode(old["root_hash"]),
                base64.b64decode(new["root_hash"]),
            )


# -- concurrency ----------------------------------------------------------------------------------


def test_concurrent_threads_serialise(store: Store) -> None:
    threads, transactions = 6, 25
    acked: list[int] = []
    errors: list[BaseException] = []
    checkpoints: list[dict[str, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def append(worker: int) -> None:
        rng = random.Random(worker)  # noqa: S311 - test data, not a secret
        try:
            for n in range(transactions):
                items = [
                    ("event", {"worker": worker, "n": n, "k": k}, f"dbr_{k % 3}") for k in range(rng.randint(1, 8))
                ]
                with store.db.session() as session:
                    indices = _evidence.record_many(session, store.tenant_id, items, at=datetime.now(UTC))
                with lock:
                    acked.extend(indices)
        except BaseException as exc:  # the test fails on any error, named below
            errors.append(exc)

    def checkpoint() -> None:
        try:
            while not stop.is_set():
                with store.db.session() as session:
                    checkpoints.append(_evidence.checkpoint(session, KEYS, store.tenant_id, datetime.now(UTC)))
                time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    signer = threading.Thread(target=checkpoint)
    signer.start()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    stop.set()
    signer.join()
    assert not errors, f"{len(errors)} appender(s) failed: {errors[0]!r}"
    assert len(acked) == len(set(acked)), "an index was handed out twice"
    size, _ = _check_log(store, set(acked))
    assert size == len(acked) == max(acked) + 1
    with store.db.session() as session:
        checkpoints.append(_evidence.checkpoint(session, KEYS, store.tenant_id, datetime.now(UTC)))
    assert checkpoints[-1]["tree_size"] == size
    _check_checkpoints(store, checkpoints)


def _worker(store: Store, seed: int, transactions: int, checkpoint_every: int = 0) -> subprocess.Popen[str]:
    command = [sys.executable, str(WORKER), store.url, store.tenant_id, SIGNING_SEED, str(seed), str(transactions)]
    if checkpoint_every:
        command.append(str(checkpoint_every))
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _parse(lines: list[str], acked: set[int], checkpoints: list[dict[str, Any]], *, killed: bool) -> None:
    for number, line in enumerate(lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            # Only the last line of a killed worker may be cut short.
            assert killed, f"garbled worker output: {line!r}"
            assert number == len(lines) - 1, f"garbled worker output: {line!r}"
            continue
        if "acked" in record:
            assert acked.isdisjoint(record["acked"]), "an index was acknowledged twice"
            acked.update(record["acked"])
        else:
            checkpoints.append(record["checkpoint"])


@pytest.mark.slow  # three worker processes: about 6 s per backend
def test_concurrent_processes_serialise(store: Store) -> None:
    workers = [_worker(store, seed, transactions=20, checkpoint_every=6) for seed in range(3)]
    acked: set[int] = set()
    checkpoints: list[dict[str, Any]] = []
    for process in workers:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"worker failed:\n{err}"
        checkpoints_of_worker: list[dict[str, Any]] = []
        _parse(out.splitlines(), acked, checkpoints_of_worker, killed=False)
        # One worker's checkpoints come one after another: they never regress.
        _check_checkpoints(store, checkpoints_of_worker)
        checkpoints += checkpoints_of_worker
    size, _ = _check_log(store, acked)
    assert size == len(acked)
    checkpoints.sort(key=lambda cp: cp["tree_size"])
    _check_checkpoints(store, checkpoints)


def test_a_second_appender_waits_for_the_first(store: Store) -> None:
    at = datetime.now(UTC)
    with store.db.session() as session:
        _evidence.record(session, store.tenant_id, "event", {"n": 0}, debtor_id=None, at=at)
    holding = threading.Event()
    result: dict[str, Any] = {}

    def second() -> None:
        holding.wait()
        try:
            with store.db.session() as session:
                result["index"] = _evidence.record(session, store.tenant_id, "event", {"n": 2}, debtor_id=None, at=at)
            result["done"] = time.monotonic()
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=second)
    thread.start()
    with store.db.session() as session:
        first = _evidence.record(session, store.tenant_id, "event", {"n": 1}, debtor_id=None, at=at)
        holding.set()
        time.sleep(0.5)  # the second appender is now blocked on the log's write lock
        assert "error" not in result, result
        assert "index" not in result, "the second appender did not wait for the first one's commit"
        committed = time.monotonic()
    thread.join(timeout=30)
    assert "error" not in result, repr(result.get("error"))
    assert result["index"] == first + 1
    assert result["done"] >= committed
    _check_log(store, {0, first, first + 1})


# -- crash ----------------------------------------------------------------------------------------


def _read_lines(stream: Any, into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _run_and_kill(store: Store, seed: int, *, after_acks: int) -> tuple[list[str], str]:
    """Start a worker appending forever; SIGKILL it at a random moment after ``after_acks`` commits."""
    process = _worker(store, seed, transactions=0, checkpoint_every=5)
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    acks = 0
    deadline = time.monotonic() + 60
    while acks < after_acks:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            pytest.fail("the worker stopped acknowledging appends")
        if line is None:
            process.wait()
            pytest.fail(f"the worker exited early:\n{process.stderr.read() if process.stderr else ''}")
        seen.append(line)
        acks += '"acked"' in line
    time.sleep(random.uniform(0, 0.05))  # noqa: S311 - land anywhere in the burst: mid-transaction, mid-commit, ...
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    reader.join(timeout=30)
    while (line := lines.get_nowait()) is not None:
        seen.append(line)
    stderr = process.stderr.read() if process.stderr else ""
    assert process.returncode == -signal.SIGKILL
    return [line.rstrip("\n") for line in seen], stderr


@pytest.mark.slow  # three worker processes started and killed in turn: about 6 s per backend
def test_acknowledged_entries_survive_sigkill(store: Store) -> None:
    acked: set[int] = set()
    issued: list[dict[str, Any]] = []
    for round_ in range(3):
        lines, stderr = _run_and_kill(store, seed=100 + round_, after_acks=random.randint(15, 40))  # noqa: S311
        assert "Traceback" not in stderr, stderr
        _parse(lines, acked, issued, killed=True)
        # After every crash: nothing acknowledged is lost and the tree is consistent.
        _check_log(store, acked)
    assert issued, "the workers issued no checkpoint before being killed"
    last_issued = issued[-1]
    with store.db.session() as session:
        # Restarted, the service signs a new checkpoint ... (it refuses when the log contradicts its last one)
        new = _evidence.checkpoint(session, KEYS, store.tenant_id, datetime.now(UTC))
    size, root = _check_log(store, acked)
    assert (new["tree_size"], base64.b64decode(new["root_hash"])) == (size, root)
    assert size >= max(acked) + 1
    # ... consistent with the last checkpoint issued before the kill, and with all the others.
    with store.db.session() as session:
        proof = _evidence.log_for(session, store.tenant_id).consistency_proof(last_issued["tree_size"], size)
    verify_consistency(
        last_issued["tree_size"],
        size,
        proof,
        base64.b64decode(last_issued["root_hash"]),
        base64.b64decode(new["root_hash"]),
    )
    _check_checkpoints(store, [*issued, new])
