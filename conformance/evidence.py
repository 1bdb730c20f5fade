"""Independent verification of ICSS evidence-log proofs, checkpoints and receipts.

The harness checks what a target's evidence log hands out — inclusion proofs, consistency
proofs, signed checkpoints, receipts — without trusting the target's code or ours: this
module is written from the texts alone and shares nothing with :mod:`icss.reference`.

* Proofs: the iterative verification algorithms of RFC 9162 §2.1.3.2 (inclusion) and
  §2.1.4.2 (consistency), which walk the bits of the leaf index and tree size instead of
  rebuilding subtrees. Before hashing, the expected proof length is derived by the same walk,
  so a proof of the wrong length fails as such rather than as a root mismatch.
* Policy (the same as transparency-dev/merkle, whose probes the tests run): a consistency
  proof *from* the empty tree is rejected, even 0 -> 0, because it proves nothing; equal sizes
  need an empty proof and byte-equal roots; every hash that enters a computation must be
  exactly 32 bytes.
* Checkpoints: c2sp.org/tlog-checkpoint text inside a c2sp.org/signed-note, Ed25519 only
  (signature type 0x01). Signatures by unknown keys are ignored, as the note spec requires;
  a failing signature by the trusted key rejects the note.
* Receipts: an entry, its inclusion proof and a signed checkpoint; the leaf hash is recomputed
  from the RFC 8785 canonical bytes of the entry.

Every failure is a :class:`VerificationError` whose message says what did not hold.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = [
    # errors: everything raised here is a VerificationError
    "VerificationError",
    "ProofError",
    "InvalidSize",
    "IndexOutOfRange",
    "MalformedHash",
    "WrongProofLength",
    "RootMismatch",
    "NoteError",
    "MalformedNote",
    "MalformedCheckpoint",
    "MalformedVerifierKey",
    "SignatureError",
    "NoMatchingSignature",
    "BadSignature",
    "UntrustedKey",
    "ReceiptError",
    "MalformedReceipt",
    "LeafMismatch",
    "ReceiptInconsistent",
    # RFC 9162 proofs
    "leaf_hash",
    "verify_inclusion",
    "verify_consistency",
    # C2SP checkpoints and signed notes
    "VerifierKey",
    "VerifiedNote",
    "VerifiedCheckpoint",
    "parse_verifier_key",
    "parse_checkpoint",
    "verify_note",
    "verify_signed_note",
    # receipts
    "ReceiptVerification",
    "verify_receipt",
]

DIGEST_SIZE = 32
MAX_SIGNATURES = 100  # signed-note: verifiers MUST accept at least 16


# -- errors -------------------------------------------------------------------------------------


class VerificationError(Exception):
    """Something handed to the verifier does not prove what it claims."""


class ProofError(VerificationError):
    """An RFC 9162 inclusion or consistency proof does not verify."""


class InvalidSize(ProofError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The tree sizes cannot make a valid proof (negative, size1 = 0, or size1 > size2)."""


