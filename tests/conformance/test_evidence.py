"""Tests of the independent evidence verifier, icss.conformance.evidence.

* Every transparency-dev/merkle inclusion and consistency probe (read from the shared data
  folder beside the checkout, never copied here), one pytest item per file.
* The C2SP signed-note worked example and the tlog-checkpoint example.
* Round trips: proofs, checkpoints and receipts made by the reference prover verify here.
* Tampering: a flipped bit anywhere fails with the error that names it.
"""

from __future__ import annotations

import ast
import base64
import copy
import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icss.conformance import evidence as verifier
from icss.conformance.evidence import (
    BadSignature,
    IndexOutOfRange,
    InvalidSize,
    LeafMismatch,
    MalformedCheckpoint,
    MalformedHash,
    MalformedNote,
    MalformedReceipt,
    MalformedVerifierKey,
    NoMatchingSignature,
    NoteError,
    ProofError,
    ReceiptInconsistent,
    RootMismatch,
    SignatureError,
    UntrustedKey,
    VerificationError,
    WrongProofLength,
    leaf_hash,
    parse_checkpoint,
    parse_verifier_key,
    verify_consistency,
    verify_inclusion,
    verify_note,
    verify_receipt,
    verify_signed_note,
)
from icss.reference.evidence import (
    CheckpointIssuer,
    InMemoryNodeStore,
    MerkleLog,
    NoteSigner,
    build_receipt,
    sign_note,
)

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "data" / "merkle-vectors"

if not (VECTORS / "testdata").is_dir():
    pytest.skip(
        f"the shared Merkle test vectors are not at {VECTORS} (the shared/ folder beside the checkout)",
        allow_module_level=True,
    )

PROBES = VECTORS / "testdata"
INCLUSION_PROBES = sorted((PROBES / "inclusion").glob("**/*.json"))
CONSISTENCY_PROBES = sorted((PROBES / "consistency").glob("**/*.json"))


def _probe_id(path: Path) -> str:
    return path.relative_to(PROBES).as_posix()


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(values: list[str] | None) -> list[bytes]:
    return [_b64(value) for value in values or []]


# Which error a mutation must produce, where the mutation leaves no doubt (the probe files
# only say wantErr: true). Descriptions not listed must raise some ProofError.
_EXPECTED_ERROR: list[tuple[str, type[ProofError]]] = [
    (r"modified proof", RootMismatch),
    (r"swapped roots|random root", RootMismatch),
    (r"inserted component|removed component|truncated proof|empty proof", WrongProofLength),
    (r"(preceding|trailing) (root|proof)", WrongProofLength),
    (r"garbage|wrong leaf|wrong root", MalformedHash),
    (r"size1 is zero|useless|sizes are (equal|zero).*zero|size1 is greater", InvalidSize),
]


def _expected_error(desc: str) -> type[ProofError]:
    for pattern, error in _EXPECTED_ERROR:
        if re.search(pattern, desc):
            return error
    return ProofError


def _check_probe(probe: dict[str, Any], call: Callable[[], None]) -> None:
    if not probe["wantErr"]:
        call()
        return
    with pytest.raises(ProofError) as caught:
        call()
    assert isinstance(caught.value, _expected_error(probe["desc"])), probe["desc"]
    assert type(caught.value) is not ProofError  # always a specific subclass
    assert str(caught.value)


@pytest.mark.parametrize("path", INCLUSION_PROBES, ids=_probe_id)
def test_inclusion_probe(path: Path) -> None:
    probe = json.loads(path.read_text())
    _check_probe(
        probe,
        lambda: verify_inclusion(
            _b64(probe["leafHash"]), probe["leafIdx"], probe["treeSize"], _proof(probe["proof"]), _b64(probe["root"])
        ),
    )


@pytest.mark.parametrize("path", CONSISTENCY_PROBES, ids=_probe_id)
def test_consistency_probe(path: Path) -> None:
    probe = json.loads(path.read_text())
    _check_probe(
        probe,
        lambda: verify_consistency(
            probe["size1"], probe["size2"], _proof(probe["proof"]), _b64(probe["root1"]), _b64(probe["root2"])
        ),
    )


