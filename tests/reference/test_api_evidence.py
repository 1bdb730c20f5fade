"""The evidence log through the service's HTTP interface, checked with the independent verifier.

A sandbox session performs every collection action the reference implements and, after each
one, takes the published checkpoint. Then, on SQLite and PostgreSQL alike:

* each action appended exactly the entries of its kind, and the index it returned is one of them;
* every receipt — the auditor's, and each one the debtor's own record links to — verifies offline
  with :mod:`icss.conformance.evidence` against the published key;
* every entry has an inclusion proof against the current checkpoint, and every pair of
  checkpoints of the session a consistency proof;
* no entry holds the canary personal data in clear, only salted hashes;
* a debtor reaches its own entries and receipts, never another debtor's (404);
* checkpoints never regress, and an unchanged log keeps its signed note byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import rfc8785

from icss.conformance.evidence import (
    leaf_hash,
    verify_consistency,
    verify_inclusion,
    verify_receipt,
    verify_signed_note,
)

# Personal data of the two sandbox debtors: none of it may appear in any entry.
JANE = {
    "name": "Jane Canary-Doe",
    "national_id": "CANARY-ID-0001",
    "phone": "+12125550123",
}
OTTO = {
    "name": "Otto Canary-Roe",
    "national_id": "CANARY-ID-0002",
    "phone": "+12125550188",
}
CANARIES = (
    "Canary",
    "CANARY",
    "canary",
    "2125550123",
    "2125550188",
    "555-0123",
    "4111000011112222",  # the account number of the debts
    "1 Canary Street",
    "secret complaint text",
    "secret dispute text",
    "secret incident text",
)
SUBJECT = re.compile(r"hmac-sha256:[0-9a-f]{64}")
BASE = "/icss/v1"


@dataclass
class Checkpoint:
    tree_size: int
    root: bytes
    note: str


@dataclass
class Session:
    """What the scenario produced: the sandbox, its debtors, the checkpoints and each action's entries."""

    sandbox: Any  # the conftest's Sandbox
    jane: dict[str, Any]
    otto: dict[str, Any]
    verifier_key: str
    #: Every debtor of the tenant: its token, and its personal data no entry may show.
    debtors: dict[str, tuple[dict[str, str], tuple[str, ...]]] = field(default_factory=dict)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    appended: dict[str, list[str]] = field(default_factory=dict)

    def public(self, path: str, **params: Any) -> httpx.Response:
        return self.sandbox.client.get(BASE + path, params={"tenant": self.sandbox.tenant_id, **params})

    def checkpoint(self) -> Checkpoint:
        response = self.public("/evidence/checkpoint")
        assert response.status_code == 200, response.text
        body = response.json()
        signed = verify_signed_note(body["signed_note"], self.verifier_key)
        assert (signed.tree_size, base64.b64encode(signed.root_hash).decode()) == (body["tree_size"], body["root_hash"])
        assert signed.origin == body["origin"]
        cp = Checkpoint(signed.tree_size, signed.root_hash, body["signed_note"])
        self.checkpoints.append(cp)
        return cp

    def entry(self, index: int, role: str = "auditor", headers: dict[str, str] | None = None) -> httpx.Response:
        return self.sandbox.call("GET", f"/evidence/entries/{index}", role, headers=headers or {})


def _act(session: Session, name: str, kinds: list[str], request: Any, *, indexed: bool = True) -> dict[str, Any]:
    """Run one action; check it appended exactly ``kinds`` and that its evidence_index is among them.

    ``indexed=False``: the response schema has no ``evidence_index`` (preferences, the test clock).
    """
    before = session.checkpoint().tree_size
    response = request()
    assert response.status_code in (200, 201, 409), f"{name}: {response.status_code} {response.text}"
    after = session.checkpoint().tree_size
    got = [session.entry(i).json()["entry"]["kind"] for i in range(before, after)]
    assert got == kinds, f"{name} appended {got}, expected {kinds}"
    body: dict[str, Any] = response.json()
    index = body.get("evidence_index")
    assert index is None or before <= index < after, (
        f"{name} returned evidence_index {index} outside [{before}, {after})"
    )
    if kinds and indexed:
        assert index is not None, f"{name} appended entries but returned no evidence_index"
    session.appended[name] = got
    return body


