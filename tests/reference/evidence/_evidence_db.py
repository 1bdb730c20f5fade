"""What the evidence tests that need a database share: the ``Store`` the ``store`` fixture yields, and keys."""

from __future__ import annotations

from dataclasses import dataclass

from icss.reference import _evidence
from icss.reference._db import Database
from icss.reference._keys import Keys

SIGNING_SEED = "5e" * 32
#: Service keys for checkpoints (as _evidence_worker.keys_for makes them): only the signing seed matters.
KEYS = Keys(bytes(32), bytes(32), bytes.fromhex(SIGNING_SEED), "unused", bytes(32))


@dataclass
class Store:
    """A migrated database with one tenant, whose evidence log the test works on."""

    url: str
    db: Database
    tenant_id: str

    @property
    def verifier_key(self) -> str:
        """The tenant's published checkpoint key (signed-note verifier key)."""
        return _evidence.signer(KEYS, self.tenant_id).verifier_key
