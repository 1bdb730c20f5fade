"""The models the reference runs and their published cards (AI-05).

The reference has no real collection data, so the scorecard's performance and fairness figures
come from a *synthetic* population generated here with a fixed seed: repayment is drawn from a
latent propensity the scorecard does not see exactly, and protected attributes are drawn
independently of everything else. The figures are computed, not typed in, and the card says
plainly that they show how the metrics are produced rather than how the model performs on real
debtors; a deployment publishes figures from its own validation (AI-11).
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import _plans, _scorecard, _stress

#: Attributes the models never read and against which fairness is reported.
PROTECTED_ATTRIBUTES = ("sex", "marital_status", "ethnicity", "nationality", "age_band", "religion", "disability")
_EFFECTIVE = "2026-11-01"
_SEED = 20261101
_POPULATION = 2000


@dataclass(frozen=True)
class Model:
    model_id: str
    name: str
    kind: str
    version: str
    card: Callable[[], dict[str, Any]]

    def summary(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "name": self.name,
            "kind": self.kind,
            "version": self.version,
            "status": "in_use",
            "card_url": f"/icss/v1/models/{self.model_id}/card",
        }


def _synthetic_debtor(rng: random.Random) -> tuple[dict[str, Any], bool, dict[str, str]]:
    income = rng.choice((1200, 1800, 2500, 3200, 4500, 6000))
    features: dict[str, Any] = {
        "monthly_income": f"{income}.00",
        "monthly_debt_service": f"{round(income * rng.uniform(0.05, 0.7))}.00",
        "monthly_essential_expenses": f"{round(income * rng.uniform(0.2, 0.9))}.00",
        "missed_payments_12m": rng.choice((0, 0, 0, 1, 1, 2, 3, 5)),
        "credit_utilisation": round(rng.uniform(0, 1.1), 2),
        "employment_months": rng.randint(0, 120),
        "income_stability": round(rng.uniform(0.3, 1), 2),
        "open_commitments": rng.randint(0, 8),
        "history_months": rng.randint(0, 200),
        "income_drop_reported": rng.random() < 0.15,
    }
    dsr = float(features["monthly_debt_service"]) / income
    latent = (
        1.5
        - 3.0 * dsr
        - 0.5 * features["missed_payments_12m"]
        - 1.0 * features["credit_utilisation"]
        + 0.01 * features["employment_months"]
        - 0.8 * features["income_drop_reported"]
        + rng.gauss(0, 1)
    )
    repaid = rng.random() < 1 / (1 + math.exp(-latent))
    groups = {
        "sex": rng.choice(("female", "male")),
        "marital_status": rng.choice(("married", "single")),
        "ethnicity": rng.choice(("group_1", "group_2")),
        "nationality": rng.choice(("national", "foreign")),
    }
    return features, repaid, groups


def _auc(scores: list[int], labels: list[bool]) -> float:
    """Probability that a repaying debtor outscores a defaulting one (ties count half)."""
    ranked = sorted(zip(scores, labels, strict=True), key=lambda pair: pair[0])
    positives = sum(labels)
    negatives = len(labels) - positives
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2
        rank_sum += average_rank * sum(1 for _, label in ranked[i:j] if label)
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


@functools.cache
def scorecard_evaluation() -> dict[str, Any]:
    """AUC and mean score differences per protected attribute on the synthetic population."""
    rng = random.Random(_SEED)  # noqa: S311 - a reproducible synthetic population, not a secret
    rows = [_synthetic_debtor(rng) for _ in range(_POPULATION)]
    scores = [_scorecard.assess(features).score for features, _, _ in rows]
    fairness = []
    for attribute in ("sex", "marital_status", "ethnicity", "nationality"):
        by_group: dict[str, list[int]] = {}
        for (_, _, groups), score in zip(rows, scores, strict=True):
            by_group.setdefault(groups[attribute], []).append(score)
        means = {group: sum(s) / len(s) for group, s in sorted(by_group.items())}
        low, high = min(means.values()), max(means.values())
        fairness.append(
            {
                "attribute": attribute,
                "metric": "mean_score_difference",
                "value": round(high - low, 1),
                "groups": list(means),
            }
        )
    return {"auc": round(_auc(scores, [repaid for _, repaid, _ in rows]), 3), "fairness": fairness}


_SYNTHETIC = (
    f"Synthetic population of {_POPULATION} debtors drawn with a fixed seed ({_SEED}); repayment drawn from a "
    "latent propensity the scorecard does not see exactly; protected attributes drawn independently."
)


def _scorecard_card() -> dict[str, Any]:
    evaluation = scorecard_evaluation()
    return {
        "model_id": _scorecard.MODEL_ID,
        "name": "Repayment capacity scorecard",
        "version": _scorecard.MODEL_VERSION,
        "released_on": _EFFECTIVE,
        "owner": "ICSS reference service",
        "intended_use": "Rank a debtor's capacity to repay so that plan offers fit it; a person reviews any "
        "decision the debtor contests. Never used to refuse hardship consideration.",
        "out_of_scope_uses": ["credit underwriting", "employment decisions", "pricing"],
        "inputs": list(_scorecard.INPUTS),
        "outputs": "score 0-1000 (1000 minus the points each factor takes), band A-E, up to 4 reason codes",
        "logic": [f"{f.reason_code}: {f.rule}" for f in _scorecard.FACTORS],
        "bands": [{"band": band, "min_score": floor} for band, floor in _scorecard.BANDS],
        "training_data": {
            "description": "None: the points are set by hand and published here; nothing is fitted to data.",
        },
        "evaluation_data": {"description": _SYNTHETIC, "size": _POPULATION},
        "metrics": [{"name": "auc", "value": evaluation["auc"], "dataset": "synthetic"}],
        "fairness": evaluation["fairness"],
        "protected_attributes": list(PROTECTED_ATTRIBUTES),
        "limitations": [
            "The performance and fairness figures come from synthetic data; they show how the metrics are "
            "computed, not how the scorecard performs on real debtors.",
            "The points were set by hand, not estimated, and are not calibrated to a probability of repayment.",
            "arrears_amount is accepted but not scored.",
            "A debtor who loses no points has no adverse reason to report.",
        ],
        "human_oversight": "The debtor may ask for an explanation and for a human review of any decision; a "
        "supervisor records the review's outcome, and the decision is suspended until then.",
        "reason_codes": list(_scorecard.REASON_CODES),
        "reason_code_inputs": {f.reason_code: list(f.inputs) for f in _scorecard.FACTORS},
    }


def _stress_card() -> dict[str, Any]:
    return {
        "model_id": _stress.MODEL_ID,
        "name": "Debt-stress indicators",
        "version": _stress.MODEL_VERSION,
        "released_on": _EFFECTIVE,
        "owner": "ICSS reference service",
        "intended_use": "Flag immediate debt-servicing pressure so that forbearance is considered early.",
        "out_of_scope_uses": ["credit underwriting", "deciding to refuse a repayment plan"],
        "inputs": ["monthly_net_income", "monthly_debt_service", "payments_behind", "monthly_essential_expenses"],
        "outputs": "every indicator evaluated with its value, threshold and whether it fired; a stress level "
        "(none, moderate, high, severe for none, one, two, three indicators fired)",
        "logic": [
            "debt_service_ratio: fires when monthly debt service is at or above debt_service_stress_percent "
            "of monthly net income (Institute for Fiscal Studies, 2018)",
            f"arrears: fires when {_stress.ARREARS_PAYMENTS} or more scheduled payments are missed "
            "(Institute for Fiscal Studies, 2018; Eurofound, 2020)",
            "residual_income: fires when income less debt service and essential expenses is negative",
        ],
        "training_data": {"description": "None: fixed rules with published thresholds."},
        "evaluation_data": {"description": "Rule tests of the reference service; no population data."},
        "metrics": [{"name": "accuracy", "value": 1.0, "dataset": "rule tests (each rule against its definition)"}],
        "fairness": [],
        "protected_attributes": list(PROTECTED_ATTRIBUTES),
        "limitations": ["The indicators use declared figures only; they are not verified against records."],
        "reason_codes": [],
    }


def _plan_card() -> dict[str, Any]:
    return {
        "model_id": _plans.MODEL_ID,
        "name": "Affordable repayment plans",
        "version": _plans.MODEL_VERSION,
        "released_on": _EFFECTIVE,
        "owner": "ICSS reference service",
        "intended_use": "Offer repayment plans the debtor can afford within the profile's longest term.",
        "out_of_scope_uses": ["refusing a debtor's proposal without human review"],
        "inputs": ["declared_monthly_income", "declared_monthly_expenses", "other_debt_service",
                   "preferred_instalment", "frequency", "balance of the debts named", "hardship events"],
        "outputs": "plan options with instalments, term and total; rejected options with the rule they break",
        "logic": [
            "surplus = declared income - declared expenses - other debt service",
            "an instalment takes at most plan_max_surplus_share_percent of the surplus (per month)",
            "a plan lasts at most plan_max_term_months; instalments add up to the balance, no charge is added",
            "after a hardship event the longest affordable term is offered as forbearance",
            "when no option fits, none is offered and the proposal is referred to a person",
        ],
        "training_data": {"description": "None: fixed rules with the profile's parameters."},
        "evaluation_data": {"description": "Property tests of the reference service."},
        "metrics": [{"name": "accuracy", "value": 1.0, "dataset": "property tests (rules against definitions)"}],
        "fairness": [],
        "protected_attributes": list(PROTECTED_ATTRIBUTES),
        "limitations": ["Declared income and expenses are taken as given.",
                        "Charges and interest are never added to a plan."],
        "reason_codes": ["plan_unaffordable"],
    }  # fmt: skip


MODELS: dict[str, Model] = {
    m.model_id: m
    for m in (
        Model(_scorecard.MODEL_ID, "Repayment capacity scorecard", "repayment_capacity", _scorecard.MODEL_VERSION,
              _scorecard_card),
        Model(_stress.MODEL_ID, "Debt-stress indicators", "debt_stress", _stress.MODEL_VERSION, _stress_card),
        Model(_plans.MODEL_ID, "Affordable repayment plans", "repayment_plan", _plans.MODEL_VERSION, _plan_card),
    )
}  # fmt: skip

__all__ = ["MODELS", "PROTECTED_ATTRIBUTES", "Model", "scorecard_evaluation"]
