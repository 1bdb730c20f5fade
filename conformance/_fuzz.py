"""Schemathesis-generated requests for every operation of spec/openapi.yaml (OP-01 and OP-02).

The hand-written checks walk the interface along paths a person chose; this module lets
schemathesis choose. For each operation it takes the first few cases of schemathesis' *coverage*
generator — deterministic boundary values (valid requests: "positive") and schema violations
(wrong types, missing members, values outside a pattern or length: "negative") — sends them
to the target through the harness' own :class:`~icss.conformance._target.Target` (bounded
timeouts and sizes, no redirects, redacted evidence) with a sandbox token of the first role
``x-icss-roles`` admits, and judges each response with schemathesis' response checks.

Why the coverage generator and not hypothesis search: it is deterministic (a run is
reproducible), and the cases are a function of the standard and the schemathesis version alone,
so they are generated once and then read from a cache file (:func:`cases`). Why through
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
import hashlib
import itertools
import json
import os
import pickle
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlencode, urljoin

import httpx

from icss.spec import SCHEMA_BASE, openapi_document, schema_documents

from ._outcomes import TargetError

if TYPE_CHECKING:
    from schemathesis import Case
    from schemathesis.schemas import BaseSchema

    from ._context import CheckContext

__all__ = [
    "GeneratedCase",
    "cache_path",
    "cases",
    "cases_source",
    "probe_malformed_requests",
    "probe_valid_requests",
]

#: Cases per operation and mode. Small on purpose: the coverage generator yields its most telling
#: case first (the example or default valid request; the first kind of violation), and the whole
#: probe has to stay within a few seconds of a certification run.
CASES_PER_OPERATION = {"positive": 2, "negative": 3}
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


@functools.cache
def _optional() -> frozenset[str]:
    """operationIds of optional features (``x-icss-feature``): a target without the feature answers 501."""
    return frozenset(
        op["operationId"]
        for item in openapi_document()["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op and op.get("x-icss-feature")
    )


# -- generation ---------------------------------------------------------------------------------------


def _first_cases(schema: BaseSchema, operation: Any, mode: str) -> list[Case[Any]]:
    from schemathesis import GenerationMode

    generated = schema.iter_coverage_cases(
        operation,
        generation_modes=[GenerationMode(mode)],
        generation_config=schema.config.generation_for(operation=operation),
    )
    return list(itertools.islice(generated, CASES_PER_OPERATION[mode]))


def _operations(schema: BaseSchema) -> Iterator[tuple[str, Any | None, str]]:
    """(operationId, operation or None when schemathesis cannot load it, why not) of every HTTP operation."""
    from schemathesis.core.result import Ok

    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            yield "", None, f"an operation schemathesis cannot load ({result.err()})"
            continue
        operation = result.ok()
        operation_id = str(operation.definition.raw.get("operationId", operation.label))
        if operation_id not in _NOT_HTTP:
            yield operation_id, operation, ""


def _generate(mode: str) -> tuple[tuple[GeneratedCase, ...], tuple[str, ...]]:
    schema = _schema()
    made: list[GeneratedCase] = []
    unprobed: list[str] = []
    roles = _roles()
    for operation_id, operation, why_not in _operations(schema):
        if operation is None:
            unprobed.append(why_not)
            continue
        try:
            found = _first_cases(schema, operation, mode)
        except Exception as exc:  # an unsupported schema construct: say so, do not stop the probe
            unprobed.append(f"{operation_id} ({type(exc).__name__})")
            continue
        for case in found:
            _freeze(case)
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


# -- the cache of generated cases ------------------------------------------------------------------------
# Generating costs seconds of CPU (schemathesis canonicalises every schema, recordEvent's 21 conditional
# branches above all), yet the cases are a function of the standard, the schemathesis version and the
# numbers above alone. They are kept in a cache file named after a digest of exactly those, beside
# other per-user caches; a missing, stale or unreadable file only means generating again.

_CACHE_FORMAT = 1


def cache_path() -> Path:
    """Where the generated cases of this standard and schemathesis version are cached."""
    import schemathesis

    base = os.environ.get("ICSS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "icss"
    )
    digest = hashlib.sha256(
        json.dumps(
            [_CACHE_FORMAT, schemathesis.__version__, CASES_PER_OPERATION, _bundled_document()],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()[:24]
    return Path(base) / f"schemathesis-cases-{digest}.pickle"


def _frozen(generated: tuple[GeneratedCase, ...]) -> list[tuple[Any, ...]]:
    from schemathesis.core import NotSet

    return [
        (
            g.operation_id,
            g.mode,
            g.description,
            g.role,
            g.case.method,
            g.case.path_parameters,
            dict(g.case.headers or {}),
            g.case.cookies,
            g.case.query,
            None if isinstance(g.case.body, NotSet) else (g.case.body,),  # NOT_SET is compared by identity
            g.case.media_type,
            g.case.meta,
        )
        for g in generated
    ]


def _thawed(rows: list[tuple[Any, ...]]) -> tuple[GeneratedCase, ...]:
    operations = {operation_id: op for operation_id, op, _ in _operations(_schema()) if op is not None}
    made = []
    for (
        operation_id,
        mode,
        description,
        role,
        method,
        path_parameters,
        headers,
        cookies,
        query,
        body,
        media,
        meta,
    ) in rows:
        fields: dict[str, Any] = {"body": body[0]} if body is not None else {}
        case = operations[operation_id].Case(
            method=method,
            path_parameters=path_parameters,
            headers=headers,
            cookies=cookies,
            query=query,
            media_type=media,
            _meta=meta,
            **fields,
        )
        _freeze(case)
        made.append(GeneratedCase(operation_id, mode, description, role, case))
    return tuple(made)


def _freeze(case: Case[Any]) -> None:
    # A case's metadata is otherwise re-checked on every read (each container hashed through canonical
    # JSON), and schemathesis' checks read it per response. The harness never edits a case in place (ids
    # go into a new Case, see _request_parts), which is when schemathesis itself freezes a case it sends.
    case.freeze_metadata()


def _trusted(path: Path) -> bool:
    """Unpickling runs code: read only a file of this user's that no one else may write."""
    found = path.stat()
    return (not hasattr(os, "getuid") or found.st_uid == os.getuid()) and not found.st_mode & 0o022


