"""Script compliance checks (SC-01..SC-13): checkUtterance, checkUtteranceBatch, checkConversation,
listScriptCategories, and the streamScriptChecks WebSocket.

The checking itself lives in :mod:`icss.reference.scripts`; these handlers add what the service
owes around it: results in the script-check-result shape, an evidence entry for every verdict, and —
on the live stream — a supervisor alert in the outbox for every blocking violation in a collector's or
AI agent's utterance (SC-13).

The routing module mounts HTTP operations only; :func:`install_stream` adds the WebSocket route and
is called by the application factory.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketState

from icss.spec import validator

from .. import _evidence
from .._auth import Principal, authorise, read_token
from .._context import ServiceContext, tenant_now
from .._faults import KNOWN_FAULTS
from .._operations import operations
from .._problems import Problem
from .._routing import BASE_PATH, Call, Reply, handles
from .._tables import OutboxMessage, Tenant
from ..scripts import (
    CATEGORIES,
    RULESET_VERSION,
    Context,
    ContextError,
    Outcome,
    Violation,
    default_checker,
    severity_of,
)
from ..scripts._corpus import utterances
from ._common import iso, new_id

STREAM_PATH = BASE_PATH + "/script-checks/stream"
SUBPROTOCOL = "icss.script-check.v1"
JUDGED = ("collector", "ai_agent")


def _context(call_context: Mapping[str, Any] | None, default_profile: str) -> Context:
    try:
        return Context.from_json(call_context, default_profile)
    except ContextError as exc:  # valid against the schema, but it contradicts itself
        raise Problem("validation-failed", str(exc)) from exc


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _result(
    out: Outcome, now: datetime, *, client_ref: str | None, evidence_index: int | None, turn: int | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "check_id": new_id("sc"),
        "language": out.language,
        "verdict": out.verdict,
        "violations": [v.as_dict() | ({"turn_index": turn} if turn is not None else {}) for v in out.violations],
        "checked_at": iso(now),
        "ruleset_version": RULESET_VERSION,
        "evidence_index": evidence_index,
    }
    if client_ref is not None:
        doc["client_ref"] = client_ref
    return doc


def _evidence_payload(body: Mapping[str, Any], out: Outcome, check_id: str | None = None) -> dict[str, Any]:
    """What the log keeps of a check: categories, indicators, rules, a hash of the words — never the words."""
    return {
        "check_id": check_id,
        "conversation_id": body.get("conversation_id"),
        "speaker_role": body.get("speaker_role"),
        "verdict": out.verdict,
        "categories": sorted({v.category for v in out.violations}),
        "indicators": sorted({v.indicator for v in out.violations}),
        "rules": sorted({v.rule for v in out.violations}),
        "text_sha256": _sha256(str(body.get("text", ""))),
        "ruleset_version": RULESET_VERSION,
    }


def _check_one(body: Mapping[str, Any], profile: str, call: Call | None = None) -> Outcome:
    stated = body.get("context")
    if call is not None and stated and call.ctx.fault("sc_context_contradiction_accepted"):
        stated = {k: v for k, v in stated.items() if k != "listener_is_debtor"}  # the listener alone decides
    context = _context(stated, profile)
    if call is not None and call.ctx.fault("sc_listener_ignored"):
        context = dataclasses.replace(context, listener=None)  # every listener but the debtor is a third party
    out = default_checker().check(
        body["text"], speaker_role=body["speaker_role"], language=body.get("language", "auto"), context=context
    )
    if call is not None and call.ctx.settings.test_mode:
        out = _planted(out, body, context, call)
    return out


def _check_item(n: int, item: Mapping[str, Any], profile: str, call: Call) -> Outcome:
    """One item of a batch; a refused item names its place, so a client can find it among a hundred."""
    try:
        return _check_one(item, profile, call)
    except Problem as problem:
        raise Problem(problem.kind, f"items[{n}]: {problem.detail or problem.title}", **problem.extra) from problem


def _planted(out: Outcome, body: Mapping[str, Any], context: Context, call: Call) -> Outcome:
    """The outcome under the test-mode switches of reference/_faults.py (the SC-01..SC-11 mutants)."""
    if call.ctx.fault("sc_oracle"):
        labels = _oracle().get((body["text"], body["speaker_role"], context))
        if labels is not None:
            out = Outcome(out.language, tuple(_violation(c, s, body["text"], "oracle") for c, s in labels))
    dropped = {v.category for v in out.violations if _switch(call, f"sc_{v.category}_undetected")}
    added = {c for c in CATEGORIES if _switch(call, f"sc_{c}_overflagged")} - {v.category for v in out.violations}
    if dropped or added:
        kept = tuple(v for v in out.violations if v.category not in dropped)
        planted = tuple(_violation(c, severity_of(c), body["text"], "overflagged") for c in sorted(added))
        out = Outcome(out.language, kept + planted)
    return out


def _switch(call: Call, name: str) -> bool:
    return name in KNOWN_FAULTS and call.ctx.fault(name)


def _violation(category: str, severity: str, text: str, rule: str) -> Violation:
    return Violation(
        category, severity, (0, len(text)), f"test-mode.{rule}", CATEGORIES[category].indicator, f"{rule}: {category}"
    )


@functools.cache
def _oracle() -> dict[tuple[str, str, Context], tuple[tuple[str, str], ...]]:
    """The corpus's test items by words, speaker and context: their labelled categories and severities."""
    return {
        (item["text"], item["speaker_role"], Context.from_json(item["context"])): tuple(
            (label["category"], label["severity"]) for label in item["labels"]
        )
        for item in utterances("test")
    }


