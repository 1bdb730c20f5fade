"""Evidence and records (EV): the tamper-evident evidence log and how long records are kept.

The log is checked with the harness's own verifier (:mod:`icss.conformance.evidence`), written from
RFC 9162, RFC 8785 and the C2SP texts alone: leaf hashes and Merkle roots are recomputed from the
entries the target returns, proofs and signed checkpoints are verified against the key the target
publishes. Each check first records a few collection actions of its own (a decision, a contact
attempt, an event) so the log it inspects is small, known and fresh.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import rfc8785

from .. import evidence
from .._context import CheckContext
from .._outcomes import CheckSkipped
from .._registry import check
from ._support import parse_ts, problem_document, utc_iso, validate_against

_FEATURE = "evidence_log"


# -- building a small log ------------------------------------------------------------------------


def _actions(ctx: CheckContext, content: str = "Your statement is available.") -> dict[str, Any]:
    """Record an allowed decision, a denied decision, an e-mail attempt and an event for a new debtor."""
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    ctx.set_clock(ctx.local_instant("2026-03-05", "11:00"))
    email = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "email")
    base = {"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "purpose": "collection"}
    allowed = ctx.expect(
        ctx.request("POST", "/contact-decisions", json={**base, "contact_point_id": email, "channel": "email"}),
        200,
        what="checkContact for an e-mail at 11:00 debtor-local time",
    )
    # AI voice without the debtor's consent is denied under every profile (AI-10).
    denied = ctx.expect(
        ctx.request(
            "POST",
            "/contact-decisions",
            json={**base, "contact_point_id": debtor["phone_point"], "channel": "ai_voice"},
        ),
        200,
        what="checkContact for an AI voice call",
    )
    attempt = ctx.expect(
        ctx.request(
            "POST",
            "/contact-attempts",
            json={**base, "contact_point_id": email, "channel": "email", "content": content},
        ),
        201,
        what="createContactAttempt for an e-mail at 11:00 debtor-local time",
    )
    event = ctx.expect(
        ctx.request(
            "POST",
            f"/debtors/{debtor['id']}/events",
            json={"type": "consent_given", "source": "debtor", "details": {"purpose": "electronic_communications"}},
        ),
        201,
        what="recordEvent consent_given",
    )
    return {"debtor": debtor, "debt": debt, "allowed": allowed, "denied": denied, "attempt": attempt, "event": event}


def _checkpoint(ctx: CheckContext) -> dict[str, Any]:
    body = ctx.expect(
        ctx.request("GET", "/evidence/checkpoint", None, params={"tenant": ctx.sandbox.tenant_id}),
        200,
        what="getCheckpoint without credentials",
    )
    validate_against(ctx, body, "checkpoint")
    return dict(body)


def _verifier_key(ctx: CheckContext) -> str:
    body = ctx.expect(
        ctx.request("GET", "/evidence/public-key", None, params={"tenant": ctx.sandbox.tenant_id}),
        200,
        what="getEvidencePublicKey without credentials",
    )
    validate_against(ctx, body, "public-key")
    return str(body["verifier_key"])


def _entry(ctx: CheckContext, index: int) -> dict[str, Any]:
    body = ctx.expect(
        ctx.request("GET", f"/evidence/entries/{index}", "auditor"), 200, what=f"getEvidenceEntry {index} as auditor"
    )
    validate_against(ctx, body, "evidence-entry")
    return dict(body)


def _b64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _recomputed_leaf(entry: dict[str, Any]) -> bytes:
    return evidence.leaf_hash(rfc8785.dumps(entry["entry"]))


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 Merkle Tree Hash, computed from scratch (split at the largest power of two < n)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _root(checkpoint: dict[str, Any]) -> bytes:
    return _b64(str(checkpoint["root_hash"]))


# -- EV-01 ---------------------------------------------------------------------------------------


@check("EV-01", feature=_FEATURE)
def actions_have_entries(ctx: CheckContext) -> None:
    """Every checkContact decision (allow and deny), createContactAttempt and recordEvent returns an
    evidence_index whose entry names the action's kind and id, lies below the size of the next
    checkpoint, and appears with the same index in the debtor's getMyRecord."""
    made = _actions(ctx)
    actions = [
        ("contact_decision", "decision_id", made["allowed"], "contact_decisions", "checkContact (allow)"),
        # AI voice without consent: a deny on a conforming target (AI-10); its entry is due either way.
        ("contact_decision", "decision_id", made["denied"], "contact_decisions", "checkContact (deny)"),
        ("contact_attempt", "id", made["attempt"], "contact_attempts", "createContactAttempt"),
        ("event", "id", made["event"], "events", "recordEvent"),
    ]
    size = int(_checkpoint(ctx)["tree_size"])
    record = ctx.expect(ctx.request("GET", "/me/record", token=made["debtor"]["token"]), 200, what="getMyRecord")
    for kind, id_field, body, section, what in actions:
        index = body.get("evidence_index")
        ctx.require(
            isinstance(index, int) and not isinstance(index, bool) and index >= 0, f"{what} returned no evidence_index"
        )
        entry = _entry(ctx, index)["entry"]
        ident = body[id_field]
        ctx.require(
            entry.get("kind") == kind,
            f"the evidence entry {index} of {what} has kind {entry.get('kind')!r}, expected {kind!r}",
        )
        ctx.require(
            ident in _strings(entry.get("payload", {})),
            f"the evidence entry {index} of {what} does not name the action's id {ident}",
        )
        ctx.require(
            size > index, f"the checkpoint after {what} has tree size {size}, not greater than its index {index}"
        )
        listed = [item for item in record.get(section, []) if item.get(id_field) == ident]
        ctx.require(bool(listed), f"getMyRecord does not list the {what} {ident} under {section}")
        ctx.require(
            listed[0].get("evidence_index") == index,
            f"getMyRecord lists {what} {ident} with evidence_index {listed[0].get('evidence_index')}, "
            f"the operation returned {index}",
        )


