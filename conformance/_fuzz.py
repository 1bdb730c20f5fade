"""Schemathesis-generated requests for every operation of spec/openapi.yaml (OP-01 and OP-02).

The hand-written checks walk the interface along paths a person chose; this module lets
schemathesis choose. For each operation it takes the first few cases of schemathesis' *coverage*
generator — deterministic boundary values (valid requests: "positive") and schema violations
(wrong types, missing members, values outside a pattern or length: "negative") — sends them
to the target through the harness' own :class:`~icss.conformance._target.Target` (bounded
timeouts and sizes, no redirects, redacted evidence) with a sandbox token of the first role
``x-icss-roles`` admits, and judges each response as schemathesis' response checks do.

Why the coverage generator and not hypothesis search: it is deterministic (a run is
reproducible), and the cases are a function of the standard and the schemathesis version alone,
so they are generated once and then read from a cache file (:func:`cases`) that holds the requests
as sent and schemathesis' verdicts that depend on the request alone (which negative cases must be
rejected). The responses are judged here (:func:`conformance_findings`, :func:`rejection_findings`)
with the harness' own validators, so a run with a cache never imports schemathesis: its import and
its per-response machinery were a third of the harness' CPU in a certification run. Why through
``Target`` and not schemathesis' own transport: the harness' rule is that every byte sent to a
target goes through one bounded client whose exchanges become evidence.

spec/openapi.yaml refers to the JSON Schemas in spec/schemas by relative file name, and those
refer to each other by ``$id``; schemathesis would resolve such names against the working
directory or the network, so :func:`_bundled_document` inlines them as ``components/schemas``
first (each ``$defs`` entry its own component, so a body schema drags in only what it uses).
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import hashlib
import itertools
import json
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from importlib.metadata import version as package_version
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urldefrag, urlencode, urljoin

import httpx

from icss.spec import SCHEMA_BASE, openapi_document, schema_documents
from icss.spec._load import data_files, spec_root

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
    "generate",
    "published_path",
    "published_text",
    "conformance_findings",
    "probe_malformed_requests",
    "probe_valid_requests",
    "rejection_findings",
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
    """One schemathesis case for one operation: the request as sent, and what judging it needs.

    Plain data (no schemathesis object), so that the cache file holds it and a run never imports schemathesis.
    """

    operation_id: str
    mode: str  # "positive" (valid under the document) or "negative" (violates it)
    description: str  # schemathesis' account of the case, e.g. "debtor_id: Incorrect type"
    role: str | None  # the role whose token goes with it (None: a public operation)
    method: str
    path: str  # under the API base; a valid request's debtorId/debtId are markers the run's ids replace
    request: Mapping[str, Any]  # keyword arguments for Target.request: headers, params, json_body or content
    judged: bool = True  # False: a request-shape probe, whose answer only has to avoid a server error
    rejection_expected: bool = False  # negative: schemathesis wants a rejecting status for it as sent


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


# -- generation (schemathesis is imported only here) ----------------------------------------------------

#: Path parameters a valid request takes from the run's own debtor and debt (a generated id would only
#: ever be answered 404). Generated cases carry a marker in their place (see :func:`_with_markers`).
_RUN_IDS = ("debtorId", "debtId")


def _marker(name: str) -> str:
    return f"ICSS-RUN-ID-{name}"  # letters, digits and hyphens: sent as is, never percent-encoded


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


def _request_parts(case: Case[Any]) -> tuple[str, str, dict[str, Any]]:
    """(method, path under the API base, keyword arguments for Target.request) of ``case`` as schemathesis sends it."""
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


def _with_markers(case: Case[Any]) -> Case[Any]:
    """``case`` with a marker in place of each run id it takes (a valid request is sent about the run's debtor)."""
    params = dict(case.path_parameters or {})
    if not any(name in params for name in _RUN_IDS):
        return case
    fields: dict[str, Any] = {} if _body_not_set(case) else {"body": case.body}
    marked: Case[Any] = case.operation.Case(
        path_parameters={**params, **{name: _marker(name) for name in _RUN_IDS if name in params}},
        query=case.query,
        headers=case.headers,
        cookies=case.cookies,
        media_type=case.media_type,
        **fields,
    )
    return marked


def _body_not_set(case: Case[Any]) -> bool:
    from schemathesis.core import NotSet

    return isinstance(case.body, NotSet)


def _rejection_expected(case: Case[Any], method: str, path: str, kwargs: dict[str, Any]) -> bool:
    """Whether schemathesis' ``negative_data_rejection`` wants a rejecting status for ``case`` as it is sent.

    Its exceptions (a negation that serialisation undoes, a text body any value satisfies, extra members
    outside the body) depend on the case and on the request as sent, never on the answer, so they are
    decided here once, by the check itself, against an answer that accepts the request.
    """
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import negative_data_rejection

    request = httpx.Request(
        method,
        "http://target.invalid" + path,
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),
        json=kwargs.get("json_body"),
        content=kwargs.get("content"),
    )
    accepted = httpx.Response(200, headers={"content-type": "application/json"}, content=b"{}", request=request)
    accepted.elapsed = timedelta(0)
    try:
        case.validate_response(accepted, checks=[negative_data_rejection])
    except FailureGroup:
        return True
    return False


