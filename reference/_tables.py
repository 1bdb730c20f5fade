"""The reference service's tables (SQLAlchemy 2, portable between SQLite and PostgreSQL).

Personal data lives only in ``*_sealed`` columns (AES-GCM, see ``_crypto``) with a masked copy
beside it for views that do not need the clear value. Times are stored in UTC and come back
timezone-aware on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def _id() -> Mapped[str]:
    return mapped_column(String(40), primary_key=True)


def _tenant() -> Mapped[str]:
    return mapped_column(String(40), ForeignKey("tenant.id", ondelete="CASCADE"), index=True)


class Tenant(Base):
    __tablename__ = "tenant"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(10))
    sandbox: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The sandbox test clock: frozen at this instant until set or advanced; None means real time.
    clock_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Client(Base):
    __tablename__ = "client"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    role: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(200))
    debtor_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


class Debtor(Base):
    __tablename__ = "debtor"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    pii_sealed: Mapped[str] = mapped_column(Text)
    masked: Mapped[dict[str, Any]]
    timezones: Mapped[list[Any]]
    language: Mapped[str] = mapped_column(String(35))
    profile: Mapped[str] = mapped_column(String(10))
    preferences: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    #: The creditor's or collector's own reference (not personal data): listDebtors filters by it.
    external_ref: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (Index("ix_debtor_external_ref", "tenant_id", "external_ref"),)


class ContactPoint(Base):
    """A debtor's phone, e-mail, address or social account; its id may be the client's, unique per tenant."""

    __tablename__ = "contact_point"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    debtor_id: Mapped[str] = mapped_column(String(40), ForeignKey("debtor.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(20))
    relationship: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_workplace: Mapped[bool] = mapped_column(Boolean, default=False)
    value_sealed: Mapped[str] = mapped_column(Text)
    value_masked: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]


class Debt(Base):
    __tablename__ = "debt"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    debtor_id: Mapped[str] = mapped_column(String(40), ForeignKey("debtor.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]]
    account_sealed: Mapped[str | None] = mapped_column(Text)
    account_masked: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Event(Base):
    __tablename__ = "event"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    debtor_id: Mapped[str] = mapped_column(String(40), ForeignKey("debtor.id", ondelete="CASCADE"))
    debt_id: Mapped[str | None] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(30))
    effective_at: Mapped[datetime]
    details: Mapped[dict[str, Any]]
    recorded_at: Mapped[datetime]
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_event_debtor", "tenant_id", "debtor_id", "effective_at"),)


class Attempt(Base):
    __tablename__ = "attempt"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    debtor_id: Mapped[str] = mapped_column(String(40), ForeignKey("debtor.id", ondelete="CASCADE"))
    debt_ids: Mapped[list[Any]]
    contact_point_id: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(30))
    purpose: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(40))
    consumer_initiated: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime]
    content: Mapped[str | None] = mapped_column(Text)
    decision_id: Mapped[str | None] = mapped_column(String(40))
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_attempt_debtor", "tenant_id", "debtor_id", "at"),)


class Decision(Base):
    __tablename__ = "decision"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    debtor_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    request: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    at: Mapped[datetime]
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_decision_debtor", "tenant_id", "debtor_id"),)


class AutomatedDecision(Base):
    """A decision made by a model (repayment capacity, debt stress, repayment plan), kept as it was made.

    The inputs are the debtor's financial figures: sealed. The result (score, band, reasons, model and
    version) is what getDecision shows and never changes; a human review that changes the outcome
    makes a new decision and points the old one at it.
    """

    __tablename__ = "automated_decision"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    debtor_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    debt_ids: Mapped[list[Any]]
    model_id: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(40))
    automated_only: Mapped[bool] = mapped_column(Boolean, default=True)
    decided_at: Mapped[datetime]
    inputs_sealed: Mapped[str] = mapped_column(Text)
    result: Mapped[dict[str, Any]]
    explanation_status: Mapped[str] = mapped_column(String(20), default="not_requested")
    human_review_status: Mapped[str] = mapped_column(String(20), default="not_requested")
    review_case_id: Mapped[str | None] = mapped_column(String(40))
    superseded_by: Mapped[str | None] = mapped_column(String(40))
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_automated_decision_debtor", "tenant_id", "debtor_id"),)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    attempt_id: Mapped[str | None] = mapped_column(String(40))
    debtor_id: Mapped[str | None] = mapped_column(String(40))
    debt_id: Mapped[str | None] = mapped_column(String(40))
    contact_point_id: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    #: The language the message is written in (DR-10); none for supervisor alerts.
    language: Mapped[str | None] = mapped_column(String(35))
    ai_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime]
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    __table_args__ = (Index("ix_outbox_attempt", "attempt_id"),)


class Recording(Base):
    __tablename__ = "recording"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    attempt_id: Mapped[str] = mapped_column(String(40))
    debtor_id: Mapped[str] = mapped_column(String(40))
    call_at: Mapped[datetime]
    retention_until: Mapped[datetime]
    deleted_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_recording_attempt", "attempt_id"),)


class Case(Base):
    """Complaints, data-subject requests and incidents: dated cases with a deadline."""

    __tablename__ = "case_record"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    kind: Mapped[str] = mapped_column(String(20))  # complaint | data_request | incident
    debtor_id: Mapped[str | None] = mapped_column(String(40))
    debt_id: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    text_sealed: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    responded_at: Mapped[datetime | None]
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_case_debtor", "tenant_id", "debtor_id", "kind"),)


class MediationCase(Base):
    """A hand-off to a mediator (OP-11): what was shared, on which consent, and where the case stands."""

    __tablename__ = "mediation_case"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    debtor_id: Mapped[str] = mapped_column(String(40), ForeignKey("debtor.id", ondelete="CASCADE"))
    debt_ids: Mapped[list[Any]]
    consent_event_id: Mapped[str] = mapped_column(String(40))
    mediator: Mapped[dict[str, Any]]
    data_shared: Mapped[list[Any]]
    #: Free text written for the mediator may name people: sealed like a complaint's text.
    summary_sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_mediation_case_debtor", "tenant_id", "debtor_id"),)


class Claim(Base):
    """A claim registered across institutions (OP-09): keyed by the holder's reference, no personal data."""

    __tablename__ = "claim"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    claim_ref: Mapped[str] = mapped_column(String(100))
    #: The registration as sent (holder, debtor_subject — a keyed hash —, amounts, dates).
    data: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    registered_at: Mapped[datetime]
    fingerprint: Mapped[str] = mapped_column(String(44))
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("tenant_id", "claim_ref", name="uq_claim_ref"),)


