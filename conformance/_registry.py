"""The check registry: each check declares the indicators it verifies and what it needs.

Checks live in ``conformance/checks/<area>.py`` and register with :func:`check`. One signature for
all (``def name(ctx: CheckContext) -> None``), a decorator instead of a table kept by hand — the
coverage matrix is generated from this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._context import CheckContext

CheckFunction = Callable[["CheckContext"], None]


@dataclass(frozen=True)
class RegisteredCheck:
    name: str  # "<area>.<function name>", stable: reports and the coverage matrix use it
    indicators: tuple[str, ...]
    func: CheckFunction
    needs_sandbox: bool
    feature: str | None  # a capability the target must declare, else not-applicable
    doc: str


_REGISTRY: dict[str, RegisteredCheck] = {}


def check(
    *indicators: str, sandbox: bool = True, feature: str | None = None
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check for ``indicators``.

    Args:
        indicators: ids of the indicators the check verifies (at least one).
        sandbox: whether it needs a sandbox tenant (test clock, outbox, credentials per role).
        feature: a getCapabilities feature the check exercises; a target that does not declare it
            gets ``not-applicable`` for this check.
    """
    if not indicators:
        raise ValueError("a check verifies at least one indicator")

    def register(func: CheckFunction) -> CheckFunction:
        module = func.__module__.rsplit(".", 1)[-1]
        name = f"{module}.{func.__name__}"
        if name in _REGISTRY:
            raise ValueError(f"check {name} registered twice")
        _REGISTRY[name] = RegisteredCheck(
            name=name,
            indicators=tuple(indicators),
            func=func,
            needs_sandbox=sandbox,
            feature=feature,
            doc=(func.__doc__ or "").strip(),
        )
        return func

    return register


def registered_checks() -> dict[str, RegisteredCheck]:
    """Every registered check by name (importing the check modules on first use)."""
    from . import checks  # noqa: F401 - importing registers the checks

    return dict(sorted(_REGISTRY.items()))


def checks_for(indicator_id: str) -> list[RegisteredCheck]:
    return [c for c in registered_checks().values() if indicator_id in c.indicators]
