"""interop and erasure: mediation cases, claims, write-offs and resolved erasure requests

The tables of the interface's interop section (OP-09, OP-10, OP-11) and of erasure requests (DS-08).
Claims are unique per holder reference and write-offs per debt: the database, not only the handler,
keeps registrations and write-offs idempotent when two requests race.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-30 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import icss.reference._tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, icss.reference._tables.UTCDateTime(timezone=True), nullable=nullable)


def _tenant() -> sa.Column[object]:
    return sa.Column("tenant_id", sa.String(length=40), nullable=False)


def upgrade() -> None:
    op.create_table(
        "mediation_case",
        sa.Column("id", sa.String(length=40), nullable=False),
        _tenant(),
        sa.Column("debtor_id", sa.String(length=40), nullable=False),
        sa.Column("debt_ids", sa.JSON(), nullable=False),
        sa.Column("consent_event_id", sa.String(length=40), nullable=False),
        sa.Column("mediator", sa.JSON(), nullable=False),
        sa.Column("data_shared", sa.JSON(), nullable=False),
        sa.Column("summary_sealed", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("created_at"),
        _when("updated_at", nullable=True),
        sa.Column("evidence_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mediation_case_debtor", "mediation_case", ["tenant_id", "debtor_id"], unique=False)
    op.create_index(op.f("ix_mediation_case_tenant_id"), "mediation_case", ["tenant_id"], unique=False)

    op.create_table(
        "claim",
        sa.Column("id", sa.String(length=40), nullable=False),
        _tenant(),
        sa.Column("claim_ref", sa.String(length=100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("registered_at"),
        sa.Column("fingerprint", sa.String(length=44), nullable=False),
        sa.Column("evidence_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "claim_ref", name="uq_claim_ref"),
    )
    op.create_index(op.f("ix_claim_tenant_id"), "claim", ["tenant_id"], unique=False)

    op.create_table(
        "write_off",
        sa.Column("id", sa.String(length=40), nullable=False),
        _tenant(),
        sa.Column("debt_id", sa.String(length=40), nullable=False),
        sa.Column("debtor_id", sa.String(length=40), nullable=False),
        sa.Column("disposal_status", sa.String(length=2), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("reason_sealed", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("requested_at"),
        _when("decided_at", nullable=True),
        sa.Column("evidence_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["debt_id"], ["debt.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "debt_id", name="uq_write_off_debt"),
    )
    op.create_index(op.f("ix_write_off_tenant_id"), "write_off", ["tenant_id"], unique=False)

    op.create_table(
        "erasure",
        sa.Column("id", sa.String(length=40), nullable=False),
        _tenant(),
        sa.Column("debtor_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("resolved_at"),
        _when("retain_until", nullable=True),
        _when("erased_at", nullable=True),
        sa.ForeignKeyConstraint(["debtor_id"], ["debtor.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_erasure_debtor", "erasure", ["tenant_id", "debtor_id"], unique=False)
    op.create_index(op.f("ix_erasure_tenant_id"), "erasure", ["tenant_id"], unique=False)


def downgrade() -> None:
    for table in ("erasure", "write_off", "claim", "mediation_case"):
        op.drop_table(table)