def _strings(node: Any) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, dict):
        return {s for value in node.values() for s in _strings(value)}
    if isinstance(node, list):
        return {s for value in node for s in _strings(value)}
    return set()


# -- EV-02 ---------------------------------------------------------------------------------------


@check("EV-02", feature=_FEATURE)
def entries_hash_into_tree(ctx: CheckContext) -> None:
    """Each entry's leaf_hash is SHA-256(0x00 || RFC 8785 canonical entry), and the checkpoint's root
    is the RFC 9162 Merkle Tree Hash of all leaves in index order, both recomputed by the harness."""
    _actions(ctx)
    checkpoint = _checkpoint(ctx)
    size = int(checkpoint["tree_size"])
    ctx.require(size > 0, "the checkpoint has tree size 0 after several recorded actions")
    leaves = []
    for index in range(size):
        body = _entry(ctx, index)
        ctx.require(body["index"] == index, f"getEvidenceEntry {index} returned the entry of index {body['index']}")
        leaf = _recomputed_leaf(body)
        ctx.require(
            _b64(body["leaf_hash"]) == leaf,
            f"entry {index}: leaf_hash {body['leaf_hash']} is not SHA-256(0x00 || RFC 8785 form of the entry) "
            f"= {base64.b64encode(leaf).decode()}",
        )
        leaves.append(leaf)
    root = _mth(leaves)
    ctx.require(
        root == _root(checkpoint),
        f"the checkpoint root of size {size} is {checkpoint['root_hash']}, but the RFC 9162 Merkle Tree Hash "
        f"of entries 0..{size - 1} is {base64.b64encode(root).decode()}",
    )


# -- EV-03 ---------------------------------------------------------------------------------------


