"""issueToken: OAuth 2.0 client credentials."""

from __future__ import annotations

import hmac

from .._auth import BOOTSTRAP_CLIENT, Principal, check_secret, issue_token
from .._problems import Problem
from .._routing import Call, Reply, handles
from .._tables import Client
from .._throttle import rate_limited


def _invalid_client() -> Problem:
    return Problem("unauthenticated", "unknown client or wrong secret", error="invalid_client")


@handles("issueToken")
def issue(call: Call) -> Reply:
    body = call.body
    if body.get("grant_type") != "client_credentials":
        raise Problem("validation-failed", "grant_type must be client_credentials", error="unsupported_grant_type")
    client_id, secret = body["client_id"], body["client_secret"]
    keys = call.ctx.keys
    logins = call.ctx.logins
    # Guessing a secret: after too many wrong ones the client id is refused for a while, right or wrong.
    wait = logins.wait(client_id)
    if wait:
        raise rate_limited(wait, "too many wrong secrets for this client; try again later")
    if client_id == BOOTSTRAP_CLIENT:
        if not hmac.compare_digest(secret.encode(), keys.bootstrap_secret.encode()):
            logins.failed(client_id)
            raise _invalid_client()
        principal = Principal(client_id=BOOTSTRAP_CLIENT, role="admin", tenant_id=None)
    else:
        client = call.session.get(Client, client_id)
        if client is None or not check_secret(secret, client.secret_hash):
            logins.failed(client_id)
            raise _invalid_client()
        principal = Principal(client.id, client.role, client.tenant_id, client.debtor_id)
    logins.succeeded(client_id)
    ttl = call.ctx.settings.token_ttl_seconds
    token = issue_token(principal, keys.token_key, ttl)
    doc = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "role": principal.role,
        "tenant_id": principal.tenant_id or "bootstrap",
        "debtor_id": principal.debtor_id,
    }
    return Reply(200, doc, headers={"Cache-Control": "no-store"})
