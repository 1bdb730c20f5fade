"""The probe's own judges (conformance/_fuzz.py) against schemathesis' verdicts, which they replace at run time.

The probe judges responses itself so that a run never imports schemathesis; these tests keep it honest:
on every exchange of a probe of the reference, and on variants of each answer made to break one rule
(an undocumented status or media type, a body that is not JSON, a member missing or of the wrong type, a
malformed request accepted), the probe and schemathesis' own checks must agree on pass or fail.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from icss.conformance import _fuzz
from icss.conformance._fuzz import GeneratedCase, conformance_findings, rejection_findings

from .conftest import run_harness

_CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
_REJECTION = [not_a_server_error, negative_data_rejection]


def _schemathesis_fails(case: Any, response: httpx.Response, checks: list[Any]) -> bool:
    try:
        case.validate_response(response, checks=checks)
    except FailureGroup:
        return True
    return False


def _response(status: int, headers: dict[str, str], content: bytes, request: httpx.Request) -> httpx.Response:
    made = httpx.Response(status, headers=headers, content=content, request=request)
    made.elapsed = timedelta(milliseconds=1)
    return made


def _variants(response: httpx.Response) -> list[tuple[str, httpx.Response]]:
    """The answer as given, and variants that each break one thing a judge looks at."""
    request = response.request
    media = response.headers.get("content-type", "")
    content = response.content
    out = [("as given", _response(response.status_code, {"content-type": media} if media else {}, content, request))]
    for status in (200, 201, 204, 418, 422, 500):
        if status != response.status_code:
            out.append((f"status {status}", _response(status, {"content-type": media}, content, request)))
    out.append(("text/html", _response(response.status_code, {"content-type": "text/html"}, content, request)))
    out.append(("no media type", _response(response.status_code, {}, content, request)))
    if "json" in media:
        out.append(("not JSON", _response(response.status_code, {"content-type": media}, b"{not json", request)))
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        if isinstance(body, dict) and body:
            first = next(iter(body))
            dropped = {k: v for k, v in body.items() if k != first}
            retyped = {**body, first: [[]]}
            for name, changed in (("member dropped", dropped), ("member retyped", retyped)):
                out.append(
                    (
                        name,
                        _response(response.status_code, {"content-type": media}, json.dumps(changed).encode(), request),
                    )
                )
    return out


@pytest.fixture(scope="module")
def schemathesis_cases() -> dict[str, list[tuple[GeneratedCase, Any]]]:
    """Cases generated anew, each beside the schemathesis case it came from (the oracle needs the latter)."""
    return {mode: _fuzz._generate(mode)[0] for mode in _fuzz.CASES_PER_OPERATION}


@pytest.fixture(scope="module")
def exchanges(
    tmp_path_factory: pytest.TempPathFactory, schemathesis_cases: dict[str, list[tuple[GeneratedCase, Any]]]
) -> list[tuple[GeneratedCase, httpx.Response]]:
    """Every (case, answer) of both probes against the reference, the probes sending the cases generated here
    (the published ones may come from another schemathesis release than the one installed)."""
    probes = _fuzz._Probes(
        cases={mode: (tuple(g for g, _ in pairs), ()) for mode, pairs in schemathesis_cases.items()},
        rejecting=tuple(_fuzz._rejecting_statuses()),
    )
    seen: list[tuple[GeneratedCase, httpx.Response]] = []
    original = _fuzz.send

    def recording(ctx: Any, generated: GeneratedCase, tokens: Any, ids: dict[str, str]) -> httpx.Response:
        response = original(ctx, generated, tokens, ids)
        seen.append((generated, response))
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_fuzz, "send", recording)
        patch.setattr(_fuzz, "_probes", lambda: probes)
        run_harness(Path(tmp_path_factory.mktemp("judges")), profile="us", level=3, only={"OP-01", "OP-02"})
    return seen


def _case_of(pairs: list[tuple[GeneratedCase, Any]], generated: GeneratedCase) -> Any:
    return next(case for made, case in pairs if made == generated)


def test_the_probes_saw_every_case(
    exchanges: list[tuple[GeneratedCase, httpx.Response]], schemathesis_cases: dict[str, Any]
) -> None:
    sent = [g for g, _ in exchanges]
    for mode in _fuzz.CASES_PER_OPERATION:
        assert len([g for g in sent if g.mode == mode]) == len(schemathesis_cases[mode])


def test_valid_requests_are_judged_as_schemathesis_judges_them(
    exchanges: list[tuple[GeneratedCase, httpx.Response]], schemathesis_cases: dict[str, Any]
) -> None:
    compared = disagreements = 0
    failing = 0
    lines: list[str] = []
    for generated, response in exchanges:
        if generated.mode != "positive":
            continue
        case = _case_of(schemathesis_cases["positive"], generated)
        for what, variant in _variants(response):
            if variant.status_code >= 500:
                continue  # a server error to a valid request is an error outcome before any judging
            ours = conformance_findings(generated, variant)
            theirs = _schemathesis_fails(case, variant, _CONFORMANCE)
            compared += 1
            failing += theirs
            if bool(ours) != theirs:
                disagreements += 1
                lines.append(
                    f"{generated.operation_id} [{what}] {variant.status_code}: ours {ours}, schemathesis {theirs}"
                )
    assert compared > 1000
    assert failing > 200, "the variants hardly ever break a rule: the comparison proves little"
    assert disagreements == 0, "\n".join(lines[:20])


def test_malformed_requests_are_judged_as_schemathesis_judges_them(
    exchanges: list[tuple[GeneratedCase, httpx.Response]], schemathesis_cases: dict[str, Any]
) -> None:
    compared = disagreements = failing = 0
    lines: list[str] = []
    for generated, response in exchanges:
        if generated.mode != "negative":
            continue
        case = _case_of(schemathesis_cases["negative"], generated)
        for what, variant in _variants(response):
            if variant.status_code == 501 and generated.operation_id in _fuzz._optional():
                continue  # the probe lets an optional feature refuse with 501; schemathesis knows no such rule
            ours = rejection_findings(generated, variant)
            theirs = _schemathesis_fails(case, variant, _REJECTION)
            if variant.status_code >= 500 and not generated.judged:
                # A request-shape probe (an undeclared method or media type) answered with a server error:
                # schemathesis re-sends it without the odd part and blames the target only when that succeeds;
                # the probe blames every server error (OP-02: never a 5xx).
                assert ours
                continue
            compared += 1
            failing += theirs
            if bool(ours) != theirs:
                disagreements += 1
                where = f"{generated.operation_id} [{generated.description}; {what}] {variant.status_code}"
                lines.append(f"{where}: ours {ours}, schemathesis {theirs}")
    assert compared > 1500
    assert failing > 300
    assert disagreements == 0, "\n".join(lines[:20])
