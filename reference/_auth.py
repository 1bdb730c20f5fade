"""Authentication (OAuth 2.0 client credentials, bearer tokens) and per-role authorisation.

A token carries its tenant, role and — for the debtor role — the one debtor it may see. Which roles
an operation admits is read from the OpenAPI document (``x-icss-roles``), never restated here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from ._operations import Operation
from ._problems import Problem

ROLES = ("collector", "debtor", "supervisor", "auditor", "admin")
#: The built-in client that creates sandbox tenants; it belongs to no tenant.
BOOTSTRAP_CLIENT = "bootstrap"
_ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a client of a tenant in one role (a debtor client is bound to its debtor)."""

    client_id: str
    role: str
    tenant_id: str | None
    debtor_id: str | None = None

    def require_tenant(self) -> str:
        if self.tenant_id is None:
            raise Problem("forbidden", "this credential belongs to no tenant")
        return self.tenant_id

    def may_see_debtor(self, debtor_id: str) -> bool:
        return self.role != "debtor" or self.debtor_id == debtor_id


def hash_secret(secret: str) -> str:
    """Salted SHA-256 of a client secret.

    Client secrets are 256-bit random tokens issued by the service, not passwords a person chose,
    so a slow password hash (scrypt, Argon2) adds nothing but latency to every token request.
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.sha256(salt + secret.encode()).digest()
    return "sha256$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_secret(secret: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "sha256":
        return False
    digest = hashlib.sha256(base64.b64decode(salt_b64) + secret.encode()).digest()
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def issue_token(principal: Principal, key: bytes, ttl_seconds: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": principal.client_id,
        "role": principal.role,
        "tnt": principal.tenant_id,
        "dbt": principal.debtor_id,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "iss": "icss-reference",
    }
    return jwt.encode(claims, key, algorithm=_ALGORITHM)


#: Tokens already verified, with their expiry: a client sends the same token with every request, and
#: verifying it (base64, JSON, HMAC, claim checks) was a tenth of the CPU of a simple request.
_VERIFIED: dict[tuple[str, bytes], tuple[Principal, float]] = {}
_VERIFIED_SIZE = 4096


def read_token(token: str, key: bytes) -> Principal:
    """The principal of a valid, unexpired token (verified once, then remembered until it expires)."""
    known = _VERIFIED.get((token, key))
    if known is not None:
        principal, expires = known
        if time.time() < expires:
            return principal
        _VERIFIED.pop((token, key), None)  # expired: decoding below says so
    try:
        claims = jwt.decode(token, key, algorithms=[_ALGORITHM], issuer="icss-reference")
    except jwt.ExpiredSignatureError:
        raise Problem("unauthenticated", "the bearer token has expired") from None
    except jwt.PyJWTError:
        raise Problem("unauthenticated", "the bearer token is not valid") from None
    role = claims.get("role")
    if role not in ROLES:
        raise Problem("unauthenticated", "the bearer token names no known role")
    principal = Principal(
        client_id=str(claims["sub"]), role=role, tenant_id=claims.get("tnt"), debtor_id=claims.get("dbt")
    )
    exp = claims.get("exp")
    if isinstance(exp, int | float):  # the service's tokens always expire; others are never remembered
        if len(_VERIFIED) >= _VERIFIED_SIZE:
            _VERIFIED.clear()  # a crude bound: re-verifying a few thousand live tokens is cheap
        _VERIFIED[(token, key)] = (principal, float(exp))
    return principal


def authorise(principal: Principal | None, operation: Operation) -> Principal | None:
    """Admit ``principal`` to ``operation`` or raise 401/403 as the OpenAPI document says."""
    if operation.public:
        return principal
    if principal is None:
        raise Problem("unauthenticated", f"{operation.operation_id} needs a bearer token")
    if principal.role not in operation.roles:
        raise Problem("forbidden", f"role {principal.role!r} may not call {operation.operation_id}")
    return principal
