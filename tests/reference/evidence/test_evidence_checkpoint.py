"""Tests of checkpoints, signed notes, the checkpoint issuer, receipts and pseudonyms (prover side).

Signatures are checked here with ``cryptography`` directly, against the formats of
c2sp.org/signed-note and c2sp.org/tlog-checkpoint; the independent verifier's round trips
live in tests/conformance/test_evidence.py.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import icss.reference.evidence as evidence
from icss.reference.evidence import (
    Checkpoint,
    CheckpointIssuer,
    CheckpointRollbackError,
    InMemoryNodeStore,
    MerkleLog,
    NoteSigner,
    PersonalDataHasher,
    build_receipt,
    encode_verifier_key,
    entry_leaf_hash,
    key_hash,
    new_tenant_salt,
    sign_note,
)

VECTORS = Path(__file__).resolve().parents[4] / "shared" / "data" / "merkle-vectors"
ORIGIN = "icss.example/evidence/tenant-a"
SEED = bytes(range(32))


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(SEED))


def _split_note(note: str) -> tuple[str, list[str]]:
    text, _, block = note.rpartition("\n\n")
    return text + "\n", block.rstrip("\n").split("\n")


# -- keys and signed notes --------------------------------------------------------------------------


@pytest.mark.skipif(not (VECTORS / "c2sp_signed_note_example.json").is_file(), reason=f"no vectors at {VECTORS}")
def test_verifier_key_of_the_c2sp_example() -> None:
    example = json.loads((VECTORS / "c2sp_signed_note_example.json").read_text())
    public = bytes.fromhex(example["ed25519_public_key_hex"])
    assert key_hash(example["key_name"], public).hex() == example["key_id_hex"]
    assert encode_verifier_key(example["key_name"], public) == example["vkey"]
    # The example's signature verifies over its text with that key (our reading of the format).
    text, lines = _split_note(example["signed_note"])
    dash, name, encoded = lines[0].split(" ")
    blob = base64.b64decode(encoded)
    assert (dash, name, blob[:4].hex()) == ("\u2014", example["key_name"], example["key_id_hex"])
    Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())


def test_signer_key_material(signer: NoteSigner) -> None:
    public = Ed25519PrivateKey.from_private_bytes(SEED).public_key()
    assert signer.key_hash == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + signer.public_key).digest()[:4]
    assert signer.verifier_key == encode_verifier_key(ORIGIN, public)
    name, key_id, encoded = signer.verifier_key.split("+", 2)
    assert (name, key_id) == (ORIGIN, signer.key_hash.hex())
    assert base64.b64decode(encoded) == b"\x01" + signer.public_key


def test_signature_line_format(signer: NoteSigner) -> None:
    text = "hello\nworld\n"
    note = sign_note(text, signer)
    body, lines = _split_note(note)
    assert body == text
    assert note == text + "\n" + lines[0] + "\n"
    dash, name, encoded = lines[0].split(" ")
    blob = base64.b64decode(encoded)
    assert (dash, name, blob[:4], len(blob)) == ("\u2014", ORIGIN, signer.key_hash, 68)
    Ed25519PublicKey.from_public_bytes(signer.public_key).verify(blob[4:], text.encode())


def test_several_signers(signer: NoteSigner) -> None:
    other = NoteSigner.generate("witness.example")
    _, lines = _split_note(sign_note("x\n", signer, other))
    assert [line.split(" ")[1] for line in lines] == [ORIGIN, "witness.example"]


@pytest.mark.parametrize("name", ["", "with space", "plus+sign", "tab\tname", "ideographic\u3000space"])
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(ValueError, match="key name"):
        NoteSigner.generate(name)


@pytest.mark.parametrize("text", ["no newline", "bell\x07\n"])
def test_invalid_note_texts(signer: NoteSigner, text: str) -> None:
    with pytest.raises(ValueError, match="note text"):
        sign_note(text, signer)


def test_sign_note_needs_a_signer() -> None:
    with pytest.raises(ValueError, match="signer"):
        sign_note("x\n")


# -- checkpoints --------------------------------------------------------------------------------


def test_checkpoint_text() -> None:
    root = bytes(range(32))
    assert Checkpoint("example.com/log", 0, root).to_text() == (
        "example.com/log\n0\n" + base64.b64encode(root).decode() + "\n"
    )
    with_ext = Checkpoint("example.com/log", 20852163, root, ("ext one", "ext two")).to_text()
    assert with_ext.split("\n") == [
        "example.com/log",
        "20852163",
        base64.b64encode(root).decode(),
        "ext one",
        "ext two",
        "",
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin": ""},
        {"origin": "two\nlines"},
        {"tree_size": -1},
        {"root_hash": bytes(31)},
        {"extensions": ("",)},
        {"extensions": ("a\nb",)},
    ],
)
def test_invalid_checkpoints(kwargs: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"origin": "o", "tree_size": 1, "root_hash": bytes(32), **kwargs}
    with pytest.raises(ValueError):  # noqa: PT011 -- each case has its own message
        Checkpoint(**fields)


def _entries(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [{"type": "contact.attempt", "seq": i, "channel": "sms"} for i in range(start, start + n)]


def test_issuer_signs_the_current_tree(signer: NoteSigner) -> None:
    log = MerkleLog(InMemoryNodeStore())
    log.append_entries(_entries(5))
    issued = CheckpointIssuer(log, signer).issue()
    assert issued.checkpoint == Checkpoint(ORIGIN, 5, log.root())
    assert issued.key_name == ORIGIN
    text, lines = _split_note(issued.signed_note)
    assert text == issued.checkpoint.to_text()
    assert len(lines) == 1
    assert issued.to_json() == {
        "origin": ORIGIN,
        "tree_size": 5,
        "root_hash": base64.b64encode(log.root()).decode(),
        "signed_note": issued.signed_note,
    }


def test_issuer_never_goes_backwards(signer: NoteSigner) -> None:
    log = MerkleLog(InMemoryNodeStore())
    issuer = CheckpointIssuer(log, signer, origin="icss.example/log")
    log.append_entries(_entries(3))
    assert issuer.issue().checkpoint.tree_size == 3
    assert issuer.issue().checkpoint.tree_size == 3  # the same size again is consistent
    log.append_entries(_entries(4, start=3))
    assert issuer.issue(5).checkpoint.tree_size == 5  # a past size is fine if not below the last
    with pytest.raises(CheckpointRollbackError, match="already issued"):
        issuer.issue(4)
    assert issuer.last_issued is not None
    assert issuer.last_issued.tree_size == 5
    assert issuer.issue().checkpoint.origin == "icss.example/log"
    with pytest.raises(ValueError, match="outside"):
        issuer.issue(8)


def test_restarted_issuer_checks_the_log_still_has_its_root(signer: NoteSigner) -> None:
    log = MerkleLog(InMemoryNodeStore())
    log.append_entries(_entries(6))
    last = CheckpointIssuer(log, signer).issue().checkpoint

    restarted = CheckpointIssuer(log, signer, last_issued=last)
    log.append_entries(_entries(2, start=6))
    assert restarted.issue().checkpoint.tree_size == 8

    forked = MerkleLog(InMemoryNodeStore())
    forked.append_entries(_entries(7, start=100))
    with pytest.raises(CheckpointRollbackError, match="rewritten"):
        CheckpointIssuer(forked, signer, last_issued=last).issue()

    shorter = MerkleLog(InMemoryNodeStore())
    shorter.append_entries(_entries(2))
    with pytest.raises(CheckpointRollbackError, match="already issued"):
        CheckpointIssuer(shorter, signer, last_issued=last).issue()


def test_issuer_with_a_rotation_key(signer: NoteSigner) -> None:
    log = MerkleLog(InMemoryNodeStore())
    log.append(b"x")
    new_key = NoteSigner.generate(ORIGIN)
    _, lines = _split_note(CheckpointIssuer(log, signer, extra_signers=[new_key]).issue().signed_note)
    assert [base64.b64decode(line.split(" ")[2])[:4] for line in lines] == [signer.key_hash, new_key.key_hash]


# -- receipts -----------------------------------------------------------------------------------


def test_receipt_shape(signer: NoteSigner) -> None:
    log = MerkleLog(InMemoryNodeStore())
    entries = _entries(11)
    log.append_entries(entries)
    issued = CheckpointIssuer(log, signer).issue()
    receipt = build_receipt(log, 6, entries[6], issued, signer.verifier_key)
    assert receipt == {
        "entry": {"index": 6, "leaf_hash": base64.b64encode(entry_leaf_hash(entries[6])).decode(), "entry": entries[6]},
        "inclusion_proof": {
            "leaf_index": 6,
            "tree_size": 11,
            "audit_path": [base64.b64encode(node).decode() for node in log.inclusion_proof(6, 11)],
        },
        "checkpoint": issued.to_json(),
        "verifier_key": signer.verifier_key,
    }
    json.dumps(receipt)  # plain JSON
    with pytest.raises(ValueError, match="not the entry"):
        build_receipt(log, 6, entries[5], issued, signer.verifier_key)
    log.append_entries(_entries(1, start=11))
    with pytest.raises(ValueError, match="does not cover"):
        build_receipt(log, 11, _entries(1, start=11)[0], issued, signer.verifier_key)


# -- pseudonyms -----------------------------------------------------------------------------------


def test_hmac_sha256_vector() -> None:
    # RFC 4231 test case 1: key = 0x0b * 20, data = "Hi There".
    hasher = PersonalDataHasher(b"\x0b" * 20)
    assert hasher.hexdigest(b"Hi There") == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    assert hasher.hexdigest("Hi There") == hasher.hexdigest(b"Hi There")


def test_pseudonyms_depend_on_the_tenant_and_context() -> None:
    tenant_a, tenant_b = PersonalDataHasher(new_tenant_salt()), PersonalDataHasher(new_tenant_salt())
    phone = "+8613800138000"
    assert tenant_a.hexdigest(phone) == tenant_a.hexdigest(phone)
    assert tenant_a.hexdigest(phone) != tenant_b.hexdigest(phone)
    assert tenant_a.hexdigest(phone, context="phone") != tenant_a.hexdigest(phone)
    assert tenant_a.hexdigest(phone, context="phone") != tenant_a.hexdigest(phone, context="guarantor_phone")
    assert len(tenant_a.digest(phone)) == 32


def test_pseudonyms_normalise_text_to_nfc() -> None:
    hasher = PersonalDataHasher(new_tenant_salt())
    assert hasher.hexdigest("Ame\u0301lie") == hasher.hexdigest("Am\u00e9lie")


def test_salt_rules() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        PersonalDataHasher(b"short")
    hasher = PersonalDataHasher(b"s" * 16)
    assert "s" * 16 not in repr(hasher)
    with pytest.raises(ValueError, match="context"):
        hasher.digest("x", context="")
    assert len(new_tenant_salt()) == 32
    assert new_tenant_salt() != new_tenant_salt()


# -- public API -------------------------------------------------------------------------------------


def test_exported_members() -> None:
    assert len(evidence.__all__) == len(set(evidence.__all__))
    for name in evidence.__all__:
        assert hasattr(evidence, name), name
    public = {
        name
        for name, value in vars(evidence).items()
        if not name.startswith("_") and (inspect.isclass(value) or inspect.isfunction(value))
    }
    assert public <= set(evidence.__all__)


def test_the_reference_does_not_import_the_harness() -> None:
    package = Path(evidence.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not [name for name in names if name.startswith("icss.conformance")], module.name
