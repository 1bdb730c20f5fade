"""``icss evidence …``: check evidence receipts and checkpoints offline, and say what they prove.

A debtor, an auditor or a regulator holds a receipt (an entry, its inclusion proof and a signed
checkpoint) or two checkpoints of a collector's evidence log. These commands verify them with
:mod:`icss.conformance.evidence` — the harness's own RFC 9162 / C2SP verifier, which shares no
code with the reference service — without contacting anyone, and print in plain words what was
proven and what was not.

Exit status: 0 verified, 1 verification failed, 2 the input could not be read (or a ``--key``
is not a verifier key).
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from .evidence import (
    ReceiptVerification,
    VerificationError,
    VerifiedCheckpoint,
    parse_checkpoint,
    parse_verifier_key,
    verify_consistency,
    verify_receipt,
    verify_signed_note,
)

app = typer.Typer(help="Verify evidence-log receipts and checkpoints offline.", no_args_is_help=True)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

VERIFIED, FAILED, UNREADABLE = 0, 1, 2

KeyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--key",
        metavar="VERIFIER_KEY",
        help="A verifier key you trust (name+keyid+base64, as the log publishes it). Repeatable.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of prose.")]


class _UnreadableError(Exception):
    """The input is not there or not in a format this command reads."""


def _read(source: str) -> str:
    try:
        if source == "-":
            return sys.stdin.read()
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _UnreadableError(f"cannot read {source}: {exc}") from exc


def _read_json(source: str) -> Any:
    text = _read(source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _UnreadableError(f"{'standard input' if source == '-' else source} is not JSON: {exc}") from exc


def _trusted(keys: Sequence[str] | None) -> list[str] | None:
    """The ``--key`` values, each checked to be a verifier key (a bad one is a usage error)."""
    if not keys:
        return None
    for key in keys:
        try:
            parse_verifier_key(key)
        except VerificationError as exc:
            raise typer.BadParameter(str(exc), param_hint="--key") from exc
    return list(keys)


def _finish(as_json: bool, code: int, document: dict[str, Any], lines: Sequence[str]) -> NoReturn:
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        console = _out if code == VERIFIED else _err
        for line in lines:
            console.print(line)
    raise typer.Exit(code)


def _failure(as_json: bool, code: int, what: str, error: Exception) -> NoReturn:
    kind = "unreadable" if code == UNREADABLE else type(error).__name__
    document = {"verified": False, "error": kind, "message": str(error)}
    verdict = "could not be read" if code == UNREADABLE else "does NOT verify"
    _finish(as_json, code, document, [f"✗ The {what} {verdict}.", f"  {kind}: {error}"])


def _no_key_warning(verifier_key: str) -> list[str]:
    return [
        "",
        "⚠ No trusted key was given (--key). The signature was checked with the key named inside",
        "  what you gave me, so this proves only that *whoever holds that key* signed it. Check that",
        f"  {verifier_key}",
        "  is the key the collector publishes (GET /evidence/public-key), then run again with --key.",
    ]


# -- icss evidence verify ---------------------------------------------------------------------------


def _receipt_lines(receipt: dict[str, Any], proven: ReceiptVerification) -> list[str]:
    entry = receipt["entry"]["entry"]
    kind = entry.get("kind", "?") if isinstance(entry, dict) else "?"
    at = entry.get("at") if isinstance(entry, dict) else None
    subject = entry.get("subject") if isinstance(entry, dict) else None
    root = base64.b64encode(proven.root_hash).decode()
    key_id = parse_verifier_key(proven.verifier_key).key_id.hex()
    lines = [
        "✓ The receipt verifies.",
        "",
        "What it proves:",
        f"  • Entry {proven.entry_index} ({kind}{f', recorded at {at}' if at else ''}) is in the evidence log",
        f"    {proven.origin!r}, exactly as this receipt shows it.",
        f"  • Its RFC 8785 canonical JSON hashes to the leaf {proven.leaf_hash.hex()};",
        f"    an audit path of {proven.audit_path_length} hashes places that leaf at index {proven.entry_index}"
        f" of the log's tree of {proven.tree_size} entries,",
        f"    whose root hash is {root}.",
        f"  • That tree size and root hash form a checkpoint signed with the Ed25519 key {proven.key_name!r}",
        f"    (key id {key_id}).",
        "  • The log must never sign a checkpoint inconsistent with this one, so removing or changing this",
        "    entry later would be provable from this receipt and any later checkpoint.",
    ]
    if isinstance(subject, str) and subject.startswith("hmac-"):
        lines.append("  • The person concerned is named in the entry only by a salted pseudonym, not in clear.")
    lines += [
        "",
        "What it does not prove:",
        "  • That what the entry says is true: only that the collector recorded it and cannot quietly alter it.",
        "  • When the checkpoint was signed: its timestamp is not part of the signature.",
    ]
    if proven.key_name != proven.origin:
        lines.append(f"  • Note: the signing key's name differs from the log's origin {proven.origin!r}.")
    if not proven.key_trusted:
        lines += _no_key_warning(proven.verifier_key)
    return lines


@app.command()
def verify(
    receipt_file: Annotated[str, typer.Argument(metavar="RECEIPT", help="Receipt JSON file, or - for stdin.")],
    key: KeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verify an evidence receipt offline and say in plain words what it proves.

    The receipt is what ``GET /evidence/receipts/{index}`` returns (and what a debtor's record
    links to): an entry, its RFC 9162 inclusion proof and the C2SP checkpoint it was proven
    against. Exit 0 verified, 1 verification failed, 2 unreadable input.
    """
    trusted = _trusted(key)
    try:
        receipt = _read_json(receipt_file)
    except _UnreadableError as exc:
        _failure(as_json, UNREADABLE, "receipt", exc)
    try:
        proven = verify_receipt(receipt, trusted_keys=trusted)
    except VerificationError as exc:
        _failure(as_json, FAILED, "receipt", exc)
    document = {
        "verified": True,
        "entry_index": proven.entry_index,
        "leaf_hash": proven.leaf_hash.hex(),
        "tree_size": proven.tree_size,
        "root_hash": base64.b64encode(proven.root_hash).decode(),
        "origin": proven.origin,
        "key_name": proven.key_name,
        "verifier_key": proven.verifier_key,
        "key_trusted": proven.key_trusted,
        "audit_path_length": proven.audit_path_length,
        "statement": proven.describe(),
    }
    _finish(as_json, VERIFIED, document, _receipt_lines(receipt, proven))


