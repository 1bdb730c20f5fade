"""The JSON Schemas of ``spec/schemas/``, registered by ``$id`` so that cross-file refs resolve.

Both the reference (to validate bodies) and the harness (to validate responses and reports)
build validators here, so that there is one reading of every schema.
"""

from __future__ import annotations

import functools
from typing import Any

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
