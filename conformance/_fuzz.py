"""Schemathesis-generated requests for every operation of spec/openapi.yaml (OP-01 and OP-02).

The hand-written checks walk the interface along paths a person chose; this module lets
schemathesis choose. For each operation it takes the first few cases of schemathesis' *coverage*
generator — deterministic boundary values (valid requests: "positive") and schema violations
(wrong types, missing members, values outside a pattern or length: "negative") — sends them
to the target through the harness' own :class:`~icss.conformance._target.Target` (bounded
timeouts and sizes, no redirects, redacted evidence) with a sandbox token of the first role
``x-icss-roles`` admits, and judges each response with schemathesis' response checks.

Why the coverage generator and not hypothesis search: it is deterministic (a run is
reproducible), and after its first use in a process it costs almost nothing, because the cases
are a function of the standard alone and are cached here (:func:`cases`). Why through
``Target`` and not schemathesis' own transport: the harness' rule is that every byte sent to a
target goes through one bounded client whose exchanges become evidence.

spec/openapi.yaml refers to the JSON Schemas in spec/schemas by relative file name, and those
refer to each other by ``$id``; schemathesis would resolve such names against the working
directory or the network, so :func:`_bundled_document` inlines them as ``components/schemas``
first (each ``$defs`` entry its own component, so a body schema drags in only what it uses).
"""

from __future__ import annotations

import copy
import functools
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import httpx

from icss.spec import SCHEMA_BASE, openapi_document, schema_documents

from ._outcomes import TargetError

if TYPE_CHECKING:
    from schemathesis import Case
    from schemathesis.schemas import BaseSchema

    from ._context import CheckContext

__all__ = ["GeneratedCase", "cases", "probe_malformed_requests", "probe_valid_requests"]

#: Cases per operation and mode. Small on purpose: the coverage generator yields its most telling
#: case first (the example or default valid request; the first kind of violation), and the whole
#: probe has to stay within a few seconds of a certification run.
CASES_PER_OPERATION = {"positive": 2, "negative": 3}
#: Generation stops taking cases of an operation once this much time went into it (one case at least).
_GENERATION_BUDGET_S = 0.25
#: Operations that are not plain request/response exchanges: streamScriptChecks is a WebSocket
#: upgrade (its own check, SC-13, speaks the protocol).
_NOT_HTTP = frozenset({"streamScriptChecks"})
#: Headers schemathesis adds for its own transport; the harness' client sets its own.
_TRANSPORT_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "connection", "x-schemathesis-testcaseid", "authorization"}
)
_DEFS = re.compile(r"^/\$defs/([^/]+)(.*)$")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class GeneratedCase:
    """One schemathesis case for one operation, with what the harness needs to send it."""

    operation_id: str
    mode: str  # "positive" (valid under the document) or "negative" (violates it)
    description: str  # schemathesis' account of the case, e.g. "debtor_id: Incorrect type"
    role: str | None  # the role whose token goes with it (None: a public operation)
    case: Case[Any]


# -- the document schemathesis reads -----------------------------------------------------------------


def _component(name: str, fragment: str) -> str:
    key = "icss-" + name.removesuffix(".schema.json")
    found = _DEFS.match(fragment)
    if found:
        return f"#/components/schemas/{key}--{found.group(1)}{found.group(2)}"
    return f"#/components/schemas/{key}{fragment}"


