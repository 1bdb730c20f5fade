"""The schemathesis probe (conformance/_fuzz.py): what it generates, and that each of its checks fails
on a mutant that only it finds — the hand-written check of the same indicator passes there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from icss.conformance import Outcome, _fuzz
from icss.conformance._fuzz import _bundled_document, cases
from icss.spec import openapi_document

from .conftest import run_harness
from .mutants import MUTANTS


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.removeprefix("#/").split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def test_the_document_schemathesis_reads_is_self_contained() -> None:
    """No reference leaves the document, so schemathesis never reads a file or the network to resolve one."""
    document = _bundled_document()
    refs = set(_refs(document))
    assert refs, "the bundled document has no references at all: the inlining lost them"
    outside = sorted(r for r in refs if not r.startswith("#/"))
    assert outside == []
    for ref in refs:
        assert _resolve(document, ref) is not None, ref


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_every_http_operation_gets_generated_cases(mode: str) -> None:
    generated, unprobed = cases(mode)
    assert unprobed == ()
    declared = {
        op["operationId"]
        for item in openapi_document()["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {c.operation_id for c in generated} == declared - {"streamScriptChecks"}
    assert all(c.mode == mode for c in generated)
    assert cases(mode) is cases(mode)  # generated once per process, shared by every run


def test_cached_cases_are_the_generated_ones(tmp_path: Path) -> None:
    """A case read back from the cache file sends the same request and keeps schemathesis' metadata
    (negative_data_rejection needs it to know which part of a request was made invalid)."""
    generated = {mode: cases(mode) for mode in _fuzz.CASES_PER_OPERATION}
    path = tmp_path / "cases.pickle"
    _fuzz._store(path, generated)
    for mode, (made, unprobed) in generated.items():
        loaded = _fuzz._load(path, mode)
        assert loaded is not None
        back, back_unprobed = loaded
        assert back_unprobed == unprobed
        assert len(back) == len(made)
        for original, again in zip(made, back, strict=True):
            assert (again.operation_id, again.description, again.role) == (
                original.operation_id,
                original.description,
                original.role,
            )
            sent, resent = _fuzz._request_parts(original.case, {}), _fuzz._request_parts(again.case, {})
            assert resent == sent
            assert again.case.meta == original.case.meta


def test_an_unreadable_cache_file_means_generating_again(tmp_path: Path) -> None:
    path = tmp_path / "cases.pickle"
    path.write_bytes(b"not a pickle")
    assert _fuzz._load(path, "positive") is None
    assert _fuzz._load(tmp_path / "missing.pickle", "negative") is None


def test_a_cache_file_others_may_write_is_not_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "cases.pickle"
    _fuzz._store(path, {mode: cases(mode) for mode in _fuzz.CASES_PER_OPERATION})
    assert path.stat().st_mode & 0o777 == 0o600
    assert _fuzz._load(path, "positive") is not None
    path.chmod(0o666)
    assert _fuzz._load(path, "positive") is None


@pytest.mark.parametrize(
    ("mutant_name", "probe", "hand_written"),
    [
        ("op_categories_off_schema", "op.generated_valid_requests_conform", "op.responses_match_openapi"),
        ("op_long_id_500", "op.generated_malformed_requests_rejected", "op.malformed_input_gets_problem_documents"),
    ],
)
def test_each_probe_fails_on_a_mutant_only_it_finds(
    mutant_name: str, probe: str, hand_written: str, tmp_path: Path
) -> None:
    mutant = MUTANTS[mutant_name]
    result = run_harness(tmp_path, profile=mutant.profile, level=mutant.level, wrap=mutant.wrap, only=mutant.breaks)
    checks = {c.name: c for r in result.indicators for c in r.checks}
    assert checks[hand_written].outcome is Outcome.PASS, checks[hand_written].message
    found = checks[probe]
    assert found.outcome is Outcome.FAIL, found.message
    assert "schemathesis-generated" in found.message
    # The excerpt shows the offending exchange, not merely the last requests sent.
    offending = found.exchanges[-1]
    if mutant_name == "op_categories_off_schema":
        assert "listScriptCategories" in found.message
        assert "default_severity" in found.message
        assert (offending.path, offending.status) == ("/script-checks/categories", 200)
    else:
        assert "getIncident" in found.message
        assert offending.path.startswith("/incidents/")
        assert offending.status == 500


def _feature_not_offered(problem: bool) -> Any:
    """createMediationCase (an optional feature) answers 501 to everything, as a problem document or not."""
    body = (
        json.dumps({"type": "about:blank", "title": "Not implemented", "status": 501}).encode()
        if problem
        else b"Not Implemented"
    )
    media = b"application/problem+json" if problem else b"text/plain"

    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == "/icss/v1/mediation-cases":
                await send({"type": "http.response.start", "status": 501, "headers": [(b"content-type", media)]})
                await send({"type": "http.response.body", "body": body})
                return
            await app(scope, receive, send)

        return wrapped

    return wrap


@pytest.mark.parametrize("problem", [True, False], ids=["problem-document", "plain-text"])
def test_an_optional_feature_may_answer_501_to_malformed_requests(problem: bool, tmp_path: Path) -> None:
    """OP-02 forbids a 5xx for malformed input, but a target without an optional feature may refuse the
    operation with 501 before it reads the request — as a problem document, like every error."""
    result = run_harness(tmp_path, profile="us", wrap=_feature_not_offered(problem), only={"OP-02"})
    check = next(c for r in result.indicators for c in r.checks if c.name == "op.generated_malformed_requests_rejected")
    if problem:
        assert check.outcome is Outcome.PASS, check.message
    else:
        assert check.outcome is Outcome.FAIL
        assert "createMediationCase" in check.message
        assert "application/problem+json" in check.message