def test_all_probes_are_collected() -> None:
    assert len(INCLUSION_PROBES) == 98
    assert len(CONSISTENCY_PROBES) == 98


def test_rfc6962_hasher_vectors() -> None:
    tree = json.loads((VECTORS / "rfc6962_reference_tree.json").read_text())
    leaves = [bytes.fromhex(value) for value in tree["leaf_inputs_hex"]]
    assert [leaf_hash(leaf).hex() for leaf in leaves] == tree["node_hashes_by_level_hex"][0]
    assert leaf_hash(b"L123456").hex() == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"


# -- C2SP signed notes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def c2sp_example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "c2sp_signed_note_example.json").read_text())
    return data


def test_c2sp_example_note_verifies(c2sp_example: dict[str, Any]) -> None:
    note = verify_note(c2sp_example["signed_note"], c2sp_example["vkey"])
    assert note.text == c2sp_example["note_text"]
    assert note.key_name == c2sp_example["key_name"]


def test_c2sp_example_verifier_key_parses(c2sp_example: dict[str, Any]) -> None:
    key = parse_verifier_key(c2sp_example["vkey"])
    assert key.name == "example.com/foo"
    assert key.key_id.hex() == c2sp_example["key_id_hex"]
    assert key.public_key.hex() == c2sp_example["ed25519_public_key_hex"]


def test_c2sp_example_is_not_a_checkpoint(c2sp_example: dict[str, Any]) -> None:
    with pytest.raises(MalformedCheckpoint):
        verify_signed_note(c2sp_example["signed_note"], c2sp_example["vkey"])


def test_c2sp_example_with_flipped_signature_bit(c2sp_example: dict[str, Any]) -> None:
    note: str = c2sp_example["signed_note"]
    prefix, encoded = note.rstrip("\n").rsplit(" ", 1)
    blob = bytearray(base64.b64decode(encoded))
    blob[10] ^= 0x01
    with pytest.raises(BadSignature):
        verify_note(f"{prefix} {base64.b64encode(bytes(blob)).decode()}\n", c2sp_example["vkey"])


def test_c2sp_example_with_changed_text(c2sp_example: dict[str, Any]) -> None:
    tampered = c2sp_example["signed_note"].replace("example message", "example massage")
    with pytest.raises(BadSignature):
        verify_note(tampered, c2sp_example["vkey"])


def test_c2sp_unknown_signers_are_ignored_not_trusted(c2sp_example: dict[str, Any]) -> None:
    # The intro note and the tlog-checkpoint example are signed by keys we do not know.
    for other in c2sp_example["other_examples_unverifiable_no_key_published"]:
        with pytest.raises(NoMatchingSignature):
            verify_note(other["signed_note"], c2sp_example["vkey"])


def test_c2sp_checkpoint_example_parses(c2sp_example: dict[str, Any]) -> None:
    signed = c2sp_example["other_examples_unverifiable_no_key_published"][1]["signed_note"]
    checkpoint = parse_checkpoint(signed.split("\n\n")[0] + "\n")
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.tree_size == 20852163
    assert base64.b64encode(checkpoint.root_hash).decode() == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    assert checkpoint.extensions == ()


@pytest.mark.parametrize(
    "text",
    [
        "origin\n5\n",  # too few lines
        "origin\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # leading zero
        "origin\n-5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n\u0665\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # an Arabic-Indic five is not ASCII
        "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  # bad padding
        "origin\n5\nAAAA\n",  # 3-byte root
        "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n",  # empty line
        "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",  # no final newline
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    "key",
    [
        "example.com/foo+530d903a",  # two parts
        "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # wrong key hash
        "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # upper-case hex
        "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # other name
        "example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # type byte 0x02
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",  # bad base64
        "ex ample+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",  # space in name
    ],
)
def test_malformed_verifier_keys(key: str) -> None:
    with pytest.raises(MalformedVerifierKey):
        parse_verifier_key(key)


# -- prover -> verifier round trips ---------------------------------------------------------------

BIG = 1100


@pytest.fixture(scope="module")
def big_log() -> MerkleLog:
    log = MerkleLog(InMemoryNodeStore())
    log.append_many(i.to_bytes(4, "big") * (i % 5) for i in range(BIG))
    return log


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, BIG))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(st.integers(1, BIG))
    return draw(st.integers(1, size2)), size2


_FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=150)


@_FIXTURE_OK
@given(case=size_and_index())
def test_inclusion_round_trip(big_log: MerkleLog, case: tuple[int, int]) -> None:
    size, index = case
    verify_inclusion(big_log.leaf_hash(index), index, size, big_log.inclusion_proof(index, size), big_log.root(size))


@_FIXTURE_OK
@given(case=two_sizes())
def test_consistency_round_trip(big_log: MerkleLog, case: tuple[int, int]) -> None:
    size1, size2 = case
    proof = big_log.consistency_proof(size1, size2)
    verify_consistency(size1, size2, proof, big_log.root(size1), big_log.root(size2))


@settings(deadline=None, max_examples=60)
@given(leaves=st.lists(st.binary(max_size=24), min_size=1, max_size=40), data=st.data())
def test_random_trees_round_trip(leaves: list[bytes], data: st.DataObject) -> None:
    log = MerkleLog(InMemoryNodeStore())
    log.append_many(leaves)
    n = len(leaves)
    for index, leaf in enumerate(leaves):
        verify_inclusion(leaf_hash(leaf), index, n, log.inclusion_proof(index), log.root())
    size1 = data.draw(st.integers(1, n))
    verify_consistency(size1, n, log.consistency_proof(size1), log.root(size1), log.root())


@pytest.mark.parametrize(
    "size", [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1023, 1024]
)
def test_every_proof_at_edge_sizes(big_log: MerkleLog, size: int) -> None:
    root = big_log.root(size)
    for index in range(size):
        verify_inclusion(big_log.leaf_hash(index), index, size, big_log.inclusion_proof(index, size), root)
    for size1 in range(1, size + 1):
        verify_consistency(size1, size, big_log.consistency_proof(size1, size), big_log.root(size1), root)


# -- tampering ------------------------------------------------------------------------------------


def _flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8 % len(out)] ^= 1 << (bit % 8)
    return bytes(out)


@_FIXTURE_OK
@given(case=size_and_index().filter(lambda c: c[0] > 1), where=st.integers(0, 10**6), bit=st.integers(0, 255))
def test_flipped_inclusion_proof_bit(big_log: MerkleLog, case: tuple[int, int], where: int, bit: int) -> None:
    size, index = case
    proof = big_log.inclusion_proof(index, size)
    proof[where % len(proof)] = _flip(proof[where % len(proof)], bit)
    with pytest.raises(RootMismatch):
        verify_inclusion(big_log.leaf_hash(index), index, size, proof, big_log.root(size))


@_FIXTURE_OK
@given(case=size_and_index(), bit=st.integers(0, 255), target=st.sampled_from(["leaf", "root"]))
def test_flipped_leaf_or_root_bit(big_log: MerkleLog, case: tuple[int, int], bit: int, target: str) -> None:
    size, index = case
    leaf, root = big_log.leaf_hash(index), big_log.root(size)
    if target == "leaf":
        leaf = _flip(leaf, bit)
    else:
        root = _flip(root, bit)
    with pytest.raises(RootMismatch):
        verify_inclusion(leaf, index, size, big_log.inclusion_proof(index, size), root)


@_FIXTURE_OK
@given(case=two_sizes().filter(lambda c: c[0] < c[1]), where=st.integers(0, 10**6), bit=st.integers(0, 255))
def test_flipped_consistency_proof_bit(big_log: MerkleLog, case: tuple[int, int], where: int, bit: int) -> None:
    size1, size2 = case
    proof = big_log.consistency_proof(size1, size2)
    proof[where % len(proof)] = _flip(proof[where % len(proof)], bit)
    with pytest.raises(RootMismatch):
        verify_consistency(size1, size2, proof, big_log.root(size1), big_log.root(size2))


