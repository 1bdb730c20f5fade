"""A populated service for the tests that sweep every operation: two tenants, two debtors each.

The authorisation matrix and the robustness sweep read the operations from spec/openapi.yaml and
need, for each one, a request naming real resources: this module builds such a world and turns an
operation into a request against the resources of one debtor (its own, another debtor's, or another
tenant's). Request bodies come from the examples of the operation's request schema, with ids
replaced, so a new operation is covered without writing anything here.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from icss.reference._operations import Operation, operations
from icss.reference._routing import implemented
from icss.spec import openapi_document, schema

BASE = "/icss/v1"
ROLES = ("collector", "debtor", "supervisor", "auditor", "admin")
#: Path parameters, and the resource of a debtor (or tenant) each one names.
PATH_RESOURCES = {
    "tenantId": "tenant_id",
    "debtorId": "debtor_id",
    "debtId": "debt_id",
    "recordingId": "recording_id",
    "requestId": "data_request_id",
    "decisionId": "decision_id",
    "complaintId": "complaint_id",
    "incidentId": "incident_id",
    "index": "evidence_index",
}
#: Body members that name a resource, and the resource they are replaced with.
BODY_RESOURCES = {
    "debtor_id": "debtor_id",
    "debt_id": "debt_id",
    "contact_point_id": "contact_point_id",
    "related_attempt_id": "attempt_id",
}


@dataclass
class Party:
    """One debtor of one tenant: its ids, its token and the personal data only it may see."""

    tag: str
    tenant_id: str
    ids: dict[str, Any]
    canaries: tuple[str, ...]
    headers: dict[str, str]

    def leaks_into(self, text: str) -> list[str]:
        """The canary values of this debtor found in ``text`` (case-insensitive)."""
        lowered = text.lower()
        return [c for c in self.canaries if c.lower() in lowered]


@dataclass
class World:
    """Tenants A and B, each with debtors 1 and 2; ``a1`` is the caller unless a test says otherwise."""

    tenants: dict[str, Any]  # "A" | "B" -> Sandbox
    parties: dict[str, Party] = field(default_factory=dict)

    @property
    def a1(self) -> Party:
        return self.parties["A1"]

    @property
    def a2(self) -> Party:
        return self.parties["A2"]

    @property
    def b1(self) -> Party:
        return self.parties["B1"]

    def headers(self, role: str, party: Party | None = None) -> dict[str, str]:
        """Tenant A's token of ``role`` (the debtor role: ``party``'s own token, default A1)."""
        if role == "debtor":
            return dict((party or self.a1).headers)
        return dict(self.tenants["A"].headers[role])


def canaries(tag: str) -> dict[str, str]:
    """Personal data no response, log or stored row may show in clear to the wrong reader."""
    digits = "".join(str(ord(c) % 10) for c in tag)
    return {
        "name": f"Zebulon Canary{tag}",
        "national_id": f"NID{tag}CANARY77",
        "phone": f"+1212555{digits}{digits}"[:12],
        "email": f"canary.{tag.lower()}@canary-mail.example",
        "street": f"77 Canary{tag} Boulevard",
        "account": f"CANARYACCT{tag}9876",
    }


def add_party(sandbox: Any, tag: str) -> Party:
    """A debtor with canary personal data, a debt, a recorded call, a complaint and a data request."""
    values = canaries(tag)
    zone = "America/New_York"
    points = [
        {"kind": "phone", "value": values["phone"], "owner": "debtor", "relationship": "self",
         "is_workplace": False, "timezone": zone, "sms_capable": True, "phone_type": "mobile"},
        {"kind": "email", "value": values["email"], "owner": "debtor", "relationship": "self",
         "is_workplace": False, "timezone": zone},
        {"kind": "address", "address": {"lines": [values["street"]], "country": "US"}, "owner": "debtor",
         "relationship": "self", "is_workplace": False, "timezone": zone},
    ]  # fmt: skip
    debtor = sandbox.debtor(
        name=values["name"], national_id=values["national_id"], contact_points=points, timezones=(zone,)
    )
    debt = sandbox.debt(debtor, account_number=values["account"])
    phone, email = debtor["contact_points"][0]["id"], debtor["contact_points"][1]["id"]
    call = sandbox.call(
        "POST",
        "/contact-attempts",
        "collector",
        json={"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "contact_point_id": phone, "channel": "call",
              "purpose": "collection", "outcome": "conversation", "recorded": True, "duration_seconds": 60},
    )  # fmt: skip
    assert call.status_code == 201, call.text
    attempt = call.json()
    assert attempt.get("recording_id"), attempt
    me = debtor["headers"]
    complaint = sandbox.call(
        "POST", "/me/complaints", headers=me, json={"category": "other", "description": "A complaint."}
    )
    assert complaint.status_code == 201, complaint.text
    request = sandbox.call("POST", "/me/data-requests", headers=me, json={"type": "erasure"})
    assert request.status_code == 201, request.text
    ids = {
        "tenant_id": sandbox.tenant_id,
        "debtor_id": debtor["id"],
        "debt_id": debt["id"],
        "contact_point_id": phone,
        "email_point_id": email,
        "attempt_id": attempt["id"],
        "decision_id": attempt["decision_id"],
        "recording_id": attempt["recording_id"],
        "complaint_id": complaint.json()["id"],
        "data_request_id": request.json()["id"],
        "evidence_index": debt["evidence_index"],
    }
    return Party(tag=tag, tenant_id=sandbox.tenant_id, ids=ids, canaries=tuple(values.values()), headers=me)


def build_world(client: Any, sandbox_factory: Callable[[Any, str, str], Any]) -> World:
    world = World(tenants={})
    for tenant in ("A", "B"):
        sandbox = sandbox_factory(client, "us", "2020-04-01T14:00:00Z")
        world.tenants[tenant] = sandbox
        incident = sandbox.call(
            "POST",
            "/incidents",
            "supervisor",
            json={"detected_at": "2020-04-01T13:00:00Z", "kind": "confidentiality", "description": "Lost laptop."},
        )
        assert incident.status_code == 201, incident.text
        for n in ("1", "2"):
            party = add_party(sandbox, tenant + n)
            party.ids["incident_id"] = incident.json()["id"]
            world.parties[tenant + n] = party
    return world


# -- operations as requests ----------------------------------------------------------------------


def all_operations() -> list[Operation]:
    return sorted(operations().values(), key=lambda op: op.operation_id)


def is_implemented(op: Operation) -> bool:
    return op.operation_id in implemented()


def spec_operation(op: Operation) -> dict[str, Any]:
    spec: dict[str, Any] = openapi_document()["paths"][op.path][op.method.lower()]
    return spec


def parameters(op: Operation) -> list[dict[str, Any]]:
    doc = openapi_document()
    refs = doc["components"]["parameters"]
    found = []
    for param in [*doc["paths"][op.path].get("parameters", []), *spec_operation(op).get("parameters", [])]:
        found.append(refs[param["$ref"].rsplit("/", 1)[-1]] if "$ref" in param else param)
    return found


def request_schema(op: Operation) -> tuple[str | None, str | None]:
    """(schema file, media type) of the operation's request body."""
    content = (spec_operation(op).get("requestBody") or {}).get("content") or {}
    for media in ("application/json", "application/merge-patch+json"):
        if media in content:
            return content[media]["schema"]["$ref"].rsplit("/", 1)[-1], media
    return None, None


