"""What a check works with: the target, the profile's parameters, and a sandbox tenant of its own.

Each check runs in a fresh sandbox tenant (its own test clock, outbox and credentials per role),
so checks cannot disturb each other and may run in parallel. Builders create synthetic debtors
whose personal data are *canaries* — unique marker values the checks look for wherever they must
not appear.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from icss.spec import Catalogue, Profile

from ._outcomes import CheckFailed, CheckSkipped, Exchange, TargetError
from ._target import Target


@dataclass(frozen=True)
class Credentials:
    """How the harness gets in: the client that may create sandbox tenants (admin role)."""

    client_id: str
    client_secret: str

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Credentials:
        source = raw.get("admin") or raw.get("bootstrap") or raw
        return cls(client_id=str(source["client_id"]), client_secret=str(source["client_secret"]))


@dataclass
class Sandbox:
    tenant_id: str
    tokens: Mapping[str, str]
    clock: str


class _LazyTokens(Mapping[str, str]):
    """A role's bearer token, asked for on first use: most checks act in one or two roles only."""

    def __init__(self, issue: Callable[[str, str], str], credentials: Mapping[str, Mapping[str, str]]) -> None:
        self._issue = issue
        self._credentials = {role: (str(c["client_id"]), str(c["client_secret"])) for role, c in credentials.items()}
        self._tokens: dict[str, str] = {}

    def __getitem__(self, role: str) -> str:
        if role not in self._tokens:
            client_id, secret = self._credentials[role]
            self._tokens[role] = self._issue(client_id, secret)
        return self._tokens[role]

    def __iter__(self) -> Iterator[str]:
        return iter(self._credentials)

    def __len__(self) -> int:
        return len(self._credentials)