@_FIXTURE_OK
@given(case=two_sizes(), bit=st.integers(0, 255), target=st.sampled_from(["root1", "root2"]))
def test_flipped_consistency_root_bit(big_log: MerkleLog, case: tuple[int, int], bit: int, target: str) -> None:
    size1, size2 = case
    roots = {"root1": big_log.root(size1), "root2": big_log.root(size2)}
    roots[target] = _flip(roots[target], bit)
    with pytest.raises(RootMismatch):
        verify_consistency(size1, size2, big_log.consistency_proof(size1, size2), roots["root1"], roots["root2"])


def test_proof_length_and_range_errors(big_log: MerkleLog) -> None:
    proof = big_log.inclusion_proof(5, 100)
    leaf, root = big_log.leaf_hash(5), big_log.root(100)
    with pytest.raises(WrongProofLength):
        verify_inclusion(leaf, 5, 100, proof[:-1], root)
    with pytest.raises(WrongProofLength):
        verify_inclusion(leaf, 5, 100, [*proof, root], root)
    with pytest.raises(IndexOutOfRange):
        verify_inclusion(leaf, 100, 100, proof, root)
    with pytest.raises(IndexOutOfRange):
        verify_inclusion(leaf, -1, 100, proof, root)
    with pytest.raises(MalformedHash):
        verify_inclusion(leaf[:31], 5, 100, proof, root)
    with pytest.raises(InvalidSize):
        verify_consistency(0, 10, [], big_log.root(0), big_log.root(10))
    with pytest.raises(InvalidSize):
        verify_consistency(10, 9, [], big_log.root(10), big_log.root(9))
    consistency = big_log.consistency_proof(6, 100)
    with pytest.raises(WrongProofLength):
        verify_consistency(6, 100, consistency[1:], big_log.root(6), big_log.root(100))
    with pytest.raises(WrongProofLength):
        verify_consistency(6, 100, [], big_log.root(6), big_log.root(100))


# -- checkpoints and receipts ---------------------------------------------------------------------

ORIGIN = "icss.example/evidence/tenant-a"


def _entry(n: int) -> dict[str, Any]:
    return {
        "type": "contact.attempt",
        "seq": n,
        "at": f"2026-03-0{n % 9 + 1}T09:00:00+08:00",
        "debtor": f"hmac-sha256:{n:064x}",
        "channel": "voice",
        "note": "催收 call — réglé",
        "amount": {"value": "120.50", "currency": "CNY"},
    }


@pytest.fixture(scope="module")
def issued() -> tuple[MerkleLog, NoteSigner, list[dict[str, Any]], Any]:
    log = MerkleLog(InMemoryNodeStore())
    signer = NoteSigner.generate(ORIGIN)
    entries = [_entry(n) for n in range(37)]
    log.append_entries(entries)
    checkpoint = CheckpointIssuer(log, signer).issue()
    return log, signer, entries, checkpoint


def _receipt(issued: tuple[MerkleLog, NoteSigner, list[dict[str, Any]], Any], index: int) -> dict[str, Any]:
    log, signer, entries, checkpoint = issued
    receipt = build_receipt(log, index, entries[index], checkpoint, signer.verifier_key)
    # Receipts travel as JSON: make sure nothing but JSON is in them.
    parsed: dict[str, Any] = json.loads(json.dumps(receipt, ensure_ascii=False))
    return parsed


def test_signed_checkpoint_round_trip(issued: tuple[MerkleLog, NoteSigner, list[dict[str, Any]], Any]) -> None:
    log, signer, _, checkpoint = issued
    verified = verify_signed_note(checkpoint.signed_note, signer.verifier_key)
    assert (verified.origin, verified.tree_size, verified.root_hash) == (ORIGIN, 37, log.root())
    assert verified.key_name == ORIGIN


def test_consistency_between_two_signed_checkpoints() -> None:
    log = MerkleLog(InMemoryNodeStore())
    signer = NoteSigner.generate(ORIGIN)
    issuer = CheckpointIssuer(log, signer)
    log.append_entries(_entry(n) for n in range(10))
    first = verify_signed_note(issuer.issue().signed_note, signer.verifier_key)
    log.append_entries(_entry(n) for n in range(10, 29))
    second = verify_signed_note(issuer.issue().signed_note, signer.verifier_key)
    proof = log.consistency_proof(first.tree_size, second.tree_size)
    verify_consistency(first.tree_size, second.tree_size, proof, first.root_hash, second.root_hash)


