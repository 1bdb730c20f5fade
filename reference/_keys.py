"""The service's secrets: data-encryption key, token key, evidence signing key, bootstrap secret.

A fresh install generates them into one file (mode 0600) and says so loudly, because losing the
file makes every encrypted personal-data field unreadable and every old checkpoint unverifiable.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_log = logging.getLogger("icss.reference")


@dataclass(frozen=True)
class Keys:
    data_key: bytes  # AES-256-GCM key for personal-data fields
    token_key: bytes  # HMAC key for bearer tokens
    signing_seed: bytes  # Ed25519 private key seed for evidence checkpoints
    bootstrap_secret: str  # secret of the built-in "bootstrap" admin client
    salt_key: bytes  # HMAC key for salted hashes of personal data in evidence entries

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_seed)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def load_or_create(path: Path, bootstrap_secret: str | None = None) -> Keys:
    """Read the key file, creating it with fresh random keys if it does not exist."""
    if path.exists():
        raw = json.loads(path.read_text())
        keys = Keys(
            data_key=base64.b64decode(raw["data_key"]),
            token_key=base64.b64decode(raw["token_key"]),
            signing_seed=base64.b64decode(raw["signing_seed"]),
            bootstrap_secret=raw["bootstrap_secret"],
            salt_key=base64.b64decode(raw["salt_key"]),
        )
    else:
        keys = Keys(
            data_key=secrets.token_bytes(32),
            token_key=secrets.token_bytes(32),
            signing_seed=secrets.token_bytes(32),
            bootstrap_secret=secrets.token_urlsafe(24),
            salt_key=secrets.token_bytes(32),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "warning": "ICSS reference keys. Back this file up and keep it secret: without it, encrypted "
            "personal data cannot be read and checkpoints cannot be verified against this key.",
            "data_key": _b64(keys.data_key),
            "token_key": _b64(keys.token_key),
            "signing_seed": _b64(keys.signing_seed),
            "bootstrap_secret": keys.bootstrap_secret,
            "salt_key": _b64(keys.salt_key),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(payload, handle, indent=2)
        _log.warning(
            "generated new keys in %s (mode 0600) — back this file up; losing it makes encrypted "
            "personal data unreadable. Set ICSS_KEY_FILE to keep keys elsewhere.",
            path,
        )
    if bootstrap_secret:
        keys = Keys(keys.data_key, keys.token_key, keys.signing_seed, bootstrap_secret, keys.salt_key)
    return keys