def example_body(op: Operation) -> Any:
    name, _ = request_schema(op)
    if name is None:
        return None
    return copy.deepcopy(schema(name)["examples"][0])


def _substitute(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in BODY_RESOURCES and isinstance(item, str):
                out[key] = ids[BODY_RESOURCES[key]]
            elif key == "debt_ids" and isinstance(item, list):
                out[key] = [ids["debt_id"]]
            else:
                out[key] = _substitute(item, ids)
        return out
    if isinstance(value, list):
        return [_substitute(item, ids) for item in value]
    return value


def body_references(op: Operation) -> set[str]:
    """Which resources the example body names (after substitution)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in BODY_RESOURCES or key == "debt_ids":
                    found.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(example_body(op))
    return found


def path_names(op: Operation) -> list[str]:
    return [p["name"] for p in parameters(op) if p["in"] == "path"]


def names_a_resource(op: Operation, *, across_tenants: bool = False) -> bool:
    """Whether a request of this operation names a resource of some debtor (or, ``across_tenants``, tenant).

    Evidence indices are positions in the caller's own tenant log, so across tenants they name
    nothing of the other tenant and do not count.
    """
    per_tenant = {"index"} if across_tenants else set()
    if any(PATH_RESOURCES.get(name) and name not in per_tenant for name in path_names(op)):
        return True
    query = {"tenant"} if across_tenants else {"index", "tenant"}
    if any(p["in"] == "query" and p["name"] in query for p in parameters(op)):
        return True
    return bool(body_references(op))


def declared_statuses(op: Operation) -> set[str]:
    return set(spec_operation(op)["responses"])


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    json: Any
    content_type: str | None

    def send(self, client: Any, **overrides: Any) -> Any:
        kwargs: dict[str, Any] = {"params": self.params, "headers": dict(self.headers)}
        if self.json is not None:
            kwargs["json"] = self.json
            if self.content_type and self.content_type != "application/json":
                kwargs["headers"]["Content-Type"] = self.content_type
        kwargs.update(overrides)
        return client.request(self.method, self.url, **kwargs)


def build_request(op: Operation, ids: dict[str, Any], headers: dict[str, str] | None = None) -> Request:
    """A well-formed request of ``op`` naming the resources in ``ids``."""
    path = op.path
    for name in path_names(op):
        value = ids.get(PATH_RESOURCES.get(name, ""), f"unknown-{name}")
        path = path.replace("{" + name + "}", str(value))
    params: dict[str, str] = {}
    for param in parameters(op):
        if param["in"] != "query":
            continue
        name = param["name"]
        if name == "index":
            params[name] = str(ids["evidence_index"])
        elif name == "tree_size":
            params[name] = str(ids["evidence_index"] + 1)
        elif name == "tenant":
            params[name] = ids["tenant_id"]
        elif name in ("first", "second"):
            params[name] = "1"
        elif name == "from":
            params[name] = "2020-01-01T00:00:00Z"
        elif name == "to":
            params[name] = "2020-12-31T00:00:00Z"
    sent = dict(headers or {})
    if op.idempotency_key:
        sent["Idempotency-Key"] = secrets.token_hex(12)
    body = example_body(op)
    if isinstance(body, dict):
        body = _substitute(body, ids)
        body.pop("at", None)  # "now" on the tenant clock: the example's instant may lie outside the window
    _, media = request_schema(op)
    return Request(op.method, BASE + path, params, sent, body, media)


def debtor_scoped_with_debtor_role(ops: Iterable[Operation]) -> list[Operation]:
    return [op for op in ops if op.debtor_scoped and "debtor" in op.roles]


def admitted_role(op: Operation) -> str:
    """A role the operation admits, staff preferred (so that tenant, not debtor, scoping is what is tested)."""
    for role in ("supervisor", "admin", "auditor", "collector", "debtor"):
        if role in op.roles:
            return role
    raise AssertionError(f"{op.operation_id} admits no role")