def test_note_with_other_signatures_verifies() -> None:
    ours, witnesses = NoteSigner.generate(ORIGIN), [NoteSigner.generate(f"witness{n}.example") for n in range(15)]
    text = "icss.example/log\n3\n" + base64.b64encode(bytes(32)).decode() + "\n"
    note = sign_note(text, *witnesses[:7], ours, *witnesses[7:])  # 16 signatures, ours in the middle
    assert verify_note(note, ours.verifier_key).text == text
    # A stranger's key with our name (a key-hash collision attempt) is ignored, not trusted.
    impostor = NoteSigner.generate(ORIGIN)
    with pytest.raises(NoMatchingSignature):
        verify_note(sign_note(text, impostor), ours.verifier_key)


@pytest.mark.parametrize(
    ("mangle", "error"),
    [
        (lambda note: note.replace("\n\n", "\n"), MalformedNote),  # no blank line
        (lambda note: note.replace("\u2014 ", "- "), MalformedNote),  # hyphen for em dash
        (lambda note: note.rstrip("\n"), MalformedNote),
        (lambda note: note.replace("\n3\n", "\n4\n"), BadSignature),  # tree size changed
        (lambda note: "\x07" + note, MalformedNote),  # control character
        (lambda note: note + "\u2014 other.example AAAA!!!!\n", MalformedNote),  # bad base64
    ],
)
def test_tampered_notes(mangle: Callable[[str], str], error: type[VerificationError]) -> None:
    signer = NoteSigner.generate(ORIGIN)
    note = sign_note("icss.example/log\n3\n" + base64.b64encode(bytes(32)).decode() + "\n", signer)
    with pytest.raises(error):
        verify_signed_note(mangle(note), signer.verifier_key)


def test_too_many_signatures_are_refused() -> None:
    signer = NoteSigner.generate(ORIGIN)
    text = "hello\n"
    note = sign_note(text, signer) + "".join(
        f"\u2014 w{n}.example {base64.b64encode(bytes(68)).decode()}\n" for n in range(verifier.MAX_SIGNATURES)
    )
    with pytest.raises(MalformedNote):
        verify_note(note, signer.verifier_key)


@pytest.mark.parametrize("index", [0, 1, 17, 31, 32, 36])
def test_receipt_round_trip(issued: tuple[MerkleLog, NoteSigner, list[dict[str, Any]], Any], index: int) -> None:
    result = verify_receipt(_receipt(issued, index))
    log = issued[0]
    assert (result.entry_index, result.tree_size, result.root_hash) == (index, 37, log.root())
    assert (result.origin, result.key_name) == (ORIGIN, ORIGIN)
    assert result.leaf_hash == log.leaf_hash(index)
    words = result.describe()
    assert f"Entry {index}" in words
    assert "37 entries" in words
    assert ORIGIN in words
    assert str(result) == words
    assert not result.key_trusted
    assert "check that" in words


def test_receipt_with_pinned_keys(issued: tuple[MerkleLog, NoteSigner, list[dict[str, Any]], Any]) -> None:
    signer = issued[1]
    result = verify_receipt(_receipt(issued, 3), trusted_keys={signer.verifier_key})
    assert result.key_trusted
    assert result.verifier_key == signer.verifier_key
    assert "one of the keys you trust" in result.describe()
    # A forger who signs with their own key and ships it inside the receipt is caught by pinning.
    forger = NoteSigner.generate(ORIGIN)
    log, _, entries, _ = issued
    forged = build_receipt(log, 3, entries[3], CheckpointIssuer(log, forger).issue(), forger.verifier_key)
    assert not verify_receipt(forged).key_trusted
    with pytest.raises(UntrustedKey):
        verify_receipt(forged, trusted_keys=[signer.verifier_key])


