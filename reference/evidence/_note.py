"""Checkpoints (C2SP tlog-checkpoint) signed as C2SP signed notes with Ed25519.

A checkpoint is the text ``<origin>\\n<tree size>\\n<base64 root hash>\\n`` plus optional
extension lines (c2sp.org/tlog-checkpoint). A signed note (c2sp.org/signed-note) is that text,
a blank line, then one line per signature::

    — <key name> base64(key hash || signature)

where the 4-byte key hash is ``SHA-256(key name || 0x0A || 0x01 || public key)[:4]`` (0x01 is
the Ed25519 signature type) and the Ed25519 signature covers the note text, final newline
included. Verifiers are given the key as ``<name>+<hex key hash>+<base64(0x01 || public key)>``.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ._hashing import HASH_SIZE

ED25519_SIGNATURE_TYPE: Final = 0x01
"""The signed-note signature type byte for plain Ed25519 signatures."""

_EM_DASH: Final = "\u2014"


def _check_key_name(name: str) -> None:
    # signed-note: a key name is non-empty UTF-8 with neither Unicode spaces nor "+".
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise ValueError(f"invalid signed-note key name {name!r}: it must be non-empty, without spaces or '+'")


def _check_note_text(text: str) -> None:
    # signed-note: the text is non-empty UTF-8, ends in a newline, and has no control
    # characters other than newline.
    if not text.endswith("\n"):
        raise ValueError("a note text must end with a newline")
    bad = [ch for ch in text if ch != "\n" and ord(ch) < 0x20]
    if bad:
        raise ValueError(f"a note text must not contain control characters, found {bad[0]!r}")


def _raw_public_key(public_key: Ed25519PublicKey | bytes) -> bytes:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if len(public_key) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")
    return bytes(public_key)


def key_hash(name: str, public_key: Ed25519PublicKey | bytes) -> bytes:
    """Return the 4-byte signed-note key hash ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``."""
    _check_key_name(name)
    material = name.encode() + b"\n" + bytes([ED25519_SIGNATURE_TYPE]) + _raw_public_key(public_key)
    return hashlib.sha256(material).digest()[:4]


def encode_verifier_key(name: str, public_key: Ed25519PublicKey | bytes) -> str:
    """Return the verifier key string ``<name>+<hex key hash>+<base64(0x01 || public key)>``."""
    raw = _raw_public_key(public_key)
    encoded = base64.b64encode(bytes([ED25519_SIGNATURE_TYPE]) + raw).decode()
    return f"{name}+{key_hash(name, raw).hex()}+{encoded}"


class NoteSigner:
    """An Ed25519 signed-note signer: a key name and a private key.

    Args:
        name: the key name; for a log's checkpoints it should equal the log's origin.
        private_key: the Ed25519 private key (keep it in a KMS or HSM in production).
    """

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_key_name(name)
        self._name = name
        self._private_key = private_key
        self._public_key = _raw_public_key(private_key.public_key())
        self._key_hash = key_hash(name, self._public_key)

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        """Return a signer with a fresh random Ed25519 key."""
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def name(self) -> str:
        """The key name."""
        return self._name

    @property
    def key_hash(self) -> bytes:
        """The 4-byte key hash that prefixes every signature."""
        return self._key_hash

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return self._public_key

    @property
    def verifier_key(self) -> str:
        """The verifier key string to publish for this signer."""
        return encode_verifier_key(self._name, self._public_key)

    def signature_line(self, text: str) -> str:
        """Return the signature line ``— <name> base64(key hash || signature)\\n`` over ``text``."""
        _check_note_text(text)
        signature = self._private_key.sign(text.encode())
        return f"{_EM_DASH} {self._name} {base64.b64encode(self._key_hash + signature).decode()}\n"


def sign_note(text: str, *signers: NoteSigner) -> str:
    """Return the signed note: ``text``, a blank line, then one signature line per signer."""
    if not signers:
        raise ValueError("a signed note needs at least one signer")
    return text + "\n" + "".join(signer.signature_line(text) for signer in signers)


@dataclass(frozen=True)
class Checkpoint:
    """The body of a C2SP tlog-checkpoint: origin, tree size, root hash, extension lines."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise ValueError("a checkpoint origin is one non-empty line")
        if self.tree_size < 0:
            raise ValueError(f"a tree size is non-negative, got {self.tree_size}")
        if len(self.root_hash) != HASH_SIZE:
            raise ValueError(f"a root hash is {HASH_SIZE} bytes, got {len(self.root_hash)}")
        for line in self.extensions:
            if not line or "\n" in line:
                raise ValueError(f"an extension line is one non-empty line, got {line!r}")

    def to_text(self) -> str:
        """Return the checkpoint as note text (every line ends in a newline)."""
        lines = [self.origin, str(self.tree_size), base64.b64encode(self.root_hash).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint and its signed note, as issued by :class:`CheckpointIssuer`."""

    checkpoint: Checkpoint
    signed_note: str
    key_name: str

    def to_json(self) -> dict[str, object]:
        """Return the ``checkpoint`` object of an evidence receipt."""
        return {
            "origin": self.checkpoint.origin,
            "tree_size": self.checkpoint.tree_size,
            "root_hash": base64.b64encode(self.checkpoint.root_hash).decode(),
            "signed_note": self.signed_note,
        }
