"""Database engine, sessions and schema migrations.

SQLite (a file in the data folder) is the embedded default; ``postgresql+psycopg://`` URLs switch
to PostgreSQL. Alembic migrations are applied on start, so a fresh database and an old one both
arrive at the current schema.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
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


class Database:
    """The engine and a session factory; one per running service."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time, and a connection that finds the lock taken sleeps in
        # SQLite's busy handler (1, 2, 5, ... 100 ms at a time) before it tries again. Requests of
        # this process take turns on a lock of their own instead, which costs nothing (they share
        # the GIL anyway) and keeps those sleeps out of every latency; other processes still wait
        # through busy_timeout. PostgreSQL locks rows, so its requests run side by side.
        self._turns: AbstractContextManager[Any] = threading.RLock() if url.startswith("sqlite") else nullcontext()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold this process's turn at the database for a whole unit of work (SQLite only)."""
        with self._turns:
            yield

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
