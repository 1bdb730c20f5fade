"""Database engine, sessions and schema migrations.

SQLite (a file in the data folder) is the embedded default; ``postgresql+psycopg://`` URLs switch
to PostgreSQL. Alembic migrations are applied on start, so a fresh database and an old one both
arrive at the current schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged entry survives a power cut, not only a killed process (issue 5).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``, tuned for the embedded SQLite default where that applies.

    ``hide_parameters``: statement parameters (personal data among them) never reach SQLAlchemy's
    log lines or the text of its exceptions, whatever logging a deployment switches on.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database schema to the newest migration."""
    cfg = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite batch migrations copy a table and drop the old one; with foreign keys on, that drop
            # would cascade (ON DELETE CASCADE) and empty every table that refers to it. The pragma only
            # takes effect outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    """Mark sessions that wrote: caches must not keep what such a session read after writing."""
    session.info["flushed"] = True


#: Called when work that other units could already see is rolled back (a failed group commit):
#: in-memory caches derived from database state register here to drop what they hold.
ROLLBACK_HOOKS: list[Callable[[], None]] = []


def _run_rollback_hooks() -> None:
    for hook in ROLLBACK_HOOKS:
        hook()


class GroupCommitError(RuntimeError):
    """The shared transaction a unit of work was part of could not be committed."""


