"""Request bodies are read and checked against ``spec/schemas`` — not against Python models.

The JSON Schemas are the contract; validating against them directly means the service cannot
drift from what the harness and every vendor read.
"""

from __future__ import annotations

import functools
import json
import zoneinfo
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from icss.spec import surely_valid, validator

from ._problems import Problem

_JSON_TYPES = ("application/json", "application/merge-patch+json")
_FORM = "application/x-www-form-urlencoded"


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_raw(request: Request, max_bytes: int) -> bytes:
    """The body's bytes, refusing (413) as soon as it exceeds ``max_bytes`` — chunked bodies too."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise Problem("payload-too-large", f"the body exceeds {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise Problem("payload-too-large", f"the body exceeds {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse(raw: bytes, ctype: str, *, allow_form: bool = False) -> Any:
    """The body as JSON (or, where the operation allows it, a urlencoded form), or a 4xx problem."""
    if allow_form and ctype == _FORM:
        try:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except (UnicodeDecodeError, ValueError):
            raise Problem("malformed-body", "the form is not UTF-8") from None
    if ctype not in _JSON_TYPES:
        raise Problem("unsupported-media-type", "send the body as application/json")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, NaN, over-long integers
        raise Problem("malformed-body", "the body is not valid JSON") from None


def _pointer(path: Any) -> str:
    """RFC 6901: ``~`` and ``/`` inside a member name are escaped."""
    return "".join("/" + _escape(str(p)) for p in path)


def _no_constant(name: str) -> Any:
    # RFC 8259 has no NaN or Infinity; Python's json module would accept them.
    raise ValueError(f"{name} is not JSON")


def _text_problems(body: Any) -> list[dict[str, str]]:
    """Strings the service cannot store: NUL characters and unpaired surrogates (iteratively, any depth).

    The pointer names only the top-level member: deeper member names are the client's own words,
    which a problem document does not repeat.
    """
    found: list[dict[str, str]] = []
    stack: list[tuple[str, Any]] = (
        [("/" + _escape(str(k)), v) for k, v in body.items() if not _bad_text(str(k))]
        if isinstance(body, dict)
        else [("", body)]
    )
    if isinstance(body, dict) and len(stack) < len(body):
        found.append({"pointer": "", "message": "a member name holds a NUL or unpaired surrogate"})
    while stack and not found:
        top, node = stack.pop()
        if isinstance(node, dict):
            if any(_bad_text(str(k)) for k in node):
                found.append({"pointer": top, "message": "a member name holds a NUL or unpaired surrogate"})
            stack.extend((top, v) for v in node.values())
        elif isinstance(node, list):
            stack.extend((top, v) for v in node)
        elif isinstance(node, str) and _bad_text(node):
            found.append({"pointer": top, "message": "holds a NUL character or an unpaired surrogate"})
    return found


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def _unknown_zones(body: Any) -> list[dict[str, str]]:
    """``timezone``/``timezones`` members that name no IANA zone (the schema's pattern admits "Foo/Bar")."""
    found: list[dict[str, str]] = []
    stack: list[tuple[str, Any]] = [("", body)]
    while stack and len(found) < 20:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{pointer}/{_escape(str(key))}"
                if key == "timezone" and isinstance(value, str) and value not in known_zones():
                    found.append({"pointer": here, "message": "not an IANA time zone"})
                elif key == "timezones" and isinstance(value, list):
                    found.extend(
                        {"pointer": f"{here}/{i}", "message": "not an IANA time zone"}
                        for i, zone in enumerate(value)
                        if isinstance(zone, str) and zone not in known_zones()
                    )
                else:
                    stack.append((here, value))
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{i}", value) for i, value in enumerate(node))
    return found


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check(body: Any, schema_name: str) -> Any:
    """Validate ``body`` against a spec schema; a 422 problem lists each error by JSON pointer."""
    try:
        errors = (
            []
            if surely_valid(schema_name, body)  # a compiled validator's "valid"; jsonschema decides the rest
            else sorted(validator(schema_name).iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
        )
    except RecursionError:
        raise Problem("validation-failed", f"the body is nested too deeply for {schema_name}") from None
    if not errors:
        # Only a schema-valid body is searched: its member names are the schema's (or free-form details).
        text_errors = _text_problems(body)
        if text_errors:
            raise Problem("validation-failed", "the body holds text the service cannot store", errors=text_errors)
        zone_errors = _unknown_zones(body)
        if zone_errors:
            raise Problem("validation-failed", "unknown IANA time zone", errors=zone_errors)
    if errors:
        raise Problem(
            "validation-failed",
            f"the body does not match {schema_name}",
            errors=[
                {
                    "pointer": _pointer(err.absolute_path),
                    # The validator's message may quote the offending value, which can be personal
                    # data: name only the rule that failed.
                    "message": f"fails '{err.validator}' of the schema",
                }
                for err in errors[:20]
            ],
        )
    return body


async def body(request: Request, schema_name: str, max_bytes: int, *, allow_form: bool = False) -> tuple[bytes, Any]:
    """The raw bytes (for idempotency fingerprints) and the parsed, schema-valid body."""
    ctype = media_type(request)
    if ctype not in _JSON_TYPES and not (allow_form and ctype == _FORM):
        raise Problem("unsupported-media-type", "send the body as application/json")
    raw = await read_raw(request, max_bytes)
    return raw, check(parse(raw, ctype, allow_form=allow_form), schema_name)
