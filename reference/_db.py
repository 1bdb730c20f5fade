"""Database engine, sessions and schema migrations.

SQLite (a file in the data folder) is the embedded default; ``postgresql+psycopg://`` URLs switch
to PostgreSQL. Alembic migrations are applied on start, so a fresh database and an old one both
arrive at the current schema.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

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


class _Batch:
    """The units of work one commit acknowledges."""

    __slots__ = ("done", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None


class _GroupCommit:
    """SQLite group commit: concurrent units of work share one transaction and one fsync.

    With ``synchronous=FULL`` every SQLite commit waits for the disk (an fsync, several
    milliseconds on ordinary storage), and SQLite has one writer at a time: committing each
    request on its own caps a service at a few hundred writes a second however fast its code is.
    Databases answer this with group commit (PostgreSQL's ``commit_delay``, InnoDB's binlog
    group commit); this is the same for the embedded default. Units of work run one at a time,
    each in a SAVEPOINT of a shared transaction, so a failing unit rolls back alone; a committer
    thread commits the transaction once the units waiting for their turn have had it, and no
    unit returns before the commit that covers it is on disk — a reply is never sent for work
    that could still be lost. A unit that fails before the commit raises ``GroupCommitError``.
    """

    #: How long the committer lets queued units join a batch before it commits without them.
    _GATHER_SECONDS = 0.002

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._turn = threading.Lock()
        self._state = threading.Condition()
        self._queued = 0  # units waiting for the turn
        self._pending = 0  # units done in the open transaction, waiting for its commit
        self._batch = _Batch()
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._local = threading.local()
        self._closed = False
        self._committer = threading.Thread(target=self._commit_loop, name="icss-group-commit", daemon=True)
        self._committer.start()

    @contextmanager
    def unit(self) -> Iterator[Session]:
        if getattr(self._local, "active", False):
            raise RuntimeError("a unit of work cannot open another one: it would wait for its own commit")
        with self._state:
            self._queued += 1
        self._turn.acquire()
        self._local.active = True
        try:
            with self._state:
                self._queued -= 1
                self._state.notify_all()
            connection = self._open()
            session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
            try:
                with session.begin():
                    yield session
            except BaseException:
                if not self._alive():  # SQLite rolled the whole transaction back (e.g. disk full)
                    self._fail(GroupCommitError("the shared transaction was aborted"))
                raise
            finally:
                session.close()
            batch = self._batch
            with self._state:
                self._pending += 1
                self._state.notify_all()
        finally:
            self._local.active = False
            self._turn.release()
        batch.done.wait()
        if batch.error is not None:
            raise GroupCommitError("the unit of work could not be committed") from batch.error

    def _open(self) -> Connection:
        """The shared transaction, begun on first use (caller holds the turn)."""
        if self._connection is None:
            self._connection = self._engine.connect()
        if self._transaction is None:
            transaction = self._connection.begin()
            try:
                # pysqlite begins transactions lazily, at the first write: a SAVEPOINT outside a
                # transaction would start (and its RELEASE end) a transaction of its own. An explicit
                # BEGIN IMMEDIATE makes the savepoints nest and takes the write lock once per batch.
                self._connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                transaction.rollback()
                raise
            self._transaction = transaction
        return self._connection

    def _alive(self) -> bool:
        """Whether the shared transaction is still open in SQLite itself."""
        if self._connection is None or self._transaction is None:
            return True
        try:
            return bool(self._connection.connection.dbapi_connection.in_transaction)  # type: ignore[union-attr]
        except Exception:
            return False

    def _commit_loop(self) -> None:
        while True:
            with self._state:
                while self._pending == 0 and not self._closed:
                    self._state.wait()
                if self._pending == 0 and self._closed:
                    return
                # Let the units already waiting for their turn join this commit.
                deadline = time.monotonic() + self._GATHER_SECONDS
                while self._queued and (left := deadline - time.monotonic()) > 0:
                    self._state.wait(left)
            with self._turn:
                self._commit()

    def _commit(self) -> None:
        """Commit the shared transaction and release its units (caller holds the turn)."""
        with self._state:
            batch, self._batch, self._pending = self._batch, _Batch(), 0
        transaction, self._transaction = self._transaction, None
        try:
            if transaction is not None:
                transaction.commit()
        except BaseException as exc:
            batch.error = exc
            self._reset()
        batch.done.set()

    def _fail(self, error: BaseException) -> None:
        """Roll the shared transaction back and fail every unit waiting for it (caller holds the turn)."""
        with self._state:
            batch, self._batch, self._pending = self._batch, _Batch(), 0
        batch.error = error
        self._reset()
        batch.done.set()

    def _reset(self) -> None:
        transaction, self._transaction = self._transaction, None
        connection, self._connection = self._connection, None
        try:
            if transaction is not None and transaction.is_active:
                transaction.rollback()
        finally:
            if connection is not None:
                connection.invalidate()
                connection.close()
        _run_rollback_hooks()

    def close(self) -> None:
        with self._state:
            self._closed = True
            self._state.notify_all()
        self._committer.join(timeout=30)
        with self._turn:
            if self._transaction is not None:
                self._commit()
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
        # commits (see _GroupCommit). PostgreSQL locks rows, so its units run side by side, each in
        # its own transaction.
        self._group = _GroupCommit(self.engine) if url.startswith("sqlite") else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """A unit of work: committed (durably) before this returns, or rolled back on any error.

        What a request does goes through here. On SQLite it joins a group commit; elsewhere it
        is an ordinary session.
        """
        if self._group is None:
            with self.session() as session:
                yield session
        else:
            with self._group.unit() as session:
                yield session

    def migrate(self) -> None:
        migrate(self.engine)

    def dispose(self) -> None:
        if self._group is not None:
            self._group.close()
        self.engine.dispose()
