"""Where the evidence log keeps its hashes: a ``NodeStore`` protocol and an in-memory store.

Layout. The log stores the hash of every *complete perfect subtree*, keyed by
``(level, index)``: the node at level ``L``, index ``i`` is the root of the perfect subtree
over leaves ``[i * 2**L, (i + 1) * 2**L)``. Level 0 holds the leaf hashes. A node is
written once, when its last leaf is appended, and never changes afterwards — the log is
append-only, so this is a write-once table. This is the "compact range" / tile layout of
Certificate Transparency logs (Trillian, Tessera; C2SP tlog-tiles), without the tiling.

Why this shape. Any subtree the RFC 9162 proof algorithms need, ``MTH(D[a:b])``, splits into
at most ``log2(b - a) + 1`` stored perfect subtrees (the binary digits of ``b - a``), so a root
of any past size and every proof are computed from O(log n) stored hashes, never by rehashing
leaves. A SQL table serves the protocol directly::

    CREATE TABLE evidence_node (level SMALLINT, idx BIGINT, hash BYTEA, PRIMARY KEY (level, idx));
    CREATE TABLE evidence_log  (tree_size BIGINT NOT NULL);  -- one row

``read_nodes`` is one ``SELECT ... WHERE (level, idx) IN (...)``; ``write_nodes`` is one
batch ``INSERT`` plus ``UPDATE evidence_log SET tree_size = :new WHERE tree_size = :old`` in
one transaction, which also makes a concurrent appender fail instead of forking the tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class NodeKey:
    """The address of a stored perfect subtree: ``level`` (0 = leaf) and ``index`` at that level.

    It covers leaves ``[index * 2**level, (index + 1) * 2**level)``.
    """

    level: int
    index: int


class ConcurrentAppendError(RuntimeError):
    """The store's tree size changed under an appender (another writer got there first)."""


@runtime_checkable
class NodeStore(Protocol):
    """Storage of one append-only log's subtree hashes (see the module docstring for the layout)."""

    def tree_size(self) -> int:
        """Return the number of leaves committed so far."""
        ...

    def read_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """Return the hashes at ``keys``, in the same order, in one round trip.

        Raises:
            KeyError: a key is not stored (a bug in the caller: it only asks for complete subtrees).
        """
        ...

    def write_nodes(self, nodes: Iterable[tuple[NodeKey, bytes]], *, old_size: int, new_size: int) -> None:
        """Store new nodes and move the tree size from ``old_size`` to ``new_size``, atomically.

        Raises:
            ConcurrentAppendError: the stored size is not ``old_size``; nothing was written.
        """
        ...


class InMemoryNodeStore:
    """A ``NodeStore`` in a dict, for tests and for small single-process logs.

    It counts what it is asked for (``reads``: node hashes read, ``read_batches``: calls to
    ``read_nodes``), so tests can check that proofs come from O(log n) stored nodes.
    """

    def __init__(self) -> None:
        self._nodes: dict[NodeKey, bytes] = {}
        self._size = 0
        self.reads = 0
        self.read_batches = 0

    def tree_size(self) -> int:
        return self._size

    def read_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        self.reads += len(keys)
        self.read_batches += 1
        return [self._nodes[key] for key in keys]

    def write_nodes(self, nodes: Iterable[tuple[NodeKey, bytes]], *, old_size: int, new_size: int) -> None:
        if old_size != self._size:
            raise ConcurrentAppendError(f"tree size is {self._size}, the appender expected {old_size}")
        batch = dict(nodes)
        if any(key in self._nodes for key in batch):
            raise ConcurrentAppendError("refusing to overwrite a stored node: the log is append-only")
        self._nodes.update(batch)
        self._size = new_size

    def keys(self) -> frozenset[NodeKey]:
        """Return every stored key (for tests and diagnostics)."""
        return frozenset(self._nodes)

    def reset_counters(self) -> None:
        """Zero ``reads`` and ``read_batches``."""
        self.reads = 0
        self.read_batches = 0