@check("EV-03", feature=_FEATURE)
def checkpoint_signed(ctx: CheckContext) -> None:
    """getCheckpoint and getEvidencePublicKey answer without credentials; the checkpoint is a C2SP signed
    note (origin, size, root; no extension lines) signed with Ed25519 by the published key, whose name is
    the origin, and its JSON form states the same origin, size and root."""
    _actions(ctx)
    key = _verifier_key(ctx)
    checkpoint = _checkpoint(ctx)
    text = ctx.request(
        "GET", "/evidence/checkpoint", None, params={"tenant": ctx.sandbox.tenant_id}, headers={"Accept": "text/plain"}
    )
    ctx.require(text.status_code == 200, f"getCheckpoint as text/plain answered {text.status_code}")
    ctx.require(
        text.text == checkpoint["signed_note"],
        "the text/plain checkpoint is not byte for byte the signed_note of the JSON form",
    )
    try:
        parsed = evidence.parse_verifier_key(key)
        verified = evidence.verify_signed_note(checkpoint["signed_note"], key)
    except evidence.VerificationError as exc:
        ctx.fail(f"the checkpoint does not verify with the published key {key}: {exc}")
        return
    ctx.require(
        parsed.name == verified.origin,
        f"the signing key is named {parsed.name!r} but the checkpoint origin is {verified.origin!r}",
    )
    ctx.require(not verified.extensions, f"the checkpoint carries extension lines {list(verified.extensions)}")
    ctx.require(
        (verified.origin, verified.tree_size, verified.root_hash)
        == (checkpoint["origin"], checkpoint["tree_size"], _root(checkpoint)),
        "the JSON checkpoint's origin, tree_size or root_hash differ from what its signed note states",
    )


# -- EV-04 ---------------------------------------------------------------------------------------


@check("EV-04", feature=_FEATURE)
def inclusion_proofs_verify(ctx: CheckContext) -> None:
    """For every index below the checkpoint's tree size, getInclusionProof returns an audit path that leads
    from the entry's recomputed leaf hash to the checkpoint root (RFC 9162 §2.1.3.2); an index at or past
    the tree size, or a tree size past the log, is refused with a 4xx problem document."""
    _actions(ctx)
    checkpoint = _checkpoint(ctx)
    size, root = int(checkpoint["tree_size"]), _root(checkpoint)
    for index in range(size):
        leaf = _recomputed_leaf(_entry(ctx, index))
        proof = ctx.expect(
            ctx.request("GET", "/evidence/proofs/inclusion", "auditor", params={"index": index, "tree_size": size}),
            200,
            what=f"getInclusionProof index={index} tree_size={size}",
        )
        validate_against(ctx, proof, "inclusion-proof")
        try:
            evidence.verify_inclusion(leaf, index, size, [_b64(h) for h in proof["audit_path"]], root)
        except evidence.VerificationError as exc:
            ctx.fail(f"the inclusion proof of entry {index} in the tree of {size} does not verify: {exc}")
    for params, what in (
        ({"index": size, "tree_size": size}, "index = tree_size"),
        ({"index": 0, "tree_size": size + 5}, "tree_size past the current tree size"),
    ):
        refused = ctx.request("GET", "/evidence/proofs/inclusion", "auditor", params=params)
        ctx.require(
            400 <= refused.status_code < 500, f"getInclusionProof with {what} answered {refused.status_code}, not a 4xx"
        )
        body = problem_document(ctx, refused)
        ctx.require("audit_path" not in body, f"getInclusionProof with {what} returned an audit path")


# -- EV-05 ---------------------------------------------------------------------------------------


