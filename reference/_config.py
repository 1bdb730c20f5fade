"""Configuration of the reference service, read from the environment once at start-up.

A fresh install needs none: it keeps a SQLite file and a generated key in a data folder. Every
setting can be given as an ``ICSS_*`` environment variable so that a deployment configures the
service without code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "icss-reference"


_DEFAULT_COLLECTOR_ADDRESS: dict[str, object] = {
    "lines": ["Set ICSS_COLLECTOR_ADDRESS to the collector's mailing address"],
    "country": "CN",
}


def _collector_address() -> dict[str, object] | None:
    """``ICSS_COLLECTOR_ADDRESS="line 1, line 2; CN"``: comma-separated lines, then the country code."""
    raw = os.environ.get("ICSS_COLLECTOR_ADDRESS")
    if not raw:
        return None
    lines, _, country = raw.rpartition(";")
    return {"lines": [part.strip() for part in lines.split(",") if part.strip()], "country": country.strip()}


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """What the service needs to run; see ``from_env`` for the variables."""

    data_dir: Path = field(default_factory=_default_data_dir)
    database_url: str = ""
    key_file: Path | None = None
    bootstrap_secret: str | None = None
    sandbox_enabled: bool = True
    default_profile: str = "cn"
    token_ttl_seconds: int = 3600
    max_body_bytes: int = 1_000_000
    #: The collector's own identity, printed on validation information (Reg F 1006.34(c)(1)).
    collector_name: str = "ICSS reference collector"
    collector_address: dict[str, object] = field(
        default_factory=lambda: {
            "lines": ["Set ICSS_COLLECTOR_ADDRESS to the collector's mailing address"],
            "country": "CN",
        }
    )
    #: Requests a second each client may make (token bucket); bursts up to ``rate_limit_burst``. 0: no limit.
    rate_limit_per_second: float = 1000.0
    rate_limit_burst: int = 2000
    #: Wrong secrets per client id within ``login_failure_window_seconds`` before issueToken refuses it for a while.
    login_failure_limit: int = 10
    login_failure_window_seconds: float = 300.0
    #: Names of deliberate faults to plant (test mode only): see ``icss.reference._faults``.
    faults: frozenset[str] = frozenset()
    #: Test mode: the only mode in which ``faults`` take effect.
    test_mode: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``ICSS_*`` variables.

        ``ICSS_DATA_DIR`` (default ``~/.local/share/icss-reference``), ``ICSS_DATABASE_URL``
        (default a SQLite file in the data dir; ``postgresql+psycopg://…`` for PostgreSQL),
        ``ICSS_KEY_FILE`` (the data-encryption and signing key file; generated on first start),
        ``ICSS_RATE_LIMIT`` (requests a second per client, default 1000; ``0`` turns throttling
        off), ``ICSS_RATE_LIMIT_BURST`` (default twice the rate), ``ICSS_LOGIN_FAILURE_LIMIT``
        (wrong secrets per client in five minutes before issueToken answers 429; default 10),
        ``ICSS_BOOTSTRAP_SECRET`` (the admin secret that creates sandbox tenants; generated and
        stored in the data dir if unset), ``ICSS_SANDBOX`` (``0`` disables the sandbox, as a
        production deployment may), ``ICSS_DEFAULT_PROFILE``, ``ICSS_FAULTS`` (test mode only).
        """
        data_dir = Path(os.environ.get("ICSS_DATA_DIR") or _default_data_dir())
        faults = frozenset(f for f in (os.environ.get("ICSS_FAULTS") or "").split(",") if f.strip())
        rate = float(os.environ.get("ICSS_RATE_LIMIT") or cls.rate_limit_per_second)
        return cls(
            data_dir=data_dir,
            database_url=os.environ.get("ICSS_DATABASE_URL") or "",
            key_file=Path(os.environ["ICSS_KEY_FILE"]) if os.environ.get("ICSS_KEY_FILE") else None,
            bootstrap_secret=os.environ.get("ICSS_BOOTSTRAP_SECRET") or None,
            sandbox_enabled=_flag("ICSS_SANDBOX", True),
            default_profile=os.environ.get("ICSS_DEFAULT_PROFILE") or "cn",
            faults=faults,
            test_mode=_flag("ICSS_TEST_MODE", False),
            rate_limit_per_second=rate,
            rate_limit_burst=int(os.environ.get("ICSS_RATE_LIMIT_BURST") or max(1, round(2 * rate))),
            login_failure_limit=int(os.environ.get("ICSS_LOGIN_FAILURE_LIMIT") or cls.login_failure_limit),
            collector_name=os.environ.get("ICSS_COLLECTOR_NAME") or cls.collector_name,
            collector_address=_collector_address() or _DEFAULT_COLLECTOR_ADDRESS,
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'icss-reference.sqlite3'}"

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "keys.json"
