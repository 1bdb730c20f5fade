"""Every mutant of the reference is caught by the harness on exactly the indicators it breaks.

A check that has never been seen failing proves nothing; this test is where each one fails.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from icss.conformance import RunResult, registered_checks
from icss.spec import load_catalogue

from .conftest import failing
from .mutants import MUTANTS, Mutant


@pytest.mark.parametrize("mutant", MUTANTS.values(), ids=lambda m: m.name)
def test_mutant_is_caught_exactly(mutant: Mutant, harness: Callable[..., RunResult]) -> None:
    result = harness(
        profile=mutant.profile, level=mutant.level, faults=mutant.faults, wrap=mutant.wrap, only=mutant.only
    )
    assert failing(result) == set(mutant.breaks), {
        r.indicator.id: r.message[:300] for r in result.indicators if r.outcome.value in ("fail", "error")
    }


def test_every_automated_indicator_with_a_check_has_a_mutant() -> None:
    checked = {ind for c in registered_checks().values() for ind in c.indicators}
    broken = {ind for m in MUTANTS.values() for ind in m.breaks}
    automated = {i.id for i in load_catalogue().active() if i.verification in ("automated", "hybrid")}
    missing = sorted((checked & automated) - broken)
    assert missing == [], f"checks never seen failing (add a mutant): {missing}"
