"""A check that cannot verify part of its indicator on a target says so: a pass with a note, never a silent one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from icss.conformance import Outcome, RunResult

from .mutants._rewrite import rewrite_responses


def _languages(tags: list[str]) -> Callable[[Any], Any]:
    def rewrite(_scope: dict[str, Any], body: bytes, _media: str) -> bytes:
        doc = json.loads(body)
        doc["languages"] = tags
        return json.dumps(doc).encode()

    return rewrite_responses("/icss/v1/capabilities", rewrite)


def test_dr10_notes_that_a_single_language_was_not_tested(harness: Callable[..., RunResult]) -> None:
    # The reference writes to a us debtor in English; a target listing English only leaves nothing to switch to.
    result = harness(profile="us", level=2, only={"DR-10"}, wrap=_languages(["en"]))
    (dr10,) = result.indicators
    assert dr10.outcome is Outcome.PASS
    assert "preferred language was not tested" in dr10.message
    assert dr10.checks[0].message == dr10.message.removeprefix("dr.preferences_honoured: ")


def test_dr10_tested_languages_pass_without_a_note(harness: Callable[..., RunResult]) -> None:
    result = harness(profile="cn", level=2, only={"DR-10"})
    (dr10,) = result.indicators
    assert (dr10.outcome, dr10.message) == (Outcome.PASS, "")
