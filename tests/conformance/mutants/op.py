"""Mutants of the OP area (interface, errors, versioning)."""

from __future__ import annotations

import json
from typing import Any

from . import mutant

mutant(
    "problem_stack_trace",
    {"OP-02"},
    faults={"problem_stack_trace"},
    note="malformed JSON answers 500 with a stack trace",
)


def _wrong_spec_version(app: Any) -> Any:
    """Report a spec_version that is not semantic (e.g. '1.0') on getVersion."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/icss/v1/version":
            await app(scope, receive, send)
            return
        body = json.dumps(
            {"service": "mutant", "service_version": "0", "spec_version": "1.0", "api_version": "v1"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return wrapped


mutant("version_not_semver", {"OP-04"}, wrap=_wrong_spec_version, note="getVersion reports spec_version '1.0'")