@handles("listScriptCategories")
def list_categories(call: Call) -> Reply:
    return Reply(
        200,
        {
            "categories": [
                {
                    "category": c.id,
                    "indicator": c.indicator,
                    "default_severity": c.default_severity,
                    "title": {"zh": c.title_zh, "en": c.title_en},
                }
                for c in CATEGORIES.values()
            ]
        },
    )


@handles("checkUtterance")
def check_utterance(call: Call) -> Reply:
    body = call.body
    out = _check_one(body, call.tenant.profile, call)
    now = call.now()
    doc = _result(out, now, client_ref=body.get("client_ref"), evidence_index=None)
    # Issue 5 / EV-01: every script verdict is evidence, the clean ones too (they show the check ran).
    doc["evidence_index"] = _evidence.record(
        call.session,
        call.tenant_id,
        "script_check",
        _evidence_payload(body, out, doc["check_id"]),
        debtor_id=None,
        at=now,
    )
    return Reply(200, doc, resource_id=doc["check_id"])


@handles("checkUtteranceBatch")
def check_batch(call: Call) -> Reply:
    items = call.body["items"]
    profile = call.tenant.profile
    now = call.now()
    outcomes = [_check_item(n, item, profile, call) for n, item in enumerate(items)]
    results = [
        _result(out, now, client_ref=item.get("client_ref"), evidence_index=None)
        for item, out in zip(items, outcomes, strict=True)
    ]
    indices = _evidence.record_many(
        call.session,
        call.tenant_id,
        [
            ("script_check", _evidence_payload(item, out, doc["check_id"]), None)
            for item, out, doc in zip(items, outcomes, results, strict=True)
        ],
        at=now,
    )
    for doc, index in zip(results, indices, strict=True):
        doc["evidence_index"] = index
    return Reply(200, {"results": results})


@handles("checkConversation")
def check_conversation(call: Call) -> Reply:
    body = call.body
    now = call.now()
    ctx = _context(body.get("context"), call.tenant.profile)
    turns = body["turns"]
    out = default_checker().check_conversation(
        [(t["speaker_role"], t["text"]) for t in turns], language=body.get("language", "auto"), context=ctx
    )
    turn_docs = [_result(o, now, client_ref=None, evidence_index=None, turn=i) for i, o in enumerate(out.turns)]
    doc: dict[str, Any] = {
        "verdict": out.verdict,
        "turns": turn_docs,
        "conversation_violations": [v.as_dict() for v in out.violations],
        "checked_at": iso(now),
        "evidence_index": None,
    }
    if body.get("conversation_id"):
        doc["conversation_id"] = body["conversation_id"]
    # Every conversation verdict is evidence, the clean ones included (issue 5 / EV-01).
    every = [v for t in out.turns for v in t.violations] + list(out.violations)
    doc["evidence_index"] = _evidence.record(
        call.session,
        call.tenant_id,
        "script_check",
        {
            "conversation_id": body.get("conversation_id"),
            "turns": len(turns),
            "verdict": out.verdict,
            "categories": sorted({v.category for v in every}),
            "indicators": sorted({v.indicator for v in every}),
            "rules": sorted({v.rule for v in every}),
            "text_sha256": _sha256("\n".join(t["text"] for t in turns)),
            "ruleset_version": RULESET_VERSION,
        },
        debtor_id=None,
        at=now,
    )
    return Reply(200, doc)


@handles("streamScriptChecks")
def stream_over_http(call: Call) -> Reply:
    raise Problem(
        "validation-failed", f"streamScriptChecks is a WebSocket: upgrade with subprotocol {SUBPROTOCOL}", status=400
    )


# --- the WebSocket ---------------------------------------------------------------------------------


