"""Tests of the reference evidence log (prover side): hashing, storage layout, roots, proofs.

Anchors: the RFC 6962 reference tree of transparency-dev/merkle (every node and every root
of sizes 0-8), the happy-path probes of the same repository, and pymerkle's RFC 9162-style
roots and inclusion paths. The proofs must come from stored subtree hashes: the tests count
storage reads.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icss.reference.evidence import (
    EMPTY_ROOT,
    ConcurrentAppendError,
    InMemoryNodeStore,
    MerkleLog,
    NodeKey,
    NodeStore,
    canonical_entry_bytes,
    entry_leaf_hash,
    hash_children,
    hash_leaf,
)

VECTORS = Path(__file__).resolve().parents[4] / "shared" / "data" / "merkle-vectors"
needs_vectors = pytest.mark.skipif(
    not (VECTORS / "rfc6962_reference_tree.json").is_file(),
    reason=f"the shared Merkle test vectors are not at {VECTORS} (the shared/ folder beside the checkout)",
)


def _log(leaves: list[bytes]) -> tuple[MerkleLog, InMemoryNodeStore]:
    store = InMemoryNodeStore()
    log = MerkleLog(store)
    log.append_many(leaves)
    return log, store


def _naive_root(leaves: list[bytes]) -> bytes:
    """MTH straight from the RFC 9162 §2.1.1 definition: the oracle for everything else."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hash_leaf(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hash_children(_naive_root(leaves[:k]), _naive_root(leaves[k:]))


# -- RFC 6962 reference tree -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_tree() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "rfc6962_reference_tree.json").read_text())
    return data


@needs_vectors
def test_hasher_vectors(reference_tree: dict[str, Any]) -> None:
    for vector in reference_tree["hasher_vectors"]:
        if vector["op"] == "empty_root":
            got = EMPTY_ROOT
        elif vector["op"] == "hash_leaf":
            data = bytes.fromhex(vector["input_hex"]) if "input_hex" in vector else vector["input_ascii"].encode()
            got = hash_leaf(data)
        else:
            got = hash_children(vector["left_ascii"].encode(), vector["right_ascii"].encode())
        assert got.hex() == vector["want"], vector["desc"]


@needs_vectors
def test_reference_tree_roots_for_every_size(reference_tree: dict[str, Any]) -> None:
    log, _ = _log([bytes.fromhex(value) for value in reference_tree["leaf_inputs_hex"]])
    for size, root in reference_tree["root_hash_by_tree_size_hex"].items():
        assert log.root(int(size)).hex() == root, size


@needs_vectors
def test_reference_tree_stored_nodes(reference_tree: dict[str, Any]) -> None:
    _, store = _log([bytes.fromhex(value) for value in reference_tree["leaf_inputs_hex"]])
    expected = {
        NodeKey(level, index): bytes.fromhex(value)
        for level, row in enumerate(reference_tree["node_hashes_by_level_hex"])
        for index, value in enumerate(row)
    }
    assert store.keys() == set(expected)
    assert dict(zip(expected, store.read_nodes(list(expected)), strict=True)) == expected


def _happy_paths(kind: str) -> list[Path]:
    if not (VECTORS / "testdata").is_dir():
        return []
    return sorted((VECTORS / "testdata" / kind).glob("*/happy-path.json"))


@needs_vectors
@pytest.mark.parametrize("path", _happy_paths("inclusion"), ids=lambda p: p.parent.name)
def test_inclusion_proofs_equal_the_probes(reference_tree: dict[str, Any], path: Path) -> None:
    probe = json.loads(path.read_text())
    log, _ = _log([bytes.fromhex(value) for value in reference_tree["leaf_inputs_hex"]])
    assert log.root(probe["treeSize"]) == base64.b64decode(probe["root"])
    assert log.leaf_hash(probe["leafIdx"]) == base64.b64decode(probe["leafHash"])
    want = [base64.b64decode(value) for value in probe["proof"] or []]
    assert log.inclusion_proof(probe["leafIdx"], probe["treeSize"]) == want


