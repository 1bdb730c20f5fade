"""The JSON Schemas of ``spec/schemas/``, registered by ``$id`` so that cross-file refs resolve.

Both the reference (to validate bodies) and the harness (to validate responses and reports)
build validators here, so that there is one reading of every schema.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import jsonschema_rs  # type: ignore[import-untyped,unused-ignore]
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ._load import read_json, spec_root

#: Base URI under which every ICSS schema is published (its ``$id`` prefix).
SCHEMA_BASE = "https://icss.example.org/spec/schemas/"


@functools.cache
def schema_documents() -> dict[str, dict[str, Any]]:
    """Every schema file's contents, keyed by file name (``debtor.schema.json``)."""
    folder = spec_root() / "schemas"
    return {
        node.name: read_json(node)
        for node in sorted(folder.iterdir(), key=lambda n: n.name)
        if node.name.endswith(".schema.json")
    }


@functools.cache
def schema_registry() -> Registry[Any]:
    """A registry holding every schema under its ``$id``."""
    resources = [
        (doc.get("$id", SCHEMA_BASE + name), Resource.from_contents(doc, default_specification=DRAFT202012))
        for name, doc in schema_documents().items()
    ]
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    """The schema document ``name`` (with or without the ``.schema.json`` suffix)."""
    key = name if name.endswith(".schema.json") else f"{name}.schema.json"
    try:
        return schema_documents()[key]
    except KeyError:
        raise KeyError(f"no schema {key!r} in spec/schemas") from None


@functools.cache
def validator(name: str) -> Validator:
    """A 2020-12 validator for schema ``name`` with format checking on."""
    return Draft202012Validator(
        schema(name),
        registry=schema_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


class _PythonPattern:
    """``pattern`` as ``jsonschema`` evaluates it (``re.search``), for the compiled validator."""

    def __init__(self, parent_schema: Any, value: str, schema_path: Any) -> None:
        self._search = re.compile(value).search

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and not self._search(instance):
            raise ValueError(f"{instance!r} does not match")


def _python_format(name: str) -> Any:
    conforms = Draft202012Validator.FORMAT_CHECKER.conforms
    return lambda instance: conforms(instance, name)


@functools.cache
def _compiled_registry() -> Any:
    return jsonschema_rs.Registry(
        [(doc.get("$id", SCHEMA_BASE + name), doc) for name, doc in schema_documents().items()]
    )


@functools.cache
def compiled_validator(name: str) -> Any:
    """Schema ``name`` compiled by jsonschema-rs (Rust), with ``jsonschema``'s own ``pattern`` and formats.

    For these keywords Python's ``re`` and the format libraries differ from the Rust ones (``$``
    before a final newline, ``\\s``, URI grammars); for the other keywords the schemas use, both
    follow the JSON Schema test suite. Use it through :func:`surely_valid`.
    """
    key = name if name.endswith(".schema.json") else f"{name}.schema.json"
    return jsonschema_rs.Draft202012Validator(
        schema(key),
        registry=_compiled_registry(),
        validate_formats=True,
        formats={f: _python_format(f) for f in Draft202012Validator.FORMAT_CHECKER.checkers},
        keywords={"pattern": _PythonPattern},
    )


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` holds only what both validators read alike (no huge integers, NaN or deep nesting)."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**53) <= value <= 2**53
    if isinstance(value, float):
        return math.isfinite(value)
    if depth > 64:
        return False
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    return False


def surely_valid(name: str, instance: Any) -> bool:
    """True when ``instance`` is valid against schema ``name``; False means "ask :func:`validator`".

    Validating with ``jsonschema`` costs about half a millisecond a body; the compiled validator a
    few microseconds. Only its "valid" is taken: a body it rejects (or cannot read) goes to
    ``jsonschema``, which decides and writes the messages, so the verdict is always ``jsonschema``'s.
    """
    if not _plain(instance):
        return False
    try:
        return bool(compiled_validator(name).is_valid(instance))
    except Exception:  # anything the Rust validator cannot take is judged by jsonschema
        return False
