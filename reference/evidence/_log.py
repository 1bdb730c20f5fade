"""The append-only Merkle log: appends, roots of past sizes, RFC 9162 proofs.

Proofs follow the recursive definitions of RFC 9162 §2.1.3.1 (``PATH``) and §2.1.4.1
(``SUBPROOF``) literally, but walk them as a loop over *ranges of leaves*: every hash a proof
needs is ``MTH(D[a:b])`` for some range, and every such range splits into the stored perfect
subtrees of :mod:`._storage`. A proof is therefore planned first (which ranges, hence which
stored nodes), then read in a single batch, then folded — O(log n) reads, no rehashing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._hashing import EMPTY_ROOT, HASH_SIZE, canonical_entry_bytes, hash_children, hash_leaf
from ._storage import NodeKey, NodeStore

_Range = tuple[int, int]


def _split_point(size: int) -> int:
    """RFC 9162 §2.1.1: the largest power of two strictly smaller than ``size`` (``size >= 2``)."""
    return 1 << ((size - 1).bit_length() - 1)


def _pieces(start: int, end: int) -> list[NodeKey]:
    """Split ``[start, end)`` into stored perfect subtrees, largest (leftmost) first.

    Every range the RFC recursion produces starts at a multiple of the largest power of two
    in its size, so the binary digits of ``end - start`` give the pieces directly.
    """
    keys: list[NodeKey] = []
    position = start
    size = end - start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if position % (1 << level):
                raise RuntimeError(f"range [{start}, {end}) is not aligned to stored subtrees")
            keys.append(NodeKey(level, position >> level))
            position += 1 << level
    return keys


def _fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its pieces: the split is always after the first (largest) piece."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = hash_children(left, result)
    return result


def _path_ranges(index: int, tree_size: int) -> list[_Range]:
    """The ranges whose MTH make up PATH(index, D[0:tree_size]), in proof order (RFC 9162 §2.1.3.1)."""
    ranges: list[_Range] = []
    start, end = 0, tree_size
    while end - start > 1:
        k = _split_point(end - start)
        if index - start < k:
            # m < k: PATH(m, D[0:k]) : MTH(D[k:n])
            ranges.append((start + k, end))
            end = start + k
        else:
            # m >= k: PATH(m - k, D[k:n]) : MTH(D[0:k])
            ranges.append((start, start + k))
            start += k
    ranges.reverse()  # the recursion emits the innermost sibling first
    return ranges


def _subproof_ranges(size1: int, size2: int) -> list[_Range]:
    """The ranges whose MTH make up PROOF(size1, D[0:size2]) = SUBPROOF(size1, D[0:size2], true).

    RFC 9162 §2.1.4.1, with ``b`` recording whether the subtree is still the whole old tree.
    """
    ranges: list[_Range] = []
    start, end, whole_old_tree = 0, size2, True
    while True:
        m, n = size1 - start, end - start
        if m == n:
            # SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
            if not whole_old_tree:
                ranges.append((start, end))
            break
        k = _split_point(n)
        if m <= k:
            # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            ranges.append((start + k, end))
            end = start + k
        else:
            # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            ranges.append((start, start + k))
            start += k
            whole_old_tree = False
    ranges.reverse()
    return ranges


class MerkleLog:
    """An RFC 9162 Merkle tree over a :class:`NodeStore`, append-only.

    Appends cost one leaf hash plus one node hash per completed subtree (amortised O(1),
    at most log2 n), after one batched read of the O(log n) "frontier" nodes. Roots of any
    past size and all proofs read O(log n) stored nodes in one batch.

    The log holds hashes only; keeping the entries themselves (to answer "show me entry 17")
    is the job of the service's entry table.
    """

    def __init__(self, store: NodeStore) -> None:
        self._store = store

    @property
    def store(self) -> NodeStore:
        """The storage this log reads and writes."""
        return self._store

    @property
    def size(self) -> int:
        """The current tree size (number of leaves)."""
        return self._store.tree_size()

    # -- appending ---------------------------------------------------------------------------

    def append(self, data: bytes) -> int:
        """Append one leaf whose data is ``data``; return its 0-based index."""
        return self.append_leaf_hashes([hash_leaf(data)]).start

    def append_many(self, items: Iterable[bytes]) -> range:
        """Append many leaves in one storage write; return their indices."""
        return self.append_leaf_hashes(hash_leaf(data) for data in items)

    def append_entry(self, entry: Mapping[str, Any]) -> int:
        """Append an evidence entry (a JSON object, canonicalised with RFC 8785); return its index."""
        return self.append(canonical_entry_bytes(entry))

    def append_entries(self, entries: Iterable[Mapping[str, Any]]) -> range:
        """Append many evidence entries in one storage write; return their indices."""
        return self.append_many(canonical_entry_bytes(entry) for entry in entries)

    def append_leaf_hashes(self, leaf_hashes: Iterable[bytes]) -> range:
        """Append already-computed leaf hashes (``hash_leaf(data)``) in one batch; return their indices.

        Raises:
            ValueError: a hash is not 32 bytes long.
            ConcurrentAppendError: another writer appended in the meantime; nothing was written.
        """
        batch = list(leaf_hashes)
        for leaf in batch:
            if len(leaf) != HASH_SIZE:
                raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, got {len(leaf)}")
        old_size = self._store.tree_size()
        if not batch:
            return range(old_size, old_size)
        # The only old nodes an append combines with are the maximal perfect subtrees of
        # [0, old_size) — the binary digits of old_size — so read those, once.
        frontier_keys = _pieces(0, old_size)
        known: dict[NodeKey, bytes] = dict(zip(frontier_keys, self._store.read_nodes(frontier_keys), strict=True))
        new_nodes: dict[NodeKey, bytes] = {}
        for offset, leaf in enumerate(batch):
            level, index, node = 0, old_size + offset, leaf
            new_nodes[NodeKey(0, index)] = node
            while index & 1:  # a right child completes its parent
                left_key = NodeKey(level, index - 1)
                left = new_nodes.get(left_key) or known[left_key]
                node = hash_children(left, node)
                level, index = level + 1, index >> 1
                new_nodes[NodeKey(level, index)] = node
        new_size = old_size + len(batch)
        self._store.write_nodes(new_nodes.items(), old_size=old_size, new_size=new_size)
        return range(old_size, new_size)

    # -- reading -----------------------------------------------------------------------------

    def leaf_hash(self, index: int) -> bytes:
        """Return the stored leaf hash at ``index``."""
        self._check_index(index, self.size)
        return self._store.read_nodes([NodeKey(0, index)])[0]

    def root(self, tree_size: int | None = None) -> bytes:
        """Return MTH(D[0:tree_size]) for the current or any past size (RFC 9162 §2.1.1)."""
        size = self._resolve_size(tree_size)
        if size == 0:
            return EMPTY_ROOT
        return self._range_hashes([(0, size)])[0]

    def inclusion_proof(self, index: int, tree_size: int | None = None) -> list[bytes]:
        """Return the audit path PATH(index, D[0:tree_size]) of RFC 9162 §2.1.3.1.

        Raises:
            ValueError: ``tree_size`` exceeds the log, or ``index`` is not below ``tree_size``.
        """
        size = self._resolve_size(tree_size)
        self._check_index(index, size)
        return self._range_hashes(_path_ranges(index, size))

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """Return PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1 (empty when the sizes are equal).

        Raises:
            ValueError: ``size1`` is 0 (nothing to prove: every tree extends the empty one; verifiers
                reject such proofs) or exceeds ``size2``, or ``size2`` exceeds the log.
        """
        later = self._resolve_size(size2)
        if not 0 < size1 <= later:
            raise ValueError(f"a consistency proof needs 0 < size1 <= size2, got size1={size1}, size2={later}")
        return self._range_hashes(_subproof_ranges(size1, later))

    # -- helpers -----------------------------------------------------------------------------

    def _resolve_size(self, tree_size: int | None) -> int:
        current = self.size
        if tree_size is None:
            return current
        if not 0 <= tree_size <= current:
            raise ValueError(f"tree size {tree_size} is outside the log, whose size is {current}")
        return tree_size

    @staticmethod
    def _check_index(index: int, tree_size: int) -> None:
        if not 0 <= index < tree_size:
            raise ValueError(f"leaf index {index} is outside a tree of size {tree_size}")

    def _range_hashes(self, ranges: Sequence[_Range]) -> list[bytes]:
        """MTH of each range, from one batched read of the stored pieces."""
        pieces = [_pieces(start, end) for start, end in ranges]
        wanted = list(dict.fromkeys(key for keys in pieces for key in keys))
        if not wanted:
            return []
        stored = dict(zip(wanted, self._store.read_nodes(wanted), strict=True))
        return [_fold([stored[key] for key in keys]) for keys in pieces]
