"""The Rust fast path of response-body validation never accepts what ``jsonschema`` rejects.

``schema_errors`` trusts ``jsonschema_rs`` only when it says "valid", so the one way the fast path
could weaken a check is a body the Rust validator accepts and ``jsonschema`` rejects. These tests
walk every example of every schema in spec/schemas, and many broken variants of each (wrong types,
missing and unknown members, strings that probe ``re``'s ``$`` and ``\\s``, malformed dates and URIs,
huge numbers), and compare the two validators' verdicts.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from icss.conformance.checks._support import schema_errors
from icss.spec import compiled_validator as _fast_validator
from icss.spec import schema_documents, validator
from icss.spec._schemas import _PythonPattern

_STRINGS = ("", "abc\x1c", "\u00a0", "ht tp://x", "2026-02-30", "P")
_OTHERS: tuple[Any, ...] = (None, True, -1, 1.5, 2**63, "1", [], {})


def _examples() -> Iterator[tuple[str, Any]]:
    for name, doc in schema_documents().items():
        for example in doc.get("examples", []):  # whole-document examples only: sub-examples need their subschema
            yield name.removesuffix(".schema.json"), example


def _variants(value: Any) -> Iterator[Any]:
    """``value`` with one member changed at a time, at every depth."""
    yield from _OTHERS
    if isinstance(value, str):
        yield from _STRINGS
        yield value + "\n"
        yield value + " "
        yield value[:-1]
    if isinstance(value, dict):
        yield {**value, "zz-unknown": 1}
        for key, member in value.items():
            yield {k: v for k, v in value.items() if k != key}
            for changed in _variants(member):
                yield {**value, key: changed}
    if isinstance(value, list) and value:
        yield value + value[:1]
        for i, member in enumerate(value):
            for changed in _variants(member):
                yield [*value[:i], changed, *value[i + 1 :]]


EXAMPLES = list(_examples())


def test_there_are_examples_to_compare() -> None:
    assert len({name for name, _ in EXAMPLES}) > 30


@pytest.mark.slow
@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(EXAMPLES)])
def test_fast_path_agrees_with_jsonschema(name: str, example: Any) -> None:
    fast, slow = _fast_validator(name), validator(name)
    # The fast path is taken for what the standard shows as valid (else it would save nothing).
    assert slow.is_valid(example), "a schema example that does not validate"
    assert fast.is_valid(example)
    assert schema_errors(name, example) == []
    # Only a variant the Rust validator accepts can be misjudged (a rejected one goes to jsonschema).
    accepted = [v for v in _variants(copy.deepcopy(example)) if fast.is_valid(v)]
    assert [v for v in accepted if not slow.is_valid(v)] == []


def test_rejected_bodies_get_the_jsonschema_errors() -> None:
    body = {"type": "ht tp://x", "title": "x", "status": "400"}
    assert not _fast_validator("problem").is_valid(body)
    assert [e.message for e in schema_errors("problem", body)] == [
        e.message for e in sorted(validator("problem").iter_errors(body), key=lambda e: list(e.absolute_path))
    ]


def test_pattern_is_read_as_jsonschema_reads_it() -> None:
    # jsonschema's pattern is re.search, where "$" matches before a final newline; the Rust engine's does
    # not. The fast path is given Python's reading, so both say the same of such a string.
    digest = "sha256:" + "0" * 64
    _PythonPattern(None, "^sha256:[0-9a-f]{64}$", None).validate(digest + "\n")  # no error: it matches
    with pytest.raises(ValueError, match="does not match"):
        _PythonPattern(None, "^sha256:[0-9a-f]{64}$", None).validate(digest + "x")
