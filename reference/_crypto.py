"""Field-level encryption and masking of personal data.

Each personal-data field is sealed with AES-256-GCM under the service's data key; the associated
data binds a ciphertext to its tenant and field, so a value copied into another row or tenant
does not decrypt. Views that do not need the clear value get a masked one instead.
"""

from __future__ import annotations

import base64
import json
import os
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1:"


class FieldCipher:
    """Seal and open personal-data values (any JSON value) with AES-256-GCM."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, value: Any, *, tenant: str, field: str) -> str:
        nonce = os.urandom(12)
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        sealed = self._aead.encrypt(nonce, plaintext, f"{tenant}|{field}".encode())
        return _PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, token: str, *, tenant: str, field: str) -> Any:
        if not token.startswith(_PREFIX):
            raise ValueError("not a sealed ICSS field")
        raw = base64.b64decode(token[len(_PREFIX) :])
        try:
            plaintext = self._aead.decrypt(raw[:12], raw[12:], f"{tenant}|{field}".encode())
        except InvalidTag:
            raise ValueError(f"sealed field {field!r} does not belong to this tenant or key") from None
        return json.loads(plaintext)

    def seal_text(self, value: str | None, *, tenant: str, field: str) -> str | None:
        """``seal`` for an optional text column (message contents and the like)."""
        return None if value is None else self.seal(value, tenant=tenant, field=field)

    def open_text(self, stored: str | None, *, tenant: str, field: str) -> str | None:
        """The clear text of a column ``seal_text`` wrote.

        Rows written before such a column was sealed hold clear text, without the prefix; they are
        read as they are (a ciphertext that fails to open still raises: that is tampering or a
        wrong key, not an old row).
        """
        if stored is None or not stored.startswith(_PREFIX):
            return stored
        return str(self.open(stored, tenant=tenant, field=field))


def mask_digits(value: str, keep: int = 4) -> str:
    """Keep the last ``keep`` characters of an identifier: ``****5678`` (at most 12 mask characters)."""
    value = value.strip()
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * min(len(value) - keep, 12) + value[-keep:]


def mask_phone(value: str) -> str:
    """``+86 138 1234 5678`` → ``**********5678``: the last four digits only (DS-05: at most four in clear)."""
    return mask_digits(re.sub(r"[^\d]", "", value) or value)


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else mask_digits(value)


def mask_name(value: str) -> str:
    """Keep the first character of each word (``张*``, ``J*** D***``)."""
    words = value.split()
    if len(words) <= 1:
        return value[:1] + "*" * max(len(value) - 1, 1)
    return " ".join(w[:1] + "***" for w in words)


def mask_address(value: str) -> str:
    return value[:2] + "****" if value else value


def mask_contact(kind: str, value: str) -> str:
    """Mask a contact point's address by its kind."""
    masker = {"phone": mask_phone, "email": mask_email, "address": mask_address}.get(kind, mask_digits)
    return masker(value)
