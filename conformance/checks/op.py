"""Operations and interoperability (OP): the interface itself — versioning, capabilities, the
sandbox, errors as RFC 9457 problem documents, and conformance of responses to the OpenAPI
document."""

from __future__ import annotations

import re

from .._context import CheckContext
from .._registry import check
from ._support import problem_document, validate_against

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


@check("OP-04", sandbox=False)
def version_declared(ctx: CheckContext) -> None:
    """getVersion answers under /icss/v1 with the service version and the ICSS version it implements."""
    body = ctx.expect(ctx.request("GET", "/version", None), 200, what="getVersion")
    validate_against(ctx, body, "version")
    ctx.require(bool(_SEMVER.match(str(body.get("spec_version", "")))), "spec_version is not a semantic version")
    ctx.require(body.get("api_version") == "v1", "api_version is not v1 under the /icss/v1 base path")


@check("OP-05", sandbox=False)
def capabilities_declared(ctx: CheckContext) -> None:
    """getCapabilities declares levels, profiles and features; the claimed profile is among them."""
    body = ctx.expect(ctx.request("GET", "/capabilities", None), 200, what="getCapabilities")
    validate_against(ctx, body, "capabilities")
    ctx.require(
        ctx.profile.id in body.get("profiles", []),
        f"the target does not declare the profile {ctx.profile.id!r} it is being certified for",
    )
    ctx.require(
        ctx.level in body.get("levels", []) or max(body.get("levels", [0])) >= ctx.level,
        f"the target does not claim level {ctx.level}",
    )


@check("OP-06")
def sandbox_clock_and_outbox(ctx: CheckContext) -> None:
    """The sandbox clock can be set and advanced but never rewound, and the outbox lists what was sent."""
    clock = ctx.expect(ctx.request("GET", "/sandbox/clock", "admin"), 200, what="getTestClock")
    validate_against(ctx, clock, "clock")
    ctx.set_clock("2026-03-05T09:00:00Z")
    ctx.advance_clock("PT2H")
    now = ctx.expect(ctx.request("GET", "/sandbox/clock", "admin"), 200)
    ctx.require(
        now["now"].startswith("2026-03-05T11:00:00"),
        f"after setting 09:00Z and advancing 2 h the clock reads {now['now']}",
    )
    rewind = ctx.request("PUT", "/sandbox/clock", "admin", json={"now": "2026-03-01T00:00:00Z"})
    ctx.require(rewind.status_code == 409, f"rewinding the test clock answered {rewind.status_code}, not 409")
    problem_document(ctx, rewind)
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    ctx.set_clock("2026-03-05T14:00:00Z")  # working hours in every profile's default zone
    point = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "email")
    sent = ctx.request(
        "POST",
        "/contact-attempts",
        json={
            "debtor_id": debtor["id"],
            "debt_ids": [debt["id"]],
            "contact_point_id": point,
            "channel": "email",
            "purpose": "collection",
            "content": "Your statement is available.",
        },
    )
    ctx.expect(sent, 201, what="an e-mail at an allowed time")
    messages = ctx.outbox(debtor_id=debtor["id"])
    ctx.require(
        any(m.get("channel") == "email" for m in messages), "the e-mail that was sent is missing from the outbox"
    )
    for message in messages:
        validate_against(ctx, message, "outbox-message")


@check("OP-02")
def malformed_input_gets_problem_documents(ctx: CheckContext) -> None:
    """Malformed, mistyped and oversized requests get a 4xx RFC 9457 problem document, never a 5xx."""
    cases = [
        ("POST", "/debtors", b"{not json", "application/json"),
        ("POST", "/debtors", b'{"name": 42}', "application/json"),
        ("POST", "/debtors", b"name=x", "text/plain"),
        ("POST", "/contact-decisions", b"[]", "application/json"),
        ("POST", "/contact-decisions", b'{"debtor_id": "", "debt_ids": "x"}', "application/json"),
        ("PUT", "/sandbox/clock", b'{"now": "yesterday"}', "application/json"),
        ("GET", "/debtors/%00%ff", None, None),
        ("GET", "/debts/unknown-debt-id", None, None),
    ]
    for method, path, content, media in cases:
        headers = {"Content-Type": media} if media else {}
        response = ctx.request(
            method, path, "admin" if "clock" in path else "collector", content=content, headers=headers
        )
        ctx.require(
            400 <= response.status_code < 500,
            f"{method} {path} with a malformed request answered {response.status_code}, not a 4xx",
        )
        problem_document(ctx, response)
    unauthenticated = ctx.request("GET", "/debtors", None)
    ctx.require(
        unauthenticated.status_code == 401, f"a request without credentials answered {unauthenticated.status_code}"
    )
    problem_document(ctx, unauthenticated)
