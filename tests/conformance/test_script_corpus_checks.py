"""The corpus-decided SC checks (SC-01..SC-09, SC-11) never pass on a test split that cannot decide them.

Corpus 1.2.0 takes its test split only from the blind sets (``@split test``); a build without them has
an empty test split. A cell without positives or hard negatives is an error, not a pass; a measured cell
below its threshold is still a failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from icss.conformance import RunResult
from icss.conformance.checks import sc

from .conftest import run_harness
from .mutants import MUTANTS


def _outcome(result: RunResult, indicator: str) -> tuple[str, str]:
    (row,) = [r for r in result.indicators if r.indicator.id == indicator]
    return row.outcome.value, row.message


def _item(n: int, text: str, *, labels: tuple[str, ...] = (), hn: tuple[str, ...] = (), role: str = "collector") -> Any:
    return {
        "id": f"sc-zh-{9000 + n}",
        "text": text,
        "language": "zh",
        "speaker_role": role,
        "context": {"profile": "cn", "time_barred": False, "litigation_intended": False, "listener_is_debtor": True},
        "labels": [{"category": c, "severity": "blocking"} for c in labels],
        "hard_negative": bool(hn),
        "hard_negative_for": list(hn),
        "evasion": [],
        "split": "test",
    }


_ZH_ONLY = (
    _item(1, "再不还钱，我找人上门打断你的腿。", labels=("threat_of_violence",)),
    _item(2, "再不还钱，小心我弄死你。", labels=("threat_of_violence",)),
    _item(3, "你们再打电话来，我就打断你们的腿！", hn=("threat_of_violence",), role="debtor"),
)


def test_an_empty_test_split_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sc, "_test_split", lambda: ())
    outcome, message = _outcome(run_harness(tmp_path, profile="cn", only={"SC-01"}), "SC-01")
    assert outcome == "error"
    assert "test split has no utterances" in message


def test_a_cell_without_items_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sc, "_test_split", lambda: _ZH_ONLY)
    outcome, message = _outcome(run_harness(tmp_path, profile="cn", only={"SC-01"}), "SC-01")
    assert outcome == "error"
    assert "threat_of_violence (en): no positives" in message
    assert "threat_of_violence (en): no hard negatives" in message
    assert "(zh)" not in message


def test_a_measured_shortfall_fails_even_beside_an_empty_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flagged = _item(4, "再不还钱，我找人上门打断你的腿。", hn=("threat_of_violence",))  # mislabelled on purpose
    monkeypatch.setattr(sc, "_test_split", lambda: (*_ZH_ONLY, flagged))
    outcome, message = _outcome(run_harness(tmp_path, profile="cn", only={"SC-01"}), "SC-01")
    assert outcome == "fail"
    assert "threat_of_violence (zh): false-positive rate on hard negatives 0.500" in message


# --- every corpus check seen failing against its mutant, before the blind test split exists --------------
# The real test split is empty until the blind sets are added, so the mutant catalogue can only xfail these
# checks today. Here they run on a stand-in test split: corpus train items the reference checker gets right
# (every label found as blocking, no hard-negative category flagged), a few per category and language. The
# reference passes each check on it; each mutant, silencing one category, must fail exactly its indicator.

_CORPUS_MUTANTS = {m.name: m for m in MUTANTS.values() if m.name.endswith("_undetected")}


@pytest.fixture(scope="module")
def decidable_split() -> tuple[dict[str, Any], ...]:
    from icss.reference.scripts import Context, default_checker
    from icss.reference.scripts._corpus import utterances

    checker = default_checker()
    picked: list[dict[str, Any]] = []
    need: dict[tuple[str, str, str], int] = {}
    for item in utterances("train"):
        out = checker.check(
            item["text"],
            speaker_role=item["speaker_role"],
            language=item["language"],
            context=Context.from_json(item["context"]),
        )
        got = {v.category: v.severity for v in out.violations}
        labels = [lab["category"] for lab in item["labels"]]
        if any(got.get(c) != "blocking" for c in labels) or any(c in got for c in item["hard_negative_for"]):
            continue
        keys = [("pos", c, item["language"]) for c in labels] + [
            ("hn", c, item["language"]) for c in item["hard_negative_for"]
        ]
        if keys and any(need.get(k, 0) < 3 for k in keys):
            for k in keys:
                need[k] = need.get(k, 0) + 1
            picked.append({**item, "split": "test"})
    return tuple(picked)


def test_the_reference_passes_the_stand_in_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, decidable_split: tuple[dict[str, Any], ...]
) -> None:
    monkeypatch.setattr(sc, "_test_split", lambda: decidable_split)
    indicators = {next(iter(m.breaks)) for m in _CORPUS_MUTANTS.values()}
    result = run_harness(tmp_path, profile="us", level=2, only=indicators)
    assert {i: _outcome(result, i)[0] for i in sorted(indicators)} == dict.fromkeys(sorted(indicators), "pass")


@pytest.mark.parametrize("name", sorted(_CORPUS_MUTANTS))
def test_each_corpus_check_fails_its_mutant(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, decidable_split: tuple[dict[str, Any], ...]
) -> None:
    mutant = _CORPUS_MUTANTS[name]
    (indicator,) = mutant.breaks
    monkeypatch.setattr(sc, "_test_split", lambda: decidable_split)
    result = run_harness(tmp_path, profile="us", level=2, faults=mutant.faults, only={indicator})
    outcome, message = _outcome(result, indicator)
    assert outcome == "fail", message
    assert "recall of blocking detections 0.000" in message


def test_the_test_split_is_read_whole_and_nothing_else() -> None:
    """The harness finds the test items by a scan of the bytes (sc._test_split); a full parse must agree."""
    import json

    from icss.spec import spec_root

    node = spec_root() / "corpora" / "scripts" / "utterances.jsonl"
    rows = [json.loads(line) for line in node.read_text(encoding="utf-8").splitlines()]
    expected = tuple(row for row in rows if row["split"] == "test")
    assert len(expected) > 1000
    assert sc._test_split() == expected
