"""The reference script compliance checker (SC-01..SC-13): rules and a small linear model over normalised
text, in Chinese and English.

``default_checker().check(text, speaker_role=..., language=..., context=Context(...))`` returns the
violations of one utterance (category, severity, span into the original text, rule, indicator);
``check_conversation`` adds the conversation-level disclosures. The service's script-check
operations (``icss.reference._handlers.scripts``) are thin wrappers around it.

Tools, run as modules: ``build_corpus`` (authoring sources → spec/corpora/scripts), ``train`` (the
model beside the rules, ``model.json``, from train + dev), ``evaluate`` (metrics on a corpus split,
in-process; ``--holdout`` for the slice of dev kept out of tuning), ``check_draft`` (a blind set's draft:
its counts and its lines that repeat an item, without showing the corpus).
"""

from __future__ import annotations

from ._categories import CATEGORIES, UTTERANCE_CATEGORIES, Category, indicator_of, severity_of
from ._checker import (
    RULESET_VERSION,
    Context,
    ContextError,
    ConversationOutcome,
    Outcome,
    ScriptChecker,
    Violation,
    default_checker,
)

__all__ = [
    # checking
    "ScriptChecker",
    "default_checker",
    "Context",
    "ContextError",
    "Outcome",
    "ConversationOutcome",
    "Violation",
    "RULESET_VERSION",
    # the closed category vocabulary
    "CATEGORIES",
    "UTTERANCE_CATEGORIES",
    "Category",
    "indicator_of",
    "severity_of",
]
