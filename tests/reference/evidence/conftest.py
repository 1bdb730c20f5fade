"""The ``store`` fixture: a tenant of its own in a database per backend, SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from _evidence_db import Store

from icss.reference._db import Database
from icss.reference._tables import Tenant

POSTGRES_ADMIN_URL = os.environ.get("ICSS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _admin() -> str:
    return POSTGRES_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def evidence_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A migrated database per backend: a SQLite file, or a fresh PostgreSQL database."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('evidence') / 'evidence.sqlite3'}"
    else:
        psycopg = pytest.importorskip("psycopg")
        name = f"icss_evidence_{uuid.uuid4().hex[:12]}"
        try:
            with psycopg.connect(_admin(), autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error:
            if os.environ.get("ICSS_REQUIRE_POSTGRES"):
                pytest.fail(f"PostgreSQL is required (ICSS_REQUIRE_POSTGRES) but not reachable at {POSTGRES_ADMIN_URL}")
            pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} (set ICSS_TEST_POSTGRES_URL)")
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    db = Database(url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()
        if name is not None:
            with psycopg.connect(_admin(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(evidence_database: Database) -> Store:
    """A new tenant, with an empty evidence log, in the backend's database."""
    tenant_id = "tn_" + secrets.token_hex(6)
    with evidence_database.session() as session:
        session.add(Tenant(id=tenant_id, name="evidence", profile="us", sandbox=True, created_at=datetime.now(UTC)))
    return Store(evidence_database.url, evidence_database, tenant_id)
