"""Mutants of the DR area (debtor rights and service quality)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from icss.spec import load_catalogue

from . import mutant
from ._rewrite import rewrite_responses


def _json(change: Any) -> Any:
    def rewrite(_scope: dict[str, Any], body: bytes, _media: str) -> bytes:
        doc = json.loads(body)
        change(doc)
        return json.dumps(doc).encode()

    return rewrite


def _off_by_one(doc: dict[str, Any]) -> None:
    doc["current_amount"] = str(Decimal(doc["current_amount"]) + 1)


def _drop_hardship(doc: dict[str, Any]) -> None:
    doc["events"] = [e for e in doc["events"] if e.get("type") != "hardship"]


def _mask_export_id(doc: dict[str, Any]) -> None:
    national_id = doc["debtor"].get("national_id")
    if national_id:
        doc["debtor"]["national_id"] = "*" * (len(national_id) - 4) + national_id[-4:]


def _never_late(doc: dict[str, Any]) -> None:
    for item in doc.get("items", []):
        item["late"] = False


def _one_more_complaint(doc: dict[str, Any]) -> None:
    doc["received"] += 1


def _forget_places(doc: dict[str, Any]) -> None:
    doc["inconvenient_places"] = []


def _premium_number(doc: dict[str, Any]) -> None:
    doc["debtor_contact_numbers"] = [
        *doc.get("debtor_contact_numbers", []),
        {"number": "+449098790000", "kind": "national_rate", "country": "GB"},
    ]


#: Level-2 runs leave out OP-05, which fails while the reference's getCapabilities claims level 1 only.
_LEVEL2 = frozenset(i.id for i in load_catalogue().active()) - {"OP-05"}

_DEBT = r"/icss/v1/debts/[^/]+"

mutant(
    "dr_itemization_off",
    {"DR-01"},
    wrap=rewrite_responses(_DEBT + "/validation-notice", _json(_off_by_one)),
    note="getValidationNotice's current_amount exceeds the itemization by 1",
)
mutant(
    "dr_dispute_hold_ignored", {"DR-02"}, faults={"dr_dispute_hold_ignored"}, note="checkContact drops dispute_pending"
)
mutant(
    "dr_record_drops_hardship",
    {"DR-03"},
    wrap=rewrite_responses("/icss/v1/me/record", _json(_drop_hardship)),
    note="getMyRecord leaves out hardship events",
)
mutant(
    "dr_export_masked",
    {"DR-04"},
    level=2,
    only=_LEVEL2,
    wrap=rewrite_responses("/icss/v1/me/export", _json(_mask_export_id)),
    note="exportMyData masks the national id",
)
mutant(
    "dr_complaints_never_late",
    {"DR-05"},
    wrap=rewrite_responses("/icss/v1/complaints", _json(_never_late)),
    note="listComplaints never marks a complaint late",
)
mutant(
    "dr_complaint_stats_inflated",
    {"DR-06"},
    level=2,
    only=_LEVEL2,
    wrap=rewrite_responses("/icss/v1/stats/complaints", _json(_one_more_complaint)),
    note="getComplaintStats counts one complaint too many",
)
mutant(
    "dr_vulnerable_flag_ignored",
    {"DR-07"},
    level=2,
    only=_LEVEL2,
    faults={"dr_vulnerable_flag_ignored"},
    note="checkContact drops vulnerable_debtor",
)
mutant(
    "dr_outsourcing_notice_ignored",
    {"DR-09"},
    level=2,
    only=_LEVEL2,
    faults={"dr_outsourcing_notice_ignored"},
    note="checkContact drops outsourcing_notice_missing",
)
mutant(
    "dr_preferences_forget_places",
    {"DR-10"},
    level=2,
    only=_LEVEL2,
    wrap=rewrite_responses("/icss/v1/me/preferences", _json(_forget_places)),
    note="getPreferences loses the inconvenient places",
)
mutant(
    "dr_preferred_language_ignored",
    {"DR-10"},
    level=2,
    only=_LEVEL2,
    faults={"dr_preferred_language_ignored"},
    note="messages keep the debtor's earlier language after updatePreferences sets another listed one",
)
mutant(
    "dr_debt_scope_ignored",
    {"DR-11", "DS-03"},
    level=2,
    only=_LEVEL2,
    faults={"dr_debt_scope_ignored"},
    note="a debtor credential reaches another debtor's debt",
)
mutant(
    "dr_premium_number",
    {"DR-12"},
    level=2,
    only=_LEVEL2,
    wrap=rewrite_responses("/icss/v1/capabilities", _json(_premium_number)),
    note="getCapabilities publishes a UK premium-rate number for debtors",
)
mutant(
    "dr_proposal_auto_declined",
    {"DR-08"},
    level=2,
    only={"DR-08", "AI-08", "OP-01"},
    faults={"dr_proposal_auto_declined"},
    note="every repayment proposal is declined outright, affordable or not",
)
mutant(
    "dr_hardship_ignored",
    {"DR-08"},
    level=2,
    only={"DR-08", "AI-08", "OP-01"},
    faults={"dr_hardship_ignored"},
    note="proposals after a hardship event offer no forbearance option",
)