# -- icss evidence consistency ----------------------------------------------------------------------


def _note_of(source: str) -> str:
    """The signed note in a file: the note itself (text/plain) or a checkpoint JSON object."""
    text = _read(source)
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _UnreadableError(f"{source} is neither a signed note nor JSON: {exc}") from exc
        note = document.get("signed_note") if isinstance(document, dict) else None
        if not isinstance(note, str):
            raise _UnreadableError(f"{source} is JSON without a 'signed_note' string")
        return note
    return text


def _unsigned_checkpoint(note: str) -> VerifiedCheckpoint:
    """The checkpoint text of a signed note, trusting nothing (no key to check it with)."""
    split = note.rfind("\n\n")
    return parse_checkpoint(note[: split + 1] if split >= 0 else note)


def _checkpoint(note: str, trusted: Sequence[str] | None) -> VerifiedCheckpoint:
    if not trusted:
        return _unsigned_checkpoint(note)
    error: VerificationError | None = None
    for candidate in trusted:
        try:
            return verify_signed_note(note, candidate)
        except VerificationError as exc:
            error = exc
    assert error is not None  # noqa: S101 - trusted is not empty
    raise error


def _proof_of(source: str) -> list[bytes]:
    """The consistency proof: the JSON of getConsistencyProof, a JSON list, or one base64 hash a line."""
    text = _read(source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = [line.strip() for line in text.splitlines() if line.strip()]
    hashes = document.get("proof") if isinstance(document, dict) else document
    if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
        raise _UnreadableError(f"{source} holds no list of base64 hashes")
    try:
        return [base64.b64decode(h, validate=True) for h in hashes]
    except binascii.Error as exc:
        raise _UnreadableError(f"{source} holds a hash that is not base64: {exc}") from exc


@app.command()
def consistency(
    old_checkpoint: Annotated[str, typer.Argument(help="The earlier checkpoint: signed note or checkpoint JSON.")],
    new_checkpoint: Annotated[str, typer.Argument(help="The later checkpoint: signed note or checkpoint JSON.")],
    proof: Annotated[
        str, typer.Option("--proof", help="Consistency proof: getConsistencyProof JSON, a JSON list or base64 lines.")
    ],
    key: KeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check that a later checkpoint of a log extends an earlier one (RFC 9162 consistency proof).

    Exit 0 verified, 1 verification failed, 2 unreadable input.
    """
    trusted = _trusted(key)
    try:
        old_note, new_note, hashes = _note_of(old_checkpoint), _note_of(new_checkpoint), _proof_of(proof)
    except _UnreadableError as exc:
        _failure(as_json, UNREADABLE, "input", exc)
    try:
        old, new = _checkpoint(old_note, trusted), _checkpoint(new_note, trusted)
        if old.origin != new.origin:
            raise VerificationError(f"the checkpoints are of two logs: {old.origin!r} and {new.origin!r}")
        verify_consistency(old.tree_size, new.tree_size, hashes, old.root_hash, new.root_hash)
    except VerificationError as exc:
        _failure(as_json, FAILED, "consistency proof", exc)
    document = {
        "verified": True,
        "origin": old.origin,
        "old": {"tree_size": old.tree_size, "root_hash": base64.b64encode(old.root_hash).decode()},
        "new": {"tree_size": new.tree_size, "root_hash": base64.b64encode(new.root_hash).decode()},
        "proof_length": len(hashes),
        "signatures_checked": bool(trusted),
    }
    lines = [
        "✓ The consistency proof verifies.",
        "",
        "What it proves:",
        f"  • The log {old.origin!r} at {new.tree_size} entries extends the same log at {old.tree_size} entries:",
        f"    its first {old.tree_size} entries are exactly those of the earlier checkpoint — none removed,",
        "    changed or reordered; anything since was only appended.",
    ]
    if trusted:
        lines.append(f"  • Both checkpoints are signed by a key you trust ({old.key_name!r}).")
    else:
        lines += [
            "",
            "⚠ No trusted key was given (--key): the checkpoints' signatures were NOT checked, so this shows",
            "  only that the two tree heads as written are consistent. Run again with the key the collector",
            "  publishes (GET /evidence/public-key) to know the collector signed them.",
        ]
    _finish(as_json, VERIFIED, document, lines)
