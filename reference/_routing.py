"""Operations are routed from the OpenAPI document, not declared twice.

Handlers register under their operationId with :func:`handles`. :func:`mount` walks
``spec/openapi.yaml`` and gives every operation a route at its path — its own handler, or a 501
problem document when the service does not implement it yet — so the served interface cannot drift
from the spec. The request body is checked against the schema the operation names, the principal
is authorised by the roles the operation lists, and the call is audited.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from icss.spec import SCHEMA_BASE, openapi_document, schema_registry

from . import _bodies, _driver
from ._auth import Principal, authorise, read_token
from ._context import ServiceContext, clock_now
from ._operations import Operation, operations
from ._problems import MEDIA_TYPE, Problem, problem_response
from ._tables import AuditRecord, IdempotencyRecord, Tenant
from ._throttle import rate_limited

BASE_PATH = "/icss/v1"
_log = logging.getLogger("icss.reference")
#: Length of the audit table's resource_id column (String(40)).
_AUDIT_ID_LENGTH = 40
#: idempotency_key_retention_hours: 24 in every profile of ICSS 1.0.
_IDEMPOTENCY_RETENTION = timedelta(hours=24)


@dataclass
class Call:
    """One request, as a handler sees it."""

    ctx: ServiceContext
    operation: Operation
    principal: Principal | None
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    headers: Mapping[str, str]
    session: Session
    _tenant: Tenant | None = field(default=None, repr=False)
    #: The tenant's id and clock, read without loading the ORM object (most calls need only these).
    _clock: tuple[str, datetime | None] | None = field(default=None, repr=False)

    @property
    def tenant(self) -> Tenant:
        if self._tenant is None:
            if self.principal is None:
                raise Problem("unauthenticated")
            tenant = self.session.get(Tenant, self.principal.require_tenant())
            if tenant is None:
                raise Problem("unauthenticated", "the tenant of this credential no longer exists")
            self._tenant = tenant
        return self._tenant

    def _tenant_clock(self) -> tuple[str, datetime | None]:
        if self._tenant is not None:  # loaded (and perhaps changed) by the handler: it is the truth
            return self._tenant.id, self._tenant.clock_at
        if self._clock is None:
            if self.principal is None:
                raise Problem("unauthenticated")
            tenant_id = self.principal.require_tenant()
            # Through the session (not its connection), so pending changes are flushed first.
            clock = self.session.execute(_TENANT_CLOCK, {"id": tenant_id}).first()
            if clock is None:
                raise Problem("unauthenticated", "the tenant of this credential no longer exists")
            self._clock = (tenant_id, clock[0])
        return self._clock

    @property
    def tenant_id(self) -> str:
        return self._tenant_clock()[0]

    def know_clock(self, clock_at: datetime | None) -> None:
        """The tenant's clock as a handler read it with other columns (saves reading it again)."""
        if self._tenant is None and self._clock is None and self.principal is not None:
            self._clock = (self.principal.require_tenant(), clock_at)

    @property
    def who(self) -> Principal:
        if self.principal is None:
            raise Problem("unauthenticated")
        return self.principal

    def now(self) -> datetime:
        return clock_now(self._tenant_clock()[1])


_TENANT_TABLE = Tenant.metadata.tables[Tenant.__tablename__]
#: Every authenticated call reads its tenant's clock: a Core statement, a third of an ORM get's cost.
_TENANT_CLOCK = select(_TENANT_TABLE.c.clock_at).where(_TENANT_TABLE.c.id == bindparam("id"))


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    media_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    resource_id: str | None = None


Handler = Callable[[Call], Reply]
_HANDLERS: dict[str, Handler] = {}


def handles(operation_id: str) -> Callable[[Handler], Handler]:
    """Register the handler of ``operation_id``."""

    def register(func: Handler) -> Handler:
        if operation_id in _HANDLERS:
            raise ValueError(f"two handlers for {operation_id}")
        _HANDLERS[operation_id] = func
        return func

    return register


def implemented() -> frozenset[str]:
    return frozenset(_HANDLERS)


