"""Issuing checkpoints, and the receipts that let anyone check one entry offline.

c2sp.org/tlog-checkpoint: "A log MUST not sign any checkpoint which is inconsistent with any
checkpoint it previously signed." The issuer enforces the part it can see: it never signs a
tree smaller than the last one it signed, and before signing it checks that the log still
has the root it signed last time (a replaced or rewritten store would not).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from ._hashing import entry_leaf_hash
from ._log import MerkleLog
from ._note import Checkpoint, NoteSigner, SignedCheckpoint, sign_note


class CheckpointRollbackError(RuntimeError):
    """Signing the requested checkpoint would contradict one already issued."""


class CheckpointIssuer:
    """Signs checkpoints of one log, never going backwards.

    Args:
        log: the log to checkpoint.
        signer: the log's note signer (its key name should equal ``origin``).
        origin: the checkpoint origin line; defaults to the signer's key name.
        last_issued: the last checkpoint this log issued, when restarting (load it from
            durable storage: the guarantee is only as good as that record).
        extra_signers: further signers (e.g. a second key during a key rotation).
    """

    def __init__(
        self,
        log: MerkleLog,
        signer: NoteSigner,
        *,
        origin: str | None = None,
        last_issued: Checkpoint | None = None,
        extra_signers: Sequence[NoteSigner] = (),
    ) -> None:
        self._log = log
        self._signers = (signer, *extra_signers)
        self._origin = origin if origin is not None else signer.name
        self._last = last_issued
        self._lock = threading.Lock()

    @property
    def origin(self) -> str:
        """The origin line of every checkpoint this issuer signs."""
        return self._origin

    @property
    def last_issued(self) -> Checkpoint | None:
        """The most recent checkpoint signed (persist it to survive restarts)."""
        return self._last

    def issue(self, tree_size: int | None = None, *, extensions: Sequence[str] = ()) -> SignedCheckpoint:
        """Sign a checkpoint of the log at ``tree_size`` (default: its current size).

        Raises:
            CheckpointRollbackError: ``tree_size`` is below the last issued size, or the log no
                longer has the root hash of the last issued checkpoint.
            ValueError: ``tree_size`` is beyond the end of the log.
        """
        with self._lock:
            size = self._log.size if tree_size is None else tree_size
            last = self._last
            if last is not None:
                if size < last.tree_size:
                    raise CheckpointRollbackError(
                        f"refusing to sign tree size {size}: checkpoint {last.tree_size} was already issued"
                    )
                if self._log.root(last.tree_size) != last.root_hash:
                    raise CheckpointRollbackError(
                        f"the log's root at size {last.tree_size} differs from the issued checkpoint: "
                        "the store was rewritten or replaced"
                    )
            checkpoint = Checkpoint(self._origin, size, self._log.root(size), tuple(extensions))
            note = sign_note(checkpoint.to_text(), *self._signers)
            self._last = checkpoint
            return SignedCheckpoint(checkpoint, note, self._signers[0].name)


def build_receipt(
    log: MerkleLog,
    index: int,
    entry: Mapping[str, Any],
    checkpoint: SignedCheckpoint,
    verifier_key: str,
) -> dict[str, Any]:
    """Return the evidence receipt for entry ``index``, proven against ``checkpoint``.

    The receipt is plain JSON: the entry, its inclusion proof at the checkpoint's size, the
    signed checkpoint and the log's verifier key — everything a debtor, auditor or regulator
    needs to check it offline.

    Raises:
        ValueError: ``entry`` is not the entry stored at ``index``, or the checkpoint does not
            cover ``index``.
    """
    size = checkpoint.checkpoint.tree_size
    if not 0 <= index < size:
        raise ValueError(f"checkpoint of size {size} does not cover entry {index}")
    leaf = entry_leaf_hash(entry)
    if log.leaf_hash(index) != leaf:
        raise ValueError(f"entry {index} in the log is not the entry given")

    def b64(value: bytes) -> str:
        return base64.b64encode(value).decode()

    return {
        "entry": {"index": index, "leaf_hash": b64(leaf), "entry": dict(entry)},
        "inclusion_proof": {
            "leaf_index": index,
            "tree_size": size,
            "audit_path": [b64(node) for node in log.inclusion_proof(index, size)],
        },
        "checkpoint": checkpoint.to_json(),
        "verifier_key": verifier_key,
    }