@check("EV-05", feature=_FEATURE)
def checkpoints_append_only(ctx: CheckContext) -> None:
    """Checkpoints never shrink nor change root at a size; getConsistencyProof between two checkpoints
    verifies under RFC 9162 §2.1.4.2 (empty for equal sizes), and first = 0, first > second or second past
    the log are refused with a 4xx problem document."""
    made = _actions(ctx)
    first = _checkpoint(ctx)
    again = _checkpoint(ctx)
    ctx.require(again["tree_size"] >= first["tree_size"], "the tree size of successive checkpoints decreased")
    if again["tree_size"] == first["tree_size"]:
        ctx.require(
            again["root_hash"] == first["root_hash"],
            f"two checkpoints of size {first['tree_size']} have different roots",
        )
    ctx.expect(
        ctx.request(
            "POST",
            f"/debtors/{made['debtor']['id']}/events",
            json={"type": "consent_given", "source": "debtor", "details": {"purpose": "data_processing"}},
        ),
        201,
        what="recordEvent",
    )
    second = _checkpoint(ctx)
    m, n = int(first["tree_size"]), int(second["tree_size"])
    ctx.require(n > m, f"after one more recordEvent the checkpoint size went from {m} to {n}")
    for a, b, root_a, root_b in (
        (m, n, _root(first), _root(second)),
        (n, n, _root(second), _root(second)),
        (1, m, None, _root(first)),
    ):
        proof = ctx.expect(
            ctx.request(
                "GET",
                "/evidence/proofs/consistency",
                None,
                params={"tenant": ctx.sandbox.tenant_id, "first": a, "second": b},
            ),
            200,
            what=f"getConsistencyProof first={a} second={b}",
        )
        validate_against(ctx, proof, "consistency-proof")
        hashes = [_b64(h) for h in proof["proof"]]
        if a == b:
            ctx.require(not hashes, f"the consistency proof between equal sizes {a} has {len(hashes)} hashes, not none")
        if root_a is None:
            continue  # no checkpoint of size 1 is known; the proof is only checked to be served
        try:
            evidence.verify_consistency(a, b, hashes, root_a, root_b)
        except evidence.VerificationError as exc:
            ctx.fail(f"the consistency proof from checkpoint size {a} to {b} does not verify: {exc}")
    for a, b, what in ((0, n, "first = 0"), (n, m, "first > second"), (m, n + 5, "second past the current size")):
        refused = ctx.request(
            "GET",
            "/evidence/proofs/consistency",
            None,
            params={"tenant": ctx.sandbox.tenant_id, "first": a, "second": b},
        )
        ctx.require(
            400 <= refused.status_code < 500,
            f"getConsistencyProof with {what} answered {refused.status_code}, not a 4xx",
        )
        problem_document(ctx, refused)


# -- EV-06 ---------------------------------------------------------------------------------------


def _hash_forms(value: str) -> set[str]:
    digest = hashlib.sha256(value.encode()).digest()
    return {
        value,
        digest.hex(),
        digest.hex().upper(),
        base64.b64encode(digest).decode(),
        base64.urlsafe_b64encode(digest).decode().rstrip("="),
    }


@check("EV-06", feature=_FEATURE)
def no_personal_data_in_evidence(ctx: CheckContext) -> None:
    """No evidence entry, inclusion proof, checkpoint or receipt contains the harness's canary personal
    data (name, id number, phone, e-mail, address, account number, including a name placed in message
    content) in clear or as an unsalted SHA-256 in hex or base64."""
    made = _actions(ctx)
    name = next(c for c in ctx.canaries if c.startswith("Canary Name "))
    ctx.expect(
        ctx.request(
            "POST",
            "/contact-attempts",
            json={
                "debtor_id": made["debtor"]["id"],
                "debt_ids": [made["debt"]["id"]],
                "purpose": "collection",
                "contact_point_id": next(p["id"] for p in made["debtor"]["contact_points"] if p["kind"] == "email"),
                "channel": "email",
                "content": f"Dear {name}, please call us about account {made['debt'].get('account_number', '')}.",
            },
        ),
        201,
        what="createContactAttempt with the debtor's name in the content",
    )
    planted = [c for c in ctx.canaries if c]
    forbidden = {form: value for value in planted for form in _hash_forms(value)}
    forbidden |= {form: value for value in planted if value != value.lower() for form in _hash_forms(value.lower())}
    checkpoint = _checkpoint(ctx)
    size = int(checkpoint["tree_size"])
    texts: list[tuple[str, str]] = [("getCheckpoint", json.dumps(checkpoint))]
    for index in range(size):
        for path, role, params in (
            (f"/evidence/entries/{index}", "auditor", None),
            ("/evidence/proofs/inclusion", "auditor", {"index": index, "tree_size": size}),
            (f"/evidence/receipts/{index}", "auditor", None),
        ):
            response = ctx.request("GET", path, role, params=params)
            ctx.expect(response, 200, what=f"GET {path}")
            texts.append((f"GET {path}", response.text))
    for where, text in texts:
        for form, value in forbidden.items():
            clear = form == value or form == value.lower()
            ctx.require(
                form not in text,
                f"{where} contains planted personal data "
                f"{'in clear' if clear else 'as an unsalted SHA-256'} (canary {value[:6]}...)",
                severity="critical",
            )


