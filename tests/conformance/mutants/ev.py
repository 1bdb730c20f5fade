"""Mutants of the EV area (evidence log, retention, recordings).

Faults in the reference's own logic use switches; tampering with what the evidence endpoints hand
out (hashes, signatures, proofs) is done by wrappers on the HTTP surface, so the log itself stays
intact and only the one artefact under test is wrong.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from . import mutant
from ._rewrite import rewrite_responses

_EV_LEVEL2 = {"EV-01", "EV-02", "EV-03", "EV-04", "EV-05", "EV-06", "EV-08", "EV-09", "EV-10"}


def _json(edit: Any) -> Any:
    def rewrite(_scope: dict[str, Any], body: bytes, media: str) -> bytes:
        if "json" not in media:
            return body
        return json.dumps(edit(json.loads(body))).encode()

    return rewrite


def _unprefixed_leaf(doc: dict[str, Any]) -> dict[str, Any]:
    import rfc8785

    digest = hashlib.sha256(rfc8785.dumps(doc["entry"])).digest()
    return {**doc, "leaf_hash": base64.b64encode(digest).decode()}


def _flip_signature(note: str) -> str:
    body, _, signatures = note.partition("\n\n")
    dash, name, blob = signatures.rstrip("\n").split("\n")[0].split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 0x01
    return f"{body}\n\n{dash} {name} {base64.b64encode(bytes(raw)).decode()}\n"


def _bad_checkpoint(_scope: dict[str, Any], body: bytes, media: str) -> bytes:
    if "json" in media:
        doc = json.loads(body)
        return json.dumps({**doc, "signed_note": _flip_signature(doc["signed_note"])}).encode()
    return _flip_signature(body.decode()).encode()


def _truncated(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "audit_path": doc["audit_path"][:-1]} if doc.get("audit_path") else doc


def _reversed(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "proof": list(reversed(doc["proof"]))} if len(doc.get("proof", [])) > 1 else {**doc, "proof": []}


def _receipt_truncated(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "inclusion_proof": _truncated(doc["inclusion_proof"])}


mutant(
    "ev_entry_unnamed",
    {"EV-01"},
    faults={"ev_entry_unnamed"},
    note="the evidence entry of an event does not name the event",
)
mutant(
    "ev_leaf_hash_unprefixed",
    {"EV-02"},
    level=2,
    only=_EV_LEVEL2,
    wrap=rewrite_responses(r"/icss/v1/evidence/entries/\d+", _json(_unprefixed_leaf)),
    note="getEvidenceEntry's leaf_hash omits the RFC 9162 0x00 leaf prefix",
)
mutant(
    "ev_checkpoint_bad_signature",
    {"EV-03"},
    level=2,
    only=_EV_LEVEL2,
    wrap=rewrite_responses(r"/icss/v1/evidence/checkpoint", _bad_checkpoint),
    note="getCheckpoint's signature does not verify",
)
mutant(
    "ev_inclusion_proof_truncated",
    {"EV-04"},
    level=2,
    only=_EV_LEVEL2,
    wrap=rewrite_responses(r"/icss/v1/evidence/proofs/inclusion", _json(_truncated)),
    note="getInclusionProof drops the last hash of the audit path",
)
mutant(
    "ev_consistency_proof_reversed",
    {"EV-05"},
    level=2,
    only=_EV_LEVEL2,
    wrap=rewrite_responses(r"/icss/v1/evidence/proofs/consistency", _json(_reversed)),
    note="getConsistencyProof returns its hashes in reverse order (or none)",
)
mutant(
    "ev_message_content_in_clear",
    {"EV-06"},
    level=2,
    only=_EV_LEVEL2,
    faults={"ev_message_content_in_clear"},
    note="the message's evidence entry carries the message text, with the debtor's name, in clear",
)
mutant(
    "ev_receipt_path_truncated",
    {"EV-07"},
    level=3,
    only=_EV_LEVEL2 | {"EV-07"},
    wrap=rewrite_responses(r"/icss/v1/evidence/receipts/\d+", _json(_receipt_truncated)),
    note="getReceipt's inclusion proof drops the last hash of the audit path",
)
mutant(
    "ev_recording_retention_short",
    {"EV-08"},
    faults={"ev_recording_retention_short"},
    note="recordings are kept a year less than recording_retention_years",
)
mutant(
    "ev_attempts_purged_early",
    {"EV-09"},
    level=2,
    only=_EV_LEVEL2,
    faults={"ev_attempts_purged_early"},
    note="contact attempts disappear from listContactAttempts after two years",
)
mutant(
    "ev_calls_not_recorded",
    {"EV-10"},
    profile="cn",
    level=2,
    only=_EV_LEVEL2,
    faults={"ev_calls_not_recorded"},
    note="calls are recorded only on request although cn requires recording",
)
