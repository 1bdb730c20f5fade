"""The catalogue of mutants: deliberately non-conforming variants of the reference.

Each mutant breaks one behaviour (by a fault switch of the reference's test mode, or by a small
ASGI wrapper around it) and names the indicators the harness must fail for it — and no others.
Area modules add their mutants to ``MUTANTS`` with :func:`mutant`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Mutant:
    name: str
    breaks: frozenset[str]  # indicator ids the harness must fail (fail or error) — exactly these
    profile: str = "us"
    level: int = 1
    faults: frozenset[str] = frozenset()
    wrap: Callable[[Any], Any] | None = None
    note: str = ""
    only: frozenset[str] | None = field(default=None)
    #: Switches planted in the unmutated run as well (its baseline): a test aid such as ``sc_oracle``, on which
    #: the mutant's indicators pass, so that the mutant can be seen failing them.
    base_faults: frozenset[str] = frozenset()


MUTANTS: dict[str, Mutant] = {}


def mutant(name: str, breaks: set[str] | frozenset[str], **kwargs: Any) -> Mutant:
    if name in MUTANTS:
        raise ValueError(f"mutant {name} defined twice")
    kwargs.setdefault("faults", frozenset())
    kwargs["faults"] = frozenset(kwargs["faults"])
    kwargs["base_faults"] = frozenset(kwargs.get("base_faults", ()))
    made = Mutant(name=name, breaks=frozenset(breaks), **kwargs)
    MUTANTS[name] = made
    return made


# The modules that add mutants (import order does not matter).
from . import ai, cp, dr, ds, ev, op, sc  # noqa: E402, F401
