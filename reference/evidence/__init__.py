"""The ICSS evidence log: an append-only, verifiable record of what a collector did.

Every collection action the reference service records becomes an *entry* (a JSON object,
personal data pseudonymised with :class:`PersonalDataHasher`), the leaf of an RFC 9162
Merkle tree. The log periodically signs a C2SP checkpoint of the tree; a *receipt* bundles
an entry, its inclusion proof and a checkpoint, so anyone can check it offline — for example
with :mod:`icss.conformance.evidence`, which re-implements verification independently.

Layers: ``_hashing`` (RFC 9162 hashes, RFC 8785 entry bytes) -> ``_storage`` (the
``NodeStore`` protocol, stored perfect subtrees) -> ``_log`` (``MerkleLog``: appends, roots,
proofs) -> ``_note`` / ``_issuer`` (checkpoints, signed notes, receipts).
"""

from ._hashing import EMPTY_ROOT, HASH_SIZE, canonical_entry_bytes, entry_leaf_hash, hash_children, hash_leaf
from ._issuer import CheckpointIssuer, CheckpointRollbackError, build_receipt
from ._log import MerkleLog
from ._note import Checkpoint, NoteSigner, SignedCheckpoint, encode_verifier_key, key_hash, sign_note
from ._pseudonym import PersonalDataHasher, new_tenant_salt
from ._storage import ConcurrentAppendError, InMemoryNodeStore, NodeKey, NodeStore

__all__ = [
    # RFC 9162 hashing and canonical entry bytes
    "HASH_SIZE",
    "EMPTY_ROOT",
    "hash_leaf",
    "hash_children",
    "canonical_entry_bytes",
    "entry_leaf_hash",
    # the log and its storage
    "MerkleLog",
    "NodeStore",
    "NodeKey",
    "InMemoryNodeStore",
    "ConcurrentAppendError",
    # checkpoints and signed notes (C2SP)
    "Checkpoint",
    "SignedCheckpoint",
    "NoteSigner",
    "sign_note",
    "key_hash",
    "encode_verifier_key",
    "CheckpointIssuer",
    "CheckpointRollbackError",
    "build_receipt",
    # pseudonyms of personal data
    "PersonalDataHasher",
    "new_tenant_salt",
]