class IndexOutOfRange(ProofError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The leaf index is not inside the tree."""


class MalformedHash(ProofError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """A leaf hash, root hash or proof element is not a 32-byte SHA-256 value."""


class WrongProofLength(ProofError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The proof has more or fewer hashes than the index and sizes call for."""


class RootMismatch(ProofError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The proof is well formed but does not lead to the given root hash."""


class NoteError(VerificationError):
    """A signed note, checkpoint or verifier key is not well formed."""


class MalformedNote(NoteError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The text is not a C2SP signed note."""


class MalformedCheckpoint(NoteError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The note text is not a C2SP tlog-checkpoint."""


class MalformedVerifierKey(NoteError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The verifier key is not ``name+hex(key hash)+base64(0x01 || Ed25519 key)``."""


class SignatureError(VerificationError):
    """The note is not validly signed by the trusted key."""


class NoMatchingSignature(SignatureError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """No signature line on the note is from the trusted key."""


class BadSignature(SignatureError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """A signature line from the trusted key does not verify over the note text."""


class UntrustedKey(SignatureError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The receipt's verifier key is not one of the keys the caller trusts."""


class ReceiptError(VerificationError):
    """An evidence receipt is malformed or contradicts itself."""


class MalformedReceipt(ReceiptError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """A receipt field is missing or has the wrong type."""


class LeafMismatch(ReceiptError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """The receipt's leaf hash is not the hash of the receipt's entry."""


class ReceiptInconsistent(ReceiptError):  # noqa: N818 -- the ICSS evidence API names errors by what failed
    """Two parts of the receipt disagree (index, tree size, origin or root hash)."""


# -- RFC 9162 hashing ----------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def _interior(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_digest(what: str, value: bytes) -> None:
    if len(value) != DIGEST_SIZE:
        raise MalformedHash(f"{what} is {len(value)} bytes long; a SHA-256 hash is {DIGEST_SIZE}")


def _check_count(what: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidSize(f"{what} must be a non-negative integer, got {value!r}")


def _same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def _strip_zero_bits(fn: int, sn: int) -> tuple[int, int]:
    """RFC 9162 step "right-shift fn and sn until LSB(fn) is set or fn is 0"."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def _count_steps(fn: int, sn: int) -> int:
    """How many proof hashes the RFC 9162 loop consumes from (fn, sn) until sn reaches 0."""
    steps = 0
    while sn:
        if not fn & 1 and fn == sn:
            fn, sn = _strip_zero_bits(fn, sn)
        fn, sn = fn >> 1, sn >> 1
        steps += 1
    return steps


# -- inclusion (RFC 9162 §2.1.3.2) ---------------------------------------------------------------


def verify_inclusion(leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``proof`` shows the leaf ``leaf_hash`` at ``index`` in the tree of ``tree_size`` and ``root``.

    Args:
        leaf_hash: the leaf's hash (``leaf_hash(data)``), not its data.
        index: 0-based position of the leaf.
        tree_size: number of leaves of the tree whose root is ``root``.
        proof: the audit path, innermost sibling first.
        root: the tree's root hash.

    Raises:
        IndexOutOfRange: ``index`` is not below ``tree_size``.
        MalformedHash: a hash is not 32 bytes.
        WrongProofLength: ``proof`` is not as long as ``index`` and ``tree_size`` require.
        RootMismatch: the path does not lead to ``root``.
    """
    _check_count("tree size", tree_size)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < tree_size:
        raise IndexOutOfRange(f"leaf index {index!r} is not inside a tree of {tree_size} leaves")
    _check_digest("the leaf hash", leaf_hash)
    _check_digest("the root hash", root)
    for position, element in enumerate(proof):
        _check_digest(f"proof hash #{position}", element)
    expected = _count_steps(index, tree_size - 1)
    if len(proof) != expected:
        raise WrongProofLength(
            f"an inclusion proof for leaf {index} of {tree_size} has {expected} hashes, this one has {len(proof)}"
        )

    # RFC 9162 §2.1.3.2, steps 2-5.
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if fn & 1 or fn == sn:
            r = _interior(p, r)
            if not fn & 1:
                fn, sn = _strip_zero_bits(fn, sn)
        else:
            r = _interior(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # unreachable after the length check; kept because the RFC checks it
        raise WrongProofLength("the proof ended before reaching the root")
    if not _same(r, root):
        raise RootMismatch(
            f"the inclusion proof for leaf {index} leads to root {r.hex()}, not the expected {root.hex()}"
        )


# -- consistency (RFC 9162 §2.1.4.2) -------------------------------------------------------------


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Check that the tree of ``size2`` leaves and ``root2`` extends the tree of ``size1`` and ``root1``.

    Raises:
        InvalidSize: ``size1`` is 0 (a proof from the empty tree proves nothing and is rejected)
            or greater than ``size2``.
        MalformedHash: a hash is not 32 bytes.
        WrongProofLength: ``proof`` is not as long as the sizes require (empty when they are equal).
        RootMismatch: the proof does not lead to ``root1`` and ``root2``.
    """
    _check_count("size1", size1)
    _check_count("size2", size2)
    if size1 == 0:
        raise InvalidSize("a consistency proof from the empty tree (size1 = 0) proves nothing and is rejected")
    if size1 > size2:
        raise InvalidSize(f"size1 ({size1}) is greater than size2 ({size2}): a log only grows")
    for position, element in enumerate(proof):
        _check_digest(f"proof hash #{position}", element)

    if size1 == size2:
        # Nothing is hashed: the two roots must simply be the same bytes. (Their length is not
        # checked here, as in transparency-dev/merkle, whose probe "sizes are equal (one) and
        # proof is empty" expects success with 12-byte roots.)
        if proof:
            raise WrongProofLength(f"trees of equal size need an empty proof, this one has {len(proof)} hashes")
        if not _same(root1, root2):
            raise RootMismatch(f"two trees of size {size1} have different roots {root1.hex()} and {root2.hex()}")
        return
    _check_digest("root1", root1)
    _check_digest("root2", root2)

    # Step 2: when size1 is a power of two the old root is itself a node of the new tree,
    # and the proof omits it.
    old_tree_is_a_node = size1 & (size1 - 1) == 0
    # Steps 3-4.
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    expected = _count_steps(fn, sn) + (0 if old_tree_is_a_node else 1)
    if len(proof) != expected:
        raise WrongProofLength(
            f"a consistency proof from {size1} to {size2} has {expected} hashes, this one has {len(proof)}"
        )

    path = [root1, *proof] if old_tree_is_a_node else list(proof)
    # Steps 5-6.
    fr = sr = path[0]
    for c in path[1:]:
        if fn & 1 or fn == sn:
            fr = _interior(c, fr)
            sr = _interior(c, sr)
            if not fn & 1:
                fn, sn = _strip_zero_bits(fn, sn)
        else:
            sr = _interior(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # Step 7.
    if sn != 0:  # unreachable after the length check; kept because the RFC checks it
        raise WrongProofLength("the proof ended before reaching the new root")
    if not _same(fr, root1):
        raise RootMismatch(f"the consistency proof leads to old root {fr.hex()}, not the expected {root1.hex()}")
    if not _same(sr, root2):
        raise RootMismatch(f"the consistency proof leads to new root {sr.hex()}, not the expected {root2.hex()}")


# -- C2SP signed notes and checkpoints ------------------------------------------------------------

_ED25519 = 0x01
_DECIMAL = re.compile(r"0|[1-9][0-9]*", re.ASCII)


def _b64(text: str, what: str, error: type[VerificationError]) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise error(f"{what} is not valid standard base64: {text!r}") from exc


def _valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name)


@dataclass(frozen=True)
class VerifierKey:
    """A parsed signed-note verifier key (Ed25519)."""

    name: str
    key_id: bytes
    public_key: bytes


@dataclass(frozen=True)
class VerifiedNote:
    """The text of a signed note whose signature by ``key_name`` verified."""

    text: str
    key_name: str


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose signed note verified: the log ``origin`` at ``tree_size`` had ``root_hash``."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()
    key_name: str = ""


def parse_verifier_key(verifier_key: str) -> VerifierKey:
    """Parse ``name+hex(key hash)+base64(0x01 || public key)`` and check the key hash.

    Raises:
        MalformedVerifierKey: the string is malformed, not Ed25519, or its key hash is wrong.
    """
    # The name and the hex key hash hold no "+", but the base64 key may: split twice only.
    parts = verifier_key.split("+", 2)
    if len(parts) != 3:
        raise MalformedVerifierKey(f"a verifier key has three '+'-separated parts, got {len(parts)}")
    name, id_hex, key_b64 = parts
    if not _valid_key_name(name):
        raise MalformedVerifierKey(f"invalid key name {name!r}")
    if not re.fullmatch(r"[0-9a-f]{8}", id_hex):
        raise MalformedVerifierKey(f"the key hash must be 8 lowercase hex digits, got {id_hex!r}")
    material = _b64(key_b64, "the public key", MalformedVerifierKey)
    if len(material) != 33 or material[0] != _ED25519:
        raise MalformedVerifierKey("only Ed25519 keys (type 0x01 followed by 32 bytes) are supported")
    key_id = bytes.fromhex(id_hex)
    computed = hashlib.sha256(name.encode() + b"\n" + material).digest()[:4]
    if computed != key_id:
        raise MalformedVerifierKey(f"key hash {id_hex} does not match the name and key (expected {computed.hex()})")
    return VerifierKey(name, key_id, material[1:])


def verify_note(note_text: str, verifier_key: str) -> VerifiedNote:
    """Verify a C2SP signed note against one trusted Ed25519 key; return its text.

    Signature lines from other keys are ignored (c2sp.org/signed-note); the note is rejected
    when no line is from the trusted key or when one from it fails to verify.

    Raises:
        MalformedVerifierKey: ``verifier_key`` is malformed.
        MalformedNote: the note is not a signed note.
        NoMatchingSignature: no signature line is from the trusted key.
        BadSignature: a signature line from the trusted key does not verify.
    """
    key = parse_verifier_key(verifier_key)
    if any(ch != "\n" and ord(ch) < 0x20 for ch in note_text):
        raise MalformedNote("a signed note must not contain control characters other than newline")
    # The text ends at the last blank line; signature lines follow it.
    split = note_text.rfind("\n\n")
    if split < 0:
        raise MalformedNote("no blank line separates the note text from its signatures")
    text, block = note_text[: split + 1], note_text[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNote("the signature lines must be present and end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"the note has {len(lines)} signatures; at most {MAX_SIGNATURES} are accepted")
    verified = False
    for number, line in enumerate(lines, start=1):
        fields = line.split(" ")
        if len(fields) != 3 or fields[0] != "\u2014" or not _valid_key_name(fields[1]):
            raise MalformedNote(f"signature line {number} is not '\u2014 <key name> <base64 signature>': {line!r}")
        blob = _b64(fields[2], f"signature line {number}", MalformedNote)
        if len(blob) < 5:
            raise MalformedNote(f"signature line {number} is too short to hold a key hash and a signature")
        if fields[1] != key.name or blob[:4] != key.key_id:
            continue  # an unknown key: ignored, as the spec requires
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(blob[4:], text.encode())
        except InvalidSignature as exc:
            raise BadSignature(f"the signature by {key.name!r} does not verify over the note text") from exc
        verified = True
    if not verified:
        raise NoMatchingSignature(f"the note carries no signature by {key.name!r} with key hash {key.key_id.hex()}")
    return VerifiedNote(text, key.name)


def parse_checkpoint(text: str) -> VerifiedCheckpoint:
    """Parse a C2SP tlog-checkpoint note *text* (not the signed note) — without verifying anything.

    The result's ``key_name`` is empty: nothing vouches for it yet. Use :func:`verify_signed_note`
    to trust a checkpoint.

    Raises:
        MalformedCheckpoint: fewer than three lines, an empty line, a size that is not a plain
            decimal, or a root hash that is not base64 of 32 bytes.
    """
    if not text.endswith("\n"):
        raise MalformedCheckpoint("a checkpoint text ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpoint(f"a checkpoint has at least three lines, got {len(lines)}")
    if any(not line for line in lines):
        raise MalformedCheckpoint("a checkpoint has no empty lines (pass the note text, not the signed note)")
    origin, size_line, root_line, *extensions = lines
    if not _DECIMAL.fullmatch(size_line):
        raise MalformedCheckpoint(f"the tree size must be a decimal without leading zeros, got {size_line!r}")
    root = _b64(root_line, "the root hash", MalformedCheckpoint)
    if len(root) != DIGEST_SIZE:
        raise MalformedCheckpoint(f"the root hash is {len(root)} bytes long, not {DIGEST_SIZE}")
    return VerifiedCheckpoint(origin, int(size_line), root, tuple(extensions))


def verify_signed_note(note_text: str, verifier_key: str) -> VerifiedCheckpoint:
    """Verify a signed checkpoint against the log's verifier key; return what it states.

    Raises:
        NoteError: the note, the checkpoint or the key is malformed.
        SignatureError: the note is not validly signed by the key.
    """
    note = verify_note(note_text, verifier_key)
    checkpoint = parse_checkpoint(note.text)
    return VerifiedCheckpoint(
        checkpoint.origin, checkpoint.tree_size, checkpoint.root_hash, checkpoint.extensions, note.key_name
    )


# -- receipts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptVerification:
    """What a verified receipt proves, field by field and in words (:meth:`describe`)."""

    entry_index: int
    leaf_hash: bytes
    tree_size: int
    root_hash: bytes
    origin: str
    key_name: str
    verifier_key: str
    key_trusted: bool
    audit_path_length: int

    def describe(self) -> str:
        """Say in plain words what was proven."""
        root = base64.b64encode(self.root_hash).decode()
        if self.key_trusted:
            trust = "That key is one of the keys you trust."
        else:
            trust = (
                "The receipt names this key itself, so the proof is only as good as the key: "
                f"check that {self.verifier_key} is the key the log publishes."
            )
        return (
            f"Entry {self.entry_index} is recorded in the evidence log {self.origin!r}: "
            f"its canonical JSON hashes to the leaf {self.leaf_hash.hex()}, and an audit path of "
            f"{self.audit_path_length} hashes places that leaf at index {self.entry_index} of the tree "
            f"of {self.tree_size} entries whose root hash is {root}. "
            f"That checkpoint is signed by the key {self.key_name!r}. {trust}"
        )

    def __str__(self) -> str:
        return self.describe()


def _member(mapping: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping:
        raise MalformedReceipt(f"{where} has no {key!r}")
    value = mapping[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MalformedReceipt(f"{where}.{key} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def _hash_field(mapping: Mapping[str, Any], key: str, where: str) -> bytes:
    value = _b64(_member(mapping, key, str, where), f"{where}.{key}", MalformedReceipt)
    if len(value) != DIGEST_SIZE:
        raise MalformedReceipt(f"{where}.{key} is {len(value)} bytes long, not {DIGEST_SIZE}")
    return value


def _signed_by_one_of(note: str, keys: Sequence[str]) -> tuple[VerifiedCheckpoint, str]:
    """The checkpoint of ``note`` verified with the first of ``keys`` that signed it, and that key."""
    missing: NoMatchingSignature | None = None
    for key in keys:
        try:
            return verify_signed_note(note, key), key
        except NoMatchingSignature as exc:  # not signed by this key: try the next one
            missing = exc
    assert missing is not None  # noqa: S101 - keys is never empty here
    raise missing


def verify_receipt(receipt: Mapping[str, Any], *, trusted_keys: Collection[str] | None = None) -> ReceiptVerification:
    """Verify an evidence receipt end to end and say what it proves.

    A receipt carries the verifier key it was signed with, so on its own it proves only that
    *some* key signed it. Pass the log's published keys as ``trusted_keys`` to pin it; without
    them the result says ``key_trusted=False`` and :meth:`ReceiptVerification.describe` says
    which key to check. A receipt without ``verifier_key`` (the field is optional in the ICSS
    receipt schema) is checked against each trusted key in turn, and is malformed without any.

    Checks, in order: that ``verifier_key`` is trusted (when ``trusted_keys`` is given); the
    checkpoint's signed note against ``verifier_key``; that the receipt's
    checkpoint fields, index and tree size agree with the signed note; that ``leaf_hash`` is the
    RFC 9162 leaf hash of the RFC 8785 canonical bytes of ``entry.entry``; and that the audit
    path leads from that leaf to the signed root.

    Raises:
        ReceiptError: the receipt is malformed, contradicts itself, or its leaf hash is wrong.
        UntrustedKey: ``trusted_keys`` is given and the receipt's key is not in it.
        NoteError / SignatureError: the checkpoint is malformed or not signed by the key.
        ProofError: the inclusion proof does not verify against the signed root.
    """
    if not isinstance(receipt, Mapping):
        raise MalformedReceipt(f"a receipt is a JSON object, got {type(receipt).__name__}")
    entry_part = _member(receipt, "entry", Mapping, "receipt")
    proof_part = _member(receipt, "inclusion_proof", Mapping, "receipt")
    checkpoint_part = _member(receipt, "checkpoint", Mapping, "receipt")
    named_key = _member(receipt, "verifier_key", str, "receipt") if "verifier_key" in receipt else None

    index = _member(entry_part, "index", int, "entry")
    claimed_leaf = _hash_field(entry_part, "leaf_hash", "entry")
    entry = _member(entry_part, "entry", Mapping, "entry")
    leaf_index = _member(proof_part, "leaf_index", int, "inclusion_proof")
    proof_size = _member(proof_part, "tree_size", int, "inclusion_proof")
    raw_path = _member(proof_part, "audit_path", list, "inclusion_proof")
    if not all(isinstance(item, str) for item in raw_path):
        raise MalformedReceipt("inclusion_proof.audit_path must be a list of base64 strings")
    path = [_b64(item, f"inclusion_proof.audit_path[{n}]", MalformedReceipt) for n, item in enumerate(raw_path)]
    origin = _member(checkpoint_part, "origin", str, "checkpoint")
    size = _member(checkpoint_part, "tree_size", int, "checkpoint")
    root = _hash_field(checkpoint_part, "root_hash", "checkpoint")
    note = _member(checkpoint_part, "signed_note", str, "checkpoint")

    if named_key is not None:
        if trusted_keys is not None and named_key not in trusted_keys:
            raise UntrustedKey(f"the receipt is signed with {named_key}, which is not among the trusted keys")
        candidates = [named_key]
    elif trusted_keys:
        candidates = list(trusted_keys)
    else:
        raise MalformedReceipt("the receipt has no 'verifier_key'; give the log's published key as a trusted key")
    signed, verifier_key = _signed_by_one_of(note, candidates)
    if (signed.origin, signed.tree_size, signed.root_hash) != (origin, size, root):
        raise ReceiptInconsistent("the checkpoint fields differ from what its signed note states")
    if leaf_index != index:
        raise ReceiptInconsistent(f"the entry is #{index} but the inclusion proof is for leaf {leaf_index}")
    if proof_size != size:
        raise ReceiptInconsistent(f"the inclusion proof is for tree size {proof_size}, the checkpoint for {size}")

    try:
        canonical = rfc8785.dumps(dict(entry))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise MalformedReceipt(f"entry.entry cannot be canonicalised with RFC 8785: {exc}") from exc
    recomputed = leaf_hash(canonical)
    if not _same(recomputed, claimed_leaf):
        raise LeafMismatch(
            f"entry.entry hashes to leaf {recomputed.hex()}, but the receipt claims {claimed_leaf.hex()}"
        )

    verify_inclusion(recomputed, index, size, path, signed.root_hash)
    return ReceiptVerification(
        entry_index=index,
        leaf_hash=recomputed,
        tree_size=size,
        root_hash=signed.root_hash,
        origin=signed.origin,
        key_name=signed.key_name,
        verifier_key=verifier_key,
        key_trusted=trusted_keys is not None,
        audit_path_length=len(path),
    )