def _generate(mode: str) -> tuple[list[tuple[GeneratedCase, Case[Any]]], list[str]]:
    """Every generated case of ``mode`` beside the schemathesis case it came from, and what could not be probed."""
    from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

    schema = _schema()
    made: list[tuple[GeneratedCase, Case[Any]]] = []
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
            description = getattr(getattr(case.meta, "phase", None), "data", None)
            method, path, kwargs = _request_parts(_with_markers(case) if mode == "positive" else case)
            generated = GeneratedCase(
                operation_id=operation_id,
                mode=mode,
                description=str(getattr(description, "description", "") or mode),
                role=roles.get(operation_id, "collector"),
                method=method,
                path=path,
                request=kwargs,
                judged=not is_unexpected_http_status_case(case),
                rejection_expected=mode == "negative" and _rejection_expected(case, method, path, kwargs),
            )
            made.append((generated, case))
    return made, unprobed


def _rejecting_statuses() -> list[str]:
    """The statuses schemathesis' negative_data_rejection accepts as a rejection (its configuration's)."""
    from schemathesis.config._checks import NegativeDataRejectionConfig

    return list(NegativeDataRejectionConfig().expected_statuses)


# -- the cache of generated cases ------------------------------------------------------------------------
# Generating costs seconds of CPU (schemathesis canonicalises every schema), yet the cases are a function
# of the interface document, the schemathesis version and the numbers above alone. They are kept, as plain
# JSON, in a cache file named after a digest of exactly those, beside other per-user caches; a missing,
# stale or unreadable file only means generating again. What a run needs is in the file: the requests as
# sent and schemathesis' verdicts that depend on the request alone, so a run with a cache never imports
# schemathesis at all.

_CACHE_FORMAT = 2


