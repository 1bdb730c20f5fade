"""Every mutant of the reference is caught by the harness on exactly the indicators it breaks.

A check that has never been seen failing proves nothing; this test is where each one fails. A
mutant's verdict is compared with the unmutated reference's under the same profile and level: the
mutant must fail exactly its indicators on top of whatever the reference fails, and its indicators
must pass on the reference (otherwise the mutant proves nothing yet, and the test says so).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from icss.conformance import RunResult, registered_checks
from icss.spec import load_catalogue

from .conftest import failing, run_harness
from .mutants import MUTANTS, Mutant

_BASELINES: dict[tuple[str, int, frozenset[str] | None, frozenset[str]], set[str]] = {}


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Mutant], set[str]]:
    def failing_on_reference(mutant: Mutant) -> set[str]:
        only = frozenset(mutant.only) if mutant.only is not None else None
        key = (mutant.profile, mutant.level, only, mutant.base_faults)
        if key not in _BASELINES:
            result = run_harness(
                tmp_path_factory.mktemp("baseline"),
                profile=mutant.profile,
                level=mutant.level,
                only=mutant.only,
                faults=mutant.base_faults,
            )
            _BASELINES[key] = failing(result)
        return _BASELINES[key]

    return failing_on_reference


@pytest.mark.parametrize("mutant", MUTANTS.values(), ids=lambda m: m.name)
def test_mutant_is_caught_exactly(
    mutant: Mutant, harness: Callable[..., RunResult], baseline: Callable[[Mutant], set[str]], tmp_path: Path
) -> None:
    already = baseline(mutant) & set(mutant.breaks)
    if already:
        pytest.xfail(
            f"the unmutated reference already fails {sorted(already)}: this mutant proves nothing until it passes"
        )
    result = harness(
        profile=mutant.profile,
        level=mutant.level,
        faults=mutant.base_faults | mutant.faults,
        wrap=mutant.wrap,
        only=mutant.only,
    )
    new_failures = failing(result) - baseline(mutant)
    assert new_failures == set(mutant.breaks), {
        r.indicator.id: r.message[:300]
        for r in result.indicators
        if r.indicator.id in new_failures ^ set(mutant.breaks)
    }


def test_every_automated_indicator_with_a_check_has_a_mutant() -> None:
    checked = {ind for c in registered_checks().values() for ind in c.indicators}
    broken = {ind for m in MUTANTS.values() for ind in m.breaks}
    automated = {i.id for i in load_catalogue().active() if i.verification in ("automated", "hybrid")}
    missing = sorted((checked & automated) - broken)
    assert missing == [], f"checks never seen failing (add a mutant): {missing}"
