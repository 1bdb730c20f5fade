"""tenant-scoped contact point ids, wider client-given columns, external_ref, lookup indexes

Contact point ids may be chosen by the client ("cp_mobile") and are unique within a tenant only,
so the key is (tenant_id, id); ids are up to 128 characters (common.schema.json#/$defs/id), and so
are the columns that repeat them. Language tags get the 35 characters RFC 5646 section 4.4.1 asks
implementations to keep. The debtor's external reference gets a column of its own (listDebtors
filters by it). The indexes serve the per-debtor and per-attempt lookups of the handlers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 22:20:00
"""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_decision_debtor", "decision", ["tenant_id", "debtor_id"]),
    ("ix_outbox_attempt", "outbox", ["attempt_id"]),
    ("ix_recording_attempt", "recording", ["attempt_id"]),
    ("ix_case_debtor", "case_record", ["tenant_id", "debtor_id", "kind"]),
    ("ix_debtor_external_ref", "debtor", ["tenant_id", "external_ref"]),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot alter a primary key in place: batch mode copies the table. SQLAlchemy warns that
        # the copy's key differs from the reflected column's flag, which is the point of the copy.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Table '_alembic_tmp_contact_point'", sa.exc.SAWarning)
            with op.batch_alter_table("contact_point", recreate="always") as batch_op:
                batch_op.alter_column("id", existing_type=sa.String(length=40), type_=sa.String(length=128))
                batch_op.create_primary_key("pk_contact_point", ["tenant_id", "id"])
    else:
        op.drop_constraint("contact_point_pkey", "contact_point", type_="primary")
        op.alter_column("contact_point", "id", existing_type=sa.String(length=40), type_=sa.String(length=128))
        op.create_primary_key("contact_point_pkey", "contact_point", ["tenant_id", "id"])
    for table in ("attempt", "outbox"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("contact_point_id", existing_type=sa.String(length=40), type_=sa.String(length=128))
    with op.batch_alter_table("debtor") as batch_op:
        batch_op.alter_column("language", existing_type=sa.String(length=20), type_=sa.String(length=35))
        batch_op.add_column(sa.Column("external_ref", sa.String(length=100), nullable=True))
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in _INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("debtor") as batch_op:
        batch_op.drop_column("external_ref")
        batch_op.alter_column("language", existing_type=sa.String(length=35), type_=sa.String(length=20))
    for table in ("attempt", "outbox"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("contact_point_id", existing_type=sa.String(length=128), type_=sa.String(length=40))
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("contact_point", recreate="always") as batch_op:
            batch_op.create_primary_key("pk_contact_point", ["id"])
            batch_op.alter_column("id", existing_type=sa.String(length=128), type_=sa.String(length=40))
    else:
        op.drop_constraint("contact_point_pkey", "contact_point", type_="primary")
        op.alter_column("contact_point", "id", existing_type=sa.String(length=128), type_=sa.String(length=40))
        op.create_primary_key("contact_point_pkey", "contact_point", ["id"])
