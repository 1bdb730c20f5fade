"""The ICSS conformance harness: certifies any collection service over HTTP.

It never imports :mod:`icss.reference`; it sees a target only through the ICSS interface. Two
front ends drive one core: the ``icss certify`` command and the pytest plugin.
"""

from ._attestations import Attestation, load_attestations
from ._context import CheckContext, Credentials
from ._outcomes import CheckFailed, CheckResult, CheckSkipped, Outcome, TargetError
from ._registry import RegisteredCheck, check, registered_checks
from ._report import diff_reports, report_document, verify_report, write_report
from ._runner import IndicatorResult, RunConfig, RunResult, run
from ._target import Target

__all__ = [
    # running
    "run",
    "RunConfig",
    "RunResult",
    "IndicatorResult",
    "Target",
    "Credentials",
    "Attestation",
    "load_attestations",
    # writing checks
    "check",
    "CheckContext",
    "CheckFailed",
    "CheckSkipped",
    "TargetError",
    "Outcome",
    "CheckResult",
    "RegisteredCheck",
    "registered_checks",
    # reports
    "write_report",
    "report_document",
    "verify_report",
    "diff_reports",
]