def _load(path: Path, mode: str) -> tuple[tuple[GeneratedCase, ...], tuple[str, ...]] | None:
    try:
        if not _trusted(path):
            return None
        with path.open("rb") as file:
            stored = pickle.load(file)  # noqa: S301 - the harness' own cache file, in the user's cache folder
        rows, unprobed = stored[mode]
        return _thawed(rows), tuple(unprobed)
    except Exception:  # missing, stale, truncated or from another version: generate instead
        return None


def _store(path: Path, generated: dict[str, tuple[tuple[GeneratedCase, ...], tuple[str, ...]]]) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            pickle.dump({mode: (_frozen(made), list(unprobed)) for mode, (made, unprobed) in generated.items()}, file)
        partial.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except Exception:  # noqa: S110 - a read-only or full disk only costs the next run the generation
        pass


_SOURCE: list[str] = []  # where this process' cases came from (for benchmarks/certify.py)


@functools.cache
def _generated() -> dict[str, tuple[tuple[GeneratedCase, ...], tuple[str, ...]]]:
    path = cache_path()
    loaded = {mode: _load(path, mode) for mode in CASES_PER_OPERATION}
    if all(found is not None for found in loaded.values()):
        _SOURCE.append(f"read from {path}")
        return {mode: found for mode, found in loaded.items() if found is not None}
    made = {mode: _generate(mode) for mode in CASES_PER_OPERATION}
    _store(path, made)
    _SOURCE.append(f"generated and written to {path}")
    return made


def cases_source() -> str | None:
    """Whether this process generated its cases or read them from the cache (None: not needed yet)."""
    return _SOURCE[0] if _SOURCE else None


def cases(mode: str) -> tuple[tuple[GeneratedCase, ...], tuple[str, ...]]:
    """The generated cases of ``mode`` for every operation, and the operations that could not be probed.

    Made once per process — read from the cache file, or generated and cached — under a lock, so
    checks running in parallel share one generation and one import of schemathesis, whose modules
    import each other in an order two threads must not interleave.
    """
    with _LOCK:
        import schemathesis.checks
        import schemathesis.core.failures
        import schemathesis.specs.openapi.checks  # noqa: F401 - imported here, under the lock

        return _generated()[mode]


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
        if isinstance(data, dict):  # application/x-www-form-urlencoded (issueToken)
            kwargs["content"] = urlencode(data, doseq=True).encode()
        else:
            kwargs["content"] = data if isinstance(data, bytes) else str(data).encode()
    return str(sent["method"]), path, kwargs


_SERIALISED: dict[int, tuple[GeneratedCase, tuple[str, str, dict[str, Any]]]] = {}


def send(
    ctx: CheckContext,
    generated: GeneratedCase,
    tokens: Callable[[str], str | None],
    ids: dict[str, str],
) -> httpx.Response:
    """Send ``generated`` to the target as its role; ``ids`` replace path parameters of that name."""
    used = {k: v for k, v in ids.items() if k in (generated.case.path_parameters or {})}
    if generated.mode == "positive" and used:
        method, path, kwargs = _request_parts(generated.case, used)
    else:  # the same request in every run: serialised once per process
        parts = _SERIALISED.get(id(generated))
        if parts is None or parts[0] is not generated:
            parts = _SERIALISED[id(generated)] = (generated, _request_parts(generated.case, {}))
        method, path, kwargs = parts[1]
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
    if unprobed:  # the harness' limit, not the target's fault: an error, so the gap is never a silent pass
        raise RuntimeError(f"schemathesis could not generate requests for: {', '.join(unprobed)}")


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

        if response.status_code == 501 and item.operation_id in _optional():
            found = []  # an optional feature the target does not offer may say so before it reads the request
        else:
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
