"""The repayment-capacity scorecard: points deducted from 1000 per factor, nothing learned, nothing hidden.

A points scorecard is the most transparent model a collector can run: every factor takes a
documented number of points, the score is 1000 minus their sum, and the principal reasons are the
factors that took the most points (Regulation B comment 9(b)(2)-1 asks for the factors actually
scored, at most four). It reads only the financial features of the request; the request schema has
no member for a protected attribute, so none can reach it (AI-02).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

MODEL_ID = "rc-scorecard"
MODEL_VERSION = "1.0.0"
MAX_SCORE = 1000
#: Lower bounds of the bands, highest first; below the last bound the band is E.
BANDS: tuple[tuple[str, int], ...] = (("A", 800), ("B", 650), ("C", 500), ("D", 350), ("E", 0))


def _clamp(value: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(1), value))


def _amount(features: Mapping[str, Any], name: str) -> Decimal | None:
    raw = features.get(name)
    return None if raw is None else Decimal(str(raw))


def _share(features: Mapping[str, Any], name: str) -> Decimal | None:
    """``name`` as a share of monthly income; any outgoing on no income is the whole of it."""
    part = _amount(features, name)
    if part is None:
        return None
    income = _amount(features, "monthly_income") or Decimal(0)
    if income == 0:
        return Decimal(1) if part > 0 else Decimal(0)
    return part / income


@dataclass(frozen=True)
class Factor:
    """One line of the scorecard: the inputs it reads, its reason code and how many points it takes."""

    reason_code: str
    inputs: tuple[str, ...]
    max_points: int
    rule: str  # the deduction in words, published on the model card
    points: Callable[[Mapping[str, Any]], Decimal]


def _dsr(f: Mapping[str, Any]) -> Decimal:
    share = _share(f, "monthly_debt_service") or Decimal(0)
    return 300 * _clamp((share - Decimal("0.15")) / Decimal("0.45"))


def _missed(f: Mapping[str, Any]) -> Decimal:
    return Decimal(min(200, 60 * int(f.get("missed_payments_12m") or 0)))


def _employment(f: Mapping[str, Any]) -> Decimal:
    months = f.get("employment_months")
    return Decimal(0) if months is None else Decimal(max(0, 24 - int(months))) * 100 / 24


def _stability(f: Mapping[str, Any]) -> Decimal:
    stability = f.get("income_stability")
    return Decimal(0) if stability is None else (1 - Decimal(str(stability))) * 100


def _utilisation(f: Mapping[str, Any]) -> Decimal:
    used = f.get("credit_utilisation")
    return Decimal(0) if used is None else 120 * _clamp((Decimal(str(used)) - Decimal("0.3")) / Decimal("0.6"))


def _commitments(f: Mapping[str, Any]) -> Decimal:
    return Decimal(min(80, 20 * max(0, int(f.get("open_commitments") or 0) - 2)))


def _history(f: Mapping[str, Any]) -> Decimal:
    months = f.get("history_months")
    return Decimal(0) if months is None else Decimal(max(0, 24 - int(months))) * 50 / 24


def _income_drop(f: Mapping[str, Any]) -> Decimal:
    return Decimal(80) if f.get("income_drop_reported") else Decimal(0)


def _essentials(f: Mapping[str, Any]) -> Decimal:
    share = _share(f, "monthly_essential_expenses")
    return Decimal(0) if share is None else 150 * _clamp((share - Decimal("0.4")) / Decimal("0.4"))


#: The scorecard, in the order that breaks ties between factors taking the same points.
FACTORS: tuple[Factor, ...] = (
    Factor("high_debt_service_ratio", ("monthly_debt_service", "monthly_income"), 300,
           "0 points up to 15 % of income on debt service, rising evenly to 300 points at 60 % or more", _dsr),
    Factor("recent_missed_payments", ("missed_payments_12m",), 200,
           "60 points per payment missed in the last 12 months, at most 200", _missed),
    Factor("high_essential_expenses", ("monthly_essential_expenses", "monthly_income"), 150,
           "0 points up to 40 % of income on essential expenses, rising evenly to 150 points at 80 % or more",
           _essentials),
    Factor("high_credit_utilisation", ("credit_utilisation",), 120,
           "0 points up to 30 % utilisation, rising evenly to 120 points at 90 % or more", _utilisation),
    Factor("short_employment", ("employment_months",), 100,
           "100 points for no current employment history, falling evenly to 0 at 24 months", _employment),
    Factor("low_income_stability", ("income_stability",), 100, "100 points times (1 - income stability)",
           _stability),
    Factor("income_drop_reported", ("income_drop_reported",), 80, "80 points when a fall in income is reported",
           _income_drop),
    Factor("many_open_commitments", ("open_commitments",), 80,
           "20 points per open commitment beyond two, at most 80", _commitments),
    Factor("insufficient_history", ("history_months",), 50,
           "50 points for no credit history, falling evenly to 0 at 24 months", _history),
)  # fmt: skip

REASON_CODES: tuple[str, ...] = tuple(f.reason_code for f in FACTORS)
INPUTS: tuple[str, ...] = tuple(dict.fromkeys(name for f in FACTORS for name in f.inputs))


@dataclass(frozen=True)
class Assessment:
    score: int
    band: str
    reason_codes: tuple[str, ...]
    points: Mapping[str, int]  # points each factor took, for the explanation


def band_of(score: int) -> str:
    return next(band for band, floor in BANDS if score >= floor)


def assess(features: Mapping[str, Any]) -> Assessment:
    """Score ``features`` (the request's ``features`` object, amounts as decimal strings).

    The principal reasons are the factors that took points, most points first, at most four; a
    perfect applicant loses no points and so has no adverse reason to report.
    """
    taken = {f.reason_code: int(f.points(features).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)) for f in FACTORS}
    score = max(0, MAX_SCORE - sum(taken.values()))
    order = {code: i for i, code in enumerate(REASON_CODES)}
    adverse = sorted((c for c, p in taken.items() if p > 0), key=lambda c: (-taken[c], order[c]))
    return Assessment(score=score, band=band_of(score), reason_codes=tuple(adverse[:4]), points=taken)


__all__ = ["BANDS", "FACTORS", "INPUTS", "MODEL_ID", "MODEL_VERSION", "REASON_CODES", "Assessment", "assess", "band_of"]
