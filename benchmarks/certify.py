"""How long a full certification run takes, and where the time goes.

Runs the harness at level 3 against the embedded reference (a subprocess on a free port, SQLite in
a temporary folder) and prints: wall time, time waiting for the target, time inside the harness
process (its CPU time), peak memory of the harness — beside a baseline measured in the same run:
the same number of bare GET /health round trips, which is the floor any run over HTTP pays.

Targets (issue 6): a full run under 30 s on a 2-core machine; harness overhead under 20 % of wall time.

The schemathesis probe (OP-01, OP-02) reads its generated cases from a per-user cache, or generates
them (seconds of CPU) when the cache holds none for this standard and schemathesis version; the
output says which. ``--cold-cases`` measures the run that generates them, with an empty cache.

    python benchmarks/certify.py [--profile cn] [--workers 2] [--repeat 1] [--cold-cases]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import httpx
from rich.console import Console
from rich.table import Table

from icss.conformance import Credentials, RunConfig, Target, run
from icss.conformance._embedded import embedded_reference
from icss.conformance._fuzz import cases_source


def _baseline(url: str, requests: int) -> float:
    with httpx.Client(base_url=url) as client:
        started = time.perf_counter()
        for _ in range(requests):
            client.get("/icss/v1/health")
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cold-cases", action="store_true", help="generate the schemathesis cases (empty cache)")
    args = parser.parse_args()
    if args.cold_cases:
        os.environ["ICSS_CACHE_DIR"] = tempfile.mkdtemp(prefix="icss-cold-cases-")
    table = Table(
        "run",
        "indicators",
        "requests",
        "wall s",
        "waiting s (summed)",
        "harness CPU s",
        "harness %",
        "peak RSS MiB",
        "baseline s (same #requests to /health)",
        title="ICSS certify, level 3",
    )
    with embedded_reference() as ref:
        for i in range(args.repeat):
            target = Target(ref.url, timeout=30)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            result = run(
                RunConfig(
                    target=target,
                    profile=args.profile,
                    level=3,
                    credentials=Credentials(ref.admin_client_id, ref.admin_client_secret),
                    workers=args.workers,
                    embedded=True,
                )
            )
            wall = time.perf_counter() - wall0
            cpu = time.process_time() - cpu0
            target.close()
            baseline = _baseline(ref.url, target.timing.requests)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            table.add_row(
                str(i + 1),
                str(len(result.indicators)),
                str(target.timing.requests),
                f"{wall:.2f}",
                f"{target.timing.waiting:.2f}",
                f"{cpu:.2f}",
                f"{100 * cpu / wall:.0f} %",
                f"{rss:.0f}",
                f"{baseline:.2f}",
            )
            verdict = "meets" if wall < 30 else "misses"
            overhead = "meets" if cpu / wall < 0.20 else "misses"
    console = Console(width=160)
    console.print(table)
    console.print(f"wall-time target (< 30 s): {verdict} · harness-overhead target (< 20 %): {overhead}")
    console.print(f"schemathesis cases (first run; later runs reuse them in-process): {cases_source()}")


if __name__ == "__main__":
    main()