class _Writer:
    """SQLite's one writer, as a thread: units of work queue up, run one after another, commit in groups.

    With ``synchronous=FULL`` every SQLite commit waits for the disk (an fsync, several
    milliseconds on ordinary storage), and SQLite has one writer at a time: committing each
    request on its own caps a service at a few hundred writes a second however fast its code is.
    Databases answer this with group commit (PostgreSQL's ``commit_delay``, InnoDB's binlog group
    commit); this is the same for the embedded default. The thread takes the units waiting in its
    queue, runs each in a SAVEPOINT of one shared transaction (a failing unit rolls back alone),
    and commits when the queue is empty or the batch is full. No unit's result is released before
    the commit that covers it is on disk — a reply is never sent for work that could still be
    lost — and if that commit fails, every unit of the batch fails with ``GroupCommitError``.
    One thread, rather than request threads taking turns at a lock, also spares the interpreter
    the hand-offs of a crowd of threads contending for the GIL.
    """

    #: At most this many units share one commit (bounds the latency a long queue adds).
    MAX_BATCH = 64
    #: A batch also closes once its units have run about this many units' time. Every reply of a batch
    #: waits for its commit, so a long batch holds finished replies back while the event loop (reading the
    #: next requests, writing replies) waits for the interpreter; short batches let the two overlap, and a
    #: commit per unit pays a disk flush per request. Measured with benchmarks/contact_decisions.py
    #: (concurrency 8) on a machine with 2-3 ms units: batches of at most four answered ~300 decisions a
    #: second, of at most 64 ~240, of one ~220; bounds of 5, 8 and 12 ms all gave 270-300. On a machine three
    #: times faster the same bound in milliseconds (8 ms, some twenty units) gave 741 a second, 2 ms 850 and
    #: 1 ms 709: the window follows the units' speed, so it is kept in units, timed as they run.
    BATCH_UNITS = 4
    #: Bounds of that window, in seconds (the first units, and a slow unit, move the estimate).
    MIN_BATCH_SECONDS = 0.001
    MAX_BATCH_SECONDS = 0.02

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._queue: queue.SimpleQueue[tuple[Callable[[Session], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="icss-sqlite-writer", daemon=True)
        self._connection: Connection | None = None
        self._closed = False
        self._unit_seconds = 0.002  # a running mean of how long a unit runs (see _window)
        self._thread.start()

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        if threading.current_thread() is self._thread:
            raise RuntimeError("a unit of work cannot open another one: it would wait for its own commit")
        if self._closed:
            raise RuntimeError("the database is closed")
        future: Future[T] = Future()
        self._queue.put((work, future))
        return future

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            done: list[tuple[Future[Any], Any, BaseException | None]] = []
            try:
                transaction = self._begin()
            except BaseException as exc:  # the database cannot be written (locked by another process, gone)
                item[1].set_exception(exc)
                continue
            deadline = time.perf_counter() + self._window()
            while True:
                work, future = item
                if future.set_running_or_notify_cancel():
                    started = time.perf_counter()
                    done.append(self._run_one(work, future))
                    self._unit_seconds += 0.1 * (time.perf_counter() - started - self._unit_seconds)
                if len(done) >= self.MAX_BATCH or time.perf_counter() >= deadline or not self._alive():
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this batch
                    break
            self._finish(transaction, done)

    def _window(self) -> float:
        """How long the next batch may run: BATCH_UNITS units at their recent pace, within the bounds."""
        return min(self.MAX_BATCH_SECONDS, max(self.MIN_BATCH_SECONDS, self.BATCH_UNITS * self._unit_seconds))

    def _begin(self) -> RootTransaction:
        if self._connection is None:
            self._connection = self._engine.connect()
        transaction = self._connection.begin()
        try:
            # pysqlite begins transactions lazily, at the first write: a SAVEPOINT outside a
            # transaction would start (and its RELEASE end) a transaction of its own. An explicit
            # BEGIN IMMEDIATE makes the savepoints nest and takes the write lock once per batch.
            self._connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            transaction.rollback()
            self._drop_connection()
            raise
        return transaction

    def _run_one(
        self, work: Callable[[Session], Any], future: Future[Any]
    ) -> tuple[Future[Any], Any, BaseException | None]:
        # The unit's SAVEPOINT is written out on the driver's connection: SQLAlchemy's nested
        # transaction (begin_nested, its state machine and compiled SAVEPOINT clauses) cost more than
        # the statements themselves, on every request. The session joins the batch's transaction
        # ("rollback_only": it never commits it, and close() leaves it alone); a failing unit is undone
        # here by rolling back to its savepoint, never by the session, whose rollback would end the batch.
        assert self._connection is not None  # noqa: S101 - opened by _begin
        driver = self._connection.connection.dbapi_connection
        assert driver is not None  # noqa: S101 - a live connection
        driver.execute("SAVEPOINT icss_unit")
        session = Session(bind=self._connection, join_transaction_mode="rollback_only", expire_on_commit=False)
        try:
            result = work(session)
            session.flush()
        except BaseException as exc:  # undone to its savepoint; answered after the commit, like the rest
            with contextlib.suppress(Exception):  # the batch's transaction is gone (aborted): _alive() sees it
                driver.execute("ROLLBACK TO SAVEPOINT icss_unit")
                driver.execute("RELEASE SAVEPOINT icss_unit")
            return future, None, exc
        else:
            driver.execute("RELEASE SAVEPOINT icss_unit")
            return future, result, None
        finally:
            session.close()

    def _alive(self) -> bool:
        """Whether the shared transaction is still open in SQLite itself (not rolled back by an error)."""
        try:
            return bool(self._connection.connection.dbapi_connection.in_transaction)  # type: ignore[union-attr]
        except Exception:
            return False

    def _finish(self, transaction: RootTransaction, done: list[tuple[Future[Any], Any, BaseException | None]]) -> None:
        failure: BaseException | None = None
        try:
            if not self._alive():
                raise GroupCommitError("the shared transaction was aborted")
            transaction.commit()
        except BaseException as exc:
            failure = exc
            try:
                if transaction.is_active:
                    transaction.rollback()
            finally:
                self._drop_connection()
                _run_rollback_hooks()
        for future, result, error in done:
            if failure is not None:
                lost = GroupCommitError("the unit of work could not be committed")
                lost.__cause__ = failure
                future.set_exception(lost)
            elif error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()
            connection.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout=30)
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class Database:
    """The engine, sessions and units of work; one per running service."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: this process's units of work take turns and share
        # commits (see _Writer). PostgreSQL locks rows, so its units run side by side, each in
        # its own transaction.
        self._writer = _Writer(self.engine) if url.startswith("sqlite") else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def run(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` as a unit of work and return its result once it is committed (durably).

        What a request does goes through here (or ``run_async``). On SQLite it joins a group
        commit in the writer thread; elsewhere it is an ordinary transaction in the calling thread.
        Any error rolls the unit back and is raised here.
        """
        if self._writer is None:
            with self.session() as session:
                return work(session)
        return self._writer.submit(work).result()

    async def run_async(self, work: Callable[[Session], T]) -> T:
        """``run`` for the event loop: the unit runs in the writer thread or in a worker thread."""
        if self._writer is None:
            return await anyio.to_thread.run_sync(self.run, work)
        return await asyncio.wrap_future(self._writer.submit(work))

    def migrate(self) -> None:
        migrate(self.engine)

    def dispose(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.engine.dispose()
