"""The pre-contact decision: run every registered rule and fold their findings into one answer.

Importing the rule modules registers them; nothing else in this module knows a rule by name.
Reasons come out in the fixed order of the vocabulary, whatever order the rules ran in, so
equal inputs always give byte-identical decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from . import _limits, _prerequisites, _recipients, _standing, _timing
from ._context import Context
from ._facts import ContactRequest, DebtorFacts
from ._registry import registered_rules
from ._rules import Rules
from ._vocabulary import ALLOW_REASONS, DENY_REASONS, AllowReason, DenyReason, Reason

# The rule modules register themselves on import; keep the names so linters see them used.
RULE_MODULES = (_timing, _limits, _standing, _recipients, _prerequisites)


@dataclass(frozen=True, slots=True)
class Decision:
    """allow/deny, the reasons (every applicable deny reason, or the allow reasons), and context.

    ``local_times`` shows the request's instant on the wall clock of every zone considered, so
    a reader can see why a time rule fired; ``notes`` are human-readable details per rule.
    """

    allowed: bool
    reasons: tuple[Reason, ...]
    local_times: Mapping[str, str]
    notes: tuple[str, ...] = ()


def decide(facts: DebtorFacts, request: ContactRequest, rules: Rules) -> Decision:
    """Decide whether ``request`` may go ahead, given ``facts`` as known at ``request.at``.

    Pure: no clock, no I/O. Only events effective at or before the instant and attempts made
    before it are considered. Raises ValueError when the request names an unknown contact
    point or a channel the contact point cannot carry.
    """
    ctx = Context.build(facts, request, rules)
    denied: set[DenyReason] = set()
    allowed: set[AllowReason] = set()
    notes: list[str] = []
    for registered in registered_rules():
        finding = registered.check(ctx)
        if finding is None:
            continue
        denied.update(finding.deny)
        allowed.update(finding.allow)
        notes.extend(f"{registered.name}: {note}" for note in finding.notes)
    reasons: tuple[Reason, ...]
    if denied:
        reasons = tuple(r for r in DENY_REASONS if r in denied)
    else:
        reasons = tuple(r for r in ALLOW_REASONS if r in allowed) or ("allowed",)
    return Decision(
        allowed=not denied,
        reasons=reasons,
        local_times=MappingProxyType({zone: clock.isoformat() for zone, clock in ctx.local_times.items()}),
        notes=tuple(notes),
    )
