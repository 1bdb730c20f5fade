"""Units of work on the embedded SQLite default: one writer thread, group commit, failures kept apart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from icss.reference import _db
from icss.reference._db import Database, GroupCommitError


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'units.sqlite3'}")
    with database.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE item (name TEXT PRIMARY KEY)")
    yield database
    database.dispose()


def _insert(name: str) -> Any:
    def work(session: Session) -> str:
        session.execute(text("INSERT INTO item (name) VALUES (:n)"), {"n": name})
        return name

    return work


def _queued(db: Database, count: int) -> None:
    """Wait until ``count`` units wait in the writer's queue (so the test decides what shares a batch)."""
    deadline = time.monotonic() + 5
    while db._writer is not None and db._writer._queue.qsize() < count:
        assert time.monotonic() < deadline, "the units never reached the writer's queue"
        time.sleep(0.001)


def _names(db: Database) -> set[str]:
    """What is on disk, read through a connection of its own (not the writer's)."""
    with db.engine.connect() as connection:
        return {row[0] for row in connection.exec_driver_sql("SELECT name FROM item")}


def test_a_unit_is_committed_before_its_result_returns(db: Database) -> None:
    assert db.run(_insert("a")) == "a"
    assert _names(db) == {"a"}


@pytest.mark.parametrize(("seconds", "expected"), [(60.0, 1), (0.0, 21)])
def test_concurrent_units_share_commits(db: Database, seconds: float, expected: int) -> None:
    """Units queued together share a commit, until the batch has run its window."""
    db._writer.MIN_BATCH_SECONDS = db._writer.MAX_BATCH_SECONDS = seconds  # type: ignore[union-attr]
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda _conn: commits.append(1))
    gate = threading.Event()

    def slow_first(session: Session) -> None:
        gate.wait(5)  # while this unit runs, the others queue up behind it
        session.execute(text("INSERT INTO item (name) VALUES ('first')"))

    first = threading.Thread(target=db.run, args=(slow_first,))
    first.start()
    others = [threading.Thread(target=db.run, args=(_insert(f"u{i}"),)) for i in range(20)]
    for thread in others:
        thread.start()
    _queued(db, 20)
    gate.set()
    for thread in [first, *others]:
        thread.join(10)
    assert _names(db) == {"first", *(f"u{i}" for i in range(20))}
    # The held unit and the 20 queued behind it are one batch: one commit, where one per unit would be 21;
    # with no time for a batch, each unit closes its own.
    assert len(commits) == expected, f"{len(commits)} commits for 21 units queued together"


def test_the_batch_window_follows_the_units_pace(db: Database) -> None:
    """A batch runs about BATCH_UNITS units' time, so its length in units is the same on a slow and a fast
    machine; the bounds hold whatever the units take."""
    writer = db._writer
    assert writer is not None
    for unit_seconds, window in [
        (0.0005, 0.002),
        (0.0025, 0.01),
        (0.00001, writer.MIN_BATCH_SECONDS),
        (1.0, writer.MAX_BATCH_SECONDS),
    ]:
        writer._unit_seconds = unit_seconds
        assert writer._window() == pytest.approx(window)
    writer._unit_seconds = 0.05
    db.run(_insert("quick"))  # a quick unit moves the running mean towards its own time
    assert writer._unit_seconds < 0.05


def test_a_failing_unit_rolls_back_alone(db: Database) -> None:
    def failing(session: Session) -> None:
        session.execute(text("INSERT INTO item (name) VALUES ('doomed')"))
        raise ValueError("the handler refused")

    gate = threading.Event()
    results: dict[str, Any] = {}

    def hold(session: Session) -> None:
        gate.wait(5)

    def run(name: str, work: Any) -> None:
        try:
            results[name] = db.run(work)
        except Exception as exc:
            results[name] = exc

    threads = [threading.Thread(target=run, args=("hold", hold))]
    threads[0].start()
    threads += [
        threading.Thread(target=run, args=("before", _insert("before"))),
        threading.Thread(target=run, args=("failing", failing)),
        threading.Thread(target=run, args=("after", _insert("after"))),
    ]
    for thread in threads[1:]:
        thread.start()
        _queued(db, threads.index(thread))  # in this order, behind the held unit: one batch
    gate.set()
    for thread in threads:
        thread.join(10)
    assert isinstance(results["failing"], ValueError)
    assert (results["before"], results["after"]) == ("before", "after")
    assert _names(db) == {"before", "after"}


def test_a_failed_commit_fails_every_unit_of_the_batch_and_drops_caches(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped: list[int] = []
    monkeypatch.setattr(_db, "ROLLBACK_HOOKS", [lambda: dropped.append(1)])

    def refuse(_conn: Any) -> None:
        raise OSError("disk full")

    event.listen(db.engine, "commit", refuse)
    with pytest.raises(GroupCommitError):
        db.run(_insert("lost"))
    assert dropped == [1]
    event.remove(db.engine, "commit", refuse)
    assert _names(db) == set()
    assert db.run(_insert("next")) == "next"  # the writer recovers with a fresh connection
    assert _names(db) == {"next"}


def test_a_unit_cannot_open_another(db: Database) -> None:
    def nested(session: Session) -> None:
        db.run(_insert("inner"))

    with pytest.raises(RuntimeError, match="cannot open another"):
        db.run(nested)


async def _run_async(db: Database) -> str:
    return await db.run_async(_insert("async"))


def test_run_async_answers_on_the_event_loop(db: Database) -> None:
    import asyncio

    assert asyncio.run(_run_async(db)) == "async"
    assert _names(db) == {"async"}
