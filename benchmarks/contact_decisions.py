"""Benchmark of contact decisions: in-process and over HTTP, beside a bare FastAPI endpoint.

Run it from the checkout with the project's interpreter::

    python benchmarks/contact_decisions.py               # 5 s per measurement, concurrency 8
    python benchmarks/contact_decisions.py --seconds 2   # shorter, for a smoke run

What it measures, all in the same run on the same machine:

* **in-process**: ``icss.reference.conduct.decide`` on realistic facts — a debtor with three
  contact points, 40 events and 200 past attempts, US profile — one decision after another;
  decisions per second, latency percentiles, and the peak of Python allocations (tracemalloc)
  over a separate pass (tracing slows the loop, so it is not timed);
* **over HTTP**: the reference service (``icss-reference serve``, SQLite in a temporary folder)
  in a subprocess on a free loopback port, loaded through the API with the same debtor, then
  ``POST /icss/v1/contact-decisions`` from an httpx client with keep-alive at concurrency 8;
  requests per second, latency percentiles and the server process's peak RSS (VmHWM);
* **bare FastAPI**: a tiny app answering ``{"ok": true}`` to the same POST, served by uvicorn
  the same way and measured by the same load generator.

Beside each HTTP rate it prints the server process's CPU time per request (from /proc) and the load
average: throughput depends on what else the machine runs, work per request much less.

Issue 4's target is checked at the end: the decision endpoint reaches at least half of the bare
endpoint's rate. Every loop is bounded by a deadline, both servers are stopped at the end, and
nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

TARGET_SHARE = 0.5  # the decision endpoint reaches at least half of the bare endpoint's rate
BOOTSTRAP = "benchmark-bootstrap-" + secrets.token_hex(8)
EVENTS = 40
ATTEMPTS = 200


@dataclass
class Result:
    """One line of the table."""

    name: str
    count: int
    seconds: float
    latencies_ms: list[float]
    peak: str
    errors: int = 0
    #: CPU seconds the server process spent during the timed run (user + system), if measured.
    server_cpu: float | None = None

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _say(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


# -- in-process -------------------------------------------------------------------------------------


def _facts(now: datetime) -> tuple[Any, Any, Any]:
    """A debtor with 3 contact points, 40 events and 200 attempts; the request; the US rules."""
    from icss.reference import conduct
    from icss.spec import load_catalogue

    zone = "America/New_York"
    points = (
        conduct.ContactPoint(id="cp_phone", kind="phone", timezone=zone),
        conduct.ContactPoint(id="cp_email", kind="email", timezone=zone),
        conduct.ContactPoint(id="cp_home", kind="address", timezone=zone),
    )
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("inconvenient_time", {"start": "06:00", "end": "07:30", "weekdays": ["saturday", "sunday"]}),
        ("consent_given", {"purpose": "electronic_communications"}),
        ("hardship", {}),
        ("inbound_conversation", {}),
        ("medium_opt_out", {"medium": "letter"}),
    ]
    events = tuple(
        conduct.Event(
            type=kinds[i % len(kinds)][0],  # type: ignore[arg-type]
            effective_at=now - timedelta(days=200 - 5 * i, hours=3),
            details=kinds[i % len(kinds)][1],
            debt_id="debt_1" if i % 2 else None,
        )
        for i in range(EVENTS)
    )
    outcomes = ("no_answer", "voicemail", "busy", "conversation")
    attempts = tuple(
        conduct.Attempt(
            at=now - timedelta(days=ATTEMPTS - i, hours=1),
            channel="call" if i % 2 else "email",
            contact_point_id="cp_phone" if i % 2 else "cp_email",
            debt_ids=("debt_1",),
            outcome=outcomes[i % len(outcomes)] if i % 2 else None,  # type: ignore[arg-type]
        )
        for i in range(ATTEMPTS)
    )
    facts = conduct.DebtorFacts(
        timezones=(zone,),
        contact_points=points,
        events=events,
        attempts=attempts,
        debts=(conduct.Debt(id="debt_1"),),
    )
    request = conduct.ContactRequest(contact_point_id="cp_phone", channel="call", at=now, debt_id="debt_1")
    rules = conduct.Rules.from_profile(load_catalogue().profile("us"))
    return facts, request, rules


def bench_in_process(seconds: float) -> Result:
    from icss.reference.conduct import decide

    now = datetime(2024, 6, 5, 15, 0, tzinfo=UTC)  # a Wednesday, 11:00 in New York
    facts, request, rules = _facts(now)
    for _ in range(200):  # warm-up
        decide(facts, request, rules)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        t0 = time.perf_counter_ns()
        decide(facts, request, rules)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    for _ in range(300):
        decide(facts, request, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Result(
        "in-process conduct.decide()", len(latencies), elapsed, latencies, f"{peak / 1024:.0f} KiB (tracemalloc)"
    )


# -- servers ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), to compare work per request.

    Throughput depends on what else the machine runs; the server's CPU time per request much
    less so, which makes it the fairer figure on a busy machine.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _peak_rss(pid: int) -> str:
    """The process's peak resident set (VmHWM, what ru_maxrss reports once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return f"{int(line.split()[1]) / 1024:.0f} MiB (server RSS)"
    except OSError:
        pass
    return "n/a"


