"""``icss evidence verify`` and ``icss evidence consistency``, driven through typer's CliRunner.

The receipts and checkpoints come from the reference prover (a test may use both sides; the
command itself only uses the harness's verifier). Exit status: 0 verified, 1 verification
failed, 2 unreadable input or a bad ``--key``.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from icss.conformance import _evidence_commands
from icss.reference.evidence import CheckpointIssuer, InMemoryNodeStore, MerkleLog, NoteSigner, build_receipt

ORIGIN = "collector.example.com/icss/v1/evidence/t_cli"

# The command group as ``icss`` mounts it (conformance/cli.py: add_typer(..., name="evidence")).
icss = typer.Typer()
icss.add_typer(_evidence_commands.app, name="evidence")
runner = CliRunner()


def _entry(n: int) -> dict[str, Any]:
    subject = "hmac-sha256:" + f"{n:02x}" * 32
    return {"kind": "contact_attempt", "tenant": "t_cli", "subject": subject, "at": "2026-03-03T13:59:30Z",
            "payload": {"attempt_id": f"att_{n}", "channel": "call", "outcome": "no_answer"}}  # fmt: skip


class Log:
    """A small log with its signer and the checkpoints it issued at sizes 5, 12 and 37."""

    def __init__(self) -> None:
        self.log = MerkleLog(InMemoryNodeStore())
        self.signer = NoteSigner.generate(ORIGIN)
        self.issuer = CheckpointIssuer(self.log, self.signer)
        self.entries = [_entry(n) for n in range(37)]
        self.checkpoints = {}
        for start, end in ((0, 5), (5, 12), (12, 37)):
            self.log.append_entries(self.entries[start:end])
            self.checkpoints[end] = self.issuer.issue()

    @property
    def key(self) -> str:
        return self.signer.verifier_key

    def receipt(self, index: int = 17) -> dict[str, Any]:
        return build_receipt(self.log, index, self.entries[index], self.checkpoints[37], self.key)


@pytest.fixture(scope="module")
def log() -> Log:
    return Log()


def _write(path: Path, document: Any) -> str:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def _run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(icss, ["evidence", *args], input=stdin)


# -- verify --------------------------------------------------------------------------------------


def test_verify_with_a_trusted_key(log: Log, tmp_path: Path) -> None:
    result = _run("verify", "--key", log.key, _write(tmp_path / "r.json", log.receipt()))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("✓ The receipt verifies.")
    assert "Entry 17 (contact_attempt, recorded at 2026-03-03T13:59:30Z) is in the evidence log" in out
    assert "index 17 of the log's tree of 37 entries" in out
    assert base64.b64encode(log.log.root()).decode() in out
    assert log.log.leaf_hash(17).hex() in out
    assert f"signed with the Ed25519 key {ORIGIN!r}" in out
    assert log.signer.key_hash.hex() in out
    assert "salted pseudonym" in out
    assert "What it does not prove" in out
    assert "No trusted key" not in out


def test_verify_without_a_key_warns(log: Log, tmp_path: Path) -> None:
    result = _run("verify", _write(tmp_path / "r.json", log.receipt()))
    assert result.exit_code == 0, result.output
    assert "✓ The receipt verifies." in result.output
    assert "⚠ No trusted key was given (--key)" in result.output
    assert log.key in result.output


def test_verify_reads_stdin(log: Log) -> None:
    result = _run("verify", "--key", log.key, "-", stdin=json.dumps(log.receipt(3)))
    assert result.exit_code == 0, result.output
    assert "Entry 3 " in result.output


def test_verify_json_output(log: Log, tmp_path: Path) -> None:
    result = _run("verify", "--json", "--key", log.key, _write(tmp_path / "r.json", log.receipt(36)))
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["verified"] is True
    assert (document["entry_index"], document["tree_size"], document["key_trusted"]) == (36, 37, True)
    assert document["leaf_hash"] == log.log.leaf_hash(36).hex()
    assert document["root_hash"] == base64.b64encode(log.log.root()).decode()
    assert (document["origin"], document["key_name"], document["verifier_key"]) == (ORIGIN, ORIGIN, log.key)
    assert "Entry 36" in document["statement"]


def test_verify_a_receipt_that_names_no_key(log: Log, tmp_path: Path) -> None:
    # The ICSS receipt schema does not require verifier_key: a trusted key then does the job.
    receipt = {k: v for k, v in log.receipt().items() if k != "verifier_key"}
    path = _write(tmp_path / "r.json", receipt)
    other = NoteSigner.generate(ORIGIN).verifier_key
    assert _run("verify", "--key", other, "--key", log.key, path).exit_code == 0
    result = _run("verify", path)
    assert result.exit_code == 1
    assert "MalformedReceipt" in result.output


def _tampered(receipt: dict[str, Any], what: str) -> dict[str, Any]:
    out = copy.deepcopy(receipt)
    if what == "entry":
        out["entry"]["entry"]["payload"]["outcome"] = "conversation"
    elif what == "path":
        path = out["inclusion_proof"]["audit_path"]
        path[0] = base64.b64encode(bytes(32)).decode()
    elif what == "note":
        out["checkpoint"]["signed_note"] = out["checkpoint"]["signed_note"].replace("\n37\n", "\n38\n")
    return out


@pytest.mark.parametrize(
    ("what", "error"), [("entry", "LeafMismatch"), ("path", "RootMismatch"), ("note", "BadSignature")]
)
def test_verify_a_tampered_receipt_fails(log: Log, tmp_path: Path, what: str, error: str) -> None:
    path = _write(tmp_path / "r.json", _tampered(log.receipt(), what))
    result = _run("verify", "--key", log.key, path)
    assert result.exit_code == 1, result.output
    assert "✗ The receipt does NOT verify." in result.output
    assert error in result.output
    as_json = _run("verify", "--json", "--key", log.key, path)
    assert as_json.exit_code == 1
    assert json.loads(as_json.output) == {
        "verified": False,
        "error": error,
        "message": json.loads(as_json.output)["message"],
    }


def test_verify_with_a_key_the_receipt_was_not_signed_with(log: Log, tmp_path: Path) -> None:
    forger = NoteSigner.generate(ORIGIN)
    forged = build_receipt(log.log, 4, log.entries[4], CheckpointIssuer(log.log, forger).issue(), forger.verifier_key)
    path = _write(tmp_path / "forged.json", forged)
    assert _run("verify", path).exit_code == 0  # self-consistent, signed by *a* key ...
    result = _run("verify", "--key", log.key, path)  # ... but not the collector's
    assert result.exit_code == 1
    assert "UntrustedKey" in result.output


@pytest.mark.parametrize("content", [None, "not json {", b"\xff\xfe binary"], ids=["missing", "not-json", "not-utf8"])
def test_verify_unreadable_input(tmp_path: Path, content: str | bytes | None) -> None:
    path = tmp_path / "receipt.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = _run("verify", str(path))
    assert result.exit_code == 2, result.output
    assert "could not be read" in result.output
    as_json = _run("verify", "--json", str(path))
    assert as_json.exit_code == 2
    assert json.loads(as_json.output)["error"] == "unreadable"


def test_verify_not_a_receipt(tmp_path: Path) -> None:
    result = _run("verify", _write(tmp_path / "r.json", [1, 2, 3]))
    assert result.exit_code == 1
    assert "MalformedReceipt" in result.output


def test_verify_with_a_malformed_key(log: Log, tmp_path: Path) -> None:
    result = _run("verify", "--key", "not-a-key", _write(tmp_path / "r.json", log.receipt()))
    assert result.exit_code == 2
    assert "--key" in result.output


def test_verify_a_receipt_of_the_reference_service(log: Log, tmp_path: Path) -> None:
    # The example receipt of the ICSS receipt schema is shaped like the service's: it parses, and
    # fails only on its signature (the example's key is not published).
    from icss.spec import schema

    example = schema("receipt.schema.json")["examples"][0]
    result = _run("verify", _write(tmp_path / "r.json", example))
    assert result.exit_code == 1
    assert "MalformedReceipt" in result.output  # no verifier_key and no --key


# -- consistency -----------------------------------------------------------------------------------


def _proof(log: Log, first: int, second: int) -> dict[str, Any]:
    hashes = log.log.consistency_proof(first, second)
    return {"first": first, "second": second, "proof": [base64.b64encode(h).decode() for h in hashes]}


@pytest.mark.parametrize("form", ["note", "json"])
def test_consistency_verifies(log: Log, tmp_path: Path, form: str) -> None:
    def checkpoint(size: int) -> str:
        signed = log.checkpoints[size]
        document = signed.signed_note if form == "note" else {**signed.to_json(), "timestamp": "2026-03-03T14:00:05Z"}
        return _write(tmp_path / f"cp{size}.{form}", document)

    proof = _write(tmp_path / "proof.json", _proof(log, 5, 37))
    result = _run("consistency", checkpoint(5), checkpoint(37), "--proof", proof, "--key", log.key)
    assert result.exit_code == 0, result.output
    assert "✓ The consistency proof verifies." in result.output
    assert "at 37 entries extends the same log at 5 entries" in result.output
    assert "signed by a key you trust" in result.output
    as_json = _run("consistency", checkpoint(5), checkpoint(37), "--proof", proof, "--key", log.key, "--json")
    document = json.loads(as_json.output)
    assert document["verified"] is True
    assert (document["old"]["tree_size"], document["new"]["tree_size"]) == (5, 37)


def test_consistency_proof_as_base64_lines_without_a_key(log: Log, tmp_path: Path) -> None:
    old = _write(tmp_path / "old", log.checkpoints[12].signed_note)
    new = _write(tmp_path / "new", log.checkpoints[37].signed_note)
    lines = _write(tmp_path / "proof.txt", "\n".join(_proof(log, 12, 37)["proof"]) + "\n")
    result = _run("consistency", old, new, "--proof", lines)
    assert result.exit_code == 0, result.output
    assert "signatures were NOT checked" in result.output


def test_consistency_failures(log: Log, tmp_path: Path) -> None:
    notes = {size: _write(tmp_path / f"cp{size}", cp.signed_note) for size, cp in log.checkpoints.items()}
    good = _proof(log, 5, 37)
    bad = {**good, "proof": [base64.b64encode(bytes(32)).decode(), *good["proof"][1:]]}
    cases = [
        ((notes[5], notes[37], _write(tmp_path / "bad.json", bad)), "RootMismatch"),
        ((notes[12], notes[37], _write(tmp_path / "good.json", good)), ""),  # the proof is for 5 -> 37
        ((notes[37], notes[5], _write(tmp_path / "good2.json", good)), "InvalidSize"),
    ]
    for (old, new, proof), error in cases:
        result = _run("consistency", old, new, "--proof", proof, "--key", log.key)
        assert result.exit_code == 1, result.output
        assert "✗ The consistency proof does NOT verify." in result.output
        assert error in result.output
    other = NoteSigner.generate("elsewhere.example/log")
    foreign = CheckpointIssuer(log.log, other, origin="elsewhere.example/log").issue()
    result = _run(
        "consistency",
        notes[5],
        _write(tmp_path / "foreign", foreign.signed_note),
        "--proof",
        str(tmp_path / "good.json"),
    )
    assert result.exit_code == 1
    assert "two logs" in result.output
    # Signed by an untrusted key: the note has no signature by the trusted one.
    result = _run(
        "consistency", notes[5], notes[37], "--proof", str(tmp_path / "good.json"), "--key", other.verifier_key
    )
    assert result.exit_code == 1
    assert "NoMatchingSignature" in result.output


def test_consistency_unreadable_input(log: Log, tmp_path: Path) -> None:
    old = _write(tmp_path / "old", log.checkpoints[5].signed_note)
    new = _write(tmp_path / "new", log.checkpoints[37].signed_note)
    for name, content in (("missing", None), ("notbase64", '["###"]'), ("object", '{"nothing": 1}')):
        path = tmp_path / name
        if content is not None:
            path.write_text(content)
        result = _run("consistency", old, new, "--proof", str(path))
        assert result.exit_code == 2, (name, result.output)
    result = _run("consistency", old, _write(tmp_path / "broken.json", "{not json"), "--proof", str(path))
    assert result.exit_code == 2


def test_the_icss_command_mounts_the_group() -> None:
    from icss.conformance import cli

    names = {group.name for group in cli.app.registered_groups}
    if "evidence" not in names:
        pytest.skip("conformance/cli.py does not mount the evidence group yet")
    result = runner.invoke(cli.app, ["evidence", "--help"])
    assert result.exit_code == 0
    assert re.search(r"verify\s", result.output)