# -- EV-07 ---------------------------------------------------------------------------------------


def _record_items(record: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for section in ("events", "contact_decisions", "contact_attempts", "messages", "disputes", "complaints"):
        for item in record.get(section) or []:
            yield section, item


@check("EV-07", feature=_FEATURE)
def receipts_verify_offline(ctx: CheckContext) -> None:
    """Every item of the debtor's getMyRecord offers a receipt link, and the receipt the debtor gets for
    it verifies offline — entry, leaf hash, inclusion proof and signed checkpoint — with nothing but the
    key obtained once from getEvidencePublicKey."""
    made = _actions(ctx)
    key = _verifier_key(ctx)
    token = made["debtor"]["token"]
    record = ctx.expect(ctx.request("GET", "/me/record", token=token), 200, what="getMyRecord")
    items = list(_record_items(record))
    ctx.require(len(items) >= 3, f"getMyRecord lists {len(items)} items after four collection actions")
    for section, item in items:
        index = item.get("evidence_index")
        ctx.require(isinstance(index, int), f"getMyRecord {section} item {item.get('id')} has no evidence_index")
        ctx.require(bool(item.get("receipt_url")), f"getMyRecord {section} item {item.get('id')} has no receipt_url")
        receipt = ctx.expect(
            ctx.request("GET", f"/evidence/receipts/{index}", token=token),
            200,
            what=f"getReceipt {index} as the debtor",
        )
        validate_against(ctx, receipt, "receipt")
        bundle = {**receipt, "verifier_key": receipt.get("verifier_key", key)}
        try:
            proven = evidence.verify_receipt(bundle, trusted_keys=[key])
        except evidence.VerificationError as exc:
            ctx.fail(f"the receipt of entry {index} ({section}) does not verify offline with the published key: {exc}")
            return
        ctx.require(
            proven.entry_index == index, f"the receipt for evidence_index {index} proves entry {proven.entry_index}"
        )


# -- EV-08 ---------------------------------------------------------------------------------------


def _plus_years(instant: datetime, years: int) -> datetime:
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:  # 29 February in a year without one: the calendar moves to 1 March
        return instant.replace(year=instant.year + years, month=3, day=1)


def _call(ctx: CheckContext, debtor: dict[str, Any], debt: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return dict(
        ctx.expect(
            ctx.request(
                "POST",
                "/contact-attempts",
                json={
                    "debtor_id": debtor["id"],
                    "debt_ids": [debt["id"]],
                    "contact_point_id": debtor["phone_point"],
                    "channel": "call",
                    "purpose": "collection",
                    "outcome": "conversation",
                    "duration_seconds": 120,
                    **extra,
                },
            ),
            201,
            what="createContactAttempt for a connected call at 11:00 debtor-local time",
        )
    )


@check("EV-08")
def recordings_kept(ctx: CheckContext) -> None:
    """A recorded call's retention_until is at least call_at plus recording_retention_years; deleteRecording
    before then is refused with 409 retention_period_active and the recording stays retrievable, and once
    the test clock has passed retention_until deletion is no longer refused for that reason."""
    years = int(ctx.param("recording_retention_years"))
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    ctx.set_clock(ctx.local_instant("2026-03-05", "11:00"))
    attempt = _call(ctx, debtor, debt, recorded=True)
    recording_id = attempt.get("recording_id")
    if not recording_id:
        raise CheckSkipped(
            "the target recorded none of the calls (recorded: true was not honoured), so no "
            "recording's retention can be observed"
        )
    rec = ctx.expect(ctx.request("GET", f"/recordings/{recording_id}", "supervisor"), 200, what="getRecording")
    validate_against(ctx, rec, "recording")
    minimum = _plus_years(parse_ts(rec["call_at"]), years)
    until = parse_ts(rec["retention_until"])
    ctx.require(
        until >= minimum,
        f"retention_until {rec['retention_until']} is earlier than call_at plus {years} years ({utc_iso(minimum)})",
    )
    early = ctx.request("DELETE", f"/recordings/{recording_id}", "admin")
    ctx.require(
        early.status_code == 409, f"deleteRecording before retention_until answered {early.status_code}, not 409"
    )
    body = problem_document(ctx, early)
    ctx.require(
        "retention_period_active" in (body.get("reasons") or []),
        f"the refusal's reasons {body.get('reasons')} lack retention_period_active",
    )
    ctx.expect(
        ctx.request("GET", f"/recordings/{recording_id}", "supervisor"),
        200,
        what="getRecording after a refused deletion",
    )
    ctx.set_clock(utc_iso(until + timedelta(days=1)))
    late = ctx.request("DELETE", f"/recordings/{recording_id}", "admin")
    if late.status_code >= 400:
        reasons = problem_document(ctx, late).get("reasons") or []
        ctx.require(
            "retention_period_active" not in reasons,
            f"deleteRecording a day after retention_until ({utc_iso(until)}) is still refused with "
            "retention_period_active",
        )


# -- EV-09 ---------------------------------------------------------------------------------------


@check("EV-09")
def records_retained(ctx: CheckContext) -> None:
    """With the test clock one day before record_retention_years after the last collection activity on a
    debt, listContactAttempts still returns its contact attempts and getAuditLog still returns their audit
    records."""
    years = int(ctx.param("record_retention_years"))
    made = _actions(ctx)
    attempt = made["attempt"]
    last = parse_ts(attempt["at"])
    ctx.set_clock(utc_iso(_plus_years(last, years) - timedelta(days=1)))
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(20):
        page = ctx.expect(
            ctx.request(
                "GET",
                "/contact-attempts",
                params={"debtor_id": made["debtor"]["id"], "limit": 100, **({"cursor": cursor} if cursor else {})},
            ),
            200,
            what="listContactAttempts",
        )
        found.extend(page.get("items", []))
        cursor = page.get("next_cursor")
        if not cursor:
            break
    ctx.require(
        any(a.get("id") == attempt["id"] for a in found),
        f"{years} years minus one day after the last contact, listContactAttempts no longer returns the "
        f"attempt {attempt['id']}",
    )
    audit = ctx.expect(
        ctx.request("GET", "/audit/events", "auditor", params={"resource_id": attempt["id"]}), 200, what="getAuditLog"
    )
    ctx.require(
        bool(audit.get("items")),
        f"{years} years minus one day after the last contact, getAuditLog returns no record of the attempt "
        f"{attempt['id']}",
    )


# -- EV-10 ---------------------------------------------------------------------------------------


@check("EV-10")
def calls_recorded(ctx: CheckContext) -> None:
    """Where call_recording_required is true, a connected collection call returns a recording_id and
    getRecording reports the call's time and attempt; where it is false, a call the collector reports as
    recorded must be reported with the same consistent metadata."""
    required = bool(ctx.param("call_recording_required"))
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    ctx.set_clock(ctx.local_instant("2026-03-05", "11:00"))
    attempt = _call(ctx, debtor, debt, **({} if required else {"recorded": True}))
    recording_id = attempt.get("recording_id")
    if not recording_id:
        ctx.require(
            not required,
            f"a connected call (outcome conversation) returned no recording_id although "
            f"call_recording_required is true in profile {ctx.profile.id}",
        )
        return
    rec = ctx.expect(ctx.request("GET", f"/recordings/{recording_id}", "supervisor"), 200, what="getRecording")
    validate_against(ctx, rec, "recording")
    ctx.require(
        parse_ts(rec["call_at"]) == parse_ts(attempt["at"]),
        f"the recording's call_at {rec['call_at']} differs from the attempt's time {attempt['at']}",
    )
    ctx.require(
        rec.get("attempt_id") == attempt["id"],
        f"the recording names attempt {rec.get('attempt_id')}, not {attempt['id']}",
    )
    if "debt_ids" in rec:
        ctx.require(
            sorted(rec["debt_ids"]) == sorted(attempt["debt_ids"]),
            f"the recording's debt_ids {rec['debt_ids']} differ from the attempt's {attempt['debt_ids']}",
        )
    ctx.require(rec.get("debtor_id") == debtor["id"], "the recording names another debtor than the call's")