def _inline(node: Any, base: str) -> Any:
    """``node`` with every reference to a spec/schemas file turned into a local component reference."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#/components/"):
                uri, fragment = urldefrag(urljoin(base, value))
                if not uri.startswith(SCHEMA_BASE):
                    raise ValueError(f"a reference outside spec/schemas: {value!r} in {base}")
                out[key] = _component(uri.removeprefix(SCHEMA_BASE), fragment)
            elif key in ("$id", "$schema") and isinstance(value, str):
                continue  # the components live in one document now; their own names would re-root references
            else:
                out[key] = _inline(value, base)
        return out
    if isinstance(node, list):
        return [_inline(value, base) for value in node]
    return node


def _bundled_document() -> dict[str, Any]:
    """spec/openapi.yaml with the JSON Schemas of spec/schemas inlined as components."""
    document: dict[str, Any] = _inline(copy.deepcopy(openapi_document()), SCHEMA_BASE + "../openapi.yaml")
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, body in schema_documents().items():
        top = dict(body)
        definitions = top.pop("$defs", {})
        components[_component(name, "").rsplit("/", 1)[-1]] = _inline(top, SCHEMA_BASE + name)
        for key, sub in definitions.items():
            components[_component(name, f"/$defs/{key}").rsplit("/", 1)[-1]] = _inline(sub, SCHEMA_BASE + name)
    return document


@functools.cache
def _schema() -> BaseSchema:
    import schemathesis

    # An explicit configuration: never one discovered from a schemathesis.toml in the working directory.
    return schemathesis.openapi.from_dict(_bundled_document(), config=schemathesis.Config())


@functools.cache
def _roles() -> dict[str, str | None]:
    """operationId -> the role the probe acts in (the first ``x-icss-roles`` entry; None when public)."""
    roles: dict[str, str | None] = {}
    for item in openapi_document()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                public = op.get("security") == []
                roles[op["operationId"]] = None if public else (op.get("x-icss-roles") or ["collector"])[0]
    return roles


# -- generation ---------------------------------------------------------------------------------------


def _first_cases(schema: BaseSchema, operation: Any, mode: str) -> list[Case[Any]]:
    from schemathesis import GenerationMode

    started = time.perf_counter()
    taken: list[Case[Any]] = []
    generated = schema.iter_coverage_cases(
        operation,
        generation_modes=[GenerationMode(mode)],
        generation_config=schema.config.generation_for(operation=operation),
    )
    for case in itertools.islice(generated, CASES_PER_OPERATION[mode]):
        taken.append(case)
        if time.perf_counter() - started > _GENERATION_BUDGET_S:
            break
    return taken


@functools.cache
def _generated(mode: str) -> tuple[tuple[GeneratedCase, ...], tuple[str, ...]]:
    from schemathesis.core.result import Ok

    schema = _schema()
    made: list[GeneratedCase] = []
    unprobed: list[str] = []
    roles = _roles()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            unprobed.append(f"an operation schemathesis cannot load ({result.err()})")
            continue
        operation = result.ok()
        operation_id = str(operation.definition.raw.get("operationId", operation.label))
        if operation_id in _NOT_HTTP:
            continue
        try:
            found = _first_cases(schema, operation, mode)
        except Exception as exc:  # an unsupported schema construct: say so, do not stop the probe
            unprobed.append(f"{operation_id} ({type(exc).__name__})")
            continue
        for case in found:
            description = getattr(getattr(case.meta, "phase", None), "data", None)
            made.append(
                GeneratedCase(
                    operation_id=operation_id,
                    mode=mode,
                    description=str(getattr(description, "description", "") or mode),
                    role=roles.get(operation_id, "collector"),
                    case=case,
                )
            )
    return tuple(made), tuple(unprobed)


def cases(mode: str) -> tuple[tuple[GeneratedCase, ...], tuple[str, ...]]:
    """The generated cases of ``mode`` for every operation, and the operations that could not be probed.

    Generated once per process (the cases depend on the standard alone) under a lock, so checks
    running in parallel share one generation — and one import of schemathesis, whose modules
    import each other in an order two threads must not interleave.
    """
    with _LOCK:
        import schemathesis.checks
        import schemathesis.core.failures
        import schemathesis.specs.openapi.checks  # noqa: F401 - imported here, under the lock

        return _generated(mode)


# -- sending and judging ------------------------------------------------------------------------------


def _request_parts(case: Case[Any], ids: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    """(method, path under the API base, keyword arguments for Target.request) of ``case``."""
    if ids:
        case = case.operation.Case(
            path_parameters={
                **(case.path_parameters or {}),
                **{k: v for k, v in ids.items() if k in (case.path_parameters or {})},
            },
            query=case.query,
            headers=case.headers,
            body=case.body,
            media_type=case.media_type,
        )
    sent = case.as_transport_kwargs(base_url="http://target.invalid")
    path = str(sent["url"]).removeprefix("http://target.invalid")
    headers = {k: str(v) for k, v in (sent.get("headers") or {}).items() if k.lower() not in _TRANSPORT_HEADERS}
    kwargs: dict[str, Any] = {"headers": headers, "params": sent.get("params") or None}
    if "json" in sent:
        kwargs["json_body"] = sent["json"]
    elif sent.get("data") is not None:
        data = sent["data"]
        kwargs["content"] = data if isinstance(data, bytes) else str(data).encode()
    return str(sent["method"]), path, kwargs


def send(
    ctx: CheckContext,
    generated: GeneratedCase,
    tokens: Callable[[str], str | None],
    ids: dict[str, str],
) -> httpx.Response:
    """Send ``generated`` to the target as its role; ``ids`` replace path parameters of that name."""
    method, path, kwargs = _request_parts(generated.case, ids if generated.mode == "positive" else {})
    token = tokens(generated.role) if generated.role is not None else None
    return ctx.target.request(method, path, token=token, record=ctx.exchanges, canaries=ctx.canaries, **kwargs)


def violations(generated: GeneratedCase, response: httpx.Response, checks: list[Any]) -> Iterator[str]:
    """What schemathesis' ``checks`` find wrong with ``response`` to ``generated`` (one line each)."""
    from schemathesis.core.failures import FailureGroup

    try:
        generated.case.validate_response(response, checks=checks)
    except FailureGroup as group:
        for failure in group.exceptions:
            detail = " ".join(str(failure.message).split())[:240]
            yield f"{failure.title}: {detail}" if detail else str(failure.title)
    except TargetError:
        raise
    except Exception as exc:  # schemathesis could not judge this response (e.g. an undecodable body)
        yield f"the response could not be checked: {type(exc).__name__}: {str(exc)[:160]}"


