"""What a check can conclude, as types: a failure is not an error, and neither is a skip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """The outcome of a check or an indicator (ordered from best to worst where it matters)."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"  # the target does not conform
    ERROR = "error"  # the target or the harness broke: not a verdict
    SKIPPED = "skipped"  # could not be decided (with a reason)
    NOT_APPLICABLE = "not-applicable"  # outside the claimed profile, level or capabilities
    ATTESTED = "attested"  # document evidence accepted by an auditor


class Exchange:
    """One request and response, kept as evidence of a verdict; its bodies are redacted before they are read.

    The target client records every exchange, but only those of failed or broken checks reach a
    report. So the bodies may be given as a ``settle`` function that decodes and redacts them on
    first read — with the canaries known by then, which are never fewer than at the time of the
    request — instead of for every one of the run's thousands of requests.
    """

    __slots__ = ("_bodies", "_settle", "elapsed_ms", "method", "path", "status")

    def __init__(
        self,
        method: str,
        path: str,
        status: int | None,
        request_body: Any = None,
        response_body: Any = None,
        elapsed_ms: float = 0.0,
        *,
        settle: Callable[[], tuple[Any, Any]] | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.elapsed_ms = elapsed_ms
        self._bodies: tuple[Any, Any] | None = (request_body, response_body) if settle is None else None
        self._settle = settle

    def _settled(self) -> tuple[Any, Any]:
        if self._bodies is None:
            assert self._settle is not None  # noqa: S101 - one of the two is always set
            self._bodies, self._settle = self._settle(), None
        return self._bodies

    @property
    def request_body(self) -> Any:
        return self._settled()[0]

    @property
    def response_body(self) -> Any:
        return self._settled()[1]

    def __repr__(self) -> str:
        return f"Exchange({self.method} {self.path} -> {self.status})"

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
        if self.request_body is not None:
            doc["request_body"] = self.request_body
        if self.response_body is not None:
            doc["response_body"] = self.response_body
        return doc


class CheckFailed(Exception):  # noqa: N818 - a verdict, not an error of the harness
    """The target does not conform; the message says what a vendor has to change."""

    def __init__(self, message: str, *, severity: str = "major", exchanges: list[Exchange] | None = None) -> None:
        super().__init__(message)
        self.severity = severity
        self.exchanges = exchanges or []


class TargetError(Exception):
    """The target broke (timeout, 5xx, garbage, refused connection): the check could not conclude."""


class CheckSkipped(Exception):  # noqa: N818 - a reason, not an error
    """The check cannot run against this target (e.g. no sandbox); the message is the reason."""


@dataclass
class CheckResult:
    name: str
    outcome: Outcome
    duration_ms: float
    message: str = ""
    severity: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": self.name,
            "outcome": self.outcome.value,
            "duration_ms": round(self.duration_ms, 2),
        }
        if self.message:
            doc["message"] = self.message
        if self.severity:
            doc["severity"] = self.severity
        if self.exchanges:
            doc["exchanges"] = [e.to_json() for e in self.exchanges[-6:]]
        return doc
