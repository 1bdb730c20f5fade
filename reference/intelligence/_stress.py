"""Debt-stress diagnosis: published over-indebtedness indicators, each with its value and threshold.

The indicators follow the Institute for Fiscal Studies' "immediate servicing pressure" (debt
service at or above a share of net income, or two or more payments behind) and Eurofound's
arrears indicator; the share comes from the profile (``debt_service_stress_percent``). Every
indicator evaluated is returned, fired or not, so the diagnosis can be checked line by line (AI-07).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MODEL_ID = "stress-rules"
MODEL_VERSION = "1.0.0"
#: Two or more scheduled payments missed (IFS; Eurofound's arrears indicator).
ARREARS_PAYMENTS = 2
#: Ratios are reported up to this many percent; more (including any debt service on no income) reads as this.
RATIO_CEILING = Decimal(1000)
_LEVELS = ("none", "moderate", "high", "severe")


@dataclass(frozen=True)
class StressIndicator:
    indicator: str
    value: float
    threshold: float
    unit: str
    fired: bool
    parameter: str | None = None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "indicator": self.indicator,
            "value": self.value,
            "threshold": self.threshold,
            "unit": self.unit,
            "fired": self.fired,
        }
        if self.parameter:
            doc["parameter"] = self.parameter
        return doc


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole == 0:
        return RATIO_CEILING if part > 0 else Decimal(0)
    return min(RATIO_CEILING, part * 100 / whole)


def diagnose(request: Mapping[str, Any], stress_percent: Decimal, *, strict: bool = False) -> list[StressIndicator]:
    """Evaluate every indicator the request allows.

    ``strict`` is the test-mode fault ``ai_stress_threshold_strict`` (fires only above the threshold).
    """
    income = Decimal(request["monthly_net_income"])
    service = Decimal(request["monthly_debt_service"])
    ratio = _percent(service, income)
    fired = ratio > stress_percent if strict else ratio >= stress_percent
    found = [
        StressIndicator(
            "debt_service_ratio", float(round(ratio, 2)), float(stress_percent), "percent", fired,
            "debt_service_stress_percent",
        ),
        StressIndicator(
            "arrears", float(request["payments_behind"]), float(ARREARS_PAYMENTS), "count",
            int(request["payments_behind"]) >= ARREARS_PAYMENTS,
        ),
    ]  # fmt: skip
    if request.get("monthly_essential_expenses") is not None:
        residual = income - service - Decimal(request["monthly_essential_expenses"])
        found.append(StressIndicator("residual_income", float(residual), 0.0, "amount", residual < 0))
    return found


def stress_level(indicators: list[StressIndicator]) -> str:
    """none, moderate, high or severe as none, one, two or three indicators fire."""
    return _LEVELS[min(len(_LEVELS) - 1, sum(i.fired for i in indicators))]


__all__ = ["ARREARS_PAYMENTS", "MODEL_ID", "MODEL_VERSION", "StressIndicator", "diagnose", "stress_level"]
