"""Reports: report.json (schema-valid), junit.xml and a self-contained bilingual report.html,
plus a signed manifest that lets anyone check that no byte changed.

The manifest lists the SHA-256 of every report file, the spec digest and the harness version;
``manifest.sig`` is an Ed25519 signature over the manifest's exact bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
from datetime import UTC, datetime
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from jinja2 import Environment, PackageLoader, select_autoescape

from icss.spec import validator

from ._outcomes import Outcome
from ._runner import RunResult

REPORT_FILES = ("report.json", "report.html", "junit.xml")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def report_document(result: RunResult) -> dict[str, Any]:
    """The report as JSON data; valid against spec/schemas/report.schema.json."""
    waiting = result.config.target.timing.waiting
    doc: dict[str, Any] = {
        "format": "icss-report/1",
        "spec": {"version": result.catalogue.version, "digest": result.catalogue.digest},
        "harness": {"name": "icss", "version": dist_version("icss")},
        "run": {
            "id": f"run-{result.started_at:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}",
            "started_at": _iso(result.started_at),
            "finished_at": _iso(result.finished_at),
            "workers": result.config.workers,
        },
        "target": {
            "url": result.config.target.url,
            "embedded": result.config.embedded,
            "service": result.service,
            "capabilities": result.capabilities,
        },
        "profile": result.config.profile,
        "level": {"claimed": result.config.level, "achieved": result.achieved_level},
        "certified": result.certified,
        "summary": {o.value: result.count(o) for o in Outcome},
        "indicators": [],
        "timings": {
            "total_seconds": round(result.wall_seconds, 3),
            "waiting_seconds": round(waiting, 3),
            "harness_seconds": round(max(result.wall_seconds - waiting / max(result.config.workers, 1), 0.0), 3),
            "requests": result.config.target.timing.requests,
        },
    }
    for r in result.indicators:
        ind = r.indicator
        entry: dict[str, Any] = {
            "id": ind.id,
            "area": ind.area,
            "level": ind.level,
            "obligation": ind.obligation,
            "verification": ind.verification,
            "title": {"zh": ind.title.zh, "en": ind.title.en},
            "outcome": r.outcome.value,
            "checks": [c.to_json() for c in r.checks],
        }
        if r.message:
            entry["message"] = r.message[:2000]
        if r.attestation is not None:
            entry["attestation"] = r.attestation.to_json()
        doc["indicators"].append(entry)
    errors = [e.message for e in validator("report").iter_errors(doc)]
    if errors:  # a harness bug: never write a report that breaks its own schema
        raise ValueError(f"report does not match report.schema.json: {errors[:3]}")
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """Canonical text of a report: loading and saving it gives the same bytes."""
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def junit_xml(doc: dict[str, Any]) -> str:
    suite = ET.Element(
        "testsuite",
        name=f"ICSS {doc['spec']['version']} {doc['profile']} level {doc['level']['claimed']}",
        tests=str(len(doc["indicators"])),
        failures=str(doc["summary"]["fail"]),
        errors=str(doc["summary"]["error"]),
        skipped=str(doc["summary"]["skipped"] + doc["summary"]["not-applicable"]),
    )
    for ind in doc["indicators"]:
        case = ET.SubElement(suite, "testcase", classname=f"icss.{ind['area']}", name=ind["id"])
        message = ind.get("message", "")
        if ind["outcome"] == "fail":
            ET.SubElement(case, "failure", message=message[:500]).text = message
        elif ind["outcome"] == "error":
            ET.SubElement(case, "error", message=message[:500]).text = message
        elif ind["outcome"] in ("skipped", "not-applicable"):
            ET.SubElement(case, "skipped", message=f"{ind['outcome']}: {message}"[:500])
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def html_report(doc: dict[str, Any]) -> str:
    env = Environment(loader=PackageLoader("icss.conformance", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["pretty"] = lambda value: html.escape(json.dumps(value, ensure_ascii=False, indent=2))
    from icss.spec import load_catalogue

    area_titles = {a.id: (a.title.zh, a.title.en) for a in load_catalogue().areas}
    outcome_zh = {
        "pass": "通过",
        "fail": "不通过",
        "error": "出错",
        "skipped": "未判定",
        "not-applicable": "不适用",
        "attested": "已证明",
    }
    return env.get_template("report.html.j2").render(report=doc, area_titles=area_titles, outcome_zh=outcome_zh)


# -- signing -------------------------------------------------------------------------------------


def generate_key(path: Path) -> Path:
    """Write a new Ed25519 private key (PEM, mode 0600) and its public key beside it (``.pub``)."""
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    path.chmod(0o600)
    public = path.with_suffix(path.suffix + ".pub")
    public.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return public


def _digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def write_report(result: RunResult, out_dir: Path, signing_key: Path | None = None) -> dict[str, Any]:
    """Write report.json, report.html, junit.xml and the signed manifest into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = report_document(result)
    (out_dir / "report.json").write_text(dumps(doc), encoding="utf-8")
    (out_dir / "report.html").write_text(html_report(doc), encoding="utf-8")
    (out_dir / "junit.xml").write_text(junit_xml(doc), encoding="utf-8")
    if signing_key is not None:
        key = load_pem_private_key(signing_key.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{signing_key} is not an Ed25519 private key")
    else:
        # No association key given: sign with a key made for this run and ship its public half, so
        # the files are still tamper-evident (though only the association's key makes them official).
        key = Ed25519PrivateKey.generate()
    public_pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    manifest = {
        "format": "icss-manifest/1",
        "files": {name: _digest(out_dir / name) for name in REPORT_FILES},
        "spec": doc["spec"],
        "harness": doc["harness"],
        "signer": {"algorithm": "Ed25519", "public_key": public_pem, "official": signing_key is not None},
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    (out_dir / "manifest.json").write_bytes(manifest_bytes)
    (out_dir / "manifest.sig").write_text(base64.b64encode(key.sign(manifest_bytes)).decode() + "\n")
    return doc


class ReportVerificationError(Exception):
    """A report folder whose files, manifest or signature do not check out."""


def verify_report(out_dir: Path, public_key: Path | None = None) -> dict[str, Any]:
    """Check the signature over the manifest and every file's digest; return the manifest."""
    try:
        manifest_bytes = (out_dir / "manifest.json").read_bytes()
        signature = base64.b64decode((out_dir / "manifest.sig").read_text().strip(), validate=True)
        manifest = json.loads(manifest_bytes)
    except (OSError, ValueError) as exc:
        raise ReportVerificationError(f"cannot read the manifest: {exc}") from None
    pem = public_key.read_bytes() if public_key else manifest["signer"]["public_key"].encode()
    key = load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ReportVerificationError("the signing key is not Ed25519")
    if public_key is not None and manifest["signer"]["public_key"].encode().strip() != pem.strip():
        raise ReportVerificationError("the manifest was signed by a different key than the one given")
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature:
        raise ReportVerificationError("the signature over manifest.json does not verify") from None
    for name, digest in manifest["files"].items():
        path = out_dir / name
        if not path.exists():
            raise ReportVerificationError(f"{name} is missing")
        if _digest(path) != digest:
            raise ReportVerificationError(f"{name} changed after signing")
    return dict(manifest)


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """Regressions (was pass/attested, now not) and fixes (the reverse) between two reports."""
    good = {"pass", "attested"}
    before = {i["id"]: i["outcome"] for i in old["indicators"]}
    after = {i["id"]: i["outcome"] for i in new["indicators"]}
    changes: dict[str, list[tuple[str, str, str]]] = {"regressions": [], "fixes": [], "other": []}
    for ind in sorted(set(before) | set(after)):
        a, b = before.get(ind, "absent"), after.get(ind, "absent")
        if a == b:
            continue
        key = "regressions" if a in good and b not in good else "fixes" if b in good and a not in good else "other"
        changes[key].append((ind, a, b))
    return changes
