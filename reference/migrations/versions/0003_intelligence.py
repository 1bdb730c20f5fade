"""automated decisions of the intelligent services

Decisions of the repayment-capacity scorecard, the debt-stress indicators and the plan proposals,
with the model id and version that made them (AI-06), their sealed inputs, and the state of the
debtor's explanation and human-review requests (the requests themselves are cases).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from icss.reference._tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "automated_decision",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False),
        sa.Column("debtor_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("debt_ids", sa.JSON(), nullable=False),
        sa.Column("model_id", sa.String(128), nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("automated_only", sa.Boolean(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("inputs_sealed", sa.Text(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("explanation_status", sa.String(20), nullable=False),
        sa.Column("human_review_status", sa.String(20), nullable=False),
        sa.Column("review_case_id", sa.String(40), nullable=True),
        sa.Column("superseded_by", sa.String(40), nullable=True),
        sa.Column("evidence_index", sa.Integer(), nullable=True),
    )
    op.create_index("ix_automated_decision_tenant_id", "automated_decision", ["tenant_id"])
    op.create_index("ix_automated_decision_debtor", "automated_decision", ["tenant_id", "debtor_id"])


def downgrade() -> None:
    op.drop_index("ix_automated_decision_debtor", table_name="automated_decision")
    op.drop_index("ix_automated_decision_tenant_id", table_name="automated_decision")
    op.drop_table("automated_decision")
