"""Deny reasons that come from the service's records rather than from the rules of contact.

The conduct engine decides from events and contact history; two further facts stop contact and are
kept elsewhere: a debt fully written off (disposal status 04, 完全终结: ``write_off_terminated``,
OP-10) and a debtor whose erasure request restricted processing to storage (PIPL 第四十七条第二款:
``processing_restricted``, DS-08). A registry of small functions, each answering the deny reasons it
finds for one contact request, so a new hold is one entry, not another branch in the contact handler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from . import _driver, _erasure
from ._routing import Call
from ._tables import WriteOff

#: Purposes that are not collecting the debt: a fully written-off debt still allows them (OP-10 denies
#: "checkContact with a collection purpose"); everything else seeks payment or prepares for it.
NON_COLLECTION_PURPOSES = frozenset(
    {"opt_out_confirmation", "cease_termination_notice", "reply_to_debtor", "legally_required"}
)


@dataclass(frozen=True)
class ContactQuestion:
    debtor_id: str
    debt_ids: Sequence[str]
    purpose: str
    at: datetime


# Every decision asks these: written out once, run on the driver's connection (see _driver).
_WRITTEN_OFF = (
    f"SELECT data FROM {WriteOff.__tablename__} "  # noqa: S608 - the table name is the model's
    "WHERE tenant_id = ? AND debt_id = ? AND disposal_status = '04'"
)

Hold = Callable[[Call, ContactQuestion], list[str]]
_HOLDS: list[Hold] = []


def hold(func: Hold) -> Hold:
    """Register a source of deny reasons."""
    _HOLDS.append(func)
    return func


def denials(call: Call, question: ContactQuestion) -> list[str]:
    """Every deny reason the registered holds find for this contact request."""
    return [reason for found in _HOLDS for reason in found(call, question)]


@hold
def _written_off(call: Call, question: ContactQuestion) -> list[str]:
    if question.purpose in NON_COLLECTION_PURPOSES or not question.debt_ids:
        return []
    if call.ctx.fault("op_write_off_termination_ignored"):  # test mode: 04 is treated like 03
        return []
    connection = call.session.connection()
    day = question.at.date().isoformat()
    for debt_id in dict.fromkeys(question.debt_ids):  # one primary-key lookup per debt (nearly always one)
        for (data,) in _driver.run(connection, _WRITTEN_OFF, (call.tenant_id, debt_id)).fetchall():
            # A write-off takes effect on its effective_date (or at once): 03 keeps the ordinary rules.
            if str((_driver.json_value(data) or {}).get("effective_date") or "") <= day:
                return ["write_off_terminated"]
    return []


@hold
def _restricted(call: Call, question: ContactQuestion) -> list[str]:
    if _erasure.restricted(call.session, call.tenant_id, question.debtor_id):
        return ["processing_restricted"]
    return []


__all__ = ["NON_COLLECTION_PURPOSES", "ContactQuestion", "denials", "hold"]