class WriteOff(Base):
    """A debt's write-off with its disposal status (OP-10); one per debt, so requests are idempotent per debt."""

    __tablename__ = "write_off"
    id: Mapped[str] = _id()
    tenant_id: Mapped[str] = _tenant()
    debt_id: Mapped[str] = mapped_column(String(40), ForeignKey("debt.id", ondelete="CASCADE"))
    debtor_id: Mapped[str] = mapped_column(String(40))
    disposal_status: Mapped[str] = mapped_column(String(2))
    #: amount, currency, approval_ref, effective_date (not personal data).
    data: Mapped[dict[str, Any]]
    #: The reason is free text and may name people (e.g. a deceased debtor's heirs).
    reason_sealed: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    evidence_index: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("tenant_id", "debt_id", name="uq_write_off_debt"),)


class Erasure(Base):
    """A resolved erasure request (DS-08): while restricted, the debtor's data are only stored until retain_until."""

    __tablename__ = "erasure"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the data request's id
    tenant_id: Mapped[str] = _tenant()
    debtor_id: Mapped[str] = mapped_column(String(40), ForeignKey("debtor.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # completed | refused | restricted
    resolved_at: Mapped[datetime]
    retain_until: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_erasure_debtor", "tenant_id", "debtor_id"),)


class AuditRecord(Base):
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str | None] = mapped_column(String(40), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    operation: Mapped[str] = mapped_column(String(60))
    resource_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[int] = mapped_column(Integer)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency"
    tenant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class EvidenceLogState(Base):
    """One row per tenant log: its size and the last checkpoint it signed (never to be contradicted)."""

    __tablename__ = "evidence_log"
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    tree_size: Mapped[int] = mapped_column(Integer, default=0)
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    checkpoint_size: Mapped[int] = mapped_column(Integer, default=0)
    checkpoint_root: Mapped[bytes | None] = mapped_column(LargeBinary)
    checkpoint_note: Mapped[str | None] = mapped_column(Text)
    checkpoint_at: Mapped[datetime | None]


class EvidenceNode(Base):
    """Hash of a complete perfect subtree (level 0: leaves); written once, never changed."""

    __tablename__ = "evidence_node"
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary)


class EvidenceEntry(Base):
    __tablename__ = "evidence_entry"
    tenant_id: Mapped[str] = mapped_column(String(40), ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    entry: Mapped[dict[str, Any]]
    #: Who may read it besides auditors and supervisors (kept beside the entry, never inside it).
    debtor_id: Mapped[str | None] = mapped_column(String(40), index=True)