@needs_vectors
@pytest.mark.parametrize("path", _happy_paths("consistency"), ids=lambda p: p.parent.name)
def test_consistency_proofs_equal_the_probes(reference_tree: dict[str, Any], path: Path) -> None:
    probe = json.loads(path.read_text())
    log, _ = _log([bytes.fromhex(value) for value in reference_tree["leaf_inputs_hex"]])
    assert log.root(probe["size1"]) == base64.b64decode(probe["root1"])
    assert log.root(probe["size2"]) == base64.b64decode(probe["root2"])
    want = [base64.b64decode(value) for value in probe["proof"] or []]
    assert log.consistency_proof(probe["size1"], probe["size2"]) == want


# -- against pymerkle ------------------------------------------------------------------------------


def test_roots_and_inclusion_paths_match_pymerkle() -> None:
    pymerkle = pytest.importorskip("pymerkle")
    leaves = [n.to_bytes(3, "big") * (n % 4) for n in range(160)]
    tree = pymerkle.InmemoryTree(algorithm="sha256")  # security prefixes 0x00/0x01 on by default
    for leaf in leaves:
        tree.append_entry(leaf)
    log, _ = _log(leaves)
    for size in range(1, len(leaves) + 1):
        assert log.root(size) == tree.get_root(size), size
        for index in range(0, size, 11):
            # pymerkle indexes leaves from 1 and puts the leaf hash itself first in its path;
            # the rest is the RFC 9162 audit path. Its consistency proofs are not RFC-shaped.
            path = [bytes.fromhex(node) for node in tree.prove_inclusion(index + 1, size).serialize()["path"]]
            assert path[0] == log.leaf_hash(index)
            assert path[1:] == log.inclusion_proof(index, size), (index, size)


# -- against the RFC definition ---------------------------------------------------------------------