@contextmanager
def _server(command: list[str], port: int, health: str, env: dict[str, str], cwd: Path) -> Iterator[int]:
    log = (cwd / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {(cwd / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 90 s")
            time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def _load(
    url: str, body: dict[str, Any], headers: dict[str, str], seconds: float, concurrency: int, pid: int | None = None
) -> Result:
    """``concurrency`` workers on one keep-alive client, each posting until the deadline."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(until: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < until:
                t0 = time.perf_counter_ns()
                response = await client.post(url, json=body, headers=headers)
                if record:
                    latencies.append((time.perf_counter_ns() - t0) / 1e6)
                    if response.status_code != 200:
                        errors += 1

        warm = time.perf_counter() + min(1.0, seconds / 4)
        await asyncio.gather(*(worker(warm, False) for _ in range(concurrency)))
        cpu_before = _cpu_seconds(pid) if pid else None
        start = time.perf_counter()
        await asyncio.gather(*(worker(start + seconds, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        cpu_after = _cpu_seconds(pid) if pid else None
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Result("", len(latencies), elapsed, latencies, "", errors, cpu)


def _populate(base: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A sandbox tenant with the benchmark's debtor (3 points, 40 events, 200 attempts) via the API."""
    client = httpx.Client(base_url=base, timeout=30)

    def token(client_id: str, client_secret: str) -> dict[str, str]:
        body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        response = client.post("/auth/token", json=body)
        response.raise_for_status()
        return {"Authorization": "Bearer " + response.json()["access_token"]}

    def post(path: str, headers: dict[str, str], body: dict[str, Any], method: str = "POST") -> dict[str, Any]:
        response = client.request(method, path, json=body, headers={**headers, "Idempotency-Key": secrets.token_hex(8)})
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
        result: dict[str, Any] = response.json()
        return result

    tenant = post("/sandbox/tenants", token("bootstrap", BOOTSTRAP), {"profile": "us", "clock": "2024-01-01T15:00:00Z"})
    roles = {role: token(**creds) for role, creds in tenant["credentials"].items()}
    zone = "America/New_York"
    points = [
        {"kind": "phone", "value": "+12125550123", "owner": "debtor", "relationship": "self", "is_workplace": False,
         "timezone": zone, "sms_capable": True, "phone_type": "mobile"},
        {"kind": "email", "value": "bench@example.com", "owner": "debtor", "relationship": "self",
         "is_workplace": False, "timezone": zone},
        {"kind": "address", "address": {"lines": ["1 Bench Street"], "country": "US"}, "owner": "debtor",
         "relationship": "self", "is_workplace": False, "timezone": zone},
    ]  # fmt: skip
    debtor = post(
        "/debtors",
        roles["collector"],
        {"name": "Bench Mark", "profile": "us", "timezones": [zone], "language": "en", "contact_points": points},
    )
    phone, email = debtor["contact_points"][0]["id"], debtor["contact_points"][1]["id"]
    item = {"itemization_date": "2023-06-01", "itemization_date_basis": "charge_off",
            "amount_on_itemization_date": "100.00", "interest": "0.00", "fees": "0.00", "payments": "0.00",
            "credits": "0.00", "current_amount": "100.00"}  # fmt: skip
    debt = post(
        "/debts",
        roles["collector"],
        {"debtor_id": debtor["id"], "creditor": {"name": "Bank"}, "account_number": "12345678", "currency": "USD",
         "profile": "us", "itemization": item},
    )  # fmt: skip
    events: list[tuple[str, str, dict[str, Any]]] = [
        ("hardship", "debtor", {}),
        ("consent_given", "debtor", {"purpose": "electronic_communications"}),
        ("inconvenient_time", "debtor",
         {"ranges": [{"days": ["saturday", "sunday"], "start": "06:00", "end": "07:30"}]}),
        ("inconvenient_place", "debtor", {"place": "other"}),
        ("medium_opt_out", "debtor", {"medium": "letter"}),
    ]  # fmt: skip
    recorded = 0
    for i in range(ATTEMPTS):
        channel = "call" if i % 2 else "email"
        attempt = {"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "channel": channel, "purpose": "collection",
                   "contact_point_id": phone if channel == "call" else email}  # fmt: skip
        if channel == "call":
            attempt["outcome"] = ("no_answer", "voicemail", "busy")[i % 3]
        else:
            attempt["content"] = "About your account"
        post("/contact-attempts", roles["collector"], attempt)
        if i % 5 == 0 and recorded < EVENTS:
            kind, source, details = events[recorded % len(events)]
            post(f"/debtors/{debtor['id']}/events", roles["collector"], {"type": kind, "source": source,
                                                                          "details": details})  # fmt: skip
            recorded += 1
        post("/sandbox/clock/advance", roles["admin"], {"duration": "P1D"})
    client.close()
    check = {"debtor_id": debtor["id"], "debt_ids": [debt["id"]], "contact_point_id": phone, "channel": "call",
             "purpose": "collection"}  # fmt: skip
    return check, roles["collector"]


_BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI

    app = FastAPI()


    @app.post("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}
    """
)


def bench_http(seconds: float, concurrency: int) -> tuple[Result, Result]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ICSS_")}
        env |= {"ICSS_BOOTSTRAP_SECRET": BOOTSTRAP, "HOME": folder}
        port = _free_port()
        command = [sys.executable, "-m", "icss.reference", "serve", "--port", str(port), "--data-dir", str(work / "d")]
        with _server(command, port, "/icss/v1/health", env, work) as pid:
            base = f"http://127.0.0.1:{port}/icss/v1"
            _say(f"loading the benchmark debtor ({ATTEMPTS} attempts, {EVENTS} events) through the API")
            body, headers = _populate(base)
            _say(f"checkContact over HTTP for {seconds:g} s at concurrency {concurrency}")
            decisions = asyncio.run(_load(f"{base}/contact-decisions", body, headers, seconds, concurrency, pid))
            decisions.name, decisions.peak = "HTTP POST /contact-decisions", _peak_rss(pid)
        (work / "bare_app.py").write_text(_BARE_APP)
        port = _free_port()
        command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--host", "127.0.0.1", "--port", str(port),
                   "--log-level", "warning", "--no-access-log"]  # fmt: skip
        with _server(command, port, "/docs", env, work) as pid:
            _say(f"bare FastAPI endpoint for {seconds:g} s at concurrency {concurrency}")
            bare = asyncio.run(_load(f"http://127.0.0.1:{port}/ok", body, headers, seconds, concurrency, pid))
            bare.name, bare.peak = "HTTP POST bare FastAPI {ok: true}", _peak_rss(pid)
    return decisions, bare


# -- report -----------------------------------------------------------------------------------------


def report(results: list[Result], decisions: Result, bare: Result, concurrency: int) -> bool:
    share = decisions.rate / bare.rate if bare.rate else 0.0
    met = share >= TARGET_SHARE
    headers = ("measurement", "requests", "per second", "p50 ms", "p95 ms", "p99 ms", "server CPU ms/req", "errors",
               "peak memory")  # fmt: skip
    rows = [
        (r.name, f"{r.count:,}", f"{r.rate:,.0f}", f"{r.percentile(0.5):.2f}", f"{r.percentile(0.95):.2f}",
         f"{r.percentile(0.99):.2f}", f"{1000 * r.server_cpu / r.count:.2f}" if r.server_cpu and r.count else "-",
         str(r.errors), r.peak)
        for r in results
    ]  # fmt: skip
    title = (
        f"ICSS contact decisions — {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU, HTTP concurrency {concurrency}, keep-alive, SQLite, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    verdict = (
        f"decision endpoint / bare endpoint = {decisions.rate:,.0f} / {bare.rate:,.0f} = {share:.0%} "
        f"(target ≥ {TARGET_SHARE:.0%}): {'MET' if met else 'NOT MET'}"
    )
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for i, name in enumerate(headers):
            table.add_column(name, justify="left" if i == 0 or i == len(headers) - 1 else "right")
        for row in rows:
            table.add_row(*row)
        console = Console(width=160)
        console.print(table)
        console.print(verdict)
    except ImportError:  # pragma: no cover - rich is a dependency, but the numbers matter more
        print(title)
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        for line in (headers, *rows):
            print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
        print(verdict)
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each timed measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent HTTP requests")
    args = parser.parse_args(argv)
    _say(f"in-process decisions for {args.seconds:g} s")
    local = bench_in_process(args.seconds)
    decisions, bare = bench_http(args.seconds, args.concurrency)
    report([local, decisions, bare], decisions, bare, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
