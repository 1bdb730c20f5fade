"""Erasure of a debtor's personal data, bounded below by the records the law requires (DS-08).

Retention has a floor and a ceiling. The floor: records that evidence compliance are kept until
``record_retention_years`` after the last collection activity (EV-09), so while any are within it an
erasure cannot complete; it is *restricted* instead — the records are only stored until
``retain_until`` — and erased once that has passed. The ceiling: erasure replaces the debtor's
identity by a tombstone and deletes its contact points, records and free texts. The evidence log is
never touched: its entries name people only by keyed hashes, so it stays verifiable afterwards.

Expired restrictions are erased by :func:`sweep`, which the reads that show personal data and the
sandbox clock call first: nothing erasable is shown after ``retain_until``, on the tenant clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from icss.spec import Profile

from . import _driver, _evidence
from ._crypto import FieldCipher
from ._routing import Call
from ._tables import (
    Attempt,
    Case,
    ContactPoint,
    Debt,
    Debtor,
    Decision,
    Erasure,
    Event,
    MediationCase,
    OutboxMessage,
    Recording,
)

#: What stands where personal data were (person_name needs a non-empty string).
TOMBSTONE = "[erased]"

#: The record categories that evidence compliance (EV-09), each with the rows of a debtor it covers.
RETAINED_CATEGORIES: dict[str, Any] = {
    "contact_attempts": Attempt,
    "contact_decisions": Decision,
    "events": Event,
    "messages": OutboxMessage,
    "recordings": Recording,
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def last_collection_activity(session: Session, tenant_id: str, debtor_id: str) -> datetime | None:
    """The instant of the debtor's last contact attempt: EV-09 counts retention from it."""
    last: datetime | None = session.execute(
        select(func.max(Attempt.at)).where(Attempt.tenant_id == tenant_id, Attempt.debtor_id == debtor_id)
    ).scalar()
    if last is not None and last.tzinfo is None:  # an aggregate may come back naive: the column keeps UTC
        last = last.replace(tzinfo=UTC)
    return last


def retention_floor(profile: Profile, last_activity: datetime) -> datetime:
    """The last collection activity plus record_retention_years (DS-08, EV-09)."""
    return last_activity + relativedelta(years=int(profile.value("record_retention_years")))


def legal_basis(profile: Profile) -> str:
    """The source the profile gives for record_retention_years, or what the value rests on when it has none."""
    entry = profile.parameters["record_retention_years"]
    if entry.source is not None:
        return f"{entry.source.source} {entry.source.section}"
    return f"ICSS EV-09 record_retention_years ({entry.basis}, profile {profile.id})"


def retained_records(
    session: Session, tenant_id: str, debtor_id: str, profile: Profile, retain_until: datetime
) -> list[dict[str, str]]:
    """Each category of the debtor's records that is kept, with its legal basis and retain_until."""
    kept = []
    for category, model in RETAINED_CATEGORIES.items():
        present = session.execute(
            select(model.id).where(model.tenant_id == tenant_id, model.debtor_id == debtor_id).limit(1)
        ).first()
        if present is not None:
            kept.append({"category": category, "legal_basis": legal_basis(profile), "retain_until": _iso(retain_until)})
    return kept


def erase(session: Session, cipher: FieldCipher, debtor: Debtor, *, keep_contact_points: bool = False) -> None:
    """Replace the debtor's personal data by tombstones and delete the records that carry them.

    The debtor and its debts stay (ids, amounts: the creditor's books), as do its cases without
    their free texts, so that the data request itself can still be read and the log stays whole.
    """
    tenant, who = debtor.tenant_id, debtor.id
    debtor.pii_sealed = cipher.seal({"name": TOMBSTONE}, tenant=tenant, field="debtor.pii")
    debtor.masked = {"name": TOMBSTONE}
    debtor.external_ref = None
    debtor.preferences = {}
    for model in RETAINED_CATEGORIES.values():
        session.execute(delete(model).where(model.tenant_id == tenant, model.debtor_id == who))
    if not keep_contact_points:  # kept only by a planted fault of the test mode (DS-08's mutant)
        session.execute(delete(ContactPoint).where(ContactPoint.tenant_id == tenant, ContactPoint.debtor_id == who))
    session.execute(
        update(Debt)
        .where(Debt.tenant_id == tenant, Debt.debtor_id == who)
        .values(account_sealed=None, account_masked=TOMBSTONE)
    )
    session.execute(update(Case).where(Case.tenant_id == tenant, Case.debtor_id == who).values(text_sealed=None))
    session.execute(
        update(MediationCase)
        .where(MediationCase.tenant_id == tenant, MediationCase.debtor_id == who)
        .values(summary_sealed=None)
    )


def mark_erased(session: Session, erasure: Erasure, now: datetime) -> None:
    """Record on the erasure, its data request and the evidence log that the data are gone."""
    erasure.erased_at = now
    case = session.get(Case, erasure.id)
    if case is not None:
        case.data = {**case.data, "erasure": {**case.data.get("erasure", {}), "erased_at": _iso(now)}}
    _evidence.record(
        session,
        erasure.tenant_id,
        "data_request",
        {"data_request_id": erasure.id, "type": "erasure", "erased_at": _iso(now)},
        debtor_id=erasure.debtor_id,
        at=now,
    )


def sweep(
    session: Session, cipher: FieldCipher, tenant_id: str, now: datetime, *, keep_contact_points: bool = False
) -> int:
    """Erase every restricted debtor of the tenant whose retain_until has passed; return how many."""
    due: Iterable[Erasure] = session.execute(
        select(Erasure).where(
            Erasure.tenant_id == tenant_id,
            Erasure.status == "restricted",
            Erasure.erased_at.is_(None),
            Erasure.retain_until <= now,
        )
    ).scalars()
    done = 0
    for erasure in list(due):
        debtor = session.get(Debtor, erasure.debtor_id)
        if debtor is not None:
            erase(session, cipher, debtor, keep_contact_points=keep_contact_points)
        mark_erased(session, erasure, now)
        done += 1
    return done


def sweep_due(call: Call) -> None:
    """:func:`sweep` for the caller's tenant at its clock (the planted fault of DS-08's mutant included)."""
    keep = call.ctx.fault("ds_erasure_keeps_contact_points")
    sweep(call.session, call.ctx.cipher, call.tenant_id, call.now(), keep_contact_points=keep)


def restricted(session: Session, tenant_id: str, debtor_id: str) -> bool:
    """Whether an erasure request of the debtor was restricted or completed: processing stops but storage."""
    # Asked before every contact decision: a written-out statement on the connection, no ORM.
    return bool(_driver.run(session.connection(), _RESTRICTED, (tenant_id, debtor_id)).fetchall())


_RESTRICTED = (
    f"SELECT 1 FROM {Erasure.__tablename__} "  # noqa: S608 - the table name is the model's
    "WHERE tenant_id = ? AND debtor_id = ? AND status IN ('restricted', 'completed') LIMIT 1"
)