def _set(receipt: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(receipt)
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node[key]
    node[last] = value
    return out


def _flip_b64(value: str, bit: int = 0) -> str:
    return base64.b64encode(_flip(base64.b64decode(value), bit)).decode()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda r: _set(r, "entry.entry.amount", {"value": "12.50", "currency": "CNY"}), LeafMismatch),
        (lambda r: _set(r, "entry.leaf_hash", _flip_b64(r["entry"]["leaf_hash"])), LeafMismatch),
        (
            lambda r: _set(
                r, "inclusion_proof.audit_path", [_flip_b64(h, 9) for h in r["inclusion_proof"]["audit_path"]]
            ),
            RootMismatch,
        ),
        (lambda r: _set(r, "inclusion_proof.audit_path", r["inclusion_proof"]["audit_path"][:-1]), WrongProofLength),
        (lambda r: _set(r, "inclusion_proof.leaf_index", 6), ReceiptInconsistent),
        (lambda r: _set(r, "inclusion_proof.tree_size", 36), ReceiptInconsistent),
        (lambda r: _set(_set(r, "entry.index", 6), "inclusion_proof.leaf_index", 6), RootMismatch),
        (lambda r: _set(r, "checkpoint.root_hash", _flip_b64(r["checkpoint"]["root_hash"])), ReceiptInconsistent),
        (lambda r: _set(r, "checkpoint.origin", "elsewhere.example"), ReceiptInconsistent),
        (
            lambda r: _set(r, "checkpoint.signed_note", r["checkpoint"]["signed_note"].replace("\n37\n", "\n38\n")),
            BadSignature,
        ),
        (lambda r: _set(r, "verifier_key", NoteSigner.generate(ORIGIN).verifier_key), NoMatchingSignature),
        (lambda r: _set(r, "verifier_key", "nonsense"), MalformedVerifierKey),
        (lambda r: {k: v for k, v in r.items() if k != "checkpoint"}, MalformedReceipt),
        (lambda r: _set(r, "entry.index", True), MalformedReceipt),
        (lambda r: _set(r, "entry.index", "5"), MalformedReceipt),
        (lambda r: _set(r, "inclusion_proof.audit_path", [1, 2]), MalformedReceipt),
        (lambda r: _set(r, "entry.leaf_hash", "not base64!"), MalformedReceipt),
    ],
)
def test_tampered_receipt(
    issued: tuple[MerkleLog, NoteSigner, list[dict[str, Any]], Any],
    change: Callable[[dict[str, Any]], dict[str, Any]],
    error: type[VerificationError],
) -> None:
    with pytest.raises(error):
        verify_receipt(change(_receipt(issued, 5)))


def test_error_hierarchy() -> None:
    families: dict[type[VerificationError], tuple[type[VerificationError], ...]] = {
        ProofError: (InvalidSize, IndexOutOfRange, MalformedHash, WrongProofLength, RootMismatch),
        NoteError: (MalformedNote, MalformedCheckpoint, MalformedVerifierKey),
        SignatureError: (BadSignature, NoMatchingSignature, UntrustedKey),
        VerificationError: (ProofError, NoteError, SignatureError, LeafMismatch, MalformedReceipt, ReceiptInconsistent),
    }
    for base, members in families.items():
        for error in members:
            assert issubclass(error, base)


# -- independence and API -------------------------------------------------------------------------


def test_verifier_imports_nothing_from_the_reference() -> None:
    tree = ast.parse(Path(verifier.__file__).read_text())
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports could reach shared code"
            imported.append(node.module or "")
    assert not [name for name in imported if name.startswith("icss")]


def test_exported_members() -> None:
    public = {
        name
        for name, value in vars(verifier).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == verifier.__name__
    }
    assert public == set(verifier.__all__)


def test_verifier_keys_with_plus_in_base64() -> None:
    # base64 uses "+", so a verifier key may have more than two "+" characters.
    signers = [NoteSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)) for seed in range(40)]
    with_plus = [signer for signer in signers if signer.verifier_key.count("+") > 2]
    assert with_plus
    for signer in with_plus:
        assert parse_verifier_key(signer.verifier_key).public_key == signer.public_key
        assert verify_note(sign_note("hello\n", signer), signer.verifier_key).text == "hello\n"