def _naive_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, recursively over the leaf data."""
    if len(leaves) <= 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return [*_naive_path(m, leaves[:k]), _naive_root(leaves[k:])]
    return [*_naive_path(m - k, leaves[k:]), _naive_root(leaves[:k])]


def _naive_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    n = len(leaves)
    if m == n:
        return [] if whole else [_naive_root(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_naive_subproof(m, leaves[:k], whole), _naive_root(leaves[k:])]
    return [*_naive_subproof(m - k, leaves[k:], False), _naive_root(leaves[:k])]


@settings(deadline=None, max_examples=80)
@given(leaves=st.lists(st.binary(max_size=8), min_size=1, max_size=70), data=st.data())
def test_proofs_equal_the_rfc_definitions(leaves: list[bytes], data: st.DataObject) -> None:
    log, _ = _log(leaves)
    size = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, size - 1))
    size1 = data.draw(st.integers(1, size))
    assert log.root(size) == _naive_root(leaves[:size])
    assert log.inclusion_proof(index, size) == _naive_path(index, leaves[:size])
    assert log.consistency_proof(size1, size) == _naive_subproof(size1, leaves[:size], True)


@settings(deadline=None, max_examples=40)
@given(batches=st.lists(st.lists(st.binary(max_size=4), max_size=20), max_size=8))
def test_batched_and_single_appends_agree(batches: list[list[bytes]]) -> None:
    batched = MerkleLog(InMemoryNodeStore())
    single = MerkleLog(InMemoryNodeStore())
    for batch in batches:
        assert batched.append_many(batch) == range(batched.size - len(batch), batched.size)
        for leaf in batch:
            single.append(leaf)
    leaves = [leaf for batch in batches for leaf in batch]
    assert batched.size == single.size == len(leaves)
    assert batched.root() == single.root() == _naive_root(leaves)
    assert isinstance(batched.store, InMemoryNodeStore)
    assert isinstance(single.store, InMemoryNodeStore)
    assert batched.store.keys() == single.store.keys()


# -- storage layout and cost ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 8, 13, 64, 100])
def test_store_holds_exactly_the_complete_perfect_subtrees(size: int) -> None:
    _, store = _log([bytes([n % 256]) for n in range(size)])
    expected = {
        NodeKey(level, index)
        for level in range(size.bit_length() + 1)
        for index in range(size >> level)  # (index + 1) * 2**level <= size
    }
    assert store.keys() == expected
    assert store.tree_size() == size


BIG = 1 << 16


@pytest.fixture(scope="module")
def big() -> tuple[MerkleLog, InMemoryNodeStore]:
    return _log([n.to_bytes(4, "big") for n in range(BIG)])


@pytest.mark.parametrize("index", [0, 1, 12345, BIG // 2, BIG - 2, BIG - 1])
@pytest.mark.parametrize("size", [BIG, BIG - 1, 40000])
def test_inclusion_proof_reads_log_n_nodes(big: tuple[MerkleLog, InMemoryNodeStore], index: int, size: int) -> None:
    log, store = big
    if index >= size:
        index = size - 1
    store.reset_counters()
    proof = log.inclusion_proof(index, size)
    assert store.read_batches == 1
    # One stored node per sibling, plus the pieces of at most one ragged right sibling.
    assert store.reads <= 2 * 16
    if size == BIG:
        assert store.reads == len(proof) == 16


@pytest.mark.parametrize(("size1", "size2"), [(1, BIG), (BIG - 1, BIG), (12345, BIG), (777, 40000), (BIG // 2, BIG)])
def test_consistency_proof_reads_log_n_nodes(big: tuple[MerkleLog, InMemoryNodeStore], size1: int, size2: int) -> None:
    log, store = big
    store.reset_counters()
    log.consistency_proof(size1, size2)
    assert store.read_batches == 1
    assert store.reads <= 2 * 17


@pytest.mark.parametrize("size", [1, 3, 40000, BIG - 1, BIG])
def test_past_roots_read_log_n_nodes(big: tuple[MerkleLog, InMemoryNodeStore], size: int) -> None:
    log, store = big
    store.reset_counters()
    log.root(size)
    assert store.reads == bin(size).count("1")  # one stored perfect subtree per binary digit


def test_append_reads_only_the_frontier() -> None:
    log, store = _log([bytes(4)] * (BIG - 1))
    store.reset_counters()
    log.append(b"last")
    assert store.read_batches == 1
    assert store.reads == 16  # 2**16 - 1 has sixteen one-bits: one frontier node each
    assert store.keys() >= {NodeKey(16, 0)}


# -- API edges --------------------------------------------------------------------------------------


def test_in_memory_store_satisfies_the_protocol() -> None:
    assert isinstance(InMemoryNodeStore(), NodeStore)


def test_empty_log() -> None:
    log = MerkleLog(InMemoryNodeStore())
    assert log.size == 0
    assert log.root() == EMPTY_ROOT
    assert log.append_many([]) == range(0)
    with pytest.raises(ValueError, match="outside"):
        log.inclusion_proof(0)


def test_argument_errors() -> None:
    log, _ = _log([b"a", b"b", b"c"])
    with pytest.raises(ValueError, match="outside"):
        log.root(4)
    with pytest.raises(ValueError, match="outside"):
        log.inclusion_proof(3, 3)
    with pytest.raises(ValueError, match="outside"):
        log.inclusion_proof(-1)
    with pytest.raises(ValueError, match="size1"):
        log.consistency_proof(0, 3)
    with pytest.raises(ValueError, match="size1"):
        log.consistency_proof(3, 2)
    with pytest.raises(ValueError, match="outside"):
        log.consistency_proof(2, 4)
    with pytest.raises(ValueError, match="32 bytes"):
        log.append_leaf_hashes([b"short"])
    assert log.consistency_proof(3, 3) == []
    assert log.size == 3


def test_store_refuses_a_stale_writer() -> None:
    store = InMemoryNodeStore()
    MerkleLog(store).append(b"a")
    with pytest.raises(ConcurrentAppendError):
        store.write_nodes([(NodeKey(0, 1), bytes(32))], old_size=0, new_size=1)
    with pytest.raises(ConcurrentAppendError):
        store.write_nodes([(NodeKey(0, 0), bytes(32))], old_size=1, new_size=2)
    assert store.tree_size() == 1


def test_entries_are_canonical_json() -> None:
    entry = {"b": [1, 2.0, "x"], "a": {"z": None, "y": True}, "é": "催收"}
    assert canonical_entry_bytes(entry) == '{"a":{"y":true,"z":null},"b":[1,2,"x"],"é":"催收"}'.encode()
    assert entry_leaf_hash(entry) == hash_leaf(canonical_entry_bytes(dict(reversed(list(entry.items())))))
    log = MerkleLog(InMemoryNodeStore())
    assert log.append_entry(entry) == 0
    assert log.leaf_hash(0) == entry_leaf_hash(entry)
    with pytest.raises(TypeError):
        canonical_entry_bytes([1, 2])  # type: ignore[arg-type]
