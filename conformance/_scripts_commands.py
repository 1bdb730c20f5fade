"""``icss scripts …``: measure a target's script compliance checker on the ICSS script corpus.

``icss scripts evaluate --target URL`` sends every utterance of a corpus split to the target's
``checkUtterance`` (or ``checkUtteranceBatch`` with ``--batch``) and every conversation to
``checkConversation``, over HTTP only, and prints per category and language: precision, recall and F1,
the recall of blocking verdicts, the false-positive rate on the category's hard negatives — against the
profile's ``script_recall_min`` and ``script_false_positive_max`` — and round-trip latency percentiles.

The harness never imports the reference (ARCHITECTURE.md). Without ``--target`` the command runs the
reference's own in-process evaluator, ``python -m icss.reference.scripts.evaluate``, as a subprocess.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from icss.spec import load_catalogue

app = typer.Typer(help="Measure script compliance checkers on the ICSS script corpus.", no_args_is_help=True)
_out = Console()
_err = Console(stderr=True)

CATEGORIES = (
    "threat_of_violence",
    "threat_of_arrest_or_prosecution",
    "false_legal_claim",
    "impersonation",
    "insult_or_abuse",
    "obscene_or_profane",
    "third_party_disclosure",
    "contact_network_threat",
    "debt_trap_inducement",
    "unauthorized_charge",
    "harassment_pressure",
    "discrimination",
)


def corpus(name: str, splits: Sequence[str]) -> list[dict[str, Any]]:
    """Lines of a corpus file (``utterances.jsonl`` or ``conversations.jsonl``) in the given splits."""
    path = resources.files("icss.spec") / "corpora" / "scripts" / name
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["split"] in splits]


def _request(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": item["text"],
        "language": item["language"],
        "speaker_role": item["speaker_role"],
        "context": item["context"],
        "client_ref": item["id"],
    }


class Scores:
    """Tallies of one run; :meth:`rows` gives the table."""

    def __init__(self) -> None:
        self.t: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.conv: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.latencies: list[float] = []

    def add(self, item: dict[str, Any], result: dict[str, Any]) -> None:
        got = {v["category"]: v["severity"] for v in result.get("violations", [])}
        want = {lab["category"]: lab["severity"] for lab in item["labels"]}
        for cat in CATEGORIES:
            t = self.t[(cat, item["language"])]
            if cat in want:
                t["pos"] += 1
                t["tp"] += cat in got
                t["tp_blocking"] += cat in got and (want[cat] != "blocking" or got[cat] == "blocking")
            else:
                t["fp"] += cat in got
            if cat in item.get("hard_negative_for", ()):
                t["hn"] += 1
                t["hn_fp"] += cat in got

    def empty_cells(self) -> list[str]:
        """Cells without positives or without hard negatives: they cannot be measured, so they decide
        nothing — a split that leaves any of them empty does not meet the thresholds."""
        out = []
        for cat in CATEGORIES:
            for lang in ("zh", "en"):
                t = self.t.get((cat, lang), {})
                if not t.get("pos"):
                    out.append(f"{cat} ({lang}): no positives")
                if not t.get("hn"):
                    out.append(f"{cat} ({lang}): no hard negatives")
        return out

    def add_conversation(self, conv: dict[str, Any], result: dict[str, Any]) -> None:
        got = any(v["category"] == "missing_required_disclosure" for v in result.get("conversation_violations", []))
        want = bool(conv["labels"])
        t = self.conv[conv["language"]]
        t["n"] += 1
        t["pos"] += want
        t["tp"] += want and got
        t["fp"] += got and not want

    def rows(self) -> list[dict[str, Any]]:
        """One row per category and language — every cell, measured or not — then the micro average."""
        out = []
        for cat in CATEGORIES:
            for lang in ("zh", "en"):
                out.append({"category": cat, "language": lang, **_rates(self.t.get((cat, lang), defaultdict(int)))})
        total: dict[str, int] = defaultdict(int)
        for t in self.t.values():
            for k, v in t.items():
                total[k] += v
        out.append({"category": "overall (micro)", "language": "all", **_rates(total)})
        return out


def _div(a: int, b: int) -> float | None:
    return a / b if b else None


def _rates(t: dict[str, int]) -> dict[str, Any]:
    p, r = _div(t["tp"], t["tp"] + t["fp"]), _div(t["tp"], t["pos"])
    f1 = None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)
    return {
        "positives": t["pos"],
        "precision": p,
        "recall": r,
        "f1": f1,
        "recall_blocking": _div(t["tp_blocking"], t["pos"]),
        "hard_negatives": t["hn"],
        "hard_negative_fpr": _div(t["hn_fp"], t["hn"]),
    }


def percentiles(samples: Iterable[float]) -> dict[str, float]:
    """p50/p90/p99/max of latencies in milliseconds."""
    lat = sorted(samples)
    if not lat:
        return {}

    def q(x: float) -> float:
        return round(lat[min(len(lat) - 1, int(x * len(lat)))] * 1e3, 3)

    return {"p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": round(lat[-1] * 1e3, 3)}


def _token(client: httpx.Client, token: str | None, client_id: str | None, secret: str | None) -> str:
    if token:
        return token
    if not (client_id and secret):
        _err.print("[red]give --token, or --client-id and --client-secret[/red]")
        raise typer.Exit(2)
    response = client.post(
        "/auth/token", json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    if response.status_code != 200:
        _err.print(f"[red]token request failed: {response.status_code} {response.text[:200]}[/red]")
        raise typer.Exit(1)
    return str(response.json()["access_token"])


def run_http(client: httpx.Client, splits: Sequence[str], *, batch: bool, batch_size: int = 100) -> Scores:
    """Evaluate the target behind ``client`` (base URL and Authorization already set)."""
    scores = Scores()
    items = corpus("utterances.jsonl", splits)
    if batch:
        for start in range(0, len(items), batch_size):
            chunk = items[start : start + batch_size]
            t0 = time.perf_counter()
            response = client.post(
                "/script-checks/batch",
                json={"items": [_request(i) for i in chunk]},
                headers={"Idempotency-Key": secrets.token_hex(12)},
            )
            elapsed = time.perf_counter() - t0
            response.raise_for_status()
            scores.latencies.extend([elapsed / len(chunk)] * len(chunk))
            for item, result in zip(chunk, response.json()["results"], strict=True):
                scores.add(item, result)
    else:
        for item in items:
            t0 = time.perf_counter()
            response = client.post("/script-checks", json=_request(item))
            scores.latencies.append(time.perf_counter() - t0)
            response.raise_for_status()
            scores.add(item, response.json())
    for conv in corpus("conversations.jsonl", splits):
        response = client.post(
            "/script-checks/conversation",
            json={
                "conversation_id": conv["id"],
                "language": conv["language"],
                "context": conv["context"],
                "turns": conv["turns"],
            },
        )
        response.raise_for_status()
        scores.add_conversation(conv, response.json())
    return scores


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_report(scores: Scores, recall_min: float, fpr_max: float, title: str) -> bool:
    """Print the table; True when every category meets both thresholds in both languages.

    An empty cell (no positives or no hard negatives) is shown as such and counts as not met.
    """
    table = Table(title=title)
    for col in (
        "category",
        "lang",
        "pos",
        "precision",
        "recall",
        "F1",
        "recall (blocking)",
        "hard neg",
        "FPR (hard neg)",
    ):
        table.add_column(col, justify="left" if col in ("category", "lang") else "right")
    ok = True
    for row in scores.rows():
        rec, fpr = row["recall_blocking"], row["hard_negative_fpr"]
        overall = row["language"] == "all"
        meets = rec is not None and rec >= recall_min and fpr is not None and fpr <= fpr_max
        ok &= meets or overall
        style = "" if meets or overall else "red"
        table.add_row(
            row["category"],
            row["language"],
            str(row["positives"]),
            _fmt(row["precision"]),
            _fmt(row["recall"]),
            _fmt(row["f1"]),
            _fmt(rec),
            str(row["hard_negatives"]),
            _fmt(fpr),
            style=style,
        )
    _out.print(table)
    for lang, t in sorted(scores.conv.items()):
        _out.print(
            f"missing_required_disclosure ({lang}): {t['n']} conversations, recall "
            f"{_fmt(_div(t['tp'], t['pos']))}, false alarms {t['fp']}"
        )
    lat = percentiles(scores.latencies)
    if lat:
        _out.print("latency per utterance (ms, round trip): " + "  ".join(f"{k} {v}" for k, v in lat.items()))
    empty = scores.empty_cells()
    if empty:
        _out.print(
            f"[red]{len(empty)} empty cells cannot be measured, so the thresholds are not met:[/red] "
            + "; ".join(empty)
        )
    _out.print(
        f"thresholds: recall of blocking verdicts ≥ {recall_min}, false-positive rate on hard negatives "
        f"≤ {fpr_max} — {'[green]met[/green]' if ok else '[red]not met[/red]'} by every category"
    )
    return ok


@app.callback()
def scripts() -> None:
    """Measure script compliance checkers on the ICSS script corpus (spec/corpora/scripts)."""


@app.command()
def evaluate(
    target: Annotated[str | None, typer.Option(help="Base URL of the service, e.g. http://host:8000/icss/v1.")] = None,
    client_id: Annotated[str | None, typer.Option(help="Client id for the client-credentials grant.")] = None,
    client_secret: Annotated[str | None, typer.Option(help="Client secret.")] = None,
    token: Annotated[str | None, typer.Option(help="A bearer token instead of client credentials.")] = None,
    split: Annotated[
        list[str] | None, typer.Option(help="Corpus split(s); the test split decides the indicators.")
    ] = None,
    profile: Annotated[str, typer.Option(help="Profile whose thresholds apply.")] = "us",
    batch: Annotated[bool, typer.Option(help="Use checkUtteranceBatch (100 a request).")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the figures as JSON here.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 30.0,
) -> None:
    """Precision, recall, F1, hard-negative false-positive rate and latency on the script corpus."""
    splits = split or ["test"]
    if target is None:
        _out.print(
            "No --target: evaluating the reference checker in-process (python -m icss.reference.scripts.evaluate)."
        )
        args = [sys.executable, "-m", "icss.reference.scripts.evaluate"]
        for s in splits:
            args += ["--split", s]
        raise typer.Exit(subprocess.call(args))  # noqa: S603 - our own interpreter and module
    cat = load_catalogue()
    prof = cat.profile(profile)
    recall_min = float(prof.value("script_recall_min"))
    fpr_max = float(prof.value("script_false_positive_max"))
    base = target.rstrip("/")
    if not base.endswith("/icss/v1"):
        base += "/icss/v1"
    with httpx.Client(base_url=base, timeout=timeout) as client:
        bearer = _token(client, token, client_id, client_secret)
        client.headers["Authorization"] = f"Bearer {bearer}"
        try:
            scores = run_http(client, splits, batch=batch)
        except httpx.HTTPError as exc:
            _err.print(f"[red]the target failed: {exc}[/red]")
            raise typer.Exit(1) from None
    ok = print_report(scores, recall_min, fpr_max, f"ICSS script corpus ({', '.join(splits)}) — {target}")
    if json_out is not None:
        json_out.write_text(
            json.dumps(
                {
                    "target": target,
                    "splits": splits,
                    "rows": scores.rows(),
                    "conversations": scores.conv,
                    "latency_ms": percentiles(scores.latencies),
                    "empty_cells": scores.empty_cells(),
                    "thresholds_met": ok,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    raise typer.Exit(0 if ok else 1)