@pytest.fixture(scope="module")
def session(world: Any) -> Session:
    """Tenant A of the shared API world, put through every collection action the reference implements.

    The world (``_api_world``) already holds two debtors with a debt, a recorded call, a complaint
    and a data request each; this adds Jane and Otto and the actions below, once per backend.
    """
    sb = world.tenants["A"]
    key = sb.client.get(BASE + "/evidence/public-key", params={"tenant": sb.tenant_id})
    assert key.status_code == 200, key.text
    jane = sb.debtor(**JANE)
    otto = sb.debtor(
        **OTTO,
        contact_points=[
            {"kind": "phone", "value": OTTO["phone"], "owner": "debtor", "relationship": "self",
             "is_workplace": False, "timezone": "America/New_York", "sms_capable": True, "phone_type": "mobile"},
        ],
    )  # fmt: skip
    s = Session(sb, jane, otto, key.json()["verifier_key"])
    s.debtors["jane"] = (jane["headers"], (*JANE.values(), jane["id"]))
    s.debtors["otto"] = (otto["headers"], (*OTTO.values(), otto["id"]))
    for tag in ("A1", "A2"):
        party = world.parties[tag]
        s.debtors[tag] = (party.headers, (*party.canaries, party.ids["debtor_id"]))
    s.checkpoint()
    email = next(p["id"] for p in jane["contact_points"] if p["kind"] == "email")
    phone = next(p["id"] for p in jane["contact_points"] if p["kind"] == "phone")

    debt: dict[str, Any] = {}

    def create_debt() -> httpx.Response:
        response = sb.call("POST", "/debts", json=_debt_body(jane, sb.profile))
        debt.update(response.json())
        return response

    _act(s, "createDebt", ["debt"], create_debt)
    _act(s, "createDebt (other debtor)", ["debt"], lambda: sb.call("POST", "/debts", json=_debt_body(otto, sb.profile)))
    contact = {"debtor_id": jane["id"], "debt_ids": [debt["id"]], "contact_point_id": email,
               "channel": "email", "purpose": "collection"}  # fmt: skip
    _act(s, "checkContact", ["contact_decision"], lambda: sb.call("POST", "/contact-decisions", json=contact))
    _act(
        s,
        "createContactAttempt",
        ["contact_decision", "contact_attempt", "message"],
        lambda: sb.call("POST", "/contact-attempts", json={**contact, "content": "Please call us about your account."}),
    )
    _act(
        s,
        "createContactAttempt (call)",
        ["contact_decision", "contact_attempt", "message"],
        lambda: sb.call(
            "POST",
            "/contact-attempts",
            json={**contact, "contact_point_id": phone, "channel": "call", "outcome": "no_answer"},
        ),
    )
    _act(
        s,
        "addDebtCharge",
        ["charge"],
        lambda: sb.call(
            "POST",
            f"/debts/{debt['id']}/charges",
            json={"kind": "interest", "amount": "1.25", "currency": "USD", "basis": "agreement"},
        ),
    )
    _act(
        s,
        "recordEvent",
        ["event"],
        lambda: sb.call(
            "POST",
            f"/debtors/{jane['id']}/events",
            json={
                "type": "validation_notice_sent",
                "source": "collector",
                "debt_id": debt["id"],
                "details": {"channel": "letter"},
            },
        ),
    )
    me = jane["headers"]
    _act(
        s,
        "createDispute",
        ["dispute", "event"],  # the dispute case, and the dispute event that puts collection on hold
        lambda: sb.call(
            "POST",
            "/me/disputes",
            "debtor",
            headers=me,
            json={"debt_id": debt["id"], "reason": "wrong_amount", "description": "secret dispute text"},
        ),
    )
    complaint = _act(
        s,
        "createComplaint",
        ["complaint"],
        lambda: sb.call(
            "POST",
            "/me/complaints",
            "debtor",
            headers=me,
            json={"category": "contact_conduct", "description": "secret complaint text by Jane Canary-Doe"},
        ),
    )
    _act(
        s,
        "respondToComplaint",
        ["complaint_response"],
        lambda: sb.call(
            "POST",
            f"/complaints/{complaint['id']}/responses",
            "supervisor",
            json={"text": "We looked into it, Jane Canary-Doe.", "outcome": "not_upheld", "final": True},
        ),
    )
    _act(
        s,
        "createDataRequest",
        ["data_request"],
        lambda: sb.call("POST", "/me/data-requests", "debtor", headers=me, json={"type": "access"}),
    )
    _act(
        s,
        "updatePreferences",
        ["event"],
        lambda: sb.call(
            "PUT",
            "/me/preferences",
            "debtor",
            headers=me,
            json={"channels_allowed": ["email", "call"], "inconvenient_times": [], "inconvenient_places": []},
        ),
        indexed=False,
    )
    _act(
        s,
        "reportIncident",
        ["incident"],
        lambda: sb.call(
            "POST",
            "/incidents",
            "supervisor",
            json={
                "detected_at": "2020-04-01T13:00:00Z",
                "kind": "confidentiality",
                "description": "secret incident text",
            },
        ),
    )
    _act(
        s,
        "advanceTestClock",
        ["clock_change"],
        lambda: sb.call("POST", "/sandbox/clock/advance", "admin", json={"duration": "PT1H"}),
        indexed=False,
    )
    _act(
        s,
        "recordEvent (debtor: cease)",
        ["event"],
        lambda: sb.call(
            "POST",
            f"/debtors/{jane['id']}/events",
            "debtor",
            headers=me,
            json={"type": "cease_request", "source": "debtor", "details": {"form": "written"}},
        ),
    )
    # A refused attempt is evidence too: the decision is committed though the attempt is not.
    _act(
        s,
        "createContactAttempt (denied)",
        ["contact_decision"],
        lambda: sb.call("POST", "/contact-attempts", json={**contact, "content": "Please pay."}),
    )
    return s


