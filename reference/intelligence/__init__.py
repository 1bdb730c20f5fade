"""The reference service's intelligent services: transparent, deterministic models and their cards.

Pure functions, no database and no HTTP: the handlers in ``_handlers/intelligence.py`` call them
and record the decisions. Each model is small enough to publish whole on its model card.
"""

from ._cards import MODELS, PROTECTED_ATTRIBUTES, Model, scorecard_evaluation
from ._explain import explain, language_of, reason_text
from ._plans import FORBEARANCE, PlanLimits, PlanOption, Proposal, propose
from ._scorecard import BANDS, FACTORS, REASON_CODES, Assessment, assess, band_of
from ._stress import StressIndicator, diagnose, stress_level

__all__ = [
    # models and cards
    "MODELS",
    "PROTECTED_ATTRIBUTES",
    "Model",
    "scorecard_evaluation",
    # repayment capacity
    "BANDS",
    "FACTORS",
    "REASON_CODES",
    "Assessment",
    "assess",
    "band_of",
    # debt stress
    "StressIndicator",
    "diagnose",
    "stress_level",
    # repayment plans
    "FORBEARANCE",
    "PlanLimits",
    "PlanOption",
    "Proposal",
    "propose",
    # explanations
    "explain",
    "language_of",
    "reason_text",
]
