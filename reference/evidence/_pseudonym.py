"""Salted hashes of personal data, so that published entries and proofs leak nothing.

Entries in the evidence log are shown to debtors, auditors and regulators, and their hashes
appear in every proof. A bare SHA-256 of a phone number or an ID number is reversible by
enumeration (there are only ~10^10 phone numbers), so personal data enters an entry as
HMAC-SHA256 under a secret per-tenant salt: the tenant can recompute and match it, nobody
else can. Destroying a tenant's salt makes its pseudonyms unlinkable for good.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

MIN_SALT_BYTES = 16
"""Shortest salt accepted (128 bits)."""


def new_tenant_salt() -> bytes:
    """Return a fresh random 32-byte salt for one tenant (store it as a secret)."""
    return secrets.token_bytes(32)


class PersonalDataHasher:
    """HMAC-SHA256 pseudonyms of personal data under one tenant's secret salt.

    Text is normalised to Unicode NFC first, so the same name typed on two keyboards gives
    the same pseudonym; any other normalisation (trimming, E.164 phone numbers, ...) is the
    caller's, before hashing.

    Args:
        salt: the tenant's secret salt, at least 16 bytes.
    """

    def __init__(self, salt: bytes) -> None:
        if len(salt) < MIN_SALT_BYTES:
            raise ValueError(f"a tenant salt must be at least {MIN_SALT_BYTES} bytes, got {len(salt)}")
        self._salt = bytes(salt)

    def __repr__(self) -> str:
        return "PersonalDataHasher(salt=<secret>)"

    def digest(self, value: str | bytes, *, context: str | None = None) -> bytes:
        """Return HMAC-SHA256(salt, [context || 0x00 ||] value) as 32 bytes.

        ``context`` (e.g. ``"phone"``) separates domains, so equal values in different fields
        get unrelated pseudonyms; leave it out to link a value across fields.
        """
        data = unicodedata.normalize("NFC", value).encode() if isinstance(value, str) else bytes(value)
        if context is not None:
            if not context or "\x00" in context:
                raise ValueError("a context is a non-empty string without NUL")
            data = context.encode() + b"\x00" + data
        return hmac.new(self._salt, data, hashlib.sha256).digest()

    def hexdigest(self, value: str | bytes, *, context: str | None = None) -> str:
        """Return :meth:`digest` as lowercase hex, the form to put in an entry."""
        return self.digest(value, context=context).hex()
