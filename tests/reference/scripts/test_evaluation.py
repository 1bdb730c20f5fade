"""The in-process evaluator and the harness command agree, and the harness stays black-box."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from icss.reference.scripts import default_checker
from icss.reference.scripts._corpus import conversations, utterances
from icss.reference.scripts.evaluate import evaluate, report

ROOT = Path(__file__).resolve().parents[3]


def test_evaluator_reports_every_category_and_latency() -> None:
    result = evaluate(default_checker(), utterances("dev"), conversations("dev"))
    text = report(result)
    assert "overall (micro)" in text
    assert "latency per utterance" in text
    assert "missing_required_disclosure (conversations) zh" in text


def test_reference_meets_thresholds_on_dev() -> None:
    """A regression guard on dev (the rules were developed and the model trained on it): recall ≥ 0.95, FPR ≤ 0.05."""
    tally = evaluate(default_checker(), utterances("dev"), [])["tally"]
    pos = sum(t["pos"] for t in tally.values())
    assert sum(t["tp_sev"] for t in tally.values()) / pos >= 0.95
    assert sum(t["hn_fp"] for t in tally.values()) / sum(t["hn"] for t in tally.values()) <= 0.05


def test_harness_command_does_not_import_the_reference() -> None:
    tree = ast.parse((ROOT / "conformance" / "_scripts_commands.py").read_text(encoding="utf-8"))
    names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [n for n in names if n.startswith("icss.reference")]


def test_harness_scores_a_target_over_http(tmp_path: Path) -> None:
    """icss scripts evaluate --target, driven against the reference through an ASGI transport."""
    import secrets

    import httpx
    from fastapi.testclient import TestClient

    from icss.conformance._scripts_commands import Scores, print_report, run_http
    from icss.reference._app import create_app
    from icss.reference._config import Settings

    boot_secret = secrets.token_hex(16)
    app = create_app(Settings(data_dir=tmp_path, bootstrap_secret=boot_secret))
    with TestClient(app, base_url="http://testserver/icss/v1") as client:
        boot = client.post(
            "/auth/token",
            json={"grant_type": "client_credentials", "client_id": "bootstrap", "client_secret": boot_secret},
        ).json()["access_token"]
        tenant = client.post(
            "/sandbox/tenants",
            json={"profile": "us"},
            headers={"Authorization": f"Bearer {boot}", "Idempotency-Key": secrets.token_hex(8)},
        ).json()
        token = client.post(
            "/auth/token", json={"grant_type": "client_credentials", **tenant["credentials"]["collector"]}
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        scores = run_http(client, ["dev"], batch=True)
    assert isinstance(scores, Scores)
    rows = {(r["category"], r["language"]): r for r in scores.rows()}
    assert rows[("overall (micro)", "all")]["positives"] == sum(len(i["labels"]) for i in utterances("dev"))
    assert isinstance(print_report(scores, 0.95, 0.05, "dev"), bool)
    assert isinstance(httpx.Client, type)


def test_an_empty_split_is_reported_not_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A split with empty cells is reported as EMPTY and exits 2, never as met (here: dev without its
    English items; then a split with no item at all)."""
    from icss.reference.scripts import evaluate as evaluator
    from icss.reference.scripts.evaluate import empty_cells

    real = evaluator._corpus.utterances

    def chinese_only(*splits: str) -> list[dict[str, Any]]:
        return [i for i in real(*splits) if i["language"] == "zh"] if splits else real()

    monkeypatch.setattr(evaluator._corpus, "utterances", chinese_only)
    assert evaluator.main(["--split", "dev", "--rules-only"]) == 2
    monkeypatch.setattr(evaluator._corpus, "utterances", lambda *splits: [] if splits else real())
    assert evaluator.main(["--split", "dev", "--rules-only"]) == 2
    result = evaluate(default_checker(), [i for i in utterances("dev") if i["language"] == "zh"], [])
    assert "threat_of_violence (en): no positives" in empty_cells(result)
    assert not [c for c in empty_cells(result) if "(zh)" in c]
    assert "EMPTY" in report(result)


def test_harness_scores_count_empty_cells_as_not_met() -> None:
    from icss.conformance._scripts_commands import Scores, print_report

    scores = Scores()
    for item in utterances("dev"):
        if item["language"] == "zh":
            scores.add(
                item, {"violations": [{"category": c["category"], "severity": "blocking"} for c in item["labels"]]}
            )
    assert "discrimination (en): no hard negatives" in scores.empty_cells()
    assert print_report(scores, 0.95, 0.05, "zh only") is False
