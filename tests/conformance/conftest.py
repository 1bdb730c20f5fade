"""Run the harness in-process against the reference (or a mutant of it) through a TestClient.

The harness only ever sees an httpx client: here it is Starlette's TestClient bound to the app, so
the black-box rule holds while the run stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from icss.conformance import Credentials, RunConfig, RunResult, Target, run
from icss.reference._app import create_app
from icss.reference._config import Settings

BOOTSTRAP_SECRET = "harness-tests-bootstrap-secret"  # noqa: S105 - a test-only secret
Wrapper = Callable[[Any], Any]


def run_harness(
    data_dir: Path,
    *,
    profile: str,
    level: int = 1,
    faults: Iterable[str] = (),
    wrap: Wrapper | None = None,
    only: Iterable[str] | None = None,
    workers: int = 2,
) -> RunResult:
    settings = Settings(data_dir=data_dir, bootstrap_secret=BOOTSTRAP_SECRET, faults=frozenset(faults), test_mode=True)
    app: Any = create_app(settings)
    if wrap is not None:
        app = wrap(app)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        target = Target(client=client)
        config = RunConfig(
            target=target,
            profile=profile,
            level=level,
            credentials=Credentials("bootstrap", BOOTSTRAP_SECRET),
            workers=workers,
            only=frozenset(only) if only is not None else None,
        )
        return run(config)


@pytest.fixture
def harness(tmp_path: Path) -> Callable[..., RunResult]:
    def call(**kwargs: Any) -> RunResult:
        return run_harness(tmp_path, **kwargs)

    return call


def failing(result: RunResult) -> set[str]:
    return {r.indicator.id for r in result.indicators if r.outcome.value in ("fail", "error")}
