"""Mutants of the OP area (interface, errors, versioning)."""

from __future__ import annotations

import json
import re
from typing import Any

from . import mutant
from ._rewrite import rewrite_responses

mutant(
    "problem_stack_trace",
    {"OP-02"},
    faults={"problem_stack_trace"},
    note="malformed JSON answers 500 with a stack trace",
)


def _wrong_spec_version(_scope: dict[str, Any], body: bytes, _media: str) -> bytes:
    """ICSS 2.0.0 under the /icss/v1 base path (and against getCapabilities' 1.0.0)."""
    return json.dumps({**json.loads(body), "spec_version": "2.0.0"}).encode()


mutant(
    "version_wrong_edition",
    {"OP-04"},
    wrap=rewrite_responses(r"/icss/v1/version", _wrong_spec_version),
    note="getVersion reports ICSS 2.0.0 under /icss/v1",
)


def _unhealthy(_scope: dict[str, Any], _body: bytes, _media: str) -> bytes:
    return json.dumps({"status": "healthy"}).encode()  # not in the enum, and "checked_at" is missing


def _other_profiles(_scope: dict[str, Any], body: bytes, _media: str) -> bytes:
    doc = json.loads(body)
    return json.dumps({**doc, "profiles": [p for p in doc.get("profiles", []) if p != "us"]}).encode()


mutant(
    "op_health_off_schema",
    {"OP-01"},
    wrap=rewrite_responses(r"/icss/v1/health", _unhealthy),
    note="getHealth answers a body that does not match health.schema.json",
)
mutant(
    "op_idempotent_replay_reruns",
    {"OP-03"},
    level=2,
    only={"OP-01", "OP-02", "OP-03", "OP-04", "OP-06", "OP-07"},
    faults={"op_idempotent_replay_reruns"},
    note="Idempotency-Key is ignored: a replay is performed again",
)
mutant(
    "op_profile_not_declared",
    {"OP-05"},
    wrap=rewrite_responses(r"/icss/v1/capabilities", _other_profiles),
    note="getCapabilities does not list the us profile",
)
mutant(
    "op_clock_rewind_allowed",
    {"OP-06"},
    faults={"op_clock_rewind_allowed"},
    note="the sandbox test clock can be moved backwards",
)
mutant(
    "op_cursor_skips_item",
    {"OP-07"},
    level=2,
    only={"OP-01", "OP-02", "OP-03", "OP-04", "OP-06", "OP-07"},
    faults={"op_cursor_skips_item"},
    note="following next_cursor skips an item",
)

mutant(
    "invalid_body_500",
    {"OP-02"},
    faults={"invalid_body_500"},
    note="a createDebt body that violates its schema answers 500 (found by the schemathesis-generated requests)",
)

mutant(
    "op_slow_decisions",
    {"OP-08"},
    level=3,
    only={"OP-08"},
    faults={"op_slow_decisions"},
    note="one checkContact in ten takes 600 ms, so the p95 exceeds decision_latency_p95_ms",
)

# Level-3 indicators: the reference claims level 1, so these run at level 3 on the indicators concerned.
_INTEROP = {"OP-09", "OP-10", "OP-11"}
mutant(
    "op_claims_verification_leaks",
    {"OP-09"},
    level=3,
    only=_INTEROP,
    faults={"op_claims_verification_leaks"},
    note="verifyClaims returns the registered holder and debtor hash beside the match flags",
)
mutant(
    "op_write_off_termination_ignored",
    {"OP-10"},
    level=3,
    only=_INTEROP,
    faults={"op_write_off_termination_ignored"},
    note="a 04 (完全终结) write-off does not stop collection contact",
)
mutant(
    "op_mediation_consent_ignored",
    {"OP-11"},
    level=3,
    only=_INTEROP,
    faults={"op_mediation_consent_ignored"},
    note="a case goes to mediation without the debtor's agreement",
)


# -- mutants only the schemathesis-generated requests find (conformance/_fuzz.py) ----------------------


def _category_without_severity(_scope: dict[str, Any], body: bytes, _media: str) -> bytes:
    doc = json.loads(body)
    first = {k: v for k, v in doc["categories"][0].items() if k != "default_severity"}
    return json.dumps({**doc, "categories": [first, *doc["categories"][1:]]}).encode()


mutant(
    "op_categories_off_schema",
    {"OP-01"},
    wrap=rewrite_responses(r"/icss/v1/script-checks/categories", _category_without_severity),
    note="listScriptCategories, which no hand-written check reads, omits a required member (found by schemathesis)",
)


def _long_incident_id_crashes(app: Any) -> Any:
    """getIncident answers 500 in plain text to an id longer than the document allows (maxLength)."""
    pattern = re.compile(r"/icss/v1/incidents/[^/]{129,}")

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and pattern.fullmatch(scope["path"]):
            await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Internal Server Error"})
            return
        await app(scope, receive, send)

    return wrapped


mutant(
    "op_long_id_500",
    {"OP-02"},
    wrap=_long_incident_id_crashes,
    note="getIncident answers 500 to an over-long incident id (found by schemathesis, not by the fixed cases)",
)
