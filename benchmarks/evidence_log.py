"""Benchmark of the ICSS evidence log: appends per second and proof latency, beside pymerkle and raw SHA-256.

Run it from the checkout with the project's interpreter::

    python benchmarks/evidence_log.py                 # 10^4, 10^5 and 10^6 entries (a few minutes)
    python benchmarks/evidence_log.py --quick         # 10^3 and 10^4, for a smoke test
    python benchmarks/evidence_log.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

What it measures, each part in a fresh child process so that its peak memory (RSS) is its own:

* the machine's raw SHA-256 rate on 64-byte inputs (hashlib), the ceiling for any RFC 9162 log;
* appends per second, one per call (and, in SQL, one per committed transaction) and batched
  (1,000 per call / transaction), on the in-memory store, on the SQL node store in a SQLite file
  (``MerkleLog`` over ``SqlNodeStore``: leaves only), and through the service's ``record_many``
  (RFC 8785 entries with salted subjects, stored in ``evidence_entry`` as well);
* inclusion- and consistency-proof latency (p50/p99 over random indices and sizes, plus the very
  first, cold proof) at each tree size, the trees grown with batched appends;
* pymerkle (``InmemoryTree`` and ``SqliteTree``) on the same leaf data in the same run, with a
  time budget per tree so that sizes it cannot reach in reasonable time are skipped, not waited for.

The targets of ICSS issue 5 are checked at the end: at least 100,000 batched appends per second
in-process on SQLite, and inclusion proofs within 1 ms at 10^6 entries.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import resource
import sqlite3
import ssl
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

BATCH = 1000
GROW_BATCH = 10_000  # appends per transaction while growing the big trees
APPEND_TARGET = 100_000  # batched appends per second, in-process on SQLite
PROOF_TARGET_MS = 1.0  # inclusion proof at 10^6 entries


@dataclass
class Row:
    """One line of the result table."""

    measure: str
    subject: str
    size: str
    result: str
    peak_mib: float | None = None
    numbers: dict[str, float] = field(default_factory=dict)  # rate, p50_ms, p99_ms, first_ms


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _say(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def _leaf(i: int) -> bytes:
    # The same leaf data for every implementation: a small JSON record, like an entry.
    return b'{"i":%d,"kind":"event","tenant":"tn_bench"}' % i


def _rate_row(measure: str, subject: str, count: int, seconds: float) -> Row:
    rate = count / seconds
    return Row(measure, subject, f"{count:,}", f"{rate:,.0f} /s", _peak_mib(), {"rate": rate})


def _latency_row(measure: str, subject: str, size: int, samples: Sequence[float], first: float) -> Row:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1e3
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1e3
    result = f"p50 {p50:.3f} ms · p99 {p99:.3f} ms · first {first * 1e3:.3f} ms"
    return Row(measure, subject, f"{size:,}", result, _peak_mib(), {"p50_ms": p50, "p99_ms": p99})


def _timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# -- the phases (each runs in its own process) --------------------------------------------------


def phase_sha256() -> list[Row]:
    inputs = [hashlib.sha256(b"%d" % i).digest() * 2 for i in range(1000)]  # 64-byte inputs
    pairs = [(inputs[i], inputs[i - 1][:32]) for i in range(1000)]
    sha256 = hashlib.sha256
    rounds = 1000

    def raw() -> None:
        for _ in range(rounds):
            for data in inputs:
                sha256(data).digest()

    def node() -> None:
        for _ in range(rounds):
            for left, right in pairs:
                sha256(b"\x01" + left[:32] + right).digest()

    best_raw = min(_timed(raw) for _ in range(3))
    best_node = min(_timed(node) for _ in range(3))
    count = rounds * len(inputs)
    return [
        _rate_row("SHA-256, 64-byte inputs", "hashlib (best of 3)", count, best_raw),
        _rate_row("RFC 9162 node hash (0x01‖l‖r)", "hashlib + concat", count, best_node),
    ]


def phase_memory_appends(single: int, batched: int) -> list[Row]:
    from icss.reference.evidence import InMemoryNodeStore, MerkleLog

    data = [_leaf(i) for i in range(max(single, batched))]
    log = MerkleLog(InMemoryNodeStore())
    one = _timed(lambda: [log.append(d) for d in data[:single]])
    log = MerkleLog(InMemoryNodeStore())
    many = _timed(lambda: [log.append_many(data[i : i + BATCH]) for i in range(0, batched, BATCH)])
    return [
        _rate_row("append, single", "ICSS in-memory store", single, one),
        _rate_row(f"append, batched ×{BATCH}", "ICSS in-memory store", batched, many),
    ]


@contextmanager
def _database(url: str) -> Iterator[tuple[Any, str]]:
    """A migrated database with a fresh tenant; PostgreSQL URLs get a database of their own."""
    from icss.reference._db import Database
    from icss.reference._tables import Tenant

    drop = None
    if url.startswith("postgresql"):
        import psycopg

        admin = url.replace("postgresql+psycopg://", "postgresql://")
        name = f"icss_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = url.rsplit("/", 1)[0] + "/" + name
        drop = (admin, name)
    db = Database(url)
    db.migrate()
    tenant = "tn_bench"
    with db.session() as session:
        session.add(Tenant(id=tenant, name="bench", profile="us", sandbox=True, created_at=datetime.now(UTC)))
    try:
        yield db, tenant
    finally:
        db.dispose()
        if drop is not None:
            import psycopg

            with psycopg.connect(drop[0], autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')


def _backend(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite file"


def phase_sql_appends(url: str, single: int, batched: int) -> list[Row]:
    from icss.reference import _evidence

    data = [_leaf(i) for i in range(max(single, batched))]
    with _database(url) as (db, tenant):

        def one_per_transaction() -> None:
            for d in data[:single]:
                with db.session() as session:
                    _evidence.locked_log(session, tenant).append(d)

        def batches() -> None:
            for i in range(0, batched, BATCH):
                with db.session() as session:
                    _evidence.locked_log(session, tenant).append_many(data[i : i + BATCH])

        one = _timed(one_per_transaction)
        many = _timed(batches)
    where = f"ICSS SQL node store, {_backend(url)}"
    return [
        _rate_row("append, single (1 per commit)", where, single, one),
        _rate_row(f"append, batched ×{BATCH} per commit", where, batched, many),
    ]


def _entries(start: int, count: int) -> list[tuple[str, dict[str, Any], str]]:
    return [
        (
            "contact_attempt",
            {"attempt_id": f"att_{i}", "channel": "call", "purpose": "collection", "outcome": "no_answer",
             "debt_ids": [f"dbt_{i % 97}"], "contact_point_id": f"cp_{i % 13}", "at": "2026-03-03T13:59:30Z"},
            f"dbr_{i % 97}",
        )
        for i in range(start, start + count)
    ]  # fmt: skip


def phase_service_appends(url: str, single: int, batched: int) -> list[Row]:
    from icss.reference import _evidence

    at = datetime.now(UTC)
    with _database(url) as (db, tenant):
        items = _entries(0, max(single, batched))

        def one_per_transaction() -> None:
            for kind, payload, debtor in items[:single]:
                with db.session() as session:
                    _evidence.record(session, tenant, kind, payload, debtor_id=debtor, at=at)

        def batches() -> None:
            for i in range(0, batched, BATCH):
                with db.session() as session:
                    _evidence.record_many(session, tenant, items[i : i + BATCH], at=at)

        one = _timed(one_per_transaction)
        many = _timed(batches)
    where = f"ICSS service record_many, {_backend(url)}"
    return [
        _rate_row("append entry, single (1 per commit)", where, single, one),
        _rate_row(f"append entry, batched ×{BATCH} per commit", where, batched, many),
    ]


def _proof_rows(
    where: str, size: int, samples: int, inclusion: Callable[[int], Any], consistency: Callable[[int], Any]
) -> list[Row]:
    rng = random.Random(size)
    indices = [rng.randrange(size) for _ in range(samples)]
    firsts = [rng.randrange(1, size) for _ in range(samples)]
    cold_inclusion = _timed(lambda: inclusion(indices[0]))
    cold_consistency = _timed(lambda: consistency(firsts[0]))
    inc = [_timed(lambda i=i: inclusion(i)) for i in indices]
    con = [_timed(lambda f=f: consistency(f)) for f in firsts]
    return [
        _latency_row("inclusion proof", where, size, inc, cold_inclusion),
        _latency_row("consistency proof", where, size, con, cold_consistency),
    ]


def phase_memory_proofs(sizes: Sequence[int], samples: int) -> list[Row]:
    from icss.reference.evidence import InMemoryNodeStore, MerkleLog

    log = MerkleLog(InMemoryNodeStore())
    rows: list[Row] = []
    for size in sizes:
        start = time.perf_counter()
        for i in range(log.size, size, GROW_BATCH):
            log.append_many(_leaf(j) for j in range(i, min(i + GROW_BATCH, size)))
        _say(f"in-memory tree grown to {size:,} in {time.perf_counter() - start:.1f} s")
        rows += _proof_rows(
            "ICSS in-memory store", size, samples, lambda i: log.inclusion_proof(i), lambda f: log.consistency_proof(f)
        )
    return rows


def phase_sql_proofs(url: str, sizes: Sequence[int], samples: int) -> list[Row]:
    from icss.reference import _evidence

    rows: list[Row] = []
    with _database(url) as (db, tenant):
        grown = 0
        for size in sizes:
            start = time.perf_counter()
            for i in range(grown, size, GROW_BATCH):
                with db.session() as session:
                    _evidence.locked_log(session, tenant).append_many(
                        _leaf(j) for j in range(i, min(i + GROW_BATCH, size))
                    )
                if (i // GROW_BATCH) % 20 == 19:
                    _say(f"{_backend(url)} tree at {i + GROW_BATCH:,} of {size:,}")
            grown = size
            took = time.perf_counter() - start
            _say(f"{_backend(url)} tree grown to {size:,} in {took:.1f} s")
            with db.session() as session:
                log = _evidence.log_for(session, tenant)
                rows += _proof_rows(
                    f"ICSS SQL node store, {_backend(url)}",
                    size,
                    samples,
                    lambda i: log.inclusion_proof(i),  # noqa: B023 - used before the loop moves on
                    lambda f: log.consistency_proof(f),  # noqa: B023
                )
    return rows


def phase_pymerkle_appends(single: int, batched: int, workdir: str) -> list[Row]:
    from pymerkle import InmemoryTree, SqliteTree

    data = [_leaf(i) for i in range(max(single, batched))]
    tree = InmemoryTree(algorithm="sha256")
    one = _timed(lambda: [tree.append_entry(d) for d in data[:single]])
    tree = InmemoryTree(algorithm="sha256")
    many = _timed(lambda: [tree.append_entries(data[i : i + BATCH]) for i in range(0, batched, BATCH)])
    rows = [
        _rate_row("append, single", "pymerkle InmemoryTree", single, one),
        _rate_row(f"append, batched ×{BATCH}", "pymerkle InmemoryTree", batched, many),
    ]
    path = Path(workdir) / f"pymerkle-{uuid.uuid4().hex[:8]}.db"
    sql = SqliteTree(str(path), algorithm="sha256")
    # SqliteTree commits every append_entry in SQLite's default rollback-journal mode with a sync
    # per commit (the ICSS store runs in WAL mode, synchronous=NORMAL): a few hundred suffice.
    single = min(single, 300)
    try:
        one = _timed(lambda: [sql.append_entry(d) for d in data[:single]])
        many = _timed(lambda: [sql.append_entries(data[i : i + BATCH]) for i in range(0, batched, BATCH)])
    finally:
        sql.close()
        path.unlink(missing_ok=True)
    rows += [
        _rate_row("append, single (1 per commit)", "pymerkle SqliteTree", single, one),
        _rate_row(f"append, batched ×{BATCH} per commit", "pymerkle SqliteTree", batched, many),
    ]  # fmt: skip
    return rows


def phase_pymerkle_proofs(kind: str, sizes: Sequence[int], samples: int, budget: float, workdir: str) -> list[Row]:
    """pymerkle's proofs at each size its tree reaches within ``budget`` seconds of growing."""
    from pymerkle import InmemoryTree, SqliteTree

    from icss.reference.evidence import InMemoryNodeStore, MerkleLog

    path = Path(workdir) / f"pymerkle-{uuid.uuid4().hex[:8]}.db"
    tree: Any = (
        InmemoryTree(algorithm="sha256") if kind == "InmemoryTree" else SqliteTree(str(path), algorithm="sha256")
    )
    twin = MerkleLog(InMemoryNodeStore())  # to check the two trees agree on the same inputs
    rows: list[Row] = []
    grown, spent = 0, 0.0
    try:
        for size in sizes:
            rate = grown / spent if spent else None
            if rate is not None and (size - grown) / rate > budget:
                wait = f"skipped: growing it would take ~{(size - grown) / rate:.0f} s (budget {budget:.0f} s)"
                rows.append(Row("inclusion / consistency proof", f"pymerkle {kind}", f"{size:,}", wait))
                continue
            start = time.perf_counter()
            for i in range(grown, size, GROW_BATCH):
                chunk = [_leaf(j) for j in range(i, min(i + GROW_BATCH, size))]
                tree.append_entries(chunk)
                twin.append_many(chunk)
            spent += time.perf_counter() - start
            grown = size
            _say(f"pymerkle {kind} grown to {size:,} ({spent:.1f} s so far)")
            if tree.get_root() != twin.root():
                raise RuntimeError(f"pymerkle and ICSS disagree on the root at {size}")
            rows += _proof_rows(
                f"pymerkle {kind}",
                size,
                samples,
                lambda i: tree.prove_inclusion(i + 1, size),  # noqa: B023 - pymerkle indices are 1-based
                lambda f: tree.prove_consistency(f, size),  # noqa: B023
            )
    finally:
        if kind == "SqliteTree":
            tree.close()
            path.unlink(missing_ok=True)
    return rows