def _debt_body(debtor: dict[str, Any], profile: str) -> dict[str, Any]:
    return {
        "debtor_id": debtor["id"],
        "creditor": {"name": "Example Bank"},
        "account_number": "4111000011112222",
        "currency": "USD",
        "profile": profile,
        "itemization": {"itemization_date": "2020-01-01", "itemization_date_basis": "last_statement",
                        "amount_on_itemization_date": "100.00", "interest": "5.00", "fees": "0.00",
                        "payments": "10.00", "credits": "0.00", "current_amount": "95.00"},
        "authorised_charges": ["interest"],
    }  # fmt: skip


def _entries(s: Session) -> list[dict[str, Any]]:
    size = s.checkpoints[-1].tree_size
    docs = []
    for index in range(size):
        response = s.entry(index)
        assert response.status_code == 200, response.text
        docs.append(response.json())
    return docs


# -- the tests ---------------------------------------------------------------------------------------


def test_every_action_appends_its_entries(session: Session) -> None:
    # The checks are in _act; here, that the scenario really ran through every action.
    assert len(session.appended) == 16
    assert all(session.appended.values())


def test_entry_documents_hash_to_their_leaves(session: Session) -> None:
    for doc in _entries(session):
        canonical = rfc8785.dumps(doc["entry"])
        assert base64.b64decode(doc["leaf_hash"]) == leaf_hash(canonical)
        assert doc["entry"]["tenant"] == session.sandbox.tenant_id


def test_auditor_receipts_verify_for_every_entry(session: Session) -> None:
    size = session.checkpoints[-1].tree_size
    for index in range(size):
        response = session.sandbox.call("GET", f"/evidence/receipts/{index}", "auditor")
        assert response.status_code == 200, response.text
        receipt = response.json()
        proven = verify_receipt(receipt, trusted_keys=[session.verifier_key])
        assert proven.entry_index == index
        assert proven.tree_size >= size
        assert proven.key_trusted
        assert "is recorded in the evidence log" in proven.describe()


def _record_items(record: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(section, item) for every item of a debtor's record."""
    return [
        (key, item)
        for key, value in record.items()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict)
    ]


