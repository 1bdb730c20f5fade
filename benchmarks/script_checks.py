"""Speed of the reference script checker, in-process and over HTTP, beside two English profanity filters.

    python benchmarks/script_checks.py [--rounds 20] [--http-requests 400]

Inputs are the utterances of the ICSS script corpus (all splits). The in-process figures time
``default_checker().check`` per call (``perf_counter_ns`` around each call) and the throughput of
one thread over all rounds, after a warm-up pass. The HTTP figures start the reference service with
uvicorn on a loopback port (SQLite, a fresh sandbox tenant) and time sequential ``checkUtterance``
requests, and ``checkUtteranceBatch`` requests of 100 for throughput. better-profanity and
alt-profanity-check run on the same English inputs in the same process; note they answer a far
narrower question (is there a swear word?) than the checker (12 categories with context).
Targets (issue 7): p99 ≤ 5 ms per utterance in-process, ≥ 20,000 utterances/s per core. "Per CPU-second"
divides by the process's CPU time, which is the per-core figure on a shared machine; over HTTP the
client, the server and its thread pool share the process, so that figure counts all of them.
"""

from __future__ import annotations

import argparse
import gc
import json
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from icss.reference.scripts import Context, default_checker
from icss.reference.scripts._corpus import utterances

BOOT = "bench-bootstrap-secret"


def _pct(ns: Sequence[int], q: float) -> float:
    ordered = sorted(ns)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6


def _time_calls(fn: Callable[[Any], Any], inputs: Sequence[Any], rounds: int) -> dict[str, float]:
    for x in inputs:  # warm-up: caches, lazy loads
        fn(x)
    per_call: list[int] = []
    gc.disable()
    try:
        start, cpu = time.perf_counter_ns(), time.process_time_ns()
        for _ in range(rounds):
            for x in inputs:
                t0 = time.perf_counter_ns()
                fn(x)
                per_call.append(time.perf_counter_ns() - t0)
        total, cpu = time.perf_counter_ns() - start, time.process_time_ns() - cpu
    finally:
        gc.enable()
    return {
        "n": len(per_call),
        "per_s": len(per_call) / (total / 1e9),
        "per_cpu_s": len(per_call) / (max(cpu, 1) / 1e9),
        "p50": _pct(per_call, 0.5),
        "p99": _pct(per_call, 0.99),
        "mean": statistics.fmean(per_call) / 1e6,
    }