# -- driver ---------------------------------------------------------------------------------------


def _in_child(function: Callable[..., list[Row]], *args: Any) -> list[Row]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
        return pool.submit(function, *args).result()


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPU · Python {platform.python_version()} · SQLite {sqlite3.sqlite_version} · "
        f"{ssl.OPENSSL_VERSION}"
    )


def _print(rows: Sequence[Row]) -> None:
    headers = ("measure", "implementation / store", "N", "result", "peak RSS")
    table = [
        (r.measure, r.subject, r.size, r.result, "" if r.peak_mib is None else f"{r.peak_mib:,.0f} MiB") for r in rows
    ]
    widths = [max(len(h), *(len(t[c]) for t in table)) for c, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for t in table:
        print(" | ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)))


def _value(rows: Sequence[Row], measure: str, subject: str, size: str | None = None) -> Row | None:
    return next((r for r in rows if r.measure == measure and r.subject == subject and size in (None, r.size)), None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (10^3, 10^4): a smoke test")
    parser.add_argument("--sizes", help="comma-separated tree sizes for the proofs (default 10^4,10^5,10^6)")
    parser.add_argument("--samples", type=int, default=2000, help="proofs per size and kind (default 2000)")
    parser.add_argument("--budget", type=float, default=120, help="seconds pymerkle may spend growing a tree")
    parser.add_argument("--postgres", metavar="URL", help="also measure PostgreSQL (a database is created and dropped)")
    parser.add_argument("--no-pymerkle", action="store_true", help="skip pymerkle")
    parser.add_argument("--workdir", help="where the SQLite files go (default: a temporary folder)")
    args = parser.parse_args(argv)

    if args.sizes:
        sizes = [int(float(s)) for s in args.sizes.split(",")]
    else:
        sizes = [1_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000]
    single, batched = (500, 5_000) if args.quick else (2_000, 200_000)
    samples = min(args.samples, 200) if args.quick else args.samples

    print(f"ICSS evidence log benchmark — {_machine()}")
    load = os.getloadavg()[0]
    print(
        f"load average at start: {load:.1f}"
        + (" — the machine is busy: rates are understated" if load > (os.cpu_count() or 1) else "")
    )
    print(
        f"leaf data: ~45-byte JSON records · batch {BATCH} · proofs: {samples} random per size (+ the first, cold one)"
    )
    print()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:

        def sqlite_url(name: str) -> str:
            return f"sqlite:///{Path(workdir) / name}"

        steps: list[tuple[str, Callable[..., list[Row]], tuple[Any, ...]]] = [
            ("SHA-256", phase_sha256, ()),
            ("in-memory appends", phase_memory_appends, (single * 10, batched)),
            ("SQLite node-store appends", phase_sql_appends, (sqlite_url("appends.sqlite3"), single, batched)),
            ("SQLite service appends", phase_service_appends, (sqlite_url("service.sqlite3"), single, batched // 2)),
            ("in-memory proofs", phase_memory_proofs, (sizes, samples)),
            ("SQLite proofs", phase_sql_proofs, (sqlite_url("proofs.sqlite3"), sizes, samples)),
        ]
        if args.postgres:
            pg_sizes = [s for s in sizes if s <= 100_000]
            steps += [
                ("PostgreSQL node-store appends", phase_sql_appends, (args.postgres, single // 4, batched // 4)),
                ("PostgreSQL service appends", phase_service_appends, (args.postgres, single // 4, batched // 8)),
                ("PostgreSQL proofs", phase_sql_proofs, (args.postgres, pg_sizes, samples)),
            ]
        if not args.no_pymerkle:
            steps += [
                ("pymerkle appends", phase_pymerkle_appends, (single, batched, workdir)),
                ("pymerkle InmemoryTree proofs", phase_pymerkle_proofs,
                 ("InmemoryTree", sizes, samples, args.budget, workdir)),
                ("pymerkle SqliteTree proofs", phase_pymerkle_proofs,
                 ("SqliteTree", sizes, samples, args.budget, workdir)),
            ]  # fmt: skip
        for name, function, step_args in steps:
            _say(f"{name} …")
            start = time.perf_counter()
            rows += _in_child(function, *step_args)
            _say(f"{name}: {time.perf_counter() - start:.1f} s")

    _print(rows)
    print()
    batched_row = _value(rows, f"append, batched ×{BATCH} per commit", "ICSS SQL node store, SQLite file")
    service_row = _value(rows, f"append entry, batched ×{BATCH} per commit", "ICSS service record_many, SQLite file")
    biggest = f"{max(sizes):,}"
    proof_row = _value(rows, "inclusion proof", "ICSS SQL node store, SQLite file", biggest)
    if batched_row:
        rate = batched_row.numbers["rate"]
        verdict = "met" if rate >= APPEND_TARGET else "MISSED"
        print(f"target ≥ {APPEND_TARGET:,} batched appends/s in-process on SQLite: {batched_row.result} — {verdict}")
    if service_row:
        print(f"  (whole service path, RFC 8785 entries stored too: {service_row.result})")
    if proof_row:
        p50, p99 = proof_row.numbers["p50_ms"], proof_row.numbers["p99_ms"]
        verdict = "met" if p99 <= PROOF_TARGET_MS else ("met at p50" if p50 <= PROOF_TARGET_MS else "MISSED")
        print(f"target inclusion proof ≤ {PROOF_TARGET_MS} ms at {biggest} entries (SQLite): {proof_row.result}")
        print(f"  — {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
