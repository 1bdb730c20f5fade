"""How long a full certification run takes, and where the time goes.

Runs the harness at level 3 against the embedded reference (a subprocess on a free port, SQLite in
a temporary folder) and prints: wall time, time waiting for the target, time inside the harness
process (its CPU time), peak memory of the harness — beside a baseline measured in the same run:
the same number of bare GET /health round trips, which is the floor any run over HTTP pays.

Targets (issue 6): a full run under 30 s on a 2-core machine; harness overhead under 20 % of wall time.

The probe of OP-01 and OP-02 sends the cases published with the standard
(spec/corpora/interface/probe-cases.json); only when the interface has changed since they were published
does a run generate them (seconds of CPU) and cache them per user. The output says where they came from.

    python benchmarks/certify.py [--profile cn] [--workers 2] [--repeat 1]
"""

from __future__ import annotations

import argparse
import resource
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
    args = parser.parse_args()
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
    walls: list[float] = []
    shares: list[float] = []
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
            walls.append(wall)
            shares.append(cpu / wall)
    console = Console(width=160)
    console.print(table)
    # Every run must meet a target, the first (a fresh process: imports, caches, the corpus read) included.
    verdict = "meets" if max(walls) < 30 else "misses"
    overhead = "meets" if max(shares) < 0.20 else "misses"
    console.print(
        f"wall-time target (< 30 s): {verdict} · harness-overhead target (< 20 %, every run): {overhead} "
        f"(worst {100 * max(shares):.0f} %)"
    )
    console.print(f"probe cases (OP-01, OP-02): {cases_source()}")


if __name__ == "__main__":
    main()