def test_the_debtors_record_links_receipts_that_verify(session: Session) -> None:
    sb, me = session.sandbox, session.jane["headers"]
    response = sb.call("GET", "/me/record", "debtor", headers=me)
    assert response.status_code == 200, response.text
    items = [(key, item) for key, item in _record_items(response.json()) if item.get("evidence_index") is not None]
    # debt, decisions (3, one refused), attempts (2), messages (2), dispute, complaint, data request, events (3)
    assert len(items) >= 12, [sorted(item) for _, item in items]
    subjects = set()
    kinds: set[tuple[str, bool]] = set()
    for key, item in items:
        # Debts and messages carry the index but no link (their schemas have no receipt_url).
        url = item.get("receipt_url") or f"{BASE}/evidence/receipts/{item['evidence_index']}"
        assert url == f"{BASE}/evidence/receipts/{item['evidence_index']}", item
        kinds.add((key, "receipt_url" in item))
        receipt_response = sb.client.get(url, headers=me)
        assert receipt_response.status_code == 200, receipt_response.text
        receipt = receipt_response.json()
        proven = verify_receipt(receipt, trusted_keys=[session.verifier_key])
        assert proven.entry_index == item["evidence_index"]
        subjects.add(receipt["entry"]["entry"]["subject"])
    sections = {key for key, _ in kinds}
    assert sections >= {"debts", "events", "contact_decisions", "contact_attempts", "messages", "disputes",
                        "complaints", "data_requests"}, sections  # fmt: skip
    unlinked = {key for key, linked in kinds if not linked}
    assert unlinked <= {"debts", "messages"}, f"record items with an evidence_index but no receipt_url: {unlinked}"
    # Every entry about Jane carries the same pseudonym (test_a_debtor_reaches_only_its_own_entries
    # checks that no other debtor has it).
    assert len(subjects) == 1, subjects


def test_inclusion_proofs_for_every_entry_against_the_current_checkpoint(session: Session) -> None:
    sb = session.sandbox
    current = session.checkpoint()
    docs = _entries(session)
    for index, doc in enumerate(docs):
        leaf = base64.b64decode(doc["leaf_hash"])
        # Once with the default tree size (the latest checkpoint), once naming it.
        for params in ({"index": index}, {"index": index, "tree_size": current.tree_size}):
            response = sb.call("GET", "/evidence/proofs/inclusion", "auditor", params=params)
            assert response.status_code == 200, response.text
            proof = response.json()
            assert (proof["leaf_index"], proof["tree_size"]) == (index, current.tree_size)
            verify_inclusion(
                leaf, index, current.tree_size, [base64.b64decode(h) for h in proof["audit_path"]], current.root
            )
    # ... and against every earlier checkpoint that already held the entry.
    for cp in session.checkpoints:
        for index in range(cp.tree_size):
            response = sb.call(
                "GET", "/evidence/proofs/inclusion", "auditor", params={"index": index, "tree_size": cp.tree_size}
            )
            path = [base64.b64decode(h) for h in response.json()["audit_path"]]
            verify_inclusion(base64.b64decode(docs[index]["leaf_hash"]), index, cp.tree_size, path, cp.root)


def test_consistency_proofs_between_every_pair_of_checkpoints(session: Session) -> None:
    session.checkpoint()
    distinct = {cp.tree_size: cp for cp in session.checkpoints if cp.tree_size > 0}
    pairs = list(itertools.combinations_with_replacement(sorted(distinct), 2))
    assert len(pairs) > 100
    for first, second in pairs:
        response = session.public("/evidence/proofs/consistency", first=first, second=second)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["first"], body["second"]) == (first, second)
        proof = [base64.b64decode(h) for h in body["proof"]]
        verify_consistency(first, second, proof, distinct[first].root, distinct[second].root)


def test_checkpoints_never_regress(session: Session) -> None:
    sizes = [cp.tree_size for cp in session.checkpoints]
    assert sizes == sorted(sizes)
    # The same size always comes with the same root and, while nothing is appended, the same note.
    by_size: dict[int, set[bytes]] = {}
    for cp in session.checkpoints:
        by_size.setdefault(cp.tree_size, set()).add(cp.root)
    assert all(len(roots) == 1 for roots in by_size.values())
    again = session.checkpoint()
    assert again.note == session.checkpoints[-2].note
    text = session.sandbox.client.get(
        BASE + "/evidence/checkpoint", params={"tenant": session.sandbox.tenant_id}, headers={"Accept": "text/plain"}
    )
    assert text.status_code == 200
    assert text.text == again.note


