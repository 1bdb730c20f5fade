"""Attestations: document evidence an auditor accepted, read from the file given to ``icss certify``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from icss.spec import validator


@dataclass(frozen=True)
class Attestation:
    evidence: str
    reviewer: str
    date: str
    expires: str
    note: str | None = None

    def valid_on(self, day: str) -> bool:
        """Whether the attestation counts on ``day`` (ISO date): issued by then and not yet expired."""
        return self.date <= day < self.expires

    def to_json(self) -> dict[str, Any]:
        doc = {"evidence": self.evidence, "reviewer": self.reviewer, "date": self.date, "expires": self.expires}
        if self.note:
            doc["note"] = self.note
        return doc


def _dates_as_text(value: Any) -> Any:
    """YAML reads 2026-11-20 as a date; the schema (and JSON) wants the ISO string."""
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class AttestationFileError(ValueError):
    """The attestations file is unreadable or does not match spec/schemas/attestations.schema.json."""


def load_attestations(path: Path) -> dict[str, Attestation]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise AttestationFileError(f"{path}: {exc}") from None
    raw = _dates_as_text(raw)
    errors = [e.message for e in validator("attestations").iter_errors(raw)]
    if errors:
        raise AttestationFileError(f"{path}: {'; '.join(errors[:5])}")
    return {
        indicator: Attestation(str(a["evidence"]), str(a["reviewer"]), str(a["date"]), str(a["expires"]), a.get("note"))
        for indicator, a in raw["attestations"].items()
    }
