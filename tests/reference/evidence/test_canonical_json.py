"""The fast path of ``canonical_entry_bytes`` writes exactly what ``rfc8785`` writes — or both refuse.

``canonical_entry_bytes`` hands plain JSON (strings, safe integers, booleans, null, lists, objects
with ASCII keys) to the C JSON encoder and everything else to ``rfc8785``; these properties pin the
two to the same bytes on arbitrary JSON, including the awkward corners: every control character,
quotes and backslashes, U+2028, astral and lone-surrogate code points, integers around ±2**53,
floats and non-ASCII keys.
"""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from icss.reference.evidence import canonical_entry_bytes

SAFE = 2**53 - 1
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-SAFE - 3, max_value=SAFE + 3),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x7F)),
    st.sampled_from(["\u2028", "\u2029", "\x7f", "\ud800", "\U0001f600", "\ufb01", '"', "\\", "\x00\x1f\b\f\n\r\t"]),
)
keys = st.one_of(st.text(max_size=8), st.sampled_from(["a", "b", "\u00e9", "\U0001f600", "\ufb01", "A", "", "\ud800"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4))
objects = st.dictionaries(keys, values, max_size=6)


def _rfc8785(document: dict[str, Any]) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(document)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        return type(exc)


def _ours(document: dict[str, Any]) -> bytes | type[Exception]:
    try:
        return canonical_entry_bytes(document)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(objects)
def test_the_same_bytes_as_rfc8785(document: dict[str, Any]) -> None:
    assert _ours(document) == _rfc8785(document)


@pytest.mark.parametrize(
    "document",
    [
        {"n": SAFE, "m": -SAFE},
        {"n": SAFE + 1},
        {"n": -SAFE - 1},
        {"x": 1.0, "y": 1e21, "z": 5e-7},
        {"\u00e9": 1, "z": 2, "\U0001f600": 3, "\ufb01": 4},
        {"s": "\ud800"},
        {"s": "".join(chr(c) for c in range(0x20)) + '"\\\u2028\x7f'},
        {"t": (1, 2)},
        {"nested": [{"b": [], "a": {}}, [True, False, None]]},
    ],
)
def test_corner_cases(document: dict[str, Any]) -> None:
    assert _ours(document) == _rfc8785(document)


def test_a_typical_entry_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {"kind": "event", "tenant": "tn_1", "subject": None, "at": "2026-03-03T13:59:30Z",
             "payload": {"n": 1, "ok": True, "list": ["x", "y"], "text": "中文 \"q\""}}  # fmt: skip
    expected = rfc8785.dumps(entry)

    def fail(_: object) -> bytes:
        raise AssertionError("rfc8785 was called for a plain entry")

    monkeypatch.setattr(rfc8785, "dumps", fail)
    assert canonical_entry_bytes(entry) == expected