def test_entries_hold_no_personal_data(session: Session) -> None:
    docs = _entries(session)
    dumped = json.dumps(docs, ensure_ascii=False)
    for canary in CANARIES:
        assert canary not in dumped, f"{canary!r} appears in an evidence entry"
    for name, (_headers, personal) in session.debtors.items():
        for value in personal:
            assert value.lower() not in dumped.lower(), f"{name}'s {value!r} appears in an evidence entry"
            for digest in (hashlib.sha256(value.encode()).hexdigest(), hashlib.md5(value.encode()).hexdigest()):  # noqa: S324
                assert digest not in dumped, f"an unsalted hash of {name}'s {value!r} appears in an entry"
    for doc in docs:
        subject = doc["entry"]["subject"]
        assert subject is None or SUBJECT.fullmatch(subject), subject


def _subject(session: Session, headers: dict[str, str]) -> str:
    """A debtor's pseudonym in the log, read from the first entry its own record links to."""
    record = session.sandbox.call("GET", "/me/record", "debtor", headers=headers).json()
    index = next(item["evidence_index"] for _, item in _record_items(record) if item.get("evidence_index") is not None)
    subject: str = session.entry(index, "debtor", headers).json()["entry"]["subject"]
    return subject


def test_a_debtor_reaches_only_its_own_entries(session: Session) -> None:
    client = session.sandbox.client
    docs = _entries(session)
    subjects = {name: _subject(session, headers) for name, (headers, _) in session.debtors.items()}
    assert len(set(subjects.values())) == len(subjects), "two debtors share a pseudonym"
    for name, (headers, _) in session.debtors.items():
        for index, doc in enumerate(docs):
            own = doc["entry"]["subject"] == subjects[name]
            where = (name, index, doc["entry"]["kind"])
            for path in (f"/evidence/entries/{index}", f"/evidence/receipts/{index}"):
                response = client.get(BASE + path, headers=headers)
                assert response.status_code == (200 if own else 404), (*where, path, response.text)
            proof = client.get(BASE + "/evidence/proofs/inclusion", params={"index": index}, headers=headers)
            assert proof.status_code == (200 if own else 404), (*where, proof.text)


def test_proof_requests_out_of_range(session: Session) -> None:
    sb = session.sandbox
    size = session.checkpoint().tree_size
    for params in ({"index": size}, {"index": 0, "tree_size": size + 1}, {"index": 3, "tree_size": 3}):
        response = sb.call("GET", "/evidence/proofs/inclusion", "auditor", params=params)
        assert response.status_code == 422, (params, response.text)
    for first, second in ((2, 1), (1, size + 1)):
        response = session.public("/evidence/proofs/consistency", first=first, second=second)
        assert response.status_code == 422, (first, second, response.text)
    assert sb.call("GET", f"/evidence/entries/{size}", "auditor").status_code == 404
    assert sb.call("GET", f"/evidence/receipts/{size}", "auditor").status_code == 404


def test_a_debtors_receipt_verifies_with_the_icss_command(session: Session, tmp_path: Any) -> None:
    import typer
    from typer.testing import CliRunner

    from icss.conformance import _evidence_commands

    icss = typer.Typer()
    icss.add_typer(_evidence_commands.app, name="evidence")
    me = session.jane["headers"]
    record = session.sandbox.call("GET", "/me/record", "debtor", headers=me).json()
    item = next(item for key, item in _record_items(record) if key == "contact_attempts")
    receipt = session.sandbox.client.get(item["receipt_url"], headers=me).json()
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    result = CliRunner().invoke(icss, ["evidence", "verify", "--key", session.verifier_key, str(path)])
    assert result.exit_code == 0, result.output
    assert f"Entry {item['evidence_index']} (contact_attempt, recorded at" in result.output
    assert "salted pseudonym" in result.output
    receipt["entry"]["entry"]["payload"]["outcome"] = "conversation"  # the collector rewrites history ...
    path.write_text(json.dumps(receipt))
    result = CliRunner().invoke(icss, ["evidence", "verify", "--key", session.verifier_key, str(path)])
    assert result.exit_code == 1  # ... and the debtor's receipt says so
    assert "LeafMismatch" in result.output
