"""Raw inserts on the driver connection read back through the ORM exactly as SQLAlchemy's own would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from icss.reference import _driver
from icss.reference._tables import AuditRecord, Decision

DECISIONS = Decision.metadata.tables[Decision.__tablename__]
AUDIT = AuditRecord.metadata.tables[AuditRecord.__tablename__]


def test_inserted_rows_read_back_through_the_orm(sandbox: Any) -> None:
    db = sandbox.client.app.state.ctx.db
    at = datetime(2024, 6, 5, 15, 0, 1, 123456, tzinfo=UTC)
    decision = {
        "id": "dec_driver_roundtrip",
        "tenant_id": sandbox.tenant_id,
        "debtor_id": None,
        "kind": "contact",
        "request": {"channel": "call", "debt_ids": ["d1"], "at": "2024-06-05T15:00:01Z"},
        "result": {"decision": "deny", "reasons": ["call_cap_7d"], "notes": ["中文", "x"]},
        "at": at,
        "evidence_index": 7,
    }
    audit = {"tenant_id": sandbox.tenant_id, "at": at, "actor": "c1", "role": "collector", "operation": "x",
             "resource_id": None, "status": 200}  # fmt: skip

    def write(session: Any) -> None:
        _driver.insert(session.connection(), DECISIONS, [decision])
        _driver.insert(session.connection(), AUDIT, [audit, {**audit, "status": 409}])

    def read(session: Any) -> tuple[Any, list[Any]]:
        row = session.get(Decision, "dec_driver_roundtrip")
        audits = session.query(AuditRecord).filter_by(tenant_id=sandbox.tenant_id, actor="c1").all()
        return (
            {c.key: getattr(row, c.key) for c in DECISIONS.columns},
            sorted((a.status, a.at, a.operation) for a in audits),
        )

    db.run(write)
    stored, audits = db.run(read)
    assert stored == decision
    assert audits == [(200, at, "x"), (409, at, "x")]
