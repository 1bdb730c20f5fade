"""Traceability: the committed coverage matrix and the spec's `checks` lists match the registry."""

from __future__ import annotations

from pathlib import Path

from icss.conformance._coverage import checks_by_indicator, matrix_csv, unknown_indicators
from icss.spec import load_catalogue

ROOT = Path(__file__).resolve().parents[2]

#: Automated or hybrid indicators that have no check yet, each with the reason. The list only
#: shrinks: the test fails if an indicator here gains a check (remove it) or if a new gap appears.
PENDING: dict[str, str] = {}


def test_committed_matrix_is_fresh() -> None:
    committed = (ROOT / "reports" / "coverage-matrix.csv").read_text()
    assert committed == matrix_csv(), "stale: run `icss coverage --write`"


def test_spec_checks_lists_match_the_registry() -> None:
    by_indicator = checks_by_indicator()
    stale = {
        i.id: (list(i.checks), by_indicator.get(i.id, []))
        for i in load_catalogue().indicators
        if list(i.checks) != by_indicator.get(i.id, [])
    }
    assert stale == {}, "stale: run `icss coverage --write`"


def test_checks_name_only_known_indicators() -> None:
    assert unknown_indicators() == []


def test_every_automated_indicator_has_a_check() -> None:
    by_indicator = checks_by_indicator()
    probed = {i.id for i in load_catalogue().active() if i.verification in ("automated", "hybrid")}
    uncovered = {i for i in probed if not by_indicator.get(i)}
    assert uncovered - set(PENDING) == set(), "automated indicators without a check"
    assert set(PENDING) - uncovered == set(), "these have checks now: remove them from PENDING"
