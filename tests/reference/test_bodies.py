"""Request bodies: the compiled validator's verdict is python-jsonschema's verdict.

``reference/_bodies.check`` takes "valid" from the compiled validator (``icss.spec.surely_valid``)
and lets python-jsonschema decide and list the errors of the rest; the two must agree on every
request schema, or a body could be accepted that the spec's reading rejects.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icss.reference import _bodies
from icss.reference._operations import operations
from icss.reference._routing import _request_schema
from icss.spec import compiled_validator, schema, surely_valid, validator
from icss.spec._schemas import _plain


@functools.cache
def _request_schemas() -> list[str]:
    return sorted({name for op in operations() for name in [_request_schema(op)[0]] if name})


def _python(body: Any, name: str) -> bool:
    return not any(True for _ in validator(name).iter_errors(body))


def _properties(name: str) -> list[str]:
    return sorted(schema(name).get("properties", {}))


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2024-06-05T15:00:00Z",
            "2024-06-05t15:00:00z",
            "2024-06-05 15:00:00Z",
            "2024-13-05T15:00:00Z",
            "2024-06-05T15:00:00+25:00",
            "2024-06-05",
            "2024-02-30",
            "P1D",
            "PT",
            "P",
            "PT1.5S",
            "P1W2D",
            "https://example.org/x",
            "/relative/path",
            "not a uri",
            "http://[::1",
            "call",
            "email",
            "sms",
            "collection",
            "dbt_0123456789abcdef",
            "dbt_0123456789abcdef\n",  # Python's "$" matches before a final newline, the Rust engine's not
            "a\x1cb",  # Python's "\\s" covers \x1c-\x1f, the Rust engine's not
            "",
            "America/New_York",
            "Foo/Bar",
            "zh-CN",
            "1.50",
            "-0",
        ]
    ),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def _bodies_for(draw: st.DrawFn) -> tuple[str, Any]:
    """A schema and a body made of its own member names with arbitrary JSON values (valid and invalid)."""
    name = draw(st.sampled_from(_request_schemas()))
    names = _properties(name) or ["x"]
    body = draw(st.dictionaries(st.sampled_from(names), _JSON, max_size=len(names)))
    return name, body


def test_every_request_schema_compiles() -> None:
    assert len(_request_schemas()) > 30
    for name in _request_schemas():
        assert compiled_validator(name) is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_bodies_for())
def test_compiled_and_python_verdicts_agree(case: tuple[str, Any]) -> None:
    name, body = case
    fast, slow = surely_valid(name, body), _python(body, name)
    # Never "valid" where jsonschema rejects; on plain bodies (no integer beyond 2**53, which it leaves
    # to jsonschema) the two say the same.
    assert slow or not fast, (name, body)
    if _plain(body):
        assert fast == slow, (name, body)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("2024-06-05T15:00:00Z", True), ("2024-06-05T15:00:00", False), ("2024-02-30T15:00:00Z", False)],
)
def test_formats_are_checked(value: str, valid: bool) -> None:
    body = {"debtor_id": "dbt_1", "debt_ids": ["debt_1"], "contact_point_id": "cp_1", "channel": "call",
            "purpose": "collection", "at": value}  # fmt: skip
    name = "contact-check-request.schema.json"
    assert surely_valid(name, body) is valid
    assert _python(body, name) is valid


def test_an_integer_beyond_64_bits_is_decided_by_python_jsonschema() -> None:
    body = {"debtor_id": 2**80}
    assert surely_valid("contact-check-request.schema.json", body) is False
    with pytest.raises(Exception, match="does not match"):
        _bodies.check(body, "contact-check-request.schema.json")