def in_process(items: Sequence[dict[str, Any]], rounds: int) -> dict[str, float]:
    checker = default_checker()
    prepared = [(i["text"], i["speaker_role"], i["language"], Context.from_json(i["context"])) for i in items]

    def call(x: tuple[str, str, str, Context]) -> Any:
        return checker.check(x[0], speaker_role=x[1], language=x[2], context=x[3])

    return _time_calls(call, prepared, rounds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def over_http(items: Sequence[dict[str, Any]], requests: int) -> dict[str, dict[str, float]]:
    import uvicorn

    from icss.reference._app import create_app
    from icss.reference._config import Settings

    data = Path(tempfile.mkdtemp(prefix="icss-bench-"))
    app = create_app(Settings(data_dir=data, bootstrap_secret=BOOT))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}/icss/v1"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            boot = client.post(
                "/auth/token",
                json={"grant_type": "client_credentials", "client_id": "bootstrap", "client_secret": BOOT},
            ).json()["access_token"]
            tenant = client.post(
                "/sandbox/tenants",
                json={"profile": "us"},
                headers={"Authorization": f"Bearer {boot}", "Idempotency-Key": secrets.token_hex(8)},
            ).json()
            creds = tenant["credentials"]["collector"]
            token = client.post("/auth/token", json={"grant_type": "client_credentials", **creds}).json()[
                "access_token"
            ]
            client.headers["Authorization"] = f"Bearer {token}"
            bodies = [
                {
                    "text": i["text"],
                    "language": i["language"],
                    "speaker_role": i["speaker_role"],
                    "context": i["context"],
                }
                for i in items
            ]
            for body in bodies[:50]:
                client.post("/script-checks", json=body)
            lat: list[int] = []
            start, cpu = time.perf_counter_ns(), time.process_time_ns()
            for k in range(requests):
                t0 = time.perf_counter_ns()
                response = client.post("/script-checks", json=bodies[k % len(bodies)])
                lat.append(time.perf_counter_ns() - t0)
                response.raise_for_status()
            total, cpu = time.perf_counter_ns() - start, time.process_time_ns() - cpu
            single = {
                "n": requests,
                "per_s": requests / (total / 1e9),
                "per_cpu_s": requests / (cpu / 1e9),
                "p50": _pct(lat, 0.5),
                "p99": _pct(lat, 0.99),
                "mean": statistics.fmean(lat) / 1e6,
            }
            batch_lat: list[int] = []
            n = 0
            start, cpu = time.perf_counter_ns(), time.process_time_ns()
            for k in range(0, len(bodies), 100):
                chunk = bodies[k : k + 100]
                t0 = time.perf_counter_ns()
                client.post("/script-checks/batch", json={"items": chunk}).raise_for_status()
                batch_lat.append((time.perf_counter_ns() - t0) // len(chunk))
                n += len(chunk)
            total, cpu = time.perf_counter_ns() - start, time.process_time_ns() - cpu
            batched = {
                "n": n,
                "per_s": n / (total / 1e9),
                "per_cpu_s": n / (cpu / 1e9),
                "p50": _pct(batch_lat, 0.5),
                "p99": _pct(batch_lat, 0.99),
                "mean": statistics.fmean(batch_lat) / 1e6,
            }
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return {"single": single, "batch": batched}


def profanity_baselines(texts: Sequence[str], rounds: int) -> dict[str, dict[str, float] | str]:
    out: dict[str, dict[str, float] | str] = {}
    try:
        from better_profanity import profanity  # type: ignore[import-untyped,unused-ignore]

        profanity.load_censor_words()
        out["better-profanity 0.7 (contains_profanity)"] = _time_calls(profanity.contains_profanity, texts, 1)
    except ImportError:
        out["better-profanity"] = "not installed (pip install better-profanity)"
    try:
        from profanity_check import predict  # type: ignore[import-untyped,unused-ignore]

        out["alt-profanity-check (predict, 1 text a call)"] = _time_calls(lambda t: predict([t]), texts, 1)
    except ImportError:
        out["alt-profanity-check"] = "not installed (pip install alt-profanity-check)"
    return out


def _row(name: str, r: dict[str, float] | str) -> str:
    if isinstance(r, str):
        return f"| {name} | {r} | | | | |"
    return f"| {name} | {r['n']:,} | {r['per_s']:,.0f} | {r['per_cpu_s']:,.0f} | {r['p50']:.3f} | {r['p99']:.3f} |"


#: Issue 7's targets, in-process on one core.
TARGET_P99_MS = 5.0
TARGET_PER_CPU_S = 20_000


def _verdict(r: dict[str, float]) -> str:
    """The in-process figures against issue 7's targets, one line each."""
    p99 = "MET" if r["p99"] <= TARGET_P99_MS else "NOT MET"
    rate = "MET" if r["per_cpu_s"] >= TARGET_PER_CPU_S else "NOT MET"
    return (
        f"p99 <= {TARGET_P99_MS:g} ms per utterance in-process: {p99} ({r['p99']:.3f} ms)\n"
        f">= {TARGET_PER_CPU_S:,} utterances per CPU-second (one process, one thread, time.process_time): "
        f"{rate} ({r['per_cpu_s']:,.0f})"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the corpus in-process")
    parser.add_argument("--http-requests", type=int, default=400, help="sequential checkUtterance requests")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    items = utterances()
    english = [i for i in items if i["language"] == "en"]
    results: dict[str, Any] = {}
    results["reference checker, in-process, all utterances"] = in_process(items, args.rounds)
    results["reference checker, in-process, English only"] = in_process(english, args.rounds)
    results.update(profanity_baselines([i["text"] for i in english], args.rounds))
    if not args.no_http:
        http = over_http(items, args.http_requests)
        results["reference over HTTP, checkUtterance (sequential)"] = http["single"]
        results["reference over HTTP, checkUtteranceBatch of 100 (per utterance)"] = http["batch"]
    print(f"Python {sys.version.split()[0]}, {len(items)} corpus utterances ({len(english)} English), one thread")
    print("| checker | calls | utterances/s (wall) | utterances per CPU-second | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(_row(name, r))
    ours = results["reference checker, in-process, all utterances"]
    print()
    print(_verdict(ours))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
