"""RFC 9162 §2.1 hashing and the canonical bytes of an evidence entry.

The evidence log is a Merkle tree in the sense of RFC 9162 (Certificate Transparency 2.0),
§2.1.1: a leaf hashes as ``SHA-256(0x00 || data)``, an interior node as
``SHA-256(0x01 || left || right)``, and the empty tree as ``SHA-256("")``. The one-byte
prefixes keep a leaf from ever being mistaken for a node (second pre-image resistance).

An entry is a JSON object; its leaf data is the RFC 8785 (JSON Canonicalization Scheme)
serialisation, so that any verifier, in any language, recomputes the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785

HASH_SIZE = 32
"""Length in bytes of every hash in the log (SHA-256)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256() — the root hash of the tree of size 0 (RFC 9162 §2.1.1)."""


def hash_leaf(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior-node hash ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def canonical_entry_bytes(entry: Mapping[str, Any]) -> bytes:
    """Serialise an evidence entry with RFC 8785 (JCS): the leaf data of the log.

    Raises:
        TypeError: the entry is not a JSON object.
        rfc8785.CanonicalizationError: it holds a value JSON cannot carry exactly
            (NaN, an integer beyond IEEE 754 double precision, a non-string key, ...).
    """
    if not isinstance(entry, Mapping):
        raise TypeError(f"an evidence entry is a JSON object, not {type(entry).__name__}")
    return rfc8785.dumps(dict(entry))


def entry_leaf_hash(entry: Mapping[str, Any]) -> bytes:
    """Return the leaf hash of an evidence entry: ``hash_leaf(canonical_entry_bytes(entry))``."""
    return hash_leaf(canonical_entry_bytes(entry))
