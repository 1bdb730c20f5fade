"""The interface contract as the service enforces it, read from ``spec/openapi.yaml``.

Roles, public access and debtor scoping are declared per operation in the OpenAPI document
(``security``, ``x-icss-roles``, ``x-icss-debtor-scoped``); the service reads them here instead of
restating them in code, so the spec stays the single source of truth.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from icss.spec import openapi_document

_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str
    path: str  # relative to the /icss/v1 base path
    public: bool
    roles: frozenset[str]
    debtor_scoped: bool
    idempotency_key: bool
    idempotency_key_required: bool


@functools.cache
def operations() -> dict[str, Operation]:
    """Every operation of the interface, keyed by operationId."""
    doc = openapi_document()
    param_refs = doc.get("components", {}).get("parameters", {})
    found: dict[str, Operation] = {}
    for path, item in doc["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if not op:
                continue
            security = op.get("security", doc.get("security"))
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            names: dict[str, bool] = {}
            for param in params:
                if "$ref" in param:
                    param = param_refs.get(param["$ref"].rsplit("/", 1)[-1], {})
                names[str(param.get("name", "")).lower()] = bool(param.get("required", False))
            found[op["operationId"]] = Operation(
                operation_id=op["operationId"],
                method=method.upper(),
                path=path,
                public=security == [],
                roles=frozenset(op.get("x-icss-roles", ())),
                debtor_scoped=bool(op.get("x-icss-debtor-scoped", False)),
                idempotency_key="idempotency-key" in names,
                idempotency_key_required=names.get("idempotency-key", False),
            )
    return found


def operation(operation_id: str) -> Operation:
    try:
        return operations()[operation_id]
    except KeyError:
        raise KeyError(f"operation {operation_id!r} is not in spec/openapi.yaml") from None
