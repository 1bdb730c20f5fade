"""Deliberate faults: switches that make the reference non-conforming in one precise way.

They exist to prove the conformance checks can fail (every automated indicator has a mutant that
the harness must flag). They work only in test mode (``ICSS_TEST_MODE=1`` and ``ICSS_FAULTS``, or
``Settings(test_mode=True, faults=...)``) and are never on in a normal start.
Each entry: name -> what the fault breaks (and the indicator it should make fail).
"""

from __future__ import annotations

KNOWN_FAULTS: dict[str, str] = {
    "problem_stack_trace": "OP-02: malformed JSON answers 500 with a stack trace instead of a 400 problem",
}
