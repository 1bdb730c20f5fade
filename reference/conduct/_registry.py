"""The rule registry: every contact rule is a small function registered with the reasons it may give.

A registry instead of an if/elif chain (the CONVENTIONS' jsonschema keyword table): each rule
sees the whole :class:`Context`, returns a :class:`Finding` or None, and never knows about the
others. ``decide`` runs them all, so every applicable deny reason is reported, not only the
first. A rule declares its deny reasons up front so a test can prove the vocabulary is covered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._vocabulary import AllowReason, DenyReason

if TYPE_CHECKING:
    from ._context import Context


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule found: reasons to deny, exceptions it applied, and notes for a human reader."""

    deny: tuple[DenyReason, ...] = ()
    allow: tuple[AllowReason, ...] = ()
    notes: tuple[str, ...] = ()


def deny(reason: DenyReason, note: str | None = None) -> Finding:
    return Finding(deny=(reason,), notes=() if note is None else (note,))


def allow(reason: AllowReason, note: str | None = None) -> Finding:
    return Finding(allow=(reason,), notes=() if note is None else (note,))


RuleFunction = Callable[["Context"], Finding | None]


@dataclass(frozen=True, slots=True)
class RegisteredRule:
    """A rule, its name and the deny reasons it may return."""

    name: str
    reasons: tuple[DenyReason, ...]
    check: RuleFunction


_REGISTRY: Final[dict[str, RegisteredRule]] = {}


def rule(*reasons: DenyReason) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as a contact rule that may deny with ``reasons``."""

    def register(check: RuleFunction) -> RuleFunction:
        name = check.__name__
        if name in _REGISTRY:
            raise ValueError(f"contact rule {name!r} is registered twice")
        _REGISTRY[name] = RegisteredRule(name=name, reasons=reasons, check=check)
        return check

    return register


def registered_rules() -> tuple[RegisteredRule, ...]:
    """Every registered rule, in registration order."""
    return tuple(_REGISTRY.values())
