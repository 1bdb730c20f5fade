"""Sanity tests of the ICSS interface: spec/openapi.yaml and the JSON Schemas in spec/schemas.

The OpenAPI document is the contract every vendor implements, so these tests keep it
internally consistent: it validates as OpenAPI 3.1, every $ref resolves, every schema is a
valid 2020-12 schema whose examples validate, the fixed list of operations is present, and the
cross-cutting design rules (security, problem+json errors, Idempotency-Key, no inline body
schemas) hold for every operation. No network access is needed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).parents[2] / "spec"
OPENAPI = SPEC / "openapi.yaml"
SCHEMAS = SPEC / "schemas"
SCHEMA_BASE = "https://icss.example.org/spec/schemas/"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# The fixed operation list of plan/operations.md (operationId -> (method, path under /icss/v1)).
OPERATIONS: dict[str, tuple[str, str]] = {
    "issueToken": ("post", "/auth/token"),
    "createSandboxTenant": ("post", "/sandbox/tenants"),
    "deleteSandboxTenant": ("delete", "/sandbox/tenants/{tenantId}"),
    "getTestClock": ("get", "/sandbox/clock"),
    "setTestClock": ("put", "/sandbox/clock"),
    "advanceTestClock": ("post", "/sandbox/clock/advance"),
    "listOutbox": ("get", "/sandbox/outbox"),
    "createDebtor": ("post", "/debtors"),
    "listDebtors": ("get", "/debtors"),
    "getDebtor": ("get", "/debtors/{debtorId}"),
    "updateDebtor": ("patch", "/debtors/{debtorId}"),
    "createDebt": ("post", "/debts"),
    "listDebts": ("get", "/debts"),
    "getDebt": ("get", "/debts/{debtId}"),
    "getValidationNotice": ("get", "/debts/{debtId}/validation-notice"),
    "addDebtCharge": ("post", "/debts/{debtId}/charges"),
    "recordEvent": ("post", "/debtors/{debtorId}/events"),
    "listEvents": ("get", "/debtors/{debtorId}/events"),
    "checkContact": ("post", "/contact-decisions"),
    "createContactAttempt": ("post", "/contact-attempts"),
    "listContactAttempts": ("get", "/contact-attempts"),
    "getContactAttempt": ("get", "/contact-attempts/{attemptId}"),
    "getCallFrequency": ("get", "/debts/{debtId}/call-frequency"),
    "getRecording": ("get", "/recordings/{recordingId}"),
    "deleteRecording": ("delete", "/recordings/{recordingId}"),
    "checkUtterance": ("post", "/script-checks"),
    "checkUtteranceBatch": ("post", "/script-checks/batch"),
    "checkConversation": ("post", "/script-checks/conversation"),
    "streamScriptChecks": ("get", "/script-checks/stream"),
    "listScriptCategories": ("get", "/script-checks/categories"),
    "getMyRecord": ("get", "/me/record"),
    "exportMyData": ("get", "/me/export"),
    "createDispute": ("post", "/me/disputes"),
    "listMyDisputes": ("get", "/me/disputes"),
    "createComplaint": ("post", "/me/complaints"),
    "listMyComplaints": ("get", "/me/complaints"),
    "getPreferences": ("get", "/me/preferences"),
    "updatePreferences": ("put", "/me/preferences"),
    "createDataRequest": ("post", "/me/data-requests"),
    "getDataRequest": ("get", "/me/data-requests/{requestId}"),
    "requestExplanation": ("post", "/decisions/{decisionId}/explanation-requests"),
    "requestHumanReview": ("post", "/decisions/{decisionId}/human-review-requests"),
    "listComplaints": ("get", "/complaints"),
    "respondToComplaint": ("post", "/complaints/{complaintId}/responses"),
    "resolveDataRequest": ("post", "/data-requests/{requestId}/resolution"),
    "getEvidencePublicKey": ("get", "/evidence/public-key"),
    "getCheckpoint": ("get", "/evidence/checkpoint"),
    "getEvidenceEntry": ("get", "/evidence/entries/{index}"),
    "getInclusionProof": ("get", "/evidence/proofs/inclusion"),
    "getConsistencyProof": ("get", "/evidence/proofs/consistency"),
    "getReceipt": ("get", "/evidence/receipts/{index}"),
    "assessRepaymentCapacity": ("post", "/assessments/repayment-capacity"),
    "diagnoseDebtStress": ("post", "/assessments/debt-stress"),
    "proposeRepaymentPlan": ("post", "/repayment-plans/proposals"),
    "getDecision": ("get", "/decisions/{decisionId}"),
    "recordHumanReviewOutcome": ("post", "/decisions/{decisionId}/human-review-outcomes"),
    "listModels": ("get", "/models"),
    "getModelCard": ("get", "/models/{modelId}/card"),
    "createMediationCase": ("post", "/mediation-cases"),
    "getMediationCase": ("get", "/mediation-cases/{caseId}"),
    "registerClaim": ("post", "/claims"),
    "verifyClaims": ("post", "/claims/verifications"),
    "requestWriteOff": ("post", "/write-offs"),
    "requestWriteOffBatch": ("post", "/write-offs/batch"),
    "getWriteOff": ("get", "/write-offs/{writeOffId}"),
    "getAuditLog": ("get", "/audit/events"),
    "getComplaintStats": ("get", "/stats/complaints"),
    "getContactStats": ("get", "/stats/contacts"),
    "reportIncident": ("post", "/incidents"),
    "getIncident": ("get", "/incidents/{incidentId}"),
    "recordIncidentNotification": ("post", "/incidents/{incidentId}/notifications"),
    "getHealth": ("get", "/health"),
    "getVersion": ("get", "/version"),
    "getCapabilities": ("get", "/capabilities"),
}
PUBLIC = {
    "issueToken",
    "listScriptCategories",
    "getEvidencePublicKey",
    "getCheckpoint",
    "getConsistencyProof",
    "listModels",
    "getModelCard",
    "getHealth",
    "getVersion",
    "getCapabilities",
}
# POSTs that only query: Idempotency-Key accepted but optional. issueToken takes none.
QUERY_LIKE_POSTS = {"checkContact", "checkUtterance", "checkUtteranceBatch", "checkConversation", "verifyClaims"}
ROLES = {"collector", "debtor", "supervisor", "auditor", "admin"}
TAGS = {
    "auth",
    "sandbox",
    "parties",
    "events",
    "contact",
    "scripts",
    "self-service",
    "complaints",
    "evidence",
    "intelligence",
    "interop",
    "operations",
}
PROBLEM_KINDS = {
    "method-not-allowed",
    "internal-error",
    "unauthenticated",
    "forbidden",
    "not-found",
    "validation-failed",
    "malformed-body",
    "unsupported-media-type",
    "contact-denied",
    "conflict",
    "idempotency-key-reused",
    "retention-hold",
    "unauthorized-charge",
    "not-implemented",
    "rate-limited",
    "sandbox-disabled",
    "payload-too-large",
}


@cache
def openapi() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


@cache
def schema_docs() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.schema.json"))}


@cache
def registry() -> Registry:
    return Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)) for doc in schema_docs().values()
    )


@cache
def interface_schemas() -> frozenset[str]:
    """Schema file names reachable from openapi.yaml through $ref (transitively)."""
    todo = [urldefrag(ref)[0].removeprefix("schemas/") for _, ref in walk_refs(openapi()) if ref.startswith("schemas/")]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [urldefrag(ref)[0] for _, ref in walk_refs(schema_docs()[name]) if urldefrag(ref)[0]]
    return frozenset(seen)


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in openapi()["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def walk_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield pointer, value
            else:
                yield from walk_refs(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_refs(value, f"{pointer}/{i}")


def resolve_pointer(doc: Any, fragment: str) -> Any:
    node = doc
    if not fragment:
        return node
    assert fragment.startswith("/"), f"only JSON-pointer fragments are used: {fragment!r}"
    for part in fragment[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def deref(node: dict[str, Any]) -> dict[str, Any]:
    """Follow local #/components refs of the OpenAPI document."""
    while "$ref" in node and node["$ref"].startswith("#/"):
        node = resolve_pointer(openapi(), node["$ref"][1:])
    return node


