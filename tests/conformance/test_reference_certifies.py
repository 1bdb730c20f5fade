"""The reference against its own claimed level, in every profile.

Today the reference does not reach level 1: its script checker misses the recall and
false-positive thresholds that SC-01..SC-09 and SC-11 set on the public test split (issue 7). The
first test pins that gap — anything else failing is a regression — and the strict xfail turns red
the day the reference certifies, so that this note is updated then.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from icss.conformance import RunResult
from icss.spec import load_catalogue

PROFILES = sorted(load_catalogue().profiles)
ATTESTED_ONLY = {i.id for i in load_catalogue().active() if i.verification == "attested"}
#: Indicators the reference is known to fail (script-checker recall; see spec/corpora/scripts/README.md).
KNOWN_GAPS = {"SC-01", "SC-02", "SC-03", "SC-04", "SC-05", "SC-06", "SC-07", "SC-08", "SC-09", "SC-11"}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunResult]:
    from .conftest import run_harness

    return {p: run_harness(tmp_path_factory.mktemp(p), profile=p, level=1) for p in PROFILES}


@pytest.mark.parametrize("profile", PROFILES)
def test_reference_fails_nothing_but_the_known_gaps(profile: str, results: dict[str, RunResult]) -> None:
    result = results[profile]
    problems = {
        r.indicator.id: (r.outcome.value, r.message[:300])
        for r in result.indicators
        if r.outcome.value in ("fail", "error") and r.indicator.id not in KNOWN_GAPS
    }
    assert problems == {}
    # The known gaps fail on their thresholds, never because the target refused or broke the exchange
    # (a 422 for the whole test split once hid behind them).
    gaps = {r.indicator.id: (r.outcome.value, r.message) for r in result.indicators if r.indicator.id in KNOWN_GAPS}
    unexplained = {
        i: (outcome, message[:300])
        for i, (outcome, message) in gaps.items()
        if outcome == "error"
        or (
            outcome == "fail"
            and "recall of blocking detections" not in message
            and "false-positive rate" not in message
        )
    }
    assert unexplained == {}
    undecided = {
        r.indicator.id: r.message
        for r in result.indicators
        if r.outcome.value == "skipped" and r.indicator.id not in ATTESTED_ONLY and r.indicator.level == 1
    }
    assert undecided == {}


@pytest.mark.xfail(strict=True, reason="issue 7: the script checker misses the SC thresholds on the test split")
@pytest.mark.parametrize("profile", PROFILES)
def test_reference_certifies_level_1(
    profile: str, results: dict[str, RunResult], harness: Callable[..., RunResult]
) -> None:
    result = results[profile]
    assert {r.indicator.id for r in result.indicators if r.outcome.value in ("fail", "error")} == set()
