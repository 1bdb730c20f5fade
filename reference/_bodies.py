"""Request bodies are read and checked against ``spec/schemas`` — not against Python models.

The JSON Schemas are the contract; validating against them directly means the service cannot
drift from what the harness and every vendor read.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from icss.spec import validator

from ._problems import Problem


async def read_json(request: Request, max_bytes: int, *, allow_form: bool = False) -> Any:
    """The request body as JSON (or, where the operation allows it, a urlencoded form), or a 4xx problem."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if allow_form and ctype == "application/x-www-form-urlencoded":
        raw = await request.body()
        if len(raw) > max_bytes:
            raise Problem("payload-too-large", f"the body exceeds {max_bytes} bytes")
        try:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except UnicodeDecodeError:
            raise Problem("malformed-body", "the form is not UTF-8") from None
    if ctype not in ("application/json", "application/merge-patch+json"):
        raise Problem("unsupported-media-type", "send the body as application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise Problem("payload-too-large", f"the body exceeds {max_bytes} bytes")
    raw = await request.body()
    if len(raw) > max_bytes:
        raise Problem("payload-too-large", f"the body exceeds {max_bytes} bytes")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Problem("malformed-body", "the body is not valid JSON") from None


def check(body: Any, schema_name: str) -> Any:
    """Validate ``body`` against a spec schema; a 422 problem lists each error by JSON pointer."""
    errors = sorted(validator(schema_name).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        raise Problem(
            "validation-failed",
            f"the body does not match {schema_name}",
            errors=[
                {
                    "pointer": "/" + "/".join(str(p) for p in err.absolute_path),
                    # The validator's message may quote the offending value, which can be personal
                    # data: name only the rule that failed.
                    "message": f"fails '{err.validator}' of the schema",
                }
                for err in errors[:20]
            ],
        )
    return body


async def body(request: Request, schema_name: str, max_bytes: int, *, allow_form: bool = False) -> Any:
    return check(await read_json(request, max_bytes, allow_form=allow_form), schema_name)
