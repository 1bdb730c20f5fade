"""Reports: schema-valid, round-trip stable, signed so that any changed byte is caught."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from icss.conformance import RunResult, diff_reports, verify_report, write_report
from icss.conformance._report import ReportVerificationError, dumps, generate_key
from icss.spec import validator

ONLY = {"OP-02", "OP-04", "OP-05", "OP-06", "DR-13", "DS-07"}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    from .conftest import run_harness

    return run_harness(tmp_path_factory.mktemp("report-run"), profile="cn", level=1, only=ONLY)


def test_report_is_schema_valid_and_round_trips(result: RunResult, tmp_path: Path) -> None:
    doc = write_report(result, tmp_path)
    assert not list(validator("report").iter_errors(doc))
    text = (tmp_path / "report.json").read_text()
    assert dumps(json.loads(text)) == text
    assert {i["id"] for i in doc["indicators"]} == ONLY
    attested = {i["id"]: i for i in doc["indicators"] if i["verification"] == "attested"}
    assert all(i["outcome"] == "skipped" for i in attested.values()), "no attestation file was given"
    assert doc["spec"]["digest"].startswith("sha256:")


def test_html_and_junit(result: RunResult, tmp_path: Path) -> None:
    write_report(result, tmp_path)
    html = (tmp_path / "report.html").read_text()
    for ind in ONLY:
        assert f'id="{ind}"' in html
    assert "中文 / English" in html
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html), "the report loads something remote"
    suite = ET.parse(tmp_path / "junit.xml").getroot()  # noqa: S314 - our own file, just written
    assert suite.tag == "testsuite"
    assert {case.get("name") for case in suite.iter("testcase")} == ONLY


def test_signature_catches_any_changed_byte(result: RunResult, tmp_path: Path) -> None:
    write_report(result, tmp_path)
    verify_report(tmp_path)
    data = bytearray((tmp_path / "report.html").read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "report.html").write_bytes(bytes(data))
    with pytest.raises(ReportVerificationError, match=r"report\.html changed"):
        verify_report(tmp_path)


def test_official_key_and_wrong_key(result: RunResult, tmp_path: Path) -> None:
    key = tmp_path / "association.key"
    public = generate_key(key)
    out = tmp_path / "out"
    write_report(result, out, signing_key=key)
    manifest = verify_report(out, public)
    assert manifest["signer"]["official"] is True
    other = generate_key(tmp_path / "other.key")
    with pytest.raises(ReportVerificationError, match="different key"):
        verify_report(out, other)
    manifest_path = out / "manifest.json"
    manifest_path.write_text(manifest_path.read_text().replace('"official": true', '"official": false'))
    with pytest.raises(ReportVerificationError):
        verify_report(out, public)


def test_diff_lists_regressions_and_fixes(result: RunResult, tmp_path: Path) -> None:
    old = write_report(result, tmp_path / "a")
    new = json.loads(json.dumps(old))
    flipped = next(i for i in new["indicators"] if i["outcome"] == "pass")
    flipped["outcome"] = "fail"
    skipped = next(i for i in new["indicators"] if i["outcome"] == "skipped")
    skipped["outcome"] = "attested"
    changes = diff_reports(old, new)
    assert changes["regressions"] == [(flipped["id"], "pass", "fail")]
    assert changes["fixes"] == [(skipped["id"], "skipped", "attested")]


def test_attestations_decide_attested_indicators(tmp_path: Path, harness: Callable[..., RunResult]) -> None:
    from icss.conformance import load_attestations

    path = tmp_path / "attestations.yaml"
    path.write_text(
        "attestations:\n"
        "  DS-07: {evidence: 'KMS policy ref A-1', reviewer: 'Auditor A', date: 2026-01-01, expires: 2099-01-01}\n"
        "  DR-13: {evidence: 'Training log 2025', reviewer: 'Auditor A', date: 2020-01-01, expires: 2021-01-01}\n"
    )
    attested = load_attestations(path)
    assert attested["DS-07"].valid_on("2026-06-01")
    assert not attested["DR-13"].valid_on("2026-06-01")
    bad = tmp_path / "bad.yaml"
    bad.write_text("attestations:\n  DS-07: {evidence: x}\n")
    with pytest.raises(ValueError, match="reviewer"):
        load_attestations(bad)