def schema_id(name: str) -> str:
    return SCHEMA_BASE + name


# ------------------------------------------------------------------ OpenAPI document


def test_openapi_document_validates() -> None:
    validate_openapi(openapi(), base_uri=OPENAPI.as_uri())


def test_info_servers_and_tags() -> None:
    doc = openapi()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["version"] == "1.0.0"
    assert doc["info"]["x-icss-spec-version"] == "1.0.0"
    assert [s["url"] for s in doc["servers"]] == ["/icss/v1"]
    assert {t["name"] for t in doc["tags"]} == TAGS
    assert all(t.get("description") for t in doc["tags"])
    used = {tag for _, _, op in operations() for tag in op.get("tags", [])}
    assert used <= TAGS


def test_problem_types_are_listed() -> None:
    listed = {p["kind"]: p for p in openapi()["x-icss-problem-types"]}
    assert set(listed) == PROBLEM_KINDS
    for kind, entry in listed.items():
        assert entry["type"] == f"https://icss.example.org/problems/{kind}"
        assert entry["description"]
    problem = schema_docs()["problem.schema.json"]
    assert set(problem["properties"]["type"]["enum"]) >= {p["type"] for p in listed.values()}


def test_security_schemes() -> None:
    schemes = openapi()["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == "/icss/v1/auth/token"


def test_every_listed_operation_exists_exactly_once() -> None:
    found: dict[str, list[tuple[str, str]]] = {}
    for path, method, op in operations():
        found.setdefault(op["operationId"], []).append((method, path))
    assert set(found) == set(OPERATIONS), set(found) ^ set(OPERATIONS)
    for op_id, where in found.items():
        assert where == [OPERATIONS[op_id]], op_id


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_security_and_roles(op_id: str) -> None:
    op = next(op for _, _, op in operations() if op["operationId"] == op_id)
    if op_id in PUBLIC:
        assert op["security"] == []
        assert "x-icss-roles" not in op
        return
    assert op["security"], op_id
    roles = op["x-icss-roles"]
    assert roles, op_id
    assert set(roles) <= ROLES, op_id
    assert op.get("x-icss-debtor-scoped", False) == ("debtor" in roles), op_id


def test_error_responses_are_problem_json() -> None:
    for path, method, op in operations():
        for code, response in op["responses"].items():
            if code == "default" or code[0] in "45":
                content = deref(response)["content"]
                assert set(content) == {"application/problem+json"}, (method, path, code)
                assert content["application/problem+json"]["schema"] == {"$ref": "schemas/problem.schema.json"}


def test_idempotency_key_on_post() -> None:
    for path, method, op in operations():
        if method != "post" or op["operationId"] == "issueToken":
            continue
        keys = [deref(p) for p in op.get("parameters", []) if deref(p).get("name") == "Idempotency-Key"]
        assert len(keys) == 1, (method, path)
        assert keys[0]["in"] == "header"
        assert keys[0]["required"] is (op["operationId"] not in QUERY_LIKE_POSTS), op["operationId"]


def test_list_operations_are_paginated() -> None:
    for _, _, op in operations():
        if not op["operationId"].startswith("list") or op["operationId"] == "listScriptCategories":
            continue
        names = {deref(p)["name"] for p in op.get("parameters", [])}
        assert {"cursor", "limit"} <= names, op["operationId"]
        ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schema_docs()[ref.removeprefix("schemas/")]
        assert page["$ref"] == "common.schema.json#/$defs/page", ref


def test_bodies_are_refs_to_schema_files() -> None:
    bodies: list[tuple[str, Any]] = []
    for _, _, op in operations():
        if "requestBody" in op:
            content = op["requestBody"]["content"]
            bodies += [(f"{op['operationId']} request {m}", c["schema"]) for m, c in content.items()]
        for code, response in op["responses"].items():
            for m, c in deref(response).get("content", {}).items():
                bodies.append((f"{op['operationId']} {code} {m}", c["schema"]))
    for name, response in openapi()["components"]["responses"].items():
        bodies += [(f"components {name} {m}", c["schema"]) for m, c in response.get("content", {}).items()]
    for where, schema in bodies:
        assert set(schema) == {"$ref"}, where
        assert re.fullmatch(r"schemas/[a-z0-9-]+\.schema\.json", schema["$ref"]), where


def test_websocket_operation() -> None:
    op = openapi()["paths"]["/script-checks/stream"]["get"]
    assert "101" in op["responses"]
    ws = op["x-icss-websocket"]
    assert ws["client_message"] == {"$ref": "schemas/script-check-request.schema.json"}
    assert ws["server_message"] == {"$ref": "schemas/script-check-result.schema.json"}


def test_checkpoint_offers_signed_note_text() -> None:
    content = openapi()["paths"]["/evidence/checkpoint"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/plain"}


# ------------------------------------------------------------------ references


def test_openapi_refs_resolve() -> None:
    for pointer, ref in walk_refs(openapi()):
        target, fragment = urldefrag(ref)
        if not target:
            resolve_pointer(openapi(), fragment)
            continue
        assert target.startswith("schemas/"), (pointer, ref)
        doc = schema_docs()[target.removeprefix("schemas/")]
        resolve_pointer(doc, fragment)


@pytest.mark.parametrize("name", sorted(schema_docs()))
def test_schema_refs_resolve(name: str) -> None:
    resolver = registry().resolver(base_uri=schema_id(name))
    for _, ref in walk_refs(schema_docs()[name]):
        resolver.lookup(ref)  # raises on an unresolvable reference


# ------------------------------------------------------------------ schema files


@pytest.mark.parametrize("name", sorted(schema_docs()))
def test_schema_is_valid_2020_12(name: str) -> None:
    doc = schema_docs()[name]
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == schema_id(name)
    Draft202012Validator.check_schema(doc, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("name", sorted(interface_schemas()))
def test_interface_schema_metadata(name: str) -> None:
    """Schemas of the interface (reachable from openapi.yaml) carry title, description and examples."""
    doc = schema_docs()[name]
    assert doc.get("title"), name
    assert doc.get("description"), name
    assert doc.get("examples"), f"{name} needs at least one example"


@pytest.mark.parametrize("name", sorted(schema_docs()))
def test_schema_examples_validate(name: str) -> None:
    doc = schema_docs()[name]
    validator = Draft202012Validator(doc, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    for i, example in enumerate(doc.get("examples", [])):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(example)]
        assert not errors, f"{name} example {i}: {errors}"


def test_common_definitions() -> None:
    defs = schema_docs()["common.schema.json"]["$defs"]
    for required in (
        "timestamp",
        "date",
        "amount",
        "currency",
        "id",
        "page",
        "bilingual_text",
        "timezone",
        "reason_code",
        "script_category",
        "severity",
        "channel",
        "call_outcome",
        "purpose",
        "event_type",
        "event_source",
    ):
        assert required in defs, required
    ts = Draft202012Validator(defs["timestamp"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert ts.is_valid("2020-04-08T10:59:00-04:00")
    assert ts.is_valid("2020-04-08T14:59:00Z")
    assert not ts.is_valid("2020-04-08T10:59:00")
    amount = Draft202012Validator(defs["amount"])
    assert amount.is_valid("1250.00")
    assert amount.is_valid("-3.5")
    assert not amount.is_valid("1e3")
    reasons = set(defs["reason_code"]["enum"])
    assert reasons == set(defs["allow_reason_code"]["enum"]) | set(defs["deny_reason_code"]["enum"])
    assert not set(defs["allow_reason_code"]["enum"]) & set(defs["deny_reason_code"]["enum"])


def test_pii_properties_are_marked() -> None:
    """Properties that obviously hold personal data carry x-icss-pii (directly or via their $ref)."""
    pii_names = {"name", "national_id", "date_of_birth", "account_number", "attorney_name", "owner_name", "value"}
    owners = {
        "debtor-input.schema.json",
        "debtor.schema.json",
        "debtor-patch.schema.json",
        "debt-input.schema.json",
        "debt.schema.json",
        "contact-point.schema.json",
        "event-input.schema.json",
    }

    def marked(prop: dict[str, Any]) -> bool:
        return prop.get("x-icss-pii") is True

    for name in owners:
        for pointer, node in _properties(schema_docs()[name]):
            for prop_name, prop in node.items():
                if prop_name in pii_names and not (name.startswith("debt") and prop_name == "name"):
                    assert marked(prop), f"{name}{pointer}/{prop_name}"


def _properties(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield pointer, node["properties"]
        for key, value in node.items():
            yield from _properties(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{pointer}/{i}")
