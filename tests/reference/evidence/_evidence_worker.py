"""A worker process for the durability tests: appends evidence entries in a loop, the way a service does.

Usage::

    python _evidence_worker.py DATABASE_URL TENANT_ID SIGNING_SEED_HEX SEED TRANSACTIONS [CHECKPOINT_EVERY]

Each transaction appends 1-20 entries through ``icss.reference._evidence.record_many`` in its own
session, and only after the commit has returned prints ``{"acked": [indices]}`` — so every index
printed is acknowledged and must survive a crash. Every ``CHECKPOINT_EVERY`` transactions it also
takes a checkpoint (signing one when the log has grown) and prints ``{"checkpoint": {...}}`` after
that commit. ``TRANSACTIONS`` of 0 means forever (until killed). Output is line-buffered JSON.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime

from icss.reference import _evidence
from icss.reference._db import Database
from icss.reference._keys import Keys


def keys_for(seed_hex: str) -> Keys:
    """Service keys whose checkpoint-signing seed is ``seed_hex`` (the other keys are unused here)."""
    return Keys(
        data_key=bytes(32),
        token_key=bytes(32),
        signing_seed=bytes.fromhex(seed_hex),
        bootstrap_secret="unused",  # noqa: S106 - not a secret: the worker never serves requests
        salt_key=bytes(32),
    )


def main(argv: list[str]) -> None:
    url, tenant_id, seed_hex, seed, transactions = argv[:5]
    checkpoint_every = int(argv[5]) if len(argv) > 5 else 0
    keys = keys_for(seed_hex)
    rng = random.Random(int(seed))  # noqa: S311 - test data, not a secret
    db = Database(url)
    done = 0
    while not int(transactions) or done < int(transactions):
        batch = [
            (
                rng.choice(["contact_attempt", "message", "event"]),
                {"worker": int(seed), "transaction": done, "n": n, "note": "durability"},
                f"dbr_{rng.randrange(5)}",
            )
            for n in range(rng.randint(1, 20))
        ]
        with db.session() as session:
            indices = _evidence.record_many(session, tenant_id, batch, at=datetime.now(UTC))
        print(json.dumps({"acked": indices}), flush=True)
        done += 1
        # A breath between transactions, as between a service's requests: SQLite's busy handler
        # polls (sleeping up to 100 ms), so a writer in a tight loop would starve the others.
        time.sleep(0.001)
        if checkpoint_every and done % checkpoint_every == 0:
            with db.session() as session:
                body = _evidence.checkpoint(session, keys, tenant_id, datetime.now(UTC))
            print(json.dumps({"checkpoint": body}), flush=True)
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