@functools.cache  # the spec's files do not change under a running process
def _document_digest() -> str:
    """SHA-256 over the files the generated cases derive from: spec/openapi.yaml and spec/schemas/*."""
    digest = hashlib.sha256()
    for rel, node in data_files():
        if rel == "openapi.yaml" or rel.startswith("schemas/"):
            digest.update(rel.encode() + b"\0" + node.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_path() -> Path:
    """Where the generated cases of this interface document and schemathesis version are cached."""
    base = os.environ.get("ICSS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "icss"
    )
    key = json.dumps(
        [_CACHE_FORMAT, package_version("schemathesis"), CASES_PER_OPERATION, _document_digest()], sort_keys=True
    )
    return Path(base) / f"schemathesis-cases-{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


@dataclass(frozen=True)
class _Probes:
    cases: dict[str, tuple[tuple[GeneratedCase, ...], tuple[str, ...]]]  # mode -> (cases, unprobed)
    rejecting: tuple[str, ...]  # status codes and ranges ("4xx") that count as rejecting a request


def _case_json(case: GeneratedCase) -> dict[str, Any]:
    doc = dataclasses.asdict(case)
    content = case.request.get("content")
    if content is not None:
        doc["request"] = {**case.request, "content": base64.b64encode(content).decode()}
    return doc


def _case_from_json(doc: dict[str, Any]) -> GeneratedCase:
    request = dict(doc["request"])
    if request.get("content") is not None:
        request["content"] = base64.b64decode(request["content"])
    return GeneratedCase(**{**doc, "request": request})


def _trusted(path: Path) -> bool:
    """The cache decides which requests a certification sends and how they are judged: read it only when it
    is this user's and no one else may write it."""
    found = path.stat()
    return (not hasattr(os, "getuid") or found.st_uid == os.getuid()) and not found.st_mode & 0o022


def _document(probes: _Probes) -> dict[str, Any]:
    """The probes as the JSON document the cache and the published file hold."""
    return {
        "format": _CACHE_FORMAT,
        "generator": f"schemathesis {package_version('schemathesis')}",
        "document_digest": _document_digest(),
        "cases_per_operation": CASES_PER_OPERATION,
        "rejecting": list(probes.rejecting),
        **{
            mode: {"cases": [_case_json(c) for c in made], "unprobed": list(unprobed)}
            for mode, (made, unprobed) in probes.cases.items()
        },
    }


def _from_document(stored: dict[str, Any]) -> _Probes | None:
    if stored.get("format") != _CACHE_FORMAT or stored.get("cases_per_operation") != CASES_PER_OPERATION:
        return None
    return _Probes(
        cases={
            mode: (tuple(_case_from_json(c) for c in stored[mode]["cases"]), tuple(stored[mode]["unprobed"]))
            for mode in CASES_PER_OPERATION
        },
        rejecting=tuple(stored["rejecting"]),
    )


def _load(path: Path) -> _Probes | None:
    try:
        if not _trusted(path):
            return None
        return _from_document(json.loads(path.read_text(encoding="utf-8")))
    except Exception:  # missing, stale, truncated or from another version: generate instead
        return None


def published_path() -> Traversable:
    """The probe's cases as published with the standard: every run, on every machine, sends the same requests."""
    return spec_root() / "corpora" / "interface" / "probe-cases.json"


def _published() -> _Probes | None:
    """The published cases, when they were generated from this very interface document."""
    try:
        stored = json.loads(published_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stored.get("document_digest") != _document_digest():
        return None  # spec/openapi.yaml or a schema changed since: regenerate (python -m icss.conformance._fuzz)
    return _from_document(stored)


def generate() -> _Probes:
    """The probes, generated anew with schemathesis (seconds of CPU)."""
    made = {}
    for mode in CASES_PER_OPERATION:
        pairs, unprobed = _generate(mode)
        made[mode] = (tuple(generated for generated, _ in pairs), tuple(unprobed))
    return _Probes(cases=made, rejecting=tuple(_rejecting_statuses()))


def published_text(probes: _Probes) -> str:
    """The published file's text: one case a line, so a change of the interface shows as a readable diff."""
    doc = _document(probes)
    lines = []
    for key, value in doc.items():
        if key in CASES_PER_OPERATION:
            cases_json = ",\n    ".join(json.dumps(c, ensure_ascii=False, sort_keys=True) for c in value["cases"])
            unprobed = json.dumps(value["unprobed"], ensure_ascii=False)
            lines.append(f'  "{key}": {{\n   "unprobed": {unprobed},\n   "cases": [\n    {cases_json}\n   ]\n  }}')
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _store(path: Path, probes: _Probes) -> None:
    doc = _document(probes)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as file:
            json.dump(doc, file, ensure_ascii=False)
        partial.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except Exception:  # noqa: S110 - a read-only or full disk only costs the next run the generation
        pass


_SOURCE: list[str] = []  # where this process' cases came from (for benchmarks/certify.py)


@functools.cache
def _probes() -> _Probes:
    published = _published()
    if published is not None:
        _SOURCE.append("published with the standard (spec/corpora/interface/probe-cases.json)")
        return published
    path = cache_path()
    loaded = _load(path)
    if loaded is not None:
        _SOURCE.append(f"read from {path}")
        return loaded
    probes = generate()
    _store(path, probes)
    _SOURCE.append(f"generated and written to {path}")
    return probes


def cases_source() -> str | None:
    """Where this process' cases came from: published, the per-user cache, or generated (None: not needed yet)."""
    return _SOURCE[0] if _SOURCE else None


def cases(mode: str) -> tuple[tuple[GeneratedCase, ...], tuple[str, ...]]:
    """The generated cases of ``mode`` for every operation, and the operations that could not be probed.

    Made once per process — read from the cache file, or generated and cached — under a lock, so
    checks running in parallel share one generation and one import of schemathesis, whose modules
    import each other in an order two threads must not interleave.
    """
    with _LOCK:
        return _probes().cases[mode]


# -- sending ---------------------------------------------------------------------------------------------


def send(
    ctx: CheckContext,
    generated: GeneratedCase,
    tokens: Callable[[str], str | None],
    ids: dict[str, str],
) -> httpx.Response:
    """Send ``generated`` to the target as its role; a valid request's run-id markers become ``ids``."""
    path = generated.path
    if generated.mode == "positive":
        for name in _RUN_IDS:
            if name in ids:
                path = path.replace(_marker(name), quote(ids[name], safe=""))
    token = tokens(generated.role) if generated.role is not None else None
    return ctx.target.request(
        generated.method, path, token=token, record=ctx.exchanges, canaries=ctx.canaries, **generated.request
    )


# -- judging -------------------------------------------------------------------------------------------
# The judgements of schemathesis' response checks that the probe uses (status_code_conformance,
# content_type_conformance, response_schema_conformance; not_a_server_error, negative_data_rejection),
# for the constructs spec/openapi.yaml uses: every response schema is a reference to a file of spec/schemas,
# validated by the same validators as every other check. tests/conformance/test_fuzz_judges.py holds them
# to schemathesis' own verdicts on the reference and on mutants.

_SCHEMA_FILE = re.compile(r"^schemas/([a-z0-9-]+)\.schema\.json$")


@functools.cache
def _documented() -> dict[str, dict[str, dict[str, str | None]]]:
    """operationId -> documented status ("200", "4XX", "default") -> media type -> schema name (None: no schema)."""
    document = openapi_document()
    components = document.get("components", {}).get("responses", {})
    found: dict[str, dict[str, dict[str, str | None]]] = {}
    for item in document["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            statuses: dict[str, dict[str, str | None]] = {}
            for status, response in op.get("responses", {}).items():
                ref = response.get("$ref", "")
                if ref:
                    response = components[ref.removeprefix("#/components/responses/")]
                media: dict[str, str | None] = {}
                for media_type, content in (response.get("content") or {}).items():
                    schema = (content or {}).get("schema")
                    named = _SCHEMA_FILE.match(schema.get("$ref", "")) if isinstance(schema, dict) else None
                    if schema is not None and named is None:
                        raise ValueError(f"{op['operationId']} {status}: a response schema that is not a schemas/ file")
                    media[media_type.lower()] = named.group(1) if named else None
                statuses[str(status).upper() if str(status) != "default" else "default"] = media
            found[op["operationId"]] = statuses
    return found


def _definition(statuses: dict[str, dict[str, str | None]], status: int) -> dict[str, str | None] | None:
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in statuses:
            return statuses[key]
    return None


def _media_matches(documented: str, received: str) -> bool:
    want_main, _, want_sub = documented.partition("/")
    main, _, sub = received.partition("/")
    return want_main in ("*", main) and want_sub in ("*", sub)


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def conformance_findings(item: GeneratedCase, response: httpx.Response) -> list[str]:
    """How ``response`` departs from what spec/openapi.yaml declares for ``item``'s operation (one line each)."""
    from .checks._support import schema_errors

    if not item.judged:  # a request-shape probe: only a server error would be a finding (raised by the caller)
        return []
    statuses = _documented()[item.operation_id]
    status = response.status_code
    definition = _definition(statuses, status)
    if definition is None:
        return [f"Undocumented HTTP status code: received {status}, documented {', '.join(statuses)}"]
    if not definition:
        return []
    header = response.headers.get("content-type")
    if not header:
        return [f"Missing Content-Type header: documented {', '.join(definition)}"]
    media = header.split(";", 1)[0].strip().lower()
    matching = [documented for documented in definition if _media_matches(documented, media)]
    if not matching:
        return [f"Undocumented Content-Type: received {header}, documented {', '.join(definition)}"]
    name = definition[matching[0]]
    if name is None or not _is_json(media):
        return []
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        return [f"JSON deserialization error: {exc}"]
    errors = schema_errors(name, body)
    if not errors:
        return []
    where = "/" + "/".join(map(str, errors[0].absolute_path))
    return [f"Response violates schema: {' '.join(errors[0].message.split())[:200]} (at {where})"]


def _expand(statuses: tuple[str, ...]) -> frozenset[int]:
    codes: set[int] = set()
    for status in statuses:
        if status.lower().endswith("xx"):
            hundred = int(status[0]) * 100
            codes.update(range(hundred, hundred + 100))
        else:
            codes.add(int(status))
    return frozenset(codes)


def rejection_findings(item: GeneratedCase, response: httpx.Response) -> list[str]:
    """A server error, or a request that violates the document accepted (one line each)."""
    status = response.status_code
    if status == 501 and item.operation_id in _optional():
        return []  # an optional feature the target does not offer may say so before it reads the request
    if status >= 500:
        return [f"Server error: {status}"]
    if item.rejection_expected and status not in _expand(_probes().rejecting):
        return [f"API accepted schema-violating request: answered {status} ({item.description})"]
    return []


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
    if response.status_code >= 500 and response.status_code != 501:
        raise TargetError(f"{item.operation_id} answered {response.status_code} to a request valid under the document")
    return conformance_findings(item, response)


def probe_valid_requests(ctx: CheckContext) -> None:
    """OP-01: requests valid under the document get declared statuses, media types and schema-valid bodies."""
    _probe(ctx, "positive", _judge_valid)


def _judging_malformed(ctx: CheckContext) -> Callable[[GeneratedCase, httpx.Response], list[str]]:
    from ._outcomes import CheckFailed
    from .checks._support import problem_document

    def judge(item: GeneratedCase, response: httpx.Response) -> list[str]:
        found = rejection_findings(item, response)
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


def main(argv: list[str] | None = None) -> int:
    """Write (or, with ``--check``, verify) spec/corpora/interface/probe-cases.json."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Generate the probe cases published with the standard.")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the published file is not what generating gives"
    )
    args = parser.parse_args(argv)
    text = published_text(generate())
    target = Path(str(published_path()))
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is stale: run python -m icss.conformance._fuzz", file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
