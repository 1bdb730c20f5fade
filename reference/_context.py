"""Everything a request handler needs, built once when the service starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from icss.spec import Catalogue, load_catalogue

from ._config import Settings
from ._crypto import FieldCipher
from ._db import Database
from ._faults import KNOWN_FAULTS
from ._keys import Keys, load_or_create
from ._tables import Tenant
from ._throttle import FailureLockout, TokenBuckets


@dataclass
class ServiceContext:
    settings: Settings
    db: Database
    keys: Keys
    cipher: FieldCipher
    catalogue: Catalogue
    throttle: TokenBuckets = field(init=False)
    logins: FailureLockout = field(init=False)
    #: OP-03: the Idempotency-Keys (tenant, client, key) of requests now being processed by this process.
    in_flight: set[tuple[str, str, str]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.throttle = TokenBuckets(self.settings.rate_limit_per_second, self.settings.rate_limit_burst)
        self.logins = FailureLockout(self.settings.login_failure_limit, self.settings.login_failure_window_seconds)

    @classmethod
    def start(cls, settings: Settings) -> ServiceContext:
        """Open the database (migrating it) and load or create the keys."""
        unknown = sorted(settings.faults - set(KNOWN_FAULTS))
        if unknown:
            raise ValueError(f"unknown faults {unknown}; see icss.reference._faults")
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        keys = load_or_create(settings.resolved_key_file, settings.bootstrap_secret)
        db = Database(settings.resolved_database_url)
        db.migrate()
        return cls(settings=settings, db=db, keys=keys, cipher=FieldCipher(keys.data_key), catalogue=load_catalogue())

    def fault(self, name: str) -> bool:
        """Whether the deliberate fault ``name`` is planted (test mode only; see ``_faults``)."""
        if name not in KNOWN_FAULTS:
            raise KeyError(f"unknown fault {name!r}: declare it in icss.reference._faults")
        return self.settings.test_mode and name in self.settings.faults


def clock_now(clock_at: datetime | None) -> datetime:
    """A tenant's clock: the sandbox test clock when set, else real time (UTC)."""
    return clock_at if clock_at is not None else datetime.now(UTC)


def tenant_now(tenant: Tenant) -> datetime:
    """The tenant's clock: the sandbox test clock when set, else real time (UTC)."""
    return clock_now(tenant.clock_at)