def _probe(ctx: CheckContext, mode: str, judge: Callable[[GeneratedCase, httpx.Response], list[str]]) -> None:
    """Send every generated case of ``mode`` and fail the check with the findings of ``judge``."""
    generated, unprobed = cases(mode)
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    ids = {"debtorId": str(debtor["id"]), "debtId": str(debt["id"])}

    def token(role: str) -> str | None:
        return str(debtor["token"]) if role == "debtor" else ctx.sandbox.tokens[role]

    findings: list[str] = []
    evidence: list[Any] = []
    for item in generated:
        response = send(ctx, item, token, ids)
        found = judge(item, response)
        if found:
            findings.append(f"{item.operation_id} [{item.description}] answered {response.status_code}: {found[0]}")
            evidence.append(ctx.exchanges[-1])
    if findings:
        ctx.exchanges[:] = evidence[:6]  # the report's excerpt: the offending exchanges, not the last ones sent
        more = f" (and {len(findings) - 3} more)" if len(findings) > 3 else ""
        ctx.fail(
            f"{len(findings)} of {len(generated)} schemathesis-generated {mode} requests: "
            + "; ".join(findings[:3])
            + more
        )
    if unprobed:
        ctx.fail(f"schemathesis could not generate requests for: {', '.join(unprobed)}", severity="minor")


def _judge_valid(item: GeneratedCase, response: httpx.Response) -> list[str]:
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    if response.status_code >= 500 and response.status_code != 501:
        raise TargetError(f"{item.operation_id} answered {response.status_code} to a request valid under the document")
    return list(
        violations(item, response, [status_code_conformance, content_type_conformance, response_schema_conformance])
    )


def probe_valid_requests(ctx: CheckContext) -> None:
    """OP-01: requests valid under the document get declared statuses, media types and schema-valid bodies."""
    _probe(ctx, "positive", _judge_valid)


def _judging_malformed(ctx: CheckContext) -> Callable[[GeneratedCase, httpx.Response], list[str]]:
    from ._outcomes import CheckFailed
    from .checks._support import problem_document

    def judge(item: GeneratedCase, response: httpx.Response) -> list[str]:
        from schemathesis.checks import not_a_server_error
        from schemathesis.specs.openapi.checks import negative_data_rejection

        found = list(violations(item, response, [not_a_server_error, negative_data_rejection]))
        if response.status_code >= 400:
            try:
                problem_document(ctx, response)
            except CheckFailed as failure:
                found.append(str(failure))
        return found

    return judge


def probe_malformed_requests(ctx: CheckContext) -> None:
    """OP-02: requests that violate the document get a 4xx problem document, never a 2xx or a 5xx."""
    _probe(ctx, "negative", _judging_malformed(ctx))
