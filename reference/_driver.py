"""Raw statements on the driver's connection, for the few hot paths where SQLAlchemy's layer costs most.

SQLAlchemy's execution layer (compiled-cache lookup, events, result wrapping, type processing)
adds several tens of microseconds to every statement; a contact decision runs a dozen. The
statements here run on the DB-API connection underneath the caller's SQLAlchemy connection, in
the same transaction, and return plain rows: callers convert values themselves (JSON arrives as
text from SQLite and parsed from psycopg; see :func:`json_value`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table


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


_INSERTS: dict[tuple[str, Any, tuple[str, ...]], tuple[str, list[Any]]] = {}


def insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (mappings of column keys, all with the same keys) into ``table``.

    On SQLite the values go through each column type's own bind processor (the conversions
    SQLAlchemy would apply: UTC datetimes, JSON text) and straight to the driver; elsewhere
    (PostgreSQL renders casts for some types) this is SQLAlchemy's ``insert()``. Columns not named
    take their database default: a Python-side default of the model is not applied here.
    """
    if not rows:
        return
    if not is_sqlite(connection):
        connection.execute(table.insert(), list(rows))
        return
    keys = tuple(rows[0])
    plan = _INSERTS.get((table.name, connection.dialect, keys))
    if plan is None:
        columns = [table.c[key] for key in keys]
        statement = (
            f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        processors = [c.type._cached_bind_processor(connection.dialect) for c in columns]
        plan = _INSERTS[(table.name, connection.dialect, keys)] = (statement, processors)
    statement, processors = plan
    converted = [
        tuple(row[key] if process is None else process(row[key]) for key, process in zip(keys, processors, strict=True))
        for row in rows
    ]
    run_many(connection, statement, converted)


def json_value(value: Any) -> Any:
    """A JSON column's value as Python data, whichever driver read it."""
    return json.loads(value) if isinstance(value, str | bytes) else value


__all__ = ["insert", "is_sqlite", "json_value", "placeholders", "run", "run_many"]
