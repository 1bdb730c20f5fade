"""Repayment-plan proposals that the debtor can afford, within the profile's longest term.

An instalment may take at most ``plan_max_surplus_share_percent`` of the declared monthly surplus
(income minus expenses and other debt service) and the plan may last at most
``plan_max_term_months`` (AI-08; CONC 7.3.4R, the five-year cap of the Chinese credit-card rules).
Instalments add up to the balance exactly: all but the last are equal and the last takes the rest,
and no charge is added. A debtor who declared hardship is offered the longest affordable term as a
forbearance option (DR-08). When no option fits, none is offered: the proposal goes to a person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

MODEL_ID = "plan-affordability"
MODEL_VERSION = "1.0.0"
CENT = Decimal("0.01")
PERIODS_PER_YEAR = {"monthly": 12, "fortnightly": 26, "weekly": 52}
FORBEARANCE = ("longer_term", "reduced_instalments", "interest_and_charges_suspended")


@dataclass(frozen=True)
class PlanLimits:
    share_percent: Decimal
    max_term_months: int


@dataclass(frozen=True)
class PlanOption:
    instalment: Decimal
    frequency: str
    count: int
    last: Decimal
    term_months: int
    total: Decimal
    share_of_surplus: float | None
    rejection: str | None = None
    forbearance: tuple[str, ...] = ()

    def as_json(self, first_due: str | None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "instalment_amount": str(self.instalment),
            "last_instalment_amount": str(self.last),
            "frequency": self.frequency,
            "number_of_instalments": self.count,
            "term_months": self.term_months,
            "total_payable": str(self.total),
            "disclosed_charges": "0.00",
            "affordable": self.rejection is None,
        }
        if first_due:
            doc["first_due_date"] = first_due
        if self.share_of_surplus is not None:
            doc["share_of_surplus_percent"] = self.share_of_surplus
        if self.rejection:
            doc["rejection_reason"] = self.rejection
        if self.forbearance:
            doc["forbearance"] = list(self.forbearance)
        return doc


@dataclass(frozen=True)
class Proposal:
    surplus: Decimal
    max_instalment: Decimal  # per month
    options: list[PlanOption] = field(default_factory=list)
    rejected: list[PlanOption] = field(default_factory=list)

    @property
    def reason_codes(self) -> list[str]:
        return [] if self.options else ["plan_unaffordable"]


def _months(count: int, frequency: str) -> int:
    return math.ceil(count * 12 / PERIODS_PER_YEAR[frequency])


def _option(balance: Decimal, instalment: Decimal, frequency: str, surplus: Decimal, limits: PlanLimits,
            cap: Decimal, forbearance: tuple[str, ...] = ()) -> PlanOption:  # fmt: skip
    instalment = instalment.quantize(CENT)
    count = max(1, math.ceil(balance / instalment)) if instalment > 0 else 0
    last = balance - instalment * (count - 1) if count else Decimal(0)
    monthly = instalment * PERIODS_PER_YEAR[frequency] / 12
    share = float(round(monthly * 100 / surplus, 1)) if surplus > 0 else None
    rejection = None
    if surplus <= 0 or instalment <= 0:
        rejection = "no_surplus"
    elif instalment > cap:
        rejection = "exceeds_affordable_share"
    elif _months(count, frequency) > limits.max_term_months:
        rejection = "exceeds_max_term"
    return PlanOption(
        instalment=instalment,
        frequency=frequency,
        count=max(count, 1),
        last=last if count else balance,
        term_months=_months(max(count, 1), frequency),
        total=balance,
        share_of_surplus=share,
        rejection=rejection,
        forbearance=forbearance if rejection is None else (),
    )


def propose(
    balance: Decimal,
    income: Decimal,
    expenses: Decimal,
    *,
    limits: PlanLimits,
    frequency: str = "monthly",
    preferred: Decimal | None = None,
    hardship: bool = False,
) -> Proposal:
    """Plan options for ``balance`` from the declared monthly ``income`` and ``expenses``."""
    balance = balance.quantize(CENT)
    surplus = (income - expenses).quantize(CENT)
    monthly_cap = max(Decimal(0), surplus * limits.share_percent / 100).quantize(CENT, rounding=ROUND_FLOOR)
    periods = PERIODS_PER_YEAR[frequency]
    cap = (monthly_cap * 12 / periods).quantize(CENT, rounding=ROUND_FLOOR)
    most = limits.max_term_months * periods // 12  # instalments in the longest term
    candidates: list[tuple[Decimal, tuple[str, ...]]] = []
    if preferred is not None:
        candidates.append((preferred, ()))
    if cap > 0 and balance > 0:
        candidates.append((cap, ()))  # the shortest affordable plan
        gentler = (cap * 2 / 3).quantize(CENT, rounding=ROUND_FLOOR)
        if gentler > 0:
            candidates.append((gentler, ()))
        if hardship:  # the longest term the profile allows: the lowest instalment
            lowest = (balance / most).quantize(CENT, rounding=ROUND_CEILING)
            candidates.append((lowest, FORBEARANCE))
    options: list[PlanOption] = []
    rejected: list[PlanOption] = []
    seen: set[Decimal] = set()
    for amount, relief in candidates:
        if balance > 0:  # an instalment above the balance is one payment of the balance (0.01 owed: pay 0.01)
            amount = min(amount, balance)
        if amount in seen and not relief:
            continue
        seen.add(amount)
        made = _option(balance, amount, frequency, surplus, limits, cap, relief)
        (rejected if made.rejection else options).append(made)
    if hardship and options and not any(o.forbearance for o in options):
        longest = max(options, key=lambda o: o.count)
        options[options.index(longest)] = PlanOption(**{**longest.__dict__, "forbearance": FORBEARANCE})
    return Proposal(surplus=surplus, max_instalment=monthly_cap, options=options, rejected=rejected)


__all__ = ["FORBEARANCE", "MODEL_ID", "MODEL_VERSION", "PlanLimits", "PlanOption", "Proposal", "propose"]
