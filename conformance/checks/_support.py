"""Helpers shared by the checks: schema validation of bodies and problem documents.

Schema validation is the harness' largest CPU cost of its own after the HTTP exchanges (a run
validates several hundred bodies, most against problem.schema.json). :func:`schema_errors` asks the
compiled validator first (``icss.spec.surely_valid``) and leaves the verdict and the message of every
body it rejects to ``jsonschema``, the validator the standard is written against.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from jsonschema.exceptions import ValidationError

from icss.spec import surely_valid, validator

from .._context import CheckContext

PROBLEM_MEDIA = "application/problem+json"


def schema_errors(schema_name: str, body: Any) -> list[ValidationError]:
    """The ``jsonschema`` errors of ``body`` against spec/schemas/<schema_name>.schema.json, by instance path."""
    if surely_valid(schema_name, body):
        return []
    return sorted(validator(schema_name).iter_errors(body), key=lambda e: list(e.absolute_path))


def validate_against(ctx: CheckContext, body: Any, schema_name: str) -> None:
    """Fail the check when ``body`` does not validate against spec/schemas/<schema_name>.schema.json."""
    errors = schema_errors(schema_name, body)
    if errors:
        where = "/".join(map(str, errors[0].absolute_path)) or "(root)"
        ctx.fail(f"the body does not match {schema_name}.schema.json at {where}: {errors[0].message[:200]}")


def problem_document(ctx: CheckContext, response: httpx.Response) -> dict[str, Any]:
    """The RFC 9457 problem document of an error response, or a failed check."""
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media != PROBLEM_MEDIA:  # the message names the request, built only when it is needed (see Target._lean)
        ctx.fail(
            f"{response.request.url.path} answered {response.status_code} with {media or 'no media type'}, "
            f"not {PROBLEM_MEDIA}"
        )
    try:
        body = response.json()
    except ValueError:
        ctx.fail(f"{response.request.url.path}: the problem document is not JSON")
        raise AssertionError("unreachable") from None
    validate_against(ctx, body, "problem")
    ctx.require(
        body.get("status") in (None, response.status_code),
        f"the problem document says status {body.get('status')} but the response is {response.status_code}",
    )
    text = response.text
    ctx.require("Traceback" not in text and 'File "' not in text, "the error response carries a stack trace")
    for canary in ctx.canaries:
        ctx.require(canary not in text, "the error response echoes personal data of the request")
    return dict(body)


def parse_ts(value: Any) -> datetime:
    """An RFC 3339 timestamp from a response (``Z`` or an offset) as an aware datetime."""
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def utc_iso(instant: datetime) -> str:
    """An aware datetime as the RFC 3339 UTC text the interface takes (``…Z``)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def contact_body(
    debtor: dict[str, Any], debt: dict[str, Any], *, channel: str = "call", purpose: str = "collection", **extra: Any
) -> dict[str, Any]:
    """A checkContact / createContactAttempt body for the debtor's phone about one debt (the usual probe)."""
    return {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "contact_point_id": debtor["phone_point"],
        "channel": channel,
        "purpose": purpose,
        **extra,
    }
