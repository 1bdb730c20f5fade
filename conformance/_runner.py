"""The core of a run: pick the in-scope indicators, run their checks, decide each indicator.

Both front ends (the ``icss certify`` command and the pytest plugin) drive :func:`run`. It emits
events to listeners (progress display, reporters) and never raises for anything a target does:
a broken target yields ``error`` outcomes.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from icss.spec import Catalogue, Indicator, load_catalogue

from ._attestations import Attestation
from ._context import AdminToken, CheckContext, Credentials
from ._outcomes import CheckFailed, CheckResult, CheckSkipped, Outcome, TargetError
from ._registry import RegisteredCheck, registered_checks
from ._target import Target

#: The sandbox clock every check starts from unless it sets its own: a Wednesday, 10:00 UTC.
DEFAULT_CLOCK = "2026-03-04T10:00:00Z"


@dataclass
class RunConfig:
    target: Target
    profile: str
    level: int
    credentials: Credentials | None
    attestations: Mapping[str, Attestation] = field(default_factory=dict)
    workers: int = 2
    only: frozenset[str] | None = None  # restrict to these indicator ids (tests, re-runs)
    embedded: bool = False


@dataclass
class IndicatorResult:
    indicator: Indicator
    outcome: Outcome
    message: str = ""
    checks: list[CheckResult] = field(default_factory=list)
    attestation: Attestation | None = None


@dataclass
class RunResult:
    config: RunConfig
    catalogue: Catalogue
    started_at: datetime
    finished_at: datetime
    indicators: list[IndicatorResult]
    service: dict[str, Any] | None
    capabilities: dict[str, Any] | None
    wall_seconds: float

    @property
    def achieved_level(self) -> int:
        achieved = 0
        for level in (1, 2, 3):
            if level > self.config.level:
                break
            musts = [r for r in self.indicators if r.indicator.level <= level and r.indicator.obligation == "must"]
            if all(r.outcome in (Outcome.PASS, Outcome.ATTESTED, Outcome.NOT_APPLICABLE) for r in musts):
                achieved = level
            else:
                break
        return achieved

    @property
    def certified(self) -> bool:
        return self.achieved_level >= self.config.level

    def count(self, outcome: Outcome) -> int:
        return sum(r.outcome is outcome for r in self.indicators)


Listener = Callable[[str, Mapping[str, Any]], None]


def _probe(target: Target, path: str) -> dict[str, Any] | None:
    try:
        response = target.request("GET", path)
        if response.status_code == 200:
            body = response.json()
            return body if isinstance(body, dict) else None
    except (TargetError, ValueError):
        return None
    return None


def _run_check(
    config: RunConfig,
    catalogue: Catalogue,
    registered: RegisteredCheck,
    capabilities: Mapping[str, Any] | None,
    admin_token: AdminToken,
) -> CheckResult:
    started = time.perf_counter()
    ctx = CheckContext(
        target=config.target,
        catalogue=catalogue,
        profile=catalogue.profile(config.profile),
        level=config.level,
        credentials=config.credentials,
        capabilities=capabilities,
        admin_token=admin_token,
    )
    outcome, message, severity = Outcome.PASS, "", None
    try:
        if (
            registered.feature
            and capabilities is not None
            and registered.feature not in capabilities.get("features", [])
        ):
            raise _NotApplicable(f"the target does not declare the feature {registered.feature!r}")
        if registered.needs_sandbox:
            ctx.open_sandbox(DEFAULT_CLOCK)
        registered.func(ctx)
    except CheckFailed as failure:
        outcome, message, severity = Outcome.FAIL, str(failure), failure.severity
    except CheckSkipped as skip:
        outcome, message = Outcome.SKIPPED, str(skip)
    except _NotApplicable as na:
        outcome, message = Outcome.NOT_APPLICABLE, str(na)
    except TargetError as exc:
        outcome, message = Outcome.ERROR, f"target error: {exc}"
    except Exception as exc:  # a harness bug is reported as an error, never crashes the run
        outcome = Outcome.ERROR
        message = f"harness error: {type(exc).__name__}: {exc} | {traceback.format_exc(limit=3).splitlines()[-3:]}"
    finally:
        ctx.close_sandbox()
    if outcome is Outcome.PASS and ctx.notes:
        message = "; ".join(ctx.notes)  # a pass with a part left untested says so, never silently
    return CheckResult(
        name=registered.name,
        outcome=outcome,
        duration_ms=(time.perf_counter() - started) * 1000,
        message=message,
        severity=severity,
        exchanges=ctx.exchanges[-6:] if outcome in (Outcome.FAIL, Outcome.ERROR) else [],
    )


class _NotApplicable(Exception):  # noqa: N818 - control flow inside the runner only
    pass


_WORST_FIRST = (Outcome.FAIL, Outcome.ERROR, Outcome.SKIPPED, Outcome.NOT_APPLICABLE, Outcome.PASS)


def _decide(
    indicator: Indicator, results: list[CheckResult], attestation: Attestation | None, today: str
) -> IndicatorResult:
    valid = attestation is not None and attestation.valid_on(today)
    if indicator.verification == "attested":
        if valid:
            return IndicatorResult(indicator, Outcome.ATTESTED, "document evidence accepted", [], attestation)
        why = "attestation expired" if attestation is not None else "no attestation supplied"
        return IndicatorResult(indicator, Outcome.SKIPPED, why, [], attestation)
    if not results:
        return IndicatorResult(indicator, Outcome.SKIPPED, "no check implements this indicator yet")
    outcomes = {r.outcome for r in results}
    worst = next(o for o in _WORST_FIRST if o in outcomes)
    message = "; ".join(f"{r.name}: {r.message}" for r in results if r.outcome is worst and r.message)
    if worst is Outcome.PASS and indicator.verification == "hybrid":
        # The documentary half of a hybrid indicator needs an attestation as well as passing checks.
        if not valid:
            return IndicatorResult(
                indicator,
                Outcome.SKIPPED,
                "checks passed; the documentary evidence (attestation) is missing or expired",
                results,
                attestation,
            )
        return IndicatorResult(
            indicator, Outcome.PASS, "checks passed and documentary evidence attested", results, attestation
        )
    return IndicatorResult(indicator, worst, message, results, attestation)


def run(config: RunConfig, listener: Listener | None = None) -> RunResult:
    """Certify ``config.target``: every in-scope indicator gets an outcome."""
    emit = listener or (lambda _event, _data: None)
    catalogue = load_catalogue()
    catalogue.profile(config.profile)  # KeyError for an unknown profile, before anything is sent
    started_at, started = datetime.now(UTC), time.perf_counter()
    service = _probe(config.target, "/version")
    capabilities = _probe(config.target, "/capabilities")
    in_scope = [i for i in catalogue.active() if config.only is None or i.id in config.only]
    checks = registered_checks()
    wanted = {c.name: c for c in checks.values() for i in in_scope if i.id in c.indicators and i.level <= config.level}
    emit("start", {"indicators": len(in_scope), "checks": len(wanted), "target": config.target.url})
    results: dict[str, CheckResult] = {}
    admin_token = AdminToken()  # one admin token for the run, not one per check
    with ThreadPoolExecutor(max_workers=max(1, config.workers)) as pool:
        futures = {
            pool.submit(_run_check, config, catalogue, c, capabilities, admin_token): name for name, c in wanted.items()
        }
        for future in as_completed(futures):
            done = future.result()
            results[done.name] = done
            emit(
                "check",
                {"name": done.name, "outcome": done.outcome.value, "done": len(results), "total": len(wanted)},
            )
    today = started_at.date().isoformat()
    indicator_results = []
    for indicator in in_scope:
        if indicator.level > config.level:
            indicator_results.append(
                IndicatorResult(
                    indicator,
                    Outcome.NOT_APPLICABLE,
                    f"level {indicator.level} is above the claimed level {config.level}",
                )
            )
            continue
        own = [results[c.name] for c in checks.values() if indicator.id in c.indicators and c.name in results]
        decided = _decide(indicator, own, config.attestations.get(indicator.id), today)
        indicator_results.append(decided)
        emit("indicator", {"id": indicator.id, "outcome": decided.outcome.value})
    result = RunResult(
        config=config,
        catalogue=catalogue,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        indicators=indicator_results,
        service=service,
        capabilities=capabilities,
        wall_seconds=time.perf_counter() - started,
    )
    emit("finish", {"achieved": result.achieved_level, "certified": result.certified})
    return result
