"""The schemathesis probe (conformance/_fuzz.py): what it generates, and that each of its checks fails
on a mutant that only it finds — the hand-written check of the same indicator passes there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import pytest

from icss.conformance import Outcome, _fuzz
from icss.conformance._fuzz import _bundled_document, cases
from icss.spec import openapi_document, validator

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
    """A case read back from the cache file sends the same request and keeps the verdicts that depend on the
    request alone (which malformed requests must be rejected, which are request-shape probes)."""
    probes = _fuzz._probes()
    path = tmp_path / "cases.json"
    _fuzz._store(path, probes)
    loaded = _fuzz._load(path)
    assert loaded == probes
    assert any(c.rejection_expected for c in probes.cases["negative"][0])
    assert any(not c.rejection_expected for c in probes.cases["negative"][0])
    assert any("content" in c.request for mode in ("positive", "negative") for c in probes.cases[mode][0]), (
        "no case with a raw body (issueToken's form): the round trip of bytes is untested"
    )


def test_a_run_never_imports_schemathesis(tmp_path: Path) -> None:
    """Importing schemathesis and building its schema cost more CPU than the rest of a run's harness work:
    a run reads the published cases and judges the answers itself."""
    code = (
        "import sys; from icss.conformance import _fuzz; _fuzz.cases('positive'); _fuzz.cases('negative'); "
        "assert _fuzz.cases_source().startswith('published'), _fuzz.cases_source(); "
        "assert 'schemathesis' not in sys.modules and 'hypothesis' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


def test_the_published_cases_match_the_interface_document() -> None:
    """spec/corpora/interface/probe-cases.json was generated from today's spec/openapi.yaml and schemas."""
    stored = json.loads(_fuzz.published_path().read_text(encoding="utf-8"))
    assert stored["document_digest"] == _fuzz._document_digest(), (
        "the interface changed since the probe cases were published: python -m icss.conformance._fuzz"
    )
    assert list(validator("probe-cases").iter_errors(stored)) == []
    assert _fuzz._published() is not None


def test_generating_reproduces_the_published_cases() -> None:
    """The published file is what generating gives (with the schemathesis release that generated it: another
    release may choose other boundary values, which is why the cases are published rather than generated)."""
    stored = json.loads(_fuzz.published_path().read_text(encoding="utf-8"))
    installed = f"schemathesis {package_version('schemathesis')}"
    if stored["generator"] != installed:
        pytest.skip(f"published with {stored['generator']}, {installed} installed: regenerating would differ")
    # In a fresh process: a few generated values (dates of a date-time format) come from a random source
    # seeded per process, so a process that has generated before gives others.
    checked = subprocess.run(
        [sys.executable, "-m", "icss.conformance._fuzz", "--check"], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_stale_published_cases_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document digest that does not match means another interface: generate (or read the cache) instead."""
    stored = json.loads(_fuzz.published_path().read_text(encoding="utf-8"))
    stale = tmp_path / "probe-cases.json"
    stale.write_text(json.dumps({**stored, "document_digest": "0" * 64}), encoding="utf-8")
    monkeypatch.setattr(_fuzz, "published_path", lambda: stale)
    assert _fuzz._published() is None
    stale.write_text(json.dumps(stored), encoding="utf-8")
    assert _fuzz._published() is not None


def test_an_unreadable_cache_file_means_generating_again(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_bytes(b"not json")
    path.chmod(0o600)
    assert _fuzz._load(path) is None
    assert _fuzz._load(tmp_path / "missing.json") is None
    path.write_text(json.dumps({"format": 1}))
    assert _fuzz._load(path) is None


def test_a_cache_file_others_may_write_is_not_read(tmp_path: Path) -> None:
    """The cache decides which requests a certification sends and how they are judged."""
    path = tmp_path / "cases.json"
    _fuzz._store(path, _fuzz._probes())
    assert path.stat().st_mode & 0o777 == 0o600
    assert _fuzz._load(path) is not None
    path.chmod(0o666)
    assert _fuzz._load(path) is None


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