@functools.cache
def _request_schema(operation_id: str) -> tuple[str | None, bool]:
    """The schema file of the operation's JSON body, and whether a urlencoded form is accepted too."""
    op = operations()[operation_id]
    spec_op = openapi_document()["paths"][op.path][op.method.lower()]
    content = (spec_op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json") or content.get("application/merge-patch+json")
    if not media:
        return None, False
    ref = (media.get("schema") or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None, "application/x-www-form-urlencoded" in content


@dataclass(frozen=True)
class _Parameter:
    name: str
    location: str  # "path" | "query" | "header"
    required: bool
    kind: str  # "integer" | "boolean" | "string"
    check: Validator


def _parameter_validator(param_schema: dict[str, Any]) -> Validator:
    # Parameter schemas refer to spec/schemas relative to the OpenAPI document ("schemas/x.json#...").
    def absolute(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (SCHEMA_BASE + v.removeprefix("schemas/") if k == "$ref" and isinstance(v, str) else absolute(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [absolute(v) for v in node]
        return node

    return Draft202012Validator(
        absolute(param_schema), registry=schema_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@functools.cache
def _parameters(operation_id: str) -> tuple[_Parameter, ...]:
    """The path, query and Idempotency-Key parameters the OpenAPI document declares for the operation."""
    op = operations()[operation_id]
    doc = openapi_document()
    refs = doc.get("components", {}).get("parameters", {})
    item = doc["paths"][op.path]
    found = []
    for param in [*item.get("parameters", []), *item[op.method.lower()].get("parameters", [])]:
        if "$ref" in param:
            param = refs[param["$ref"].rsplit("/", 1)[-1]]
        location, name = param["in"], param["name"]
        if location == "header" and name.lower() != "idempotency-key":
            continue  # Upgrade/Connection belong to the WebSocket handshake, not to this router
        param_schema = param.get("schema", {})
        kind = param_schema.get("type") if param_schema.get("type") in ("integer", "boolean") else "string"
        found.append(_Parameter(name, location, bool(param.get("required")), kind, _parameter_validator(param_schema)))
    return tuple(found)


def _parameter_problem(name: str, message: str) -> Problem:
    # The spec: an invalid or missing query, path or header parameter answers 400 validation-failed.
    return Problem(
        "validation-failed", f"invalid parameter {name}", status=400, errors=[{"parameter": name, "message": message}]
    )


def _check_parameters(op: Operation, request: Request) -> None:
    """Validate the parameters against their schemas (never echoing a value: it may be personal data)."""
    for param in _parameters(op.operation_id):
        if param.location == "path":
            raw: str | None = request.path_params.get(param.name)
        elif param.location == "query":
            values = request.query_params.getlist(param.name)
            if len(values) > 1:
                raise _parameter_problem(param.name, "given more than once")
            raw = values[0] if values else None
        else:
            raw = request.headers.get(param.name)
        if raw is None:
            if param.required and param.location != "header":  # a missing Idempotency-Key is _replay_or_run's
                raise _parameter_problem(param.name, "required")
            continue
        if "\x00" in raw:
            raise _parameter_problem(param.name, "contains a NUL character")
        value: Any = raw
        if param.kind == "integer":
            if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 18:
                raise _parameter_problem(param.name, "must be a whole number")
            value = int(raw)
        elif param.kind == "boolean":
            if raw not in ("true", "false"):
                raise _parameter_problem(param.name, "must be true or false")
            value = raw == "true"
        error = next(iter(param.check.iter_errors(value)), None)
        if error is not None:
            raise _parameter_problem(param.name, f"fails '{error.validator}' of its schema")


def _principal(request: Request, ctx: ServiceContext) -> Principal | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem("unauthenticated", "use the Bearer scheme")
    return read_token(token.strip(), ctx.keys.token_key)


def _throttle(ctx: ServiceContext, request: Request, principal: Principal | None) -> None:
    """One bucket per client (per address for anonymous calls): one caller cannot starve the rest."""
    if principal is not None:
        key = f"client:{principal.tenant_id}:{principal.client_id}"
    else:
        key = f"address:{request.client.host if request.client else '-'}"
    wait = ctx.throttle.take(key)
    if wait:
        raise rate_limited(wait, "too many requests from this client")


def _not_implemented(call: Call) -> Reply:
    raise Problem("not-implemented", f"{call.operation.operation_id} is not implemented by this service yet")


def _render(reply: Reply) -> Response:
    if reply.status == 204 or reply.body is None:
        return Response(status_code=reply.status, headers=dict(reply.headers))
    if reply.media_type == "application/json" or isinstance(reply.body, dict | list):
        return JSONResponse(
            reply.body, status_code=reply.status, headers=dict(reply.headers), media_type=reply.media_type
        )
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=dict(reply.headers))


def _replay_or_run(call: Call, raw: bytes, run: Callable[[], Reply]) -> Reply:
    """RFC draft Idempotency-Key: the same key and body replays; the same key, other body, is 422."""
    key = call.headers.get("idempotency-key")
    if not key and call.operation.idempotency_key_required:
        raise Problem("validation-failed", "this operation needs an Idempotency-Key header", status=400)
    if not key or not call.operation.idempotency_key or call.principal is None:
        return run()
    if call.ctx.fault("op_idempotent_replay_reruns"):  # test mode: keys are read but never remembered
        return run()
    tenant = call.principal.tenant_id or "-"
    # The request is its operation, its path (the same body may go to two debts) and its body as JSON
    # (not as bytes: a retry may be serialised with other whitespace or member order).
    canonical = json.dumps(call.body, sort_keys=True, separators=(",", ":")).encode()
    path = "/".join(f"{k}={v}" for k, v in sorted(call.params.items())).encode()
    fingerprint = hashlib.sha256(call.operation.operation_id.encode() + b"\0" + path + b"\0" + canonical).hexdigest()
    pk = (tenant, call.principal.client_id, key)
    stored = call.session.get(IdempotencyRecord, pk)
    now = datetime.now(UTC)
    if stored is not None and now - stored.created_at > _IDEMPOTENCY_RETENTION:
        call.session.delete(stored)  # past idempotency_key_retention_hours the key may be used afresh
        call.session.flush()
        stored = None
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise Problem("idempotency-key-reused", "this Idempotency-Key was used with a different request")
        saved = call.ctx.cipher.open(stored.body.decode(), tenant=pk[0], field="idempotency.reply")
        return Reply(
            stored.status,
            saved["body"],
            media_type=saved["media_type"],
            headers={**saved["headers"], "Idempotent-Replayed": "true"},
        )
    reply = run()
    # Refusals that were committed (409 contact-denied, with its decision) replay like successes.
    if reply.status < 500 and reply.media_type in ("application/json", MEDIA_TYPE):
        saved = {"body": reply.body, "media_type": reply.media_type, "headers": dict(reply.headers)}
        call.session.add(
            IdempotencyRecord(
                tenant_id=pk[0],
                client_id=pk[1],
                key=pk[2],
                request_hash=fingerprint,
                status=reply.status,
                # A reply may hold personal data in clear (a supervisor's createDebtor): sealed at rest.
                body=call.ctx.cipher.seal(saved, tenant=pk[0], field="idempotency.reply").encode(),
                created_at=now,
            )
        )
        try:
            call.session.flush()
        except IntegrityError:  # a concurrent request with the same key won the race
            raise Problem("conflict", "a request with this Idempotency-Key is in progress") from None
    return reply


def _claim_key(
    ctx: ServiceContext, op: Operation, principal: Principal | None, request: Request
) -> tuple[str, str, str] | None:
    """OP-03: mark the request's Idempotency-Key in progress, or refuse a retry of one still in progress with 409.

    Units of work with the same key would otherwise be serialised (SQLite's one writer) and the retry would
    wait and replay, or race to the unique index (PostgreSQL), having performed the action in vain. The draft
    (§2.7) wants 409 at once. The claim holds from receipt of the whole request until its reply is committed;
    the index stays the backstop between processes.
    """
    key = request.headers.get("idempotency-key")
    if not key or not op.idempotency_key or principal is None:
        return None
    claim = (principal.tenant_id or "-", principal.client_id, key)
    if claim in ctx.in_flight:
        raise Problem("conflict", "a request with this Idempotency-Key is in progress")
    ctx.in_flight.add(claim)  # no await between the test and the add: safe on the one event loop
    return claim


def _resource_id(value: str | None) -> str | None:
    """The id as the audit log keeps it: a denied request's path may hold anything, of any length."""
    if value is None:
        return None
    return value[:_AUDIT_ID_LENGTH].replace("\x00", "")


_AUDIT_TABLE = AuditRecord.metadata.tables[AuditRecord.__tablename__]


def _audit(call: Call, status: int, resource_id: str | None) -> None:
    if call.principal is None:
        return
    # A plain INSERT (every request writes one; the ORM's unit of work would only add bookkeeping).
    _driver.insert(
        call.session.connection(),
        _AUDIT_TABLE,
        [
            {
                "tenant_id": call.principal.tenant_id,
                "at": datetime.now(UTC),
                "actor": call.principal.client_id,
                "role": call.principal.role,
                "operation": call.operation.operation_id,
                # A failed call names no existing resource: the identifier sent may be anything, even personal
                # data (DS-06).
                "resource_id": _resource_id(
                    resource_id or (next(iter(call.params.values()), None) if status < 400 else None)
                ),
                "status": status,
            }
        ],
    )


def _endpoint(ctx: ServiceContext, op: Operation, handler: Handler) -> Callable[[Request], Any]:
    schema_name, allow_form = _request_schema(op.operation_id)

    async def endpoint(request: Request) -> Response:
        principal: Principal | None = None
        try:
            principal = _principal(request, ctx)
            _throttle(ctx, request, principal)
            authorise(principal, op)
            _check_parameters(op, request)
            raw = b""
            body: Any = None
            if schema_name is not None:
                raw, body = await _bodies.body(request, schema_name, ctx.settings.max_body_bytes, allow_form=allow_form)
            claim = _claim_key(ctx, op, principal, request)
            try:
                reply = await ctx.db.run_async(_work(ctx, op, handler, principal, request, body, raw))
            finally:
                if claim is not None:
                    ctx.in_flight.discard(claim)
        except Problem as problem:
            if (
                problem.kind == "validation-failed"
                and op.operation_id == "createDebt"
                and ctx.fault("invalid_body_500")
            ):
                return PlainTextResponse("Internal Server Error", 500)
            if problem.kind == "malformed-body" and ctx.fault("problem_stack_trace"):
                return PlainTextResponse(
                    f'Traceback (most recent call last):\n  File "app.py"\nValueError: {problem}', 500
                )
            # A refused or failed call is audited too (its own transaction: the handler's rolled back).
            # (Not a throttled one: under a flood, writing an audit row per refusal would feed the flood.)
            if problem.status != 429 and (principal is not None or problem.status in (401, 403)):
                await ctx.db.run_async(_denial_record(op, request, problem.status, principal))
            return problem_response(problem, request)
        except Exception as exc:  # a bug: answered here, so no traceback (which may quote values) is logged
            _log.error("unhandled %s in %s", type(exc).__name__, op.operation_id)
            return problem_response(Problem("internal-error"), request)
        return _render(reply)

    endpoint.__name__ = op.operation_id
    return endpoint


def _work(
    ctx: ServiceContext,
    op: Operation,
    handler: Handler,
    principal: Principal | None,
    request: Request,
    body: Any,
    raw: bytes,
) -> Callable[[Session], Reply]:
    """The request as a unit of work: the handler, the idempotency record and the audit row, in one transaction."""
    params = dict(request.path_params)
    query = dict(request.query_params)
    headers = {k.lower(): v for k, v in request.headers.items()}

    def work(session: Session) -> Reply:
        call = Call(
            ctx=ctx,
            operation=op,
            principal=principal,
            params=params,
            query=query,
            body=body,
            headers=headers,
            session=session,
        )
        reply = _replay_or_run(call, raw, lambda: handler(call))
        _audit(call, reply.status, reply.resource_id)
        return reply

    return work


def _denial_record(
    op: Operation, request: Request, status: int, principal: Principal | None
) -> Callable[[Session], None]:
    """Denied and failed attempts are audited too: they are what an auditor looks for."""
    record = AuditRecord(
        tenant_id=principal.tenant_id if principal else None,
        at=datetime.now(UTC),
        actor=principal.client_id if principal else "anonymous",
        role=principal.role if principal else "-",
        operation=op.operation_id,
        # A call that failed for another reason names no existing resource, and the identifier sent may
        # be anything, even personal data (DS-06): only refusals keep it, as what was attempted.
        resource_id=_resource_id(next(iter(request.path_params.values()), None)) if status in (401, 403) else None,
        status=status,
    )
    return lambda session: session.add(record)


Endpoint = Callable[[Request], Awaitable[Response]]


class _OperationRoutes(BaseRoute):
    """Every operation of the OpenAPI document behind one route, found by its path's segments.

    A route per operation made the router try each of the ~75 path patterns in turn for every
    request (a fifth of the CPU of a simple request). Here the path is split once and compared only
    with the templates of the same number of segments, in the document's order, with Starlette's
    rules: the first template whose method matches wins; a path that matches with another method
    only is a 405 (``Match.PARTIAL``), unless a later route of the application matches fully.
    """

    def __init__(self) -> None:
        # Per segment count: (segments, parameter names by position, endpoint by method), in spec order.
        self._templates: dict[int, list[tuple[tuple[str, ...], dict[int, str], dict[str, Endpoint]]]] = {}

    def add(self, path: str, method: str, endpoint: Endpoint) -> None:
        segments = tuple(path.split("/"))
        names = {i: s[1:-1] for i, s in enumerate(segments) if s.startswith("{") and s.endswith("}")}
        candidates = self._templates.setdefault(len(segments), [])
        for known, _, methods in candidates:
            if known == segments:
                methods[method] = endpoint
                return
        candidates.append((segments, names, {method: endpoint}))

    def served(self) -> list[tuple[str, str]]:
        """(method, path template) of every operation routed here."""
        return [
            (method, "/".join(segments))
            for candidates in self._templates.values()
            for segments, _, methods in candidates
            for method in methods
        ]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        root = scope.get("root_path", "")
        path: str = scope["path"]
        if root and path.startswith(root):
            path = path[len(root) :]
        segments = path.split("/")
        partial: Scope | None = None
        for known, names, methods in self._templates.get(len(segments), ()):
            params: dict[str, str] = {}
            for i, segment in enumerate(known):
                name = names.get(i)
                if name is None:
                    if segment != segments[i]:
                        break
                elif segments[i]:  # a parameter is one non-empty segment, as Starlette's default convertor
                    params[name] = segments[i]
                else:
                    break
            else:
                child: Scope = {"path_params": {**scope.get("path_params", {}), **params}}
                endpoint = methods.get(scope["method"])
                if endpoint is not None:
                    return Match.FULL, {**child, "endpoint": endpoint}
                if partial is None:
                    partial = {**child, "icss_allowed": ", ".join(methods)}
        if partial is not None:
            return Match.PARTIAL, partial
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = scope.get("endpoint")
        if endpoint is None or scope.get("icss_allowed"):
            raise HTTPException(status_code=405, headers={"Allow": scope.get("icss_allowed", "")})
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


def mount(app: FastAPI, ctx: ServiceContext) -> None:
    """Give every operation of spec/openapi.yaml its route under ``/icss/v1``."""
    routes = _OperationRoutes()
    for op in operations().values():
        handler = _HANDLERS.get(op.operation_id, _not_implemented)
        routes.add(BASE_PATH + op.path, op.method, _endpoint(ctx, op, handler))
    app.router.routes.append(routes)


def tenant_scoped(session: Session, model: type[Any], tenant_id: str, resource_id: str) -> Any:
    """Fetch a row of this tenant or raise 404 — never reveal that another tenant's id exists."""
    row = session.get(model, resource_id)
    if row is None or getattr(row, "tenant_id", None) != tenant_id:
        raise Problem("not-found")
    return row


def first(session: Session, statement: Any) -> Any:
    return session.execute(statement).scalars().first()


__all__ = ["BASE_PATH", "Call", "Reply", "first", "handles", "implemented", "mount", "select", "tenant_scoped"]
