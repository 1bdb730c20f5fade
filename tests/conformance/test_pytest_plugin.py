"""The pytest front end drives the same core as `icss certify` (tested with pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_plugin_is_inert_without_a_target(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok():\n    assert True\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_plugin_turns_indicators_into_test_items(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--icss-target",
        "embedded",
        "--icss-profile",
        "us",
        "--icss-only",
        "OP-04,OP-05,DR-13",
        "-v",
    )
    # OP-04 and OP-05 pass against the reference; DR-13 is attested-only and no attestation was given.
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*icss*OP-04*PASSED*", "*DR-13 could not be decided*"])