def _stream_principal(ws: WebSocket, ctx: ServiceContext) -> Principal:
    header = ws.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not (scheme.lower() == "bearer" and token.strip()):
        token = ws.query_params.get("token", "")
    if not token.strip():
        raise Problem("unauthenticated", "send a bearer token in the Authorization header or the token parameter")
    principal = read_token(token.strip(), ctx.keys.token_key)
    authorise(principal, operations()["streamScriptChecks"])
    principal.require_tenant()
    return principal


def _stream_verdict(session: Session, ctx: ServiceContext, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """One verdict; a blocking violation by the collector or AI agent also alerts the supervisor (SC-13)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise Problem("unauthenticated", "the tenant of this credential no longer exists")
    now = tenant_now(tenant)
    out = _check_one(body, tenant.profile)
    doc = _result(out, now, client_ref=body.get("client_ref"), evidence_index=None)
    if not (out.verdict == "block" and body["speaker_role"] in JUDGED):
        doc["evidence_index"] = _evidence.record(
            session,
            tenant_id,
            "script_check",
            _evidence_payload(body, out, doc["check_id"]),
            debtor_id=None,
            at=now,
        )
    else:
        blocking = [v for v in out.violations if v.severity == "blocking"]
        conversation = body.get("conversation_id") or "-"
        payload = _evidence_payload(body, out, doc["check_id"]) | {
            "alert": True,
            "blocking_categories": sorted({v.category for v in blocking}),
        }
        index = _evidence.record(session, tenant_id, "script_alert", payload, debtor_id=None, at=now)
        doc["evidence_index"] = index
        channel = (body.get("context") or {}).get("channel") or (
            "ai_voice" if body["speaker_role"] == "ai_agent" else "call"
        )
        named = ", ".join(f"{v.category} ({v.indicator})" for v in blocking)
        # Fault sc_stream_no_alert (test mode): a blocking utterance raises no supervisor alert.
        add_alert = session.add if not ctx.fault("sc_stream_no_alert") else (lambda _row: None)
        add_alert(
            OutboxMessage(
                id=new_id("msg"),
                tenant_id=tenant_id,
                attempt_id=None,
                debtor_id=None,
                debt_id=None,
                contact_point_id=None,
                channel=channel,
                recipient="supervisor@***",  # masked form required by outbox-message; alerts name a role
                purpose="supervisor_alert",
                content=ctx.cipher.seal_text(
                    f"Blocking script violation in conversation {conversation} by {body['speaker_role']}: {named}. "
                    f"Check {doc['check_id']}; the utterance was "
                    + (
                        "held back from the debtor."
                        if body["speaker_role"] == "ai_agent"
                        else "flagged; stop prompt sent."
                    ),
                    tenant=tenant_id,
                    field="outbox.content",
                ),
                ai_generated=False,
                sent_at=now,
                evidence_index=index,
                seq=index,
            )
        )
    return doc


async def _stream(ws: WebSocket) -> None:
    ctx: ServiceContext = ws.app.state.ctx
    try:
        principal = _stream_principal(ws, ctx)
    except Problem as problem:
        await ws.close(code=1008, reason=(problem.detail or problem.title)[:120])
        return
    offered = ws.scope.get("subprotocols") or []
    await ws.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
    check = validator("script-check-request.schema.json")
    tenant_id = principal.require_tenant()
    try:
        while True:
            raw = await ws.receive_text()
            try:
                body = json.loads(raw)
            except ValueError:
                await ws.close(code=1007, reason="each frame is one JSON script-check-request")
                return
            errors = [e.message for e in check.iter_errors(body)]
            if errors:
                await ws.close(code=1007, reason=f"not a script-check-request: {errors[0]}"[:120])
                return
            try:
                doc = await ctx.db.run_async(
                    functools.partial(_stream_verdict, ctx=ctx, tenant_id=tenant_id, body=body)
                )
            except Problem as problem:  # 1007: the frame contradicts itself; 1008: the credential no longer holds
                code = 1007 if problem.kind == "validation-failed" else 1008
                await ws.close(code=code, reason=(problem.detail or problem.title)[:120])
                return
            await ws.send_json(doc)
    except WebSocketDisconnect:
        return
    finally:
        if ws.client_state == WebSocketState.CONNECTED and ws.application_state == WebSocketState.CONNECTED:
            await ws.close()


def install_stream(app: FastAPI) -> None:
    """Add the streamScriptChecks WebSocket route to ``app`` (idempotent)."""
    if getattr(app.state, "script_stream_installed", False):
        return
    app.add_api_websocket_route(STREAM_PATH, _stream, name="streamScriptChecks")
    app.state.script_stream_installed = True


__all__ = ["STREAM_PATH", "SUBPROTOCOL", "install_stream"]
