"""The Alembic migrations build exactly the tables the models describe, and upgrade old data."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from icss.reference._db import Database, alembic_config
from icss.reference._tables import Base


def test_migrated_schema_matches_the_models(app_client: Any) -> None:
    engine = app_client.app.state.ctx.db.engine
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest) -> Iterator[Database]:
    if request.param == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite:///{Path(folder) / 'old.sqlite3'}")
            yield db
            db.dispose()
        return
    import psycopg

    admin_url = os.environ.get("ICSS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    admin = admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"icss_migration_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        pytest.skip("PostgreSQL not reachable")
    db = Database(admin_url.rsplit("/", 1)[0] + "/" + name)
    try:
        yield db
    finally:
        db.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _upgrade(db: Database, revision: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def test_upgrade_keeps_contact_points(empty_database: Database) -> None:
    """A 0001 database with data arrives at head with all its rows, contact points now keyed per tenant."""
    db = empty_database
    _upgrade(db, "0001")
    now = "2020-01-01 00:00:00+00:00"
    with db.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO tenant (id, name, profile, sandbox, created_at) VALUES ('t1', 'x', 'us', true, :now)"),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO debtor (id, tenant_id, pii_sealed, masked, timezones, language, profile, preferences, "
                "created_at) "
                "VALUES ('d1', 't1', 'v1:x', '{}', '[]', 'en', 'us', '{}', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO contact_point (id, tenant_id, debtor_id, kind, owner, is_workplace, value_sealed, "
                "value_masked, data) "
                "VALUES ('cp_mobile', 't1', 'd1', 'phone', 'debtor', false, 'v1:y', '****', '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO debt (id, tenant_id, debtor_id, data, account_masked, created_at) "
                "VALUES ('b1', 't1', 'd1', '{}', '****', :now)"
            ),
            {"now": now},
        )
    db.migrate()
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT tenant_id, id FROM contact_point")).all()
        assert [tuple(r) for r in rows] == [("t1", "cp_mobile")]
        # Copying the debtor table (SQLite batch mode) must not cascade into the rows that refer to it.
        assert conn.execute(text("SELECT id FROM debt")).scalars().all() == ["b1"]
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
