"""Raw statements on the driver's connection, for the few hot paths where SQLAlchemy's layer costs most.

SQLAlchemy's execution layer (compiled-cache lookup, events, result wrapping, type processing)
adds several tens of microseconds to every statement; a contact decision runs a dozen. The
statements here run on the DB-API connection underneath the caller's SQLAlchemy connection, in
the same transaction, and return plain rows: callers convert values themselves (JSON arrives as
text from SQLite and parsed from psycopg; see :func:`json_value`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def is_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def placeholders(connection: Connection, statement: str) -> str:
    """``statement`` with the driver's placeholders: written with ``?`` (sqlite3), ``%s`` for psycopg."""
    return statement if is_sqlite(connection) else statement.replace("?", "%s")


def _driver(connection: Connection) -> Any:
    driver = connection.connection.dbapi_connection
    if driver is None:  # pragma: no cover - a connection in use is live
        raise RuntimeError("the connection is closed")
    return driver


def run(connection: Connection, statement: str, params: Sequence[Any] = ()) -> Any:
    """Run ``statement`` (qmark style) in the connection's transaction; return the DB-API cursor."""
    cursor = _driver(connection).cursor()
    cursor.execute(placeholders(connection, statement), params)
    return cursor


def run_many(connection: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    _driver(connection).cursor().executemany(placeholders(connection, statement), rows)


def json_value(value: Any) -> Any:
    """A JSON column's value as Python data, whichever driver read it."""
    return json.loads(value) if isinstance(value, str | bytes) else value


__all__ = ["is_sqlite", "json_value", "placeholders", "run", "run_many"]