class AdminToken:
    """The admin client's bearer token, issued once per run and shared by the contexts of all its checks.

    Every check opens its own sandbox tenant with the admin client; asking the target for a fresh
    admin token each time cost one round trip per check and proved nothing more.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None

    def get(self, issue: Callable[[], str]) -> str:
        with self._lock:
            if self._token is None:
                self._token = issue()
            return self._token

    def forget(self, token: str) -> None:
        """Drop ``token`` (the target refused it, e.g. it expired) so the next :meth:`get` issues another."""
        with self._lock:
            if self._token == token:
                self._token = None


@dataclass
class CheckContext:
    """Passed to every check: call the target, read parameters, build synthetic parties."""

    target: Target
    catalogue: Catalogue
    profile: Profile
    level: int
    credentials: Credentials | None
    capabilities: Mapping[str, Any] | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    canaries: list[str] = field(default_factory=list)
    admin_token: AdminToken = field(default_factory=AdminToken)
    notes: list[str] = field(default_factory=list)
    _sandbox: Sandbox | None = None

    # -- parameters ------------------------------------------------------------------------------

    def param(self, name: str) -> Any:
        """The claimed profile's value of a parameter."""
        return self.profile.value(name)

    # -- HTTP ------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        role: str | None = "collector",
        *,
        json: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        idempotent_key: bool = True,
    ) -> httpx.Response:
        """Call the target as ``role`` of this check's sandbox (``role=None``: no credentials)."""
        if token is None and role is not None:
            token = self.sandbox.tokens[role] if role != "debtor" else None
        sent = dict(headers or {})
        if method == "POST" and idempotent_key and "Idempotency-Key" not in sent:
            sent["Idempotency-Key"] = secrets.token_hex(12)
        response = self.target.request(
            method,
            path,
            token=token,
            json_body=json,
            headers=sent,
            params=params,
            content=content,
            record=self.exchanges,
            canaries=self.canaries,
        )
        if response.status_code >= 500 and response.status_code != 501:
            raise TargetError(f"{method} {path} answered {response.status_code}")
        return response

    def expect(self, response: httpx.Response, *statuses: int, what: str = "") -> Any:
        """The JSON body of ``response`` if its status is one of ``statuses``; otherwise the check fails."""
        if response.status_code not in statuses:
            wanted = " or ".join(map(str, statuses))
            detail = f" ({what})" if what else ""
            raise CheckFailed(
                f"{response.request.method} {response.request.url.path}{detail}: expected {wanted}, "
                f"got {response.status_code}",
                exchanges=self.exchanges[-3:],
            )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise TargetError(f"{response.request.url.path}: the body is not JSON") from None

    def fail(self, message: str, *, severity: str = "major") -> None:
        raise CheckFailed(message, severity=severity, exchanges=self.exchanges[-3:])

    def require(self, condition: bool, message: str, *, severity: str = "major") -> None:
        if not condition:
            self.fail(message, severity=severity)

    def note(self, message: str) -> None:
        """Say what a passing check could not verify on this target; the pass carries it as its message."""
        self.notes.append(message)

    # -- the sandbox -----------------------------------------------------------------------------

    @property
    def sandbox(self) -> Sandbox:
        if self._sandbox is None:
            raise CheckSkipped("this check needs a sandbox tenant, which the harness could not create")
        return self._sandbox

    def token(self, client_id: str, client_secret: str) -> str:
        response = self.target.request(
            "POST",
            "/auth/token",
            json_body={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
            record=self.exchanges,
        )
        if response.status_code != 200:
            raise TargetError(f"issueToken answered {response.status_code} for credentials the target issued")
        try:
            return str(response.json()["access_token"])
        except (ValueError, KeyError, TypeError):
            raise TargetError("issueToken did not return an access_token") from None

    def open_sandbox(self, clock: str) -> Sandbox:
        """Create this check's tenant with the test clock at ``clock`` (RFC 3339)."""
        if self.credentials is None:
            raise CheckSkipped("no credentials to create a sandbox tenant (pass --credentials)")
        credentials = self.credentials

        def create() -> httpx.Response:
            token = self.admin_token.get(lambda: self.token(credentials.client_id, credentials.client_secret))
            response = self.target.request(
                "POST",
                "/sandbox/tenants",
                token=token,
                json_body={"profile": self.profile.id, "clock": clock},
                headers={"Idempotency-Key": secrets.token_hex(12)},
                record=self.exchanges,
            )
            if response.status_code == 401:
                self.admin_token.forget(token)
            return response

        response = create()
        if response.status_code == 401:  # the shared token expired during the run: once more with a new one
            response = create()
        if response.status_code in (403, 404, 501):
            raise CheckSkipped(f"the target offers no sandbox (createSandboxTenant answered {response.status_code})")
        if response.status_code != 201:
            raise TargetError(f"createSandboxTenant answered {response.status_code}")
        try:
            body = response.json()
            tokens = _LazyTokens(self.token, body["credentials"])
            self._sandbox = Sandbox(tenant_id=str(body["tenant_id"]), tokens=tokens, clock=str(body["clock"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise TargetError(f"createSandboxTenant returned an unusable body: {exc}") from None
        return self._sandbox

    def close_sandbox(self) -> None:
        if self._sandbox is not None:
            # Teardown is best effort; the run's verdicts do not depend on it.
            with contextlib.suppress(TargetError):
                self.target.request(
                    "DELETE", f"/sandbox/tenants/{self._sandbox.tenant_id}", token=self._sandbox.tokens.get("admin")
                )
            self._sandbox = None

    def set_clock(self, instant: str) -> None:
        self.expect(self.request("PUT", "/sandbox/clock", "admin", json={"now": instant}), 200, what="setTestClock")

    def advance_clock(self, duration: str) -> None:
        self.expect(
            self.request("POST", "/sandbox/clock/advance", "admin", json={"duration": duration}),
            200,
            what="advanceTestClock",
        )

    def outbox(self, **params: Any) -> list[dict[str, Any]]:
        """Every message the target emitted in this sandbox (following pages)."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(50):
            query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
            page = self.expect(self.request("GET", "/sandbox/outbox", "admin", params=query), 200, what="listOutbox")
            items.extend(page.get("items", []))
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return items

    def local_instant(self, day: str, clock: str, zone: str | None = None) -> str:
        """RFC 3339 (UTC) of wall-clock ``clock`` on ``day`` in ``zone`` (default: the profile's usual zone)."""
        moment = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZoneInfo(zone or self.default_timezone))
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

    # -- synthetic parties -----------------------------------------------------------------------

    def canary(self, label: str) -> str:
        """A unique marker value that must only ever appear where personal data may."""
        value = f"{label}{secrets.token_hex(4).upper()}"
        self.canaries.append(value)
        return value

    def new_debtor(
        self,
        *,
        timezones: Iterable[str] | None = None,
        contact_points: list[dict[str, Any]] | None = None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """A debtor with canary personal data; returns the created debtor plus ``token`` (its own login)."""
        zones = list(timezones or [self.default_timezone])
        phone_digits = str(secrets.randbelow(10**7)).zfill(7)
        phone = f"+1212{phone_digits}" if self.profile.jurisdiction.startswith("us") else f"+86138{phone_digits}0"
        self.canaries.extend([phone])
        points = contact_points or [
            {
                "kind": "phone",
                "value": phone,
                "owner": "debtor",
                "relationship": "self",
                "is_workplace": False,
                "timezone": zones[0],
                "sms_capable": True,
                "phone_type": "mobile",
            },
            {
                "kind": "email",
                "value": f"{self.canary('mail').lower()}@example.com",
                "owner": "debtor",
                "relationship": "self",
                "is_workplace": False,
                "timezone": zones[0],
            },
            {
                "kind": "address",
                "address": {"lines": [self.canary("Street ")], "country": self.country},
                "owner": "debtor",
                "relationship": "self",
                "is_workplace": False,
                "timezone": zones[0],
            },
        ]
        body = {
            "name": self.canary("Canary Name "),
            "national_id": self.canary("ID"),
            "profile": self.profile.id,
            "timezones": zones,
            "language": language or ("zh" if self.profile.jurisdiction == "cn" else "en"),
            "contact_points": points,
        }
        debtor = self.expect(self.request("POST", "/debtors", json=body), 201, what="createDebtor")
        creds = debtor.get("debtor_credentials")
        if not creds:
            raise TargetError("createDebtor in a sandbox tenant returned no debtor_credentials")
        debtor["token"] = self.token(creds["client_id"], creds["client_secret"])
        debtor["phone_point"] = next(p["id"] for p in debtor["contact_points"] if p["kind"] == "phone")
        return dict(debtor)

    def new_debt(self, debtor: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        currency = {"cn": "CNY", "uk": "GBP"}.get(
            self.profile.jurisdiction, "EUR" if self.profile.jurisdiction in ("eu", "ie") else "USD"
        )
        body = {
            "debtor_id": debtor["id"],
            "creditor": {"name": "Harness Test Bank"},
            "account_number": self.canary("ACCT"),
            "currency": currency,
            "profile": self.profile.id,
            "itemization": {
                "itemization_date": "2020-01-01",
                "itemization_date_basis": "last_statement",
                "amount_on_itemization_date": "1000.00",
                "interest": "50.00",
                "fees": "0.00",
                "payments": "100.00",
                "credits": "0.00",
                "current_amount": "950.00",
            },
            "authorised_charges": ["interest"],
            **extra,
        }
        return dict(self.expect(self.request("POST", "/debts", json=body), 201, what="createDebt"))

    @property
    def default_timezone(self) -> str:
        return {
            "cn": "Asia/Shanghai",
            "us": "America/New_York",
            "us-ma": "America/New_York",
            "uk": "Europe/London",
            "eu": "Europe/Berlin",
            "ie": "Europe/Dublin",
        }.get(self.profile.jurisdiction, "UTC")

    @property
    def country(self) -> str:
        return {"cn": "CN", "us": "US", "us-ma": "US", "uk": "GB", "eu": "DE", "ie": "IE"}.get(
            self.profile.jurisdiction, "US"
        )
