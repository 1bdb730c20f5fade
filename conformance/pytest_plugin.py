"""The harness as a pytest plugin, so vendors can put certification in their own CI.

``pytest --icss-target URL --icss-profile cn --icss-level 1 [--icss-credentials FILE]`` adds one
test item per in-scope indicator (its node id carries the indicator id). The plugin is thin and
cheap to import — it only reads options until ``--icss-target`` is given — and drives the same
core as ``icss certify`` (``icss.conformance.run``), once per session.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("icss", "ICSS conformance certification")
    group.addoption(
        "--icss-target",
        default=None,
        help="Base URL of the service to certify, or 'embedded' to start the ICSS reference.",
    )
    group.addoption("--icss-profile", default="cn", help="Jurisdiction profile (default cn).")
    group.addoption("--icss-level", default=1, type=int, choices=(1, 2, 3), help="Level claimed (default 1).")
    group.addoption(
        "--icss-credentials", default=None, help="JSON file with the admin client that creates sandbox tenants."
    )
    group.addoption("--icss-attestations", default=None, help="Attestations file (YAML or JSON).")
    group.addoption("--icss-only", default=None, help="Comma-separated indicator ids to restrict the run to.")
    group.addoption("--icss-report", default=None, help="Also write the signed report into this folder.")
    group.addoption("--icss-workers", default=2, type=int, help="Checks run in parallel (default 2).")


class IndicatorItem(pytest.Item):
    """One indicator of the run; passes, fails or skips with the harness's outcome."""

    def __init__(self, *, indicator_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.indicator_id = indicator_id

    def runtest(self) -> None:
        result = self.session.config.stash[_RESULT_KEY]
        outcome = next(r for r in result.indicators if r.indicator.id == self.indicator_id)
        value = outcome.outcome.value
        if value in ("pass", "attested"):
            return
        if value in ("skipped", "not-applicable"):
            if value == "skipped" and outcome.indicator.obligation == "must":
                raise IndicatorNotDecided(f"{self.indicator_id} could not be decided: {outcome.message}")
            pytest.skip(f"{value}: {outcome.message}")
        raise IndicatorFailed(f"{self.indicator_id} {value}: {outcome.message}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, IndicatorFailed | IndicatorNotDecided):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return ("icss", None, f"ICSS {self.indicator_id}")


class IndicatorFailed(Exception):  # noqa: N818 - a verdict shown to the user, not an error
    pass


class IndicatorNotDecided(Exception):  # noqa: N818 - a verdict shown to the user, not an error
    pass


_RESULT_KEY = pytest.StashKey[Any]()


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    target = config.getoption("icss_target")
    if not target:
        return
    result = _run(config, target)
    config.stash[_RESULT_KEY] = result
    for indicator in result.indicators:
        items.append(
            IndicatorItem.from_parent(
                session, name=f"icss[{indicator.indicator.id}]", indicator_id=indicator.indicator.id
            )
        )


def _run(config: pytest.Config, target: str) -> Any:
    # Heavy imports here, not at plugin load: every pytest run of the machine loads this module.
    from pathlib import Path

    from icss.conformance import RunConfig, load_attestations, run, write_report
    from icss.conformance._embedded import connect

    credentials = config.getoption("icss_credentials")
    with connect(target, Path(credentials) if credentials else None) as conn:
        attestations = config.getoption("icss_attestations")
        only = config.getoption("icss_only")
        run_config = RunConfig(
            target=conn.target,
            profile=config.getoption("icss_profile"),
            level=config.getoption("icss_level"),
            credentials=conn.credentials,
            attestations=load_attestations(Path(attestations)) if attestations else {},
            workers=config.getoption("icss_workers"),
            embedded=conn.embedded,
            only=frozenset(only.split(",")) if only else None,
        )
        result = run(run_config)
        report = config.getoption("icss_report")
        if report:
            write_report(result, Path(report))
        return result
